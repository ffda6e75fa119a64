"""Locale tags: normalisation, the fallback chain, and long dates per language.

Dates are formatted from small tables here rather than through a localisation library: the
templates need one format (a weekday and a date) in a handful of languages, and a new runtime
dependency for that would be out of proportion.
"""

from __future__ import annotations

import re
from datetime import date

__all__ = ["format_long_date", "locale_chain", "normalize_locale"]

# language[-Script][-REGION][-variant...], the subset of BCP 47 that templates are filed under.
_TAG = re.compile(
    r"^[A-Za-z]{2,3}(?:-[A-Za-z]{4})?(?:-(?:[A-Za-z]{2}|\d{3}))?(?:-[A-Za-z0-9]{4,8})*$"
)


def normalize_locale(tag: str) -> str:
    """Return *tag* in canonical form: ``de_at`` → ``de-AT``, ``zh-hant`` → ``zh-Hant``.

    Args:
        tag: A BCP 47 language tag as an ATS or a person wrote it.

    Returns:
        The canonical form.

    Raises:
        ValueError: The tag is not a language tag (the message does not repeat it).
    """
    candidate = tag.strip().replace("_", "-")
    if not _TAG.fullmatch(candidate):
        raise ValueError("not a BCP 47 language tag (like 'en', 'de-AT')")
    parts = candidate.split("-")
    canonical = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            canonical.append(part.title())
        elif len(part) == 2 or part.isdigit():
            canonical.append(part.upper())
        else:
            canonical.append(part.lower())
    return "-".join(canonical)


def locale_chain(locale: str | None, default: str = "en") -> tuple[str, ...]:
    """The locales to try, most specific first, ending with *default*.

    ``de-AT`` gives ``("de-AT", "de", "en")``; ``zh-Hant-TW`` gives
    ``("zh-Hant-TW", "zh-Hant", "zh", "en")``; ``None`` gives ``("en",)``.

    Args:
        locale: The wanted locale, or ``None`` for the default.
        default: The locale every chain ends with.

    Returns:
        Distinct canonical tags.
    """
    chain: list[str] = []
    if locale is not None:
        parts = normalize_locale(locale).split("-")
        chain.extend("-".join(parts[:end]) for end in range(len(parts), 0, -1))
    for tag in _default_chain(default):
        if tag not in chain:
            chain.append(tag)
    return tuple(chain)


def _default_chain(default: str) -> list[str]:
    parts = normalize_locale(default).split("-")
    return ["-".join(parts[:end]) for end in range(len(parts), 0, -1)]


_WEEKDAYS = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
}
_MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "de": (
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ),
}
# Austria says "Jänner"; the rest of the German-speaking world says "Januar".
_MONTH_OVERRIDES = {"de-AT": {1: "Jänner"}}


def format_long_date(value: date, locale: str) -> str:
    """Format *value* as a long date with its weekday, the way the locale writes it.

    ``en-US``: ``Friday, March 14``; other English: ``Friday 14 March``; German:
    ``Freitag, 14. März`` (``Jänner`` in Austria). Other languages fall back to ISO 8601
    (``2026-03-14``), which every reader can parse.

    Args:
        value: The date.
        locale: A canonical locale tag.

    Returns:
        The formatted date.
    """
    language = locale.split("-", 1)[0]
    weekdays = _WEEKDAYS.get(language)
    months = _MONTHS.get(language)
    if weekdays is None or months is None:
        return value.isoformat()
    weekday = weekdays[value.weekday()]
    month = _MONTH_OVERRIDES.get(locale, {}).get(value.month, months[value.month - 1])
    if language == "de":
        return f"{weekday}, {value.day}. {month}"
    if locale in {"en-US", "en-CA", "en-PH"}:
        return f"{weekday}, {month} {value.day}"
    return f"{weekday} {value.day} {month}"
