"""Channels: how a claimed action leaves the library.

* :class:`SmtpChannel` and :class:`MaildirChannel` deliver e-mails
  (:class:`OutboundMessage`), built by :class:`MessageBuilder` with a Message-ID derived
  from the action's send id, ``Auto-Submitted``, and one-click unsubscribe headers on
  follow-up and talent-pool mail;
* :class:`CallChannel` sends the recruiter a call notification (:class:`CallTask`) with
  signed "call done" and "send the e-mail instead" links, through a mail channel;
* :class:`AtsChannel` has the ATS send its own e-mail (:class:`AtsEmailRequest`) where the
  adapter can.

Every ``send`` returns a :class:`DeliveryResult` (sent, partial, transient, permanent,
unknown, unsupported) and never raises for an outcome it can classify::

    channel = channel_from_settings(config.mail, clock=clock, company=config.company,
                                    link_signer=signer)
    with channel:                         # one SMTP connection for the batch
        for action in claimed:
            result = channel.send(OutboundMessage(send_id=..., kind=..., to=..., content=...))

docs/delivery.md ("Channels") describes the outcomes and what the engine does with each.
"""

from ats_reject.channels._base import ChannelBase, DeliveryChannel, MailChannel
from ats_reject.channels._factory import builder_from_settings, channel_from_settings
from ats_reject.channels._message import (
    Mailbox,
    MessageBuildError,
    MessageContent,
    OutboundMessage,
)
from ats_reject.channels._mime import (
    LIST_MESSAGE_KINDS,
    MessageBuilder,
    PreparedMessage,
    message_id_for,
)
from ats_reject.channels._replies import SUPPRESSING_CODES
from ats_reject.channels._results import (
    DeliveryOutcome,
    DeliveryReason,
    DeliveryResult,
    RecipientResult,
    RecipientRole,
)
from ats_reject.channels.ats import AtsChannel, AtsEmailRequest
from ats_reject.channels.call import CALL_LINK_PURPOSES, CallChannel, CallLinks, CallTask
from ats_reject.channels.maildir import MaildirChannel
from ats_reject.channels.smtp import SmtpChannel

__all__ = [
    "CALL_LINK_PURPOSES",
    "LIST_MESSAGE_KINDS",
    "SUPPRESSING_CODES",
    "AtsChannel",
    "AtsEmailRequest",
    "CallChannel",
    "CallLinks",
    "CallTask",
    "ChannelBase",
    "DeliveryChannel",
    "DeliveryOutcome",
    "DeliveryReason",
    "DeliveryResult",
    "MailChannel",
    "Mailbox",
    "MaildirChannel",
    "MessageBuildError",
    "MessageBuilder",
    "MessageContent",
    "OutboundMessage",
    "PreparedMessage",
    "RecipientResult",
    "RecipientRole",
    "SmtpChannel",
    "builder_from_settings",
    "channel_from_settings",
    "message_id_for",
]
