"""The interface every channel offers the engine."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self, TypeAlias, TypeVar, runtime_checkable

from ats_reject.channels._message import OutboundMessage
from ats_reject.channels._results import DeliveryResult

__all__ = ["ChannelBase", "DeliveryChannel", "MailChannel"]

RequestT_contra = TypeVar("RequestT_contra", contravariant=True)


@runtime_checkable
class DeliveryChannel(Protocol[RequestT_contra]):
    """Sends one request at a time and says what became of it.

    ``send`` never raises for an outcome it can classify (a refusal, a dropped connection,
    an ATS that cannot send); it returns a :class:`~ats_reject.channels.DeliveryResult`.
    Only a broken configuration (:class:`~ats_reject.errors.ConfigurationError`) or a bug
    raises. A channel holds at most one connection and is not shared between threads:
    ``open`` it (or use it as a context manager) for a batch, ``close`` it after.
    """

    name: str
    """``smtp``, ``maildir``, ``call`` or ``ats``."""

    def open(self) -> None:
        """Get ready for a batch (connect, create folders); ``send`` does it when needed."""
        ...

    def close(self) -> None:
        """Release what ``open`` took; safe to call twice."""
        ...

    def send(self, request: RequestT_contra) -> DeliveryResult:
        """Deliver *request* and classify what happened."""
        ...


MailChannel: TypeAlias = DeliveryChannel[OutboundMessage]
"""A channel that delivers built e-mails: :class:`~ats_reject.channels.SmtpChannel` or
:class:`~ats_reject.channels.MaildirChannel`."""


class ChannelBase:
    """Context-manager plumbing shared by the channels: ``with channel: ...``."""

    def open(self) -> None:
        """Nothing to prepare by default."""

    def close(self) -> None:
        """Nothing to release by default."""

    def __enter__(self) -> Self:
        """Open the channel for a batch."""
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Close the channel."""
        self.close()
