"""What the engine hands to a mail channel: who gets which composed message, under which id."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from ats_reject.errors import AtsRejectError
from ats_reject.policy import MessageKind

__all__ = ["Mailbox", "MessageBuildError", "MessageContent", "OutboundMessage"]


class MessageBuildError(AtsRejectError, ValueError):
    """A message cannot be built: a bad address or id, or a lint error still on it.

    Channels turn it into a ``permanent`` result with reason ``invalid_message``; it is
    raised only by :meth:`~ats_reject.channels.MessageBuilder.build` called directly.

    Attributes:
        code: A stable name of the problem (``invalid_address``, ``invalid_send_id`` ...).
    """

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(message)


class MessageContent(Protocol):
    """Subject, plain text and optional HTML.

    What :class:`~ats_reject.compose.Composer` returns (a ``ComposedMessage``), or anything
    shaped like it.
    """

    @property
    def subject(self) -> str:
        """One line."""
        ...

    @property
    def text(self) -> str:
        """The plain-text body."""
        ...

    @property
    def html(self) -> str | None:
        """The HTML body, if there is one."""
        ...


@dataclass(frozen=True, slots=True)
class Mailbox:
    """An address with an optional display name; both are hidden from ``repr``.

    Nothing is checked here: the channel checks it when it builds the message, and reports
    a bad address as a ``permanent`` result instead of raising.
    """

    address: str = field(repr=False)
    name: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """One message for a mail channel, built from a claimed action.

    Attributes:
        send_id: The action's send id (letters, digits, ``.``, ``_``, ``-``; at most 128).
            The ``Message-ID`` is derived from it, so the same action always gets the same
            one; the Maildir file is named after it.
        kind: What the message is; decides the list headers (unsubscribe) it carries.
        to: The recipient.
        content: The composed message (subject, text, optional HTML).
        reply_to: The named person replies should reach (the recruiter), if any.
        cc: Further visible recipients.
        bcc: Hidden recipients (never written into the message).
        link_subject: The id the unsubscribe link names (default: ``send_id``); the
            unsubscribe endpoint maps it back to the person.
    """

    send_id: str
    kind: MessageKind
    to: Mailbox
    content: MessageContent = field(repr=False)
    reply_to: Mailbox | None = None
    cc: tuple[Mailbox, ...] = ()
    bcc: tuple[Mailbox, ...] = ()
    link_subject: str | None = None
