"""Reading a decision date promised to a candidate from the ATS: a custom field, a tag, a note.

Recruiters write promises in different places; this module reads the three common ones with a
small, strict grammar (docs/followups.md), and says why anything that looks like a promise
but cannot be read was ignored. Reasons name the field, the tag prefix or the note and line,
never the text itself: notes are free text and may hold anything.

Accepted dates: ``2026-12-04``, ``4 Dec 2026``, ``4 December 2026``, ``Dec 4, 2026``,
``December 4, 2026`` (a weekday in front is allowed and checked), and in custom fields also an
ISO date-time such as ``2026-12-04T17:00:00+01:00``. Numeric dates like ``04/12/2026`` are
refused: they mean different days in different countries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ats_reject._config_followups import PromiseSources
from ats_reject.models import Application, JsonScalar

__all__ = ["PromiseLookup", "PromisedDate", "find_promised_date", "parse_promised_date"]

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY = r"(?:(?P<weekday>[a-z]{3,9})\.?,?\s+)?"
_ORDINAL = r"(?:st|nd|rd|th)?"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DAY_FIRST = re.compile(
    rf"^{_WEEKDAY}(?P<day>\d{{1,2}}){_ORDINAL}\.?\s+(?P<month>[a-z]+)\.?,?\s+(?P<year>\d{{4}})$"
)
_MONTH_FIRST = re.compile(
    rf"^{_WEEKDAY}(?P<month>[a-z]+)\.?\s+(?P<day>\d{{1,2}}){_ORDINAL},?\s+(?P<year>\d{{4}})$"
)
_NUMERIC = re.compile(r"^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$")
_EARLIEST_YEAR = 2000
_LATEST_YEAR = 2100
_FORMS = "write 2026-12-04 or 4 Dec 2026"


@dataclass(frozen=True, slots=True)
class PromisedDate:
    """A decision date promised to a candidate.

    Attributes:
        passes_at: The moment the promise is broken if no decision was made (aware UTC): the
            end of the promised day in the candidate's zone, or the exact time given.
        day: The promised day in the candidate's zone.
        date_only: The promise names a day, not a time.
        source: Where it was read (``custom field 'decision_by'``, ``a 'decision-by:' tag``,
            ``note 2, line 1``).
    """

    passes_at: datetime
    day: date
    date_only: bool
    source: str


@dataclass(frozen=True, slots=True)
class PromiseLookup:
    """What was found: the promise in force (if any), and what was ignored and why."""

    found: PromisedDate | None = None
    ignored: tuple[str, ...] = ()


def _check_weekday(weekday: str | None, day: date) -> None:
    if weekday is None:
        return
    short = weekday[:3]
    if short not in _WEEKDAYS:
        raise ValueError("the word before the day is not a weekday")
    if _WEEKDAYS.index(short) != day.weekday():
        raise ValueError("the weekday does not match the date")


def _written_date(text: str) -> date:
    match = _DAY_FIRST.match(text) or _MONTH_FIRST.match(text)
    if match is None:
        if _NUMERIC.match(text):
            raise ValueError(f"a numeric date is ambiguous; {_FORMS}")
        raise ValueError(f"not a date we can read; {_FORMS}")
    month = _MONTHS.get(match["month"])
    if month is None:
        raise ValueError(f"unknown month name; {_FORMS}")
    try:
        day = date(int(match["year"]), month, int(match["day"]))
    except ValueError:
        raise ValueError("no such day in the calendar") from None
    _check_weekday(match["weekday"], day)
    return day


def parse_promised_date(text: str, *, allow_time: bool = False) -> date | datetime:
    """Read a promised date (or, with *allow_time*, an ISO date-time) from *text*.

    Returns:
        A :class:`~datetime.date`, or a :class:`~datetime.datetime` (naive when the text gave
        no offset) for an ISO date-time.

    Raises:
        ValueError: The text is not a date of the accepted forms; the message says why,
            without repeating the text.
    """
    cleaned = " ".join(text.strip().rstrip(".").split()).lower()
    if not cleaned:
        raise ValueError("empty")
    parsed: date | datetime
    if _ISO_DATE.match(cleaned):
        try:
            parsed = date.fromisoformat(cleaned)
        except ValueError:
            raise ValueError("no such day in the calendar") from None
    elif allow_time and re.match(r"^\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}", cleaned):
        try:
            parsed = datetime.fromisoformat(cleaned.upper())
        except ValueError:
            raise ValueError("not an ISO date-time such as 2026-12-04T17:00:00+01:00") from None
    else:
        parsed = _written_date(cleaned)
    if not _EARLIEST_YEAR <= parsed.year <= _LATEST_YEAR:
        raise ValueError(f"the year is outside {_EARLIEST_YEAR}-{_LATEST_YEAR}")
    return parsed


def _promise(value: date | datetime, zone: ZoneInfo, source: str) -> PromisedDate:
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=zone) if value.tzinfo is None else value
        return PromisedDate(
            passes_at=moment.astimezone(UTC),
            day=moment.astimezone(zone).date(),
            date_only=False,
            source=source,
        )
    # "By 4 December" holds until that day is over where the candidate lives.
    end = datetime.combine(value + timedelta(days=1), time(0), tzinfo=zone)
    return PromisedDate(passes_at=end.astimezone(UTC), day=value, date_only=True, source=source)


def _field_key(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().casefold())


def _field_value(name: str, fields: Sequence[Mapping[str, JsonScalar]]) -> tuple[bool, JsonScalar]:
    wanted = _field_key(name)
    for table in fields:
        for key, value in table.items():
            if _field_key(key) == wanted:
                return True, value
    return False, None


@dataclass(slots=True)
class _Reader:
    zone: ZoneInfo
    ignored: list[str]

    def read(self, text: str, where: str, *, allow_time: bool = False) -> PromisedDate | None:
        try:
            value = parse_promised_date(text, allow_time=allow_time)
        except ValueError as exc:
            self.ignored.append(f"{where}: ignored, {exc}")
            return None
        return _promise(value, self.zone, where)

    def fields(self, application: Application, names: Sequence[str]) -> PromisedDate | None:
        tables = (application.custom_fields, application.candidate.custom_fields)
        for name in names:
            present, value = _field_value(name, tables)
            where = f"custom field {name!r}"
            if not present or value is None or (isinstance(value, str) and not value.strip()):
                continue
            if not isinstance(value, str):
                kind = "true or false" if isinstance(value, bool) else "a number"
                self.ignored.append(f"{where}: ignored, it holds {kind}, not a date")
                continue
            found = self.read(value, where, allow_time=True)
            if found is not None:
                return found
        return None

    def tags(self, application: Application, prefix: str) -> PromisedDate | None:
        folded = prefix.casefold()
        found: list[PromisedDate] = []
        for tag in application.candidate.tags:
            if tag.strip().casefold().startswith(folded):
                promise = self.read(tag.strip()[len(prefix) :], f"a {prefix!r} tag")
                if promise is not None:
                    found.append(promise)
        # Tags pile up: a promise moved later adds a tag, so the latest one is in force.
        return max(found, key=lambda item: item.passes_at) if found else None

    def notes(self, notes: Sequence[str], label: str) -> PromisedDate | None:
        line_pattern = re.compile(
            rf"^\s*(?:[-*•]\s*)?{re.escape(label)}\s*[:\-\u2013]\s*(?P<rest>.*)$", re.IGNORECASE
        )
        found: PromisedDate | None = None
        for note_index, note in enumerate(notes, start=1):
            for line_index, line in enumerate(note.splitlines(), start=1):
                match = line_pattern.match(line)
                if match is None:
                    continue
                where = f"note {note_index}, line {line_index}"
                promise = self.read(match["rest"], where)
                # Notes come oldest first: a later line restates the promise.
                found = promise or found
        return found


def find_promised_date(
    application: Application,
    *,
    sources: PromiseSources,
    zone: str,
    notes: Sequence[str] = (),
) -> PromiseLookup:
    """Find the decision date promised for *application*.

    Sources, in order of precedence: the configured custom fields (of the application, then
    the candidate, in the configured order; the first readable one wins), tags starting with
    the configured prefix (the latest date wins), and note lines starting with the configured
    label (notes oldest first; the last readable line wins). The first source with a readable
    date decides; readable dates in later sources are reported as overruled.

    Args:
        application: The application as the ATS holds it.
        sources: The ``[followups.promises]`` settings.
        zone: The candidate's IANA zone: a promised day ends at midnight there.
        notes: The application's notes, oldest first, as the ATS returns them.

    Returns:
        The promise in force, if any, and a sentence for everything ignored.
    """
    ignored: list[str] = []
    reader = _Reader(ZoneInfo(zone), ignored)
    candidates = [
        reader.fields(application, sources.custom_fields),
        reader.tags(application, sources.tag_prefix) if sources.read_tags else None,
        reader.notes(notes, sources.note_label) if sources.read_notes else None,
    ]
    readable = [found for found in candidates if found is not None]
    if not readable:
        return PromiseLookup(None, tuple(ignored))
    chosen, overruled = readable[0], readable[1:]
    ignored.extend(
        f"{other.source}: a date was found, but {chosen.source} takes precedence"
        for other in overruled
    )
    return PromiseLookup(chosen, tuple(ignored))
