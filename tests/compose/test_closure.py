"""The pattern for phrases that may run on past the end of a piece of text (used by plans)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from ats_reject.compose._closure import BORDER, closure_scanner, prepare, slot_char
from ats_reject.compose._phrases import _TO_SPACE
from ats_reject.compose.lint import terms_for

HERE = Path(__file__).parent
WORD = re.compile(r"\w")


def corpus(locale: str) -> list[str]:
    data = tomllib.loads((HERE / f"lint_corpus_{locale}.toml").read_text(encoding="utf-8"))
    return [case["text"] for case in data["bad"]] + list(data["good"]["texts"])


def word_border(text: str, at: int, end: int) -> bool:
    """Whether a value could begin at *at* (the plan keeps values off word characters)."""
    return at == end or not WORD.match(text[at - 1]) or not WORD.match(text[at])


@pytest.mark.parametrize("locale", ["en", "de"])
def test_every_phrase_and_every_beginning_of_one_is_found(locale: str) -> None:
    terms = terms_for(locale)
    assert terms is not None
    closure = closure_scanner(terms.scanner.phrases)
    checked = 0
    for sentence in corpus(locale):
        lowered = sentence.lower()
        starts = terms.scanner.starts(sentence, lowered)
        assert set(starts) <= set(closure.candidates(prepare(lowered))), sentence
        for start in starts:
            match = terms.scanner.match_at(sentence, lowered, start)
            assert match is not None
            for cut in range(start + 1, match.end() + 1):
                if not word_border(lowered, cut, match.end()):
                    continue
                checked += 1
                piece = prepare(lowered[start:cut]) + BORDER
                assert closure.runs_into_border(piece), lowered[start:cut]
                assert start in closure.candidates(prepare(lowered[:cut]) + BORDER)
    assert checked > 50


@pytest.mark.parametrize(
    "piece",
    [
        "thank you for the time you gave us ",
        "sam rivera, northwind labs ",
        "hi alex, ",
    ],
)
def test_text_that_begins_no_phrase_does_not_run_into_a_border(piece: str) -> None:
    terms = terms_for("en")
    assert terms is not None
    closure = closure_scanner(terms.scanner.phrases)
    for start in range(len(piece)):
        if start == 0 or piece[start - 1] == " ":
            assert not closure.runs_into_border(prepare(piece[start:]) + BORDER), piece[start:]


@pytest.mark.parametrize(
    "piece", ["at ", "at your ", "your ", "keep your cv ", "too ", "move forward ", "decided "]
)
def test_the_beginning_of_a_phrase_runs_into_a_border_or_a_slot(piece: str) -> None:
    terms = terms_for("en")
    assert terms is not None
    closure = closure_scanner(terms.scanner.phrases)
    for border in (BORDER, slot_char(0), slot_char(255)):
        assert closure.runs_into_border(prepare(piece) + border)


def test_preparing_text_turns_what_is_no_part_of_a_word_into_spaces() -> None:
    text = "it's a.b/c&d, e-f (g) \u2019h\u2019 jos\u00e9 \ue105 x" + BORDER + " y"
    assert prepare(text) == text.translate({**_TO_SPACE, 0: BORDER})
    assert prepare(text).count(BORDER) == 1
    assert "'" in prepare(text)
