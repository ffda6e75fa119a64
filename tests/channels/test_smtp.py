"""The SMTP channel against a real SMTP server (aiosmtpd on 127.0.0.1), scripted per test."""

from __future__ import annotations

import email
import email.policy

import pytest

from ats_reject.channels import (
    DeliveryOutcome,
    DeliveryReason,
    MessageBuilder,
    RecipientRole,
    SmtpChannel,
)
from ats_reject.testing import LeakGuard

from .conftest import SmtpServer, outbound, smtp_settings

TO = "canary.qz.1@example.test"
CC = "canary.qz.2@example.test"


def test_accepted_message_is_sent_with_its_message_id(
    channel: SmtpChannel, smtp_server: SmtpServer
) -> None:
    result = channel.send(outbound())

    assert result.outcome is DeliveryOutcome.SENT
    assert result.reason is DeliveryReason.ACCEPTED
    assert result.smtp_code == 250
    assert result.enhanced_code == "2.0.0"
    [received] = smtp_server.handler.received
    parsed = email.message_from_bytes(received.data, policy=email.policy.default)
    assert parsed["Message-ID"] == result.message_id
    assert result.message_id == "<send-0f9c2e7a4b1d4e3c8a6b5d4c3b2a1908@northwind.example>"
    assert received.rcpt_tos == [TO]
    assert received.mail_from == "talent@northwind.example"
    assert parsed.get_content().startswith("Dear Canaryqz,")


def test_leading_dots_survive_the_transfer(channel: SmtpChannel, smtp_server: SmtpServer) -> None:
    text = "Line one\n.\n..two dots\n.three\n"

    result = channel.send(outbound(text=text))

    assert result.outcome is DeliveryOutcome.SENT
    parsed = email.message_from_bytes(
        smtp_server.handler.received[0].data, policy=email.policy.default
    )
    body = parsed.get_body(("plain",))
    assert body is not None
    assert body.get_content().replace("\r\n", "\n") == text


def test_transient_refusal_at_rcpt_is_retryable(
    channel: SmtpChannel, smtp_server: SmtpServer
) -> None:
    smtp_server.handler.script.rcpt[TO] = "451 4.7.1 Greylisted, try again later"

    result = channel.send(outbound())

    assert result.outcome is DeliveryOutcome.TRANSIENT
    assert result.retryable
    assert result.reason is DeliveryReason.RECIPIENT_REFUSED
    assert (result.smtp_code, result.enhanced_code) == (451, "4.7.1")
    assert result.suppressed_addresses == ()
    assert smtp_server.handler.received == []


def test_unknown_mailbox_is_permanent_and_suppressed(
    channel: SmtpChannel, smtp_server: SmtpServer
) -> None:
    smtp_server.handler.script.rcpt[TO] = "550 5.1.1 <canary.qz.1@example.test>: user unknown"

    result = channel.send(outbound())

    assert result.outcome is DeliveryOutcome.PERMANENT
    assert not result.retryable
    assert (result.smtp_code, result.enhanced_code) == (550, "5.1.1")
    assert result.suppressed_addresses == (TO,)
    assert result.detail is not None
    assert TO not in result.detail
    assert smtp_server.handler.received == []


def test_policy_refusal_is_permanent_but_does_not_suppress(
    channel: SmtpChannel, smtp_server: SmtpServer
) -> None:
    smtp_server.handler.script.rcpt[TO] = "550 5.7.1 Message refused by policy"

    result = channel.send(outbound())

    assert result.outcome is DeliveryOutcome.PERMANENT
    assert result.suppressed_addresses == ()


def test_enhanced_code_wins_over_a_contradicting_basic_code(
    channel: SmtpChannel, smtp_server: SmtpServer
) -> None:
    smtp_server.handler.script.rcpt[TO] = "550 4.2.2 Mailbox full, try later"

    result = channel.send(outbound())

    assert result.outcome is DeliveryOutcome.TRANSIENT
    assert result.enhanced_code == "4.2.2"


def test_basic_code_decides_without_an_enhanced_code(
    channel: SmtpChannel, smtp_server: SmtpServer
) -> None:
    smtp_server.handler.script.rcpt[TO] = "452 Too many recipients"

    result = channel.send(outbound())

    assert result.outcome is DeliveryOutcome.TRANSIENT
    assert (result.smtp_code, result.enhanced_code) == (452, None)


def test_mixed_refusals_are_reported_per_recipient(
    channel: SmtpChannel, smtp_server: SmtpServer
) -> None:
    smtp_server.handler.script.rcpt[CC] = "550 5.1.1 no such user"

    result = channel.send(outbound(cc=(CC,)))

    assert result.outcome is DeliveryOutcome.PARTIAL
    assert result.delivered
    by_role = {item.role: item for item in result.recipients}
    assert by_role[RecipientRole.TO].outcome is DeliveryOutcome.SENT
    assert by_role[RecipientRole.CC].outcome is DeliveryOutcome.PERMANENT
    assert by_role[RecipientRole.CC].enhanced_code == "5.1.1"
    assert result.suppressed_addresses == (CC,)
    [received] = smtp_server.handler.received
    assert received.rcpt_tos == [TO]


def test_all_recipients_refused_mixed_is_transient_with_suppression(
    channel: SmtpChannel, smtp_server: SmtpServer
) -> None:
    smtp_server.handler.script.rcpt[TO] = "451 4.3.0 temporary problem"
    smtp_server.handler.script.rcpt[CC] = "550 5.1.1 no such user"

    result = channel.send(outbound(cc=(CC,)))

    assert result.outcome is DeliveryOutcome.TRANSIENT
    assert result.suppressed_addresses == (CC,)
    assert smtp_server.handler.received == []


@pytest.mark.parametrize(
    ("reply", "outcome", "enhanced"),
    [
        ("452 4.3.1 Insufficient system storage", DeliveryOutcome.TRANSIENT, "4.3.1"),
        ("552 5.3.4 Message too big for system", DeliveryOutcome.PERMANENT, "5.3.4"),
    ],
)
def test_refusal_after_data_applies_to_the_whole_message(
    channel: SmtpChannel,
    smtp_server: SmtpServer,
    reply: str,
    outcome: DeliveryOutcome,
    enhanced: str,
) -> None:
    smtp_server.handler.script.data = reply

    result = channel.send(outbound(cc=(CC,)))

    assert result.outcome is outcome
    assert result.reason is DeliveryReason.DATA_REFUSED
    assert result.enhanced_code == enhanced
    assert [item.outcome for item in result.recipients] == [outcome, outcome]
    # A refused message says nothing about the addresses.
    assert result.suppressed_addresses == ()


def test_sender_refused_is_classified(channel: SmtpChannel, smtp_server: SmtpServer) -> None:
    smtp_server.handler.script.mail = "553 5.7.8 Sender address not allowed"

    result = channel.send(outbound())

    assert result.outcome is DeliveryOutcome.PERMANENT
    assert result.reason is DeliveryReason.SENDER_REFUSED
    assert result.suppressed_addresses == ()


def test_disconnect_after_the_final_dot_is_unknown(
    channel: SmtpChannel, smtp_server: SmtpServer
) -> None:
    smtp_server.handler.script.drop_after_data = True

    result = channel.send(outbound())

    assert result.outcome is DeliveryOutcome.UNKNOWN
    assert result.reason is DeliveryReason.NO_REPLY_AFTER_DATA
    assert not result.retryable
    assert result.message_id is not None
    assert [item.outcome for item in result.recipients] == [DeliveryOutcome.UNKNOWN]
    # It was not retried: the server holds exactly one copy.
    assert len(smtp_server.handler.received) == 1


def test_read_timeout_after_the_final_dot_is_unknown(
    smtp_server: SmtpServer, builder: MessageBuilder
) -> None:
    smtp_server.handler.script.hang_after_data = True
    channel = SmtpChannel(smtp_settings(smtp_server.port, timeout=0.5), builder=builder)

    result = channel.send(outbound())

    assert result.outcome is DeliveryOutcome.UNKNOWN
    assert len(smtp_server.handler.received) == 1


def test_disconnect_before_data_is_transient(channel: SmtpChannel, smtp_server: SmtpServer) -> None:
    smtp_server.handler.script.drop_at_rcpt = True

    result = channel.send(outbound())

    assert result.outcome is DeliveryOutcome.TRANSIENT
    assert result.reason is DeliveryReason.CONNECTION_LOST
    assert smtp_server.handler.received == []


def test_invalid_recipient_is_permanent_without_contacting_the_server(
    channel: SmtpChannel, smtp_server: SmtpServer
) -> None:
    result = channel.send(outbound(to="not-an-address"))

    assert result.outcome is DeliveryOutcome.PERMANENT
    assert result.reason is DeliveryReason.INVALID_MESSAGE
    assert result.detail == "invalid_recipient"
    assert smtp_server.handler.connections == 0


def test_no_address_or_content_reaches_logs_or_reprs(
    channel: SmtpChannel, smtp_server: SmtpServer, leak_guard: LeakGuard
) -> None:
    leak_guard.watch(TO, CC, "Canaryqz Person", "Data Engineer", "Thank you for your time")
    smtp_server.handler.script.rcpt[CC] = f"550 5.1.1 <{CC}> unknown"

    with channel:
        results = [
            channel.send(outbound(cc=(CC,))),
            channel.send(outbound("second", to="bad address")),
        ]
    smtp_server.handler.script.drop_after_data = True
    results.append(channel.send(outbound("third")))

    for result in results:
        leak_guard.check_object("result", result)
        for recipient in result.recipients:
            leak_guard.check_object("recipient", recipient)
        if result.detail:
            leak_guard.check_text("detail", result.detail)
