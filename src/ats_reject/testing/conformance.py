"""The adapter conformance suite: every adapter, ours or a third party's, runs it in one line.

::

    from ats_reject.testing import AdapterConformance
    from ats_reject_acme import AcmeAdapter


    class TestAcmeConformance(AdapterConformance):
        adapter_class = AcmeAdapter

pytest collects the inherited checks in that class. They start the adapter's sandbox
(``AcmeAdapter.sandbox(clock=...)``, an :class:`~ats_reject.testing.AdapterSandbox`) on
127.0.0.1 and check, over real HTTP:

* **metadata**: class attributes, registry validation, settings (secrets as ``SecretStr``,
  never shown), capabilities matching the implemented methods;
* **reads**: each status, fresh state, paging to the end exactly once, ``since``;
* **errors**: 401/403/404/422 to the matching :class:`~ats_reject.FatalApiError` without
  retry; 429 waits out ``Retry-After`` on the clock or raises
  :class:`~ats_reject.RateLimitedError`; 5xx, timeouts, dropped connections and malformed
  bodies to :class:`~ats_reject.ServerError`, :class:`~ats_reject.TransportError` and
  :class:`~ats_reject.ResponseSchemaError`, with bounded retries;
* **webhooks**: each event kind, secret rotation, header case, forgeries, malformed bodies,
  unknown actions, pings, and the fresh re-read after a webhook;
* **writes**: reject and unreject applied once however often they are called, a lost answer
  read back instead of re-posted, notes and tags;
* **leaks**: the sandbox's canary personal data and the settings' secrets never appear in a
  repr, an error (with its chain) or a log record at DEBUG.

Checks that need a capability the adapter does not announce are skipped. The clock is a
:class:`~ats_reject.FrozenClock`, so waits take no time. To adjust, override in the subclass:
:attr:`~AdapterConformance.start_time`, :attr:`~AdapterConformance.read_timeout`,
:meth:`~AdapterConformance.adapter_settings` (add settings the sandbox does not give) or
:meth:`~AdapterConformance.make_adapter` (build the adapter another way).

The ``leak_guard`` fixture comes from the ``ats_reject`` pytest plugin, which is registered
when ats-reject is installed.
"""

from __future__ import annotations

from ats_reject.testing._conformance_metadata import MetadataChecks
from ats_reject.testing._conformance_reads import ReadChecks
from ats_reject.testing._conformance_webhooks import WebhookChecks
from ats_reject.testing._conformance_writes import WriteChecks

__all__ = ["AdapterConformance"]


class AdapterConformance(MetadataChecks, ReadChecks, WebhookChecks, WriteChecks):
    """Subclass as ``Test<Name>Conformance`` and set :attr:`adapter_class`.

    Attributes:
        adapter_class: The adapter class under test.
        start_time: Where the frozen clock starts (aware).
        read_timeout: The read timeout, in real seconds, of the timeout check.
    """
