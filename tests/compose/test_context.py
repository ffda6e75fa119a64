"""Building the message context: the feedback rule, caps, sender, locale, and privacy."""

from __future__ import annotations

from datetime import UTC, datetime

import pydantic
import pytest

from ats_reject.compose import (
    FeedbackScope,
    MessageContext,
    Sender,
    TalentPoolInvitation,
    build_context,
)
from ats_reject.errors import ConfigurationError
from ats_reject.models import (
    Application,
    ApplicationStatus,
    Candidate,
    Job,
    Rejection,
    Stage,
    StageKind,
    User,
)

DECIDED = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
RECRUITER = User(
    id="u-1", name="Sam Rivera", email="sam.rivera@example.com", title="Talent Partner"
)


def make_application(
    *,
    candidate: Candidate | None = None,
    recruiter: User | None = RECRUITER,
    coordinator: User | None = None,
    stage: StageKind | None = StageKind.INTERVIEW,
) -> Application:
    return Application(
        id="a-1",
        candidate=candidate
        or Candidate(id="c-1", first_name="Alexandra", preferred_name="Alex", locale="de_at"),
        status=ApplicationStatus.REJECTED,
        job=Job(id="j-1", name="Senior Backend Engineer"),
        current_stage=Stage(id="s-1", name="Onsite", kind=stage) if stage else None,
        rejection=Rejection(decided_at=DECIDED),
        recruiter=recruiter,
        coordinator=coordinator,
    )


def test_context_takes_name_role_stage_sender_and_locale_from_the_application() -> None:
    context = build_context(make_application(), company="Northwind Labs")
    assert context.candidate_name == "Alex"
    assert context.role == "Senior Backend Engineer"
    assert context.stage is StageKind.INTERVIEW
    assert context.sender == Sender(
        name="Sam Rivera", title="Talent Partner", reply_to="sam.rivera@example.com"
    )
    assert context.locale == "de-AT"


def test_explicit_role_and_locale_win() -> None:
    context = build_context(
        make_application(), company="Northwind Labs", role="Staff Engineer", locale="en_gb"
    )
    assert (context.role, context.locale) == ("Staff Engineer", "en-GB")


def test_an_unreadable_candidate_locale_falls_back_to_the_default() -> None:
    candidate = Candidate(id="c-1", first_name="Alex", locale="English (UK)")
    context = build_context(make_application(candidate=candidate), company="Northwind Labs")
    assert context.locale is None


def test_without_a_stage_the_stage_is_other() -> None:
    context = build_context(make_application(stage=None), company="Northwind Labs")
    assert context.stage is StageKind.OTHER


def test_feedback_scope_none_lets_no_feedback_in() -> None:
    context = build_context(
        make_application(),
        company="Northwind Labs",
        feedback_scope=FeedbackScope.NONE,
        strengths=["clear design"],
        growth_areas=["testing"],
    )
    assert context.strengths == ()
    assert context.growth_areas == ()


def test_feedback_scope_strengths_drops_growth_areas() -> None:
    context = build_context(
        make_application(),
        company="Northwind Labs",
        feedback_scope=FeedbackScope.STRENGTHS,
        strengths=["clear design"],
        growth_areas=["testing"],
    )
    assert context.strengths == ("clear design",)
    assert context.growth_areas == ()


def test_feedback_is_capped_at_two_each_by_default_keeping_the_first() -> None:
    context = build_context(
        make_application(),
        company="Northwind Labs",
        feedback_scope=FeedbackScope.FULL,
        strengths=["one", "two", "three"],
        growth_areas=["a", "b", "c"],
    )
    assert context.strengths == ("one", "two")
    assert context.growth_areas == ("a", "b")


def test_feedback_drops_blank_and_repeated_items_before_capping() -> None:
    context = build_context(
        make_application(),
        company="Northwind Labs",
        feedback_scope=FeedbackScope.FULL,
        strengths=["  ", "Clear design", "clear  design", "good tests"],
        max_strengths=3,
    )
    assert context.strengths == ("Clear design", "good tests")


def test_a_cap_above_five_is_held_at_five() -> None:
    context = build_context(
        make_application(),
        company="Northwind Labs",
        feedback_scope=FeedbackScope.FULL,
        strengths=[f"point {n}" for n in range(8)],
        max_strengths=50,
    )
    assert len(context.strengths) == 5


def test_the_coordinator_signs_when_the_recruiter_has_no_name() -> None:
    coordinator = User(id="u-2", first_name="Kim", last_name="Lee", email="kim@example.com")
    context = build_context(
        make_application(recruiter=User(id="u-1"), coordinator=coordinator),
        company="Northwind Labs",
    )
    assert context.sender.name == "Kim Lee"
    assert context.sender.reply_to == "kim@example.com"


def test_the_default_sender_signs_when_nobody_in_the_ats_can() -> None:
    team = Sender(name="The Northwind hiring team", reply_to="jobs@example.com")
    context = build_context(
        make_application(recruiter=None), company="Northwind Labs", default_sender=team
    )
    assert context.sender is team


def test_without_any_sender_the_error_names_the_setting_and_no_person() -> None:
    with pytest.raises(ConfigurationError) as caught:
        build_context(make_application(recruiter=None), company="Northwind Labs")
    assert caught.value.key_path == "company.sign_off"
    assert "a-1" in str(caught.value)
    assert "Alex" not in str(caught.value)


def test_feedback_outside_its_scope_is_refused_without_echoing_it() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        MessageContext(
            company="Northwind Labs",
            sender=Sender(name="Sam Rivera"),
            feedback_scope=FeedbackScope.STRENGTHS,
            growth_areas=("a secret remark about Alex",),
        )
    assert "secret remark" not in str(caught.value)


def test_repr_shows_no_personal_data() -> None:
    context = build_context(
        make_application(),
        company="Northwind Labs",
        feedback_scope=FeedbackScope.FULL,
        strengths=["a remark about the take-home"],
        talent_pool=TalentPoolInvitation(consent_url="https://example.com/consent/tok123"),
        links={"careers": "https://careers.example.com"},
    )
    shown = repr(context)
    for secret in ("Alex", "Sam Rivera", "sam.rivera@", "remark", "tok123"):
        assert secret not in shown
    assert "Northwind Labs" in shown


def test_single_line_fields_are_collapsed_and_the_marker_character_is_removed() -> None:
    candidate = Candidate(id="c-1", first_name="Alex\r\nBcc: someone\ue000")
    context = build_context(make_application(candidate=candidate), company="Northwind Labs")
    assert context.candidate_name == "Alex Bcc: someone"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.com", "https://a\nb"])
def test_links_must_be_web_or_mail_urls(url: str) -> None:
    with pytest.raises(pydantic.ValidationError):
        build_context(make_application(), company="Northwind Labs", links={"careers": url})


def test_sender_from_a_user_without_a_name_is_none() -> None:
    assert Sender.from_user(User(id="u-9", email="x@example.com")) is None


def test_a_reply_address_must_be_an_address() -> None:
    with pytest.raises(pydantic.ValidationError):
        Sender(name="Sam", reply_to="not an address")
