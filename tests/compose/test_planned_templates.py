"""Plans with user templates: where template text and values meet, a plan stays exact.

Phrases that begin in template text and end in a value (or the other way round, or run over
a whole value), HTML lines the text part lacks, placeholders made of both, and templates
that look at a value instead of only printing it (the plan refuses those).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ats_reject.compose import (
    Composer,
    FeedbackScope,
    MessageContext,
    Purpose,
    Sender,
    sample_context,
)
from ats_reject.models import StageKind

from .conftest import FEEDBACK, full_report, one_strength, planned, with_values, write

BASE = {
    "en/rejection.subject.j2": "Your application for {{ role }}",
    "en/rejection.html.j2": (
        "<p>Hi {{ candidate_name }},</p>\n<p>We have decided not to move forward with your "
        "application for the {{ role }} role.</p>\n"
        "<p>What stood out: your {{ strengths[0] }}</p>\n<p>{{ sender.name }}</p>\n"
    ),
}


def straddling(tmp_path: Path, text: str) -> Composer:
    files = {
        **BASE,
        "en/rejection.text.j2": (
            "Hi {{ candidate_name }},\n\nWe have decided not to move forward with your "
            "application for the {{ role }} role. " + text + " Thank you for your time and "
            "for the care you put into every step of the process.\n\n{{ sender.name }}\n"
        ),
    }
    return Composer.from_paths(write(tmp_path, files))


@pytest.mark.parametrize(
    ("text", "value", "code"),
    [
        # The template begins the phrase, the value ends it.
        ("We could not overlook your {{ strengths[0] }}.", "age", "ARL101"),
        ("We will keep your {{ strengths[0] }}.", "CV on file", "ARL112"),
        ("You came across as {{ strengths[0] }} for the team.", "too young", "ARL101"),
        # The value begins the phrase, the template ends it.
        ("We felt that {{ strengths[0] }} old for the team.", "you seemed a bit", "ARL101"),
        ("Sadly {{ strengths[0] }} fit.", "you were not a culture", "ARL109"),
        # The phrase runs over a whole value.
        ("We think you are {{ strengths[0] }} for the role.", "a bit", None),
        ("We think you are too {{ strengths[0] }} the role.", "old for", "ARL101"),
    ],
)
def test_a_phrase_across_template_text_and_a_value_is_found(
    tmp_path: Path, text: str, value: str, code: str | None
) -> None:
    composer = straddling(tmp_path, text)
    first = one_strength("your notes")
    second = with_values(first, strengths=(value,))
    message = planned(composer, Purpose.REJECTION, first, second)
    assert message.lint == full_report(composer, Purpose.REJECTION, second)
    wording = {finding.code for finding in message.lint.findings if finding.code >= "ARL1"}
    assert wording == ({code} if code else set())


def test_a_value_that_completes_a_phrase_in_an_html_only_line_is_found(tmp_path: Path) -> None:
    composer = straddling(tmp_path, "Thanks.")
    first = one_strength("notes")
    second = with_values(first, strengths=("age",))
    message = planned(composer, Purpose.REJECTION, first, second)
    assert message.lint == full_report(composer, Purpose.REJECTION, second)
    assert [(f.code, f.part) for f in message.lint.findings] == [("ARL101", "html")]
    assert message.html is not None
    (finding,) = message.lint.findings
    assert finding.span is not None
    assert message.html[finding.span[0] : finding.span[1]] == "your age"


@pytest.mark.parametrize(
    "text",
    [
        # A value glued to a word: the plan cannot vouch for it, the full lint runs.
        "Good luck, {{ candidate_name }}s!",
        # A template that looks at a value, not only prints it.
        "{% if candidate_name == 'Bob' %}Dear candidate, sorry.{% endif %}",
        "{{ candidate_name | upper }} and {{ strengths[0][:3] }}",
    ],
)
def test_templates_the_plan_cannot_vouch_for_get_the_full_lint(tmp_path: Path, text: str) -> None:
    composer = straddling(tmp_path, text)
    first = sample_context(stage=StageKind.OTHER, feedback_scope=FeedbackScope.STRENGTHS)
    for name in ("Alex", "Bob", "Christian"):
        context = with_values(first, candidate_name=name)
        for _ in range(3):
            message = composer.compose(Purpose.REJECTION, context)
            assert message.lint == full_report(composer, Purpose.REJECTION, context)


def test_a_character_reference_before_a_value_gets_the_full_lint(tmp_path: Path) -> None:
    files = {
        **BASE,
        "en/rejection.text.j2": "Hi {{ candidate_name }},\n\nWe have decided not to move "
        "forward with your application for {{ role }}.\n\n{{ sender.name }}\n",
        "en/rejection.html.j2": "<p>Hi &amp{{ candidate_name }},</p><p>{{ sender.name }}</p>",
    }
    composer = Composer.from_paths(write(tmp_path, files))
    context = sample_context(stage=StageKind.OTHER)
    for _ in range(3):
        composer.compose(Purpose.REJECTION, context)
    assert composer.lint_stats.planned == 0
    assert composer.lint_stats.full == 3


def test_a_hand_made_context_with_odd_values_gets_the_full_lint() -> None:
    composer = Composer()
    context = sample_context()
    composer.compose(Purpose.REJECTION, context)
    composer.compose(Purpose.REJECTION, context)
    odd = MessageContext.model_construct(
        **{**dict(context), "candidate_name": " Alex", "strengths": ("a\tb", "c")}
    )
    message = composer.compose(Purpose.REJECTION, odd)
    assert message.lint == full_report(composer, Purpose.REJECTION, odd)
    assert composer.lint_stats.planned == 1


def test_plans_hold_template_text_never_a_persons_data() -> None:
    composer = Composer()
    context = sample_context(with_talent_pool=True)
    composer.compose(Purpose.REJECTION, context)
    composer.compose(Purpose.REJECTION, context)
    held = repr(composer._plans)  # what the composer keeps in memory
    assert "Senior Backend Engineer" in held
    for value in ("Alex", "Sam Rivera", "sam.rivera@example.com", "SAMPLE", *context.strengths):
        assert value not in held


FRAGMENTS = [
    *FEEDBACK,
    "age",
    "CV on file",
    "too young",
    "old",
    "a bit",
    "your",
    "cv",
    "on file",
    "talent pool",
    "culture fit",
    "we decided not to move forward",
    "still reviewing",
    "TODO",
    "[Candidate Name]",
    "{first_name}",
    "lorem ipsum",
]
RICH = {
    "en/rejection.subject.j2": "Your {{ strengths[0] }} application for {{ role }}",
    "en/rejection.text.j2": (
        "Hi {{ candidate_name }},\n\nWe have decided not to move forward with your application"
        " for the {{ role }} role at {{ company }}. We will keep your {{ strengths[0] }} and"
        " you seemed {{ strengths[1] }} old.\nAt {{ growth_areas[0] }} in our team, you are too"
        " {{ strengths[0] }} for us.\n{% for item in strengths %}- {{ item }}\n{% endfor %}\n"
        "Thank you for the time you gave us.\n\n{{ sender.name }}\n{{ sender.title }}\n"
    ),
    "en/rejection.html.j2": (
        "<p>Hi {{ candidate_name }},</p>\n<p>We have decided not to move forward.</p>\n"
        "<p>What stood out: your {{ strengths[0] }}</p>\n<p>At {{ growth_areas[0] }}!</p>\n"
        "<p>{{ strengths[1] }} on file</p>\n<p>We will keep you in mind, {{ sender.name }}</p>\n"
    ),
}


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> Composer:
    return Composer.from_paths(write(tmp_path_factory.mktemp("rich"), RICH))


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=7, max_size=7), st.booleans())
def test_values_meeting_template_text_anywhere_lint_the_same(
    rich: Composer, picks: list[str], consented: bool
) -> None:
    base = sample_context(stage=StageKind.OTHER, feedback_scope=FeedbackScope.FULL)
    first = with_values(
        base,
        strengths=("notes", "quiet"),
        growth_areas=("depth",),
        talent_pool_consented=consented,
    )
    second = with_values(
        first,
        candidate_name=picks[0].title(),
        strengths=(picks[1], picks[2]) if picks[1] != picks[2] else (picks[1], picks[3]),
        growth_areas=(picks[4],),
        sender=Sender(name=picks[5].title(), title=picks[6], reply_to="sam@example.com"),
    )
    message = planned(rich, Purpose.REJECTION, first, second)
    assert message.lint == full_report(rich, Purpose.REJECTION, second)


def test_a_phrase_right_after_a_value_depends_on_the_values_last_character(
    tmp_path: Path,
) -> None:
    terms = tmp_path / "terms"
    terms.mkdir()
    (terms / "en.toml").write_text('[categories.age]\nterms = ["\'s age"]\n', encoding="utf-8")
    files = {
        "en/rejection.subject.j2": "Your application for {{ role }}",
        "en/rejection.text.j2": (
            "Hi {{ candidate_name }},\n\nWe have decided not to move forward with your "
            "application for the {{ role }} role. {{ strengths[0] }}'s age was never part of "
            "it. Thank you for your time and for the care you put into every step.\n\n"
            "{{ sender.name }}\n"
        ),
    }
    composer = Composer(
        Composer.from_paths(write(tmp_path / "templates", files)).templates,
        lint_terms_dir=terms,
    )
    for first, second, found in (("Alex", "Sam", False), ("notes", "the team,", True)):
        context = with_values(one_strength(first), candidate_name="Alex")
        other = with_values(context, strengths=(second,))
        message = planned(composer, Purpose.REJECTION, context, other)
        assert message.lint == full_report(composer, Purpose.REJECTION, other)
        assert ("ARL101" in message.lint.codes) is found


def test_an_html_part_that_looks_at_a_value_gets_the_full_lint(tmp_path: Path) -> None:
    files = {
        **BASE,
        "en/rejection.text.j2": (
            "Hi {{ candidate_name }},\n\nWe have decided not to move forward with your "
            "application for the {{ role }} role. Thank you for your time and for the care "
            "you put into every step of the process.\n\n{{ sender.name }}\n"
        ),
        "en/rejection.html.j2": (
            "<p>Hi {{ candidate_name }},</p>\n{% if candidate_name == 'Bob' %}<p>You are "
            "overqualified.</p>{% endif %}\n<p>{{ sender.name }}</p>\n"
        ),
    }
    composer = Composer.from_paths(write(tmp_path, files))
    first = sample_context(stage=StageKind.OTHER)
    for _ in range(2):
        composer.compose(Purpose.REJECTION, first)
    bob = with_values(first, candidate_name="Bob")
    message = composer.compose(Purpose.REJECTION, bob)
    assert message.lint == full_report(composer, Purpose.REJECTION, bob)
    assert [(f.code, f.part) for f in message.lint.findings] == [("ARL101", "html")]


@pytest.mark.parametrize(
    "text",
    [
        # The decision after the first body paragraph: a warning (ARL006) at its place.
        "Hi {{ candidate_name }},\n\nThank you for your time.\n\nWe have decided not to move "
        "forward with your application for the {{ role }} role.",
        # No comma after the greeting: where the body starts depends on the name.
        "Hi {{ candidate_name }}\n\nWe have decided not to move forward with your "
        "application for the {{ role }} role.",
        "Hello there\n\nWe have decided not to move forward with your application for the "
        "{{ role }} role, {{ candidate_name }}.",
        "We have decided not to move forward with your application, {{ candidate_name }}.",
        # The decision near the end of a body paragraph that holds a value before it.
        "Hi {{ candidate_name }},\n\nThank you for {{ strengths[0] }}, yet we have decided "
        "not to move forward.\n\nFor the {{ role }} role, our reasons are simple.",
    ],
)
@pytest.mark.parametrize("name", ["Alex", "Dear", "Maria José"])
def test_where_the_decision_stands_is_judged_the_same(tmp_path: Path, text: str, name: str) -> None:
    files = {
        "en/rejection.subject.j2": "Your application for {{ role }}",
        "en/rejection.text.j2": text + " Thank you for the care you put into every step of the"
        " process and for {{ strengths[0] }}.\n\n{{ sender.name }}\n",
    }
    composer = Composer.from_paths(write(tmp_path, files))
    first = one_strength("your notes")
    second = with_values(
        first,
        candidate_name=name,
        strengths=("a very long account of the care you put into the take-home exercise",),
    )
    message = planned(composer, Purpose.REJECTION, first, second)
    assert message.lint == full_report(composer, Purpose.REJECTION, second)


@pytest.mark.parametrize(
    ("text", "strength"),
    [
        ("Thanks.", "TODO"),
        ("Thanks.", "your {first_name}"),
        ("Thanks.", "a [Name]"),
        ("Thanks.", "<<role>>"),
        # The template text and the value make the placeholder together.
        ("See <{{ strengths[0] }}>.", "<role>"),
        ("Lorem {{ strengths[0] }} dolor.", "ipsum"),
    ],
)
def test_a_left_over_placeholder_in_a_value_is_found(
    tmp_path: Path, text: str, strength: str
) -> None:
    composer = straddling(tmp_path, text)
    first = one_strength("notes")
    second = with_values(first, strengths=(strength,))
    message = planned(composer, Purpose.REJECTION, first, second)
    assert message.lint == full_report(composer, Purpose.REJECTION, second)
    assert "ARL001" in message.lint.codes


@pytest.mark.parametrize("strength", ["one", "one two three four five six seven eight nine"])
def test_the_length_of_the_values_counts_in_the_word_count(tmp_path: Path, strength: str) -> None:
    files = {
        "en/rejection.subject.j2": "Your application for {{ role }}",
        "en/rejection.text.j2": "Hi {{ candidate_name }},\n\nWe have decided not to move "
        "forward with your application for the {{ role }} role, despite {{ strengths[0] }}."
        "\n\n{{ sender.name }}\n{{ sender.title }}\n",
    }
    composer = Composer.from_paths(write(tmp_path, files))
    first = one_strength("notes")
    second = with_values(first, strengths=(strength,))
    message = planned(composer, Purpose.REJECTION, first, second)
    assert message.lint == full_report(composer, Purpose.REJECTION, second)
    assert ("ARL009" in message.lint.codes) is (strength == "one")
