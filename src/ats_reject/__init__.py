"""ats-reject: make applicant tracking systems reject candidates the way good recruiters do.

The public API is what ``__all__`` lists; everything else may change without notice.
Subpackages with their own public API: :mod:`ats_reject.http` (for adapter authors),
:mod:`ats_reject.webhooks` (signature primitives) and :mod:`ats_reject.testing` (the
conformance kit and fake-server base).
"""

from typing import TYPE_CHECKING, Any

from ats_reject._version import __version__
from ats_reject.adapter import (
    ENTRY_POINT_GROUP,
    Adapter,
    AdapterRegistry,
    AdapterSettings,
    Capability,
    NativeRejectionEmail,
    default_registry,
)
from ats_reject.clock import Clock, FrozenClock, SystemClock
from ats_reject.errors import (
    AdapterLoadError,
    AdapterNotFoundError,
    ApiError,
    ApiValidationError,
    AtsRejectError,
    AuthenticationError,
    CapabilityNotSupportedError,
    ConfigurationError,
    ConflictError,
    FatalApiError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ResponseSchemaError,
    RetryableApiError,
    ServerError,
    StoreUnavailableError,
    TimingConfigurationError,
    TransportError,
    WebhookPayloadError,
    WebhookVerificationError,
)
from ats_reject.models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Candidate,
    EventKind,
    EventSource,
    Job,
    Location,
    Office,
    Rejection,
    RejectionReason,
    RejectionReasonKind,
    Source,
    SourceKind,
    Stage,
    StageKind,
    User,
    WebhookDelivery,
)

if TYPE_CHECKING:
    from ats_reject.config import Config, load_config
    from ats_reject.engine import Engine
    from ats_reject.policy import PolicyEngine
    from ats_reject.store import Store

# The heavy parts (store, templates, policy) load on first use, so `import ats_reject` stays
# cheap for a webhook handler or an adapter that needs only the models and errors.
_LAZY = {
    "Config": "ats_reject.config",
    "Engine": "ats_reject.engine",
    "PolicyEngine": "ats_reject.policy",
    "Store": "ats_reject.store",
    "load_config": "ats_reject.config",
}


def __getattr__(name: str) -> Any:
    """Import a lazily exported name on first use."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ats_reject' has no attribute {name!r}")
    import importlib  # noqa: PLC0415 - only when a lazy name is first used

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "ENTRY_POINT_GROUP",
    "Adapter",
    "AdapterLoadError",
    "AdapterNotFoundError",
    "AdapterRegistry",
    "AdapterSettings",
    "ApiError",
    "ApiValidationError",
    "Application",
    "ApplicationEvent",
    "ApplicationStatus",
    "AtsRejectError",
    "AuthenticationError",
    "Candidate",
    "Capability",
    "CapabilityNotSupportedError",
    "Clock",
    "Config",
    "ConfigurationError",
    "ConflictError",
    "Engine",
    "EventKind",
    "EventSource",
    "FatalApiError",
    "FrozenClock",
    "Job",
    "Location",
    "NativeRejectionEmail",
    "NotFoundError",
    "Office",
    "PermissionDeniedError",
    "PolicyEngine",
    "RateLimitedError",
    "Rejection",
    "RejectionReason",
    "RejectionReasonKind",
    "ResponseSchemaError",
    "RetryableApiError",
    "ServerError",
    "Source",
    "SourceKind",
    "Stage",
    "StageKind",
    "Store",
    "StoreUnavailableError",
    "SystemClock",
    "TimingConfigurationError",
    "TransportError",
    "User",
    "WebhookDelivery",
    "WebhookPayloadError",
    "WebhookVerificationError",
    "__version__",
    "default_registry",
    "load_config",
]
