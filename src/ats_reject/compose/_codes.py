"""The lint codes: stable identifiers, a title each, and the severity they carry by default.

Codes never change meaning and are never reused. ``ARL0xx`` codes check the shape of a
message (placeholders, greeting, role, decision, length, signature, consent); ``ARL1xx``
codes flag risky wording found through the per-locale term lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["CATEGORY_CODES", "LINT_CODES", "LintCode", "Severity"]


class Severity(StrEnum):
    """How serious a finding is: any error routes the message to a person."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class LintCode:
    """One lint code: its identifier, what it means, and its usual severity."""

    code: str
    name: str
    title: str
    severity: Severity


_E = Severity.ERROR
_W = Severity.WARNING

LINT_CODES: dict[str, LintCode] = {
    code.code: code
    for code in (
        LintCode("ARL001", "unfilled-placeholder", "A placeholder was left unfilled", _E),
        LintCode("ARL002", "empty-placeholder", "A placeholder rendered empty", _E),
        LintCode("ARL003", "generic-greeting", "The candidate is not greeted by name", _E),
        LintCode("ARL004", "role-not-named", "The role is not named", _E),
        LintCode("ARL005", "decision-not-stated", "The decision is not stated", _E),
        LintCode("ARL006", "decision-buried", "The decision is not in the first paragraph", _W),
        LintCode("ARL007", "decision-ambiguous", "The decision reads as not final", _E),
        LintCode("ARL008", "holding-states-decision", "A holding update states a rejection", _E),
        LintCode("ARL009", "too-short", "The message is too short to be personal", _W),
        LintCode("ARL010", "too-long", "The message is long", _W),
        LintCode("ARL011", "subject", "The subject is empty or too long", _W),
        LintCode("ARL012", "not-signed", "The message is not signed by the sender", _E),
        LintCode("ARL013", "no-reply-address", "No address to reply to", _W),
        LintCode("ARL014", "consent-link-missing", "The consent link is missing", _E),
        LintCode("ARL015", "no-consent", "Re-engagement without talent-pool consent", _E),
        LintCode("ARL016", "no-term-list", "No term list for the message's language", _E),
        LintCode(
            "ARL017", "withdrawal-states-rejection", "A thank-you for withdrawing rejects", _E
        ),
        LintCode("ARL101", "age", "Age or an age proxy", _E),
        LintCode("ARL102", "gender", "Sex, gender or sexual orientation", _E),
        LintCode("ARL103", "pregnancy", "Pregnancy or parental leave", _E),
        LintCode("ARL104", "family", "Family, children or marital status", _E),
        LintCode("ARL105", "religion", "Religion or belief", _E),
        LintCode("ARL106", "origin", "Race, ethnicity or origin", _E),
        LintCode("ARL107", "nationality", "Nationality, citizenship or immigration", _E),
        LintCode("ARL108", "health", "Disability or health", _E),
        LintCode("ARL109", "culture-fit", "'Culture fit' and similar", _E),
        LintCode("ARL110", "subjective", "A subjective impression of the person", _W),
        LintCode("ARL111", "comparison", "A comparison with other candidates", _E),
        LintCode(
            "ARL112", "promise", "A promise to keep the CV or of future roles, no consent", _E
        ),
    )
}
"""Every lint code by identifier."""

CATEGORY_CODES: dict[str, str] = {
    "age": "ARL101",
    "gender": "ARL102",
    "pregnancy": "ARL103",
    "family": "ARL104",
    "religion": "ARL105",
    "origin": "ARL106",
    "nationality": "ARL107",
    "health": "ARL108",
    "culture_fit": "ARL109",
    "subjective": "ARL110",
    "comparison": "ARL111",
    "promise": "ARL112",
}
"""The term-list categories a locale file may fill, and the code each reports under."""
