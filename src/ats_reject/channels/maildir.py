"""The Maildir channel: messages become files in a local Maildir (the default, and dry runs).

Each message is written to ``tmp/``, synced, then hard-linked into ``new/`` under a name
derived from its send id (``send-<send_id>``), the way Maildir writers deliver atomically.
The link fails when the name is taken, so the same action written twice, by one worker or
by two at once, leaves one file: delivery is idempotent per Message-ID. A mail client that
has read the message moves it to ``cur/`` as ``send-<send_id>:2,<flags>``; that counts as
delivered too.
"""

from __future__ import annotations

import logging
import mailbox
import os
import uuid
from pathlib import Path

from ats_reject._redact import sanitize_log_value
from ats_reject.channels._base import ChannelBase
from ats_reject.channels._message import MessageBuildError, OutboundMessage
from ats_reject.channels._mime import POLICY, MessageBuilder, is_send_id
from ats_reject.channels._results import (
    DeliveryOutcome,
    DeliveryReason,
    DeliveryResult,
    RecipientResult,
)

__all__ = ["MaildirChannel"]

_log = logging.getLogger(__name__)

# Maildir files use the platform's line ends, as every Maildir reader expects.
_FILE_POLICY = POLICY.clone(linesep="\n")


class MaildirChannel(ChannelBase):
    """Writes e-mails into a Maildir folder, creating it when missing.

    Args:
        folder: The Maildir (with ``tmp``, ``new`` and ``cur`` inside, made if missing).
        builder: Builds each message.
    """

    name = "maildir"

    def __init__(self, folder: Path | str, *, builder: MessageBuilder) -> None:
        self._folder = Path(folder)
        self._builder = builder

    @property
    def folder(self) -> Path:
        """The Maildir folder."""
        return self._folder

    @property
    def builder(self) -> MessageBuilder:
        """The message builder this channel uses."""
        return self._builder

    def open(self) -> None:
        """Create the Maildir (and the folders above it) if it is missing.

        Raises:
            OSError: The folder cannot be created.
        """
        self._folder.parent.mkdir(parents=True, exist_ok=True)
        mailbox.Maildir(self._folder, create=True)

    def file_name(self, send_id: str) -> str:
        """The file name the message of *send_id* is delivered under (in ``new/``)."""
        return f"send-{send_id}"

    def find(self, send_id: str) -> Path | None:
        """The file holding the message of *send_id*, in ``new/`` or ``cur/``, if any."""
        if not is_send_id(send_id):
            return None
        name = self.file_name(send_id)
        fresh = self._folder / "new" / name
        if fresh.exists():
            return fresh
        seen = self._folder / "cur"
        try:
            entries = os.scandir(seen)
        except OSError:
            return None
        with entries:
            for entry in entries:
                if entry.name == name or entry.name.startswith((f"{name}:", f"{name}!")):
                    return seen / entry.name
        return None

    def send(self, message: OutboundMessage) -> DeliveryResult:
        """Write *message* unless its Message-ID is already in the Maildir.

        Returns:
            ``sent`` (reason ``accepted``, or ``already_delivered`` when the file was there);
            ``permanent`` for a message that cannot be built; ``transient`` when the disk
            refused the write.

        Raises:
            ConfigurationError: The message is list mail and no unsubscribe link can be
                made.
        """
        try:
            prepared = self._builder.prepare(message)
        except MessageBuildError as exc:
            return self._logged(
                message.send_id,
                DeliveryResult(
                    DeliveryOutcome.PERMANENT, DeliveryReason.INVALID_MESSAGE, detail=exc.code
                ),
            )
        recipients = tuple(
            RecipientResult(address, role, DeliveryOutcome.SENT)
            for address, role in prepared.envelope_to
        )
        delivered = DeliveryResult(
            DeliveryOutcome.SENT,
            DeliveryReason.ACCEPTED,
            prepared.message_id,
            recipients=recipients,
        )
        already = DeliveryResult(
            DeliveryOutcome.SENT,
            DeliveryReason.ALREADY_DELIVERED,
            prepared.message_id,
            recipients=recipients,
        )
        name = self.file_name(message.send_id)
        try:
            self.open()
            if self.find(message.send_id) is not None:
                return self._logged(message.send_id, already)
            written = self._deliver(name, prepared.message.as_bytes(policy=_FILE_POLICY))
        except OSError as exc:
            return self._logged(
                message.send_id,
                DeliveryResult(
                    DeliveryOutcome.TRANSIENT,
                    DeliveryReason.WRITE_FAILED,
                    prepared.message_id,
                    detail=type(exc).__name__,
                ),
            )
        return self._logged(message.send_id, delivered if written else already)

    def _deliver(self, name: str, data: bytes) -> bool:
        """Write *data* as ``new/<name>``; ``False`` when that name already exists."""
        temporary = self._folder / "tmp" / f"{name}.{uuid.uuid4().hex}"
        target = self._folder / "new" / name
        with open(temporary, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, target)
        except FileExistsError:
            return False
        finally:
            temporary.unlink(missing_ok=True)
        return True

    @staticmethod
    def _logged(send_id: object, result: DeliveryResult) -> DeliveryResult:
        _log.info(
            "maildir send_id=%s outcome=%s reason=%s",
            sanitize_log_value(str(send_id))[:140],
            result.outcome.value,
            result.reason.value,
        )
        return result

    def __repr__(self) -> str:
        """The folder only."""
        return f"MaildirChannel(folder={str(self._folder)!r})"
