"""From a composed message to an RFC 5322 message with the headers reliability needs.

Every message gets a ``Message-ID`` derived from its send id (the same action always gets the
same one, so a resend after an unknown outcome can be recognised), a ``Date`` from the
injected clock, and ``Auto-Submitted: auto-generated`` (RFC 3834) against auto-reply loops.
Follow-up and talent-pool mail is subscription-like (Gmail's sender rules): it also carries a
one-click ``List-Unsubscribe`` (RFC 8058, an HTTPS link signed by :mod:`ats_reject.links`),
``List-Unsubscribe-Post`` and a ``List-Id``, and may leave from a separate address. A one-off
rejection is transactional and carries none of them.

No value can add a header: addresses are checked against a strict grammar, and names and
subjects lose every control character before they reach the header API.
"""

from __future__ import annotations

import email.policy
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage

from ats_reject.channels._message import Mailbox, MessageBuildError, OutboundMessage
from ats_reject.channels._results import RecipientRole
from ats_reject.clock import Clock
from ats_reject.compose import ComposedMessage
from ats_reject.config import ReplyToPolicy
from ats_reject.errors import ConfigurationError
from ats_reject.links import LinkPurpose, LinkSigner
from ats_reject.policy import MessageKind

__all__ = [
    "LIST_MESSAGE_KINDS",
    "MessageBuilder",
    "PreparedMessage",
    "is_send_id",
    "message_id_for",
]

LIST_MESSAGE_KINDS: frozenset[MessageKind] = frozenset(
    {MessageKind.RE_ENGAGEMENT, MessageKind.TALENT_POOL_INVITE, MessageKind.CONSENT_RENEWAL}
)
"""Kinds sent as list mail (unsubscribe headers, list sender). Rejections, call fallbacks,
holding updates and recruiter notes are about one application: transactional."""

# 7bit: bodies are quoted-printable or base64, so no server needs 8BITMIME. A long line
# limit: the folder would otherwise turn a long unsubscribe URL into an encoded word that
# mail clients cannot follow (RFC 5322 allows 998).
POLICY = email.policy.SMTP.clone(cte_type="7bit", max_line_length=998)

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOMAIN = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_SEND_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_LIST_ID = re.compile(rf"{_LABEL}(?:\.{_LABEL})+")
# C0 and C1 controls and the Unicode line and paragraph separators.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MAX_ADDRESS = 254
_MAX_LOCAL = 64


def is_send_id(value: object) -> bool:
    """Whether *value* can be a send id (and so a Message-ID part and a file name)."""
    return isinstance(value, str) and _SEND_ID.fullmatch(value) is not None


def message_id_for(send_id: str, domain: str) -> str:
    """``<send-{send_id}@{domain}>``: the same send id always gives the same Message-ID.

    Raises:
        MessageBuildError: The send id or the domain does not fit the grammar.
    """
    if not is_send_id(send_id):
        raise MessageBuildError(
            "invalid_send_id",
            "a send id is letters, digits, '.', '_' and '-' (at most 128, starting with a "
            "letter or digit)",
        )
    if not _DOMAIN.fullmatch(domain):
        raise MessageBuildError("invalid_domain", "the Message-ID domain is not a host name")
    return f"<send-{send_id}@{domain}>"


def _one_line(value: str) -> str:
    return " ".join(_CONTROLS.sub(" ", value).split())


def checked_address(value: str, *, code: str = "invalid_address") -> str:
    """*value* as an ASCII ``local@domain`` (an international domain in IDNA form).

    Raises:
        MessageBuildError: It is not a plain mailbox address. The address is not quoted.
    """
    text = value.strip() if isinstance(value, str) else ""
    local, at, domain = text.rpartition("@")
    if at and not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            domain = ""
    if (
        not at
        or len(local) > _MAX_LOCAL
        or not _LOCAL_PART.fullmatch(local)
        or not _DOMAIN.fullmatch(domain)
        or len(local) + 1 + len(domain) > _MAX_ADDRESS
    ):
        raise MessageBuildError(code, "not a plain e-mail address (local@domain)")
    return f"{local}@{domain}"


def _header_address(mailbox: Mailbox, code: str) -> Address:
    address = checked_address(mailbox.address, code=code)
    name = _one_line(mailbox.name) if mailbox.name else ""
    local, _, domain = address.rpartition("@")
    return Address(display_name=name, username=local, domain=domain)


@dataclass(frozen=True, slots=True)
class PreparedMessage:
    """A built message and its envelope, ready for a transport.

    Attributes:
        message: The message (headers and MIME body).
        message_id: Its ``Message-ID``.
        envelope_from: The ``MAIL FROM`` address.
        envelope_to: Each recipient's checked address with its role, in sending order.
    """

    message: EmailMessage
    message_id: str
    envelope_from: str
    envelope_to: tuple[tuple[str, RecipientRole], ...]

    def wire_bytes(self) -> bytes:
        """The message as bytes with CRLF line ends, before dot-stuffing."""
        return self.message.as_bytes(policy=POLICY)


class MessageBuilder:
    """Builds the messages of one sender.

    Args:
        sender: The ``From`` of transactional mail (the company's talent address).
        clock: Gives the ``Date``.
        message_id_domain: The right-hand side of Message-IDs; the sender's domain when not
            given.
        link_signer: Signs the unsubscribe links of list mail.
        unsubscribe_base_url: Where the unsubscribe endpoint lives
            (``https://jobs.example.com/l`` gives ``.../l/unsubscribe/<token>``).
        unsubscribe_mailto: An address for ``mailto:`` unsubscribes, offered besides HTTPS.
        list_id: The list's id (``talent-pool.example.com``); ``talent-pool.<domain>``
            when not given.
        list_name: A name shown with the list id.
        list_sender: The ``From`` of list mail, kept apart from transactional mail; the
            sender when not given.
        reply_to_policy: Where replies go: the recruiter named in the message (falling back
            to the sign-off person), the sign-off person, or the sending address.
        sign_off: The company's sign-off person, for the ``recruiter`` fallback and the
            ``sign_off`` policy.
        list_kinds: The kinds sent as list mail.
        unsubscribe_valid_for: How long unsubscribe links work (the links module's default
            when not given).

    Raises:
        ConfigurationError: The sender, domain, list id or unsubscribe URL is unusable.
    """

    def __init__(
        self,
        *,
        sender: Mailbox,
        clock: Clock,
        message_id_domain: str | None = None,
        link_signer: LinkSigner | None = None,
        unsubscribe_base_url: str | None = None,
        unsubscribe_mailto: str | None = None,
        list_id: str | None = None,
        list_name: str | None = None,
        list_sender: Mailbox | None = None,
        reply_to_policy: ReplyToPolicy = ReplyToPolicy.RECRUITER,
        sign_off: Mailbox | None = None,
        list_kinds: Iterable[MessageKind] = LIST_MESSAGE_KINDS,
        unsubscribe_valid_for: timedelta | None = None,
    ) -> None:
        self._clock = clock
        self._sender = _configured(sender, "mail sender")
        self._list_sender = _configured(list_sender, "list sender") if list_sender else None
        self._sign_off = sign_off
        self._domain = (message_id_domain or self._sender.domain).lower()
        if not _DOMAIN.fullmatch(self._domain):
            raise ConfigurationError("the Message-ID domain is not a host name")
        self._list_id = list_id or f"talent-pool.{self._domain}"
        if not _LIST_ID.fullmatch(self._list_id):
            raise ConfigurationError("a list id looks like a host name: talent-pool.example.com")
        self._list_name = _one_line(list_name) if list_name else None
        if unsubscribe_base_url is not None and not _https(unsubscribe_base_url):
            raise ConfigurationError("the unsubscribe base URL must be an https:// URL")
        self._unsubscribe_base = unsubscribe_base_url
        self._unsubscribe_mailto = (
            _configured(Mailbox(unsubscribe_mailto), "unsubscribe address").addr_spec
            if unsubscribe_mailto
            else None
        )
        self._signer = link_signer
        self._reply_to_policy = ReplyToPolicy(reply_to_policy)
        self._list_kinds = frozenset(list_kinds)
        self._unsubscribe_valid_for = unsubscribe_valid_for

    @property
    def message_id_domain(self) -> str:
        """The right-hand side of every Message-ID."""
        return self._domain

    def is_list_mail(self, kind: MessageKind) -> bool:
        """Whether messages of *kind* carry the list and unsubscribe headers."""
        return kind in self._list_kinds

    def message_id(self, send_id: str) -> str:
        """The Message-ID of *send_id* under this builder's domain."""
        return message_id_for(send_id, self._domain)

    def build(self, outbound: OutboundMessage) -> EmailMessage:
        """The message for *outbound* (see :meth:`prepare`)."""
        return self.prepare(outbound).message

    def prepare(self, outbound: OutboundMessage) -> PreparedMessage:
        """Build the message and its envelope.

        Raises:
            MessageBuildError: An address, the send id or the subject is unusable, or the
                composed message still has a lint error that routes it to a person.
            ConfigurationError: List mail without an unsubscribe URL and link signer.
        """
        content = outbound.content
        if isinstance(content, ComposedMessage) and content.lint.route_to_human:
            raise MessageBuildError(
                "needs_review", "the composed message has lint errors: a person must review it"
            )
        message_id = self.message_id(outbound.send_id)
        subject = _one_line(content.subject) if isinstance(content.subject, str) else ""
        if not subject:
            raise MessageBuildError("empty_subject", "the message has no subject")
        listed = self.is_list_mail(outbound.kind)
        sender = self._list_sender if listed and self._list_sender else self._sender
        to = _header_address(outbound.to, "invalid_recipient")
        cc = tuple(_header_address(item, "invalid_recipient") for item in outbound.cc)
        bcc = tuple(_header_address(item, "invalid_recipient") for item in outbound.bcc)
        reply_to = self._reply_to(outbound)

        message = EmailMessage(policy=POLICY)
        message["Date"] = self._clock.now()
        message["From"] = sender
        message["To"] = to
        if cc:
            message["Cc"] = cc
        if reply_to is not None:
            message["Reply-To"] = reply_to
        message["Subject"] = subject
        message["Message-ID"] = message_id
        message["Auto-Submitted"] = "auto-generated"
        if listed:
            self._add_list_headers(message, outbound)
        text = content.text if content.text.endswith("\n") else content.text + "\n"
        message.set_content(text, subtype="plain", charset="utf-8")
        if content.html:
            message.add_alternative(content.html, subtype="html", charset="utf-8")
        envelope_to = (
            (to.addr_spec, RecipientRole.TO),
            *((item.addr_spec, RecipientRole.CC) for item in cc),
            *((item.addr_spec, RecipientRole.BCC) for item in bcc),
        )
        return PreparedMessage(message, message_id, sender.addr_spec, envelope_to)

    def _reply_to(self, outbound: OutboundMessage) -> Address | None:
        policy = self._reply_to_policy
        chosen: Mailbox | None
        if policy is ReplyToPolicy.SENDER:
            chosen = None
        elif policy is ReplyToPolicy.SIGN_OFF:
            chosen = self._sign_off
        else:
            chosen = outbound.reply_to or self._sign_off
        return _header_address(chosen, "invalid_reply_to") if chosen is not None else None

    def _add_list_headers(self, message: EmailMessage, outbound: OutboundMessage) -> None:
        if self._signer is None or self._unsubscribe_base is None:
            raise ConfigurationError(
                "follow-up and talent-pool mail needs a one-click unsubscribe link: set "
                "mail.unsubscribe_base_url and give the channel a link signer",
                key_path="mail.unsubscribe_base_url",
            )
        subject_id = outbound.link_subject or outbound.send_id
        try:
            token = self._signer.sign(
                LinkPurpose.UNSUBSCRIBE, subject_id, valid_for=self._unsubscribe_valid_for
            )
        except ValueError:
            raise MessageBuildError(
                "invalid_link_subject", "the unsubscribe link subject is not an id"
            ) from None
        base = self._unsubscribe_base.rstrip("/")
        targets = [f"<{base}/{LinkPurpose.UNSUBSCRIBE.value}/{token}>"]
        if self._unsubscribe_mailto:
            targets.append(f"<mailto:{self._unsubscribe_mailto}?subject=unsubscribe%20{token}>")
        message["List-Unsubscribe"] = ", ".join(targets)
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        label = f"<{self._list_id}>"
        message["List-Id"] = f"{self._list_name} {label}" if self._list_name else label


def _https(url: str) -> bool:
    return url.startswith("https://") and not _CONTROLS.search(url) and " " not in url


def _configured(mailbox: Mailbox, what: str) -> Address:
    try:
        return _header_address(mailbox, "invalid_address")
    except MessageBuildError:
        raise ConfigurationError(f"the {what} is not a plain e-mail address") from None
