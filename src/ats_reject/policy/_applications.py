"""One person, several applications: who else is active, offers and hires, one message.

Pure helpers of the policy engine: they read the applications a case carries and the
``[policy.applications]`` settings, and say what to hold, cancel or tell together.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from ats_reject._durations import Duration
from ats_reject.models import Application, ApplicationStatus, RejectionReasonKind, StageKind
from ats_reject.policy._models import RejectionCase
from ats_reject.policy._schedule import Scheduler

__all__ = [
    "active_others",
    "consolidation_group",
    "decided_at",
    "is_rejection",
    "offers_and_hires",
    "primary_of",
]

_STAGE_RANK = {
    StageKind.OFFER: 6,
    StageKind.FINAL: 5,
    StageKind.INTERVIEW: 4,
    StageKind.ASSESSMENT: 3,
    StageKind.SCREEN: 2,
    StageKind.APPLICATION_REVIEW: 1,
    StageKind.OTHER: 0,
}


def is_rejection(application: Application) -> bool:
    """Whether the ATS holds *application* as rejected, with its rejection."""
    return application.status is ApplicationStatus.REJECTED and application.rejection is not None


def decided_at(application: Application) -> datetime:
    """When the rejection of *application* was decided (it must be rejected)."""
    rejection = application.rejection
    if rejection is None:  # pragma: no cover - callers pass rejected applications only
        raise ValueError("the application carries no rejection")
    return rejection.decided_at


def _withdrew(application: Application) -> bool:
    reason = application.rejection.reason if application.rejection else None
    return reason is not None and reason.kind is RejectionReasonKind.THEY_WITHDREW


def _rank(application: Application) -> tuple[int, datetime, str]:
    stage = application.current_stage
    return (_STAGE_RANK[stage.kind] if stage else 0, decided_at(application), application.id)


def primary_of(group: Iterable[Application]) -> Application:
    """The application a shared message is filed under: the one that got furthest."""
    return max(group, key=_rank)


def active_others(case: RejectionCase) -> tuple[str, ...]:
    """Ids of the person's other applications still active (prospects do not count)."""
    return tuple(
        sorted(
            other.id
            for other in case.other_applications
            if other.status is ApplicationStatus.ACTIVE and not other.is_prospect
        )
    )


def consolidation_group(
    case: RejectionCase, scheduler: Scheduler, within: Duration
) -> tuple[Application, ...]:
    """The rejected applications told in one message with this one (itself included).

    Applications the person was already told about, and withdrawals, are left out; so are
    rejections more than *within* before the latest one. The group is ordered by decision.
    """
    application = case.application
    if _withdrew(application):
        return (application,)
    members = [application]
    members.extend(
        other
        for other in case.other_applications
        if is_rejection(other) and not _withdrew(other) and other.id not in case.already_notified
    )
    if len(members) == 1:
        return (application,)
    latest = max(decided_at(member) for member in members)
    close = [member for member in members if scheduler.within(decided_at(member), latest, within)]
    if application not in close:
        return (application,)
    return tuple(sorted(close, key=lambda member: (decided_at(member), member.id)))


def offers_and_hires(others: Iterable[Application]) -> tuple[str, ...]:
    """Why nothing may be sent: another application hired or at the offer stage."""
    reasons: list[str] = []
    for other in sorted(others, key=lambda item: item.id):
        if other.status is ApplicationStatus.HIRED:
            where = "is hired"
        elif (
            other.status is ApplicationStatus.ACTIVE
            and other.current_stage is not None
            and other.current_stage.kind is StageKind.OFFER
        ):
            where = "is at the offer stage"
        else:
            continue
        reasons.append(
            f"application {other.id} of the same person {where}: nothing is sent to the person "
            "(policy.applications.cancel_on_offer_or_hire)"
        )
    return tuple(reasons)
