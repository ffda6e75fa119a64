"""Time zones: which one a candidate's messages are timed in, and why.

The resolution chain is candidate zone -> candidate location -> the job's office -> company
default. Locations are mapped with ``data/zones.json``, generated from the IANA tables by
``scripts/gen_zones.py``. Explanations name countries, subdivision codes and zone names only,
never the free text an ATS holds about where a person lives.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

from ats_reject._holidays import holiday_subdivision, normalize_place_name
from ats_reject._wallclock import load_zone
from ats_reject.errors import TimingConfigurationError
from ats_reject.models import Candidate, Job, Location

__all__ = [
    "ResolvedZone",
    "ZoneSource",
    "country_for_zone",
    "resolve_time_zone",
]

ZoneSource = Literal["candidate", "location", "office", "default"]
_NON_GEOGRAPHIC = ("UTC", "GMT", "UCT", "Etc/", "Universal", "Zulu", "Greenwich")


@dataclass(frozen=True)
class ResolvedZone:
    """The time zone a candidate's messages are timed in, and why.

    Attributes:
        zone: IANA zone name.
        source: Which link of the chain gave it: ``candidate`` (the ATS holds the candidate's
            zone), ``location`` (derived from the candidate's location), ``office`` (the job's
            office, from the configured map or the office's location) or ``default`` (the
            company default).
        detail: One sentence saying how the zone was found, and why earlier links were skipped.
        country: ISO 3166-1 alpha-2 code of the place whose public holidays apply: the
            candidate's own country when the ATS knows it, else the country of the link used.
        subdivision: Code of the state, province or region for public holidays, when known.
    """

    zone: str
    source: ZoneSource
    detail: str
    country: str | None = None
    subdivision: str | None = None


def _is_zone(name: str) -> bool:
    try:
        load_zone(name)
    except TimingConfigurationError:
        return False
    return True


@functools.cache
def _table() -> dict[str, Any]:
    text = resources.files("ats_reject").joinpath("data/zones.json").read_text(encoding="utf-8")
    table: dict[str, Any] = json.loads(text)
    return table


def country_for_zone(zone: str) -> str | None:
    """Return the country a zone belongs to (``Europe/Berlin`` -> ``DE``), if it has one."""
    country: str | None = _table()["zone_countries"].get(zone)
    return country


@dataclass(frozen=True)
class _PlaceMatch:
    zone: str | None
    subdivision: str | None
    explanation: str


def _subdivision_code(country: str, region: str) -> str | None:
    names: Mapping[str, str] = _table()["subdivision_names"].get(country, {})
    key = normalize_place_name(region)
    prefix = country.lower() + " "
    if key not in names and key.startswith(prefix):
        key = key[len(prefix) :]
    return names.get(key)


def _match_place(location: Location | None, whose: str) -> _PlaceMatch:
    if location is None or location.country is None:
        return _PlaceMatch(None, None, f"{whose} location has no country")
    country = location.country
    entry = _table()["countries"].get(country)
    if entry is None:
        return _PlaceMatch(None, None, f"{whose} country {country} has no IANA time zone")
    own_code = _subdivision_code(country, location.region) if location.region else None
    # The subdivision is kept only in the form the holidays package knows, for the calendar.
    subdivision = holiday_subdivision(country, location.region) or holiday_subdivision(
        country, own_code
    )
    if entry["zone"] is not None:
        return _PlaceMatch(entry["zone"], subdivision, f"{whose} country {country}")
    zone_count = len(entry["zones"])
    if location.region is None:
        return _PlaceMatch(
            None,
            None,
            f"{whose} country {country} spans {zone_count} time zones and no region is given",
        )
    row = _table()["subdivisions"].get(country, {}).get(own_code) if own_code else None
    if row is None:
        return _PlaceMatch(
            None,
            subdivision,
            f"{whose} country {country} spans {zone_count} time zones and its region is not "
            "one the zone table can place",
        )
    explanation = f"{whose} region {country}-{own_code}"
    if row["partial"]:
        explanation += f" (most of {country}-{own_code} keeps {row['zone']})"
    return _PlaceMatch(row["zone"], subdivision, explanation)


def _usable_candidate_zone(name: str) -> str | None:
    """Return why the candidate's zone cannot be used, or ``None`` if it can."""
    if not _is_zone(name):
        return f"the candidate's time zone {name[:40]!r} is not a known IANA zone"
    if name.startswith(_NON_GEOGRAPHIC):
        return (
            f"the candidate's time zone {name} names no place (often an ATS default), so it "
            "was not trusted"
        )
    return None


def resolve_time_zone(
    candidate: Candidate | None,
    job: Job | None,
    office_zones: Mapping[str, str],
    default_zone: str,
) -> ResolvedZone:
    """Find the time zone to time a candidate's messages in.

    The chain, first answer wins: the candidate's zone if the ATS holds one; the zone of the
    candidate's location (certain for countries with one zone; for countries with several,
    from the state, province or region); the zone configured for one of the job's offices
    (matched by office id, then name), else the zone of an office's or the job's location;
    the company default. Unusable links are skipped with a reason, never an error.

    Args:
        candidate: The candidate, if known.
        job: The job applied for, if known.
        office_zones: Configured office id or name -> IANA zone name.
        default_zone: The company default IANA zone.

    Raises:
        TimingConfigurationError: *default_zone* or a zone in *office_zones* is not a valid
            IANA zone (a configuration mistake, reported whatever the candidate).
    """
    load_zone(default_zone)
    for key, zone in office_zones.items():
        if not _is_zone(zone):
            raise TimingConfigurationError(
                f"office {key[:40]!r}: {zone[:60]!r} is not an IANA time zone name"
            )
    skipped: list[str] = []
    own_place = _match_place(candidate.location if candidate else None, "the candidate's")
    own_country = candidate.location.country if candidate and candidate.location else None

    def resolved(
        zone: str, source: ZoneSource, how: str, country: str | None, subdivision: str | None
    ) -> ResolvedZone:
        if own_country is not None:
            country, subdivision = own_country, own_place.subdivision
        detail = how if not skipped else f"{how}; skipped: {'; '.join(skipped)}"
        return ResolvedZone(zone, source, detail, country, subdivision)

    if candidate is not None and candidate.time_zone:
        problem = _usable_candidate_zone(candidate.time_zone)
        if problem is None:
            zone = candidate.time_zone
            how = "the candidate's time zone in the ATS"
            return resolved(zone, "candidate", how, country_for_zone(zone), None)
        skipped.append(problem)
    else:
        skipped.append("the ATS holds no time zone for the candidate")

    if own_place.zone is not None:
        how = f"from {own_place.explanation}"
        return resolved(own_place.zone, "location", how, None, None)
    skipped.append(own_place.explanation)

    office = _office_zone(job, office_zones)
    if isinstance(office, ResolvedZone):
        return resolved(office.zone, "office", office.detail, office.country, office.subdivision)
    skipped.append(office)

    how = "the company default time zone"
    return resolved(default_zone, "default", how, country_for_zone(default_zone), None)


def _office_zone(job: Job | None, office_zones: Mapping[str, str]) -> ResolvedZone | str:
    """Return the office link's answer, or why it has none."""
    if job is None:
        return "no job is known"
    for office in job.offices:
        for key in (office.id, office.name):
            if key in office_zones:
                zone = office_zones[key]
                place = office.location
                country = place.country if place and place.country else country_for_zone(zone)
                how = f"the zone configured for the job's office {office.id!r}"
                return ResolvedZone(zone, "office", how, country, None)
    places = [(office.location, f"the job's office {office.id!r}") for office in job.offices]
    places.append((job.location, "the job's"))
    for place, whose in places:
        if place is None:
            continue
        match = _match_place(place, whose)
        if match.zone is not None:
            how = f"from {match.explanation}"
            return ResolvedZone(match.zone, "office", how, place.country, match.subdivision)
    if not job.offices:
        return "the job has no office and no location with a time zone"
    return "no office of the job is in the office map or has a location with a time zone"
