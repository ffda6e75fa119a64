"""Rule matching, the shipped rules, channels and their fallbacks, feedback, explanations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from ats_reject.adapter import Capability
from ats_reject.compose.context import FeedbackScope
from ats_reject.models import (
    Application,
    ApplicationStatus,
    Office,
    RejectionReasonKind,
    SourceKind,
    StageKind,
)
from ats_reject.policy import (
    ActionCondition,
    Audience,
    Channel,
    MessageKind,
    Outcome,
    PolicyEngine,
    RejectionCase,
)

ApplicationFactory = Callable[..., Application]
EngineFactory = Callable[..., PolicyEngine]


def _utc(moment: str) -> datetime:
    """An aware UTC time from ``YYYY-MM-DD HH:MM[:SS]``."""
    return datetime.fromisoformat(moment).replace(tzinfo=UTC)


def test_first_matching_rule_wins_and_earlier_rules_say_why_they_did_not(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    engine = make_engine(
        rules=[
            {"name": "agencies", "when": {"source_kind": "agency"}, "then": {"channel": "none"}},
            {"name": "screens", "when": {"stage_kind": "screen"}, "then": {"channel": "email"}},
            {"name": "also-screens", "when": {"stage_kind": "screen"}, "then": {"channel": "call"}},
        ]
    )
    decision = engine.decide(RejectionCase("main", make_application()))
    assert decision.rule == "screens"
    assert decision.channel is Channel.EMAIL
    assert decision.trace[:2] == (
        "rule 1 'agencies' passed over: source kind is applied, not one of agency",
        "rule 2 'screens' matched: stage kind is one of screen",
    )


# (condition, what makes it match, what makes it miss)
CONDITIONS: list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = [
    ({"connection": "other"}, {"connection": "other"}, {"connection": "main"}),
    ({"job": "backend engineer"}, {}, {"job": "Designer"}),
    ({"job": ["nothing", "JOB-1"]}, {}, {"job_id": "job-2"}),
    ({"department": "Engineering"}, {}, {"department": "Sales"}),
    (
        {"office": "berlin"},
        {"offices": (Office(id="ber", name="Berlin"),)},
        {"offices": (Office(id="nyc", name="New York"),)},
    ),
    ({"office": "ber"}, {"offices": (Office(id="ber", name="Berlin"),)}, {}),
    ({"stage_kind": ["interview", "final"]}, {"stage": StageKind.FINAL}, {}),
    ({"stage_position": {"min": 2}}, {"position": 3}, {"position": 1}),
    ({"stage_position": {"max": 1}}, {"position": 0}, {"position": None}),
    ({"stage_name": "recruiter screen"}, {}, {"stage_name": "Phone Screen"}),
    ({"reason": "experience"}, {}, {"reason_name": "Location"}),
    ({"reason": "reason-exp"}, {}, {"reason_id": "reason-loc", "reason_name": "Location"}),
    ({"reason_kind": ["other"]}, {"reason_kind": RejectionReasonKind.OTHER}, {}),
    ({"source_kind": ["referral", "agency"]}, {"source": SourceKind.AGENCY}, {}),
    ({"source": "linkedin"}, {"source_name": "LinkedIn"}, {}),
    ({"tags": ["silver-medallist", "x"]}, {"tags": ("Silver-Medallist",)}, {"tags": ("y",)}),
    ({"internal": True}, {"internal": True}, {}),
    ({"internal": True}, {"source": SourceKind.INTERNAL}, {"source": None}),
    ({"internal": False}, {}, {"internal": True}),
    ({"had_interviews": True}, {"had_interviews": True}, {"had_interviews": False}),
    # Unknown to the ATS: inferred from the stage.
    ({"had_interviews": True}, {"stage": StageKind.INTERVIEW}, {"stage": StageKind.SCREEN}),
    ({"had_interviews": False}, {"stage": StageKind.ASSESSMENT}, {"stage": StageKind.FINAL}),
]


@pytest.mark.parametrize(("condition", "hit", "miss"), CONDITIONS)
def test_every_condition_matches_and_misses(
    make_engine: EngineFactory,
    make_application: ApplicationFactory,
    condition: dict[str, Any],
    hit: dict[str, Any],
    miss: dict[str, Any],
) -> None:
    engine = make_engine(
        rules=[{"name": "target", "when": condition, "then": {"channel": "none"}}],
        capabilities={"main": (), "other": ()},
    )

    def rule_for(overrides: dict[str, Any]) -> str | None:
        fields = dict(overrides)
        connection = fields.pop("connection", "main")
        return engine.decide(RejectionCase(connection, make_application(**fields))).rule

    assert rule_for(hit) == "target"
    assert rule_for(miss) != "target"


def test_all_conditions_of_a_rule_must_hold(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    engine = make_engine(
        rules=[
            {
                "name": "referred-interviewees",
                "when": {"source_kind": "referral", "had_interviews": True},
                "then": {"channel": "call"},
            }
        ]
    )
    both = make_application(source=SourceKind.REFERRAL, had_interviews=True)
    one = make_application(source=SourceKind.REFERRAL, had_interviews=False)
    assert engine.decide(RejectionCase("main", both)).rule == "referred-interviewees"
    missed = engine.decide(RejectionCase("main", one))
    assert missed.rule != "referred-interviewees"
    assert "rule 1 'referred-interviewees' passed over: had no interviews" in missed.trace


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ((StageKind.APPLICATION_REVIEW, False), ("default:early-stage", Channel.EMAIL)),
        ((StageKind.SCREEN, False), ("default:early-stage", Channel.EMAIL)),
        ((StageKind.INTERVIEW, False), ("default:interviewed", Channel.EMAIL)),
        ((StageKind.FINAL, False), ("default:final-stage", Channel.CALL)),
        ((StageKind.OFFER, False), ("default:final-stage", Channel.CALL)),
        ((StageKind.SCREEN, True), ("default:internal", Channel.CALL)),
        ((StageKind.OTHER, False), ("default:otherwise", Channel.EMAIL)),
    ],
)
def test_shipped_rules_choose_the_channel_by_how_far_the_candidate_got(
    make_engine: EngineFactory,
    make_application: ApplicationFactory,
    candidate: tuple[StageKind, bool],
    expected: tuple[str, Channel],
) -> None:
    stage, internal = candidate
    decision = make_engine().decide(
        RejectionCase("main", make_application(stage=stage, internal=internal))
    )
    assert (decision.rule, decision.channel) == expected


def test_final_stage_gets_a_call_with_talking_points_and_an_email_fallback(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    decision = make_engine().decide(
        RejectionCase("main", make_application(stage=StageKind.FINAL, had_interviews=True))
    )
    kinds = [action.message_kind for action in decision.actions]
    assert kinds[:3] == [
        MessageKind.CALL_TASK,
        MessageKind.CALL_FALLBACK,
        MessageKind.TALENT_POOL_INVITE,
    ]
    call, fallback, invite = decision.actions[:3]
    # Decided Tuesday 11:00 Berlin: the call is due Wednesday 11:00, two business days to do it.
    assert call.due_at == _utc("2026-03-04 10:00")
    assert call.channel is Channel.CALL
    assert call.audience is Audience.RECRUITER
    assert call.template == "call_talking_points"
    assert call.deadline == _utc("2026-03-06 10:00")
    assert fallback.due_at == call.deadline
    assert fallback.channel is Channel.EMAIL
    assert fallback.template == "call_fallback"
    assert fallback.condition is ActionCondition.CALL_NOT_DONE
    assert invite.condition is ActionCondition.CALL_DONE
    assert invite.template == "consent_request"
    assert decision.feedback is FeedbackScope.STRENGTHS
    assert decision.talent_pool
    assert any("to mark the call done" in reason for reason in call.reasons)


def test_internal_candidates_get_a_call(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    decision = make_engine().decide(
        RejectionCase("main", make_application(source=SourceKind.INTERNAL))
    )
    assert decision.rule == "default:internal"
    assert decision.actions[0].message_kind is MessageKind.CALL_TASK
    assert decision.actions[1].message_kind is MessageKind.CALL_FALLBACK
    assert not decision.talent_pool


@pytest.mark.parametrize("response", ["nothing", "thank_you"])
def test_a_candidate_who_withdrew_never_gets_a_rejection(
    make_engine: EngineFactory, make_application: ApplicationFactory, response: str
) -> None:
    engine = make_engine(
        policy={"withdrawal": response},
        rules=[{"name": "everyone", "then": {"channel": "call"}}],
    )
    withdrawn = make_application(
        stage=StageKind.FINAL, reason_kind=RejectionReasonKind.THEY_WITHDREW
    )
    decision = engine.decide(RejectionCase("main", withdrawn))
    assert decision.rule == "default:withdrawn"
    assert decision.trace[0] == (
        "rule 1 'everyone' passed over: the candidate withdrew, and only rules naming "
        "reason_kind 'they_withdrew' apply to withdrawals"
    )
    if response == "nothing":
        assert decision.channel is Channel.NONE
        assert decision.actions == ()
    else:
        assert [action.message_kind for action in decision.actions] == [
            MessageKind.WITHDRAWAL_THANKS
        ]
        assert decision.actions[0].template == "withdrawal_thanks"


def test_withdrawal_without_any_matching_rule_gets_nothing(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    engine = make_engine(policy={"use_default_rules": False})
    withdrawn = make_application(reason_kind=RejectionReasonKind.THEY_WITHDREW)
    decision = engine.decide(RejectionCase("main", withdrawn))
    assert decision.rule == "built-in:withdrawn"
    assert decision.actions == ()
    assert "no rule matched; built-in fallback: a candidate who withdrew gets nothing" in (
        decision.trace
    )
    other = engine.decide(RejectionCase("main", make_application()))
    assert other.rule == "built-in:otherwise"
    assert other.actions[0].message_kind is MessageKind.REJECTION


def test_a_withdrawal_rule_of_ones_own_may_send_a_thank_you(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    engine = make_engine(
        rules=[
            {
                "name": "thank-finalists",
                "when": {"reason_kind": "they_withdrew", "stage_kind": "final"},
                "then": {"channel": "email", "timing": {"minimum_delay": "2h"}},
            }
        ]
    )
    finalist = make_application(
        stage=StageKind.FINAL, reason_kind=RejectionReasonKind.THEY_WITHDREW
    )
    decision = engine.decide(RejectionCase("main", finalist))
    assert decision.rule == "thank-finalists"
    (thanks,) = decision.actions
    assert thanks.message_kind is MessageKind.WITHDRAWAL_THANKS
    assert thanks.template == "withdrawal_thanks"
    assert thanks.due_at == _utc("2026-03-03 12:00")


def test_no_feedback_before_interviews(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    rules = [{"name": "generous", "then": {"feedback": "full"}}]
    engine = make_engine(rules=rules)
    screened = engine.decide(RejectionCase("main", make_application(stage=StageKind.SCREEN)))
    assert screened.feedback is FeedbackScope.NONE
    assert not screened.feedback_allowed
    assert (
        "feedback full lowered to none: no interview took place judging by the stage (the ATS "
        "does not say) (policy.feedback_requires_interviews)"
    ) in screened.trace
    told = engine.decide(
        RejectionCase("main", make_application(stage=StageKind.FINAL, had_interviews=False))
    )
    assert told.feedback is FeedbackScope.NONE
    assert any("according to the ATS" in line for line in told.trace)
    interviewed = engine.decide(
        RejectionCase("main", make_application(stage=StageKind.SCREEN, had_interviews=True))
    )
    assert interviewed.feedback is FeedbackScope.FULL
    unguarded = make_engine(rules=rules, policy={"feedback_requires_interviews": False})
    assert (
        unguarded.decide(RejectionCase("main", make_application())).feedback is FeedbackScope.FULL
    )


def test_ats_channel_falls_back_to_email_without_native_email(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    rules = [{"name": "ats-mail", "then": {"channel": "ats", "ats_template_id": "tmpl-42"}}]
    plain = make_engine(rules=rules, capabilities={"main": {Capability.WEBHOOKS}})
    decision = plain.decide(RejectionCase("main", make_application()))
    assert decision.channel is Channel.EMAIL
    assert decision.actions[0].channel is Channel.EMAIL
    assert decision.actions[0].ats_template_id is None
    assert decision.fallbacks == (
        "rule 'ats-mail' asks for channel 'ats', but on connection 'main' its adapter cannot "
        "send the ATS's own e-mail (no native_email capability); sending our own e-mail instead",
    )
    assert f"fallback: {decision.fallbacks[0]}" in decision.explain()
    unknown = plain.decide(RejectionCase("elsewhere", make_application()))
    assert unknown.channel is Channel.EMAIL
    assert "the connection is unknown to the policy" in unknown.fallbacks[0]
    native = make_engine(rules=rules, capabilities={"main": {Capability.NATIVE_EMAIL}})
    sent_by_ats = native.decide(RejectionCase("main", make_application()))
    assert sent_by_ats.channel is Channel.ATS
    assert sent_by_ats.actions[0].channel is Channel.ATS
    assert sent_by_ats.actions[0].ats_template_id == "tmpl-42"
    assert sent_by_ats.fallbacks == ()


def test_decision_version_changes_after_unreject_and_rereject(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    engine = make_engine()
    first = engine.decide(RejectionCase("main", make_application()))
    again = engine.decide(RejectionCase("main", make_application()))
    assert [action.key for action in first.actions] == [action.key for action in again.actions]
    assert first.actions[0].key == (
        "main",
        "app-1",
        "rejection",
        "2026-03-03T10:00:00.000000Z",
    )
    unrejected = engine.decide(
        RejectionCase("main", make_application(status=ApplicationStatus.ACTIVE))
    )
    assert unrejected.outcome is Outcome.CANCELLED
    assert unrejected.decision_version is None
    assert unrejected.actions == ()
    rerejected = engine.decide(
        RejectionCase("main", make_application(decided_at=_utc("2026-03-05 09:30")))
    )
    assert rerejected.decision_version == "2026-03-05T09:30:00.000000Z"
    assert rerejected.actions[0].key != first.actions[0].key
    assert rerejected.actions[0].key[:3] == first.actions[0].key[:3]


def test_hired_application_is_cancelled_not_rejected(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    decision = make_engine().decide(
        RejectionCase("main", make_application(status=ApplicationStatus.HIRED))
    )
    assert decision.cancelled
    assert decision.cancel_reasons == (
        "the application is hired in the ATS, not rejected: nothing is sent, and anything "
        "planned for it is cancelled",
    )


def test_explanation_names_rule_channel_and_times(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    lines = make_engine().decide(RejectionCase("main", make_application())).explain()
    assert lines[0] == "application app-1 on connection 'main': planned"
    assert (
        "rule 4 'default:early-stage' matched: stage kind is one of application_review, screen"
        in lines
    )
    assert "channel email, template 'rejection', feedback none, talent-pool invitation off" in lines
    assert "rejection by email to candidate, due 2026-03-04 10:00 UTC, if always" in lines
    assert (
        "  earliest Wednesday 2026-03-04 11:00 Europe/Berlin: 24 hours after the decision" in lines
    )
    assert "  send at Wednesday 2026-03-04 11:00 Europe/Berlin (2026-03-04 10:00 UTC)" in lines


def test_reprs_show_ids_and_never_personal_data(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    case = RejectionCase("main", make_application(stage=StageKind.FINAL))
    decision = make_engine().decide(case)
    shown = repr(case) + repr(decision) + "".join(repr(action) for action in decision.actions)
    for personal in ("Robin", "Example", "robin.example@mail.example", "Europe/Berlin", "Kim"):
        assert personal not in shown
    assert "app-1" in shown
    assert (
        repr(case)
        == "RejectionCase(connection='main', application_id='app-1', other_applications=0)"
    )


def test_rule_timing_overrides_the_policy_default(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    engine = make_engine(
        policy={"timing": {"minimum_delay": "48h"}},
        rules=[
            {
                "name": "quick",
                "when": {"stage_kind": "application_review"},
                "then": {"timing": {"minimum_delay": "2h", "send_window": "daily 08:00-20:00"}},
            }
        ],
    )
    quick = engine.decide(
        RejectionCase("main", make_application(stage=StageKind.APPLICATION_REVIEW))
    )
    assert quick.actions[0].due_at == _utc("2026-03-03 12:00")
    slow = engine.decide(RejectionCase("main", make_application()))
    assert slow.actions[0].due_at == _utc("2026-03-05 10:00")
