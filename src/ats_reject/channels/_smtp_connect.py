"""Opening an SMTP connection: connect, greet, secure, log in; each failure classified.

A failure here says nothing about any message: it is a ``transient`` result with reason
``connect_failed``, ``tls_failed`` or ``auth_failed``, and every other message of the batch
would meet it too. ``starttls`` never falls back to plain text.
"""

from __future__ import annotations

import smtplib
import ssl

from ats_reject.channels._replies import Reply, parse_reply
from ats_reject.channels._results import DeliveryOutcome, DeliveryReason, DeliveryResult
from ats_reject.config import SmtpSecurity, SmtpSettings

__all__ = ["ConnectFailedError", "open_connection"]


class ConnectFailedError(Exception):
    """No usable connection; ``result`` says why."""

    def __init__(self, reason: DeliveryReason, reply: Reply | None = None) -> None:
        super().__init__(reason.value)
        self.result = DeliveryResult(
            DeliveryOutcome.TRANSIENT,
            reason,
            smtp_code=reply.code if reply else None,
            enhanced_code=reply.enhanced if reply else None,
            detail=reply.detail if reply else None,
        )


def open_connection(
    settings: SmtpSettings,
    *,
    ssl_context: ssl.SSLContext | None,
    local_hostname: str | None,
) -> smtplib.SMTP:
    """A connection greeted, secured as *settings* say, and logged in when they say so.

    Raises:
        ConnectFailedError: Any step failed; nothing is left open.
    """
    context = ssl_context or ssl.create_default_context()
    try:
        if settings.security is SmtpSecurity.SSL:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host,
                settings.effective_port,
                local_hostname,
                timeout=settings.timeout,
                context=context,
            )
        else:
            smtp = smtplib.SMTP(
                settings.host, settings.effective_port, local_hostname, timeout=settings.timeout
            )
    except ssl.SSLError:
        raise ConnectFailedError(DeliveryReason.TLS_FAILED) from None
    except smtplib.SMTPResponseException as exc:
        reply = parse_reply(exc.smtp_code, exc.smtp_error)
        raise ConnectFailedError(DeliveryReason.CONNECT_FAILED, reply) from None
    except (OSError, smtplib.SMTPException):
        raise ConnectFailedError(DeliveryReason.CONNECT_FAILED) from None
    try:
        _secure_and_login(smtp, settings, context)
    except ConnectFailedError:
        smtp.close()
        raise
    return smtp


def _secure_and_login(smtp: smtplib.SMTP, settings: SmtpSettings, context: ssl.SSLContext) -> None:
    step = DeliveryReason.CONNECT_FAILED
    try:
        smtp.ehlo_or_helo_if_needed()
        if settings.security is SmtpSecurity.STARTTLS:
            step = DeliveryReason.TLS_FAILED
            # smtplib refuses when the server does not offer STARTTLS: no plain fallback.
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.username is not None and settings.password is not None:
            step = DeliveryReason.AUTH_FAILED
            smtp.login(settings.username, settings.password.get_secret_value())
    except smtplib.SMTPResponseException as exc:
        raise ConnectFailedError(step, parse_reply(exc.smtp_code, exc.smtp_error)) from None
    except ssl.SSLError:
        raise ConnectFailedError(DeliveryReason.TLS_FAILED) from None
    except (OSError, smtplib.SMTPException):
        raise ConnectFailedError(step) from None
