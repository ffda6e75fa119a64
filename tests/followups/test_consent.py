"""The talent-pool invitation, and what may follow it: nothing without a consent that holds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from ats_reject.errors import ConfigurationError
from ats_reject.followups import (
    Consent,
    FollowUpPlanner,
    PersonState,
    Requirement,
    reapplied_since,
    requirements_for,
    unmet_requirements,
)
from ats_reject.models import Application, StageKind
from ats_reject.policy import ActionCondition, Audience, Channel, MessageKind, RejectionCase

ApplicationFactory = Callable[..., Application]
PlannerFactory = Callable[..., FollowUpPlanner]
TOKEN = "k3Jx9-Qm2_LpW8vZ"
GIVEN = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)  # 11:00 in Berlin


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _interviewed(make_application: ApplicationFactory) -> Application:
    return make_application(stage=StageKind.INTERVIEW, had_interviews=True)


def test_the_invitation_carries_a_consent_link_and_the_retention(
    make_planner: PlannerFactory, make_application: ApplicationFactory
) -> None:
    planner = make_planner()
    application = _interviewed(make_application)
    decision = planner.engine.decide(RejectionCase("main", application))
    assert decision.talent_pool
    invitation = planner.invitation(decision, application, token=TOKEN)
    assert invitation is not None
    assert invitation.consent_url == f"https://jobs.example.com/preferences/consent/{TOKEN}"
    assert invitation.retention_months == 12
    longer = make_planner(followups={"retention": {"with_consent": "2 years"}})
    invitation = longer.invitation(decision, application, token=TOKEN)
    assert invitation is not None
    assert invitation.retention_months == 24


def test_no_invitation_without_talent_pool_and_none_without_a_link_base(
    make_planner: PlannerFactory, make_application: ApplicationFactory
) -> None:
    planner = make_planner()
    screen = make_application(stage=StageKind.SCREEN)
    decision = planner.engine.decide(RejectionCase("main", screen))
    assert planner.invitation(decision, screen, token=TOKEN) is None
    application = _interviewed(make_application)
    invited = planner.engine.decide(RejectionCase("main", application))
    with pytest.raises(ConfigurationError) as caught:
        make_planner(consent_base_url=None).invitation(invited, application, token=TOKEN)
    assert caught.value.key_path == "mail.unsubscribe_base_url"
    with pytest.raises(ValueError, match="consent token"):
        planner.invitation(invited, application, token="short")
    with pytest.raises(ValueError, match="consent token"):
        planner.invitation(invited, application, token="../../admin?x=1234567890")


def test_without_consent_nothing_follows_but_the_deletion(
    make_planner: PlannerFactory, make_application: ApplicationFactory
) -> None:
    planner = make_planner()
    application = _interviewed(make_application)
    decision = planner.engine.decide(RejectionCase("main", application))
    actions = planner.after_decision(decision, application)
    kinds = [action.message_kind for action in actions]
    assert kinds == [
        MessageKind.REJECTION,
        MessageKind.RE_ENGAGEMENT,
        MessageKind.CONSENT_RENEWAL,
        MessageKind.RETENTION_PURGE,
    ]
    no_consent = PersonState()
    allowed = [
        action.message_kind
        for action in actions
        if not unmet_requirements(action, no_consent, now=action.due_at)
    ]
    assert allowed == [MessageKind.REJECTION, MessageKind.RETENTION_PURGE]
    consented = PersonState(consent=Consent(given_at=actions[0].due_at))
    allowed = [
        action.message_kind
        for action in actions
        if not unmet_requirements(action, consented, now=action.due_at)
    ]
    assert allowed == [
        MessageKind.REJECTION,
        MessageKind.RE_ENGAGEMENT,
        MessageKind.CONSENT_RENEWAL,
    ]


def test_re_engagement_names_every_condition_explicitly(
    make_planner: PlannerFactory, make_application: ApplicationFactory
) -> None:
    planner = make_planner()
    application = _interviewed(make_application)
    decision = planner.engine.decide(RejectionCase("main", application))
    (re_engagement,) = [a for a in decision.actions if a.message_kind is MessageKind.RE_ENGAGEMENT]
    assert requirements_for(re_engagement) == (
        Requirement.CONSENT_VALID,
        Requirement.NOT_UNSUBSCRIBED,
        Requirement.NOT_REAPPLIED,
        Requirement.NOT_HIRED,
    )
    due = re_engagement.due_at
    consent = Consent(given_at=_utc("2026-03-05 12:00"))
    assert unmet_requirements(re_engagement, PersonState(consent=consent), now=due) == ()
    cases = {
        "unsubscribed": PersonState(consent=consent, unsubscribed=True),
        "reapplied": PersonState(consent=consent, reapplied=True),
        "hired": PersonState(consent=consent, hired=True),
        "withdrawn": PersonState(
            consent=Consent(given_at=consent.given_at, withdrawn_at=_utc("2026-04-01 08:00"))
        ),
        "expired": PersonState(
            consent=Consent(given_at=consent.given_at, expires_at=_utc("2026-06-01 00:00"))
        ),
    }
    expected = {
        "unsubscribed": (Requirement.NOT_UNSUBSCRIBED, "the person unsubscribed"),
        "reapplied": (Requirement.NOT_REAPPLIED, "the person applied again"),
        "hired": (Requirement.NOT_HIRED, "the person is hired"),
        "withdrawn": (Requirement.CONSENT_VALID, "no talent-pool consent holds"),
        "expired": (Requirement.CONSENT_VALID, "no talent-pool consent holds"),
    }
    for name, state in cases.items():
        assert unmet_requirements(re_engagement, state, now=due) == (expected[name],), name


def test_consent_plans_renewal_before_expiry_and_deletion_after(
    make_planner: PlannerFactory, make_application: ApplicationFactory
) -> None:
    application = _interviewed(make_application)
    renewal, purge = make_planner().after_consent("main", application, Consent(given_at=GIVEN))
    assert renewal.message_kind is MessageKind.CONSENT_RENEWAL
    assert renewal.template == "consent_request"
    assert renewal.channel is Channel.EMAIL
    assert renewal.condition is ActionCondition.CONSENT_GIVEN
    # Expires Wednesday 2027-03-10 11:00 Berlin; asked 30 days before, Monday 2027-02-08 11:00.
    assert renewal.deadline == _utc("2027-03-10 10:00")
    assert renewal.due_at == _utc("2027-02-08 10:00")
    assert renewal.deadline_met
    assert purge.message_kind is MessageKind.RETENTION_PURGE
    assert purge.due_at == _utc("2027-03-10 10:00")
    assert purge.channel is Channel.NONE
    assert purge.audience is Audience.NOBODY
    assert purge.condition is ActionCondition.NO_CONSENT
    for action in (renewal, purge):
        assert action.key == (
            "main",
            application.id,
            action.message_kind.value,
            "consent:2026-03-10T10:00:00.000000Z",
        )


def test_renewal_timing_follows_the_country_and_the_consent_records(
    make_planner: PlannerFactory, make_application: ApplicationFactory
) -> None:
    application = _interviewed(make_application)
    planner = make_planner(
        followups={
            "consent_renew_before": "2 business days",
            "retention": {"countries": {"de": {"with_consent": "24 months"}}},
        }
    )
    renewal, purge = planner.after_consent("main", application, Consent(given_at=GIVEN))
    assert purge.due_at == _utc("2028-03-10 10:00")  # Friday
    assert renewal.due_at == _utc("2028-03-08 10:00")  # two business days before
    assert "24 months (followups.retention.countries.DE.with_consent" in renewal.reasons[0]
    recorded = Consent(given_at=GIVEN, expires_at=_utc("2026-09-10 10:00"))
    renewal, purge = planner.after_consent("main", application, recorded)
    assert purge.due_at == _utc("2026-09-10 10:00")
    assert renewal.due_at == _utc("2026-09-08 10:00")
    assert "as the consent records say" in renewal.reasons[0]


def test_a_renewal_asked_for_once_per_consent(
    make_planner: PlannerFactory, make_application: ApplicationFactory
) -> None:
    application = _interviewed(make_application)
    consent = Consent(given_at=GIVEN)
    renewal, _ = make_planner().after_consent("main", application, consent)
    now = renewal.due_at
    before = PersonState(consent=consent, renewal_asked_at=_utc("2026-01-01 00:00"))
    assert unmet_requirements(renewal, before, now=now) == ()
    asked = PersonState(consent=consent, renewal_asked_at=_utc("2027-02-01 09:00"))
    assert unmet_requirements(renewal, asked, now=now) == (
        (Requirement.RENEWAL_NOT_ASKED, "the person was already asked to renew this consent"),
    )


def test_deletion_waits_for_an_expired_consent_and_spares_new_applicants(
    make_planner: PlannerFactory, make_application: ApplicationFactory
) -> None:
    application = _interviewed(make_application)
    planner = make_planner()
    consent = Consent(given_at=GIVEN)
    _, purge = planner.after_consent("main", application, consent)
    recorded = planner.with_expiry(application, consent)
    assert recorded.expires_at == purge.due_at
    assert planner.with_expiry(application, recorded) is recorded
    expired = purge.due_at
    assert unmet_requirements(purge, PersonState(consent=recorded), now=expired) == ()
    renewed = Consent(given_at=_utc("2027-02-09 10:00"))
    assert unmet_requirements(purge, PersonState(consent=renewed), now=expired) == (
        (Requirement.NO_VALID_CONSENT, "a talent-pool consent holds"),
    )
    assert [
        requirement
        for requirement, _ in unmet_requirements(
            purge, PersonState(reapplied=True, hired=True), now=expired
        )
    ] == [Requirement.NOT_REAPPLIED, Requirement.NOT_HIRED]


def test_re_engagement_after_a_consent_only_within_it(
    make_planner: PlannerFactory, make_application: ApplicationFactory
) -> None:
    application = _interviewed(make_application)
    actions = make_planner().after_consent(
        "main", application, Consent(given_at=GIVEN), re_engagement=("3 months", "13 months")
    )
    assert [action.message_kind for action in actions] == [
        MessageKind.RE_ENGAGEMENT,
        MessageKind.CONSENT_RENEWAL,
        MessageKind.RETENTION_PURGE,
    ]
    re_engagement = actions[0]
    assert re_engagement.due_at == _utc("2026-06-10 09:00")  # 11:00 CEST, a Wednesday
    assert re_engagement.template == "re_engagement"
    assert re_engagement.decision_version == "consent:2026-03-10T10:00:00.000000Z#3 months"
    assert Requirement.NOT_REAPPLIED in requirements_for(re_engagement)


def test_a_withdrawn_consent_plans_only_the_deletion(
    make_planner: PlannerFactory, make_application: ApplicationFactory
) -> None:
    application = _interviewed(make_application)
    withdrawn = Consent(given_at=GIVEN, withdrawn_at=_utc("2026-05-04 08:00"))
    (purge,) = make_planner().after_consent("main", application, withdrawn)
    assert purge.message_kind is MessageKind.RETENTION_PURGE
    assert purge.due_at == _utc("2026-05-04 08:00")
    assert unmet_requirements(purge, PersonState(consent=withdrawn), now=purge.due_at) == ()
    late = make_planner(now=_utc("2026-06-01 12:00"))
    (purge,) = late.after_consent("main", application, withdrawn)
    assert purge.due_at == _utc("2026-06-01 12:00")


def test_consent_records_are_checked() -> None:
    with pytest.raises(ValueError, match="naive"):
        Consent(given_at=datetime(2026, 3, 10, 10, 0))
    with pytest.raises(ValueError, match="expire before"):
        Consent(given_at=GIVEN, expires_at=GIVEN)
    consent = Consent(given_at=GIVEN, expires_at=_utc("2027-03-10 10:00"))
    assert not consent.holds_at(_utc("2026-03-10 09:59"))
    assert consent.holds_at(GIVEN)
    assert not consent.holds_at(_utc("2027-03-10 10:00"))


def test_reapplied_since_counts_later_applications_of_others_only(
    make_application: ApplicationFactory,
) -> None:
    decided = _utc("2026-03-03 10:00")
    own = make_application("app-1", applied_at=_utc("2026-04-01 00:00"))
    earlier = make_application("app-2", applied_at=_utc("2026-01-01 00:00"))
    unknown = make_application("app-3")
    assert not reapplied_since([own, earlier, unknown], decided, excluding="app-1")
    later = make_application("app-4", applied_at=_utc("2026-05-01 00:00"))
    assert reapplied_since([own, earlier, later], decided, excluding="app-1")
