"""The recipes of docs/policy.md load as written and do what they say."""

from __future__ import annotations

import importlib.metadata
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ats_reject.adapter import AdapterRegistry
from ats_reject.clock import FrozenClock
from ats_reject.config import Config, load_config
from ats_reject.models import Application, RejectionReasonKind, SourceKind, StageKind
from ats_reject.policy import Channel, MessageKind, PolicyEngine, RejectionCase

COOKBOOK = Path(__file__).resolve().parents[2] / "docs" / "policy.md"
PRELUDE = """
[company]
name = "Acme"
time_zone = "Europe/Berlin"

[connections.greenhouse]
adapter = "example"
base_url = "https://greenhouse.example.com/v1"
api_key = { env = "GH_KEY" }

[connections.lever-eu]
adapter = "example"
base_url = "https://lever.example.com/v1"
api_key = { env = "LEVER_KEY" }
"""
ENVIRON = {"GH_KEY": "gh-key", "LEVER_KEY": "lever-key"}
ApplicationFactory = Callable[..., Application]


def _recipes() -> list[tuple[str, str]]:
    text = COOKBOOK.read_text(encoding="utf-8")
    recipes = text.split("## Recipes", 1)[1]
    found: list[tuple[str, str]] = []
    for section in re.split(r"^### ", recipes, flags=re.MULTILINE)[1:]:
        title = section.splitlines()[0]
        blocks = re.findall(r"```toml\n(.*?)```", section, flags=re.DOTALL)
        assert len(blocks) == 1, title
        found.append((title, blocks[0]))
    return found


RECIPES = _recipes()


def _registry() -> AdapterRegistry:
    return AdapterRegistry(
        [
            importlib.metadata.EntryPoint(
                name="example",
                value="ats_reject.testing.example_adapter:ExampleAdapter",
                group="ats_reject.adapters",
            )
        ]
    )


def _load(tmp_path: Path, fragment: str) -> Config:
    path = tmp_path / "ats-reject.toml"
    path.write_text(PRELUDE + fragment, encoding="utf-8")
    return load_config(path, environ=ENVIRON, registry=_registry())


def test_the_cookbook_has_at_least_six_recipes() -> None:
    assert len(RECIPES) >= 6


@pytest.mark.parametrize(("title", "fragment"), RECIPES, ids=[title for title, _ in RECIPES])
def test_every_recipe_loads_as_written(tmp_path: Path, title: str, fragment: str) -> None:
    config = _load(tmp_path, fragment)
    PolicyEngine.from_config(config, registry=_registry())


def _engine(tmp_path: Path, number: int) -> PolicyEngine:
    config = _load(tmp_path, RECIPES[number - 1][1])
    return PolicyEngine.from_config(
        config, registry=_registry(), clock=FrozenClock(datetime(2026, 3, 1, tzinfo=UTC))
    )


def test_recipe_agency_candidates_get_nothing(
    tmp_path: Path, make_application: ApplicationFactory
) -> None:
    engine = _engine(tmp_path, 1)
    decision = engine.decide(
        RejectionCase("greenhouse", make_application(source=SourceKind.AGENCY))
    )
    assert (decision.rule, decision.channel, decision.actions) == (
        "agency-candidates",
        Channel.NONE,
        (),
    )


def test_recipe_application_review_waits_three_business_days_after_applying(
    tmp_path: Path, make_application: ApplicationFactory
) -> None:
    engine = _engine(tmp_path, 4)
    # Applied Monday 2026-03-02, rejected Tuesday morning: not before Thursday 2026-03-05 10:00.
    application = make_application(
        stage=StageKind.APPLICATION_REVIEW,
        applied_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    )
    (message,) = engine.decide(RejectionCase("greenhouse", application)).actions
    assert message.due_at == datetime(2026, 3, 5, 9, 0, tzinfo=UTC)


def test_recipe_withdrawn_finalists_are_thanked(
    tmp_path: Path, make_application: ApplicationFactory
) -> None:
    engine = _engine(tmp_path, 7)
    finalist = make_application(
        stage=StageKind.FINAL, reason_kind=RejectionReasonKind.THEY_WITHDREW
    )
    (thanks,) = engine.decide(RejectionCase("greenhouse", finalist)).actions
    assert thanks.message_kind is MessageKind.WITHDRAWAL_THANKS
    early = make_application(reason_kind=RejectionReasonKind.THEY_WITHDREW)
    assert engine.decide(RejectionCase("greenhouse", early)).actions == ()


def test_recipe_native_email_falls_back_without_the_capability(
    tmp_path: Path, make_application: ApplicationFactory
) -> None:
    engine = _engine(tmp_path, 6)
    decision = engine.decide(RejectionCase("greenhouse", make_application(department="Warehouse")))
    assert decision.rule == "greenhouse-native"
    assert decision.channel is Channel.EMAIL
    assert "no native_email capability" in decision.fallbacks[0]
