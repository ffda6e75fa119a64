"""The composer lints a message through the plan of its shape: the findings are the full lint's.

A plan is built the second time a shape (template, role, language, kind of context) is seen,
and serves every later message of that shape. Each test here composes one message of a
shape twice (so the plan exists), then another message of the same shape with other values,
and compares its report with :func:`lint` of the same rendered message, finding by finding.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ats_reject.compose import (
    Composer,
    FeedbackScope,
    MessageContext,
    Purpose,
    Sender,
    TalentPoolInvitation,
    sample_context,
)
from ats_reject.models import StageKind

from .conftest import FEEDBACK, full_report, planned, with_values

HERE = Path(__file__).parent


# --- the shipped templates ---------------------------------------------------------------


def test_a_plan_is_built_on_the_second_message_of_a_shape_and_used_after() -> None:
    composer = Composer()
    context = sample_context()
    other = with_values(context, candidate_name="Priya")
    assert composer.lint_stats.plans == 0
    composer.compose(Purpose.REJECTION, context)
    assert (composer.lint_stats.planned, composer.lint_stats.full) == (0, 1)
    composer.compose(Purpose.REJECTION, context)
    composer.compose(Purpose.REJECTION, other)
    stats = composer.lint_stats
    assert (stats.planned, stats.full, stats.plans) == (2, 1, 1)


@pytest.mark.parametrize("locale", ["en", "de"])
@pytest.mark.parametrize("purpose", list(Purpose))
def test_every_shipped_purpose_lints_the_same_through_its_plan(
    purpose: Purpose, locale: str
) -> None:
    composer = Composer()
    first = sample_context(purpose, locale=locale, with_talent_pool=True)
    second = with_values(
        first,
        candidate_name="José",
        sender=Sender(name="Dana Fischer", title="Head of Talent", reply_to="dana@example.org"),
        strengths=("the way you explained your age-old caching trick", "your tests"),
        growth_areas=("going deeper on queues",),
    )
    message = planned(composer, purpose, first, second)
    assert message.lint == full_report(composer, purpose, second)


def _corpus_sentences() -> list[tuple[str, str]]:
    sentences: list[tuple[str, str]] = []
    for locale in ("en", "de"):
        corpus = tomllib.loads((HERE / f"lint_corpus_{locale}.toml").read_text("utf-8"))
        sentences += [(locale, case["text"]) for case in corpus["bad"]]
        sentences += [(locale, text) for text in corpus["good"]["texts"]]
    return sentences


def test_every_corpus_sentence_as_feedback_gives_the_same_findings() -> None:
    composer = Composer()
    for locale in ("en", "de"):
        base = sample_context(locale=locale, feedback_scope=FeedbackScope.STRENGTHS)
        composer.compose(Purpose.REJECTION, base)
        composer.compose(Purpose.REJECTION, base)
    for locale, sentence in _corpus_sentences():
        base = sample_context(locale=locale, feedback_scope=FeedbackScope.STRENGTHS)
        context = with_values(base, strengths=(sentence[:400], base.strengths[1]))
        message = composer.compose(Purpose.REJECTION, context)
        assert message.lint == full_report(composer, Purpose.REJECTION, context), sentence
    # Sentences with odd characters fall back to the full lint; nearly all go through plans.
    assert composer.lint_stats.planned > 0.9 * len(_corpus_sentences())


NAMES = ["Alex", "José", "Zoë", "Will", "Christian", "There", "Candidate", "Sam", "O'Brien"]
TITLES = [None, "Talent Partner", "Head of Culture & Fit", "Young Talent Lead"]
LINKS = [
    {},
    {"careers": "https://careers.example.com"},
    {"careers": "https://example.com/jobs/old-man"},
    {"careers": "https://example.com/?a=1&b=2", "privacy": "https://example.com/privacy"},
]


@st.composite
def shapes_and_values(draw: st.DrawFn) -> tuple[Purpose, MessageContext, MessageContext]:
    """A context, and a second one of the same shape with other values."""
    purpose = draw(st.sampled_from(list(Purpose)))
    scope = draw(st.sampled_from(list(FeedbackScope)))
    strengths = draw(st.integers(0, 2)) if scope is not FeedbackScope.NONE else 0
    growth = draw(st.integers(0, 2)) if scope is FeedbackScope.FULL else 0
    invited = draw(st.booleans())
    titled = draw(st.booleans())
    links = draw(st.sampled_from(LINKS))
    shape: dict[str, Any] = {
        "role": draw(st.sampled_from(["Senior Backend Engineer", "Culture Fit Lead", None])),
        "company": draw(st.sampled_from(["Northwind Labs", "Smith & O'Neil"])),
        "stage": draw(st.sampled_from(list(StageKind))),
        "feedback_scope": scope,
        "talent_pool_consented": draw(st.booleans()),
        "locale": draw(st.sampled_from(["en", "de", "de-AT", "en-US", "fr"])),
        "next_update_by": date(2026, 3, 13) if purpose is Purpose.HOLDING_UPDATE else None,
    }

    def values() -> MessageContext:
        return MessageContext(
            **shape,
            candidate_name=draw(st.sampled_from(NAMES)),
            sender=Sender(
                name=draw(st.sampled_from(["Sam Rivera", "Will Not", "Dana Fischer"])),
                title=draw(st.sampled_from(TITLES[1:])) if titled else None,
                reply_to="sam.rivera@example.com",
            ),
            strengths=tuple(draw(st.sampled_from(FEEDBACK)) for _ in range(strengths)),
            growth_areas=tuple(draw(st.sampled_from(FEEDBACK)) for _ in range(growth)),
            links={name: draw(st.sampled_from(LINKS[1:]))["careers"] for name in links},
            talent_pool=(
                TalentPoolInvitation(
                    consent_url=f"https://careers.example.com/consent/{draw(st.integers(0, 99))}",
                    retention_months=12,
                )
                if invited
                else None
            ),
        )

    return purpose, values(), values()


SHARED = Composer()


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(shapes_and_values())
def test_any_context_lints_the_same_through_a_plan(
    case: tuple[Purpose, MessageContext, MessageContext],
) -> None:
    purpose, first, second = case
    SHARED.compose(purpose, first)
    SHARED.compose(purpose, first)
    message = SHARED.compose(purpose, second)
    assert message.lint == full_report(SHARED, purpose, second)
    again = SHARED.compose(purpose, first)
    assert again.lint == full_report(SHARED, purpose, first)
