"""The wording lint against corpora of good and bad sentences, per locale."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from .conftest import wording_codes

HERE = Path(__file__).parent


def _corpus(locale: str) -> dict[str, Any]:
    return tomllib.loads((HERE / f"lint_corpus_{locale}.toml").read_text(encoding="utf-8"))


def _bad(locale: str) -> list[Any]:
    return [
        pytest.param(
            case["text"], case["code"], case.get("severity", "error"), id=case["text"][:60]
        )
        for case in _corpus(locale)["bad"]
    ]


def _good(locale: str) -> list[Any]:
    return [pytest.param(text, id=text[:60]) for text in _corpus(locale)["good"]["texts"]]


@pytest.mark.parametrize(("sentence", "code", "severity"), _bad("en"))
def test_english_risky_sentence_is_flagged(sentence: str, code: str, severity: str) -> None:
    found = wording_codes(sentence)
    assert found.get(code) == severity, found


@pytest.mark.parametrize("sentence", _good("en"))
def test_english_harmless_sentence_is_not_flagged(sentence: str) -> None:
    assert wording_codes(sentence) == {}


@pytest.mark.parametrize(("sentence", "code", "severity"), _bad("de"))
def test_german_risky_sentence_is_flagged(sentence: str, code: str, severity: str) -> None:
    found = wording_codes(sentence, locale="de")
    assert found.get(code) == severity, found


@pytest.mark.parametrize("sentence", _good("de"))
def test_german_harmless_sentence_is_not_flagged(sentence: str) -> None:
    assert wording_codes(sentence, locale="de") == {}
