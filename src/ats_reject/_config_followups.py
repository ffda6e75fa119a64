"""The ``[followups]`` table: promised decision dates, consent renewals, retention per country.

What follows a rejection months later is planned by :mod:`ats_reject.followups` from these
settings; the rules' own ``follow_up`` tables (re-engagement offsets) stay in ``[policy]``.
Retention periods are configuration, not legal advice: the defaults are a common starting
point, and the people responsible for data protection decide the real values.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StrictBool
from pydantic_core import PydanticCustomError

from ats_reject._config_base import NonZeroDurationText, SettingsModel, Text

__all__ = [
    "CountryRetention",
    "FollowUpSettings",
    "PromiseSources",
    "RetentionSettings",
]


def _country_keys(value: object) -> object:
    if not isinstance(value, dict):
        return value
    normalized: dict[str, Any] = {}
    for key, item in value.items():
        code = str(key).strip()
        if len(code) != 2 or not code.isascii() or not code.isalpha():
            raise PydanticCustomError(
                "country",
                "countries are written as ISO 3166-1 alpha-2 codes such as DE or US; got {got}",
                {"got": repr(code[:20])},
            )
        if code.upper() in normalized:
            raise PydanticCustomError(
                "country", "country {code} is given twice", {"code": code.upper()}
            )
        normalized[code.upper()] = item
    return normalized


def _field_names(value: object) -> object:
    if not isinstance(value, list | tuple):
        raise PydanticCustomError("text_list", "expected a list of custom field names")
    names: list[str] = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise PydanticCustomError(
                "text_list", "expected non-empty text; item {index} is not", {"index": index + 1}
            )
        names.append(item.strip())
    return tuple(names)


class CountryRetention(SettingsModel):
    """``[followups.retention.countries.<CC>]``: one country's periods.

    A key left out takes the ``[followups.retention]`` default.
    """

    after_decision: NonZeroDurationText | None = None
    """Keep an unsuccessful candidate's data this long after the decision."""
    with_consent: NonZeroDurationText | None = None
    """Keep it this long after a talent-pool consent was given (then renew or delete)."""


class RetentionSettings(SettingsModel):
    """``[followups.retention]``: how long data is kept, by the candidate's country."""

    after_decision: NonZeroDurationText = "6 months"
    """Default: delete an unsuccessful candidate's data this long after the decision."""
    with_consent: NonZeroDurationText = "12 months"
    """Default: a talent-pool consent keeps the data this long after it was given."""
    countries: Annotated[dict[str, CountryRetention], BeforeValidator(_country_keys)] = Field(
        default_factory=dict
    )
    """Country code (``DE``) -> that country's periods."""


class PromiseSources(SettingsModel):
    """``[followups.promises]``: where a decision date promised to a candidate is read from."""

    custom_fields: Annotated[tuple[str, ...], BeforeValidator(_field_names)] = (
        "decision_by",
        "promised_decision_date",
    )
    """Custom fields (of the application, then the candidate) holding the promised date, in
    the order they are tried; an empty list reads none."""
    tag_prefix: Text = "decision-by:"
    """Tags such as ``decision-by:2026-12-04``."""
    note_label: Text = "Decision by"
    """Note lines such as ``Decision by: 4 Dec 2026``."""
    read_tags: StrictBool = True
    """Read promised dates from tags."""
    read_notes: StrictBool = True
    """Read promised dates from notes."""


class FollowUpSettings(SettingsModel):
    """``[followups]``: consent renewals, promised dates and retention per country."""

    consent_renew_before: NonZeroDurationText = "30 days"
    """Ask to renew a talent-pool consent this long before it expires."""
    promises: PromiseSources = Field(default_factory=PromiseSources)
    """Where promised decision dates are read from."""
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    """How long data is kept, by country."""
