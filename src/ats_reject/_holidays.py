"""Public holidays as the ``holidays`` package knows them, built once per country and year.

The package computes holidays (no network, no files), but the objects it builds are costly:
each country's profile and each country, subdivision and year's table is built once and
kept as a read-only mapping. Region names from an ATS are matched to the package's
subdivision codes here too.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import warnings
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

import holidays

__all__ = [
    "country_profile",
    "holiday_subdivision",
    "normalize_place_name",
    "public_holidays",
    "supported_countries",
]


def normalize_place_name(text: str) -> str:
    """Fold a place name for matching: no accents, no case, words separated by one space."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", bare.casefold()).split())


@functools.cache
def supported_countries() -> Mapping[str, tuple[str, ...]]:
    """Country code -> its subdivision codes, for every country with holiday data."""
    return MappingProxyType(
        {
            code: tuple(subdivisions)
            for code, subdivisions in holidays.list_supported_countries().items()
            if len(code) == 2
        }
    )


@functools.cache
def country_profile(country: str) -> tuple[str | None, frozenset[int], Mapping[str, str]]:
    """Return the language to ask for, the weekend and the subdivision aliases of *country*."""
    sample = holidays.country_holidays(country)
    default_language = type(sample).default_language
    supported = sample.supported_languages
    language = default_language
    # Reasons are read by recruiters: prefer English names where the package has them.
    if not (default_language or "").startswith("en") and "en_US" in supported:
        language = "en_US"
    aliases = {
        normalize_place_name(alias): code
        for alias, code in getattr(sample, "subdivisions_aliases", {}).items()
    }
    for code in sample.subdivisions:
        aliases.setdefault(normalize_place_name(code), code)
    return language, frozenset(sample.weekend), MappingProxyType(aliases)


@functools.lru_cache(maxsize=1024)
def public_holidays(country: str, subdivision: str | None, year: int) -> Mapping[date, str]:
    """The public holidays of *country* (and *subdivision*) in *year*: date -> name."""
    language = country_profile(country)[0]
    # Some countries warn that lunar holidays are only tabulated for certain years; the
    # known holidays are still right, and a warning per planned message helps nobody.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        built = holidays.country_holidays(
            country, subdiv=subdivision, years=year, language=language
        )
        return MappingProxyType(dict(built.items()))


def holiday_subdivision(country: str, region: str | None) -> str | None:
    """Return the ``holidays`` subdivision code for a region as an ATS wrote it, if known.

    Accepts the code (``BY``, ``US-CA``) or a name the package knows (``Bayern``, ``Wien``).
    """
    if region is None or country not in supported_countries():
        return None
    aliases = country_profile(country)[2]
    key = normalize_place_name(region)
    prefix = country.lower() + " "
    if key not in aliases and key.startswith(prefix):
        key = key[len(prefix) :]
    return aliases.get(key)
