"""The policy engine: a rejection case in, one explained decision out.

Pure: no I/O. The clock is read once per call, only to move a time that has already passed
(a rejection processed late) to the next allowed time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ats_reject._durations import add_duration, parse_duration
from ats_reject._wallclock import load_zone, local_label
from ats_reject.adapter import Capability
from ats_reject.clock import Clock, SystemClock, ensure_aware
from ats_reject.compose.context import FeedbackScope
from ats_reject.models import Application, ApplicationStatus, StageKind
from ats_reject.policy._match import CompiledRule, Facts, compile_rules, facts_of
from ats_reject.policy._models import (
    ActionCondition,
    Audience,
    CancelScope,
    Decision,
    MessageKind,
    Outcome,
    PlannedAction,
    RejectionCase,
    decision_version,
)
from ats_reject.policy._rules import WITHDRAWAL_TEMPLATE, Channel, Rule, RuleAction
from ats_reject.policy._schedule import Scheduler
from ats_reject.policy._settings import PolicySettings
from ats_reject.timing import HolidayCalendar, ResolvedZone, SendSchedule, spread_batch

if TYPE_CHECKING:
    from ats_reject._config_company import CompanySettings
    from ats_reject.adapter import AdapterRegistry
    from ats_reject.config import Config

__all__ = ["PolicyEngine"]

_STAGE_RANK = {
    StageKind.OFFER: 6,
    StageKind.FINAL: 5,
    StageKind.INTERVIEW: 4,
    StageKind.ASSESSMENT: 3,
    StageKind.SCREEN: 2,
    StageKind.APPLICATION_REVIEW: 1,
    StageKind.OTHER: 0,
}
_EMAIL_SENDER = "email"
_BUILTIN_WITHDRAWN = Rule(
    name="built-in:withdrawn",
    description="No rule matched a withdrawal: nothing is sent.",
    then=RuleAction(channel=Channel.NONE),
)
_BUILTIN_OTHERWISE = Rule(
    name="built-in:otherwise",
    description="No rule matched: an e-mail without feedback.",
)


@dataclass(frozen=True, slots=True)
class _Plan:
    """A decision whose first message has a schedule, before actions are built."""

    case: RejectionCase
    primary: Application
    group: tuple[Application, ...]
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
    trace: tuple[str, ...]
    fallbacks: tuple[str, ...]
    sender: str | None


def _rank(application: Application) -> tuple[int, datetime, str]:
    stage = application.current_stage
    decided = application.rejection.decided_at if application.rejection else datetime.min
    return (_STAGE_RANK[stage.kind] if stage else 0, decided, application.id)


def _is_rejection(application: Application) -> bool:
    return application.status is ApplicationStatus.REJECTED and application.rejection is not None


def _decided(application: Application) -> datetime:
    assert application.rejection is not None  # noqa: S101 - callers filter rejected ones
    return application.rejection.decided_at


class PolicyEngine:
    """Decides how, when and whether each rejection is communicated.

    Args:
        policy: The ``[policy]`` settings (rules, timing, several applications).
        company: The ``[company]`` settings (zones, offices, closure days).
        capabilities_by_connection: Connection name -> what its adapter can do; decides
            whether channel ``ats`` can be used.
        clock: Read once per call, to move a time already past; the system clock by default.
    """

    def __init__(
        self,
        policy: PolicySettings,
        company: CompanySettings,
        *,
        capabilities_by_connection: Mapping[str, Iterable[Capability]] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.policy = policy
        self.company = company
        self._clock: Clock = clock or SystemClock()
        self._capabilities = {
            name: frozenset(found) for name, found in (capabilities_by_connection or {}).items()
        }
        rules = policy.effective_rules()
        builtins = compile_rules(
            (*rules, _BUILTIN_WITHDRAWN, _BUILTIN_OTHERWISE), policy.timing
        )
        self.rules: tuple[CompiledRule, ...] = builtins[: len(rules)]
        self._withdrawn_fallback, self._otherwise_fallback = builtins[len(rules) :]
        self._scheduler = Scheduler(company)
        self._consolidate_within = parse_duration(policy.applications.consolidate_within)
        remind = policy.promises.remind_recruiter_before
        self._remind_before = parse_duration(remind) if remind else None

    @classmethod
    def from_config(
        cls,
        config: Config,
        *,
        registry: AdapterRegistry | None = None,
        clock: Clock | None = None,
    ) -> PolicyEngine:
        """Build the engine from a loaded configuration, asking each adapter's capabilities."""
        from ats_reject.adapter import default_registry  # noqa: PLC0415 - keep imports light

        found = registry or default_registry
        capabilities = {
            name: found.load(connection.adapter).capabilities
            for name, connection in config.connections.items()
        }
        return cls(
            config.policy, config.company, capabilities_by_connection=capabilities, clock=clock
        )

    # --- public API -------------------------------------------------------------------------

    def decide(self, case: RejectionCase) -> Decision:
        """Decide one rejection case.

        Returns:
            Exactly one outcome: ``planned`` (with its actions), ``held`` or ``cancelled``,
            with its explanation.
        """
        result = self._evaluate(case, ensure_aware(self._clock.now()))
        return result if isinstance(result, Decision) else self._finish(result, result.schedule)

    def decide_batch(
        self,
        cases: Sequence[RejectionCase],
        *,
        already_planned: Mapping[str, Iterable[datetime]] | None = None,
    ) -> list[Decision]:
        """Decide many cases at once, spreading each sender's e-mails over the send window.

        Messages of one sender move from the first minute of their window to stable places
        in it, and no 60 minutes hold more than ``policy.sender_hourly_cap`` of them.

        Args:
            cases: The cases, in any order.
            already_planned: Sender key (see :meth:`sender_key`) -> send times already
                planned by earlier batches, which count against the hourly cap.

        Returns:
            One decision per case, in the order of *cases*.
        """
        now = ensure_aware(self._clock.now())
        results = [self._evaluate(case, now) for case in cases]
        by_sender: dict[str, dict[str, SendSchedule]] = {}
        for result in results:
            if isinstance(result, _Plan) and result.sender is not None:
                spread_key = f"{result.case.connection}:{result.primary.id}"
                by_sender.setdefault(result.sender, {})[spread_key] = result.schedule
        spread: dict[str, SendSchedule] = {}
        for sender, schedules in by_sender.items():
            earlier = already_planned.get(sender, ()) if already_planned else ()
            spread.update(
                spread_batch(
                    schedules,
                    hourly_cap=self.policy.sender_hourly_cap,
                    already_planned=earlier,
                )
            )
        decisions: list[Decision] = []
        for result in results:
            if isinstance(result, Decision):
                decisions.append(result)
                continue
            key = f"{result.case.connection}:{result.primary.id}"
            decisions.append(self._finish(result, spread.get(key, result.schedule)))
        return decisions

    def sender_key(self, case: RejectionCase, channel: Channel) -> str | None:
        """Whose hourly cap a first message by *channel* counts against; ``None`` for none.

        Our own e-mails all leave through one mailbox (``"email"``); the ATS sends as the
        recruiter, so its e-mails count per connection and recruiter.
        """
        if channel is Channel.EMAIL:
            return _EMAIL_SENDER
        if channel is Channel.ATS:
            user = case.application.recruiter or case.application.coordinator
            return f"ats:{case.connection}:{user.id if user else 'company'}"
        return None

    def plan_promise(
        self, connection: str, application: Application, promised_by: datetime
    ) -> tuple[PlannedAction, ...]:
        """Plan around a decision promised to the candidate by *promised_by*.

        A reminder goes to the recruiter ``policy.promises.remind_recruiter_before`` ahead,
        and a holding update to the candidate when the date passes undecided (at the next
        allowed time in their zone). Both hold only while the application is still active.

        Returns:
            The actions; none when the application is no longer active.
        """
        if application.status is not ApplicationStatus.ACTIVE:
            return ()
        promised = ensure_aware(promised_by)
        now = ensure_aware(self._clock.now())
        version = f"promise:{decision_version(promised)}"
        zone = self._scheduler.zone_for(application)
        calendar = self._scheduler.calendar_for(zone)
        window = self.rules[-1].timing.send_window if self.rules else None
        window = window or self._otherwise_fallback.timing.send_window
        settings = self.policy.promises
        actions: list[PlannedAction] = []
        if self._remind_before is not None:
            amount = self._remind_before
            step = timedelta(**{amount.unit: amount.amount})
            remind_at = max(promised - step, now)
            actions.append(
                PlannedAction(
                    connection=connection,
                    application_id=application.id,
                    message_kind=MessageKind.RECRUITER_REMINDER,
                    decision_version=version,
                    channel=Channel.EMAIL,
                    due_at=remind_at,
                    deadline=promised,
                    audience=Audience.RECRUITER,
                    condition=ActionCondition.STILL_UNDECIDED,
                    zone=zone.zone,
                    reasons=(
                        f"a decision was promised by {local_label(promised, zone.zone)} "
                        f"{zone.zone}; the recruiter is reminded {amount} before",
                    ),
                )
            )
        if settings.holding_update:
            update_at = self._scheduler.after(
                max(promised, now), parse_duration("0 min"), window, zone.zone, calendar
            )
            actions.append(
                PlannedAction(
                    connection=connection,
                    application_id=application.id,
                    message_kind=MessageKind.HOLDING_UPDATE,
                    decision_version=version,
                    channel=Channel.EMAIL,
                    due_at=update_at,
                    template=settings.holding_update_template,
                    condition=ActionCondition.STILL_UNDECIDED,
                    zone=zone.zone,
                    reasons=(
                        "if the promised date passes undecided, the candidate gets a holding "
                        f"update at the next allowed time ({window.describe()}, {zone.zone})",
                    ),
                )
            )
        return tuple(actions)

    # --- evaluation --------------------------------------------------------------------------

    def _evaluate(self, case: RejectionCase, now: datetime) -> Decision | _Plan:
        application = case.application
        ids = {
            "connection": case.connection,
            "application_id": application.id,
            "candidate_id": application.candidate_id,
        }
        if not _is_rejection(application):
            state = application.status.value
            return Decision(
                **ids,
                outcome=Outcome.CANCELLED,
                cancel_reasons=(
                    f"the application is {state} in the ATS, not rejected: nothing is sent, "
                    "and anything planned for it is cancelled",
                ),
                cancel_scope=CancelScope.APPLICATION,
            )
        version = decision_version(_decided(application))
        applications = self.policy.applications
        others = case.other_applications
        if applications.cancel_on_offer_or_hire:
            blockers = self._offers_and_hires(others)
            if blockers:
                return Decision(
                    **ids,
                    outcome=Outcome.CANCELLED,
                    decision_version=version,
                    cancel_reasons=blockers,
                    cancel_scope=CancelScope.PERSON,
                )
        facts = facts_of(case.connection, application)
        group = self._group(case, facts)
        primary = max(group, key=_rank)
        primary_facts = facts if primary is application else facts_of(case.connection, primary)
        rule, trace = self._match(primary_facts)
        if primary is not application:
            trace.insert(0, f"rule chosen for application {primary.id}, which the message is filed under")
        fallbacks: list[str] = []
        channel = self._channel(case.connection, rule, fallbacks)
        feedback = self._feedback(rule, primary_facts, trace)
        if channel is Channel.NONE:
            trace.append("channel none: nothing is sent")
            return Decision(
                **ids,
                outcome=Outcome.PLANNED,
                decision_version=version,
                rule=rule.name,
                channel=channel,
                trace=tuple(trace),
            )
        if applications.hold_while_active:
            active = tuple(
                sorted(
                    other.id
                    for other in others
                    if other.status is ApplicationStatus.ACTIVE and not other.is_prospect
                )
            )
            if active:
                return Decision(
                    **ids,
                    outcome=Outcome.HELD,
                    decision_version=version,
                    rule=rule.name,
                    channel=channel,
                    feedback=feedback,
                    hold_reasons=(
                        "the same person has other active applications "
                        f"({', '.join(active)}); the message waits until they are decided, "
                        "so the person hears once (policy.applications.hold_while_active)",
                    ),
                    waiting_for=active,
                    fallbacks=tuple(fallbacks),
                    trace=tuple(trace),
                )
        covers = tuple(member.id for member in group)
        if primary is not application:
            return Decision(
                **ids,
                outcome=Outcome.PLANNED,
                decision_version=version,
                rule=rule.name,
                channel=channel,
                consolidated_into=primary.id,
                covers=covers,
                roles=self._roles(group),
                trace=(
                    *trace,
                    f"told in one message with applications {', '.join(covers)}, filed under "
                    f"application {primary.id} (policy.applications.consolidate)",
                ),
            )
        decided_at = max(_decided(member) for member in group)
        if len(group) > 1:
            version = decision_version(decided_at)
            trace.append(
                f"one message names the roles of applications {', '.join(covers)} "
                "(policy.applications.consolidate); it is timed from the latest of their "
                "decisions"
            )
        applied = [member.applied_at for member in group if member.applied_at is not None]
        zone = self._scheduler.zone_for(application)
        calendar = self._scheduler.calendar_for(zone)
        schedule = self._scheduler.plan(
            decided_at, max(applied) if applied else None, rule.timing, zone, calendar, now
        )
        if rule.is_withdrawal_rule:
            kind = MessageKind.WITHDRAWAL_THANKS
            template = rule.rule.then.template or WITHDRAWAL_TEMPLATE
        elif channel is Channel.CALL:
            kind = MessageKind.CALL_TASK
            template = rule.rule.then.call.talking_points_template
        else:
            kind = MessageKind.REJECTION
            template = rule.rule.then.template or "rejection"
        talent_pool = rule.rule.then.talent_pool
        trace.append(
            f"channel {channel.value}, template {template!r}, feedback {feedback.value}, "
            f"talent-pool invitation {'on' if talent_pool else 'off'}"
        )
        return _Plan(
            case=case,
            primary=application,
            group=group,
            version=version,
            rule=rule,
            channel=channel,
            kind=kind,
            template=template,
            feedback=feedback,
            talent_pool=talent_pool,
            zone=zone,
            calendar=calendar,
            schedule=schedule,
            trace=tuple(trace),
            fallbacks=tuple(fallbacks),
            sender=self.sender_key(case, channel),
        )

    @staticmethod
    def _offers_and_hires(others: Iterable[Application]) -> tuple[str, ...]:
        reasons: list[str] = []
        for other in sorted(others, key=lambda item: item.id):
            if other.status is ApplicationStatus.HIRED:
                reasons.append(
                    f"application {other.id} of the same person is hired: nothing is sent "
                    "to the person (policy.applications.cancel_on_offer_or_hire)"
                )
            elif (
                other.status is ApplicationStatus.ACTIVE
                and other.current_stage is not None
                and other.current_stage.kind is StageKind.OFFER
            ):
                reasons.append(
                    f"application {other.id} of the same person is at the offer stage: nothing "
                    "is sent to the person (policy.applications.cancel_on_offer_or_hire)"
                )
        return tuple(reasons)

    def _group(self, case: RejectionCase, facts: Facts) -> tuple[Application, ...]:
        """The rejected applications told in one message with this one (itself included)."""
        application = case.application
        if not self.policy.applications.consolidate or facts.withdrawn:
            return (application,)
        members = [application]
        for other in case.other_applications:
            reason = other.rejection.reason if other.rejection else None
            if (
                _is_rejection(other)
                and other.id not in case.already_notified
                and not (reason is not None and reason.kind.value == "they_withdrew")
            ):
                members.append(other)
        if len(members) == 1:
            return (application,)
        latest = max(_decided(member) for member in members)
        window = self._consolidate_within
        close = [
            member
            for member in members
            if self._scheduler.within(_decided(member), latest, window)
        ]
        if application not in close:
            return (application,)
        return tuple(sorted(close, key=lambda member: (_decided(member), member.id)))

    @staticmethod
    def _roles(group: Sequence[Application]) -> tuple[str, ...]:
        names: list[str] = []
        for member in group:
            if member.job is not None and member.job.name not in names:
                names.append(member.job.name)
        return tuple(names)

    def _match(self, facts: Facts) -> tuple[CompiledRule, list[str]]:
        trace: list[str] = []
        for rule in self.rules:
            failure = rule.first_failure(facts)
            if failure is None:
                trace.append(f"rule {rule.index} {rule.name!r} matched: {rule.describe_match()}")
                return rule, trace
            trace.append(f"rule {rule.index} {rule.name!r} passed over: {failure}")
        fallback = self._withdrawn_fallback if facts.withdrawn else self._otherwise_fallback
        trace.append(f"no rule matched; {fallback.rule.description}")
        return fallback, trace

    def _channel(self, connection: str, rule: CompiledRule, fallbacks: list[str]) -> Channel:
        channel: Channel = rule.rule.then.channel
        if channel is Channel.ATS and Capability.NATIVE_EMAIL not in self._capabilities.get(
            connection, frozenset()
        ):
            known = connection in self._capabilities
            why = (
                "its adapter cannot send the ATS's own e-mail (no native_email capability)"
                if known
                else "the connection is not configured, so its capabilities are unknown"
            )
            fallbacks.append(
                f"rule {rule.name!r} asks for channel 'ats', but on connection {connection!r} "
                f"{why}; sending our own e-mail instead"
            )
            return Channel.EMAIL
        return channel

    def _feedback(self, rule: CompiledRule, facts: Facts, trace: list[str]) -> FeedbackScope:
        feedback: FeedbackScope = rule.rule.then.feedback
        if (
            feedback is not FeedbackScope.NONE
            and self.policy.feedback_requires_interviews
            and not facts.had_interviews
        ):
            how = (
                "judging by the stage (the ATS does not say)"
                if facts.interviews_inferred
                else "according to the ATS"
            )
            trace.append(
                f"feedback {feedback.value} dropped to none: no interview took place {how} "
                "(policy.feedback_requires_interviews)"
            )
            return FeedbackScope.NONE
        return feedback

    # --- actions -----------------------------------------------------------------------------

    def _finish(self, plan: _Plan, schedule: SendSchedule) -> Decision:
        case = plan.case
        rule = plan.rule
        scheduler = self._scheduler
        zone = plan.zone.zone
        window = schedule.send_window
        covers = tuple(member.id for member in plan.group)

        def action(kind: MessageKind, due: datetime, **extra: object) -> PlannedAction:
            return PlannedAction(
                connection=case.connection,
                application_id=plan.primary.id,
                message_kind=kind,
                decision_version=extra.pop("version", plan.version),  # type: ignore[arg-type]
                channel=extra.pop("channel", Channel.EMAIL),  # type: ignore[arg-type]
                due_at=due,
                covers=covers,
                zone=zone,
                **extra,  # type: ignore[arg-type]
            )

        actions: list[PlannedAction] = []
        base = schedule.send_at
        if plan.channel is Channel.CALL:
            call_deadline = scheduler.after(
                schedule.send_at, rule.call_fallback_after, window, zone, plan.calendar
            )
            handover = (
                f"the recruiter has until {local_label(call_deadline, zone)} {zone} "
                f"({rule.call_fallback_after} after the call is due) to mark the call done"
            )
            actions.append(
                action(
                    MessageKind.CALL_TASK,
                    schedule.send_at,
                    channel=Channel.CALL,
                    template=plan.template,
                    deadline=call_deadline,
                    deadline_met=schedule.deadline_met,
                    audience=Audience.RECRUITER,
                    reasons=(*schedule.reasons, handover),
                )
            )
            actions.append(
                action(
                    MessageKind.CALL_FALLBACK,
                    call_deadline,
                    template=rule.rule.then.call.fallback_template,
                    condition=ActionCondition.CALL_NOT_DONE,
                    reasons=(f"{handover}; if not, this e-mail goes instead",),
                )
            )
            if plan.talent_pool:
                actions.append(
                    action(
                        MessageKind.TALENT_POOL_INVITE,
                        call_deadline,
                        template="consent_request",
                        condition=ActionCondition.CALL_DONE,
                        reasons=(
                            "after the call, the talent-pool invitation follows in writing with "
                            "its consent link (the fallback e-mail carries it otherwise)",
                        ),
                    )
                )
            base = call_deadline
        else:
            actions.append(
                action(
                    plan.kind,
                    schedule.send_at,
                    channel=plan.channel,
                    template=plan.template,
                    deadline=schedule.deadline,
                    deadline_met=schedule.deadline_met,
                    ats_template_id=rule.rule.then.ats_template_id
                    if plan.channel is Channel.ATS
                    else None,
                    reasons=schedule.reasons,
                )
            )
        actions.extend(self._follow_ups(plan, base, window, action))
        return Decision(
            connection=case.connection,
            application_id=case.application.id,
            candidate_id=case.application.candidate_id,
            outcome=Outcome.PLANNED,
            decision_version=plan.version,
            rule=rule.name,
            channel=plan.channel,
            template=plan.template,
            feedback=plan.feedback,
            talent_pool=plan.talent_pool,
            actions=tuple(actions),
            covers=covers if len(covers) > 1 else (),
            roles=self._roles(plan.group),
            fallbacks=plan.fallbacks,
            trace=plan.trace,
        )

    def _follow_ups(
        self, plan: _Plan, base: datetime, window: object, action: object
    ) -> list[PlannedAction]:
        from ats_reject.timing import SendWindow  # noqa: PLC0415 - typing of the window

        assert isinstance(window, SendWindow)  # noqa: S101
        build = action
        rule = plan.rule
        zone = plan.zone.zone
        scheduler = self._scheduler
        found: list[PlannedAction] = []
        started = f"after {local_label(base, zone)} {zone}, when the candidate was told"
        if plan.talent_pool:
            consent_end = add_duration(
                base, rule.consent_validity, load_zone(zone), plan.calendar.is_working_day
            )
            for offset in rule.re_engagement:
                due = scheduler.after(base, offset, window, zone, plan.calendar)
                if due >= consent_end:
                    continue
                found.append(
                    build(  # type: ignore[operator]
                        MessageKind.RE_ENGAGEMENT,
                        due,
                        version=f"{plan.version}#{offset}",
                        template="re_engagement",
                        condition=ActionCondition.CONSENT_GIVEN,
                        reasons=(
                            f"re-engagement {offset} {started}, only with a valid talent-pool "
                            "consent and if the person has not re-applied, unsubscribed or "
                            "been hired",
                        ),
                    )
                )
            renewal = scheduler.after(base, rule.consent_validity, window, zone, plan.calendar)
            found.append(
                build(  # type: ignore[operator]
                    MessageKind.CONSENT_RENEWAL,
                    renewal,
                    template="consent_request",
                    condition=ActionCondition.CONSENT_GIVEN,
                    reasons=(
                        f"a consent lasts {rule.consent_validity}: ask again {started} (at the "
                        "latest; the follow-up planner times it from the consent itself)",
                    ),
                )
            )
        if rule.retention is not None:
            purge = add_duration(
                base, rule.retention, load_zone(zone), plan.calendar.is_working_day
            )
            found.append(
                build(  # type: ignore[operator]
                    MessageKind.RETENTION_PURGE,
                    purge,
                    channel=Channel.NONE,
                    audience=Audience.NOBODY,
                    condition=ActionCondition.NO_CONSENT,
                    reasons=(
                        f"data kept {rule.retention} {started}, then deleted unless the "
                        "candidate consented to the talent pool",
                    ),
                )
            )
        return found
