"""Dispatching due actions: claim, re-check the ATS, compose, commit the intent, send, finish.

The order matters. The ATS is read again while the action is only *claimed*: a crash then
leaves nothing sent and the action is reclaimed when its lease ends. The intent
(``mark_sending``) is committed only after the re-check and the composition, right before
the channel is contacted, so the one window where a crash leaves the outcome unknown is the
send itself. Every update after the claim is fenced by the claim's token: a worker whose
lease was taken over changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from ats_reject._engine_core import EngineCore, logger
from ats_reject._engine_process import UNDECIDED_KINDS
from ats_reject.adapter import Adapter, Capability
from ats_reject.channels import DeliveryOutcome, DeliveryResult, Mailbox, OutboundMessage
from ats_reject.compose import (
    ComposedMessage,
    MessageTemplateError,
    Purpose,
    Sender,
    build_context,
)
from ats_reject.errors import ApiError, ConfigurationError, NotFoundError
from ats_reject.followups import Consent, PersonState, unmet_requirements
from ats_reject.models import Application, ApplicationStatus
from ats_reject.policy import Channel, MessageKind, PlannedAction, decision_version
from ats_reject.store import ClaimedAction, Completion, LeaseLost, Person, SuppressionReason

__all__ = ["DispatchOperations", "DispatchReport"]

_PURPOSE_BY_KIND: dict[MessageKind, Purpose] = {
    MessageKind.REJECTION: Purpose.REJECTION,
    MessageKind.CALL_FALLBACK: Purpose.CALL_FALLBACK,
    MessageKind.WITHDRAWAL_THANKS: Purpose.WITHDRAWAL_THANKS,
    MessageKind.RE_ENGAGEMENT: Purpose.RE_ENGAGEMENT,
    MessageKind.CONSENT_RENEWAL: Purpose.CONSENT_REQUEST,
    MessageKind.TALENT_POOL_INVITE: Purpose.CONSENT_REQUEST,
    MessageKind.HOLDING_UPDATE: Purpose.HOLDING_UPDATE,
}
"""Kinds this engine sends as a candidate e-mail, and the template purpose of each."""

_MAIL_CHANNELS = (Channel.EMAIL, Channel.CALL)
"""Channels whose candidate messages go out as our own e-mail (a call's fallback e-mail)."""

BACKOFF_BASE = timedelta(minutes=2)
"""The wait after a first transient failure; each further failure waits four times longer."""
BACKOFF_CAP = timedelta(hours=6)
"""The longest wait between two attempts."""
ATS_RETRY = timedelta(minutes=5)
"""How long an action waits when the ATS could not be read for its re-check."""


@dataclass(slots=True)
class DispatchReport:
    """What one :meth:`~ats_reject.Engine.dispatch_due` call did (counts only).

    Attributes:
        claimed: Actions claimed.
        sent: Accepted by the channel.
        cancelled: Refused by the re-check (not rejected any more, suppressed, requirements
            unmet).
        held: Routed to a person (lint errors, a template problem, a kind not sent here).
        failed: Failed and rescheduled.
        dead: Given up (a permanent error, or out of attempts).
        unknown: The channel could not say whether it was accepted.
        released: Handed back untried (the ATS or the transport was unavailable).
        lost: The claim was taken over or cancelled meanwhile; nothing was changed.
    """

    claimed: int = 0
    sent: int = 0
    cancelled: int = 0
    held: int = 0
    failed: int = 0
    dead: int = 0
    unknown: int = 0
    released: int = 0
    lost: int = 0


def backoff(attempts: int, retry_after: float | None = None) -> timedelta:
    """The wait before the next attempt after *attempts* failed ones (exponential, capped).

    A server's own ``Retry-After`` is honoured when it asks for longer.
    """
    wait = BACKOFF_BASE * int(4 ** min(max(0, attempts - 1), 8))
    wait = min(wait, BACKOFF_CAP)
    if retry_after is not None and retry_after > 0:
        wait = max(wait, timedelta(seconds=min(retry_after, BACKOFF_CAP.total_seconds())))
    return wait


class DispatchOperations(EngineCore):
    """``dispatch_due``."""

    def dispatch_due(self, *, limit: int | None = None) -> DispatchReport:
        """Send what is due now, each action at most once.

        Claims up to *limit* due actions under a lease, then for each: reads the application
        from the ATS again (not rejected any more, hired, superseded, deleted: cancelled),
        checks the follow-up requirements, the suppression list and the consent, composes
        and lints the message (lint errors: held for a person), commits the intent, sends,
        and finishes the action on its claim token. A transport failure (connect, TLS,
        login) stops the batch and hands the rest back untried.

        Args:
            limit: The most actions to claim (the engine's ``batch_size`` by default).

        Returns:
            Counts of what became of the claimed actions.
        """
        report = DispatchReport()
        claimed = self.store.claim_due(self.clock.now(), limit or self.batch_size, self.lease)
        report.claimed = len(claimed)
        if not claimed:
            return report
        # One connection for the batch; a Protocol channel need not be a context manager.
        self.channel.open()
        try:
            for index, action in enumerate(claimed):
                if not self._dispatch_one(action, report):
                    self._release_all(claimed[index + 1 :], "the mail transport failed", report)
                    break
        finally:
            self.channel.close()
        return report

    # --- one action -------------------------------------------------------------------------

    def _dispatch_one(self, claimed: ClaimedAction, report: DispatchReport) -> bool:
        """Handle one claimed action; ``False`` when the transport failed for the batch."""
        planned = claimed.planned
        adapter = self.adapters.get(planned.connection)
        if adapter is None:
            self._fail(claimed, "the connection is not configured", None, report)
            return True
        purpose = _purpose_for(planned)
        if purpose is None:
            why = f"{planned.message_kind.value} by {planned.channel.value} is not sent here yet"
            self._finish(claimed, Completion.HELD, why, report)
            return True
        try:
            application = adapter.get_application(planned.application_id)
        except NotFoundError:
            self._finish(claimed, Completion.CANCELLED, "the application was deleted", report)
            return True
        except ApiError as exc:
            wait = max(ATS_RETRY, backoff(1, exc.retry_after))
            self._release(
                claimed, wait, f"the ATS could not be read ({type(exc).__name__})", report
            )
            return True
        now = self.clock.now()
        refusal = self._refusal(planned, application, now)
        if refusal is not None:
            self._finish(claimed, Completion.CANCELLED, refusal, report)
            return True
        address = application.candidate.emails[0] if application.candidate.emails else None
        if address is None:
            self._fail(claimed, "the candidate has no e-mail address", None, report)
            return True
        suppressed = self.store.suppression_reason(address)
        if suppressed is not None:
            why = f"the address is suppressed ({suppressed.value})"
            self._finish(claimed, Completion.CANCELLED, why, report)
            return True
        composed = self._compose(purpose, application)
        if isinstance(composed, str):
            self._finish(claimed, Completion.HELD, composed, report)
            return True
        sending = self.store.mark_sending(
            claimed.id, claimed.token, lease_until=self.clock.now() + self.lease
        )
        if isinstance(sending, LeaseLost):
            report.lost += 1
            return True
        reply_to = composed.sender
        outbound = OutboundMessage(
            send_id=claimed.send_id,
            kind=planned.message_kind,
            to=Mailbox(address, _full_name(application)),
            content=composed.message,
            reply_to=Mailbox(reply_to.reply_to, reply_to.name) if reply_to.reply_to else None,
        )
        result = self.channel.send(outbound)
        self._record(claimed, adapter, result, report)
        return not (result.outcome is DeliveryOutcome.TRANSIENT and result.transport_failed)

    def _refusal(
        self, planned: PlannedAction, application: Application, now: datetime
    ) -> str | None:
        """Why the action must not go out given the ATS's state now, or ``None``."""
        hired = application.status is ApplicationStatus.HIRED
        if planned.message_kind not in UNDECIDED_KINDS:
            if hired:
                return "the person is hired"
            rejection = application.rejection
            if not application.is_rejected or rejection is None:
                return "the application is not rejected any more"
            if decision_version(rejection.decided_at) != planned.decision_version:
                return "superseded by a newer decision"
        person = Person(planned.connection, application.candidate_id)
        suppression = self.store.person_suppression(person)
        if suppression is not None:
            return f"the person is suppressed ({suppression.value})"
        record = self.store.latest_consent(person)
        consent = (
            Consent(
                given_at=record.granted_at,
                expires_at=record.expires_at,
                withdrawn_at=record.withdrawn_at,
            )
            if record is not None
            else None
        )
        state = PersonState(
            consent=consent,
            unsubscribed=suppression is SuppressionReason.UNSUBSCRIBE,
            hired=hired,
            undecided=application.status is ApplicationStatus.ACTIVE
            and application.rejection is None,
        )
        unmet = unmet_requirements(planned, state, now=now)
        if unmet:
            return "; ".join(why for _, why in unmet)
        return None

    def _compose(self, purpose: Purpose, application: Application) -> _Composed | str:
        """The message, or why a person must look at it first."""
        sign_off = self.config.company.sign_off
        default_sender = (
            Sender(name=sign_off.name, title=sign_off.title, reply_to=sign_off.reply_to)
            if sign_off is not None
            else None
        )
        try:
            context = build_context(
                application, company=self.config.company.name, default_sender=default_sender
            )
            message = self.composer.compose(purpose, context)
        except (ConfigurationError, MessageTemplateError, ValidationError) as exc:
            return f"the message could not be composed ({type(exc).__name__})"
        if message.lint.route_to_human:
            codes = ", ".join(sorted(message.lint.codes)) or "lint"
            return f"the lint routed it to a person ({codes})"
        return _Composed(message, context.sender)

    # --- finishing --------------------------------------------------------------------------

    def _record(
        self,
        claimed: ClaimedAction,
        adapter: Adapter[Any],
        result: DeliveryResult,
        report: DispatchReport,
    ) -> None:
        now = self.clock.now()
        for address in result.suppressed_addresses:
            self.store.suppress_address(address, SuppressionReason.HARD_BOUNCE, now=now)
        detail = _result_detail(result)
        if result.delivered:
            if self._finish(claimed, Completion.SENT, detail, report):
                self._note(claimed, adapter)
        elif result.outcome is DeliveryOutcome.UNKNOWN:
            self._finish(claimed, Completion.UNKNOWN, detail, report)
            logger.warning("action %d: the channel cannot say whether it was sent", claimed.id)
        elif result.outcome is DeliveryOutcome.TRANSIENT:
            self._fail(claimed, detail, backoff(claimed.attempts, result.retry_after), report)
        else:
            self._fail(claimed, detail, None, report)

    def _note(self, claimed: ClaimedAction, adapter: Adapter[Any]) -> None:
        """Record the sent message on the candidate's profile, where the ATS allows notes."""
        planned = claimed.planned
        if not adapter.supports(Capability.NOTES):
            return
        text = (
            f"ats-reject sent the {planned.message_kind.value.replace('_', ' ')} e-mail "
            f"(Message-ID {claimed.message_id})."
        )
        event, detail = "ats_note", None
        try:
            adapter.add_note(planned.application_id, text)
        except ApiError as exc:
            event, detail = "ats_note_failed", type(exc).__name__
            logger.warning("action %d: the ATS note was not written", claimed.id)
        self.store.audit(
            event,
            connection=planned.connection,
            application_id=planned.application_id,
            candidate_id=claimed.candidate_id,
            action_id=claimed.id,
            detail=detail,
        )

    def _finish(
        self, claimed: ClaimedAction, outcome: Completion, detail: str, report: DispatchReport
    ) -> bool:
        done = self.store.complete(
            claimed.id, claimed.token, outcome, detail=detail, now=self.clock.now()
        )
        if isinstance(done, LeaseLost):
            report.lost += 1
            return False
        counter = {
            Completion.SENT: "sent",
            Completion.CANCELLED: "cancelled",
            Completion.HELD: "held",
            Completion.UNKNOWN: "unknown",
        }[outcome]
        setattr(report, counter, getattr(report, counter) + 1)
        return True

    def _fail(
        self,
        claimed: ClaimedAction,
        error: str,
        wait: timedelta | None,
        report: DispatchReport,
    ) -> None:
        now = self.clock.now()
        retry_at = now + wait if wait is not None else None
        failed = self.store.fail(claimed.id, claimed.token, error, retry_at=retry_at, now=now)
        if isinstance(failed, LeaseLost):
            report.lost += 1
        elif failed.next_attempt_at is None:
            report.dead += 1
        else:
            report.failed += 1

    def _release(
        self, claimed: ClaimedAction, wait: timedelta, reason: str, report: DispatchReport
    ) -> None:
        now = self.clock.now()
        released = self.store.release(claimed.id, claimed.token, now + wait, reason=reason, now=now)
        if isinstance(released, LeaseLost):
            report.lost += 1
        else:
            report.released += 1

    def _release_all(
        self, claimed: Sequence[ClaimedAction], reason: str, report: DispatchReport
    ) -> None:
        for action in claimed:
            self._release(action, backoff(1), reason, report)


@dataclass(frozen=True, slots=True)
class _Composed:
    message: ComposedMessage
    sender: Sender


def _purpose_for(planned: PlannedAction) -> Purpose | None:
    """The template purpose of an action this engine sends as an e-mail, else ``None``."""
    if planned.channel not in _MAIL_CHANNELS:
        return None
    purpose = _PURPOSE_BY_KIND.get(planned.message_kind)
    if purpose is Purpose.REJECTION and planned.channel is Channel.CALL:
        return None
    return purpose


def _full_name(application: Application) -> str | None:
    candidate = application.candidate
    parts = [part for part in (candidate.first_name, candidate.last_name) if part]
    return " ".join(parts) or None


def _result_detail(result: DeliveryResult) -> str:
    """Stable codes only: the server's own words may quote the address."""
    parts = [result.outcome.value, result.reason.value]
    if result.smtp_code is not None:
        parts.append(str(result.smtp_code))
    if result.enhanced_code is not None:
        parts.append(result.enhanced_code)
    return " ".join(parts)
