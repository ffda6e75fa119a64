"""The call channel: tell the recruiter to phone the candidate, with two signed links.

The notification goes through the same mail channel as every other message. It carries the
talking points, the time the call is due in the recruiter's (or the company's) zone, and two
links signed by :mod:`ats_reject.links`:

* **call done** (:attr:`~ats_reject.links.LinkPurpose.CALL_DONE`): the fallback e-mail is
  not sent;
* **send the e-mail instead** (:attr:`~ats_reject.links.LinkPurpose.CALL_SEND_EMAIL`): the
  fallback e-mail goes now.

Both name the call action's id, nothing personal. What happens when neither is clicked by
the fallback time is the engine's decision (the planner's ``call_not_done`` condition).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ats_reject._wallclock import load_zone
from ats_reject.channels._base import ChannelBase, MailChannel
from ats_reject.channels._message import Mailbox, MessageContent, OutboundMessage
from ats_reject.channels._results import DeliveryResult
from ats_reject.clock import Clock, ensure_aware
from ats_reject.compose import format_long_date, normalize_locale
from ats_reject.links import LinkPurpose, LinkSigner
from ats_reject.policy import MessageKind

__all__ = ["CALL_LINK_PURPOSES", "CallChannel", "CallLinks", "CallTask"]

CALL_LINK_PURPOSES = (LinkPurpose.CALL_DONE, LinkPurpose.CALL_SEND_EMAIL)
"""The purposes of the two links in a call notification; the receiver verifies for these."""

_LABELS = {
    "en": {
        "due": "Call due: {when}",
        "fallback": (
            "If the call is not marked done by {when}, the e-mail goes to the candidate instead."
        ),
        "done": "Call done",
        "send": "Send the e-mail instead",
    },
    "de": {
        "due": "Anruf fällig: {when}",
        "fallback": (
            "Ist der Anruf bis {when} nicht als erledigt markiert, geht stattdessen die "
            "E-Mail an die Person."
        ),
        "done": "Anruf erledigt",
        "send": "Stattdessen die E-Mail senden",
    },
}


@dataclass(frozen=True, slots=True)
class CallTask:
    """A call the recruiter should make.

    Attributes:
        send_id: The notification's send id (its Message-ID comes from it).
        action_id: The call action's id; both links name it.
        recruiter: Who makes the call and gets the notification.
        talking_points: The composed talking points (``call_talking_points``).
        due_at: When the call is due (aware).
        zone: The IANA zone the times are shown in (the recruiter's or the company's).
        fallback_at: When the fallback e-mail goes if the call is not marked done.
        locale: The language of the added lines; the talking points' locale when not
            given (English and German are written, others fall back to English).
    """

    send_id: str
    action_id: str
    recruiter: Mailbox
    talking_points: MessageContent = field(repr=False)
    due_at: datetime
    zone: str
    fallback_at: datetime | None = None
    locale: str | None = None


@dataclass(frozen=True, slots=True)
class CallLinks:
    """The two links of a call notification (hidden from ``repr``: they are capabilities)."""

    done_url: str = field(repr=False)
    send_email_url: str = field(repr=False)
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class _Notification:
    subject: str
    text: str
    html: str | None


class CallChannel(ChannelBase):
    """Sends call notifications to recruiters through a mail channel.

    Args:
        transport: The mail channel (SMTP or Maildir) the notification goes through.
        link_signer: Signs the two links.
        clock: Decides how long the links of a late notification last.
        base_url: Where the link endpoints live (``https://jobs.example.com/l`` gives
            ``.../l/call_done/<token>``).
        link_grace: How long the links keep working after the fallback time (or the due
            time when there is none), so a late click still gets a clear answer.
    """

    name = "call"

    def __init__(
        self,
        transport: MailChannel,
        *,
        link_signer: LinkSigner,
        clock: Clock,
        base_url: str,
        link_grace: timedelta = timedelta(days=7),
    ) -> None:
        if not base_url.startswith("https://"):
            raise ValueError("the call links' base URL must be an https:// URL")
        self._transport = transport
        self._signer = link_signer
        self._clock = clock
        self._base_url = base_url
        self._grace = link_grace

    def open(self) -> None:
        """Open the mail channel for a batch."""
        self._transport.open()

    def close(self) -> None:
        """Close the mail channel."""
        self._transport.close()

    def links(self, task: CallTask) -> CallLinks:
        """The signed links for *task*.

        They expire the grace period after the fallback time (or the due time), and never
        sooner than the grace period from now, so a late notification still has links.
        """
        last = ensure_aware(task.fallback_at or task.due_at) + self._grace
        last = max(last, self._clock.now() + self._grace)
        done = self._signer.url(
            self._base_url, LinkPurpose.CALL_DONE, task.action_id, expires_at=last
        )
        send = self._signer.url(
            self._base_url, LinkPurpose.CALL_SEND_EMAIL, task.action_id, expires_at=last
        )
        return CallLinks(done_url=done, send_email_url=send, expires_at=last)

    def notification(self, task: CallTask) -> OutboundMessage:
        """The e-mail to the recruiter: due time, talking points, the two links."""
        links = self.links(task)
        locale = _locale(task.locale or getattr(task.talking_points, "locale_used", None))
        labels = _LABELS.get(locale.split("-", 1)[0], _LABELS["en"])
        due = labels["due"].format(when=_when(task.due_at, task.zone, locale))
        lines = [due]
        if task.fallback_at is not None:
            lines.append(labels["fallback"].format(when=_when(task.fallback_at, task.zone, locale)))
        footer = [
            f"{labels['done']}: {links.done_url}",
            f"{labels['send']}: {links.send_email_url}",
        ]
        points = task.talking_points
        text = "\n".join([*lines, "", points.text.rstrip("\n"), "", *footer]) + "\n"
        content = _Notification(
            subject=points.subject,
            text=text,
            html=_with_html_block(points.html, lines, labels, links) if points.html else None,
        )
        return OutboundMessage(
            send_id=task.send_id,
            kind=MessageKind.CALL_TASK,
            to=task.recruiter,
            content=content,
        )

    def send(self, task: CallTask) -> DeliveryResult:
        """Send the notification for *task* through the mail channel."""
        return self._transport.send(self.notification(task))

    def __repr__(self) -> str:
        """The transport only."""
        return f"CallChannel(transport={self._transport!r})"


def _locale(value: object) -> str:
    if not isinstance(value, str):
        return "en"
    try:
        return normalize_locale(value)
    except ValueError:
        return "en"


def _when(moment: datetime, zone: str, locale: str) -> str:
    local = ensure_aware(moment).astimezone(load_zone(zone))
    day = format_long_date(local.date(), locale)
    return f"{day} {local.year}, {local:%H:%M} ({zone})"


def _with_html_block(
    document: str, lines: list[str], labels: dict[str, str], links: CallLinks
) -> str:
    block = (
        "".join(f"<p>{html.escape(line)}</p>" for line in lines)
        + f'<p><a href="{html.escape(links.done_url)}">{html.escape(labels["done"])}</a>'
        + f' &middot; <a href="{html.escape(links.send_email_url)}">'
        + f"{html.escape(labels['send'])}</a></p>"
    )
    closing = document.lower().rfind("</body>")
    if closing < 0:
        return document + block
    return document[:closing] + block + document[closing:]
