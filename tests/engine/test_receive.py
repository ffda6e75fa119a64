"""receive_webhook: verify on the raw bytes, store once, answer without calling anyone."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from ats_reject.clock import FrozenClock
from ats_reject.config import Config
from ats_reject.engine import Engine
from ats_reject.models import EventKind
from ats_reject.store import Store
from ats_reject.testing import CanaryPerson
from ats_reject.testing.example_sandbox import ExampleSandbox
from tests.engine.conftest import CONNECTION, example_registry


def _rejected(sandbox: ExampleSandbox) -> tuple[str, dict[str, str], bytes]:
    application_id = sandbox.seed_application(CanaryPerson.numbered(1))
    signed = sandbox.webhook(EventKind.REJECTED, application_id)
    return application_id, dict(signed.headers), signed.body


def test_a_signed_delivery_is_stored_with_its_event(
    engine: Engine, sandbox: ExampleSandbox
) -> None:
    _, headers, body = _rejected(sandbox)

    response = engine.receive_webhook(CONNECTION, headers, body)

    assert (response.status, response.body) == (200, "accepted")
    assert response.stored
    pending = engine.store.pending_events()
    assert [event.event.kind for event in pending] == [EventKind.REJECTED]
    # Nothing but the signature check and the store: the ATS was not called.
    assert sandbox.calls("get_application") == 0


def test_a_redelivery_is_answered_200_and_stores_nothing_new(
    engine: Engine, sandbox: ExampleSandbox
) -> None:
    _, headers, body = _rejected(sandbox)
    engine.receive_webhook(CONNECTION, headers, body)

    again = engine.receive_webhook(CONNECTION, headers, body)

    assert (again.status, again.body) == (200, "duplicate")
    assert len(engine.store.pending_events()) == 1


def test_a_forged_signature_is_401_and_nothing_is_stored(
    engine: Engine, sandbox: ExampleSandbox
) -> None:
    application_id = sandbox.seed_application(CanaryPerson.numbered(2))
    forged = sandbox.webhook(EventKind.REJECTED, application_id, secret=secrets.token_urlsafe(32))

    response = engine.receive_webhook(CONNECTION, dict(forged.headers), forged.body)

    assert (response.status, response.body) == (401, "bad_signature")
    assert engine.store.pending_events() == []


def test_a_body_changed_after_signing_is_401(engine: Engine, sandbox: ExampleSandbox) -> None:
    _, headers, body = _rejected(sandbox)

    response = engine.receive_webhook(CONNECTION, headers, body.replace(b"}", b" }"))

    assert response.status == 401
    assert engine.store.pending_events() == []


def test_an_oversized_body_is_413(engine: Engine, sandbox: ExampleSandbox) -> None:
    signed = sandbox.sign_webhook(b"{" + b" " * (2 * 1024 * 1024) + b"}")

    response = engine.receive_webhook(CONNECTION, dict(signed.headers), signed.body)

    assert response.status == 413
    assert engine.store.pending_events() == []


def test_a_signed_but_unreadable_body_is_quarantined_with_202(
    engine: Engine, sandbox: ExampleSandbox
) -> None:
    signed = sandbox.sign_webhook(b"this is not json")

    response = engine.receive_webhook(CONNECTION, dict(signed.headers), signed.body)

    assert (response.status, response.body) == (202, "quarantined")
    assert engine.store.pending_events() == []
    # The same body again is kept once, and still answered 202 so the ATS stops retrying.
    assert engine.receive_webhook(CONNECTION, dict(signed.headers), signed.body).status == 202


def test_an_unknown_connection_is_404(engine: Engine, sandbox: ExampleSandbox) -> None:
    _, headers, body = _rejected(sandbox)

    response = engine.receive_webhook("nobody", headers, body)

    assert response.status == 404
    assert engine.store.pending_events() == []


def test_a_store_that_cannot_be_reached_answers_503(
    config: Config, clock: FrozenClock, sandbox: ExampleSandbox, tmp_path: Path
) -> None:
    # A directory where the database file should be: SQLite cannot open it.
    blocked = tmp_path / "blocked.db"
    blocked.mkdir()
    down = Store(f"sqlite:///{blocked}", clock=clock)
    engine = Engine.from_config(config, clock=clock, registry=example_registry(), store=down)
    try:
        _, headers, body = _rejected(sandbox)
        response = engine.receive_webhook(CONNECTION, headers, body)
        unreadable = sandbox.sign_webhook(b"not json")
        quarantine = engine.receive_webhook(CONNECTION, dict(unreadable.headers), unreadable.body)
    finally:
        engine.close()

    assert (response.status, response.body) == (503, "store_unavailable")
    assert not response.stored
    assert quarantine.status == 503


@pytest.mark.parametrize("event", ["ping", "unknown"])
def test_deliveries_without_events_are_accepted(
    engine: Engine, sandbox: ExampleSandbox, event: str
) -> None:
    signed = sandbox.webhook(event)  # type: ignore[arg-type]

    response = engine.receive_webhook(CONNECTION, dict(signed.headers), signed.body)

    assert response.status == 200
    assert engine.store.pending_events() == []
