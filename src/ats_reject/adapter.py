"""The adapter contract, and the registry that finds adapters through entry points.

An adapter connects one ATS to the library. It is a subclass of :class:`Adapter`, shipped in
its own distribution and registered under the entry-point group ``ats_reject.adapters``::

    [project.entry-points."ats_reject.adapters"]
    greenhouse = "ats_reject_greenhouse:GreenhouseAdapter"

The core imports no adapter: :class:`AdapterRegistry` lists the names without importing
anything, imports an adapter only when it is asked for by name, and checks the class it gets.
"""

from __future__ import annotations

import importlib.metadata
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import requests
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, SecretStr
from pydantic import ValidationError as PydanticValidationError

from ats_reject.clock import Clock, SystemClock
from ats_reject.errors import (
    AdapterLoadError,
    AdapterNotFoundError,
    CapabilityNotSupportedError,
    ConfigurationError,
)
from ats_reject.http import make_session
from ats_reject.models import (
    Application,
    CanonicalModel,
    RejectionReason,
    Stage,
    WebhookDelivery,
)

if TYPE_CHECKING:
    from ats_reject.testing.sandbox import AdapterSandbox

__all__ = [
    "ENTRY_POINT_GROUP",
    "Adapter",
    "AdapterRegistry",
    "AdapterSettings",
    "Capability",
    "NativeRejectionEmail",
    "default_registry",
]

ENTRY_POINT_GROUP = "ats_reject.adapters"
"""The one entry-point group adapters register under."""


class Capability(StrEnum):
    """What an adapter can do. Callers branch on these, never on adapter names."""

    WEBHOOKS = "webhooks"
    """``verify_webhook`` and ``parse_webhook`` work."""
    SYNC = "sync"
    """``changed_applications`` lists applications changed since a time."""
    REJECT = "reject"
    """``reject`` records a rejection with a reason in the ATS."""
    UNREJECT = "unreject"
    """``unreject`` undoes a rejection."""
    NATIVE_EMAIL = "native_email"
    """The ATS itself can send (and schedule) the rejection e-mail."""
    NOTES = "notes"
    """``add_note`` records what the library did on the candidate's profile."""
    TAGS = "tags"
    """``add_tag`` tags the candidate (for example with a talent-pool consent)."""
    REJECTION_REASONS = "rejection_reasons"
    """``rejection_reasons`` lists the ATS's reasons with their kind."""
    JOB_STAGES = "job_stages"
    """``job_stages`` lists a job's stages in order, with their normalized kind."""


class AdapterSettings(BaseModel):
    """Base of every adapter's settings model. Secrets are ``SecretStr``.

    Subclasses add their own fields (API keys, base URL ...). Unknown keys are refused, so a
    typo in ``ats-reject.toml`` is an error, not a silently ignored setting.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    webhook_secrets: tuple[SecretStr, ...] = ()
    """Active webhook secrets; several during a rotation."""
    connect_timeout: float = Field(default=5.0, gt=0, le=120)
    """Seconds to wait for a TCP/TLS connection."""
    read_timeout: float = Field(default=30.0, gt=0, le=600)
    """Seconds to wait for a response once connected."""


class NativeRejectionEmail(CanonicalModel):
    """Ask the ATS itself to send the rejection e-mail (``Capability.NATIVE_EMAIL``)."""

    template_id: str
    """The ATS's id of the e-mail template to use."""
    send_at: AwareDatetime | None = None
    """When the ATS should send it; ``None`` means as soon as the ATS does."""
    sender_user_id: str | None = None
    """The ATS user the e-mail is sent as."""


SettingsT = TypeVar("SettingsT", bound=AdapterSettings)


class Adapter(ABC, Generic[SettingsT]):
    """Base class of every ATS adapter.

    Subclasses set the class attributes, implement the abstract methods, and implement the
    optional writes that their ``capabilities`` announce. Each method takes and returns the
    core's models; vendor shapes never leave the adapter.

    Args:
        settings: The adapter's validated settings.
        session: The ``requests.Session`` to call the API with; the core passes one made by
            :func:`ats_reject.http.make_session` so connection pools and the User-Agent are
            shared. Adapters never create sessions of their own when one is given.
        clock: The clock for everything time-related (token expiry, rate limits, retries).
    """

    name: ClassVar[str]
    """The registered name, equal to the entry point's name (``greenhouse``)."""
    display_name: ClassVar[str]
    """The name people know the ATS by (``Greenhouse``)."""
    capabilities: ClassVar[frozenset[Capability]]
    """What this adapter can do."""
    settings_model: ClassVar[type[AdapterSettings]]
    """The pydantic model the adapter's settings are validated with."""

    def __init__(
        self,
        settings: SettingsT,
        *,
        session: requests.Session | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.session = session if session is not None else make_session()

    @classmethod
    def from_mapping(
        cls,
        values: Mapping[str, Any],
        *,
        session: requests.Session | None = None,
        clock: Clock | None = None,
        key_path: str | None = None,
    ) -> Adapter[Any]:
        """Validate raw settings (from ``ats-reject.toml``) and build the adapter.

        Raises:
            ConfigurationError: The settings do not fit ``settings_model``; the message names
                each offending key under *key_path* and never echoes a value.
        """
        try:
            settings = cls.settings_model.model_validate(dict(values))
        except PydanticValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in error['loc']) or '(root)'}: {error['msg']}"
                for error in exc.errors(include_input=False, include_url=False)
            )
            raise ConfigurationError(
                f"invalid settings for adapter {cls.name!r}: {problems}", key_path=key_path
            ) from None
        return cls(settings, session=session, clock=clock)  # type: ignore[arg-type]

    def supports(self, capability: Capability) -> bool:
        """Whether this adapter offers *capability*."""
        return capability in self.capabilities

    def _unsupported(self, capability: Capability) -> CapabilityNotSupportedError:
        return CapabilityNotSupportedError(self.name, capability.value)

    # --- webhooks -------------------------------------------------------------------------

    @abstractmethod
    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> None:
        """Check that a webhook request comes from the ATS.

        Works on the raw body bytes, before any parsing, against every active secret.

        Raises:
            WebhookVerificationError: For *every* bad input, whatever is wrong with it.
        """

    @abstractmethod
    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> WebhookDelivery:
        """Turn a verified webhook request into a delivery of normalized events.

        Actions the library does not use give a delivery with no events, not an error.

        Raises:
            WebhookPayloadError: The body is not readable (not JSON, wrong shape).
        """

    # --- reads ----------------------------------------------------------------------------

    @abstractmethod
    def get_application(self, application_id: str) -> Application:
        """Read the application's current state, with candidate, job, stage and rejection.

        Raises:
            NotFoundError: The application does not exist (any more).
            ApiError: Any other failure, as a subclass saying whether to retry.
        """

    @abstractmethod
    def changed_applications(self, since: datetime) -> Iterator[Application]:
        """Yield applications changed at or after *since* (aware), following the vendor's paging.

        The iterator never reports changes later than the moment it started, so a cursor saved
        at that moment misses nothing.
        """

    # --- optional reads -------------------------------------------------------------------

    def rejection_reasons(self) -> list[RejectionReason]:
        """List the ATS's rejection reasons (``Capability.REJECTION_REASONS``)."""
        raise self._unsupported(Capability.REJECTION_REASONS)

    def job_stages(self, job_id: str) -> list[Stage]:
        """List a job's stages in order (``Capability.JOB_STAGES``)."""
        raise self._unsupported(Capability.JOB_STAGES)

    # --- optional writes ------------------------------------------------------------------

    def reject(
        self,
        application_id: str,
        *,
        reason_id: str,
        note: str | None = None,
        email: NativeRejectionEmail | None = None,
    ) -> Application:
        """Record a rejection decided by a person (``Capability.REJECT``).

        A rejection already in place with the same reason is success. A write that timed out
        is read back before it is tried again. Returns the application as it now stands.
        """
        raise self._unsupported(Capability.REJECT)

    def unreject(self, application_id: str) -> Application:
        """Undo a rejection (``Capability.UNREJECT``); an active application is success."""
        raise self._unsupported(Capability.UNREJECT)

    def add_note(self, application_id: str, text: str) -> None:
        """Record on the candidate's profile what the library did (``Capability.NOTES``)."""
        raise self._unsupported(Capability.NOTES)

    def add_tag(self, application_id: str, tag: str) -> None:
        """Tag the candidate (``Capability.TAGS``); an existing tag is success."""
        raise self._unsupported(Capability.TAGS)

    # --- testing --------------------------------------------------------------------------

    @classmethod
    @abstractmethod
    def sandbox(cls, *, clock: Clock | None = None) -> AdapterSandbox:
        """Return a new, not yet started, fake server of this adapter's API subset.

        Used by the conformance kit, the adapter's own tests, the demo and the benchmarks.
        """

    def close(self) -> None:
        """Release the HTTP connections."""
        self.session.close()

    def __repr__(self) -> str:
        """Name the adapter; never show settings (they hold secrets)."""
        return f"<{type(self).__name__} {self.name!r}>"


_REQUIRED_ATTRIBUTES: tuple[tuple[str, Callable[[object], bool], str], ...] = (
    ("name", lambda value: isinstance(value, str) and bool(value), "a non-empty str"),
    ("display_name", lambda value: isinstance(value, str) and bool(value), "a non-empty str"),
    (
        "capabilities",
        lambda value: (
            isinstance(value, frozenset) and all(isinstance(item, Capability) for item in value)
        ),
        "a frozenset of Capability",
    ),
    (
        "settings_model",
        lambda value: isinstance(value, type) and issubclass(value, AdapterSettings),
        "a subclass of AdapterSettings",
    ),
)


class AdapterRegistry:
    """Finds adapters through the ``ats_reject.adapters`` entry-point group.

    Args:
        entry_points: Where to look; defaults to the installed distributions' entry points.
            Pass a list of :class:`importlib.metadata.EntryPoint` to use others (tests,
            embedding applications).
    """

    def __init__(self, entry_points: Iterable[importlib.metadata.EntryPoint] | None = None) -> None:
        self._given = None if entry_points is None else tuple(entry_points)
        self._loaded: dict[str, type[Adapter[Any]]] = {}
        self._lock = threading.Lock()

    def _entry_points(self) -> dict[str, importlib.metadata.EntryPoint]:
        found = (
            self._given
            if self._given is not None
            else tuple(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))
        )
        by_name: dict[str, importlib.metadata.EntryPoint] = {}
        for entry_point in found:
            by_name.setdefault(entry_point.name, entry_point)
        return by_name

    def names(self) -> list[str]:
        """Return the registered adapter names, sorted, without importing any adapter."""
        return sorted(self._entry_points())

    def load(self, name: str) -> type[Adapter[Any]]:
        """Import and validate the adapter registered as *name*.

        Raises:
            AdapterNotFoundError: No adapter of that name is installed; the message lists
                the installed ones.
            AdapterLoadError: The adapter fails to import or breaks the contract.
        """
        with self._lock:
            if name in self._loaded:
                return self._loaded[name]
            entry_points = self._entry_points()
            entry_point = entry_points.get(name)
            if entry_point is None:
                raise AdapterNotFoundError(name, entry_points)
            try:
                loaded = entry_point.load()
            except Exception as exc:
                raise AdapterLoadError(
                    f"adapter {name!r} ({entry_point.value}) failed to import: {type(exc).__name__}"
                ) from exc
            adapter_class = _validate_adapter_class(name, entry_point.value, loaded)
            self._loaded[name] = adapter_class
            return adapter_class

    def create(
        self,
        name: str,
        settings: Mapping[str, Any],
        *,
        session: requests.Session | None = None,
        clock: Clock | None = None,
        key_path: str | None = None,
    ) -> Adapter[Any]:
        """Load the adapter *name* and build it from raw *settings*."""
        return self.load(name).from_mapping(
            settings, session=session, clock=clock, key_path=key_path
        )

    def __repr__(self) -> str:
        """List the registered names."""
        return f"AdapterRegistry({self.names()!r})"


def _validate_adapter_class(name: str, target: str, loaded: object) -> type[Adapter[Any]]:
    if not (isinstance(loaded, type) and issubclass(loaded, Adapter)):
        raise AdapterLoadError(
            f"entry point {name!r} ({target}) is not a subclass of ats_reject.Adapter"
        )
    problems = [
        f"{attribute} must be {expected}"
        for attribute, check, expected in _REQUIRED_ATTRIBUTES
        if not check(getattr(loaded, attribute, None))
    ]
    if problems:
        raise AdapterLoadError(f"adapter {name!r} ({target}): " + "; ".join(problems))
    if loaded.name != name:
        raise AdapterLoadError(
            f"adapter {target} calls itself {loaded.name!r} but is registered as {name!r}"
        )
    abstract = sorted(getattr(loaded, "__abstractmethods__", ()))
    if abstract:
        raise AdapterLoadError(
            f"adapter {name!r} ({target}) does not implement: {', '.join(abstract)}"
        )
    return loaded


default_registry = AdapterRegistry()
"""The registry over the installed distributions."""
