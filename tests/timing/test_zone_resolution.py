"""The time-zone chain: candidate zone -> candidate location -> office -> company default."""

from __future__ import annotations

import importlib.util
import json
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ats_reject.errors import ConfigurationError
from ats_reject.models import Candidate, Job, Location, Office
from ats_reject.timing import TimingConfigurationError, resolve_time_zone

DEFAULT = "Europe/London"
REPO = Path(__file__).resolve().parents[2]


def _candidate(
    time_zone: str | None = None,
    country: str | None = None,
    region: str | None = None,
    city: str | None = None,
) -> Candidate:
    location = (
        Location(country=country, region=region, city=city) if country or region or city else None
    )
    return Candidate(id="c1", time_zone=time_zone, location=location)


def _job(*offices: Office, location: Location | None = None) -> Job:
    return Job(id="j1", name="Engineer", offices=offices, location=location)


def test_the_candidates_own_zone_wins() -> None:
    candidate = _candidate("America/Los_Angeles", country="US", region="NY")
    resolved = resolve_time_zone(candidate, _job(), {}, DEFAULT)
    assert (resolved.zone, resolved.source) == ("America/Los_Angeles", "candidate")
    assert resolved.detail == "the candidate's time zone in the ATS"
    # Holidays still follow where the candidate lives.
    assert (resolved.country, resolved.subdivision) == ("US", "NY")


def test_a_zone_only_candidate_gets_the_zones_country_for_holidays() -> None:
    resolved = resolve_time_zone(_candidate("Asia/Kolkata"), None, {}, DEFAULT)
    assert (resolved.zone, resolved.country) == ("Asia/Kolkata", "IN")
    legacy = resolve_time_zone(_candidate("US/Pacific"), None, {}, DEFAULT)
    assert legacy.country == "US"


def test_an_invalid_candidate_zone_is_skipped_with_a_reason() -> None:
    # The model validates zones; an ATS row read without validation can still carry one.
    candidate = Candidate.model_construct(id="c1", time_zone="Mars/Olympus_Mons", location=None)
    resolved = resolve_time_zone(candidate, None, {}, DEFAULT)
    assert resolved.source == "default"
    assert "'Mars/Olympus_Mons' is not a known IANA zone" in resolved.detail


def test_a_placeless_candidate_zone_is_not_trusted() -> None:
    resolved = resolve_time_zone(_candidate("UTC", country="DE"), None, {}, DEFAULT)
    assert (resolved.zone, resolved.source) == ("Europe/Berlin", "location")
    assert "UTC names no place" in resolved.detail


def test_a_single_zone_country_is_certain() -> None:
    resolved = resolve_time_zone(_candidate(country="IN"), None, {}, DEFAULT)
    assert (resolved.zone, resolved.source) == ("Asia/Kolkata", "location")
    assert resolved.detail.startswith("from the candidate's country IN")


def test_a_country_whose_zones_all_agree_is_certain() -> None:
    # Germany has Europe/Busingen too, which keeps exactly the same clock as Berlin.
    resolved = resolve_time_zone(_candidate(country="DE", region="Bayern"), None, {}, DEFAULT)
    assert (resolved.zone, resolved.country, resolved.subdivision) == (
        "Europe/Berlin",
        "DE",
        "BY",
    )


@pytest.mark.parametrize(
    ("country", "region", "zone"),
    [
        ("US", "CA", "America/Los_Angeles"),
        ("US", "California", "America/Los_Angeles"),
        ("US", "US-AZ", "America/Phoenix"),
        ("US", "new york", "America/New_York"),
        ("US", "Hawaii", "Pacific/Honolulu"),
        ("CA", "Québec", "America/Toronto"),
        ("CA", "Quebec", "America/Toronto"),
        ("CA", "BC", "America/Vancouver"),
        ("CA", "Saskatchewan", "America/Regina"),
        ("CA", "Colombie-Britannique", "America/Vancouver"),
        ("AU", "NSW", "Australia/Sydney"),
        ("AU", "Western Australia", "Australia/Perth"),
        ("AU", "Queensland", "Australia/Brisbane"),
        ("BR", "São Paulo", "America/Sao_Paulo"),
        ("BR", "AM", "America/Manaus"),
        ("MX", "Ciudad de México", "America/Mexico_City"),
        ("MX", "CDMX", "America/Mexico_City"),
        ("MX", "Quintana Roo", "America/Cancun"),
        ("MX", "Baja California", "America/Tijuana"),
        ("RU", "Moscow", "Europe/Moscow"),
        ("RU", "St. Petersburg", "Europe/Moscow"),
        ("RU", "Novosibirsk Oblast", "Asia/Novosibirsk"),
        ("RU", "KGD", "Europe/Kaliningrad"),
        ("ES", "Canarias", "Atlantic/Canary"),
        ("ES", "Cataluña", "Europe/Madrid"),
        ("PT", "Açores", "Atlantic/Azores"),
        ("NZ", "Wellington", "Pacific/Auckland"),
        ("ID", "Bali", "Asia/Makassar"),
    ],
)
def test_multi_zone_countries_use_the_region(country: str, region: str, zone: str) -> None:
    resolved = resolve_time_zone(_candidate(country=country, region=region), None, {}, DEFAULT)
    assert (resolved.zone, resolved.source) == (zone, "location")


def test_a_region_straddling_zones_says_so() -> None:
    resolved = resolve_time_zone(_candidate(country="US", region="Texas"), None, {}, DEFAULT)
    assert resolved.zone == "America/Chicago"
    assert "most of US-TX keeps America/Chicago" in resolved.detail


def test_a_multi_zone_country_without_region_falls_through_to_the_office() -> None:
    office = Office(id="o-nyc", name="New York")
    resolved = resolve_time_zone(
        _candidate(country="US"), _job(office), {"o-nyc": "America/New_York"}, DEFAULT
    )
    assert (resolved.zone, resolved.source) == ("America/New_York", "office")
    assert "the candidate's country US spans" in resolved.detail
    assert "no region is given" in resolved.detail
    assert resolved.country == "US"  # the candidate's country still decides the holidays


def test_an_unplaceable_region_falls_through_without_echoing_it() -> None:
    resolved = resolve_time_zone(
        _candidate(country="US", region="Springfield area", city="Springfield"),
        None,
        {},
        DEFAULT,
    )
    assert resolved.source == "default"
    assert "region is not one the zone table can place" in resolved.detail
    assert "Springfield" not in resolved.detail


def test_office_map_matches_by_id_then_by_name() -> None:
    by_name = resolve_time_zone(
        None, _job(Office(id="17", name="Berlin HQ")), {"Berlin HQ": "Europe/Berlin"}, DEFAULT
    )
    assert (by_name.zone, by_name.source, by_name.country) == ("Europe/Berlin", "office", "DE")
    assert "office '17'" in by_name.detail


def test_office_location_is_used_when_the_office_is_not_in_the_map() -> None:
    office = Office(id="o-akl", name="Auckland", location=Location(country="NZ", region="AUK"))
    resolved = resolve_time_zone(_candidate(), _job(office), {}, DEFAULT)
    assert (resolved.zone, resolved.source, resolved.country) == (
        "Pacific/Auckland",
        "office",
        "NZ",
    )


def test_the_job_location_is_the_last_office_clue() -> None:
    resolved = resolve_time_zone(_candidate(), _job(location=Location(country="JP")), {}, DEFAULT)
    assert (resolved.zone, resolved.source) == ("Asia/Tokyo", "office")


def test_unknown_location_falls_back_to_the_company_default() -> None:
    resolved = resolve_time_zone(_candidate(), _job(), {}, "Europe/Berlin")
    assert (resolved.zone, resolved.source, resolved.country) == (
        "Europe/Berlin",
        "default",
        "DE",
    )
    assert resolved.detail == (
        "the company default time zone; skipped: the ATS holds no time zone for the "
        "candidate; the candidate's location has no country; the job has no office and no "
        "location with a time zone"
    )


def test_no_candidate_and_no_job_still_resolve() -> None:
    resolved = resolve_time_zone(None, None, {}, "UTC")
    assert (resolved.zone, resolved.source, resolved.country) == ("UTC", "default", None)


def test_configuration_mistakes_are_errors() -> None:
    with pytest.raises(ConfigurationError, match="'Europe/Berln' is not an IANA time zone"):
        resolve_time_zone(None, None, {}, "Europe/Berln")
    with pytest.raises(TimingConfigurationError, match="office 'berlin'"):
        resolve_time_zone(None, None, {"berlin": "Berlin"}, DEFAULT)


def _zone_table() -> dict[str, object]:
    text = resources.files("ats_reject").joinpath("data/zones.json").read_text("utf-8")
    table: dict[str, object] = json.loads(text)
    return table


def test_every_zone_in_the_data_file_exists_on_this_machine() -> None:
    table = _zone_table()
    countries = table["countries"]
    subdivisions = table["subdivisions"]
    assert isinstance(countries, dict)
    assert isinstance(subdivisions, dict)
    for entry in countries.values():
        for zone in entry["zones"]:
            ZoneInfo(zone)
    for rows in subdivisions.values():
        for row in rows.values():
            ZoneInfo(row["zone"])
    for required in ("US", "CA", "AU", "BR", "MX", "RU"):
        assert required in subdivisions


@pytest.mark.slow
def test_the_data_file_matches_the_generator_for_this_tzdata() -> None:
    zoneinfo = Path("/usr/share/zoneinfo")
    zi = zoneinfo / "tzdata.zi"
    if not zi.exists():
        pytest.skip("no system tzdata to compare with")
    version = zi.read_text("utf-8").splitlines()[0].removeprefix("# version ").strip()
    table = _zone_table()
    if table["tzdata_version"] != version:
        pytest.skip(f"data generated from tzdata {table['tzdata_version']}, machine has {version}")
    spec = importlib.util.spec_from_file_location("gen_zones", REPO / "scripts" / "gen_zones.py")
    assert spec is not None
    assert spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    assert generator.build(zoneinfo) == table


@pytest.mark.parametrize(
    ("country", "region", "subdivision"),
    [("CA", "Québec", "QC"), ("AU", "Western Australia", "WA"), ("PT", "Lisbon", "11")],
)
def test_the_region_is_kept_in_the_form_the_holiday_calendar_accepts(
    country: str, region: str, subdivision: str
) -> None:
    resolved = resolve_time_zone(_candidate(country=country, region=region), None, {}, DEFAULT)
    assert resolved.subdivision == subdivision


def test_a_region_without_holiday_subdivisions_keeps_only_the_country() -> None:
    resolved = resolve_time_zone(_candidate(country="RU", region="Moscow"), None, {}, DEFAULT)
    assert (resolved.zone, resolved.country, resolved.subdivision) == (
        "Europe/Moscow",
        "RU",
        None,
    )
