"""What the conformance kit needs from an adapter's fake server: the :class:`AdapterSandbox`.

Every adapter ships a sandbox, returned by ``Adapter.sandbox(clock=...)``: a fake of the
subset of its vendor's API the adapter calls, usually built on
:class:`~ats_reject.testing.fakeserver.FakeServer`. The conformance suite drives it through
this protocol only, so the same suite runs against every adapter:

* it seeds applications for people whose personal data are *canaries* (values that must never
  show up in a log line, an error or a repr);
* it changes an application's state behind the adapter's back, as a recruiter in the ATS would;
* it produces webhook requests signed exactly as the vendor signs them;
* it injects faults on named *operations* (see :data:`OPERATIONS`) and counts the requests
  and the writes that actually changed something.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Protocol, Self, runtime_checkable

from ats_reject.models import ApplicationStatus, EventKind
from ats_reject.testing._fakeserver_model import Fault

if TYPE_CHECKING:
    from ats_reject.testing.fakeserver import FakeServer

__all__ = [
    "OPERATIONS",
    "AdapterSandbox",
    "CanaryPerson",
    "FakeServerSandbox",
    "SignedWebhook",
    "WebhookProbe",
]

OPERATIONS = frozenset(
    {"get_application", "changed_applications", "reject", "unreject", "add_note", "add_tag"}
)
"""Operation names a sandbox maps to its routes, one per adapter method of the same name.

A sandbox maps those its adapter's capabilities need; ``changed_applications`` covers every
page of the listing.
"""

WebhookProbe = Literal["ping", "unknown"]
"""Webhooks that carry no event: the vendor's test delivery, and an action nobody uses."""


@dataclass(frozen=True)
class CanaryPerson:
    """A made-up candidate whose every field is a canary for leak checks.

    Attributes:
        first_name: Given name.
        last_name: Family name.
        email: E-mail address.
        phone: Phone number as the ATS holds it.
    """

    first_name: str
    last_name: str
    email: str
    phone: str

    @classmethod
    def numbered(cls, number: int, tag: str = "qz") -> CanaryPerson:
        """Return a person whose fields are unique, easy to spot and unlike real data."""
        return cls(
            first_name=f"Canary{tag}First{number}",
            last_name=f"Canary{tag}Last{number}",
            email=f"canary.{tag}.{number}@example.test",
            phone=f"+1555019{number:04d}",
        )

    def values(self) -> tuple[str, ...]:
        """The personal data to watch for."""
        return (self.first_name, self.last_name, self.email, self.phone)

    def __repr__(self) -> str:
        """Show nothing: even canaries are personal data by contract."""
        return "CanaryPerson(...)"


@dataclass(frozen=True)
class SignedWebhook:
    """A webhook request as the vendor would send it.

    Attributes:
        headers: Request headers, the signature included.
        body: The raw body bytes, exactly as signed.
        delivery_id: The delivery id the adapter must report in ``WebhookDelivery``.
        signature_headers: Names of the headers that carry the signature (and its timestamp);
            empty when the vendor signs inside the body.
    """

    headers: Mapping[str, str] = field(repr=False)
    body: bytes = field(repr=False)
    delivery_id: str
    signature_headers: tuple[str, ...] = ()


@runtime_checkable
class AdapterSandbox(Protocol):
    """A fake server of one adapter's API subset, driven by the conformance suite.

    Implementations take the test's clock (``Adapter.sandbox(clock=...)``) so the times they
    record (``last_activity_at``, rejections, webhook timestamps) follow it.
    """

    page_size: int
    """How many applications one page of the sandbox's listing holds."""
    webhook_kinds: frozenset[EventKind]
    """The event kinds :meth:`webhook` can produce; ``REJECTED`` at least, with webhooks."""
    rejection_reason_id: str
    """A rejection reason id the sandbox accepts for ``reject``."""

    def start(self) -> None:
        """Start serving on 127.0.0.1."""
        ...

    def stop(self) -> None:
        """Stop serving and release every thread and socket; safe to call twice."""
        ...

    def __enter__(self) -> Self:
        """Start (unless started) and return the sandbox."""
        ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop."""
        ...

    @property
    def base_url(self) -> str:
        """Where the sandbox listens, ``http://127.0.0.1:<port>``."""
        ...

    def adapter_settings(self) -> dict[str, Any]:
        """Raw settings (as in ``ats-reject.toml``) that point the adapter at this sandbox.

        They include the credentials the sandbox accepts and the webhook secrets it signs
        with (at least two, the current one first, so rotation is exercised).
        """
        ...

    def seed_application(
        self, person: CanaryPerson, status: ApplicationStatus = ApplicationStatus.ACTIVE
    ) -> str:
        """Create an application of *person* with *status*; return its id.

        Its last activity is the sandbox clock's current time.
        """
        ...

    def set_status(self, application_id: str, status: ApplicationStatus) -> None:
        """Change the application's status as a recruiter would in the ATS.

        This is not an applied write of the adapter: :meth:`applied_writes` does not count it.
        """
        ...

    def webhook(
        self,
        event: EventKind | WebhookProbe,
        application_id: str | None = None,
        *,
        secret: str | None = None,
    ) -> SignedWebhook:
        """Build a webhook about *application_id*, signed with *secret* (default: current).

        Args:
            event: An event kind from :attr:`webhook_kinds`; ``"ping"`` for the vendor's
                test delivery; ``"unknown"`` for an action the adapter does not use.
            application_id: The application concerned; ``None`` for ``ping`` and
                ``unknown``.
            secret: Sign with this secret instead (to forge, or to use an older one).
        """
        ...

    def sign_webhook(self, body: bytes, *, secret: str | None = None) -> SignedWebhook:
        """Sign an arbitrary *body* (malformed ones included) as the vendor would."""
        ...

    def inject_fault(self, operation: str, fault: Fault, times: int = 1) -> None:
        """Play *fault* on the next *times* requests of *operation* (see :data:`OPERATIONS`).

        Raises:
            KeyError: The sandbox does not map *operation*.
        """
        ...

    def clear_faults(self) -> None:
        """Drop every queued fault."""
        ...

    def calls(self, operation: str) -> int:
        """How many requests of *operation* the sandbox received (answered or not)."""
        ...

    def applied_writes(self, operation: str) -> int:
        """How many requests of *operation* changed the sandbox's data.

        A reject of an application already rejected, an unreject of an active one and a tag
        already present change nothing and are not counted.
        """
        ...


class FakeServerSandbox:
    """The life cycle every sandbox built on one :class:`FakeServer` shares.

    Subclasses set ``self.server`` in their constructor; starting, stopping, the context
    manager and ``base_url`` all delegate to it.
    """

    server: FakeServer

    def start(self) -> None:
        """Start serving on 127.0.0.1."""
        self.server.start()

    def stop(self) -> None:
        """Stop serving; safe to call twice."""
        self.server.stop()

    def __enter__(self) -> Self:
        """Start (unless started) and return the sandbox."""
        self.server.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop."""
        self.server.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return self.server.base_url
