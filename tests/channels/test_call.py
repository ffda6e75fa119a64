"""The call channel: a recruiter notification with the due time and two signed links."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from ats_reject.channels import (
    CALL_LINK_PURPOSES,
    CallChannel,
    CallTask,
    DeliveryOutcome,
    Mailbox,
    MaildirChannel,
    MessageBuilder,
    SmtpChannel,
)
from ats_reject.clock import FrozenClock
from ats_reject.compose import Composer, Purpose, sample_context
from ats_reject.config import SmtpSecurity, SmtpSettings
from ats_reject.links import InvalidLinkError, LinkPurpose, LinkSigner
from ats_reject.testing import LeakGuard

from .conftest import Content, SmtpServer

DUE = datetime(2025, 6, 3, 8, 0, tzinfo=UTC)
FALLBACK = datetime(2025, 6, 4, 12, 0, tzinfo=UTC)
RECRUITER = Mailbox("dana.recruiter@northwind.example", "Dana Recruiter")
BASE = "https://jobs.northwind.example/l"
_URL = re.compile(r"https://jobs\.northwind\.example/l/(\w+)/([A-Za-z0-9_-]+)")


def _task(**changes: object) -> CallTask:
    values: dict[str, object] = {
        "send_id": "call-note-17",
        "action_id": "action-17",
        "recruiter": RECRUITER,
        "talking_points": Composer().compose(
            Purpose.CALL_TALKING_POINTS, sample_context(Purpose.CALL_TALKING_POINTS)
        ),
        "due_at": DUE,
        "zone": "Europe/Berlin",
        "fallback_at": FALLBACK,
    }
    values.update(changes)
    return CallTask(**values)  # type: ignore[arg-type]


def _channel(
    tmp_path: Path, builder: MessageBuilder, signer: LinkSigner, clock: FrozenClock
) -> tuple[CallChannel, MaildirChannel]:
    transport = MaildirChannel(tmp_path / "md", builder=builder)
    return CallChannel(transport, link_signer=signer, clock=clock, base_url=BASE), transport


def _read(transport: MaildirChannel, send_id: str) -> EmailMessage:
    found = transport.find(send_id)
    assert found is not None
    message = email.message_from_bytes(found.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_notification_reaches_the_recruiter_with_due_time_points_and_links(
    tmp_path: Path, builder: MessageBuilder, signer: LinkSigner, clock: FrozenClock
) -> None:
    channel, transport = _channel(tmp_path, builder, signer, clock)
    task = _task()

    result = channel.send(task)

    assert result.outcome is DeliveryOutcome.SENT
    message = _read(transport, "call-note-17")
    assert message["To"].addresses[0].addr_spec == RECRUITER.address
    assert message["Message-ID"] == "<send-call-note-17@northwind.example>"
    assert message["Subject"] == task.talking_points.subject
    assert message["List-Unsubscribe"] is None
    text = message.get_content()
    assert "Call due: Tuesday 3 June 2025, 10:00 (Europe/Berlin)" in text
    assert "not marked done by Wednesday 4 June 2025, 14:00 (Europe/Berlin)" in text
    assert task.talking_points.text.strip().splitlines()[0] in text
    links = dict(_URL.findall(text))
    assert set(links) == {purpose.value for purpose in CALL_LINK_PURPOSES}
    for purpose in CALL_LINK_PURPOSES:
        payload = signer.verify(links[purpose.value], purpose)
        assert payload.subject_id == "action-17"
        assert payload.expires_at == FALLBACK + timedelta(days=7)
    with pytest.raises(InvalidLinkError):
        signer.verify(links["call_done"], LinkPurpose.UNSUBSCRIBE)


def test_links_expire_after_the_grace_period(
    tmp_path: Path, builder: MessageBuilder, signer: LinkSigner, clock: FrozenClock
) -> None:
    channel, _ = _channel(tmp_path, builder, signer, clock)
    links = channel.links(_task())
    token = links.done_url.rsplit("/", 1)[1]

    clock.set(FALLBACK + timedelta(days=7))

    with pytest.raises(InvalidLinkError):
        signer.verify(token, LinkPurpose.CALL_DONE)


def test_a_late_notification_still_gets_working_links(
    tmp_path: Path, builder: MessageBuilder, signer: LinkSigner, clock: FrozenClock
) -> None:
    channel, _ = _channel(tmp_path, builder, signer, clock)
    clock.set(FALLBACK + timedelta(days=30))

    links = channel.links(_task())

    assert links.expires_at == clock.now() + timedelta(days=7)
    token = links.send_email_url.rsplit("/", 1)[1]
    assert signer.verify(token, LinkPurpose.CALL_SEND_EMAIL).subject_id == "action-17"


def test_german_points_get_german_lines(
    tmp_path: Path, builder: MessageBuilder, signer: LinkSigner, clock: FrozenClock
) -> None:
    channel, transport = _channel(tmp_path, builder, signer, clock)
    points = Composer().compose(
        Purpose.CALL_TALKING_POINTS, sample_context(Purpose.CALL_TALKING_POINTS, locale="de")
    )

    channel.send(_task(talking_points=points))

    text = _read(transport, "call-note-17").get_content()
    assert "Anruf fällig: Dienstag, 3. Juni 2025, 10:00 (Europe/Berlin)" in text
    assert "Anruf erledigt: https://" in text


def test_html_points_get_the_links_inside_the_body(
    tmp_path: Path, builder: MessageBuilder, signer: LinkSigner, clock: FrozenClock
) -> None:
    channel, _ = _channel(tmp_path, builder, signer, clock)
    points = Content("Call Alex", "Points\n", "<html><body><p>Points</p></body></html>")

    notification = channel.notification(_task(talking_points=points, fallback_at=None))

    rich = notification.content.html
    assert rich is not None
    assert rich.endswith("</body></html>")
    assert rich.count('href="https://jobs.northwind.example/l/call_') == 2
    assert "Call due: Tuesday 3 June 2025, 10:00 (Europe/Berlin)" in rich
    assert "not marked done" not in rich


def test_notification_goes_through_smtp_too(
    smtp_server: SmtpServer, builder: MessageBuilder, signer: LinkSigner, clock: FrozenClock
) -> None:
    settings = SmtpSettings(host="127.0.0.1", port=smtp_server.port, security=SmtpSecurity.NONE)
    channel = CallChannel(
        SmtpChannel(settings, builder=builder), link_signer=signer, clock=clock, base_url=BASE
    )

    with channel:
        result = channel.send(_task())

    assert result.outcome is DeliveryOutcome.SENT
    [received] = smtp_server.handler.received
    assert received.rcpt_tos == [RECRUITER.address]


def test_base_url_must_be_https(
    tmp_path: Path, builder: MessageBuilder, signer: LinkSigner, clock: FrozenClock
) -> None:
    transport = MaildirChannel(tmp_path / "md", builder=builder)

    with pytest.raises(ValueError, match="https"):
        CallChannel(transport, link_signer=signer, clock=clock, base_url="http://x.example")


def test_links_and_addresses_stay_out_of_reprs(
    tmp_path: Path,
    builder: MessageBuilder,
    signer: LinkSigner,
    clock: FrozenClock,
    leak_guard: LeakGuard,
) -> None:
    channel, _ = _channel(tmp_path, builder, signer, clock)
    task = _task()
    links = channel.links(task)
    leak_guard.watch(RECRUITER.address, "Dana Recruiter", links.done_url.rsplit("/", 1)[1])

    leak_guard.check_object("task", task)
    leak_guard.check_object("links", links)
    leak_guard.check_object("channel", channel)
    leak_guard.check_object("result", channel.send(task))
