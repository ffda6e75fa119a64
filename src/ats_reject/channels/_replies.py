"""SMTP replies → outcomes (RFC 5321 §4.2, RFC 3463 enhanced status codes).

A refusal is classified by its enhanced code when the server gives one, because servers use
the basic codes loosely; ``4.x.x`` is worth another try later, ``5.x.x`` is not. Success is
only ever a basic ``2yz``. Only codes that say the
mailbox itself is gone or unusable put an address on the suppression list: a policy or
spam refusal (``5.7.x``) says nothing about the person's address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ats_reject._redact import redact_text
from ats_reject.channels._results import DeliveryOutcome

__all__ = ["Reply", "SUPPRESSING_CODES", "parse_reply"]

SUPPRESSING_CODES = frozenset(
    {
        "5.1.1",  # bad destination mailbox address
        "5.1.2",  # bad destination system address
        "5.1.3",  # bad destination mailbox address syntax
        "5.1.6",  # destination mailbox has moved, no forwarding address
        "5.1.10",  # recipient address has null MX (RFC 7505)
        "5.2.1",  # mailbox disabled, not accepting messages
    }
)
"""Permanent enhanced codes that mean the address cannot receive mail."""

_ENHANCED = re.compile(r"^([245])\.(\d{1,3})\.(\d{1,3})(?=\s|$)")
_MAX_DETAIL = 160


@dataclass(frozen=True, slots=True)
class Reply:
    """One classified SMTP reply.

    Attributes:
        code: The basic reply code.
        enhanced: The enhanced status code, when the reply starts with one.
        outcome: ``sent``, ``transient`` or ``permanent``.
        suppress: Whether the address the reply is about should be suppressed.
        detail: The reply text, redacted and shortened.
    """

    code: int
    enhanced: str | None
    outcome: DeliveryOutcome
    suppress: bool
    detail: str


def parse_reply(code: int, text: bytes | str) -> Reply:
    """Classify the reply *code* with its *text* (as ``smtplib`` returns them)."""
    decoded = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    first = decoded.strip().splitlines()[0] if decoded.strip() else ""
    match = _ENHANCED.match(first)
    enhanced = ".".join(str(int(part)) for part in match.groups()) if match else None
    if 200 <= code < 300:
        # Success is the basic code's word alone: a contradicting enhanced code is noise.
        outcome = DeliveryOutcome.SENT
    elif (enhanced[0] if enhanced and enhanced[0] != "2" else str(code // 100)) == "4":
        outcome = DeliveryOutcome.TRANSIENT
    else:
        # 5yz, and replies outside the grammar where a 2yz was due.
        outcome = DeliveryOutcome.PERMANENT
    suppress = outcome is DeliveryOutcome.PERMANENT and enhanced in SUPPRESSING_CODES
    detail = redact_text(decoded.replace("\n", " "), max_length=_MAX_DETAIL)
    return Reply(code, enhanced, outcome, suppress, detail)
