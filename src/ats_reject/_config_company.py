"""The ``[company]`` table: who writes, from where, and on which days nobody writes.

These settings are the defaults every message falls back to: the company's time zone when a
candidate's cannot be found, the named person who signs when the ATS names no recruiter, the
office time zones, and the closure days on which nothing is sent.
"""

from __future__ import annotations

from datetime import date, timedelta
from types import MappingProxyType
from typing import Annotated, Self

from pydantic import AfterValidator, BeforeValidator, Field, StrictStr, model_validator
from pydantic_core import PydanticCustomError

from ats_reject._calendar import HolidayCalendar
from ats_reject._config_base import SettingsModel, Text, ZoneName
from ats_reject.compose._locales import normalize_locale
from ats_reject.errors import TimingConfigurationError

__all__ = ["ClosurePeriod", "CompanySettings", "EmailAddress", "SignOff"]

_MAX_CLOSURE_DAYS = 366


def _address(value: str) -> str:
    cleaned = value.strip()
    local, _, domain = cleaned.partition("@")
    if not local or "." not in domain or " " in cleaned or cleaned.count("@") != 1:
        raise PydanticCustomError(
            "email_address", "expected an e-mail address such as talent@example.com"
        )
    return cleaned


def _country(value: str) -> str:
    try:
        HolidayCalendar(value)
    except TimingConfigurationError as exc:
        raise PydanticCustomError("country", "{detail}", {"detail": str(exc)}) from None
    return value.strip().upper()


def _locale(value: str) -> str:
    try:
        return normalize_locale(value)
    except ValueError:
        raise PydanticCustomError(
            "locale", "expected a language tag such as 'en' or 'de-AT'"
        ) from None


EmailAddress = Annotated[StrictStr, AfterValidator(_address)]
CountryCode = Annotated[StrictStr, AfterValidator(_country)]
LocaleTag = Annotated[StrictStr, AfterValidator(_locale)]


class SignOff(SettingsModel):
    """The named person who signs a message when the ATS names no recruiter."""

    name: Text
    """Their name as candidates see it (``Dana Fischer``)."""
    title: Text | None = None
    """Their job title (``Head of Talent``)."""
    reply_to: EmailAddress | None = None
    """Where replies to their messages go; the sender address when not given."""


def _closure(value: object) -> object:
    # A bare date is a one-day closure; tables give a range and a label.
    if isinstance(value, date):
        return {"from": value}
    return value


class ClosurePeriod(SettingsModel):
    """Company closure days: one date, or a range ``from`` .. ``to`` (inclusive)."""

    first: date = Field(alias="from")
    """The first closed day."""
    last: date | None = Field(default=None, alias="to")
    """The last closed day; the same as ``from`` when not given."""
    label: Text = "company closure"
    """Shown in explanations (``winter closure``)."""

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        last = self.last or self.first
        if last < self.first:
            raise PydanticCustomError("closure", "'to' must not be before 'from'")
        if (last - self.first).days >= _MAX_CLOSURE_DAYS:
            raise PydanticCustomError("closure", "a closure lasts at most a year")
        return self

    def days(self) -> list[date]:
        """Every closed day of the period."""
        last = self.last or self.first
        return [self.first + timedelta(days=n) for n in range((last - self.first).days + 1)]


class CompanySettings(SettingsModel):
    """``[company]``: the defaults every message falls back to."""

    name: Text
    """The company name as candidates know it."""
    time_zone: ZoneName
    """IANA zone used when no better zone is known for a candidate (``Europe/Berlin``)."""
    locale: LocaleTag = "en"
    """Language messages are written in when the candidate's is unknown."""
    sender_name: Text | None = None
    """Display name of the sending address (``Acme Talent Team``)."""
    sender_address: EmailAddress | None = None
    """The address messages are sent from."""
    sign_off: SignOff | None = None
    """Who signs when the ATS names no recruiter or coordinator."""
    holiday_country: CountryCode | None = None
    """Country whose public holidays apply when the candidate's zone names no country."""
    closure_days: tuple[Annotated[ClosurePeriod, BeforeValidator(_closure)], ...] = ()
    """Days nothing is sent: dates (``2026-12-24``) or tables ``{ from, to, label }``."""
    offices: dict[str, ZoneName] = Field(default_factory=dict)
    """Office id or name (as the ATS writes it) -> IANA zone, for candidates without a zone."""

    def closures(self) -> MappingProxyType[date, str]:
        """Every closure day with its label, for holiday calendars."""
        labelled: dict[date, str] = {}
        for period in self.closure_days:
            for day in period.days():
                labelled.setdefault(day, period.label)
        return MappingProxyType(labelled)
