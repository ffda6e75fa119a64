"""The composer and the shipped default set: clean, personal, and in the right language."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path

import pytest

from ats_reject.compose import (
    ComposedMessage,
    Composer,
    FeedbackScope,
    MessageContext,
    Purpose,
    format_preview,
    render_preview,
    sample_context,
)
from ats_reject.models import StageKind

COMPOSER = Composer()
STAGES = tuple(StageKind)
SCOPES = tuple(FeedbackScope)


def context_for(
    purpose: Purpose,
    *,
    stage: StageKind = StageKind.INTERVIEW,
    locale: str | None = "en",
    scope: FeedbackScope = FeedbackScope.FULL,
    pool: bool = False,
) -> MessageContext:
    return sample_context(
        purpose, stage=stage, locale=locale, feedback_scope=scope, with_talent_pool=pool
    )


@pytest.mark.parametrize(
    ("purpose", "stage", "locale", "scope", "pool"),
    [
        *itertools.product([Purpose.REJECTION], STAGES, ["en", "de"], SCOPES, [False, True]),
        *itertools.product(
            [p for p in Purpose if p is not Purpose.REJECTION],
            [StageKind.INTERVIEW, StageKind.FINAL],
            ["en", "de", "de-AT", "en-US"],
            SCOPES,
            [False, True],
        ),
    ],
)
def test_the_shipped_templates_pass_their_own_lint(
    purpose: Purpose, stage: StageKind, locale: str, scope: FeedbackScope, pool: bool
) -> None:
    message = COMPOSER.compose(
        purpose, context_for(purpose, stage=stage, locale=locale, scope=scope, pool=pool)
    )
    assert message.lint.findings == ()
    assert message.locale_used == locale.split("-", maxsplit=1)[0]


@pytest.mark.parametrize("stage", STAGES)
def test_a_default_rejection_follows_the_best_practice(stage: StageKind) -> None:
    context = context_for(Purpose.REJECTION, stage=stage)
    message = COMPOSER.compose(Purpose.REJECTION, context)
    paragraphs = message.text.split("\n\n")
    assert paragraphs[0] == "Hi Alex,"
    first = paragraphs[1]
    assert "Thank you" in first
    assert "Senior Backend Engineer" in first
    assert "decided not to move forward" in first
    for strength in context.strengths:
        assert f"- {strength}" in message.text
    assert f"- {context.growth_areas[0]}" in message.text
    assert "reply to this email" in message.text
    assert message.text.rstrip().endswith("Sam Rivera\nTalent Partner, Northwind Labs")
    assert "sam.rivera@example.com" in message.text
    assert message.subject == "Your application for Senior Backend Engineer at Northwind Labs"


def test_feedback_appears_only_as_far_as_the_rule_allows() -> None:
    strengths_only = COMPOSER.compose(
        Purpose.REJECTION, context_for(Purpose.REJECTION, scope=FeedbackScope.STRENGTHS)
    )
    assert "What stood out to us" in strengths_only.text
    assert "even stronger next time" not in strengths_only.text
    assert strengths_only.html is not None
    assert "even stronger next time" not in strengths_only.html
    none = COMPOSER.compose(
        Purpose.REJECTION, context_for(Purpose.REJECTION, scope=FeedbackScope.NONE)
    )
    assert "What stood out" not in none.text


def test_the_talent_pool_invitation_carries_its_consent_link() -> None:
    context = context_for(Purpose.REJECTION, pool=True)
    assert context.talent_pool is not None
    message = COMPOSER.compose(Purpose.REJECTION, context)
    assert context.talent_pool.consent_url in message.text
    assert message.html is not None
    assert f'href="{context.talent_pool.consent_url}"' in message.html
    assert "If you do nothing, we will not contact you" in message.text


def test_talking_points_have_no_html_and_name_the_decision() -> None:
    message = COMPOSER.compose(
        Purpose.CALL_TALKING_POINTS, context_for(Purpose.CALL_TALKING_POINTS)
    )
    assert message.html is None
    assert "decided not to move forward" in message.text


def test_a_holding_update_promises_a_date_in_the_candidates_own_variant() -> None:
    context = context_for(Purpose.HOLDING_UPDATE, locale="de-AT").model_copy(
        update={"next_update_by": date(2027, 1, 8)}
    )
    message = COMPOSER.compose(Purpose.HOLDING_UPDATE, context)
    assert "bis Freitag, 8. Jänner" in message.text
    assert message.locale_used == "de"


def test_locale_falls_back_along_the_chain() -> None:
    german = COMPOSER.compose(Purpose.REJECTION, context_for(Purpose.REJECTION, locale="de-CH"))
    assert (german.locale_used, german.template_id) == ("de", "default:de/rejection.interview")
    french = COMPOSER.compose(Purpose.REJECTION, context_for(Purpose.REJECTION, locale="fr"))
    assert french.locale_used == "en"


def test_the_composer_default_locale_applies_when_the_context_has_none() -> None:
    message = Composer(default_locale="de").compose(
        Purpose.REJECTION, context_for(Purpose.REJECTION, locale=None)
    )
    assert message.locale_used == "de"
    assert message.text.startswith("Hallo Alex,")


def test_a_missing_role_renders_no_none_and_goes_to_a_person() -> None:
    context = context_for(Purpose.REJECTION).model_copy(update={"role": None})
    message = COMPOSER.compose(Purpose.REJECTION, context)
    assert "None" not in message.text
    assert {"ARL002", "ARL004"} <= message.lint.codes
    assert message.lint.route_to_human
    offsets = [offset for part, offset in message.empty_placeholders if part == "text"]
    assert offsets
    assert message.text[offsets[0] - len("for the ") : offsets[0]] == "for the "


def test_without_a_name_the_greeting_is_neutral_and_only_warned_about() -> None:
    context = context_for(Purpose.REJECTION).model_copy(update={"candidate_name": None})
    message = COMPOSER.compose(Purpose.REJECTION, context)
    assert message.text.startswith("Hello,\n")
    assert not message.lint.route_to_human


def test_the_subject_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "rejection.subject.j2").write_text("Your application\nBcc: x@example.com\n")
    (tmp_path / "en" / "rejection.text.j2").write_text(
        "Hi {{ candidate_name }},\n\nThank you for applying for the {{ role }} role. "
        "We have decided not to move forward with your application.\n\n{{ sender.name }}\n"
    )
    message = Composer.from_paths(tmp_path).compose(
        Purpose.REJECTION, context_for(Purpose.REJECTION)
    )
    assert message.subject == "Your application Bcc: x@example.com"
    assert message.html is None


def test_blank_lines_left_by_conditional_blocks_are_tidied() -> None:
    message = COMPOSER.compose(
        Purpose.REJECTION, context_for(Purpose.REJECTION, scope=FeedbackScope.NONE)
    )
    assert "\n\n\n" not in message.text
    assert " \n" not in message.text
    assert message.text.endswith("Northwind Labs\n")


def test_a_composed_message_hides_its_texts_from_repr() -> None:
    message = COMPOSER.compose(Purpose.REJECTION, context_for(Purpose.REJECTION))
    assert isinstance(message, ComposedMessage)
    assert "Alex" not in repr(message)
    assert "default:en/rejection.interview" in repr(message)


def test_preview_renders_sample_data_and_its_findings() -> None:
    message = render_preview(Purpose.REJECTION, stage=StageKind.FINAL)
    shown = format_preview(message)
    assert "template: default:en/rejection.final (locale en)" in shown
    assert "subject:  Your application for Senior Backend Engineer at Northwind Labs" in shown
    assert "--- html ---" in shown
    assert shown.rstrip().endswith("lint: no findings")


def test_preview_lists_findings_with_their_place() -> None:
    context = context_for(Purpose.REJECTION).model_copy(
        update={"strengths": ("you were overqualified",)}
    )
    shown = format_preview(render_preview(Purpose.REJECTION, context=context), include_html=False)
    assert "route to a person" in shown
    assert "ARL101 error [text " in shown
    assert "--- html ---" not in shown


def test_preview_uses_a_user_template_folder(tmp_path: Path) -> None:
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "consent_request.subject.j2").write_text("Stay in touch?")
    (tmp_path / "en" / "consent_request.text.j2").write_text("Hi {{ candidate_name }}")
    message = render_preview(Purpose.CONSENT_REQUEST, templates_dir=tmp_path)
    assert message.template_id == "user:en/consent_request"
    assert message.subject == "Stay in touch?"
