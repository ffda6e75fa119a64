"""Channels built from the configuration."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest

from ats_reject.channels import (
    DeliveryChannel,
    DeliveryOutcome,
    MaildirChannel,
    SmtpChannel,
    channel_from_settings,
)
from ats_reject.clock import FrozenClock
from ats_reject.config import (
    CompanySettings,
    Config,
    MailSettings,
    MailTransport,
    SignOff,
    SmtpSettings,
)
from ats_reject.errors import ConfigurationError
from ats_reject.links import LinkSigner
from ats_reject.policy import MessageKind

from .conftest import SmtpServer, outbound

COMPANY = CompanySettings(
    name="Northwind Labs",
    time_zone="Europe/Berlin",
    sender_name="Northwind Talent",
    sender_address="talent@northwind.example",
    sign_off=SignOff(name="Alex Morgan", reply_to="alex.morgan@northwind.example"),
)


def test_the_embedded_default_is_a_maildir_beside_the_configuration(
    tmp_path: Path, clock: FrozenClock
) -> None:
    config = Config.default(tmp_path)

    channel = channel_from_settings(config.mail, clock=clock, company=config.company)

    assert isinstance(channel, MaildirChannel)
    assert isinstance(channel, DeliveryChannel)
    assert channel.folder == tmp_path / "maildir"
    result = channel.send(outbound("default-1"))
    assert result.outcome is DeliveryOutcome.SENT
    assert result.message_id == "<send-default-1@example.com>"
    found = channel.find("default-1")
    assert found is not None
    message = email.message_from_bytes(found.read_bytes(), policy=email.policy.default)
    assert message["From"].addresses[0].display_name == "Example Company Talent Team"


def test_smtp_settings_give_an_smtp_channel_with_their_sender_and_reply_policy(
    smtp_server: SmtpServer, clock: FrozenClock, signer: LinkSigner
) -> None:
    mail = MailSettings(
        transport=MailTransport.SMTP,
        smtp=SmtpSettings(
            host="127.0.0.1",
            port=smtp_server.port,
            security="none",
            from_address="no-reply@mail.northwind.example",
            reply_to="sign_off",
        ),
        unsubscribe_base_url="https://jobs.northwind.example/l",
    )

    channel = channel_from_settings(mail, clock=clock, company=COMPANY, link_signer=signer)

    assert isinstance(channel, SmtpChannel)
    with channel:
        results = [
            channel.send(outbound("smtp-1")),
            channel.send(outbound("smtp-2", kind=MessageKind.RE_ENGAGEMENT)),
        ]
    assert [result.outcome for result in results] == [DeliveryOutcome.SENT] * 2
    first, second = (
        email.message_from_bytes(item.data, policy=email.policy.default)
        for item in smtp_server.handler.received
    )
    assert first["From"].addresses[0].addr_spec == "no-reply@mail.northwind.example"
    assert first["Reply-To"].addresses[0].addr_spec == "alex.morgan@northwind.example"
    assert first["Message-ID"] == "<send-smtp-1@mail.northwind.example>"
    assert first["List-Unsubscribe"] is None
    assert second["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert second["List-Id"] == "Northwind Labs talent pool <talent-pool.mail.northwind.example>"


def test_an_unsubscribe_url_without_a_signer_is_refused(clock: FrozenClock) -> None:
    mail = MailSettings(unsubscribe_base_url="https://jobs.northwind.example/l")

    with pytest.raises(ConfigurationError) as caught:
        channel_from_settings(mail, clock=clock, company=COMPANY)
    assert caught.value.key_path == "mail.unsubscribe_base_url"


def test_a_missing_sender_is_refused(clock: FrozenClock) -> None:
    company = CompanySettings(name="Northwind Labs", time_zone="Europe/Berlin")

    with pytest.raises(ConfigurationError) as caught:
        channel_from_settings(MailSettings(), clock=clock, company=company)
    assert caught.value.key_path == "company.sender_address"
