"""From a chosen rule and a send time to the planned actions.

The first message (or the recruiter call and its e-mail fallback), the talent-pool
invitation, and the follow-ups months later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from ats_reject._durations import Duration
from ats_reject._wallclock import local_label
from ats_reject.compose.context import FeedbackScope
from ats_reject.models import Application
from ats_reject.policy._match import CompiledRule
from ats_reject.policy._models import (
    ActionCondition,
    Audience,
    Decision,
    MessageKind,
    Outcome,
    PlannedAction,
    RejectionCase,
    TraceNote,
)
from ats_reject.policy._rules import Channel
from ats_reject.policy._schedule import Scheduler
from ats_reject.timing import HolidayCalendar, ResolvedZone, SendSchedule, SendWindow

__all__ = ["Plan", "StepCache", "build_decision", "job_names"]

_CONSENT_TEMPLATE = "consent_request"
_RE_ENGAGEMENT_TEMPLATE = "re_engagement"


@dataclass(slots=True)
class Plan:
    """A decision whose first message has a schedule, before its actions are built.

    Private and short-lived, so not frozen: a frozen dataclass pays for every field it sets.
    """

    case: RejectionCase
    group: tuple[Application, ...]
    """The applications the message is about, in the order of their decisions."""
    version: str
    rule: CompiledRule
    channel: Channel
    kind: MessageKind
    template: str
    feedback: FeedbackScope
    talent_pool: bool
    zone: ResolvedZone
    calendar: HolidayCalendar
    schedule: SendSchedule
    notes: tuple[str | TraceNote, ...]
    fallbacks: tuple[str, ...]
    sender: str | None
    """Whose hourly cap the first message counts against, if any."""


def job_names(group: tuple[Application, ...]) -> tuple[str, ...]:
    """The roles a message names, once each, in the order of the decisions."""
    names: list[str] = []
    for member in group:
        if member.job is not None and member.job.name not in names:
            names.append(member.job.name)
    return tuple(names)


_MAX_CACHED = 8192


@dataclass(frozen=True, slots=True)
class _Step:
    """An action of a plan, without what differs from one application to the next."""

    kind: MessageKind
    due_at: datetime
    version_suffix: str
    template: str | None
    channel: Channel
    audience: Audience
    condition: ActionCondition
    reasons: tuple[str, ...]


def _window_key(window: SendWindow) -> tuple[time, time, frozenset[int] | None]:
    return (window.start, window.end, window.weekdays)


class StepCache:
    """Follow-ups and call hand-overs already worked out, by rule, time, zone and calendar.

    Send times cluster at the openings of send windows, so many decisions share the moment
    the candidate is told, and with it every later date and every sentence explaining them;
    only the application and the decision's version differ. Keys hold a rule's position and
    a calendar's id, both living as long as the engine that owns this cache.
    """

    def __init__(self) -> None:
        self.follow_ups: dict[object, tuple[_Step, ...]] = {}
        self.calls: dict[object, tuple[datetime, str]] = {}


class _Builder:
    """Makes the actions of one plan, all filed under the same application and version."""

    def __init__(
        self, plan: Plan, scheduler: Scheduler, schedule: SendSchedule, cache: StepCache
    ) -> None:
        self.plan = plan
        self.scheduler = scheduler
        self.schedule = schedule
        self.cache = cache
        self.zone = plan.zone.zone
        self.covers = tuple(member.id for member in plan.group)

    def action(
        self,
        kind: MessageKind,
        due_at: datetime,
        *,
        channel: Channel = Channel.EMAIL,
        version: str | None = None,
        template: str | None = None,
        deadline: datetime | None = None,
        deadline_met: bool = True,
        audience: Audience = Audience.CANDIDATE,
        condition: ActionCondition = ActionCondition.ALWAYS,
        ats_template_id: str | None = None,
        reasons: tuple[str, ...] = (),
    ) -> PlannedAction:
        """One action of this plan."""
        return PlannedAction(
            connection=self.plan.case.connection,
            application_id=self.plan.case.application.id,
            message_kind=kind,
            decision_version=version or self.plan.version,
            channel=channel,
            due_at=due_at,
            template=template,
            deadline=deadline,
            deadline_met=deadline_met,
            audience=audience,
            condition=condition,
            covers=self.covers,
            ats_template_id=ats_template_id,
            zone=self.zone,
            reasons=reasons,
        )

    def after(self, start: datetime, duration: Duration) -> datetime:
        """The first allowed time at or after *start* plus *duration*."""
        return self.scheduler.after(
            start, duration, self.schedule.send_window, self.zone, self.plan.calendar
        )

    def first_message(self) -> tuple[list[PlannedAction], datetime]:
        """The message (or the call and its fallback) and when the candidate has been told."""
        plan, schedule = self.plan, self.schedule
        then = plan.rule.rule.then
        if plan.channel is not Channel.CALL:
            message = self.action(
                plan.kind,
                schedule.send_at,
                channel=plan.channel,
                template=plan.template,
                deadline=schedule.deadline,
                deadline_met=schedule.deadline_met,
                ats_template_id=then.ats_template_id if plan.channel is Channel.ATS else None,
                reasons=schedule.reasons,
            )
            return [message], schedule.send_at
        call_deadline, handover = self._handover()
        actions = [
            self.action(
                MessageKind.CALL_TASK,
                schedule.send_at,
                channel=Channel.CALL,
                template=plan.template,
                deadline=call_deadline,
                deadline_met=schedule.deadline_met,
                audience=Audience.RECRUITER,
                reasons=(*schedule.reasons, handover),
            ),
            self.action(
                MessageKind.CALL_FALLBACK,
                call_deadline,
                template=then.call.fallback_template,
                condition=ActionCondition.CALL_NOT_DONE,
                reasons=(f"{handover}; if it is not, this e-mail goes instead",),
            ),
        ]
        if plan.talent_pool:
            actions.append(
                self.action(
                    MessageKind.TALENT_POOL_INVITE,
                    call_deadline,
                    template=_CONSENT_TEMPLATE,
                    condition=ActionCondition.CALL_DONE,
                    reasons=(
                        "after the call, the talent-pool invitation follows in writing with its "
                        "consent link (when the call does not happen, the fallback e-mail "
                        "carries it)",
                    ),
                )
            )
        return actions, call_deadline

    def _handover(self) -> tuple[datetime, str]:
        """Until when the recruiter may call, and the sentence saying so."""
        plan, schedule = self.plan, self.schedule
        key = (
            plan.rule.index,
            schedule.send_at,
            self.zone,
            id(plan.calendar),
            *_window_key(schedule.send_window),
        )
        found = self.cache.calls.get(key)
        if found is None:
            call_deadline = self.after(schedule.send_at, plan.rule.call_fallback_after)
            handover = (
                f"the recruiter has until {local_label(call_deadline, self.zone)} {self.zone} "
                f"({plan.rule.call_fallback_after} after the call is due) to mark the call done"
            )
            found = (call_deadline, handover)
            if len(self.cache.calls) >= _MAX_CACHED:
                self.cache.calls.clear()
            self.cache.calls[key] = found
        return found

    def follow_ups(self, told_at: datetime) -> list[PlannedAction]:
        """Re-engagement, consent renewal and retention purge, timed from *told_at*."""
        plan = self.plan
        key = (
            plan.rule.index,
            plan.talent_pool,
            told_at,
            self.zone,
            id(plan.calendar),
            *_window_key(self.schedule.send_window),
        )
        steps = self.cache.follow_ups.get(key)
        if steps is None:
            steps = self._follow_up_steps(told_at)
            if len(self.cache.follow_ups) >= _MAX_CACHED:
                self.cache.follow_ups.clear()
            self.cache.follow_ups[key] = steps
        return [
            self.action(
                step.kind,
                step.due_at,
                channel=step.channel,
                version=f"{plan.version}{step.version_suffix}" if step.version_suffix else None,
                template=step.template,
                audience=step.audience,
                condition=step.condition,
                reasons=step.reasons,
            )
            for step in steps
        ]

    def _follow_up_steps(self, told_at: datetime) -> tuple[_Step, ...]:
        rule = self.plan.rule
        zone = self.zone
        started = f"after {local_label(told_at, zone)} {zone}, when the candidate was told"
        found: list[_Step] = []
        if self.plan.talent_pool:
            consent_end = self.scheduler.add(
                told_at, rule.consent_validity, zone, self.plan.calendar
            )
            for offset in rule.re_engagement:
                due = self.after(told_at, offset)
                if due >= consent_end:
                    continue
                found.append(
                    _Step(
                        MessageKind.RE_ENGAGEMENT,
                        due,
                        f"#{offset}",
                        _RE_ENGAGEMENT_TEMPLATE,
                        Channel.EMAIL,
                        Audience.CANDIDATE,
                        ActionCondition.CONSENT_GIVEN,
                        (
                            f"re-engagement {offset} {started}, only with a valid talent-pool "
                            "consent and if the person has not re-applied, unsubscribed or "
                            "been hired",
                        ),
                    )
                )
            found.append(
                _Step(
                    MessageKind.CONSENT_RENEWAL,
                    self.after(told_at, rule.consent_validity),
                    "",
                    _CONSENT_TEMPLATE,
                    Channel.EMAIL,
                    Audience.CANDIDATE,
                    ActionCondition.CONSENT_GIVEN,
                    (
                        f"a consent lasts {rule.consent_validity}: ask again at the latest "
                        f"{rule.consent_validity} {started}",
                    ),
                )
            )
        if rule.retention is not None:
            purge_at = self.scheduler.add(told_at, rule.retention, zone, self.plan.calendar)
            found.append(
                _Step(
                    MessageKind.RETENTION_PURGE,
                    purge_at,
                    "",
                    None,
                    Channel.NONE,
                    Audience.NOBODY,
                    ActionCondition.NO_CONSENT,
                    (
                        f"data kept {rule.retention} {started}, then deleted unless the "
                        "candidate consented to the talent pool",
                    ),
                )
            )
        return tuple(found)


def build_decision(
    plan: Plan, schedule: SendSchedule, scheduler: Scheduler, cache: StepCache
) -> Decision:
    """The planned decision for *plan*, its first message sent per *schedule*."""
    builder = _Builder(plan, scheduler, schedule, cache)
    actions, told_at = builder.first_message()
    actions.extend(builder.follow_ups(told_at))
    application = plan.case.application
    return Decision(
        connection=plan.case.connection,
        application_id=application.id,
        candidate_id=application.candidate_id,
        outcome=Outcome.PLANNED,
        decision_version=plan.version,
        rule=plan.rule.name,
        channel=plan.channel,
        template=plan.template,
        feedback=plan.feedback,
        talent_pool=plan.talent_pool,
        actions=tuple(actions),
        covers=builder.covers if len(builder.covers) > 1 else (),
        roles=job_names(plan.group),
        fallbacks=plan.fallbacks,
        notes=plan.notes,
    )
