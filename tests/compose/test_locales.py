"""Locale tags, fallback chains and long dates."""

from __future__ import annotations

from datetime import date

import pytest

from ats_reject.compose import format_long_date, locale_chain, normalize_locale


@pytest.mark.parametrize(
    ("given", "expected"),
    [("de_at", "de-AT"), ("EN-gb", "en-GB"), ("zh-hant-tw", "zh-Hant-TW"), ("es-419", "es-419")],
)
def test_tags_are_normalised(given: str, expected: str) -> None:
    assert normalize_locale(given) == expected


@pytest.mark.parametrize("bad", ["", "English", "d", "de--AT", "de AT"])
def test_non_tags_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="language tag"):
        normalize_locale(bad)


@pytest.mark.parametrize(
    ("wanted", "default", "chain"),
    [
        ("de-AT", "en", ("de-AT", "de", "en")),
        ("zh-Hant-TW", "en", ("zh-Hant-TW", "zh-Hant", "zh", "en")),
        (None, "en", ("en",)),
        ("en-US", "en", ("en-US", "en")),
        ("de-AT", "en-GB", ("de-AT", "de", "en-GB", "en")),
        ("fr", "de", ("fr", "de")),
    ],
)
def test_fallback_chain(wanted: str | None, default: str, chain: tuple[str, ...]) -> None:
    assert locale_chain(wanted, default) == chain


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "Friday 13 March"),
        ("en-GB", "Friday 13 March"),
        ("en-US", "Friday, March 13"),
        ("de", "Freitag, 13. März"),
        ("de-AT", "Freitag, 13. März"),
        ("ja", "2026-03-13"),
    ],
)
def test_long_dates(locale: str, expected: str) -> None:
    assert format_long_date(date(2026, 3, 13), locale) == expected


def test_austria_writes_jaenner() -> None:
    assert format_long_date(date(2027, 1, 8), "de-AT") == "Freitag, 8. Jänner"
    assert format_long_date(date(2027, 1, 8), "de-DE") == "Freitag, 8. Januar"
