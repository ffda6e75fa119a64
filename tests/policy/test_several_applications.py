"""One person, several applications: hold, cancel on offer or hire, one message naming roles."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from ats_reject.models import Application, ApplicationStatus, RejectionReasonKind, StageKind
from ats_reject.policy import (
    CancelScope,
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


def test_message_is_held_while_another_application_is_active(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    rejected = make_application("app-1")
    active = make_application("app-2", status=ApplicationStatus.ACTIVE, job="Data Engineer")
    decision = make_engine().decide(RejectionCase("main", rejected, (active,)))
    assert decision.outcome is Outcome.HELD
    assert decision.held
    assert decision.actions == ()
    assert decision.waiting_for == ("app-2",)
    assert decision.channel is Channel.EMAIL
    assert decision.hold_reasons == (
        "the same person has other active applications (app-2); the message waits until they "
        "are decided, so the person hears once (policy.applications.hold_while_active)",
    )
    assert f"held: {decision.hold_reasons[0]}" in decision.explain()


def test_holding_can_be_switched_off_and_prospects_never_hold(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    active = make_application("app-2", status=ApplicationStatus.ACTIVE)
    unheld = make_engine(policy={"applications": {"hold_while_active": False}})
    assert unheld.decide(RejectionCase("main", make_application(), (active,))).outcome is (
        Outcome.PLANNED
    )
    prospect = make_application("app-3", status=ApplicationStatus.ACTIVE, is_prospect=True)
    assert make_engine().decide(RejectionCase("main", make_application(), (prospect,))).outcome is (
        Outcome.PLANNED
    )


def test_the_application_itself_among_the_others_is_ignored(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    application = make_application()
    case = RejectionCase("main", application, (application,))
    assert case.other_applications == ()
    assert make_engine().decide(case).outcome is Outcome.PLANNED


def test_everything_is_cancelled_when_another_application_is_hired_or_at_offer(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    engine = make_engine()
    hired = make_application("app-9", status=ApplicationStatus.HIRED)
    decision = engine.decide(RejectionCase("main", make_application(), (hired,)))
    assert decision.outcome is Outcome.CANCELLED
    assert decision.cancel_scope is CancelScope.PERSON
    assert decision.actions == ()
    assert decision.cancel_reasons == (
        "application app-9 of the same person is hired: nothing is sent to the person "
        "(policy.applications.cancel_on_offer_or_hire)",
    )
    offer = make_application("app-8", status=ApplicationStatus.ACTIVE, stage=StageKind.OFFER)
    at_offer = engine.decide(RejectionCase("main", make_application(), (offer,)))
    assert at_offer.cancelled
    assert "is at the offer stage" in at_offer.cancel_reasons[0]
    withdrawn = make_application(reason_kind=RejectionReasonKind.THEY_WITHDREW)
    assert engine.decide(RejectionCase("main", withdrawn, (hired,))).cancelled


def test_without_cancel_on_offer_an_active_offer_still_holds(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    engine = make_engine(policy={"applications": {"cancel_on_offer_or_hire": False}})
    offer = make_application("app-8", status=ApplicationStatus.ACTIVE, stage=StageKind.OFFER)
    assert engine.decide(RejectionCase("main", make_application(), (offer,))).held


def test_several_rejections_become_one_message_naming_the_roles(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    engine = make_engine()
    screen = make_application(
        "app-1", job="Backend Engineer", job_id="job-1", decided_at=_utc("2026-03-02 09:00")
    )
    interview = make_application(
        "app-2",
        job="Platform Engineer",
        job_id="job-2",
        stage=StageKind.INTERVIEW,
        decided_at=_utc("2026-03-03 10:00"),
    )
    primary = engine.decide(RejectionCase("main", interview, (screen,)))
    covered = engine.decide(RejectionCase("main", screen, (interview,)))
    # The message is filed under the application that got furthest, timed from the last decision.
    assert primary.outcome is Outcome.PLANNED
    assert primary.rule == "default:interviewed"
    assert primary.covers == ("app-1", "app-2")
    assert primary.roles == ("Backend Engineer", "Platform Engineer")
    assert primary.decision_version == "2026-03-03T10:00:00.000000Z"
    message = primary.actions[0]
    assert message.message_kind is MessageKind.REJECTION
    assert message.application_id == "app-2"
    assert message.covers == ("app-1", "app-2")
    assert message.due_at == _utc("2026-03-04 10:00")
    assert any(
        "one message names the roles of applications app-1, app-2" in line for line in primary.trace
    )
    assert covered.outcome is Outcome.PLANNED
    assert covered.actions == ()
    assert covered.consolidated_into == "app-2"
    assert covered.roles == primary.roles
    assert covered.rule == primary.rule
    assert any("filed under application app-2" in line for line in covered.trace)


def test_consolidation_respects_window_notified_withdrawn_and_switch(
    make_engine: EngineFactory, make_application: ApplicationFactory
) -> None:
    engine = make_engine()
    current = make_application("app-1", decided_at=_utc("2026-03-30 09:00"))
    old = make_application("app-2", job="Old Role", decided_at=_utc("2026-03-02 09:00"))
    alone = engine.decide(RejectionCase("main", current, (old,)))
    assert alone.covers == ()
    assert alone.actions[0].covers == ("app-1",)
    recent = make_application("app-3", job="Recent Role", decided_at=_utc("2026-03-29 09:00"))
    told = engine.decide(
        RejectionCase("main", current, (recent,), already_notified=frozenset({"app-3"}))
    )
    assert told.covers == ()
    withdrew = make_application(
        "app-4", decided_at=_utc("2026-03-29 09:00"), reason_kind=RejectionReasonKind.THEY_WITHDREW
    )
    assert engine.decide(RejectionCase("main", current, (withdrew,))).covers == ()
    separate = make_engine(policy={"applications": {"consolidate": False}})
    assert separate.decide(RejectionCase("main", current, (recent,))).covers == ()
    together = engine.decide(RejectionCase("main", current, (recent,)))
    assert together.covers == ("app-3", "app-1")
