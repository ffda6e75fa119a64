"""The policy engine: a rejection case in, one explained decision out.

Pure: no I/O. The clock is read once per call, only to move a time that has already passed
(a rejection processed late) to the next allowed time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ats_reject._durations import parse_duration
from ats_reject.adapter import Capability
from ats_reject.clock import Clock, SystemClock, ensure_aware
from ats_reject.compose.context import FeedbackScope
from ats_reject.models import Application, ApplicationStatus
from ats_reject.policy._actions import Plan, StepCache, build_decision, job_names
from ats_reject.policy._applications import (
    active_others,
    consolidation_group,
    decided_at,
    is_rejection,
    offers_and_hires,
    primary_of,
)
from ats_reject.policy._match import CompiledRule, Facts, compile_rules, facts_of, match
from ats_reject.policy._models import (
    CancelScope,
    Decision,
    MessageKind,
    Outcome,
    PlannedAction,
    RejectionCase,
    TraceNote,
    decision_version,
)
from ats_reject.policy._promises import promise_actions
from ats_reject.policy._rules import WITHDRAWAL_TEMPLATE, Channel, Rule, RuleAction
from ats_reject.policy._schedule import Scheduler
from ats_reject.policy._settings import PolicySettings
from ats_reject.timing import SendSchedule, SendWindow, spread_batch

if TYPE_CHECKING:
    from ats_reject._config_company import CompanySettings
    from ats_reject.adapter import AdapterRegistry
    from ats_reject.config import Config

__all__ = ["PolicyEngine"]

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
        self._steps = StepCache()
        self._consolidate_within = parse_duration(policy.applications.consolidate_within)
        promises = policy.promises
        self._remind_before = (
            parse_duration(promises.remind_recruiter_before) if promises.remind_recruiter else None
        )
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
        return build_decision(result, result.schedule, self._scheduler, self._steps)

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
                result,
                spread[key] if key is not None else result.schedule,
                self._scheduler,
                self._steps,
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
        return promise_actions(
            connection,
            application,
            ensure_aware(promised_by),
            now=ensure_aware(self._clock.now()),
            settings=self.policy.promises,
            remind_before=self._remind_before,
            window=self._default_window,
            scheduler=self._scheduler,
        )

    # --- evaluation --------------------------------------------------------------------------

    def _evaluate(self, case: RejectionCase, now: datetime) -> Decision | Plan:
        """Decide everything but the actions: a final decision, or a plan with its schedule."""
        application = case.application
        if not is_rejection(application):
            return _decision(
                case,
                Outcome.CANCELLED,
                cancel_reasons=(
                    f"the application is {application.status.value} in the ATS, not rejected: "
                    "nothing is sent, and anything planned for it is cancelled",
                ),
                cancel_scope=CancelScope.APPLICATION,
            )
        version = decision_version(decided_at(application))
        settings = self.policy.applications
        if settings.cancel_on_offer_or_hire:
            blockers = offers_and_hires(case.other_applications)
            if blockers:
                return _decision(
                    case,
                    Outcome.CANCELLED,
                    decision_version=version,
                    cancel_reasons=blockers,
                    cancel_scope=CancelScope.PERSON,
                )
        group = (
            consolidation_group(case, self._scheduler, self._consolidate_within)
            if settings.consolidate
            else (application,)
        )
        primary = primary_of(group)
        primary_facts = facts_of(case.connection, primary)
        fallback = self._withdrawn_fallback if primary_facts.withdrawn else self._otherwise_fallback
        rule, trail = match(self.rules, primary_facts, fallback)
        notes: list[str | TraceNote] = [trail]
        fallbacks: list[str] = []
        channel = self._channel(case.connection, rule, fallbacks)
        feedback = self._feedback(rule, primary_facts, notes)
        chosen = {
            "decision_version": version,
            "rule": rule.name,
            "channel": channel,
            "fallbacks": tuple(fallbacks),
        }
        if channel is Channel.NONE:
            notes.append("channel none: nothing is sent")
            return _decision(case, Outcome.PLANNED, notes=tuple(notes), **chosen)
        if settings.hold_while_active:
            active = active_others(case)
            if active:
                return _decision(
                    case,
                    Outcome.HELD,
                    feedback=feedback,
                    hold_reasons=(
                        f"the same person has other active applications ({', '.join(active)}); "
                        "the message waits until they are decided, so the person hears once "
                        "(policy.applications.hold_while_active)",
                    ),
                    waiting_for=active,
                    notes=tuple(notes),
                    **chosen,
                )
        covers = tuple(member.id for member in group)
        if primary is not application:
            notes.append(
                f"told in one message about applications {', '.join(covers)}, filed under "
                f"application {primary.id}, which got furthest (policy.applications.consolidate)"
            )
            return _decision(
                case,
                Outcome.PLANNED,
                consolidated_into=primary.id,
                covers=covers,
                roles=job_names(group),
                notes=tuple(notes),
                **chosen,
            )
        latest = max(decided_at(member) for member in group)
        if len(group) > 1:
            version = decision_version(latest)
            notes.append(
                f"one message names the roles of applications {', '.join(covers)} "
                "(policy.applications.consolidate), timed from the latest of their decisions"
            )
        applied = [member.applied_at for member in group if member.applied_at is not None]
        zone = self._scheduler.zone_for(application)
        calendar = self._scheduler.calendar_for(zone)
        schedule = self._scheduler.plan(
            latest,
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
        notes.append(_ChoiceNote(channel, template, feedback, then.talent_pool))
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
            notes=tuple(notes),
            fallbacks=tuple(fallbacks),
            sender=self.sender_key(case, channel),
        )

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
        self, rule: CompiledRule, facts: Facts, notes: list[str | TraceNote]
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
        notes.append(
            f"feedback {feedback.value} lowered to none: no interview took place {how} "
            "(policy.feedback_requires_interviews)"
        )
        return FeedbackScope.NONE


class _ChoiceNote:
    """What the chosen rule makes of the message; a sentence only when explained."""

    __slots__ = ("channel", "feedback", "talent_pool", "template")

    def __init__(
        self, channel: Channel, template: str, feedback: FeedbackScope, talent_pool: bool
    ) -> None:
        self.channel = channel
        self.template = template
        self.feedback = feedback
        self.talent_pool = talent_pool

    def lines(self) -> tuple[str, ...]:
        """The one sentence."""
        return (
            f"channel {self.channel.value}, template {self.template!r}, "
            f"feedback {self.feedback.value}, "
            f"talent-pool invitation {'on' if self.talent_pool else 'off'}",
        )


def _decision(case: RejectionCase, outcome: Outcome, **fields: Any) -> Decision:
    """A decision about *case* that plans no action of its own."""
    application = case.application
    return Decision(
        connection=case.connection,
        application_id=application.id,
        candidate_id=application.candidate_id,
        outcome=outcome,
        **fields,
    )
