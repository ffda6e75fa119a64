"""The testing kit: a fake-server base, the adapter sandbox protocol and the conformance suite.

* :class:`FakeServer` (with :class:`FakeRequest`, :class:`FakeResponse`, :class:`Fault`,
  :class:`RateLimitRule`): a real threaded HTTP server on 127.0.0.1 to build fake vendor
  APIs on, with fault injection and rate limits.
* :class:`AdapterSandbox`: what an adapter's ``sandbox()`` returns, so one suite can drive
  every adapter's fake server (with :class:`CanaryPerson` and :class:`SignedWebhook`).
* :class:`AdapterConformance`: the conformance suite; subclass it in one line.
* :class:`LeakGuard`: checks logs, errors and reprs for personal data and secrets; the
  ``ats_reject`` pytest plugin provides it as the ``leak_guard`` fixture.

:class:`AdapterConformance` needs pytest; it is imported on first use, so the rest of the kit
(sandboxes for the demo and the benchmarks) works without pytest installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ats_reject.testing.fakeserver import (
    FakeRequest,
    FakeResponse,
    FakeServer,
    Fault,
    RateLimitRule,
)
from ats_reject.testing.leakguard import LeakError, LeakGuard
from ats_reject.testing.sandbox import (
    OPERATIONS,
    AdapterSandbox,
    CanaryPerson,
    FakeServerSandbox,
    SignedWebhook,
    WebhookProbe,
)

if TYPE_CHECKING:
    from ats_reject.testing.conformance import AdapterConformance

__all__ = [
    "OPERATIONS",
    "AdapterConformance",
    "AdapterSandbox",
    "CanaryPerson",
    "FakeServerSandbox",
    "FakeRequest",
    "FakeResponse",
    "FakeServer",
    "Fault",
    "LeakError",
    "LeakGuard",
    "RateLimitRule",
    "SignedWebhook",
    "WebhookProbe",
]


def __getattr__(name: str) -> Any:
    # Imported on first use: the suite needs pytest, the rest of the kit does not.
    if name == "AdapterConformance":
        from ats_reject.testing.conformance import AdapterConformance  # noqa: PLC0415

        return AdapterConformance
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
