"""Retention purge dates per jurisdiction, and the ``[followups]`` configuration."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ats_reject.config import load_config
from ats_reject.errors import ConfigurationError
from ats_reject.followups import FollowUpPlanner
from ats_reject.models import (
    Application,
    ApplicationStatus,
    Location,
    RejectionReasonKind,
    StageKind,
)
from ats_reject.policy import (
    ActionCondition,
    Audience,
    Channel,
    MessageKind,
    Outcome,
    PlannedAction,
    RejectionCase,
)

ApplicationFactory = Callable[..., Application]
PlannerFactory = Callable[..., FollowUpPlanner]


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _purges(planner: FollowUpPlanner, application: Application) -> list[PlannedAction]:
    decision = planner.engine.decide(RejectionCase("main", application))
    actions = planner.after_decision(decision, application)
    return [a for a in actions if a.message_kind is MessageKind.RETENTION_PURGE]


def test_default_purge_six_months_after_the_decision_keyed_like_the_policy(
    make_planner: PlannerFactory, make_application: ApplicationFactory
) -> None:
    planner = make_planner()
    application = make_application()
    decision = planner.engine.decide(RejectionCase("main", application))
    actions = planner.after_decision(decision, application)
    assert actions[: len(decision.actions)] == decision.actions
    purge = actions[-1]
    assert purge.message_kind is MessageKind.RETENTION_PURGE
    assert purge.key == ("main", application.id, "retention_purge", decision.decision_version)
    assert purge.due_at == _utc("2026-09-03 09:00")  # 11:00 in Berlin, summer time
    assert purge.channel is Channel.NONE
    assert purge.audience is Audience.NOBODY
    assert purge.condition is ActionCondition.NO_CONSENT
    assert purge.reasons[0] == (
        "retention for country DE (the country of time zone Europe/Berlin): 6 months after "
        "the decision (followups.retention.after_decision), 12 months after a talent-pool "
        "consent (followups.retention.with_consent)"
    )


def test_each_country_has_its_own_period(
    make_planner: PlannerFactory, make_application: ApplicationFactory
) -> None:
    planner = make_planner(
        followups={"retention": {"countries": {"US": {"after_decision": "2 years"}, "gb": {}}}}
    )
    (us,) = _purges(planner, make_application(time_zone="America/Chicago"))
    assert us.due_at == _utc("2028-03-03 10:00")
    assert "followups.retention.countries.US.after_decision" in us.reasons[0]
    (gb,) = _purges(planner, make_application(time_zone="Europe/London"))
    assert gb.due_at == _utc("2026-09-03 09:00")
    assert "(followups.retention.after_decision)" in gb.reasons[0]


def test_the_country_comes_from_location_then_zone_then_company(
    make_planner: PlannerFactory, make_application: ApplicationFactory
) -> None:
    planner = make_planner(company={"time_zone": "UTC", "holiday_country": "IE"})
    lives_in_france = make_application(time_zone="Europe/Berlin", location=Location(country="FR"))
    terms = planner.retention_for(lives_in_france)
    assert (terms.country, terms.country_source) == ("FR", "the candidate's location in the ATS")
    by_zone = planner.retention_for(make_application(time_zone="America/Toronto"))
    assert (by_zone.country, by_zone.country_source) == (
        "CA",
        "the country of time zone America/Toronto",
    )
    unknown = planner.retention_for(make_application(time_zone=None))
    assert unknown.country == "IE"
    assert unknown.country_source == "company.holiday_country"
    nowhere = make_planner(company={"time_zone": "UTC"}).retention_for(
        make_application(time_zone=None)
    )
    assert nowhere.country is None
    assert nowhere.describe().startswith("retention for no country known")


def test_the_earlier_of_the_rules_and_the_countrys_purge_wins(
    make_planner: PlannerFactory, make_application: ApplicationFactory
) -> None:
    rule = {"name": "short", "then": {"follow_up": {"retention": "30 days"}}}
    (short,) = _purges(make_planner(rules=[rule]), make_application())
    # The rule's 30 days count from when the candidate was told (Wed 2026-03-04 11:00).
    assert short.due_at == _utc("2026-04-03 09:00")
    assert short.reasons[-1] == (
        "the earlier of the rule's and the country's dates applies: "
        "Friday 2026-04-03 11:00 Europe/Berlin"
    )
    long_rule = {"name": "long", "then": {"follow_up": {"retention": "3 years"}}}
    (capped,) = _purges(make_planner(rules=[long_rule]), make_application())
    assert capped.due_at == _utc("2026-09-03 09:00")


def test_withdrawn_and_silent_rejections_are_purged_too(
    make_planner: PlannerFactory, make_application: ApplicationFactory
) -> None:
    planner = make_planner()
    withdrawn = make_application(reason_kind=RejectionReasonKind.THEY_WITHDREW)
    decision = planner.engine.decide(RejectionCase("main", withdrawn))
    assert decision.channel is Channel.NONE
    (purge,) = planner.after_decision(decision, withdrawn)
    assert purge.message_kind is MessageKind.RETENTION_PURGE


def test_held_and_cancelled_decisions_get_no_purge(
    make_planner: PlannerFactory, make_application: ApplicationFactory
) -> None:
    planner = make_planner()
    rejected = make_application("app-1")
    active = make_application("app-2", status=ApplicationStatus.ACTIVE, stage=StageKind.INTERVIEW)
    held = planner.engine.decide(RejectionCase("main", rejected, (active,)))
    assert held.outcome is Outcome.HELD
    assert planner.after_decision(held, rejected) == ()
    hired = make_application("app-3", status=ApplicationStatus.HIRED)
    cancelled = planner.engine.decide(RejectionCase("main", rejected, (hired,)))
    assert cancelled.outcome is Outcome.CANCELLED
    assert planner.after_decision(cancelled, rejected) == ()
    with pytest.raises(ValueError, match="not the one"):
        planner.after_decision(held, active)


def _write(tmp_path: Path, followups: str) -> Path:
    path = tmp_path / "ats-reject.toml"
    path.write_text(
        '[company]\nname = "Acme"\ntime_zone = "Europe/Berlin"\n\n' + followups, encoding="utf-8"
    )
    return path


def test_followups_settings_load_from_the_file(tmp_path: Path) -> None:
    config = load_config(
        _write(
            tmp_path,
            """
[followups]
consent_renew_before = "6 weeks"

[followups.promises]
custom_fields = ["Answer due"]
tag_prefix = "answer-by:"
read_notes = false

[followups.retention]
after_decision = "4 months"

[followups.retention.countries]
us = { after_decision = "3 years" }
DE = { with_consent = "24 months" }
""",
        ),
        environ={},
    )
    followups = config.followups
    assert followups.consent_renew_before == "6 weeks"
    assert followups.promises.custom_fields == ("Answer due",)
    assert followups.promises.tag_prefix == "answer-by:"
    assert not followups.promises.read_notes
    assert followups.retention.after_decision == "4 months"
    assert sorted(followups.retention.countries) == ["DE", "US"]
    assert followups.retention.countries["US"].after_decision == "3 years"


@pytest.mark.parametrize(
    ("table", "key_path", "words"),
    [
        (
            '[followups.retention.countries]\n"Germany" = { after_decision = "6 months" }',
            "followups.retention.countries",
            "ISO 3166-1 alpha-2",
        ),
        (
            '[followups.retention.countries]\nDE = { after_decision = "six months" }',
            "followups.retention.countries.DE.after_decision",
            "not a duration",
        ),
        (
            '[followups.retention]\nafter_decision = "0 days"',
            "followups.retention.after_decision",
            "more than zero",
        ),
        ('[followups]\nrenew_before = "30 days"', "followups.renew_before", "consent_renew_before"),
        (
            '[followups.promises]\ncustom_fields = [""]',
            "followups.promises.custom_fields",
            "item 1",
        ),
    ],
)
def test_bad_followups_settings_name_the_key(
    tmp_path: Path, table: str, key_path: str, words: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        load_config(_write(tmp_path, table), environ={})
    assert caught.value.key_path == key_path
    assert words in str(caught.value)
