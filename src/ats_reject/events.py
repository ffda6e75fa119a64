"""The project's own event format: JSON lines, one application event per line.

``ats-reject plan`` reads it, and tests, demos and other tools can write it. Each line is an
:class:`~ats_reject.models.ApplicationEvent` as JSON (with its ``application`` snapshot),
plus these optional keys:

* ``connection``: the connection name (``"default"`` when left out);
* ``other_applications``: the person's other applications as the ATS holds them;
* ``already_notified``: ids of applications whose rejection the person was already told;
* ``notes``: the application's notes, oldest first (for promised decision dates).

Blank lines are skipped. docs/cli.md describes the format with an example. Errors name the
line and the key path, never a value from the file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ats_reject._config_base import validation_problems
from ats_reject.errors import AtsRejectError
from ats_reject.models import Application, ApplicationEvent

__all__ = [
    "DEFAULT_CONNECTION",
    "EventFormatError",
    "EventRecord",
    "parse_event_line",
    "read_events",
]

DEFAULT_CONNECTION = "default"
"""The connection of a line that names none."""

_CONNECTION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$")
_EXTRA_KEYS = ("connection", "other_applications", "already_notified", "notes")
_SHOWN_PROBLEMS = 3
_OTHERS = TypeAdapter(tuple[Application, ...])
_TEXTS = TypeAdapter(tuple[str, ...])


class EventFormatError(AtsRejectError, ValueError):
    """An events file holds lines that are not events.

    Attributes:
        problems: ``(line number, what is wrong)`` for every malformed line, in order; line
            0 stands for the whole file.
    """

    def __init__(self, source: str, problems: list[tuple[int, str]]) -> None:
        self.problems = tuple(problems)
        line, first = problems[0]
        # Line 0 stands for the file as a whole.
        message = f"{source} line {line}: {first}" if line else f"{source}: {first}"
        if len(problems) > 1:
            shown = [str(number) for number, _ in problems[1 : _SHOWN_PROBLEMS + 1]]
            more = ", ..." if len(problems) > _SHOWN_PROBLEMS + 1 else ""
            word = "line" if len(problems) == 2 else "lines"
            message += f" (also malformed: {word} {', '.join(shown)}{more})"
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One line of an events file.

    Attributes:
        line: Its line number, from 1.
        connection: The connection it belongs to.
        event: The event, with its application snapshot if the line had one.
        other_applications: The person's other applications given on the line.
        already_notified: Applications whose rejection the person was already told.
        notes: The application's notes, oldest first (hidden from ``repr``).
    """

    line: int
    connection: str
    event: ApplicationEvent
    other_applications: tuple[Application, ...] = ()
    already_notified: frozenset[str] = frozenset()
    notes: tuple[str, ...] = field(default=(), repr=False)


class _LineError(Exception):
    """What is wrong with one line."""


def _first_problem(exc: ValidationError, prefix: tuple[str | int, ...] = ()) -> str:
    problems = validation_problems(exc, prefix, root=ApplicationEvent if not prefix else None)
    key_path, message = problems[0]
    more = f" (and {len(problems) - 1} more problems on this line)" if len(problems) > 1 else ""
    return f"{key_path}: {message}{more}" if key_path else f"{message}{more}"


def _as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _parse(text: str, line: int) -> EventRecord:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _LineError(f"not JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(raw, dict):
        raise _LineError("expected a JSON object, one event per line")
    extras = {key: raw.pop(key) for key in _EXTRA_KEYS if key in raw}
    connection = extras.get("connection", DEFAULT_CONNECTION)
    if not isinstance(connection, str) or not _CONNECTION_NAME.match(connection):
        raise _LineError("connection: expected a connection name (letters, digits, '_', '-', '.')")
    try:
        event = ApplicationEvent.model_validate_json(_as_json(raw))
    except ValidationError as exc:
        raise _LineError(_first_problem(exc)) from None
    try:
        others = _OTHERS.validate_json(_as_json(extras.get("other_applications", [])))
    except ValidationError as exc:
        raise _LineError(_first_problem(exc, ("other_applications",))) from None
    try:
        notified = _TEXTS.validate_json(_as_json(extras.get("already_notified", [])))
        notes = _TEXTS.validate_json(_as_json(extras.get("notes", [])))
    except ValidationError:
        raise _LineError("already_notified and notes are lists of text") from None
    application = event.application
    if application is not None and event.application_id not in (None, application.id):
        raise _LineError("application_id differs from application.id")
    return EventRecord(
        line=line,
        connection=connection,
        event=event,
        other_applications=others,
        already_notified=frozenset(notified),
        notes=notes,
    )


def parse_event_line(text: str, *, line: int = 1, source: str = "event") -> EventRecord:
    """Read one line of the event format.

    Raises:
        EventFormatError: The line is not an event; the message names the line and the key.
    """
    try:
        return _parse(text, line)
    except _LineError as exc:
        raise EventFormatError(source, [(line, str(exc))]) from None


def _records(lines: Iterable[str]) -> Iterator[EventRecord | tuple[int, str]]:
    # Only "\n" ends a line: JSON text may hold U+2028 and other separators unescaped.
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            yield _parse(text, number)
        except _LineError as exc:
            yield (number, str(exc))


def read_events(path: Path | str) -> list[EventRecord]:
    """Read an events file (JSON lines), all of it or nothing.

    Raises:
        EventFormatError: Any line is malformed: every malformed line is listed, and nothing
            is returned, so a batch is never planned in part.
        OSError: The file cannot be read.
    """
    file = Path(path)
    source = file.name
    data = file.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise EventFormatError(source, [(line, "not UTF-8 text")]) from None
    records: list[EventRecord] = []
    problems: list[tuple[int, str]] = []
    for item in _records(text.split("\n")):
        if isinstance(item, EventRecord):
            records.append(item)
        else:
            problems.append(item)
    if problems:
        raise EventFormatError(source, problems)
    return records
