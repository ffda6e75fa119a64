"""The SMTP channel: standard-library ``smtplib``, one connection per batch, classified replies.

The dialogue is driven command by command (``MAIL``, ``RCPT`` per recipient, ``DATA``, the
body, the final ``.``) instead of through ``sendmail``, because *where* a connection drops
decides what it means (RFC 1047):

* before the final ``.`` was handed to the network, nothing was delivered: ``transient``,
  and on a connection reused from an earlier message (servers close idle connections) the
  message is tried once more on a fresh one;
* after it, the server may have accepted the message and only its answer was lost:
  ``unknown``, never retried here.

Replies are classified per recipient by :mod:`ats_reject.channels._replies`. Logs carry send
ids, outcomes and codes; never an address, a subject or a body.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from collections.abc import Callable
from functools import partial

from ats_reject._redact import sanitize_log_value
from ats_reject.channels._base import ChannelBase
from ats_reject.channels._message import MessageBuildError, OutboundMessage
from ats_reject.channels._mime import MessageBuilder, PreparedMessage
from ats_reject.channels._replies import Reply, parse_reply
from ats_reject.channels._results import (
    DeliveryOutcome,
    DeliveryReason,
    DeliveryResult,
    RecipientResult,
    RecipientRole,
)
from ats_reject.channels._smtp_connect import ConnectFailedError, open_connection
from ats_reject.config import SmtpSettings

__all__ = ["SmtpChannel"]

_log = logging.getLogger(__name__)

_SERVICE_CLOSING = 421
_START_MAIL_INPUT = 354
_LEADING_DOT = re.compile(rb"(?m)^\.")

_Command = Callable[[], tuple[int, bytes]]
"""An SMTP command returning ``(code, text)``, as ``smtplib`` does."""


class _AttemptEndedError(Exception):
    """Unwinds to ``send`` with the result that ends this attempt."""

    def __init__(self, result: DeliveryResult, *, before_data_end: bool = False) -> None:
        super().__init__(result.reason.value)
        self.result = result
        self.before_data_end = before_data_end


def _dot_stuffed(data: bytes) -> bytes:
    """The body as it goes after ``DATA``: leading dots doubled, ending in CRLF."""
    body = _LEADING_DOT.sub(b"..", data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
    return body if body.endswith(b"\r\n") else body + b"\r\n"


class SmtpChannel(ChannelBase):
    """Sends e-mails through an SMTP server.

    Outside ``open()`` ... ``close()`` (or a ``with`` block) every ``send`` uses a connection
    of its own; inside, one connection is reused for the whole batch and replaced when the
    server dropped it between two messages. Not thread-safe: one channel per worker.

    Args:
        settings: The ``[mail.smtp]`` settings (host, port, security, credentials,
            timeout).
        builder: Builds each message and its envelope.
        ssl_context: For ``ssl`` and ``starttls``; the system's default trust store and
            host-name checks when not given. There is never a fallback to plain text.
        local_hostname: The name given in ``EHLO``; the machine's FQDN when not given.
    """

    name = "smtp"

    def __init__(
        self,
        settings: SmtpSettings,
        *,
        builder: MessageBuilder,
        ssl_context: ssl.SSLContext | None = None,
        local_hostname: str | None = None,
    ) -> None:
        self._settings = settings
        self._builder = builder
        self._ssl_context = ssl_context
        self._local_hostname = local_hostname
        self._smtp: smtplib.SMTP | None = None
        self._batch = False
        self.connections_opened = 0
        """How many connections this channel has opened (for tests and benchmarks)."""

    @property
    def builder(self) -> MessageBuilder:
        """The message builder this channel uses."""
        return self._builder

    def open(self) -> None:
        """Start a batch: the next ``send`` connects, later ones reuse the connection."""
        self._batch = True

    def close(self) -> None:
        """End the batch: say ``QUIT`` and close the connection, if one is open."""
        self._batch = False
        self._quit()

    def send(self, message: OutboundMessage) -> DeliveryResult:
        """Send *message* and classify the server's answers.

        Returns:
            The result; ``unknown`` when the connection broke after the message's end was
            sent. Never raises for anything the server or the network did.

        Raises:
            ConfigurationError: The message is list mail and no unsubscribe link can be
                made.
        """
        try:
            prepared = self._builder.prepare(message)
        except MessageBuildError as exc:
            result = DeliveryResult(
                DeliveryOutcome.PERMANENT, DeliveryReason.INVALID_MESSAGE, detail=exc.code
            )
            self._log(message.send_id, result)
            return result
        data = _dot_stuffed(prepared.wire_bytes())
        try:
            result = self._send_prepared(prepared, data)
        finally:
            if not self._batch:
                self._quit()
        self._log(message.send_id, result)
        return result

    def verify_connection(self) -> DeliveryResult:
        """Connect, secure and log in once, without sending: for ``ats-reject check``.

        Returns:
            ``sent`` with reason ``accepted`` when the server is usable, else the failure.
        """
        try:
            smtp = self._connect()
        except _AttemptEndedError as failure:
            return failure.result
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
        return DeliveryResult(DeliveryOutcome.SENT, DeliveryReason.ACCEPTED)

    # --- the dialogue -----------------------------------------------------------------

    def _send_prepared(self, prepared: PreparedMessage, data: bytes) -> DeliveryResult:
        for attempt in range(2):
            reused = self._smtp is not None
            try:
                smtp = self._smtp if self._smtp is not None else self._connect()
                self._smtp = smtp
                return self._transaction(smtp, prepared, data)
            except _AttemptEndedError as failure:
                if failure.before_data_end:
                    self._drop()
                    if reused and attempt == 0:
                        continue
                return failure.result
        raise AssertionError("unreachable: the second attempt always returns")  # pragma: no cover

    def _transaction(
        self, smtp: smtplib.SMTP, prepared: PreparedMessage, data: bytes
    ) -> DeliveryResult:
        message_id = prepared.message_id
        reply = self._command(message_id, partial(smtp.mail, prepared.envelope_from))
        if reply.outcome is not DeliveryOutcome.SENT:
            self._reset(smtp)
            recipients = tuple(
                RecipientResult(address, role, reply.outcome, reply.code, reply.enhanced)
                for address, role in prepared.envelope_to
            )
            return _result(reply, DeliveryReason.SENDER_REFUSED, message_id, recipients)

        answers: list[tuple[str, RecipientRole, Reply]] = []
        for address, role in prepared.envelope_to:
            answer = self._command(message_id, partial(smtp.rcpt, address))
            answers.append((address, role, answer))
        accepted = [item for item in answers if item[2].outcome is DeliveryOutcome.SENT]
        if not accepted:
            self._reset(smtp)
            first = answers[0][2]
            outcome = (
                DeliveryOutcome.TRANSIENT
                if any(item[2].outcome is DeliveryOutcome.TRANSIENT for item in answers)
                else DeliveryOutcome.PERMANENT
            )
            recipients = tuple(_refused(address, role, answer) for address, role, answer in answers)
            return DeliveryResult(
                outcome,
                DeliveryReason.RECIPIENT_REFUSED,
                message_id,
                first.code,
                first.enhanced,
                recipients,
                detail=first.detail,
            )

        start = self._command(message_id, partial(smtp.docmd, "DATA"))
        if start.code != _START_MAIL_INPUT:
            self._reset(smtp)
            refusal = start
            if start.outcome is DeliveryOutcome.SENT:
                # A 2yz where 354 was due: the server is confused; nothing was delivered.
                refusal = Reply(start.code, None, DeliveryOutcome.TRANSIENT, False, start.detail)
            return self._after_data(refusal, answers, message_id, DeliveryReason.DATA_REFUSED)

        try:
            smtp.send(data)
            smtp.send(b".\r\n")
        except smtplib.SMTPServerDisconnected:
            raise _AttemptEndedError(_lost(message_id), before_data_end=True) from None
        # From here on the server may hold the message: a missing answer is not a refusal.
        try:
            code, text = smtp.getreply()
        except smtplib.SMTPException:
            self._drop()
            unknown = Reply(0, None, DeliveryOutcome.UNKNOWN, False, "")
            return self._after_data(
                unknown, answers, message_id, DeliveryReason.NO_REPLY_AFTER_DATA
            )
        final = parse_reply(code, text)
        if code == _SERVICE_CLOSING:
            self._drop()
        reason = (
            DeliveryReason.ACCEPTED
            if final.outcome is DeliveryOutcome.SENT
            else DeliveryReason.DATA_REFUSED
        )
        return self._after_data(final, answers, message_id, reason)

    def _after_data(
        self,
        reply: Reply,
        answers: list[tuple[str, RecipientRole, Reply]],
        message_id: str,
        reason: DeliveryReason,
    ) -> DeliveryResult:
        """The result once the message's fate is known for every accepted recipient."""
        recipients = tuple(
            RecipientResult(address, role, reply.outcome, reply.code or None, reply.enhanced)
            if answer.outcome is DeliveryOutcome.SENT
            else _refused(address, role, answer)
            for address, role, answer in answers
        )
        outcome = reply.outcome
        if outcome is DeliveryOutcome.SENT and any(
            item.outcome is not DeliveryOutcome.SENT for item in recipients
        ):
            outcome = DeliveryOutcome.PARTIAL
            reason = DeliveryReason.RECIPIENT_REFUSED
        return DeliveryResult(
            outcome,
            reason,
            message_id,
            reply.code or None,
            reply.enhanced,
            recipients,
            detail=reply.detail or None,
        )

    @staticmethod
    def _command(message_id: str, command: _Command) -> Reply:
        """Run one command before the message's end; a lost connection unwinds."""
        try:
            code, text = command()
        except smtplib.SMTPException:
            raise _AttemptEndedError(_lost(message_id), before_data_end=True) from None
        reply = parse_reply(code, text)
        if code == _SERVICE_CLOSING:
            # The server is closing the connection: nothing of this message was accepted.
            raise _AttemptEndedError(
                _result(reply, DeliveryReason.CONNECTION_LOST, message_id),
                before_data_end=True,
            )
        return reply

    # --- the connection ---------------------------------------------------------------

    def _connect(self) -> smtplib.SMTP:
        try:
            smtp = open_connection(
                self._settings,
                ssl_context=self._ssl_context,
                local_hostname=self._local_hostname,
            )
        except ConnectFailedError as exc:
            raise _AttemptEndedError(exc.result) from None
        self.connections_opened += 1
        _log.debug(
            "smtp connection %d open (security=%s)",
            self.connections_opened,
            self._settings.security.value,
        )
        return smtp

    def _reset(self, smtp: smtplib.SMTP) -> None:
        """End a failed transaction so the connection can carry the next message."""
        try:
            code, _ = smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()
            return
        if code != 250:
            self._drop()

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def _quit(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    @staticmethod
    def _log(send_id: object, result: DeliveryResult) -> None:
        _log.info(
            "smtp send_id=%s outcome=%s reason=%s code=%s enhanced=%s",
            sanitize_log_value(str(send_id))[:140],
            result.outcome.value,
            result.reason.value,
            result.smtp_code,
            result.enhanced_code,
        )

    def __repr__(self) -> str:
        """Host, port and security; never the credentials."""
        settings = self._settings
        return (
            f"SmtpChannel(host={settings.host!r}, port={settings.effective_port}, "
            f"security={settings.security.value!r})"
        )


def _lost(message_id: str) -> DeliveryResult:
    return DeliveryResult(DeliveryOutcome.TRANSIENT, DeliveryReason.CONNECTION_LOST, message_id)


def _result(
    reply: Reply,
    reason: DeliveryReason,
    message_id: str,
    recipients: tuple[RecipientResult, ...] = (),
) -> DeliveryResult:
    return DeliveryResult(
        reply.outcome,
        reason,
        message_id,
        reply.code,
        reply.enhanced,
        recipients,
        detail=reply.detail,
    )


def _refused(address: str, role: RecipientRole, answer: Reply) -> RecipientResult:
    return RecipientResult(
        address, role, answer.outcome, answer.code, answer.enhanced, suppress=answer.suppress
    )
