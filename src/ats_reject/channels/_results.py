"""What a channel reports back: one :class:`DeliveryResult` per message, never an exception.

A classified outcome (an SMTP reply, a refused recipient, a dropped connection, an ATS that
cannot send) is data the engine stores and acts on; only a broken configuration or a bug
raises. Results carry ids, codes and stable reason names; the server's own words are kept
redacted for operators, and addresses are kept out of every ``repr``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "DeliveryOutcome",
    "DeliveryReason",
    "DeliveryResult",
    "RecipientResult",
    "RecipientRole",
]


class DeliveryOutcome(StrEnum):
    """What became of a message, and so what the engine does next."""

    SENT = "sent"
    """Accepted for every recipient: mark the action sent."""
    PARTIAL = "partial"
    """Accepted for some recipients and refused for others: the message went out, so never
    resend it whole; ``recipients`` says who was refused and why."""
    TRANSIENT = "transient"
    """Not sent, and trying again later may work: reschedule with backoff."""
    PERMANENT = "permanent"
    """Not sent, and trying again unchanged will not work: move to dead with the reason
    (and suppress the addresses in :attr:`DeliveryResult.suppressed_addresses`)."""
    UNKNOWN = "unknown"
    """The message was handed over completely but no answer came back (RFC 1047): it may or
    may not have been delivered. Record it; never resend it blindly."""
    UNSUPPORTED = "unsupported"
    """This channel cannot carry this message (an ATS without native e-mail): choose another
    channel."""


class DeliveryReason(StrEnum):
    """Why a result is what it is; stable names, safe to log and count."""

    ACCEPTED = "accepted"
    ALREADY_DELIVERED = "already_delivered"
    """The Maildir already holds this Message-ID; nothing was written twice."""
    RECIPIENT_REFUSED = "recipient_refused"
    SENDER_REFUSED = "sender_refused"
    DATA_REFUSED = "data_refused"
    """The server refused the message itself (at DATA or after its end)."""
    CONNECTION_LOST = "connection_lost"
    """The connection dropped before the message's end was sent: nothing was delivered."""
    NO_REPLY_AFTER_DATA = "no_reply_after_data"
    """The connection dropped or timed out after the message's end: outcome unknown."""
    CONNECT_FAILED = "connect_failed"
    TLS_FAILED = "tls_failed"
    AUTH_FAILED = "auth_failed"
    PROTOCOL_ERROR = "protocol_error"
    INVALID_MESSAGE = "invalid_message"
    """The message cannot be built (bad address, bad id, a lint error still on it)."""
    WRITE_FAILED = "write_failed"
    """The Maildir could not be written (disk full, permissions)."""
    NOT_SUPPORTED = "not_supported"
    ATS_REFUSED = "ats_refused"
    ATS_UNAVAILABLE = "ats_unavailable"
    ATS_UNCONFIRMED = "ats_unconfirmed"
    """The ATS took the request but its answer could not be read."""


_TRANSPORT_REASONS = frozenset(
    {DeliveryReason.CONNECT_FAILED, DeliveryReason.TLS_FAILED, DeliveryReason.AUTH_FAILED}
)


class RecipientRole(StrEnum):
    """Where a recipient stands in the message."""

    TO = "to"
    CC = "cc"
    BCC = "bcc"


@dataclass(frozen=True, slots=True)
class RecipientResult:
    """What the server said about one recipient.

    Attributes:
        address: The address as it was sent to (hidden from ``repr``).
        role: ``to``, ``cc`` or ``bcc``.
        outcome: ``sent``, ``transient``, ``permanent`` or ``unknown``.
        smtp_code: The basic reply code, when a reply came.
        enhanced_code: The enhanced status code (RFC 3463) when the server gave one.
        suppress: Whether the address should go on the suppression list (a permanent
            failure saying the mailbox does not exist or cannot receive mail).
    """

    address: str = field(repr=False)
    role: RecipientRole
    outcome: DeliveryOutcome
    smtp_code: int | None = None
    enhanced_code: str | None = None
    suppress: bool = False


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """The outcome of one message on one channel.

    Attributes:
        outcome: What became of it (see :class:`DeliveryOutcome`).
        reason: Why, as a stable name.
        message_id: The ``Message-ID`` the message was sent with, if it was built.
        smtp_code: The reply code that decided the outcome, if there was one.
        enhanced_code: Its enhanced status code (``5.1.1``), if the server gave one.
        recipients: One entry per recipient, when the SMTP dialogue got that far.
        retry_after: Seconds to wait before trying again, when the other side said so.
        detail: The server's words, redacted and shortened, for operators (hidden from
            ``repr``).
    """

    outcome: DeliveryOutcome
    reason: DeliveryReason
    message_id: str | None = None
    smtp_code: int | None = None
    enhanced_code: str | None = None
    recipients: tuple[RecipientResult, ...] = ()
    retry_after: float | None = None
    detail: str | None = field(default=None, repr=False)

    @property
    def delivered(self) -> bool:
        """Whether the message went out to at least one recipient (``sent`` or ``partial``)."""
        return self.outcome in (DeliveryOutcome.SENT, DeliveryOutcome.PARTIAL)

    @property
    def retryable(self) -> bool:
        """Whether trying the same message again later may succeed."""
        return self.outcome is DeliveryOutcome.TRANSIENT

    @property
    def transport_failed(self) -> bool:
        """Whether the transport itself failed (connect, TLS, login), not this message.

        Every other message of the batch would fail the same way: stop the batch and try
        again later.
        """
        return self.reason in _TRANSPORT_REASONS

    @property
    def suppressed_addresses(self) -> tuple[str, ...]:
        """The addresses to put on the suppression list."""
        return tuple(item.address for item in self.recipients if item.suppress)
