"""The ATS channel: the ATS sends its own templated rejection e-mail.

Only adapters with :attr:`~ats_reject.adapter.Capability.NATIVE_EMAIL` can; for the others
the channel answers ``unsupported`` without calling the ATS, so the engine can choose the
e-mail channel instead. The adapter's errors are classified the way the exception tree
says: retry later, do not retry, or the answer was lost.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from ats_reject._redact import sanitize_log_value
from ats_reject.adapter import Adapter, Capability, NativeRejectionEmail
from ats_reject.channels._base import ChannelBase
from ats_reject.channels._results import DeliveryOutcome, DeliveryReason, DeliveryResult
from ats_reject.errors import (
    ApiError,
    CapabilityNotSupportedError,
    FatalApiError,
    ResponseSchemaError,
    RetryableApiError,
)

__all__ = ["AtsChannel", "AtsEmailRequest"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AtsEmailRequest:
    """Ask the ATS to send its rejection e-mail for one application.

    Attributes:
        application_id: The application, as the ATS knows it.
        reason_id: The rejection reason recorded with it (the one a person chose).
        template_id: The ATS's e-mail template (``PlannedAction.ats_template_id``).
        send_at: When the ATS should send it (aware); ``None`` for as soon as it does.
        sender_user_id: The ATS user the e-mail is sent as.
        note: A note recorded with the rejection (hidden from ``repr``).
    """

    application_id: str
    reason_id: str
    template_id: str
    send_at: datetime | None = None
    sender_user_id: str | None = None
    note: str | None = field(default=None, repr=False)


class AtsChannel(ChannelBase):
    """Has the ATS send its own e-mail through the adapter.

    Args:
        adapter: The connection's adapter.
    """

    name = "ats"

    def __init__(self, adapter: Adapter[Any]) -> None:
        self._adapter = adapter

    @property
    def supported(self) -> bool:
        """Whether the adapter announces native e-mail."""
        return self._adapter.supports(Capability.NATIVE_EMAIL)

    def send(self, request: AtsEmailRequest) -> DeliveryResult:
        """Ask the ATS to send (or schedule) its e-mail.

        Returns:
            ``sent`` when the ATS took it; ``unsupported`` when the adapter cannot;
            ``transient`` for an outage or a rate limit (with ``retry_after``);
            ``permanent`` when the ATS refused it; ``unknown`` when its answer could not be
            read.
        """
        if not self.supported:
            return self._logged(request, _unsupported())
        try:
            email = NativeRejectionEmail(
                template_id=request.template_id,
                send_at=request.send_at,
                sender_user_id=request.sender_user_id,
            )
        except ValidationError:
            return self._logged(
                request,
                DeliveryResult(
                    DeliveryOutcome.PERMANENT,
                    DeliveryReason.INVALID_MESSAGE,
                    detail="native_email_request",
                ),
            )
        try:
            self._adapter.reject(
                request.application_id, reason_id=request.reason_id, note=request.note, email=email
            )
        except CapabilityNotSupportedError:
            return self._logged(request, _unsupported())
        except ResponseSchemaError as exc:
            return self._logged(
                request, _failed(DeliveryOutcome.UNKNOWN, DeliveryReason.ATS_UNCONFIRMED, exc)
            )
        except RetryableApiError as exc:
            return self._logged(
                request, _failed(DeliveryOutcome.TRANSIENT, DeliveryReason.ATS_UNAVAILABLE, exc)
            )
        except FatalApiError as exc:
            return self._logged(
                request, _failed(DeliveryOutcome.PERMANENT, DeliveryReason.ATS_REFUSED, exc)
            )
        except ApiError as exc:
            return self._logged(
                request, _failed(DeliveryOutcome.TRANSIENT, DeliveryReason.ATS_UNAVAILABLE, exc)
            )
        return self._logged(request, DeliveryResult(DeliveryOutcome.SENT, DeliveryReason.ACCEPTED))

    def _logged(self, request: AtsEmailRequest, result: DeliveryResult) -> DeliveryResult:
        _log.info(
            "ats adapter=%s application_id=%s outcome=%s reason=%s",
            self._adapter.name,
            sanitize_log_value(str(request.application_id))[:80],
            result.outcome.value,
            result.reason.value,
        )
        return result

    def __repr__(self) -> str:
        """The adapter's name only."""
        return f"AtsChannel(adapter={self._adapter.name!r})"


def _unsupported() -> DeliveryResult:
    return DeliveryResult(DeliveryOutcome.UNSUPPORTED, DeliveryReason.NOT_SUPPORTED)


def _failed(outcome: DeliveryOutcome, reason: DeliveryReason, error: ApiError) -> DeliveryResult:
    # The error's str is built from safe parts only (adapter, status, path, vendor code).
    return DeliveryResult(
        outcome,
        reason,
        retry_after=error.retry_after,
        detail=str(error),
    )
