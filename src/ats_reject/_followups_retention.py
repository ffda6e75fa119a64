"""Retention per jurisdiction: which country's periods apply to a candidate, and what they are.

The country is the candidate's own when the ATS knows where they live, else the country of
the time zone their messages are timed in, else ``company.holiday_country``; periods come
from ``[followups.retention.countries.<CC>]`` with the ``[followups.retention]`` defaults
for anything a country does not set. Not legal advice: the values are the user's to decide.
"""

from __future__ import annotations

from dataclasses import dataclass

from ats_reject._config_followups import RetentionSettings
from ats_reject.models import Application
from ats_reject.timing import Duration, ResolvedZone, parse_duration

__all__ = ["RetentionTerms", "jurisdiction_of", "retention_terms"]

_MONTHS_PER_YEAR = 12


@dataclass(frozen=True, slots=True)
class RetentionTerms:
    """How long a candidate's data is kept, and why these periods apply.

    Attributes:
        country: The country whose periods apply, or ``None`` for the defaults.
        country_source: How the country was found.
        after_decision: Without a talent-pool consent: kept this long after the decision.
        with_consent: With a consent: kept this long after it was given (then renewed or
            deleted).
        after_decision_key: The configuration key the first period came from.
        with_consent_key: The configuration key the second period came from.
    """

    country: str | None
    country_source: str
    after_decision: Duration
    with_consent: Duration
    after_decision_key: str
    with_consent_key: str

    @property
    def consent_months(self) -> int | None:
        """The consent period in whole months, for a message that says how long (or ``None``)."""
        period = self.with_consent
        if period.unit == "months":
            return period.amount
        if period.unit == "years":
            return period.amount * _MONTHS_PER_YEAR
        return None

    def describe(self) -> str:
        """One sentence: the country, how it was found, and the periods."""
        where = (
            f"country {self.country} ({self.country_source})"
            if self.country
            else (f"no country known ({self.country_source})")
        )
        return (
            f"retention for {where}: {self.after_decision} after the decision "
            f"({self.after_decision_key}), {self.with_consent} after a talent-pool consent "
            f"({self.with_consent_key})"
        )


def jurisdiction_of(
    application: Application, zone: ResolvedZone, company_country: str | None
) -> tuple[str | None, str]:
    """The country whose retention periods apply to *application*'s candidate, and how found."""
    location = application.candidate.location
    if location is not None and location.country is not None:
        return location.country, "the candidate's location in the ATS"
    if zone.country is not None:
        return zone.country, f"the country of time zone {zone.zone}"
    if company_country is not None:
        return company_country, "company.holiday_country"
    return None, "neither the candidate's location, their time zone nor the company names one"


def retention_terms(
    settings: RetentionSettings, country: str | None, country_source: str
) -> RetentionTerms:
    """The periods for *country*, each from its country table or else the default."""
    own = settings.countries.get(country) if country is not None else None
    base = "followups.retention"
    after_key = with_key = None
    after_text, with_text = settings.after_decision, settings.with_consent
    if own is not None:
        if own.after_decision is not None:
            after_text, after_key = own.after_decision, f"{base}.countries.{country}.after_decision"
        if own.with_consent is not None:
            with_text, with_key = own.with_consent, f"{base}.countries.{country}.with_consent"
    return RetentionTerms(
        country=country,
        country_source=country_source,
        after_decision=parse_duration(after_text),
        with_consent=parse_duration(with_text),
        after_decision_key=after_key or f"{base}.after_decision",
        with_consent_key=with_key or f"{base}.with_consent",
    )
