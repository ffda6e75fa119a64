"""Promised decision dates read from custom fields, tags and notes; malformed ones ignored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ats_reject.config import PromiseSources
from ats_reject.followups import find_promised_date, parse_promised_date
from ats_reject.models import Application, ApplicationStatus

ApplicationFactory = Callable[..., Application]
SOURCES = PromiseSources()
BERLIN = "Europe/Berlin"


def _active(make_application: ApplicationFactory, **fields: object) -> Application:
    return make_application(status=ApplicationStatus.ACTIVE, **fields)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-04", date(2026, 12, 4)),
        ("4 Dec 2026", date(2026, 12, 4)),
        ("4 December 2026", date(2026, 12, 4)),
        ("4th December 2026.", date(2026, 12, 4)),
        ("Dec 4, 2026", date(2026, 12, 4)),
        ("December 4, 2026", date(2026, 12, 4)),
        ("Friday, 4 December 2026", date(2026, 12, 4)),
        ("Fri 4 Dec 2026", date(2026, 12, 4)),
        ("  4   SEPT  2026 ", date(2026, 9, 4)),
    ],
)
def test_accepted_written_dates(text: str, expected: date) -> None:
    assert parse_promised_date(text) == expected


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("04/12/2026", "ambiguous"),
        ("12-04-2026", "ambiguous"),
        ("31 Feb 2026", "no such day"),
        ("2026-02-31", "no such day"),
        ("Thursday 4 Dec 2026", "weekday does not match"),
        ("soon 4 Dec 2026", "not a weekday"),
        ("4 Decembre 2026", "unknown month"),
        ("next Friday", "not a date"),
        ("4 Dec 1999", "year is outside"),
        ("", "empty"),
    ],
)
def test_refused_dates_say_why(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_promised_date(text)


def test_date_times_only_where_allowed() -> None:
    with pytest.raises(ValueError, match="not a date"):
        parse_promised_date("2026-12-04T17:00:00+01:00")
    exact = parse_promised_date("2026-12-04T17:00:00+01:00", allow_time=True)
    assert exact == datetime(2026, 12, 4, 16, 0, tzinfo=UTC)
    assert parse_promised_date("2026-12-04T17:00:00Z", allow_time=True) == datetime(
        2026, 12, 4, 17, 0, tzinfo=UTC
    )


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_every_accepted_form_reads_back_the_same_day(day: date) -> None:
    month_name = day.strftime("%B")
    for text in (
        day.isoformat(),
        f"{day.day} {month_name} {day.year}",
        f"{day.day} {month_name[:3]} {day.year}",
        f"{month_name} {day.day}, {day.year}",
        f"{day.strftime('%A')}, {day.day} {month_name} {day.year}",
    ):
        assert parse_promised_date(text) == day


def test_custom_field_date_ends_at_midnight_in_the_candidates_zone(
    make_application: ApplicationFactory,
) -> None:
    application = _active(make_application, custom_fields={"Decision By": "2026-12-04"})
    lookup = find_promised_date(application, sources=SOURCES, zone=BERLIN)
    found = lookup.found
    assert found is not None
    assert found.source == "custom field 'decision_by'"
    assert found.date_only
    assert found.day == date(2026, 12, 4)
    # The end of 4 December in Berlin (CET, UTC+1).
    assert found.passes_at == datetime(2026, 12, 4, 23, 0, tzinfo=UTC)
    assert lookup.ignored == ()


def test_custom_field_date_time_is_exact_and_naive_times_are_local(
    make_application: ApplicationFactory,
) -> None:
    exact = _active(make_application, custom_fields={"decision_by": "2026-12-04T17:00:00Z"})
    found = find_promised_date(exact, sources=SOURCES, zone=BERLIN).found
    assert found is not None
    assert not found.date_only
    assert found.passes_at == datetime(2026, 12, 4, 17, 0, tzinfo=UTC)
    naive = _active(make_application, custom_fields={"decision_by": "2026-07-01T12:00"})
    found = find_promised_date(naive, sources=SOURCES, zone=BERLIN).found
    assert found is not None
    assert found.passes_at == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)  # CEST


def test_configured_fields_in_order_then_the_candidates_fields(
    make_application: ApplicationFactory,
) -> None:
    sources = PromiseSources(custom_fields=("answer_due", "decision_by"))
    application = _active(
        make_application,
        custom_fields={"decision_by": "2026-12-10"},
        candidate_fields={"answer-due": "2026-12-04"},
    )
    found = find_promised_date(application, sources=sources, zone=BERLIN).found
    assert found is not None
    assert found.day == date(2026, 12, 4)
    assert found.source == "custom field 'answer_due'"


def test_malformed_and_non_text_fields_are_ignored_with_a_reason(
    make_application: ApplicationFactory,
) -> None:
    application = _active(
        make_application,
        custom_fields={"decision_by": "call Robin on +49 30 1234", "promised_decision_date": 5},
        tags=("decision-by:2026-12-04",),
    )
    lookup = find_promised_date(application, sources=SOURCES, zone=BERLIN)
    assert lookup.found is not None
    assert lookup.found.source == "a 'decision-by:' tag"
    assert lookup.ignored == (
        "custom field 'decision_by': ignored, not a date we can read; write 2026-12-04 or "
        "4 Dec 2026",
        "custom field 'promised_decision_date': ignored, it holds a number, not a date",
    )
    assert "Robin" not in " ".join(lookup.ignored)


def test_tags_the_latest_valid_date_wins_and_bad_tags_are_reported(
    make_application: ApplicationFactory,
) -> None:
    application = _active(
        make_application,
        tags=("Decision-By:2026-12-04", "decision-by:2026-12-11", "decision-by:tbd", "vip"),
    )
    lookup = find_promised_date(application, sources=SOURCES, zone=BERLIN)
    assert lookup.found is not None
    assert lookup.found.day == date(2026, 12, 11)
    assert lookup.ignored == (
        "a 'decision-by:' tag: ignored, not a date we can read; write 2026-12-04 or 4 Dec 2026",
    )


def test_notes_the_last_readable_line_wins(make_application: ApplicationFactory) -> None:
    notes = (
        "Great call.\nDecision by: 4 Dec 2026",
        "Panel moved.\n- decision BY - Friday, 11 December 2026\nDecision by: next week",
    )
    lookup = find_promised_date(
        _active(make_application), sources=SOURCES, zone=BERLIN, notes=notes
    )
    assert lookup.found is not None
    assert lookup.found.day == date(2026, 12, 11)
    assert lookup.found.source == "note 2, line 2"
    assert lookup.ignored == (
        "note 2, line 3: ignored, not a date we can read; write 2026-12-04 or 4 Dec 2026",
    )


def test_field_beats_tag_beats_note_and_the_overruled_are_named(
    make_application: ApplicationFactory,
) -> None:
    application = _active(
        make_application,
        custom_fields={"decision_by": "2026-12-01"},
        tags=("decision-by:2026-12-04",),
    )
    lookup = find_promised_date(
        application, sources=SOURCES, zone=BERLIN, notes=("Decision by: 8 Dec 2026",)
    )
    assert lookup.found is not None
    assert lookup.found.day == date(2026, 12, 1)
    assert lookup.ignored == (
        "a 'decision-by:' tag: a date was found, but custom field 'decision_by' takes precedence",
        "note 1, line 1: a date was found, but custom field 'decision_by' takes precedence",
    )
    tag_first = find_promised_date(
        _active(make_application, tags=("decision-by:2026-12-04",)),
        sources=SOURCES,
        zone=BERLIN,
        notes=("Decision by: 8 Dec 2026",),
    )
    assert tag_first.found is not None
    assert tag_first.found.day == date(2026, 12, 4)


def test_sources_can_be_switched_off_and_renamed(make_application: ApplicationFactory) -> None:
    application = _active(
        make_application, custom_fields={"decision_by": "2026-12-01"}, tags=("answer:2026-12-04",)
    )
    sources = PromiseSources(
        custom_fields=(), tag_prefix="answer:", note_label="Answer promised", read_notes=False
    )
    found = find_promised_date(
        application, sources=sources, zone=BERLIN, notes=("Answer promised: 8 Dec 2026",)
    ).found
    assert found is not None
    assert found.day == date(2026, 12, 4)
    nothing = PromiseSources(custom_fields=(), read_tags=False, read_notes=False)
    lookup = find_promised_date(application, sources=nothing, zone=BERLIN, notes=("x",))
    assert lookup.found is None
    assert lookup.ignored == ()


def test_a_promised_day_ends_at_the_candidates_midnight(
    make_application: ApplicationFactory,
) -> None:
    application = _active(make_application, tags=("decision-by:2026-12-04",))
    tokyo = find_promised_date(application, sources=SOURCES, zone="Asia/Tokyo").found
    chicago = find_promised_date(application, sources=SOURCES, zone="America/Chicago").found
    assert tokyo is not None
    assert chicago is not None
    assert tokyo.passes_at == datetime(2026, 12, 4, 15, 0, tzinfo=UTC)
    assert chicago.passes_at == datetime(2026, 12, 5, 6, 0, tzinfo=UTC)
    assert chicago.passes_at - tokyo.passes_at == timedelta(hours=15)
