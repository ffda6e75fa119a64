"""The sandbox's Harvest v3 list routes (bare JSON arrays, id descending, cursor paging).

Each route cites its reference page under https://harvestdocs.greenhouse.io/reference; the
filters are those the adapter uses plus the universal ``ids``/``created_at``/``updated_at``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any, Protocol, TypeVar

from ats_reject.clock import Clock
from ats_reject.testing import FakeRequest, FakeResponse
from ats_reject_greenhouse.sandbox._listing import (
    ListError,
    ListQuery,
    descending,
    error,
    id_filter,
    page_response,
    parse_list_query,
    time_filter,
)
from ats_reject_greenhouse.sandbox._store import SbApplication, SbStageVisit, Store

__all__ = ["ReadRoutes"]

_STATUS_QUERY = {
    "active": "in_process",
    "rejected": "rejected",
    "hired": "hired",
    "converted": "converted",
}


class _HasId(Protocol):
    id: int


RowT = TypeVar("RowT", bound=_HasId)


class ReadRoutes:
    """The list handlers (the sandbox wraps them with auth and its lock).

    Args:
        store: The data.
        clock: The sandbox clock.
        url_for: Builds the absolute URL of an API path (for ``Link`` headers).
    """

    def __init__(self, store: Store, clock: Clock, url_for: Callable[[str], str]) -> None:
        self.store = store
        self.clock = clock
        self._url_for = url_for
        self.application_order: list[int] = []
        """Application ids, ascending (kept by the sandbox as it creates applications)."""

    def _serve(
        self,
        request: FakeRequest,
        path: str,
        rows: Callable[[ListQuery], Iterable[RowT]],
        render: Callable[[RowT], Any],
    ) -> FakeResponse:
        try:
            query = parse_list_query(request)
            matching = rows(query)
            return page_response(
                query,
                matching,
                item_id=lambda row: row.id,
                render=render,
                next_url=lambda cursor: self._url_for(f"{path}?cursor={cursor}"),
            )
        except ListError as exc:
            return exc.response

    @staticmethod
    def _common(query: ListQuery) -> Callable[[Any], bool]:
        ids = id_filter(query.filters.get("ids"))
        created = time_filter(query.filters.get("created_at"), "created_at")
        updated = time_filter(query.filters.get("updated_at"), "updated_at")

        def matches(row: Any) -> bool:
            return (
                (ids is None or row.id in ids)
                and created(getattr(row, "created_at", None) or _epoch_of(row))
                and updated(getattr(row, "updated_at", None) or _epoch_of(row))
            )

        return matches

    def _small(self, rows: Iterable[RowT], query: ListQuery) -> Iterator[RowT]:
        common = self._common(query)
        ordered = sorted(rows, key=lambda row: row.id, reverse=True)
        for row in ordered:
            if (query.after is None or row.id < query.after) and common(row):
                yield row

    # --- applications -----------------------------------------------------------------------

    def applications(self, request: FakeRequest) -> FakeResponse:
        """``GET /v3/applications`` (``get_v3-applications``)."""
        store = self.store

        def rows(query: ListQuery) -> Iterator[SbApplication]:
            filters = query.filters
            common = self._common(query)
            candidates = id_filter(filters.get("candidate_ids"), "candidate_ids")
            jobs = id_filter(filters.get("job_ids"), "job_ids")
            activity = time_filter(filters.get("last_activity_at"), "last_activity_at")
            status = filters.get("status")
            if status is not None and status not in _STATUS_QUERY:
                raise ListError(error(422, "status must be active, rejected, hired or converted"))
            wanted = _STATUS_QUERY.get(status) if status else None
            ids = id_filter(filters.get("ids"))
            order = sorted(ids, reverse=True) if ids is not None else None
            source = (
                (i for i in order if query.after is None or i < query.after)
                if order is not None
                else descending(self.application_order, query.after)
            )
            for application_id in source:
                application = store.applications.get(application_id)
                if application is None or not common(application):
                    continue
                if candidates is not None and application.candidate_id not in candidates:
                    continue
                if jobs is not None and application.job_id not in jobs:
                    continue
                if wanted is not None and application.status != wanted:
                    continue
                if not activity(application.last_activity_at or application.updated_at):
                    continue
                yield application

        def render(application: SbApplication) -> Any:
            return application.v3(store.stage_names(application.job_id))

        return self._serve(request, "applications", rows, render)

    def application_stages(self, request: FakeRequest) -> FakeResponse:
        """``GET /v3/application_stages`` (``get_v3-application-stages``)."""
        now = self.clock.now()

        def rows(query: ListQuery) -> Iterator[SbStageVisit]:
            applications = id_filter(query.filters.get("application_ids"), "application_ids")
            current = _boolean(query.filters.get("current"))
            if applications is None:
                pool: Iterable[SbApplication] = self.store.applications.values()
            else:
                found = (self.store.applications.get(i) for i in applications)
                pool = [application for application in found if application is not None]
            visits = [visit for application in pool for visit in application.visits]
            for visit in self._small(visits, query):
                if current is None or visit.current == current:
                    yield visit

        return self._serve(request, "application_stages", rows, lambda v: v.v3(now))

    # --- candidates and reference data -----------------------------------------------------

    def candidates(self, request: FakeRequest) -> FakeResponse:
        """``GET /v3/candidates`` (``get_v3-candidates``)."""

        def rows(query: ListQuery) -> Iterator[Any]:
            email = (query.filters.get("email") or "").lower()
            table = self.store.candidates
            ids = id_filter(query.filters.get("ids"))
            # Only the rows asked for are sorted: a lookup by id must not cost a full scan.
            pool = table.values() if ids is None else [table[i] for i in ids if i in table]
            for candidate in self._small(pool, query):
                if not email or any(v.lower() == email for v, _ in candidate.emails):
                    yield candidate

        return self._serve(request, "candidates", rows, lambda c: c.v3())

    def job_interview_stages(self, request: FakeRequest) -> FakeResponse:
        """``GET /v3/job_interview_stages`` (``get_v3-job-interview-stages``)."""

        def rows(query: ListQuery) -> Iterator[Any]:
            jobs = id_filter(query.filters.get("job_ids"), "job_ids")
            active = _boolean(query.filters.get("active"))
            stages = [
                stage
                for job in self.store.jobs.values()
                if jobs is None or job.id in jobs
                for stage in job.stages
            ]
            for stage in self._small(stages, query):
                if active is None or stage.active == active:
                    yield stage

        return self._serve(request, "job_interview_stages", rows, lambda s: s.v3())

    def rejection_details(self, request: FakeRequest) -> FakeResponse:
        """``GET /v3/rejection_details`` (``get_v3-rejection-details``)."""

        def rows(query: ListQuery) -> Iterator[Any]:
            applications = id_filter(query.filters.get("application_ids"), "application_ids")
            table = self.store.rejections
            pool = (
                table.values()
                if applications is None
                else [table[i] for i in applications if i in table]
            )
            for detail in self._small(pool, query):
                if applications is None or detail.application_id in applications:
                    yield detail

        return self._serve(request, "rejection_details", rows, lambda d: d.v3())

    def rejection_reasons(self, request: FakeRequest) -> FakeResponse:
        """``GET /v3/rejection_reasons`` (``get_v3-rejection-reasons``; ``include_defaults``)."""

        def rows(query: ListQuery) -> Iterator[Any]:
            defaults = _boolean(query.filters.get("include_defaults")) is True
            for reason in self._small(self.store.reasons.values(), query):
                if defaults or not reason.default:
                    yield reason

        return self._serve(request, "rejection_reasons", rows, lambda r: r.v3())

    def notes(self, request: FakeRequest) -> FakeResponse:
        """``GET /v3/notes`` (``get_v3-notes``)."""

        def rows(query: ListQuery) -> Iterator[Any]:
            applications = id_filter(query.filters.get("application_ids"), "application_ids")
            candidates = id_filter(query.filters.get("candidate_ids"), "candidate_ids")
            for note in self._small(self.store.notes.values(), query):
                if applications is not None and note.application_id not in applications:
                    continue
                if candidates is not None and note.candidate_id not in candidates:
                    continue
                yield note

        return self._serve(request, "notes", rows, lambda n: n.v3())

    def simple(self, kind: str) -> Callable[[FakeRequest], FakeResponse]:
        """A list route over one dictionary of the store (jobs, users, offices ...)."""

        def handler(request: FakeRequest) -> FakeResponse:
            table: dict[int, Any] = getattr(self.store, kind)

            def rows(query: ListQuery) -> Iterator[Any]:
                hidden = (
                    kind == "users"
                    and _boolean(query.filters.get("show_service_accounts")) is not True
                )
                for row in self._small(table.values(), query):
                    if not (hidden and getattr(row, "service_account", False)):
                        yield row

            return self._serve(request, kind, rows, lambda row: row.v3())

        return handler


def _boolean(value: str | None) -> bool | None:
    if value is None:
        return None
    lowered = value.strip().lower()
    if lowered not in ("true", "false"):
        raise ListError(error(422, "boolean filters take true or false"))
    return lowered == "true"


def _epoch_of(row: Any) -> datetime | None:
    # Reference data without times matches no time filter but every other listing.
    return getattr(row, "entered_at", None) or getattr(row, "rejected_at", None)
