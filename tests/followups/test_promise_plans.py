"""A promised decision date: a reminder to the recruiter, a holding update when it passes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from ats_reject.followups import FollowUpPlanner, PersonState, Requirement, unmet_requirements
from ats_reject.models import Application, ApplicationStatus
from ats_reject.policy import ActionCondition, Audience, MessageKind

ApplicationFactory = Callable[..., Application]
PlannerFactory = Callable[..., FollowUpPlanner]


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_promised_day_plans_a_reminder_the_day_before_and_an_update_after(
    make_planner: PlannerFactory, make_application: ApplicationFactory
) -> None:
    # Friday 2026-12-04 in Berlin; the promise passes at midnight into Saturday.
    application = make_application(
        status=ApplicationStatus.ACTIVE, tags=("decision-by:2026-12-04",)
    )
    plan = make_planner(now=_utc("2026-11-20 09:00")).promise("main", application)
    reminder, update = plan.actions
    assert reminder.message_kind is MessageKind.RECRUITER_REMINDER
    assert reminder.audience is Audience.RECRUITER
    assert reminder.due_at == _utc("2026-12-02 23:00")  # Thursday 00:00 in Berlin
    assert reminder.deadline == _utc("2026-12-04 23:00")
    assert update.message_kind is MessageKind.HOLDING_UPDATE
    assert update.audience is Audience.CANDIDATE
    assert update.template == "holding_update"
    assert update.due_at == _utc("2026-12-07 08:00")  # Monday 09:00, the next allowed time
    for action in plan.actions:
        assert action.condition is ActionCondition.STILL_UNDECIDED
        assert action.key[:2] == ("main", application.id)
        assert action.decision_version == "promise:2026-12-04T23:00:00.000000Z"
        assert action.reasons[0] == (
            "read from a 'decision-by:' tag: a decision by Friday 2026-12-04 (the end of that "
            "day in Europe/Berlin)"
        )
    assert reminder.reasons[1] == (
        "the recruiter is reminded 24 hours before the promised day begins "
        "(policy.promises.remind_recruiter_before): Thursday 2026-12-03 00:00 Europe/Berlin"
    )


def test_an_exact_promised_time_uses_the_policys_own_reminder(
    make_planner: PlannerFactory, make_application: ApplicationFactory
) -> None:
    application = make_application(
        status=ApplicationStatus.ACTIVE, custom_fields={"decision_by": "2026-12-04T15:00:00Z"}
    )
    plan = make_planner(
        now=_utc("2026-11-20 09:00"), policy={"promises": {"remind_recruiter_before": "6h"}}
    ).promise("main", application)
    reminder, update = plan.actions
    assert reminder.due_at == _utc("2026-12-04 09:00")
    assert update.due_at == _utc("2026-12-04 15:00")  # 16:00 in Berlin: inside the window
    assert plan.lookup.found is not None
    assert not plan.lookup.found.date_only


def test_the_update_is_held_back_only_while_the_application_is_undecided(
    make_planner: PlannerFactory, make_application: ApplicationFactory
) -> None:
    application = make_application(
        status=ApplicationStatus.ACTIVE, tags=("decision-by:2026-12-04",)
    )
    plan = make_planner(now=_utc("2026-11-20 09:00")).promise("main", application)
    now = _utc("2026-12-07 08:00")
    for action in plan.actions:
        assert unmet_requirements(action, PersonState(undecided=True), now=now) == ()
        assert unmet_requirements(action, PersonState(undecided=False), now=now) == (
            (Requirement.STILL_UNDECIDED, "the application is decided or closed"),
        )


def test_a_promise_already_past_is_acted_on_at_once(
    make_planner: PlannerFactory, make_application: ApplicationFactory
) -> None:
    application = make_application(status=ApplicationStatus.ACTIVE)
    now = _utc("2026-12-08 13:30")  # Tuesday, the promise of Friday 4th has passed
    plan = make_planner(now=now).promise("main", application, notes=("Decision by: 4 Dec 2026",))
    reminder, update = plan.actions
    assert reminder.due_at == now
    assert update.due_at == now


def test_no_promise_or_a_closed_application_plans_nothing(
    make_planner: PlannerFactory, make_application: ApplicationFactory
) -> None:
    planner = make_planner()
    nothing = planner.promise("main", make_application(status=ApplicationStatus.ACTIVE))
    assert nothing.actions == ()
    assert nothing.lookup.found is None
    rejected = make_application(tags=("decision-by:2026-12-04",))
    closed = planner.promise("main", rejected)
    assert closed.actions == ()
    assert closed.lookup.ignored[-1] == (
        "a 'decision-by:' tag: the application is rejected, so the promise needs nothing more"
    )


def test_reminder_and_update_follow_the_promise_settings(
    make_planner: PlannerFactory, make_application: ApplicationFactory
) -> None:
    application = make_application(
        status=ApplicationStatus.ACTIVE, tags=("decision-by:2026-12-04",)
    )
    only_update = make_planner(policy={"promises": {"remind_recruiter": False}})
    (update,) = only_update.promise("main", application).actions
    assert update.message_kind is MessageKind.HOLDING_UPDATE
    only_reminder = make_planner(policy={"promises": {"holding_update": False}})
    (reminder,) = only_reminder.promise("main", application).actions
    assert reminder.message_kind is MessageKind.RECRUITER_REMINDER
