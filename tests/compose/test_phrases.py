"""The term-list phrase syntax, the fast scan, and loading term files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ats_reject.compose._phrases import PhraseSet, compile_phrases
from ats_reject.compose._terms import load_terms
from ats_reject.errors import ConfigurationError


def finds(phrase: str, text: str) -> list[str]:
    pattern = compile_phrases([phrase])
    assert pattern is not None
    return [match.group() for match in pattern.finditer(text)]


@pytest.mark.parametrize(
    ("phrase", "text", "found"),
    [
        ("age", "the page of an agency", []),
        ("age", "Age, and age.", ["Age", "age"]),
        ("culture fit", "a culture-fit test", ["culture-fit"]),
        ("culture fit", "culture,\n fit", ["culture,\n fit"]),
        (
            "over-qualified",
            "overqualified over-qualified over qualified",
            ["overqualified", "over-qualified", "over qualified"],
        ),
        ("won't", "we won't, we won\u2019t", ["won't", "won\u2019t"]),
        ("pregnan*", "pregnancy and pregnant", ["pregnancy", "pregnant"]),
        ("# years old", "58 years old", ["58 years old"]),
        ("(your|his) age", "his age, her age", ["his age"]),
        ("(very |)good", "very good and good", ["very good", "good"]),
        ("[very ]good", "very good", ["very good"]),
        ("(on file|in our (database|system))", "in our system", ["in our system"]),
        ("sir/madam", "Dear Sir/Madam,", ["Sir/Madam"]),
    ],
)
def test_phrase_syntax(phrase: str, text: str, found: list[str]) -> None:
    assert finds(phrase, text) == found


@pytest.mark.parametrize("bad", ["(open", "close)", "a|b", "[x", "semi;colon", "  "])
def test_bad_phrases_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        compile_phrases([bad])


VOCABULARY = [
    "age",
    "your",
    "Your",
    "old",
    "older",
    "team",
    "culture",
    "fit",
    "other",
    "candidates",
    "won't",
    "I'm",
    "we",
    "decided",
    "not",
    "to",
    "move",
    "forward",
    "with",
    "another",
    "candidate",
    "family",
    "of",
    "products",
    "58",
    "years",
    "über",
    "qualified",
    "over",
    "José",
    "talent",
    "pool",
    "Überqualifiziert",
    "İstanbul",
    "naïve",
    "'quoted'",
    "(",
    ")",
    ",",
    ".",
    "-",
    "\n",
    "\u2019",
    "/",
    "sir",
    "madam",
    "native",
    "speaker",
    "e.g.",
    "x",
]
PHRASES = (
    "your age",
    "(older|younger) (team|candidates)",
    "culture fit",
    "other candidates",
    "decided not to move",
    "move forward with another",
    "family",
    "# years old",
    "over-qualified",
    "won't",
    "talent pool",
    "native speaker",
    "sir/madam",
    "e.g.",
    "überqualifiziert",
    "quoted",
)


def slow_starts(phrases: tuple[str, ...], text: str) -> list[int]:
    pattern = compile_phrases(phrases)
    assert pattern is not None
    found, position = [], 0
    while (match := pattern.search(text, position)) is not None:
        found.append(match.start())
        position = match.start() + 1
    return found


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.lists(st.sampled_from(VOCABULARY), max_size=25),
    st.lists(st.sampled_from([" ", ""]), min_size=25, max_size=25),
)
def test_the_fast_scan_finds_exactly_what_the_plain_scan_finds(
    words: list[str], glue: list[str]
) -> None:
    text = "".join(word + glue[index] for index, word in enumerate(words))
    assert PhraseSet(PHRASES).starts(text, text.lower()) == slow_starts(PHRASES, text)


def test_a_scan_finds_phrases_that_start_inside_another() -> None:
    text = "we decided not to move forward with another candidate"
    phrases = PhraseSet(("decided not to move forward", "move forward with another"))
    assert phrases.starts(text, text.lower()) == [text.index("decided"), text.index("move")]


def write_terms(folder: Path, body: str) -> Path:
    (folder / "en.toml").write_text(body, encoding="utf-8")
    return folder


def test_an_unknown_category_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="unknown categories") as caught:
        load_terms("en", write_terms(tmp_path, "[categories.hobbies]\nterms = ['golf']\n"))
    assert caught.value.key_path == "templates.lint_terms"


def test_a_bad_phrase_in_a_user_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"categories\.age"):
        load_terms("en", write_terms(tmp_path, "[categories.age]\nterms = ['(unclosed']\n"))


def test_a_bad_severity_is_refused(tmp_path: Path) -> None:
    body = "[categories.age]\nterms = [{ phrase = 'x', severity = 'fatal' }]\n"
    with pytest.raises(ConfigurationError, match="severity"):
        load_terms("en", write_terms(tmp_path, body))


def test_broken_toml_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="not valid TOML") as caught:
        load_terms("en", write_terms(tmp_path, "[categories.age\n"))
    assert caught.value.key_path == "templates.lint_terms"
    assert "en.toml in the lint-terms folder" in str(caught.value)


def test_a_user_file_appends_to_the_shipped_one(tmp_path: Path) -> None:
    terms = load_terms("en", write_terms(tmp_path, "[categories.age]\nterms = ['greybeard']\n"))
    assert terms is not None
    (age,) = [category for category in terms.categories if category.name == "age"]
    assert "greybeard" in age.terms.phrases
    assert "overqualified" in age.terms.phrases


def test_a_user_file_alone_makes_a_new_language(tmp_path: Path) -> None:
    (tmp_path / "fr.toml").write_text(
        "[structure]\ndecision = ['ne pas donner suite']\n"
        "[categories.age]\nterms = ['surqualifié']\n",
        encoding="utf-8",
    )
    terms = load_terms("fr", tmp_path)
    assert terms is not None
    text = "nous avons décidé de ne pas donner suite; surqualifié"
    assert terms.scanner.starts(text, text.lower()) == [
        m.start() for m in re.finditer("ne pas|surqualifié", text)
    ]


def test_there_is_no_shipped_list_for_other_languages() -> None:
    assert load_terms("fr") is None
