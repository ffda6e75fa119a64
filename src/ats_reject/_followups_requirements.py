"""What must still hold when a follow-up falls due, written out so the dispatcher can check it.

A follow-up is planned months ahead; by the time it falls due the person may have withdrawn
their consent, unsubscribed, applied again or been hired. Every planned action therefore
carries its requirements (derived from its kind and condition by :func:`requirements_for`),
and the dispatcher, just before sending, reads the person's current state into a
:class:`PersonState` and asks :func:`unmet_requirements`. Anything unmet: nothing is done.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import assert_never

from ats_reject.clock import ensure_aware
from ats_reject.models import Application
from ats_reject.policy import ActionCondition, MessageKind, PlannedAction

__all__ = [
    "Consent",
    "PersonState",
    "Requirement",
    "reapplied_since",
    "requirements_for",
    "unmet_requirements",
]


class Requirement(StrEnum):
    """One thing that must hold when an action falls due."""

    CONSENT_VALID = "consent_valid"
    """A talent-pool consent was given, is not withdrawn and has not expired."""
    NO_VALID_CONSENT = "no_valid_consent"
    """No talent-pool consent holds (none given, withdrawn or expired)."""
    NOT_UNSUBSCRIBED = "not_unsubscribed"
    """The person has not unsubscribed."""
    NOT_REAPPLIED = "not_reapplied"
    """The person has not applied again since the decision."""
    NOT_HIRED = "not_hired"
    """No application of the person is hired."""
    STILL_UNDECIDED = "still_undecided"
    """The application is still active, with no decision."""
    RENEWAL_NOT_ASKED = "renewal_not_asked"
    """The person has not yet been asked to renew the consent that now holds."""
    CALL_DONE = "call_done"
    """The recruiter marked the call done."""
    CALL_NOT_DONE = "call_not_done"
    """The recruiter has not marked the call done."""


@dataclass(frozen=True, slots=True)
class Consent:
    """A talent-pool consent as the consent records hold it.

    Attributes:
        given_at: When the person opted in (aware).
        expires_at: When it lapses. ``None`` never lapses here: fill it with
            ``FollowUpPlanner.with_expiry`` (the country's ``with_consent`` period) before
            keeping the record.
        withdrawn_at: When the person withdrew it, if they did.
    """

    given_at: datetime
    expires_at: datetime | None = None
    withdrawn_at: datetime | None = None

    def __post_init__(self) -> None:
        """Keep every time as aware UTC; refuse an expiry before the consent."""
        object.__setattr__(self, "given_at", ensure_aware(self.given_at))
        if self.expires_at is not None:
            expires = ensure_aware(self.expires_at)
            if expires <= self.given_at:
                raise ValueError("a consent cannot expire before it was given")
            object.__setattr__(self, "expires_at", expires)
        if self.withdrawn_at is not None:
            object.__setattr__(self, "withdrawn_at", ensure_aware(self.withdrawn_at))

    def holds_at(self, moment: datetime) -> bool:
        """Whether the consent holds at *moment*: given, not withdrawn, not expired."""
        moment = ensure_aware(moment)
        if moment < self.given_at:
            return False
        if self.withdrawn_at is not None and self.withdrawn_at <= moment:
            return False
        return self.expires_at is None or moment < self.expires_at


@dataclass(frozen=True, slots=True)
class PersonState:
    """The person's state when an action falls due, read fresh from the ATS and the store.

    Attributes:
        consent: The latest talent-pool consent, if any was given.
        unsubscribed: The person unsubscribed (from any message of the talent pool).
        hired: An application of the person is hired.
        reapplied: The person applied again after the decision (see :func:`reapplied_since`).
        undecided: The action's application is still active with no decision.
        call_done: The recruiter marked the call done.
        renewal_asked_at: When the person was last asked to renew their consent, if ever.
    """

    consent: Consent | None = None
    unsubscribed: bool = False
    hired: bool = False
    reapplied: bool = False
    undecided: bool = False
    call_done: bool = False
    renewal_asked_at: datetime | None = None


_BY_CONDITION: dict[ActionCondition, tuple[Requirement, ...]] = {
    ActionCondition.ALWAYS: (),
    ActionCondition.CALL_NOT_DONE: (Requirement.CALL_NOT_DONE,),
    ActionCondition.CALL_DONE: (Requirement.CALL_DONE,),
    ActionCondition.CONSENT_GIVEN: (Requirement.CONSENT_VALID,),
    ActionCondition.NO_CONSENT: (Requirement.NO_VALID_CONSENT,),
    ActionCondition.STILL_UNDECIDED: (Requirement.STILL_UNDECIDED,),
}

_BY_KIND: dict[MessageKind, tuple[Requirement, ...]] = {
    MessageKind.TALENT_POOL_INVITE: (Requirement.NOT_UNSUBSCRIBED, Requirement.NOT_HIRED),
    MessageKind.RE_ENGAGEMENT: (
        Requirement.CONSENT_VALID,
        Requirement.NOT_UNSUBSCRIBED,
        Requirement.NOT_REAPPLIED,
        Requirement.NOT_HIRED,
    ),
    MessageKind.CONSENT_RENEWAL: (
        Requirement.CONSENT_VALID,
        Requirement.RENEWAL_NOT_ASKED,
        Requirement.NOT_UNSUBSCRIBED,
        Requirement.NOT_REAPPLIED,
        Requirement.NOT_HIRED,
    ),
    # A new application or a hire keeps the data for a new purpose: no purge then.
    MessageKind.RETENTION_PURGE: (
        Requirement.NO_VALID_CONSENT,
        Requirement.NOT_REAPPLIED,
        Requirement.NOT_HIRED,
    ),
    MessageKind.HOLDING_UPDATE: (Requirement.STILL_UNDECIDED,),
    MessageKind.RECRUITER_REMINDER: (Requirement.STILL_UNDECIDED,),
}


def requirements_for(action: PlannedAction) -> tuple[Requirement, ...]:
    """Everything that must hold when *action* falls due, from its kind and its condition.

    The policy's own actions (its re-engagements, renewals and purges) get the same
    requirements as the follow-up planner's, so the dispatcher treats them alike.
    """
    found = list(_BY_CONDITION[action.condition])
    found.extend(item for item in _BY_KIND.get(action.message_kind, ()) if item not in found)
    return tuple(found)


def _unmet(requirement: Requirement, state: PersonState, now: datetime) -> str | None:
    consent = state.consent
    holds = consent is not None and consent.holds_at(now)
    match requirement:
        case Requirement.CONSENT_VALID:
            return None if holds else "no talent-pool consent holds"
        case Requirement.NO_VALID_CONSENT:
            return "a talent-pool consent holds" if holds else None
        case Requirement.NOT_UNSUBSCRIBED:
            return "the person unsubscribed" if state.unsubscribed else None
        case Requirement.NOT_REAPPLIED:
            return "the person applied again" if state.reapplied else None
        case Requirement.NOT_HIRED:
            return "the person is hired" if state.hired else None
        case Requirement.STILL_UNDECIDED:
            return None if state.undecided else "the application is decided or closed"
        case Requirement.RENEWAL_NOT_ASKED:
            asked = state.renewal_asked_at
            if asked is not None and consent is not None and asked >= consent.given_at:
                return "the person was already asked to renew this consent"
            return None
        case Requirement.CALL_DONE:
            return None if state.call_done else "the call is not marked done"
        case Requirement.CALL_NOT_DONE:
            return "the call is marked done" if state.call_done else None
    assert_never(requirement)


def unmet_requirements(
    action: PlannedAction, state: PersonState, *, now: datetime
) -> tuple[tuple[Requirement, str], ...]:
    """The requirements of *action* that do not hold in *state* at *now*, each with why.

    Returns:
        An empty tuple when the action may go ahead.
    """
    moment = ensure_aware(now)
    unmet: list[tuple[Requirement, str]] = []
    for requirement in requirements_for(action):
        why = _unmet(requirement, state, moment)
        if why is not None:
            unmet.append((requirement, why))
    return tuple(unmet)


def reapplied_since(
    applications: Iterable[Application], since: datetime, *, excluding: str | None = None
) -> bool:
    """Whether any of *applications* (but *excluding*) was made after *since*.

    Use it to fill :attr:`PersonState.reapplied` from the person's applications in the ATS.
    An application without an ``applied_at`` does not count.
    """
    moment = ensure_aware(since)
    return any(
        application.applied_at is not None and application.applied_at > moment
        for application in applications
        if application.id != excluding
    )
