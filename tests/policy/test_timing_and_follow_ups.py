"""Times flow from the timing module into decisions, with their reasons; follow-ups, promises
and bulk spreading."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ats_reject.models import (
    Application,
    ApplicationStatus,
    Location,
    Office,
    StageKind,
)
from ats_reject.policy import (
    ActionCondition,
    Audience,
    Channel,
    MessageKind,
    PolicyEngine,
    RejectionCase,
)
from ats_reject.timing import SendWindow, is_allowed_time

ApplicationFactory = Callable[..., Application]
EngineFactory = Callable[..., PolicyEngine]


def _utc(moment: str) -> datetime:
    """An aware UTC time from ``YYYY-MM-DD HH:MM[:SS]``."""
    return datetime.fromisoformat(moment).replace(tzinfo=UTC)


def test_friday_evening_decision_goes_out_monday_morning_with_reasons(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    # Friday 2026-03-06 18:30 in Berlin.
    application = make_application(decided_at=_utc("2026-03-06 17:30"))
    decision = make_engine().decide(RejectionCase("main", application))
    (message,) = decision.actions
    assert message.message_kind is MessageKind.REJECTION
    assert message.due_at == _utc("2026-03-09 08:00")
    assert message.deadline == _utc("2026-03-13 17:30")
    assert message.deadline_met
    assert message.zone == "Europe/Berlin"
    assert message.reasons == (
        "time zone Europe/Berlin: the candidate's time zone in the ATS",
        "days without messages: public holidays of DE; weekend Sat,Sun",
        "earliest Saturday 2026-03-07 18:30 Europe/Berlin: 24 hours after the decision",
        "deadline Friday 2026-03-13 18:30 Europe/Berlin: 5 business days after the decision",
        "moved from Saturday 2026-03-07 18:30 to Monday 2026-03-09 09:00 Europe/Berlin: outside "
        "the send window (working days 09:00-17:00)",
        "send at Monday 2026-03-09 09:00 Europe/Berlin (2026-03-09 08:00 UTC)",
    )
    assert "  " + message.reasons[4] in decision.explain()


def test_easter_holidays_of_the_candidate_push_the_message_back(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    # Maundy Thursday 2026-04-02 10:00 in Berlin; Good Friday and Easter Monday are holidays.
    application = make_application(decided_at=_utc("2026-04-02 08:00"))
    (message,) = make_engine().decide(RejectionCase("main", application)).actions
    assert message.due_at == _utc("2026-04-07 07:00")  # Tuesday 09:00 CEST
    assert "Friday 2026-04-03 is Good Friday (DE)" in message.reasons[4]
    assert "Monday 2026-04-06 skipped: Easter Monday (DE)" in message.reasons


def test_the_candidates_own_country_decides_the_holidays(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    # A candidate in New York is rejected on the Friday before Memorial Day 2026 (May 25).
    application = make_application(
        time_zone=None,
        location=Location(country="US", region="NY"),
        decided_at=_utc("2026-05-22 14:00"),
    )
    (message,) = make_engine().decide(RejectionCase("main", application)).actions
    assert message.zone == "America/New_York"
    assert message.due_at == _utc("2026-05-26 13:00")  # Tuesday 09:00 EDT
    assert any("Memorial Day" in reason for reason in message.reasons)


def test_office_zone_and_company_closure_days_are_used(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    engine = make_engine(
        company={
            "offices": {"Austin": "America/Chicago"},
            "closure_days": [{"from": "2026-03-04", "label": "all-hands day"}],
        }
    )
    application = make_application(time_zone=None, offices=(Office(id="aus", name="Austin"),))
    (message,) = engine.decide(RejectionCase("main", application)).actions
    assert message.zone == "America/Chicago"
    # Earliest Wednesday 04:00 in Austin, a closure day: Thursday 09:00 CST.
    assert message.due_at == _utc("2026-03-05 15:00")
    assert message.reasons[0] == (
        "time zone America/Chicago: the zone configured for the job's office 'aus'; skipped: "
        "the ATS holds no time zone for the candidate; the candidate's location has no country"
    )
    assert any("all-hands day" in reason for reason in message.reasons)


def test_a_rejection_processed_late_goes_at_the_next_allowed_time(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    engine = make_engine(now=_utc("2026-03-05 12:00:30"))
    (message,) = engine.decide(RejectionCase("main", make_application())).actions
    assert message.due_at == _utc("2026-03-05 12:00:30")
    assert message.reasons[-2] == (
        "the planned time Wednesday 2026-03-04 11:00 has passed (the rejection reached the "
        "policy late): moved to the next allowed time"
    )
    evening = make_engine(now=_utc("2026-03-05 18:00"))
    (later,) = evening.decide(RejectionCase("main", make_application())).actions
    assert later.due_at == _utc("2026-03-06 08:00")


def test_missed_deadline_is_flagged(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    engine = make_engine(now=_utc("2026-03-20 09:00"))
    (message,) = engine.decide(RejectionCase("main", make_application())).actions
    assert not message.deadline_met
    assert any(reason.startswith("deadline missed:") for reason in message.reasons)


def test_talent_pool_follow_ups_and_retention(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    engine = make_engine(
        rules=[
            {
                "name": "pool",
                "then": {
                    "talent_pool": True,
                    "follow_up": {
                        "re_engagement": ["3 months", "9 months"],
                        "consent_validity": "6 months",
                        "retention": "6 months",
                    },
                },
            }
        ]
    )
    decision = engine.decide(RejectionCase("main", make_application()))
    by_kind = {action.message_kind: action for action in decision.actions}
    assert [action.message_kind for action in decision.actions] == [
        MessageKind.REJECTION,
        MessageKind.RE_ENGAGEMENT,
        MessageKind.CONSENT_RENEWAL,
        MessageKind.RETENTION_PURGE,
    ]
    told = by_kind[MessageKind.REJECTION].due_at
    assert told == _utc("2026-03-04 10:00")
    re_engagement = by_kind[MessageKind.RE_ENGAGEMENT]
    # Three calendar months later, Thursday 2026-06-04 11:00 CEST = 09:00 UTC.
    assert re_engagement.due_at == _utc("2026-06-04 09:00")
    assert re_engagement.condition is ActionCondition.CONSENT_GIVEN
    assert re_engagement.decision_version == "2026-03-03T10:00:00.000000Z#3 months"
    renewal = by_kind[MessageKind.CONSENT_RENEWAL]
    assert renewal.due_at == _utc("2026-09-04 09:00")
    assert renewal.template == "consent_request"
    purge = by_kind[MessageKind.RETENTION_PURGE]
    assert purge.channel is Channel.NONE
    assert purge.audience is Audience.NOBODY
    assert purge.condition is ActionCondition.NO_CONSENT
    assert purge.due_at == _utc("2026-09-04 09:00")
    keys = [action.key for action in decision.actions]
    assert len(set(keys)) == len(keys)


def test_promised_decision_date_plans_a_reminder_and_a_holding_update(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    engine = make_engine()
    active = make_application(status=ApplicationStatus.ACTIVE)
    # Promised by Saturday 2026-03-07 12:00 Berlin.
    reminder, update = engine.plan_promise("main", active, _utc("2026-03-07 11:00"))
    assert reminder.message_kind is MessageKind.RECRUITER_REMINDER
    assert reminder.audience is Audience.RECRUITER
    assert reminder.due_at == _utc("2026-03-06 11:00")
    assert update.message_kind is MessageKind.HOLDING_UPDATE
    assert update.template == "holding_update"
    assert update.due_at == _utc("2026-03-09 08:00")  # Monday 09:00, the next allowed time
    for action in (reminder, update):
        assert action.condition is ActionCondition.STILL_UNDECIDED
        assert action.decision_version == "promise:2026-03-07T11:00:00.000000Z"
    assert engine.plan_promise("main", make_application(), _utc("2026-03-07 11:00")) == ()
    quiet = make_engine(policy={"promises": {"remind_recruiter": False}})
    (only_update,) = quiet.plan_promise("main", active, _utc("2026-03-07 11:00"))
    assert only_update.message_kind is MessageKind.HOLDING_UPDATE


def test_bulk_rejection_is_spread_under_the_hourly_cap(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    engine = make_engine(policy={"sender_hourly_cap": 3})
    cases = [
        RejectionCase("main", make_application(f"app-{n}", candidate_id=f"cand-{n}"))
        for n in range(12)
    ]
    decisions = engine.decide_batch(cases)
    assert [decision.application_id for decision in decisions] == [f"app-{n}" for n in range(12)]
    times = sorted(decision.actions[0].due_at for decision in decisions)
    window = SendWindow.parse("working days 09:00-17:00")
    calendar = decisions[0].actions[0]
    assert calendar.zone == "Europe/Berlin"
    assert len(set(times)) == 12
    assert times[0] >= _utc("2026-03-04 10:00")
    for start in times:
        assert sum(start <= other < start + timedelta(hours=1) for other in times) <= 3
    from ats_reject.timing import HolidayCalendar

    for moment in times:
        assert is_allowed_time(
            moment, window=window, zone="Europe/Berlin", calendar=HolidayCalendar("DE")
        )
    assert any(
        "spread within the send window" in reason
        for d in decisions
        for reason in d.actions[0].reasons
    )
    again = engine.decide_batch(list(reversed(cases)))
    assert {d.application_id: d.actions[0].due_at for d in again} == {
        d.application_id: d.actions[0].due_at for d in decisions
    }


def test_bulk_counts_earlier_batches_against_the_cap(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    engine = make_engine(policy={"sender_hourly_cap": 1})
    booked = [_utc("2026-03-04 10:00") + timedelta(minutes=10 * n) for n in range(42)]
    (decision,) = engine.decide_batch(
        [RejectionCase("main", make_application())], already_planned={"email": booked}
    )
    assert decision.actions[0].due_at >= booked[-1] + timedelta(hours=1)
    assert engine.sender_key(RejectionCase("main", make_application()), Channel.EMAIL) == "email"
    assert engine.sender_key(RejectionCase("main", make_application()), Channel.CALL) is None
    assert (
        engine.sender_key(RejectionCase("main", make_application()), Channel.ATS)
        == "ats:main:recruiter-1"
    )


def test_call_tasks_are_not_spread_and_final_stage_keeps_its_time(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    engine = make_engine()
    case = RejectionCase("main", make_application(stage=StageKind.FINAL))
    (batched,) = engine.decide_batch([case])
    assert batched.actions[0].due_at == engine.decide(case).actions[0].due_at
