"""The SMTP channel against a real SMTP server (aiosmtpd on 127.0.0.1), scripted per test."""

from __future__ import annotations

import email
import email.policy
import ssl
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from ats_reject.channels import (
    DeliveryOutcome,
    DeliveryReason,
    MessageBuilder,
    RecipientRole,
    SmtpChannel,
)
from ats_reject.config import SmtpSecurity, SmtpSettings
from ats_reject.testing import LeakGuard

from .conftest import SMTP_PASSWORD, SMTP_USER, SmtpServer, free_port, outbound

TO = "canary.qz.1@example.test"
CC = "canary.qz.2@example.test"


def _settings(server_port: int, **extra: object) -> SmtpSettings:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": server_port,
        "security": SmtpSecurity.NONE,
        "timeout": 5.0,
    }
    values.update(extra)
    return SmtpSettings.model_validate(values)


@pytest.fixture
def channel(smtp_server: SmtpServer, builder: MessageBuilder) -> Iterator[SmtpChannel]:
    made = SmtpChannel(_settings(smtp_server.port), builder=builder, local_hostname="client.test")
    yield made
    made.close()


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
    channel = SmtpChannel(_settings(smtp_server.port, timeout=0.5), builder=builder)

    result = channel.send(outbound())

    assert result.outcome is DeliveryOutcome.UNKNOWN
    assert len(smtp_server.handler.received) == 1


def test_disconnect_before_data_is_transient(
    channel: SmtpChannel, smtp_server: SmtpServer
) -> None:
    smtp_server.handler.script.drop_at_rcpt = True

    result = channel.send(outbound())

    assert result.outcome is DeliveryOutcome.TRANSIENT
    assert result.reason is DeliveryReason.CONNECTION_LOST
    assert smtp_server.handler.received == []


def test_one_connection_carries_a_batch(channel: SmtpChannel, smtp_server: SmtpServer) -> None:
    with channel:
        results = [channel.send(outbound(f"batch-{number}")) for number in range(5)]

    assert [result.outcome for result in results] == [DeliveryOutcome.SENT] * 5
    assert smtp_server.handler.connections == 1
    assert channel.connections_opened == 1
    assert len(smtp_server.handler.received) == 5
    assert len({result.message_id for result in results}) == 5


def test_without_a_batch_each_message_has_its_own_connection(
    channel: SmtpChannel, smtp_server: SmtpServer
) -> None:
    for number in range(3):
        assert channel.send(outbound(f"single-{number}")).outcome is DeliveryOutcome.SENT

    assert smtp_server.handler.connections == 3


def test_batch_continues_after_refusals_on_the_same_connection(
    channel: SmtpChannel, smtp_server: SmtpServer
) -> None:
    smtp_server.handler.script.rcpt["gone@example.test"] = "550 5.1.1 no such user"

    with channel:
        first = channel.send(outbound("refused-1", to="gone@example.test"))
        second = channel.send(outbound("accepted-2"))

    assert first.outcome is DeliveryOutcome.PERMANENT
    assert second.outcome is DeliveryOutcome.SENT
    assert smtp_server.handler.connections == 1


@pytest.mark.parametrize("how", ["silent close", "421 then close"])
def test_connection_dropped_between_messages_is_replaced(
    channel: SmtpChannel, smtp_server: SmtpServer, how: str
) -> None:
    if how == "silent close":
        smtp_server.handler.script.drop_on_second_mail = True
    else:
        smtp_server.handler.script.closing_on_second_mail = True

    with channel:
        first = channel.send(outbound("reuse-1"))
        second = channel.send(outbound("reuse-2"))

    assert (first.outcome, second.outcome) == (DeliveryOutcome.SENT, DeliveryOutcome.SENT)
    assert channel.connections_opened == 2
    assert len(smtp_server.handler.received) == 2


def test_unreachable_server_is_a_transport_failure(builder: MessageBuilder) -> None:
    channel = SmtpChannel(_settings(free_port()), builder=builder)

    result = channel.send(outbound())

    assert result.outcome is DeliveryOutcome.TRANSIENT
    assert result.reason is DeliveryReason.CONNECT_FAILED
    assert result.transport_failed


def test_invalid_recipient_is_permanent_without_contacting_the_server(
    channel: SmtpChannel, smtp_server: SmtpServer
) -> None:
    result = channel.send(outbound(to="not-an-address"))

    assert result.outcome is DeliveryOutcome.PERMANENT
    assert result.reason is DeliveryReason.INVALID_MESSAGE
    assert result.detail == "invalid_recipient"
    assert smtp_server.handler.connections == 0


def test_starttls_with_login_delivers(
    starttls_server: SmtpServer, builder: MessageBuilder, client_tls: ssl.SSLContext
) -> None:
    settings = _settings(
        starttls_server.port,
        security=SmtpSecurity.STARTTLS,
        username=SMTP_USER,
        password=SecretStr(SMTP_PASSWORD),
    )
    channel = SmtpChannel(settings, builder=builder, ssl_context=client_tls)

    result = channel.send(outbound())

    assert result.outcome is DeliveryOutcome.SENT
    [received] = starttls_server.handler.received
    assert received.authenticated


def test_wrong_password_is_an_auth_failure_without_the_password(
    starttls_server: SmtpServer,
    builder: MessageBuilder,
    client_tls: ssl.SSLContext,
    leak_guard: LeakGuard,
) -> None:
    leak_guard.watch("wrong-password-canary-77")
    settings = _settings(
        starttls_server.port,
        security=SmtpSecurity.STARTTLS,
        username=SMTP_USER,
        password=SecretStr("wrong-password-canary-77"),
    )
    channel = SmtpChannel(settings, builder=builder, ssl_context=client_tls)

    result = channel.send(outbound())

    assert result.outcome is DeliveryOutcome.TRANSIENT
    assert result.reason is DeliveryReason.AUTH_FAILED
    assert result.transport_failed
    leak_guard.check_object("result", result)
    leak_guard.check_object("channel", channel)


def test_untrusted_certificate_is_a_tls_failure_never_plain_text(
    starttls_server: SmtpServer, builder: MessageBuilder
) -> None:
    settings = _settings(starttls_server.port, security=SmtpSecurity.STARTTLS)
    channel = SmtpChannel(settings, builder=builder, ssl_context=ssl.create_default_context())

    result = channel.send(outbound())

    assert result.reason is DeliveryReason.TLS_FAILED
    assert starttls_server.handler.received == []


def test_starttls_refused_when_the_server_does_not_offer_it(
    smtp_server: SmtpServer, builder: MessageBuilder, client_tls: ssl.SSLContext
) -> None:
    settings = _settings(smtp_server.port, security=SmtpSecurity.STARTTLS)
    channel = SmtpChannel(settings, builder=builder, ssl_context=client_tls)

    result = channel.send(outbound())

    assert result.reason is DeliveryReason.TLS_FAILED
    assert smtp_server.handler.received == []


def test_implicit_tls_with_login_delivers(
    ssl_server: SmtpServer, builder: MessageBuilder, client_tls: ssl.SSLContext
) -> None:
    settings = _settings(
        ssl_server.port,
        security=SmtpSecurity.SSL,
        username=SMTP_USER,
        password=SecretStr(SMTP_PASSWORD),
    )
    channel = SmtpChannel(settings, builder=builder, ssl_context=client_tls)

    with channel:
        results = [channel.send(outbound(f"tls-{number}")) for number in range(2)]

    assert [result.outcome for result in results] == [DeliveryOutcome.SENT] * 2
    assert ssl_server.handler.connections == 1
    assert all(received.authenticated for received in ssl_server.handler.received)


def test_implicit_tls_with_an_untrusted_certificate_fails_cleanly(
    ssl_server: SmtpServer, builder: MessageBuilder
) -> None:
    settings = _settings(ssl_server.port, security=SmtpSecurity.SSL)
    channel = SmtpChannel(settings, builder=builder, ssl_context=ssl.create_default_context())

    result = channel.send(outbound())

    assert result.reason is DeliveryReason.TLS_FAILED


def test_verify_connection_reports_a_usable_server(
    channel: SmtpChannel, smtp_server: SmtpServer
) -> None:
    assert channel.verify_connection().outcome is DeliveryOutcome.SENT


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
