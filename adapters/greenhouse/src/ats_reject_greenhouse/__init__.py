"""Greenhouse adapter for ats-reject: Harvest v3 over OAuth2 client credentials, and webhooks.

Registered under the entry-point group ``ats_reject.adapters`` as ``greenhouse``::

    from ats_reject import default_registry

    adapter = default_registry.create("greenhouse", {"client_id": ..., "client_secret": ...})

:class:`GreenhouseSandbox` (``GreenhouseAdapter.sandbox()``) is a fake of the Harvest v3 subset
the adapter calls, for tests, the demo and the benchmarks. Set-up in Greenhouse and the mapping
are described in ``docs/adapters/greenhouse.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ats_reject_greenhouse._mapping import PROMISED_DECISION_KEY
from ats_reject_greenhouse._settings import GreenhouseSettings
from ats_reject_greenhouse._webhooks import ACTION_KINDS, EVENT_ID_HEADER, PING_ACTION
from ats_reject_greenhouse.adapter import GreenhouseAdapter

if TYPE_CHECKING:
    from ats_reject_greenhouse.sandbox import GreenhouseSandbox

__all__ = [
    "ACTION_KINDS",
    "EVENT_ID_HEADER",
    "PING_ACTION",
    "PROMISED_DECISION_KEY",
    "GreenhouseAdapter",
    "GreenhouseSandbox",
    "GreenhouseSettings",
]


def __getattr__(name: str) -> Any:
    # The sandbox is a test tool; importing the adapter does not load it.
    if name == "GreenhouseSandbox":
        from ats_reject_greenhouse.sandbox import GreenhouseSandbox  # noqa: PLC0415

        return GreenhouseSandbox
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
