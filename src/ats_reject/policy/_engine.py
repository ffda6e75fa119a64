"""The policy engine: a rejection case in, one explained decision out.

Pure: no I/O. The clock is read once per call, only to move a time that has already passed
(a rejection processed late) to the next allowed time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from ats_reject._durations import parse_duration
from ats_reject._wallclock import local_label
from ats_reject.adapter import Capability
from ats_reject.clock import Clock, SystemClock, ensure_aware
from ats_reject.compose.context import FeedbackScope
from ats_reject.models import Application, ApplicationStatus, RejectionReasonKind, StageKind
from ats_reject.policy._actions import Plan, build_decision, job_names
from ats_reject.policy._match import CompiledRule, Facts, compile_rules, facts_of, match
from ats_reject.policy._models import (
    ActionCondition,
    Audience,
    CancelScope,
    Decision,
    MessageKind,
    Outcome,
    PlannedAction,
    RejectionCase,
    TraceNote,
    decision_version,
)
from ats_reject.policy._rules import WITHDRAWAL_TEMPLATE, Channel, Rule, RuleAction
from ats_reject.policy._schedule import Scheduler
from ats_reject.policy._settings import PolicySettings
from ats_reject.timing import SendSchedule, SendWindow, spread_batch

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
    description="a candidate who withdrew gets nothing",
    then=RuleAction(channel=Channel.NONE),
)
_BUILTIN_OTHERWISE = Rule(
    name="built-in:otherwise",
    description="an e-mail without feedback",
)


def _is_rejection(application: Application) -> bool:
    return application.status is ApplicationStatus.REJECTED and application.rejection is not None


def _decided(application: Application) -> datetime:
    rejection = application.rejection
    if rejection is None:  # pragma: no cover - callers pass rejected applications only
        raise ValueError("the application carries no rejection")
    return rejection.decided_at


def _withdrew(application: Application) -> bool:
    reason = application.rejection.reason if application.rejection else None
    return reason is not None and reason.kind is RejectionReasonKind.THEY_WITHDREW


def _rank(application: Application) -> tuple[int, datetime, str]:
    """The application a consolidated message is filed under: the one that got furthest."""
    stage = application.current_stage
    return (_STAGE_RANK[stage.kind] if stage else 0, _decided(application), application.id)


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
        compiled = compile_rules((*rules, _BUILTIN_WITHDRAWN, _BUILTIN_OTHERWISE), policy.timing)
        self.rules: tuple[CompiledRule, ...] = compiled[: len(rules)]
        """The rules in the order they are tried."""
        self._withdrawn_fallback, self._otherwise_fallback = compiled[len(rules) :]
        self._scheduler = Scheduler(company)
        self._consolidate_within = parse_duration(policy.applications.consolidate_within)
        remind = policy.promises.remind_recruiter_before
        self._remind_before = parse_duration(remind) if remind else None
        self._default_window = SendWindow.parse(policy.timing.send_window)

    @classmethod
    def from_config(
        cls,
        config: Config,
        *,
        registry: AdapterRegistry | None = None,
        clock: Clock | None = None,
    ) -> PolicyEngine:
        """Build the engine from a loaded configuration, asking each adapter its capabilities.

        Raises:
            AdapterNotFoundError: A connection's adapter is not installed any more.
        """
        from ats_reject.adapter import default_registry  # noqa: PLC0415 - only when needed

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
        if isinstance(result, Decision):
            return result
        return build_decision(result, result.schedule, self._scheduler)

    def decide_batch(
        self,
        cases: Sequence[RejectionCase],
        *,
        already_planned: Mapping[str, Iterable[datetime]] | None = None,
    ) -> list[Decision]:
        """Decide many cases at once, spreading each sender's messages over the send window.

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
        keys: list[tuple[str, str] | None] = []
        for index, result in enumerate(results):
            if not isinstance(result, Plan) or result.sender is None:
                keys.append(None)
                continue
            # The key fixes the message's place in the window: stable for an application,
            # and distinct should a batch hold the same application twice.
            key = f"{result.case.connection}:{result.case.application.id}"
            schedules = by_sender.setdefault(result.sender, {})
            if key in schedules:
                key = f"{key}#{index}"
            schedules[key] = result.schedule
            keys.append((result.sender, key))
        spread: dict[tuple[str, str], SendSchedule] = {}
        for sender, schedules in by_sender.items():
            earlier = already_planned.get(sender, ()) if already_planned else ()
            spread_out = spread_batch(
                schedules, hourly_cap=self.policy.sender_hourly_cap, already_planned=earlier
            )
            spread.update(((sender, key), schedule) for key, schedule in spread_out.items())
        return [
            result
            if isinstance(result, Decision)
            else build_decision(
                result, spread[key] if key is not None else result.schedule, self._scheduler
            )
            for result, key in zip(results, keys, strict=True)
        ]

    @staticmethod
    def sender_key(case: RejectionCase, channel: Channel) -> str | None:
        """Whose hourly cap a first message by *channel* counts against; ``None`` for none.

        Our own e-mails all leave through one mailbox (``"email"``); the ATS sends as the
        recruiter, so its e-mails count per connection and recruiter. Calls are not capped.
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
        """Plan around a decision promised to the candidate by *promised_by* (aware).

        The recruiter is reminded ``policy.promises.remind_recruiter_before`` ahead, and the
        candidate gets a holding update at the first allowed time from the promised moment
        (in their zone and the default send window). Both are conditional on the application
        still being undecided when they fall due.

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
        settings = self.policy.promises
        common = {
            "connection": connection,
            "application_id": application.id,
            "decision_version": version,
            "channel": Channel.EMAIL,
            "condition": ActionCondition.STILL_UNDECIDED,
            "zone": zone.zone,
        }
        promise = f"a decision was promised by {local_label(promised, zone.zone)} {zone.zone}"
        actions: list[PlannedAction] = []
        if self._remind_before is not None:
            ahead = timedelta(**{self._remind_before.unit: self._remind_before.amount})
            actions.append(
                PlannedAction(
                    **common,  # type: ignore[arg-type]
                    message_kind=MessageKind.RECRUITER_REMINDER,
                    due_at=max(promised - ahead, now),
                    deadline=promised,
                    audience=Audience.RECRUITER,
                    reasons=(f"{promise}; the recruiter is reminded {self._remind_before} before",),
                )
            )
        if settings.holding_update:
            update_at = self._scheduler.next_allowed(
                max(promised, now), self._default_window, zone.zone, calendar
            )
            actions.append(
                PlannedAction(
                    **common,  # type: ignore[arg-type]
                    message_kind=MessageKind.HOLDING_UPDATE,
                    due_at=update_at,
                    template=settings.holding_update_template,
                    reasons=(
                        f"{promise}; if it passes undecided, the candidate gets a holding update "
                        f"at the next allowed time ({self._default_window.describe()})",
                    ),
                )
            )
        return tuple(actions)

    # --- evaluation --------------------------------------------------------------------------

    def _evaluate(self, case: RejectionCase, now: datetime) -> Decision | Plan:
        application = case.application
        ids = {
            "connection": case.connection,
            "application_id": application.id,
            "candidate_id": application.candidate_id,
        }
        if not _is_rejection(application):
            return Decision(
                **ids,  # type: ignore[arg-type]
                outcome=Outcome.CANCELLED,
                cancel_reasons=(
                    f"the application is {application.status.value} in the ATS, not rejected: "
                    "nothing is sent, and anything planned for it is cancelled",
                ),
                cancel_scope=CancelScope.APPLICATION,
            )
        version = decision_version(_decided(application))
        settings = self.policy.applications
        if settings.cancel_on_offer_or_hire:
            blockers = _offers_and_hires(case.other_applications)
            if blockers:
                return Decision(
                    **ids,  # type: ignore[arg-type]
                    outcome=Outcome.CANCELLED,
                    decision_version=version,
                    cancel_reasons=blockers,
                    cancel_scope=CancelScope.PERSON,
                )
        facts = facts_of(case.connection, application)
        group = self._group(case, facts)
        primary = max(group, key=_rank)
        primary_facts = facts if primary is application else facts_of(case.connection, primary)
        fallback = self._withdrawn_fallback if primary_facts.withdrawn else self._otherwise_fallback
        rule, trail = match(self.rules, primary_facts, fallback)
        trace: list[str | TraceNote] = [trail]
        fallbacks: list[str] = []
        channel = self._channel(case.connection, rule, fallbacks)
        feedback = self._feedback(rule, primary_facts, trace)
        outcome = {
            **ids,
            "decision_version": version,
            "rule": rule.name,
            "channel": channel,
            "fallbacks": tuple(fallbacks),
        }
        if channel is Channel.NONE:
            trace.append("channel none: nothing is sent")
            return Decision(**outcome, outcome=Outcome.PLANNED, notes=tuple(trace))  # type: ignore[arg-type]
        if settings.hold_while_active:
            active = tuple(
                sorted(
                    other.id
                    for other in case.other_applications
                    if other.status is ApplicationStatus.ACTIVE and not other.is_prospect
                )
            )
            if active:
                return Decision(
                    **outcome,  # type: ignore[arg-type]
                    outcome=Outcome.HELD,
                    feedback=feedback,
                    hold_reasons=(
                        f"the same person has other active applications ({', '.join(active)}); "
                        "the message waits until they are decided, so the person hears once "
                        "(policy.applications.hold_while_active)",
                    ),
                    waiting_for=active,
                    notes=tuple(trace),
                )
        covers = tuple(member.id for member in group)
        if primary is not application:
            trace.append(
                f"told in one message about applications {', '.join(covers)}, filed under "
                f"application {primary.id}, which got furthest (policy.applications.consolidate)"
            )
            return Decision(
                **outcome,  # type: ignore[arg-type]
                outcome=Outcome.PLANNED,
                consolidated_into=primary.id,
                covers=covers,
                roles=job_names(group),
                notes=tuple(trace),
            )
        decided_at = max(_decided(member) for member in group)
        if len(group) > 1:
            version = decision_version(decided_at)
            trace.append(
                f"one message names the roles of applications {', '.join(covers)} "
                "(policy.applications.consolidate), timed from the latest of their decisions"
            )
        applied = [member.applied_at for member in group if member.applied_at is not None]
        zone = self._scheduler.zone_for(application)
        calendar = self._scheduler.calendar_for(zone)
        schedule = self._scheduler.plan(
            decided_at,
            applied_at=max(applied) if applied else None,
            timing=rule.timing,
            zone=zone,
            calendar=calendar,
            now=now,
        )
        then = rule.rule.then
        if rule.is_withdrawal_rule:
            kind, template = MessageKind.WITHDRAWAL_THANKS, then.template or WITHDRAWAL_TEMPLATE
        elif channel is Channel.CALL:
            kind, template = MessageKind.CALL_TASK, then.call.talking_points_template
        else:
            kind, template = MessageKind.REJECTION, then.template or "rejection"
        trace.append(
            f"channel {channel.value}, template {template!r}, feedback {feedback.value}, "
            f"talent-pool invitation {'on' if then.talent_pool else 'off'}"
        )
        return Plan(
            case=case,
            group=group,
            version=version,
            rule=rule,
            channel=channel,
            kind=kind,
            template=template,
            feedback=feedback,
            talent_pool=then.talent_pool,
            zone=zone,
            calendar=calendar,
            schedule=schedule,
            notes=tuple(trace),
            fallbacks=tuple(fallbacks),
            sender=self.sender_key(case, channel),
        )

    def _group(self, case: RejectionCase, facts: Facts) -> tuple[Application, ...]:
        """The rejected applications told in one message with this one (itself included)."""
        application = case.application
        if not self.policy.applications.consolidate or facts.withdrawn:
            return (application,)
        members = [application]
        members.extend(
            other
            for other in case.other_applications
            if _is_rejection(other)
            and not _withdrew(other)
            and other.id not in case.already_notified
        )
        if len(members) == 1:
            return (application,)
        latest = max(_decided(member) for member in members)
        close = [
            member
            for member in members
            if self._scheduler.within(_decided(member), latest, self._consolidate_within)
        ]
        if application not in close:
            return (application,)
        return tuple(sorted(close, key=lambda member: (_decided(member), member.id)))

    def _channel(self, connection: str, rule: CompiledRule, fallbacks: list[str]) -> Channel:
        channel: Channel = rule.rule.then.channel
        if channel is not Channel.ATS:
            return channel
        capabilities = self._capabilities.get(connection)
        if capabilities is not None and Capability.NATIVE_EMAIL in capabilities:
            return channel
        why = (
            "its adapter cannot send the ATS's own e-mail (no native_email capability)"
            if capabilities is not None
            else "the connection is unknown to the policy, so the ATS cannot be asked to send"
        )
        fallbacks.append(
            f"rule {rule.name!r} asks for channel 'ats', but on connection {connection!r} "
            f"{why}; sending our own e-mail instead"
        )
        return Channel.EMAIL

    def _feedback(
        self, rule: CompiledRule, facts: Facts, trace: list[str | TraceNote]
    ) -> FeedbackScope:
        feedback: FeedbackScope = rule.rule.then.feedback
        if (
            feedback is FeedbackScope.NONE
            or not self.policy.feedback_requires_interviews
            or facts.had_interviews
        ):
            return feedback
        how = (
            "judging by the stage (the ATS does not say)"
            if facts.interviews_inferred
            else "according to the ATS"
        )
        trace.append(
            f"feedback {feedback.value} lowered to none: no interview took place {how} "
            "(policy.feedback_requires_interviews)"
        )
        return FeedbackScope.NONE


def _offers_and_hires(others: Iterable[Application]) -> tuple[str, ...]:
    reasons: list[str] = []
    for other in sorted(others, key=lambda item: item.id):
        if other.status is ApplicationStatus.HIRED:
            where = "is hired"
        elif (
            other.status is ApplicationStatus.ACTIVE
            and other.current_stage is not None
            and other.current_stage.kind is StageKind.OFFER
        ):
            where = "is at the offer stage"
        else:
            continue
        reasons.append(
            f"application {other.id} of the same person {where}: nothing is sent to the person "
            "(policy.applications.cancel_on_offer_or_hire)"
        )
    return tuple(reasons)
