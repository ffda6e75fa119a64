"""The mail channel the ``[mail]`` settings ask for."""

from __future__ import annotations

import ssl
from datetime import timedelta

from ats_reject.channels._message import Mailbox
from ats_reject.channels._mime import MessageBuilder
from ats_reject.channels.maildir import MaildirChannel
from ats_reject.channels.smtp import SmtpChannel
from ats_reject.clock import Clock
from ats_reject.config import CompanySettings, MailSettings, MailTransport, ReplyToPolicy
from ats_reject.errors import ConfigurationError
from ats_reject.links import LinkSigner

__all__ = ["builder_from_settings", "channel_from_settings"]


def builder_from_settings(
    mail: MailSettings,
    *,
    clock: Clock,
    company: CompanySettings | None = None,
    link_signer: LinkSigner | None = None,
    list_sender: Mailbox | None = None,
    unsubscribe_valid_for: timedelta | None = None,
) -> MessageBuilder:
    """The message builder for these settings.

    The sender is ``mail.smtp.from_address`` or else ``company.sender_address``, shown with
    ``company.sender_name`` (or the company name); replies follow ``mail.smtp.reply_to``
    (``recruiter`` when there is no ``[mail.smtp]``). Arguments are those of
    :func:`channel_from_settings`, and *unsubscribe_valid_for*: how long unsubscribe links
    work.

    Raises:
        ConfigurationError: No sender address is configured, or unsubscribe links are
            asked for (``mail.unsubscribe_base_url``) without a link signer.
    """
    # Given for the Maildir too: a dry run then shows what the SMTP server would get.
    smtp = mail.smtp
    address = (smtp.from_address if smtp else None) or (company.sender_address if company else None)
    if address is None:
        raise ConfigurationError(
            "e-mails need a sender: set company.sender_address (or mail.smtp.from_address)",
            key_path="company.sender_address",
        )
    if mail.unsubscribe_base_url is not None and link_signer is None:
        raise ConfigurationError(
            "unsubscribe links need a link-signing secret; pass a LinkSigner",
            key_path="mail.unsubscribe_base_url",
        )
    name = (company.sender_name or company.name) if company else None
    sign_off = company.sign_off if company else None
    sign_off_box = (
        Mailbox(sign_off.reply_to, sign_off.name)
        if sign_off is not None and sign_off.reply_to
        else None
    )
    return MessageBuilder(
        sender=Mailbox(address, name),
        clock=clock,
        link_signer=link_signer,
        unsubscribe_base_url=mail.unsubscribe_base_url,
        list_sender=list_sender,
        reply_to_policy=smtp.reply_to if smtp else ReplyToPolicy.RECRUITER,
        sign_off=sign_off_box,
        unsubscribe_valid_for=unsubscribe_valid_for,
        list_name=f"{company.name} talent pool" if company else None,
    )


def channel_from_settings(
    mail: MailSettings,
    *,
    clock: Clock,
    company: CompanySettings | None = None,
    link_signer: LinkSigner | None = None,
    list_sender: Mailbox | None = None,
    ssl_context: ssl.SSLContext | None = None,
    local_hostname: str | None = None,
) -> SmtpChannel | MaildirChannel:
    """The mail channel ``[mail]`` configures: a Maildir (the default) or an SMTP server.

    Args:
        mail: The ``[mail]`` settings.
        clock: Gives every message's ``Date``.
        company: The ``[company]`` settings (sender address and name, sign-off person).
        link_signer: Signs unsubscribe links; needed when ``mail.unsubscribe_base_url`` is
            set.
        list_sender: The ``From`` of follow-up and talent-pool mail, kept apart from
            transactional mail; the sender when not given.
        ssl_context: TLS settings for SMTP; the system defaults when not given.
        local_hostname: The ``EHLO`` name for SMTP; the machine's FQDN when not given.

    Raises:
        ConfigurationError: See :func:`builder_from_settings`.
    """
    builder = builder_from_settings(
        mail, clock=clock, company=company, link_signer=link_signer, list_sender=list_sender
    )
    if mail.transport is MailTransport.SMTP and mail.smtp is not None:
        return SmtpChannel(
            mail.smtp, builder=builder, ssl_context=ssl_context, local_hostname=local_hostname
        )
    return MaildirChannel(mail.maildir.folder, builder=builder)
