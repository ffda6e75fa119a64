"""A dispatch worker run in its own process by the concurrency tests (multiprocessing spawn).

It claims due actions, commits the intent, "sends" (records the action id), completes, and
reports every id it completed, or the error that stopped it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import Any

from ats_reject.store import ClaimedAction, Store


class FencingViolationError(RuntimeError):
    """A worker's own fresh claim was refused: the test fails."""


def _send(store: Store, action: ClaimedAction, now: datetime, sent: list[int]) -> None:
    if store.mark_sending(action.id, action.token, now=now).lost:
        raise FencingViolationError(f"intent refused for {action.id}")
    sent.append(action.id)
    if store.complete(action.id, action.token, now=now).lost:
        raise FencingViolationError(f"completion refused for {action.id}")


def run(
    *,
    url: str,
    schema: str | None,
    now_iso: str,
    batch: int,
    barrier: Barrier,
    results: Queue[tuple[str, Any]],
) -> None:
    """Work until nothing is due, then put ``("ok", ids)`` or ``("error", text)``."""
    now = datetime.fromisoformat(now_iso)
    store = Store(url, schema=schema, hash_key="store-tests-hash-key-0123456789abcdef")
    sent: list[int] = []
    try:
        barrier.wait()
        while claimed := store.claim_due(now, batch, timedelta(minutes=10)):
            for action in claimed:
                _send(store, action, now, sent)
        results.put(("ok", sent))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the test
        results.put(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        store.close()
