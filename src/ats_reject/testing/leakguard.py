"""Catch personal data and secrets that reach a log record, an error or a repr.

A :class:`LeakGuard` is given *canaries* (the made-up personal data a sandbox was seeded with,
and the secrets in the adapter's settings) and fails the test when one of them shows up in:

* any log record emitted while it is installed, at any level down to ``DEBUG``, from any
  logger (third-party ones included: a URL with an e-mail in its query, logged by urllib3,
  is a leak too), with its formatted traceback;
* the ``str``, ``repr`` or ``args`` of an exception, along its ``__cause__`` and
  ``__context__`` chain;
* the ``repr`` and ``str`` of any object given to :meth:`LeakGuard.check_object`.

The pytest plugin provides one per test as the ``leak_guard`` fixture.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

__all__ = ["LeakError", "LeakGuard"]

_MIN_CANARY_LENGTH = 6


class LeakError(AssertionError):
    """A watched value (personal data or a secret) appeared where it must not."""


class LeakGuard(logging.Handler):
    """A logging handler that records everything and checks text against canaries.

    Args:
        canaries: Values to watch for from the start; more can be added with :meth:`watch`.
    """

    def __init__(self, canaries: Iterable[str] = ()) -> None:
        super().__init__(level=logging.DEBUG)
        self._canaries: list[str] = []
        self._records: list[logging.LogRecord] = []
        self._records_lock = threading.Lock()
        self._formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
        self._installed: tuple[logging.Logger, int] | None = None
        self.watch(*canaries)

    # --- canaries -------------------------------------------------------------------------

    def watch(self, *values: str | None) -> None:
        """Add values that must never leak; empty and very short values are ignored."""
        for value in values:
            if value and len(value) >= _MIN_CANARY_LENGTH and value not in self._canaries:
                self._canaries.append(value)

    @property
    def canary_count(self) -> int:
        """How many values are watched."""
        return len(self._canaries)

    def check_text(self, where: str, text: str) -> None:
        """Fail when *text* contains a watched value.

        Raises:
            LeakError: Naming *where* and which canary (by position, not by value).
        """
        lowered = text.lower()
        for position, canary in enumerate(self._canaries):
            if canary in text or canary.lower() in lowered:
                raise LeakError(f"watched value #{position} leaked into {where}")

    def check_object(self, where: str, value: object) -> None:
        """Fail when the ``repr`` or ``str`` of *value* contains a watched value."""
        self.check_text(f"repr of {where}", repr(value))
        self.check_text(f"str of {where}", str(value))

    def check_error(self, error: BaseException, where: str = "an error") -> None:
        """Fail when *error* or any exception in its chain shows a watched value."""
        seen: set[int] = set()
        current: BaseException | None = error
        while current is not None and id(current) not in seen:
            seen.add(id(current))
            label = f"{where} ({type(current).__name__})"
            self.check_object(label, current)
            for argument in current.args:
                self.check_text(f"args of {label}", repr(argument))
            # A context hidden with ``raise ... from None`` is never printed, so it cannot leak.
            hidden = current.__suppress_context__
            current = current.__cause__ or (None if hidden else current.__context__)

    # --- logs -----------------------------------------------------------------------------

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record for :meth:`check_logs`."""
        with self._records_lock:
            self._records.append(record)

    @property
    def records(self) -> list[logging.LogRecord]:
        """The records captured so far."""
        with self._records_lock:
            return list(self._records)

    def check_logs(self) -> None:
        """Fail when a captured record's message, arguments or traceback shows a watched value."""
        for index, record in enumerate(self.records):
            where = f"log record #{index} of logger {record.name!r} at {record.levelname}"
            self.check_text(where, self._formatter.format(record))
            self.check_text(where, _render_args(record.args))
            if record.exc_info and record.exc_info[1] is not None:
                self.check_error(record.exc_info[1], where)

    def install(self) -> None:
        """Attach to the root logger and lower it to ``DEBUG`` until :meth:`uninstall`."""
        if self._installed is not None:
            return
        root = logging.getLogger()
        self._installed = (root, root.level)
        root.addHandler(self)
        root.setLevel(logging.DEBUG)

    def uninstall(self) -> None:
        """Detach and restore the root logger's level."""
        if self._installed is None:
            return
        root, level = self._installed
        root.removeHandler(self)
        root.setLevel(level)
        self._installed = None

    def __repr__(self) -> str:
        """Show counts only."""
        return f"<LeakGuard watching {self.canary_count} values, {len(self.records)} records>"


def _render_args(args: Any) -> str:
    if not args:
        return ""
    if isinstance(args, dict):
        return " ".join(f"{key!r}={value!r}" for key, value in args.items())
    return " ".join(repr(argument) for argument in args)
