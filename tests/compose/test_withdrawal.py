"""The withdrawal thank-you: the purpose the policy plans for, its shipped words, its lint."""

from __future__ import annotations

import pytest

from ats_reject.compose import Composer, FeedbackScope, MessageContext, Purpose, sample_context
from ats_reject.models import StageKind
from ats_reject.policy import WITHDRAWAL_TEMPLATE, PolicySettings, WithdrawalResponse

from .conftest import lint_text

COMPOSER = Composer()
PURPOSE = Purpose.WITHDRAWAL_THANKS


def thanks(
    *,
    locale: str = "en",
    stage: StageKind = StageKind.INTERVIEW,
    pool: bool = False,
    **update: object,
) -> MessageContext:
    context = sample_context(PURPOSE, locale=locale, stage=stage, with_talent_pool=pool)
    return context.model_copy(update=update) if update else context


def test_the_policy_thank_you_template_is_a_composition_purpose() -> None:
    policy = PolicySettings(withdrawal=WithdrawalResponse.THANK_YOU)
    (withdrawn,) = [rule for rule in policy.effective_rules() if rule.when.is_withdrawal_rule]
    assert withdrawn.then.template == WITHDRAWAL_TEMPLATE
    assert Purpose(WITHDRAWAL_TEMPLATE) is Purpose.WITHDRAWAL_THANKS


@pytest.mark.parametrize("locale", ["en", "de"])
def test_the_shipped_thank_you_has_subject_text_and_html(locale: str) -> None:
    message = COMPOSER.compose(PURPOSE, thanks(locale=locale))
    assert message.template_id == f"default:{locale}/withdrawal_thanks"
    assert message.subject
    assert message.html is not None
    assert "Senior Backend Engineer" in message.subject
    assert message.lint.findings == ()


def test_the_english_thank_you_thanks_acknowledges_and_is_signed() -> None:
    message = COMPOSER.compose(PURPOSE, thanks())
    paragraphs = message.text.split("\n\n")
    assert paragraphs[0] == "Hi Alex,"
    assert "withdrawing your application for the Senior Backend Engineer role" in paragraphs[1]
    assert "respect your decision" in paragraphs[1]
    assert "interest in Northwind Labs and for the time you gave us" in paragraphs[2]
    assert message.text.rstrip().endswith("Sam Rivera\nTalent Partner, Northwind Labs")
    assert "reply to this email" in message.text


def test_the_german_thank_you_acknowledges_the_withdrawal() -> None:
    message = COMPOSER.compose(PURPOSE, thanks(locale="de"))
    assert message.text.startswith("Hallo Alex,\n\nvielen Dank")
    assert "Bewerbung auf die Position „Senior Backend Engineer“" in message.text
    assert "zurückziehen" in message.text
    assert "respektiere Ihre Entscheidung" in message.text
    assert message.text.rstrip().endswith("Sam Rivera\nTalent Partner, Northwind Labs")


@pytest.mark.parametrize("locale", ["en", "de"])
def test_the_thank_you_never_rejects_and_never_gives_feedback(locale: str) -> None:
    context = thanks(locale=locale)
    assert context.strengths
    assert context.growth_areas
    message = COMPOSER.compose(PURPOSE, context)
    for item in (*context.strengths, *context.growth_areas):
        assert item not in message.text
    for rejection in ("not to move forward", "nicht weiter", "unfortunately", "leider"):
        assert rejection not in message.text.lower()


def test_after_an_early_stage_it_does_not_mention_conversations() -> None:
    early = COMPOSER.compose(PURPOSE, thanks(stage=StageKind.APPLICATION_REVIEW))
    late = COMPOSER.compose(PURPOSE, thanks(stage=StageKind.FINAL))
    assert "conversations" not in early.text
    assert "the team enjoyed the conversations with you" in late.text


@pytest.mark.parametrize("locale", ["en", "de"])
def test_the_open_door_follows_the_context(locale: str) -> None:
    invited = COMPOSER.compose(PURPOSE, thanks(locale=locale, pool=True))
    # The offer to stay in touch is no bare promise: the consent link is in the text.
    assert invited.lint.findings == ()
    assert "https://careers.example.com/talent-pool/consent/SAMPLE" in invited.text
    assert invited.html is not None
    assert 'href="https://careers.example.com/talent-pool/consent/SAMPLE"' in invited.html

    consented = COMPOSER.compose(PURPOSE, thanks(locale=locale, talent_pool_consented=True))
    assert consented.lint.findings == ()
    assert "careers.example.com" not in consented.text

    careers = COMPOSER.compose(PURPOSE, thanks(locale=locale))
    assert "https://careers.example.com" in careers.text
    assert "consent" not in careers.text.lower()

    bare = COMPOSER.compose(PURPOSE, thanks(locale=locale, links={}))
    assert bare.lint.findings == ()
    assert "https://" not in bare.text


def test_no_decision_stated_is_right_for_a_thank_you() -> None:
    body = (
        "Hi Alex,\n\nThank you for letting us know that you are withdrawing your application "
        "for the Senior Backend Engineer role at Northwind Labs. I understand, and I respect "
        "your decision. Thank you for your interest and for the time you gave us.\n\n"
        "Best wishes,\n\nSam Rivera\n"
    )
    assert lint_text(body, purpose=PURPOSE).findings == ()
    assert "ARL005" in lint_text(body).codes


def test_a_rejection_in_a_thank_you_is_an_error() -> None:
    body = (
        "Hi Alex,\n\nThank you for your interest in the Senior Backend Engineer role at "
        "Northwind Labs. We have decided not to move forward with your application, and we "
        "respect your decision to withdraw.\n\nBest wishes,\n\nSam Rivera\n"
    )
    report = lint_text(body, purpose=PURPOSE)
    assert report.route_to_human
    assert [finding.code for finding in report.findings] == ["ARL017"]
    (finding,) = report.findings
    assert finding.span is not None
    assert body[finding.span[0] : finding.span[1]] == "decided not to move"


def test_a_promise_without_consent_in_a_thank_you_is_an_error() -> None:
    body = (
        "Hi Alex,\n\nThank you for letting us know that you are withdrawing from the Senior "
        "Backend Engineer role at Northwind Labs. We will keep your CV on file and contact you "
        "if a suitable role opens.\n\nBest wishes,\n\nSam Rivera\n"
    )
    context = thanks(feedback_scope=FeedbackScope.NONE, strengths=(), growth_areas=())
    assert "ARL112" in lint_text(body, purpose=PURPOSE, context=context).codes
    consented = context.model_copy(update={"talent_pool_consented": True})
    assert "ARL112" not in lint_text(body, purpose=PURPOSE, context=consented).codes


def test_a_thank_you_is_checked_like_any_candidate_message() -> None:
    report = lint_text("Dear candidate,\n\nThanks.\n", purpose=PURPOSE)
    assert {"ARL003", "ARL004", "ARL009", "ARL012"} <= report.codes
