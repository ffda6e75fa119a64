"""The Maildir channel: writes readable messages, creates the folder, never writes one twice."""

from __future__ import annotations

import mailbox
import os
import threading
from pathlib import Path

from ats_reject.channels import (
    DeliveryOutcome,
    DeliveryReason,
    MaildirChannel,
    MessageBuilder,
)
from ats_reject.policy import MessageKind
from ats_reject.testing import LeakGuard

from .conftest import outbound


def _messages(folder: Path) -> list[mailbox.MaildirMessage]:
    return list(mailbox.Maildir(folder, create=False))


def test_writes_a_readable_message_into_a_new_maildir(
    tmp_path: Path, builder: MessageBuilder
) -> None:
    folder = tmp_path / "nested" / "maildir"
    channel = MaildirChannel(folder, builder=builder)

    result = channel.send(outbound("first-1", html="<p>Hello</p>"))

    assert result.outcome is DeliveryOutcome.SENT
    assert result.reason is DeliveryReason.ACCEPTED
    [message] = _messages(folder)
    assert message["Message-ID"] == result.message_id == "<send-first-1@northwind.example>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    assert (folder / "new" / "send-first-1").is_file()
    assert list((folder / "tmp").iterdir()) == []


def test_the_same_action_twice_leaves_one_file(tmp_path: Path, builder: MessageBuilder) -> None:
    channel = MaildirChannel(tmp_path / "md", builder=builder)

    first = channel.send(outbound("twice-1"))
    second = channel.send(outbound("twice-1"))

    assert first.reason is DeliveryReason.ACCEPTED
    assert second.outcome is DeliveryOutcome.SENT
    assert second.reason is DeliveryReason.ALREADY_DELIVERED
    assert second.message_id == first.message_id
    assert len(_messages(tmp_path / "md")) == 1


def test_a_message_already_read_counts_as_delivered(
    tmp_path: Path, builder: MessageBuilder
) -> None:
    folder = tmp_path / "md"
    channel = MaildirChannel(folder, builder=builder)
    channel.send(outbound("read-1"))
    # A mail client moves what it has read to cur/ and adds flags.
    os.rename(folder / "new" / "send-read-1", folder / "cur" / "send-read-1:2,S")

    again = channel.send(outbound("read-1"))

    assert again.reason is DeliveryReason.ALREADY_DELIVERED
    assert channel.find("read-1") == folder / "cur" / "send-read-1:2,S"
    assert len(_messages(folder)) == 1


def test_concurrent_writers_of_one_action_leave_one_file(
    tmp_path: Path, builder: MessageBuilder
) -> None:
    folder = tmp_path / "md"
    channels = [MaildirChannel(folder, builder=builder) for _ in range(8)]
    barrier = threading.Barrier(len(channels))
    reasons: list[DeliveryReason] = []

    def write(channel: MaildirChannel) -> None:
        barrier.wait()
        reasons.append(channel.send(outbound("raced-1")).reason)

    threads = [threading.Thread(target=write, args=(channel,)) for channel in channels]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(reasons).count(DeliveryReason.ACCEPTED) == 1
    assert len(_messages(folder)) == 1
    assert list((folder / "tmp").iterdir()) == []


def test_different_actions_are_different_files(tmp_path: Path, builder: MessageBuilder) -> None:
    channel = MaildirChannel(tmp_path / "md", builder=builder)

    with channel:
        for number in range(3):
            channel.send(outbound(f"many-{number}", kind=MessageKind.RE_ENGAGEMENT))

    ids = sorted(str(message["Message-ID"]) for message in _messages(tmp_path / "md"))
    assert ids == [f"<send-many-{number}@northwind.example>" for number in range(3)]


def test_invalid_message_is_permanent_and_writes_nothing(
    tmp_path: Path, builder: MessageBuilder
) -> None:
    channel = MaildirChannel(tmp_path / "md", builder=builder)

    result = channel.send(outbound("bad-1", to="not an address"))

    assert result.outcome is DeliveryOutcome.PERMANENT
    assert result.reason is DeliveryReason.INVALID_MESSAGE
    assert not (tmp_path / "md").exists()


def test_an_unwritable_folder_is_transient(tmp_path: Path, builder: MessageBuilder) -> None:
    folder = tmp_path / "md"
    MaildirChannel(folder, builder=builder).open()
    # A file where tmp/ should be: no write can succeed, even for root.
    (folder / "tmp").rmdir()
    (folder / "tmp").write_bytes(b"")

    result = MaildirChannel(folder, builder=builder).send(outbound("locked-1"))

    assert result.outcome is DeliveryOutcome.TRANSIENT
    assert result.reason is DeliveryReason.WRITE_FAILED
    assert result.retryable
    assert list((folder / "new").iterdir()) == []


def test_find_ignores_ids_that_are_not_send_ids(tmp_path: Path, builder: MessageBuilder) -> None:
    channel = MaildirChannel(tmp_path / "md", builder=builder)
    channel.send(outbound("real-1"))

    assert channel.find("../new/send-real-1") is None
    assert channel.find("real-1") is not None


def test_nothing_personal_in_logs_or_reprs(
    tmp_path: Path, builder: MessageBuilder, leak_guard: LeakGuard
) -> None:
    leak_guard.watch("canary.qz.1@example.test", "Canaryqz Person", "Data Engineer")
    channel = MaildirChannel(tmp_path / "md", builder=builder)

    results = [channel.send(outbound("leak-1")), channel.send(outbound("leak-1"))]

    leak_guard.check_object("channel", channel)
    for result in results:
        leak_guard.check_object("result", result)
