"""A decision promised to a candidate by a date: a reminder, then a holding update."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ats_reject._durations import Duration
from ats_reject._wallclock import local_label
from ats_reject.models import Application
from ats_reject.policy._models import (
    ActionCondition,
    Audience,
    MessageKind,
    PlannedAction,
    decision_version,
)
from ats_reject.policy._rules import Channel
from ats_reject.policy._schedule import Scheduler
from ats_reject.policy._settings import PromisesPolicy
from ats_reject.timing import SendWindow

__all__ = ["promise_actions"]


def promise_actions(
    connection: str,
    application: Application,
    promised: datetime,
    *,
    now: datetime,
    settings: PromisesPolicy,
    remind_before: Duration | None,
    window: SendWindow,
    scheduler: Scheduler,
) -> tuple[PlannedAction, ...]:
    """The reminder and the holding update for a promise due at *promised* (aware UTC)."""
    version = f"promise:{decision_version(promised)}"
    zone = scheduler.zone_for(application)
    calendar = scheduler.calendar_for(zone)
    promise = f"a decision was promised by {local_label(promised, zone.zone)} {zone.zone}"

    def undecided(kind: MessageKind, due_at: datetime, **fields: Any) -> PlannedAction:
        return PlannedAction(
            connection=connection,
            application_id=application.id,
            message_kind=kind,
            decision_version=version,
            channel=Channel.EMAIL,
            due_at=due_at,
            condition=ActionCondition.STILL_UNDECIDED,
            zone=zone.zone,
            **fields,
        )

    actions: list[PlannedAction] = []
    if remind_before is not None:
        ahead = timedelta(**{remind_before.unit: remind_before.amount})
        actions.append(
            undecided(
                MessageKind.RECRUITER_REMINDER,
                max(promised - ahead, now),
                deadline=promised,
                audience=Audience.RECRUITER,
                reasons=(f"{promise}; the recruiter is reminded {remind_before} before",),
            )
        )
    if settings.holding_update:
        update_at = scheduler.next_allowed(max(promised, now), window, zone.zone, calendar)
        actions.append(
            undecided(
                MessageKind.HOLDING_UPDATE,
                update_at,
                template=settings.holding_update_template,
                reasons=(
                    f"{promise}; if it passes undecided, the candidate gets a holding update at "
                    f"the next allowed time ({window.describe()})",
                ),
            )
        )
    return tuple(actions)
