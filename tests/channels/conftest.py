"""A real SMTP server (aiosmtpd on 127.0.0.1) with scripted answers, and shared builders."""

from __future__ import annotations

import asyncio
import logging
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pydantic import SecretStr

from ats_reject.channels import Mailbox, MessageBuilder, OutboundMessage, SmtpChannel
from ats_reject.clock import FrozenClock
from ats_reject.config import SmtpSecurity, SmtpSettings
from ats_reject.links import LinkSigner
from ats_reject.policy import MessageKind

LINK_SECRET = SecretStr("link-secret-for-tests-0123456789-abcdefghijklmnop")
SMTP_USER = "mailer"
SMTP_PASSWORD = "smtp-password-canary-5f3a9c"


@dataclass(frozen=True)
class Content:
    """A composed message as the composer would return it."""

    subject: str
    text: str
    html: str | None = None


@dataclass
class Received:
    """One message the server accepted (or swallowed before dropping the connection)."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    peer: Any
    authenticated: bool = False


@dataclass
class Script:
    """What the server answers; anything not scripted is accepted."""

    mail: str | None = None
    rcpt: dict[str, str] = field(default_factory=dict)
    data: str | None = None
    drop_at_rcpt: bool = False
    drop_after_data: bool = False
    hang_after_data: bool = False
    drop_on_second_mail: bool = False
    closing_on_second_mail: bool = False


class ScriptedHandler:
    """An aiosmtpd handler that records what arrives and answers as scripted."""

    def __init__(self) -> None:
        self.script = Script()
        self.received: list[Received] = []
        self.mail_peers: list[Any] = []
        self.release = asyncio.Event()

    @property
    def connections(self) -> int:
        """Distinct client connections that started at least one transaction."""
        return len(set(self.mail_peers))

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, mail_options: list[str]
    ) -> str:
        earlier = self.mail_peers.count(session.peer)
        self.mail_peers.append(session.peer)
        if earlier and self.script.drop_on_second_mail:
            server.transport.close()
            return "250 OK"
        if earlier and self.script.closing_on_second_mail:
            asyncio.get_running_loop().call_soon(server.transport.close)
            return "421 4.4.2 idle too long, closing"
        if self.script.mail is not None:
            return self.script.mail
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if self.script.drop_at_rcpt:
            server.transport.close()
            return "250 OK"
        scripted = self.script.rcpt.get(address)
        if scripted is not None:
            return scripted
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        received = Received(
            envelope.mail_from,
            list(envelope.rcpt_tos),
            envelope.content,
            session.peer,
            bool(session.authenticated),
        )
        if self.script.drop_after_data:
            # The message arrived whole; the answer never leaves.
            self.received.append(received)
            server.transport.close()
            return "250 OK"
        if self.script.hang_after_data:
            self.received.append(received)
            await self.release.wait()
            return "250 OK"
        if self.script.data is not None:
            return self.script.data
        self.received.append(received)
        return "250 2.0.0 Message accepted"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class SmtpServer:
    handler: ScriptedHandler
    port: int
    controller: Controller


def _start(handler: ScriptedHandler, **kwargs: Any) -> SmtpServer:
    port = free_port()
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, server_hostname="mx.test", **kwargs
    )
    controller.start()
    return SmtpServer(handler, port, controller)


def _stop(server: SmtpServer) -> None:
    loop = server.controller.loop
    loop.call_soon_threadsafe(server.handler.release.set)
    server.controller.stop()


@pytest.fixture(autouse=True)
def _quiet_fake_server() -> Iterator[None]:
    """Keep the fake server's own log (it prints addresses) away from the leak guard."""
    server_log = logging.getLogger("mail.log")
    before = server_log.propagate
    server_log.propagate = False
    yield
    server_log.propagate = before


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = _start(ScriptedHandler())
    try:
        yield server
    finally:
        _stop(server)


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, made with openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed: no certificate for the TLS tests")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(  # noqa: S603 - a fixed command line
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def client_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    """A client context that trusts the test certificate (and checks the host name)."""
    return ssl.create_default_context(cafile=str(certificate[0]))


def _server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    return context


def _authenticator(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == SMTP_USER.encode()
        and auth_data.password == SMTP_PASSWORD.encode()
    )
    # handled=False: aiosmtpd answers 535 itself.
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def starttls_server(certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    server = _start(
        ScriptedHandler(),
        tls_context=_server_tls(certificate),
        require_starttls=True,
        auth_required=True,
        authenticator=_authenticator,
    )
    try:
        yield server
    finally:
        _stop(server)


@pytest.fixture
def ssl_server(certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    server = _start(
        ScriptedHandler(),
        ssl_context=_server_tls(certificate),
        # aiosmtpd only counts STARTTLS as TLS; this connection is TLS from the first byte.
        auth_require_tls=False,
        authenticator=_authenticator,
    )
    try:
        yield server
    finally:
        _stop(server)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2025, 6, 2, 8, 30, tzinfo=UTC))


@pytest.fixture
def signer(clock: FrozenClock) -> LinkSigner:
    return LinkSigner(LINK_SECRET, clock=clock)


@pytest.fixture
def builder(clock: FrozenClock, signer: LinkSigner) -> MessageBuilder:
    return MessageBuilder(
        sender=Mailbox("talent@northwind.example", "Northwind Talent Team"),
        clock=clock,
        link_signer=signer,
        unsubscribe_base_url="https://jobs.northwind.example/l",
        list_sender=Mailbox("talent-pool@northwind.example", "Northwind Talent Pool"),
    )


def smtp_settings(port: int, **extra: object) -> SmtpSettings:
    """Settings for the test server: plain text on 127.0.0.1 unless *extra* says otherwise."""
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": port,
        "security": SmtpSecurity.NONE,
        "timeout": 5.0,
    }
    values.update(extra)
    return SmtpSettings.model_validate(values)


@pytest.fixture
def channel(smtp_server: SmtpServer, builder: MessageBuilder) -> Iterator[SmtpChannel]:
    made = SmtpChannel(
        smtp_settings(smtp_server.port), builder=builder, local_hostname="client.test"
    )
    yield made
    made.close()


def outbound(
    send_id: str = "0f9c2e7a4b1d4e3c8a6b5d4c3b2a1908",
    *,
    kind: MessageKind = MessageKind.REJECTION,
    to: str = "canary.qz.1@example.test",
    name: str | None = "Canaryqz Person",
    cc: tuple[str, ...] = (),
    html: str | None = None,
    subject: str = "Your application for Data Engineer",
    text: str = "Dear Canaryqz,\n\nThank you for your time.\n",
    reply_to: Mailbox | None = None,
) -> OutboundMessage:
    return OutboundMessage(
        send_id=send_id,
        kind=kind,
        to=Mailbox(to, name),
        content=Content(subject, text, html),
        reply_to=reply_to,
        cc=tuple(Mailbox(address) for address in cc),
    )
