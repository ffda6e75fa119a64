"""Reference data that changes rarely, kept for a while: jobs, stage plans, users, reasons, sources.

Applications, candidates, stages visited and rejections are never cached: they are read fresh
on every call, because acting on stale state is what the library must never do. What is kept
here only names and classifies (a job's title, its plan, a recruiter's name), for
``lookup_ttl`` seconds, with a bounded number of entries.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from ats_reject.clock import Clock
from ats_reject_greenhouse._harvest import Harvest
from ats_reject_greenhouse._payloads import (
    V3Department,
    V3Job,
    V3JobInterviewStage,
    V3Office,
    V3RejectionReason,
    V3Source,
    V3User,
)

__all__ = ["Lookups"]

ValueT = TypeVar("ValueT")

_MAX_ENTRIES = 4096


class _TtlCache:
    """A small thread-safe cache whose entries expire; oldest entries go first when full."""

    def __init__(self, clock: Clock, ttl: float) -> None:
        self._clock = clock
        self._ttl = ttl
        self._entries: OrderedDict[tuple[str, object], tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[tuple[str, object], threading.Lock] = {}

    def get(self, key: tuple[str, object], load: Callable[[], ValueT]) -> ValueT:
        hit = self._hit(key)
        if hit is not None:
            return hit[1]  # type: ignore[return-value]
        with self._lock:
            loading = self._loading.setdefault(key, threading.Lock())
        # One load per key at a time (threads asking together share it), outside the main
        # lock, so a slow request never stalls other keys' cache hits.
        with loading:
            hit = self._hit(key)
            if hit is not None:
                return hit[1]  # type: ignore[return-value]
            value = load()
            with self._lock:
                self._entries[key] = (self._clock.monotonic() + self._ttl, value)
                self._entries.move_to_end(key)
                while len(self._entries) > _MAX_ENTRIES:
                    self._entries.popitem(last=False)
                self._loading.pop(key, None)
        return value

    def _hit(self, key: tuple[str, object]) -> tuple[float, object] | None:
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and hit[0] > self._clock.monotonic():
                return hit
        return None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class Lookups:
    """Cached reads of Greenhouse reference data.

    Args:
        harvest: The list-call helper.
        clock: Time source for expiry.
        ttl: Seconds an entry is kept.
    """

    def __init__(self, harvest: Harvest, clock: Clock, ttl: float) -> None:
        self._harvest = harvest
        self._cache = _TtlCache(clock, ttl)

    def clear(self) -> None:
        """Forget everything (after a configuration change in Greenhouse)."""
        self._cache.clear()

    def job(self, job_id: int) -> V3Job | None:
        """``GET /v3/jobs?ids=`` (https://harvestdocs.greenhouse.io/reference/get_v3-jobs)."""
        return self._cache.get(("job", job_id), lambda: self._first("jobs", V3Job, job_id))

    def office(self, office_id: int) -> V3Office | None:
        """``GET /v3/offices?ids=``."""
        return self._cache.get(
            ("office", office_id), lambda: self._first("offices", V3Office, office_id)
        )

    def department(self, department_id: int) -> V3Department | None:
        """``GET /v3/departments?ids=``."""
        return self._cache.get(
            ("department", department_id),
            lambda: self._first("departments", V3Department, department_id),
        )

    def user(self, user_id: int) -> V3User | None:
        """``GET /v3/users?ids=``, service accounts included.

        Integration service users are hidden unless ``show_service_accounts=true`` (airbytehq
        ``source-greenhouse``); the acting user may be one, so it is asked.
        """
        return self._cache.get(
            ("user", user_id),
            lambda: self._first("users", V3User, user_id, {"show_service_accounts": "true"}),
        )

    def stage_plan(self, job_id: int) -> tuple[V3JobInterviewStage, ...]:
        """The job's stages in plan order (``GET /v3/job_interview_stages?job_ids=``).

        Inactive stages are included, so that history still resolves.
        """

        def load() -> tuple[V3JobInterviewStage, ...]:
            stages = self._harvest.items(
                "job_interview_stages", V3JobInterviewStage, {"job_ids": str(job_id)}
            )
            plan = [stage for stage in stages if stage.job_id in (None, job_id)]
            return tuple(sorted(plan, key=lambda s: (s.sort_order is None, s.sort_order, s.id)))

        return self._cache.get(("plan", job_id), load)

    def reasons(self) -> tuple[V3RejectionReason, ...]:
        """Every rejection reason, Greenhouse's defaults included (``include_defaults=true``)."""
        return self._cache.get(
            ("reasons", None),
            lambda: tuple(
                self._harvest.items(
                    "rejection_reasons", V3RejectionReason, {"include_defaults": "true"}
                )
            ),
        )

    def reason(self, reason_id: int) -> V3RejectionReason | None:
        """One reason from :meth:`reasons`."""
        return next((reason for reason in self.reasons() if reason.id == reason_id), None)

    def source(self, source_id: int) -> V3Source | None:
        """One source (``GET /v3/sources``: a short, organization-wide list)."""
        sources = self._cache.get(
            ("sources", None), lambda: tuple(self._harvest.items("sources", V3Source))
        )
        return next((source for source in sources if source.id == source_id), None)

    def _first(
        self,
        path: str,
        model: type[ValueT],
        object_id: int,
        params: dict[str, str] | None = None,
    ) -> ValueT | None:
        found = self._harvest.by_ids(path, model, [object_id], params)  # type: ignore[type-var]
        return next((item for item in found if getattr(item, "id", None) == object_id), None)
