"""Processing stored events: read the ATS's current state, decide, plan, in one transaction.

An event is a hint that something changed, not the change itself: webhooks arrive late, out
of order and twice. So each event's application is read again from the ATS, and the actions
(or cancellations) follow from what it holds now. The event is marked processed in the same
transaction that writes them, so a crash in between leaves the event pending, and a second
pass plans nothing twice (the outbox's natural key).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ats_reject._engine_core import EngineCore, logger
from ats_reject.errors import ApiError, NotFoundError, RetryableApiError
from ats_reject.models import Application, ApplicationStatus, EventKind
from ats_reject.policy import CancelScope, MessageKind, Outcome, PlannedAction, RejectionCase
from ats_reject.store import Cancellation, EventCompletion, StoredEvent

__all__ = ["ProcessOperations", "ProcessReport"]

UNDECIDED_KINDS = (MessageKind.HOLDING_UPDATE, MessageKind.RECRUITER_REMINDER)
"""Kinds about an application still open; a move on does not cancel them."""

DECISION_KINDS = tuple(kind for kind in MessageKind if kind not in UNDECIDED_KINDS)
"""Kinds that follow a rejection; cancelled when the rejection no longer stands."""

_PERSON_EVENTS = (EventKind.DELETED, EventKind.ANONYMIZED, EventKind.MERGED)


@dataclass(slots=True)
class ProcessReport:
    """What one :meth:`~ats_reject.Engine.process_pending` call did (counts only).

    Attributes:
        processed: Events marked processed by this call.
        planned: Actions written.
        duplicates: Actions already planned (by a redelivery or a sync).
        cancelled: Actions cancelled.
        deferred: Events left pending because the ATS could not be read; retried once
            their lease ends.
        already_processed: Events another process finished first.
        outcomes: Decision outcome -> count.
    """

    processed: int = 0
    planned: int = 0
    duplicates: int = 0
    cancelled: int = 0
    deferred: int = 0
    already_processed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def _add(self, completion: EventCompletion) -> None:
        if completion.state != "processed":
            self.already_processed += 1
            return
        self.processed += 1
        self.planned += len(completion.planned)
        self.duplicates += completion.duplicates
        self.cancelled += completion.cancelled


@dataclass(frozen=True, slots=True)
class _Plan:
    actions: tuple[PlannedAction, ...] = ()
    cancel: tuple[Cancellation, ...] = ()
    candidate_id: str | None = None
    outcome: str = "none"


class ProcessOperations(EngineCore):
    """``process_pending``."""

    def process_pending(self, *, limit: int | None = None) -> ProcessReport:
        """Turn stored events into planned actions and cancellations.

        Each event is leased to this call, so several processes share the work. For each,
        the application is read from the ATS; a rejection is decided by the policy and its
        follow-ups added; an un-reject, a move on or a hire cancels what was planned; a
        deleted application cancels its actions. An ATS that cannot be read leaves the event
        pending, to be tried again when its lease ends.

        Args:
            limit: The most events to take (the engine's ``batch_size`` by default).

        Returns:
            Counts of what was done.
        """
        report = ProcessReport()
        now = self.clock.now()
        events = self.store.pending_events(limit or self.batch_size, lease=self.lease, now=now)
        for stored in events:
            plan = self._plan_event(stored)
            if plan is None:
                report.deferred += 1
                continue
            completion = self.store.complete_event(
                stored.id,
                plan.actions,
                candidate_id=plan.candidate_id,
                cancel=plan.cancel,
                now=self.clock.now(),
            )
            report._add(completion)
            if completion.state == "processed":
                report.outcomes[plan.outcome] = report.outcomes.get(plan.outcome, 0) + 1
        return report

    def _plan_event(self, stored: StoredEvent) -> _Plan | None:
        """What *stored* causes, or ``None`` to leave it pending."""
        event = stored.event
        connection = stored.connection
        adapter = self.adapters.get(connection)
        if adapter is None:
            logger.warning("event %d: connection %s is not configured", stored.id, connection)
            return None
        if event.application_id is None:
            if event.kind in _PERSON_EVENTS and event.candidate_id is not None:
                why = f"candidate {event.kind.value}"
                cancel = Cancellation(connection, why, candidate_id=event.candidate_id)
                return _Plan(cancel=(cancel,), candidate_id=event.candidate_id, outcome="person")
            return _Plan()
        try:
            application = adapter.get_application(event.application_id)
        except NotFoundError:
            cancel = Cancellation(
                connection, "application deleted", application_id=event.application_id
            )
            return _Plan(cancel=(cancel,), candidate_id=event.candidate_id, outcome="deleted")
        except RetryableApiError as exc:
            logger.warning(
                "event %d deferred: the ATS failed (%s, HTTP %s)",
                stored.id,
                type(exc).__name__,
                exc.status,
            )
            return None
        except ApiError as exc:
            logger.error(
                "event %d deferred: the ATS refused the read (%s)", stored.id, type(exc).__name__
            )
            return None
        return self._plan_application(connection, application)

    def _plan_application(self, connection: str, application: Application) -> _Plan:
        person = application.candidate_id
        if application.status is ApplicationStatus.HIRED:
            # A hire ends every message to the person, in every application.
            cancel = Cancellation(connection, "the person is hired", candidate_id=person)
            return _Plan(cancel=(cancel,), candidate_id=person, outcome="hired")
        if application.status is ApplicationStatus.ACTIVE or application.rejection is None:
            cancel = Cancellation(
                connection,
                "the application is not rejected any more",
                application_id=application.id,
                kinds=DECISION_KINDS,
            )
            return _Plan(cancel=(cancel,), candidate_id=person, outcome="active")
        decision = self.policy.decide(RejectionCase(connection, application))
        if decision.outcome is Outcome.CANCELLED:
            reason = "; ".join(decision.cancel_reasons) or "cancelled by the policy"
            if decision.cancel_scope is CancelScope.PERSON:
                cancel = Cancellation(connection, reason, candidate_id=person)
            else:
                cancel = Cancellation(connection, reason, application_id=application.id)
            return _Plan(cancel=(cancel,), candidate_id=person, outcome=decision.outcome.value)
        if decision.outcome is Outcome.HELD or decision.decision_version is None:
            return _Plan(candidate_id=person, outcome=decision.outcome.value)
        # A newer decision replaces an older one still waiting (an un-reject the engine
        # never heard of, then a new rejection).
        superseded = Cancellation(
            connection,
            "superseded by a newer decision",
            application_id=application.id,
            keep_versions=(decision.decision_version,),
            kinds=DECISION_KINDS,
        )
        actions = self.followups.after_decision(decision, application)
        return _Plan(
            actions=actions,
            cancel=(superseded,),
            candidate_id=person,
            outcome=decision.outcome.value,
        )
