"""The account data opportunities refer to by id: archive reasons, stages and postings.

They change rarely and every opportunity needs them (an archived opportunity is a hire or a
rejection according to its reason's type), so they are read once and kept for ``ttl``
seconds, measured on the injected clock. An id that is not in the kept list triggers one
fresh read (a reason or stage created since), at most once a second, so a sync over many
opportunities with an odd reference does not turn into a request per opportunity.

Application *state* is never kept here: opportunities are always read fresh.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from urllib.parse import quote

from pydantic import ValidationError

from ats_reject.clock import Clock
from ats_reject.errors import NotFoundError, PermissionDeniedError, ResponseSchemaError
from ats_reject.http import HttpClient
from ats_reject.models import StageKind, VendorModel
from ats_reject_lever._mapping import stage_kind
from ats_reject_lever._paging import LeverPaginator
from ats_reject_lever._payloads import VendorArchiveReason, VendorPosting, VendorStage

__all__ = ["AccountCatalog"]

_MISS_REFRESH_SECONDS = 1.0
ItemT = TypeVar("ItemT", bound=VendorModel)


@dataclass
class _Kept(Generic[ItemT]):
    items: list[ItemT] = field(default_factory=list)
    loaded_at: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class AccountCatalog:
    """Archive reasons, stages and postings of one Lever account, kept for a while.

    Thread-safe. Implements :class:`ats_reject_lever._mapping.Lookups`.

    Args:
        http: The adapter's client.
        clock: The clock the freshness is measured on.
        ttl: Seconds a read list or posting is kept.
        stage_overrides: Configured stage kinds, by stage id or name.
    """

    def __init__(
        self,
        http: HttpClient,
        clock: Clock,
        *,
        ttl: float,
        stage_overrides: Mapping[str, StageKind],
    ) -> None:
        self._http = http
        self._clock = clock
        self._ttl = ttl
        self._stage_overrides = dict(stage_overrides)
        self._reasons: _Kept[VendorArchiveReason] = _Kept()
        self._stages: _Kept[VendorStage] = _Kept()
        self._postings: dict[str, tuple[float, VendorPosting | None]] = {}
        self._postings_lock = threading.Lock()

    # --- archive reasons ------------------------------------------------------------------

    def archive_reasons(self, *, fresh: bool = False) -> list[VendorArchiveReason]:
        """Every archive reason of the account, hired and inactive ones included.

        ``GET /archive_reasons`` (https://hire.lever.co/developer/documentation#archive-reasons).
        """
        return self._list(self._reasons, "archive_reasons", VendorArchiveReason, fresh=fresh)

    def archive_reason(self, reason_id: str) -> VendorArchiveReason | None:
        """The archive reason of that id, reading the list again once when it is missing."""
        return self._find(self._reasons, "archive_reasons", VendorArchiveReason, reason_id)

    # --- stages ---------------------------------------------------------------------------

    def stages(self, *, fresh: bool = False) -> list[VendorStage]:
        """The account's pipeline stages, in pipeline order.

        ``GET /stages`` (https://hire.lever.co/developer/documentation#stages). Lever's
        pipeline is one for the whole account, not one per posting.
        """
        return self._list(self._stages, "stages", VendorStage, fresh=fresh)

    def stage(self, stage_id: str) -> tuple[int, VendorStage] | None:
        """The stage of that id and its zero-based position, reading again once when missing."""
        found = self._find(self._stages, "stages", VendorStage, stage_id)
        if found is None:
            return None
        with self._stages.lock:
            position = next(
                (index for index, item in enumerate(self._stages.items) if item.id == stage_id),
                None,
            )
        return None if position is None else (position, found)

    def stage_kind(self, stage_id: str, name: str) -> StageKind:
        """The configured or guessed kind of a stage."""
        return stage_kind(stage_id, name, self._stage_overrides)

    # --- postings -------------------------------------------------------------------------

    def posting(self, posting_id: str) -> VendorPosting | None:
        """The posting (role, team, location), or ``None`` when it is gone or not visible.

        ``GET /postings/:posting`` (https://hire.lever.co/developer/documentation#postings).
        """
        now = self._clock.monotonic()
        with self._postings_lock:
            kept = self._postings.get(posting_id)
            if kept is not None and now - kept[0] < self._ttl:
                return kept[1]
            try:
                body = self._http.get_json(f"postings/{quote(posting_id, safe='')}")
            except (NotFoundError, PermissionDeniedError):
                # A deleted posting, or a confidential one the key may not see.
                posting = None
            else:
                posting = self._parse(VendorPosting, body.get("data"), "postings")
            self._postings[posting_id] = (now, posting)
            return posting

    # --- helpers --------------------------------------------------------------------------

    def _list(
        self, kept: _Kept[ItemT], path: str, model: type[ItemT], *, fresh: bool
    ) -> list[ItemT]:
        with kept.lock:
            now = self._clock.monotonic()
            if fresh or kept.loaded_at is None or now - kept.loaded_at >= self._ttl:
                kept.items = self._read_all(path, model)
                kept.loaded_at = now
            return list(kept.items)

    def _find(
        self, kept: _Kept[ItemT], path: str, model: type[ItemT], item_id: str
    ) -> ItemT | None:
        items = self._list(kept, path, model, fresh=False)
        found = next((item for item in items if getattr(item, "id", None) == item_id), None)
        if found is not None:
            return found
        with kept.lock:
            now = self._clock.monotonic()
            if kept.loaded_at is None or now - kept.loaded_at >= _MISS_REFRESH_SECONDS:
                kept.items = self._read_all(path, model)
                kept.loaded_at = now
            return next((item for item in kept.items if getattr(item, "id", None) == item_id), None)

    def _read_all(self, path: str, model: type[ItemT]) -> list[ItemT]:
        raw = list(self._http.paginate_items(path, LeverPaginator()))
        return [self._parse(model, item, path) for item in raw]

    def _parse(self, model: type[ItemT], raw: object, path: str) -> ItemT:
        try:
            return model.model_validate(raw)
        except ValidationError:
            raise ResponseSchemaError(
                f"unexpected {path.replace('_', ' ')} item in the response",
                adapter=self._http.adapter,
                path=path,
            ) from None

    def __repr__(self) -> str:
        """Count what is kept."""
        return (
            f"<AccountCatalog reasons={len(self._reasons.items)} "
            f"stages={len(self._stages.items)} postings={len(self._postings)}>"
        )
