"""SMTP connections: one per batch, replaced when dropped, TLS, login, unreachable servers."""

from __future__ import annotations

import ssl

import pytest
from pydantic import SecretStr

from ats_reject.channels import (
    DeliveryOutcome,
    DeliveryReason,
    MessageBuilder,
    SmtpChannel,
)
from ats_reject.config import SmtpSecurity
from ats_reject.testing import LeakGuard

from .conftest import SMTP_PASSWORD, SMTP_USER, SmtpServer, free_port, outbound, smtp_settings


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
    channel = SmtpChannel(smtp_settings(free_port()), builder=builder)

    result = channel.send(outbound())

    assert result.outcome is DeliveryOutcome.TRANSIENT
    assert result.reason is DeliveryReason.CONNECT_FAILED
    assert result.transport_failed


def test_starttls_with_login_delivers(
    starttls_server: SmtpServer, builder: MessageBuilder, client_tls: ssl.SSLContext
) -> None:
    settings = smtp_settings(
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
    settings = smtp_settings(
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
    settings = smtp_settings(starttls_server.port, security=SmtpSecurity.STARTTLS)
    channel = SmtpChannel(settings, builder=builder, ssl_context=ssl.create_default_context())

    result = channel.send(outbound())

    assert result.reason is DeliveryReason.TLS_FAILED
    assert starttls_server.handler.received == []


def test_starttls_refused_when_the_server_does_not_offer_it(
    smtp_server: SmtpServer, builder: MessageBuilder, client_tls: ssl.SSLContext
) -> None:
    settings = smtp_settings(smtp_server.port, security=SmtpSecurity.STARTTLS)
    channel = SmtpChannel(settings, builder=builder, ssl_context=client_tls)

    result = channel.send(outbound())

    assert result.reason is DeliveryReason.TLS_FAILED
    assert smtp_server.handler.received == []


def test_implicit_tls_with_login_delivers(
    ssl_server: SmtpServer, builder: MessageBuilder, client_tls: ssl.SSLContext
) -> None:
    settings = smtp_settings(
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
    settings = smtp_settings(ssl_server.port, security=SmtpSecurity.SSL)
    channel = SmtpChannel(settings, builder=builder, ssl_context=ssl.create_default_context())

    result = channel.send(outbound())

    assert result.reason is DeliveryReason.TLS_FAILED


def test_verify_connection_reports_a_usable_server(
    channel: SmtpChannel, smtp_server: SmtpServer
) -> None:
    assert channel.verify_connection().outcome is DeliveryOutcome.SENT
