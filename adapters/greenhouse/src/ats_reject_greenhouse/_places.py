"""Free-text places (candidate addresses, office locations) to :class:`~ats_reject.models.Location`.

Greenhouse keeps addresses as free text (``"455 Broadway New York, NY 10280"``,
``"London, United Kingdom"``). The time-zone chain needs an ISO country and, for countries with
several zones, a region. This reads the last comma- or line-separated parts conservatively: a
country it recognizes by name or code, or a US state or Canadian province (by code or name)
that implies the country. Anything else keeps only the text, so no guess ever times a
message.
"""

from __future__ import annotations

import re

from ats_reject.models import Location

__all__ = ["parse_place"]

_COUNTRIES: dict[str, str] = {
    "argentina": "AR",
    "australia": "AU",
    "austria": "AT",
    "österreich": "AT",
    "belgium": "BE",
    "belgië": "BE",
    "belgique": "BE",
    "brazil": "BR",
    "brasil": "BR",
    "bulgaria": "BG",
    "canada": "CA",
    "chile": "CL",
    "china": "CN",
    "colombia": "CO",
    "croatia": "HR",
    "czech republic": "CZ",
    "czechia": "CZ",
    "denmark": "DK",
    "danmark": "DK",
    "egypt": "EG",
    "estonia": "EE",
    "finland": "FI",
    "suomi": "FI",
    "france": "FR",
    "germany": "DE",
    "deutschland": "DE",
    "greece": "GR",
    "hong kong": "HK",
    "hungary": "HU",
    "iceland": "IS",
    "india": "IN",
    "indonesia": "ID",
    "ireland": "IE",
    "israel": "IL",
    "italy": "IT",
    "italia": "IT",
    "japan": "JP",
    "日本": "JP",
    "kenya": "KE",
    "latvia": "LV",
    "lithuania": "LT",
    "luxembourg": "LU",
    "malaysia": "MY",
    "mexico": "MX",
    "méxico": "MX",
    "netherlands": "NL",
    "the netherlands": "NL",
    "nederland": "NL",
    "new zealand": "NZ",
    "nigeria": "NG",
    "norway": "NO",
    "norge": "NO",
    "pakistan": "PK",
    "peru": "PE",
    "philippines": "PH",
    "poland": "PL",
    "polska": "PL",
    "portugal": "PT",
    "romania": "RO",
    "saudi arabia": "SA",
    "serbia": "RS",
    "singapore": "SG",
    "slovakia": "SK",
    "slovenia": "SI",
    "south africa": "ZA",
    "south korea": "KR",
    "korea": "KR",
    "spain": "ES",
    "españa": "ES",
    "sweden": "SE",
    "sverige": "SE",
    "switzerland": "CH",
    "schweiz": "CH",
    "suisse": "CH",
    "taiwan": "TW",
    "thailand": "TH",
    "turkey": "TR",
    "türkiye": "TR",
    "ukraine": "UA",
    "united arab emirates": "AE",
    "uae": "AE",
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "u.s.a.": "US",
    "u.s.": "US",
    "us": "US",
    "vietnam": "VN",
    "viet nam": "VN",
}
"""Country names (English and a few local) and unambiguous abbreviations, casefolded."""

_US_STATES: dict[str, str] = {
    "alabama": "AL",
    "alaska": "AK",
    "arizona": "AZ",
    "arkansas": "AR",
    "california": "CA",
    "colorado": "CO",
    "connecticut": "CT",
    "delaware": "DE",
    "district of columbia": "DC",
    "florida": "FL",
    "georgia": "GA",
    "hawaii": "HI",
    "idaho": "ID",
    "illinois": "IL",
    "indiana": "IN",
    "iowa": "IA",
    "kansas": "KS",
    "kentucky": "KY",
    "louisiana": "LA",
    "maine": "ME",
    "maryland": "MD",
    "massachusetts": "MA",
    "michigan": "MI",
    "minnesota": "MN",
    "mississippi": "MS",
    "missouri": "MO",
    "montana": "MT",
    "nebraska": "NE",
    "nevada": "NV",
    "new hampshire": "NH",
    "new jersey": "NJ",
    "new mexico": "NM",
    "new york": "NY",
    "north carolina": "NC",
    "north dakota": "ND",
    "ohio": "OH",
    "oklahoma": "OK",
    "oregon": "OR",
    "pennsylvania": "PA",
    "rhode island": "RI",
    "south carolina": "SC",
    "south dakota": "SD",
    "tennessee": "TN",
    "texas": "TX",
    "utah": "UT",
    "vermont": "VT",
    "virginia": "VA",
    "washington": "WA",
    "west virginia": "WV",
    "wisconsin": "WI",
    "wyoming": "WY",
    "puerto rico": "PR",
}

_CA_PROVINCES: dict[str, str] = {
    "alberta": "AB",
    "british columbia": "BC",
    "manitoba": "MB",
    "new brunswick": "NB",
    "newfoundland and labrador": "NL",
    "nova scotia": "NS",
    "ontario": "ON",
    "prince edward island": "PE",
    "quebec": "QC",
    "québec": "QC",
    "saskatchewan": "SK",
    "northwest territories": "NT",
    "nunavut": "NU",
    "yukon": "YT",
}

_US_CODES = frozenset(_US_STATES.values())
_CA_CODES = frozenset(_CA_PROVINCES.values())
_SEPARATORS = re.compile(r"[,\n;]+")
# A trailing postal code ("NY 10280", "ON M5V 2T6", "10115") is not part of the place name.
_POSTAL_TAIL = re.compile(r"\s+(?:\d[\d\- ]*|[A-Z]\d[A-Z] ?\d[A-Z]\d)$")
_LEADING_POSTAL = re.compile(r"^\d{4,6}\s+")
_MAX_TEXT = 500


def parse_place(text: str | None) -> Location | None:
    """Read a free-text place; ``None`` when there is no text at all.

    Args:
        text: The place as Greenhouse holds it.

    Returns:
        A location whose ``text`` is the input; ``country`` and ``region`` are set only when the
        text names them unambiguously.
    """
    if text is None or not text.strip():
        return None
    raw = text.strip()[:_MAX_TEXT]
    parts = [part.strip() for part in _SEPARATORS.split(raw) if part.strip()]
    country, region, city = _read_parts(parts)
    return Location(city=city, region=region, country=country, text=raw)


def _clean(part: str) -> str:
    return _LEADING_POSTAL.sub("", _POSTAL_TAIL.sub("", part)).strip()


def _city(part: str) -> str | None:
    cleaned = _clean(part)
    # A part with digits is a street line ("455 Broadway New York"), not a city.
    return cleaned if cleaned and not any(char.isdigit() for char in cleaned) else None


def _read_parts(parts: list[str]) -> tuple[str | None, str | None, str | None]:
    if not parts:
        return None, None, None
    last = _clean(parts[-1])
    named = _COUNTRIES.get(last.casefold())
    if named is not None:
        region = _region(parts[-2], named) if len(parts) >= 2 else None
        city = _city(parts[-3]) if len(parts) >= 3 and region else None
        if city is None and region is None and len(parts) >= 2:
            city = _city(parts[-2])
        return named, region, city
    implied = _implied_country(last)
    if implied is not None:
        country, region = implied
        city = _city(parts[-2]) if len(parts) >= 2 else None
        return country, region, city
    return None, None, None


def _region(part: str, country: str) -> str | None:
    cleaned = _clean(part)
    if country == "US":
        return _US_STATES.get(cleaned.casefold()) or (cleaned if cleaned in _US_CODES else None)
    if country == "CA":
        return _CA_PROVINCES.get(cleaned.casefold()) or (cleaned if cleaned in _CA_CODES else None)
    return None


def _implied_country(part: str) -> tuple[str, str] | None:
    """A US state or Canadian province, written as a code or a name, implies its country."""
    if part in _US_CODES:
        return "US", part
    if part in _CA_CODES:
        return "CA", part
    folded = part.casefold()
    if folded in _US_STATES:
        return "US", _US_STATES[folded]
    if folded in _CA_PROVINCES:
        return "CA", _CA_PROVINCES[folded]
    return None
