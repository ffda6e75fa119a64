"""Shared fixtures of the Lever adapter's tests: fixtures on disk, a frozen clock, the sandbox."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ats_reject.clock import FrozenClock
from ats_reject.models import StageKind
from ats_reject.testing import CanaryPerson
from ats_reject_lever import LeverAdapter
from ats_reject_lever._mapping import stage_kind
from ats_reject_lever._payloads import VendorArchiveReason, VendorPosting, VendorStage
from ats_reject_lever.sandbox import LeverSandbox

FIXTURES = Path(__file__).parent / "fixtures"
START = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)


def _load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def load_fixture() -> Callable[[str], Any]:
    """Read a JSON fixture (documented Lever shapes) from tests/fixtures."""
    return _load


class FixtureLookups:
    """The account data of the fixtures, as the mapping looks it up (no HTTP)."""

    def __init__(self, overrides: dict[str, StageKind] | None = None) -> None:
        self.reasons = {
            item["id"]: VendorArchiveReason.model_validate(item)
            for item in _load("archive_reasons.json")["data"]
        }
        self.stages = [VendorStage.model_validate(item) for item in _load("stages.json")["data"]]
        self.postings = {"d248f6f5-ca37-4467-a08d-11ad90fd9b1f": _load("posting.json")["data"]}
        self.overrides = overrides or {}

    def archive_reason(self, reason_id: str) -> VendorArchiveReason | None:
        return self.reasons.get(reason_id)

    def stage(self, stage_id: str) -> tuple[int, VendorStage] | None:
        for position, stage in enumerate(self.stages):
            if stage.id == stage_id:
                return position, stage
        return None

    def stage_kind(self, stage_id: str, name: str) -> StageKind:
        return stage_kind(stage_id, name, self.overrides)

    def posting(self, posting_id: str) -> VendorPosting | None:
        raw = self.postings.get(posting_id)
        return VendorPosting.model_validate(raw) if raw is not None else None


@pytest.fixture
def lookups() -> FixtureLookups:
    """Archive reasons, stages and the posting of the fixtures."""
    return FixtureLookups()


@pytest.fixture
def make_lookups() -> Callable[..., FixtureLookups]:
    """Build fixture lookups with stage-kind overrides."""
    return FixtureLookups


@pytest.fixture
def clock() -> FrozenClock:
    """A frozen clock shared by the adapter and the sandbox."""
    return FrozenClock(START)


@pytest.fixture
def sandbox(clock: FrozenClock) -> Iterator[LeverSandbox]:
    """A started Lever sandbox with Lever's default rate limit, three opportunities a page."""
    with LeverSandbox(clock=clock) as running:
        yield running


@pytest.fixture
def make_adapter(
    sandbox: LeverSandbox, clock: FrozenClock
) -> Iterator[Callable[..., LeverAdapter]]:
    """Build adapters pointed at the sandbox, with settings overridden by keyword."""
    made: list[LeverAdapter] = []

    def build(**overrides: Any) -> LeverAdapter:
        settings = {**sandbox.adapter_settings(), **overrides}
        adapter = LeverAdapter.from_mapping(settings, clock=clock)
        assert isinstance(adapter, LeverAdapter)
        made.append(adapter)
        return adapter

    yield build
    for adapter in made:
        adapter.close()


@pytest.fixture
def adapter(make_adapter: Callable[..., LeverAdapter]) -> LeverAdapter:
    """The adapter with the sandbox's settings."""
    return make_adapter()


@pytest.fixture
def person() -> Callable[[int], CanaryPerson]:
    """Made-up people, numbered."""
    return lambda number: CanaryPerson.numbered(number, tag="lv")
