"""Properties over any application state: one outcome, never a wrong message, deterministic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ats_reject.adapter import Capability
from ats_reject.clock import FrozenClock
from ats_reject.config import CompanySettings
from ats_reject.models import (
    Application,
    ApplicationStatus,
    Candidate,
    Job,
    Location,
    Office,
    Rejection,
    RejectionReason,
    RejectionReasonKind,
    Source,
    SourceKind,
    Stage,
    StageKind,
)
from ats_reject.policy import (
    Decision,
    MessageKind,
    Outcome,
    PolicyEngine,
    PolicySettings,
    RejectionCase,
)
from ats_reject.timing import HolidayCalendar, SendWindow, is_allowed_time

NOW = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)
REJECTION_MESSAGES = frozenset(
    {MessageKind.REJECTION, MessageKind.CALL_TASK, MessageKind.CALL_FALLBACK}
)
FIRST_MESSAGES = frozenset({*REJECTION_MESSAGES, MessageKind.WITHDRAWAL_THANKS})
RULES = [
    {"name": "agencies", "when": {"source_kind": "agency"}, "then": {"channel": "none"}},
    {
        "name": "thank-finalists",
        "when": {"reason_kind": "they_withdrew", "stage_kind": ["final", "offer"]},
        "then": {"channel": "email"},
    },
    {
        "name": "native",
        "when": {"tags": "native"},
        "then": {"channel": "ats", "ats_template_id": "t-1", "feedback": "full"},
    },
    {
        "name": "late-stage-pool",
        "when": {"stage_position": {"min": 3}},
        "then": {
            "channel": "call",
            "talent_pool": True,
            "follow_up": {"re_engagement": ["6 months"], "retention": "1 year"},
        },
    },
]
WINDOW = "working days 09:00-17:00"


def _engine(withdrawal: str = "thank_you") -> PolicyEngine:
    return PolicyEngine(
        PolicySettings.model_validate({"rules": RULES, "withdrawal": withdrawal}),
        CompanySettings.model_validate(
            {
                "name": "Acme",
                "time_zone": "Europe/Berlin",
                "offices": {"nyc": "America/New_York"},
                "closure_days": [date(2026, 12, 24), date(2026, 12, 31)],
            }
        ),
        capabilities_by_connection={"main": {Capability.NATIVE_EMAIL}, "other": set()},
        clock=FrozenClock(NOW),
    )


ENGINE = _engine()

moments = st.datetimes(
    min_value=datetime(2025, 12, 1),
    max_value=datetime(2027, 3, 1),
    timezones=st.just(UTC),
)
locations = st.one_of(
    st.none(),
    st.sampled_from(
        [
            Location(country="DE", region="Bayern"),
            Location(country="US", region="CA"),
            Location(country="IN"),
            Location(country="AU", region="NSW"),
            Location(country="BR"),
            Location(text="somewhere"),
        ]
    ),
)


@st.composite
def applications(draw: st.DrawFn, application_id: str, candidate: Candidate) -> Application:
    status = draw(st.sampled_from(ApplicationStatus))
    stage_kind = draw(st.one_of(st.none(), st.sampled_from(StageKind)))
    reason_kind = draw(st.one_of(st.none(), st.sampled_from(RejectionReasonKind)))
    rejection = (
        Rejection(
            decided_at=draw(moments),
            reason=RejectionReason(id="r", name="Reason", kind=reason_kind)
            if reason_kind is not None
            else None,
        )
        if status is ApplicationStatus.REJECTED
        else None
    )
    return Application(
        id=application_id,
        candidate=candidate,
        status=status,
        job=Job(
            id=f"job-{application_id}",
            name=f"Role {application_id}",
            offices=draw(st.sampled_from([(), (Office(id="nyc", name="New York"),)])),
        ),
        current_stage=Stage(
            id="s",
            name="Stage",
            position=draw(st.one_of(st.none(), st.integers(0, 6))),
            kind=stage_kind,
        )
        if stage_kind is not None
        else None,
        rejection=rejection,
        source=Source(kind=draw(st.sampled_from(SourceKind))),
        had_interviews=draw(st.one_of(st.none(), st.booleans())),
        is_prospect=draw(st.booleans()),
        applied_at=draw(st.one_of(st.none(), moments)),
    )


@st.composite
def cases(draw: st.DrawFn) -> RejectionCase:
    candidate = Candidate(
        id="cand",
        time_zone=draw(
            st.sampled_from([None, "Europe/Berlin", "America/Los_Angeles", "Asia/Tokyo", "UTC"])
        ),
        location=draw(locations),
        tags=draw(st.sampled_from([(), ("native",)])),
        is_internal=draw(st.booleans()),
    )
    application = draw(applications("app-0", candidate))
    others = draw(
        st.lists(
            st.integers(1, 9).flatmap(lambda n: applications(f"app-{n}", candidate)),
            max_size=3,
            unique_by=lambda other: other.id,
        )
    )
    return RejectionCase(draw(st.sampled_from(["main", "other"])), application, tuple(others))


def _withdrew(application: Application) -> bool:
    reason = application.rejection.reason if application.rejection else None
    return reason is not None and reason.kind is RejectionReasonKind.THEY_WITHDREW


def _check(case: RejectionCase, decision: Decision) -> None:
    application = case.application
    assert decision.application_id == application.id
    assert decision.outcome in set(Outcome)
    kinds = {action.message_kind for action in decision.actions}
    if decision.outcome is not Outcome.PLANNED:
        assert decision.actions == ()
    if decision.held:
        assert decision.waiting_for
        assert decision.hold_reasons
    if decision.cancelled:
        assert decision.cancel_reasons
    if application.status is not ApplicationStatus.REJECTED:
        assert decision.cancelled
    if any(other.status is ApplicationStatus.HIRED for other in case.other_applications):
        assert decision.cancelled
    if _withdrew(application):
        assert not kinds & REJECTION_MESSAGES
    if any(
        other.status is ApplicationStatus.ACTIVE and not other.is_prospect
        for other in case.other_applications
    ):
        assert not kinds & FIRST_MESSAGES
    keys = [action.key for action in decision.actions]
    assert len(keys) == len(set(keys))
    window = SendWindow.parse(WINDOW)
    for action in decision.actions:
        assert action.due_at.tzinfo is not None
        assert action.due_at >= NOW
        if action.message_kind in FIRST_MESSAGES:
            assert action.zone is not None
            assert action.decision_version == decision.decision_version
            assert is_allowed_time(
                action.due_at,
                window=window,
                zone=action.zone,
                calendar=HolidayCalendar.for_zone(
                    ENGINE._scheduler.zone_for(application),
                    closures=ENGINE._scheduler.closures,
                ),
            )
    assert decision.explain()[0].endswith(decision.outcome.value)


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(cases())
def test_any_state_gives_one_safe_outcome(case: RejectionCase) -> None:
    _check(case, ENGINE.decide(case))


@settings(max_examples=100, deadline=None, derandomize=True)
@given(cases())
def test_decisions_are_deterministic(case: RejectionCase) -> None:
    first = ENGINE.decide(case)
    fresh = _engine().decide(case)
    assert fresh == first
    assert fresh.explain() == first.explain()


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(cases(), min_size=1, max_size=8))
def test_batches_keep_every_guarantee(batch: list[RejectionCase]) -> None:
    decisions = ENGINE.decide_batch(batch)
    assert len(decisions) == len(batch)
    for case, decision in zip(batch, decisions, strict=True):
        _check(case, decision)
        single = ENGINE.decide(case)
        assert (decision.outcome, decision.rule, decision.channel) == (
            single.outcome,
            single.rule,
            single.channel,
        )
        if decision.actions:
            assert decision.actions[0].due_at >= single.actions[0].due_at


def test_withdrawal_setting_nothing_sends_nothing_to_withdrawn_candidates() -> None:
    engine = _engine("nothing")
    candidate = Candidate(id="cand", time_zone="Europe/Berlin")
    for stage in StageKind:
        application = Application(
            id="app-0",
            candidate=candidate,
            status=ApplicationStatus.REJECTED,
            current_stage=Stage(id="s", name="Stage", kind=stage),
            rejection=Rejection(
                decided_at=NOW + timedelta(days=1),
                reason=RejectionReason(
                    id="w", name="Withdrew", kind=RejectionReasonKind.THEY_WITHDREW
                ),
            ),
        )
        decision = engine.decide(RejectionCase("main", application))
        expected = 1 if stage in (StageKind.FINAL, StageKind.OFFER) else 0
        assert len(decision.actions) == expected
        assert all(
            action.message_kind is MessageKind.WITHDRAWAL_THANKS for action in decision.actions
        )
