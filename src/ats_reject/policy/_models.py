"""What the policy takes and gives: a rejection case in, a decision with planned actions out.

All of these are frozen dataclasses: they are built in the hot path of a bulk decision, where
validating every object again would cost more than the decision itself. Their inputs are the
library's own validated models. Personal data stays out of every ``repr``; explanations name
ids, stages, rules, zones and times, never a name or an address.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

from ats_reject.compose.context import FeedbackScope
from ats_reject.models import Application
from ats_reject.policy._rules import Channel

__all__ = [
    "ActionCondition",
    "Audience",
    "CancelScope",
    "Decision",
    "MessageKind",
    "Outcome",
    "PlannedAction",
    "RejectionCase",
    "TraceNote",
    "decision_version",
]


class TraceNote(Protocol):
    """A part of an explanation, written only when asked for.

    Explanations are rarely read in bulk, and writing them for every decision of a batch
    would cost more than deciding.
    """

    def lines(self) -> Iterable[str]:
        """The sentences of this part."""
        ...


class Outcome(StrEnum):
    """What became of a rejection case: exactly one of these."""

    PLANNED = "planned"
    """Actions are planned (possibly none, for channel ``none`` or a consolidated message)."""
    HELD = "held"
    """Nothing is planned yet: another application of the person is still active."""
    CANCELLED = "cancelled"
    """Nothing is sent: not rejected any more, or an offer or hire elsewhere."""


class MessageKind(StrEnum):
    """What a planned action is; part of the outbox key."""

    REJECTION = "rejection"
    WITHDRAWAL_THANKS = "withdrawal_thanks"
    CALL_TASK = "call_task"
    CALL_FALLBACK = "call_fallback"
    TALENT_POOL_INVITE = "talent_pool_invite"
    RE_ENGAGEMENT = "re_engagement"
    CONSENT_RENEWAL = "consent_renewal"
    RETENTION_PURGE = "retention_purge"
    HOLDING_UPDATE = "holding_update"
    RECRUITER_REMINDER = "recruiter_reminder"


class Audience(StrEnum):
    """Who an action is for."""

    CANDIDATE = "candidate"
    RECRUITER = "recruiter"
    NOBODY = "nobody"
    """A data action (a retention purge): nothing is sent."""


class ActionCondition(StrEnum):
    """What must hold when an action falls due; checked by the dispatcher, not here."""

    ALWAYS = "always"
    CALL_NOT_DONE = "call_not_done"
    """The recruiter has not marked the call done."""
    CALL_DONE = "call_done"
    """The recruiter has marked the call done."""
    CONSENT_GIVEN = "consent_given"
    """The candidate opted in to the talent pool, and the consent holds."""
    NO_CONSENT = "no_consent"
    """The candidate did not opt in (or withdrew the consent)."""
    STILL_UNDECIDED = "still_undecided"
    """The application is still active, with no decision."""


class CancelScope(StrEnum):
    """What a cancellation covers."""

    APPLICATION = "application"
    """Pending actions of this application."""
    PERSON = "person"
    """Pending actions of every application of the person."""


def decision_version(decided_at: datetime) -> str:
    """The version of a rejection decision, from the moment it was made (aware).

    An un-reject followed by a new rejection has a new decided-at, hence a new version, so
    the outbox plans the new decision instead of taking it for the old one.
    """
    if decided_at.tzinfo is None:
        raise ValueError("naive datetime: give a time zone")
    moment = decided_at.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds") + "Z"


@dataclass(frozen=True, slots=True)
class PlannedAction:
    """One thing to do at one time. ``key`` is the outbox's natural unique key.

    Attributes:
        connection: The connection the application belongs to.
        application_id: The application the action is filed under (the primary one when a
            message covers several applications).
        message_kind: What the action is.
        decision_version: The version of the decision that planned it.
        channel: How it goes out (``none`` for data actions).
        due_at: When it falls due (aware UTC).
        template: The template purpose, if it is a message.
        deadline: The latest moment it should happen (aware UTC), if there is one.
        deadline_met: ``False`` when ``due_at`` is after ``deadline``.
        audience: Who it is for.
        condition: What must hold when it falls due.
        covers: The applications the message is about (several when consolidated).
        ats_template_id: The ATS's template, for channel ``ats``.
        zone: The IANA zone its time was planned in (hidden from ``repr``).
        reasons: Why this time was chosen, held or moved (hidden from ``repr``).
    """

    connection: str
    application_id: str
    message_kind: MessageKind
    decision_version: str
    channel: Channel
    due_at: datetime
    template: str | None = None
    deadline: datetime | None = None
    deadline_met: bool = True
    audience: Audience = Audience.CANDIDATE
    condition: ActionCondition = ActionCondition.ALWAYS
    covers: tuple[str, ...] = ()
    ats_template_id: str | None = None
    zone: str | None = field(default=None, repr=False)
    reasons: tuple[str, ...] = field(default=(), repr=False)

    @property
    def key(self) -> tuple[str, str, str, str]:
        """``(connection, application_id, message_kind, decision_version)``."""
        return (
            self.connection,
            self.application_id,
            self.message_kind.value,
            self.decision_version,
        )


@dataclass(frozen=True, slots=True)
class RejectionCase:
    """One application to decide about, with what is known of the person's other applications.

    Attributes:
        connection: The connection name from the configuration.
        application: The application as the ATS holds it now.
        other_applications: The same person's other applications, as the ATS holds them now.
        already_notified: Ids of applications whose rejection the person was already told
            about (they are not named again in a consolidated message).
    """

    connection: str
    application: Application
    other_applications: tuple[Application, ...] = ()
    already_notified: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        """Accept any iterable of applications, and drop the application itself from them."""
        others = tuple(
            other for other in self.other_applications if other.id != self.application.id
        )
        object.__setattr__(self, "other_applications", others)
        object.__setattr__(self, "already_notified", frozenset(self.already_notified))

    def __repr__(self) -> str:
        """Ids and counts only."""
        return (
            f"RejectionCase(connection={self.connection!r}, "
            f"application_id={self.application.id!r}, "
            f"other_applications={len(self.other_applications)})"
        )


@dataclass(frozen=True, slots=True)
class Decision:
    """How, when and whether a rejection is communicated, and why.

    Attributes:
        connection: The connection name.
        application_id: The application decided about.
        candidate_id: The person behind it.
        outcome: ``planned``, ``held`` or ``cancelled``.
        decision_version: Derived from the rejection's decided-at (``None`` when the
            application is not rejected).
        rule: The name of the rule that matched.
        channel: The channel used, after any fallback.
        template: The template purpose of the first message.
        feedback: How much feedback the message may include.
        talent_pool: Whether the message invites the candidate to the talent pool.
        actions: The planned actions, first message first.
        hold_reasons: Why the decision is held.
        waiting_for: The active applications it waits for.
        cancel_reasons: Why nothing is sent.
        cancel_scope: What the cancellation covers.
        consolidated_into: The application whose message covers this one.
        covers: The applications this decision's message names (consolidation).
        roles: The job names the message names, in order.
        fallbacks: Where the rule's choice could not be followed, and what was done instead.
        notes: How the rule was chosen and applied, as sentences or parts written on demand;
            read them through :attr:`trace` (hidden from ``repr``, not compared).
    """

    connection: str
    application_id: str
    candidate_id: str
    outcome: Outcome
    decision_version: str | None = None
    rule: str | None = None
    channel: Channel | None = None
    template: str | None = None
    feedback: FeedbackScope = FeedbackScope.NONE
    talent_pool: bool = False
    actions: tuple[PlannedAction, ...] = ()
    hold_reasons: tuple[str, ...] = ()
    waiting_for: tuple[str, ...] = ()
    cancel_reasons: tuple[str, ...] = ()
    cancel_scope: CancelScope | None = None
    consolidated_into: str | None = None
    covers: tuple[str, ...] = ()
    roles: tuple[str, ...] = field(default=(), repr=False)
    fallbacks: tuple[str, ...] = ()
    notes: tuple[str | TraceNote, ...] = field(default=(), repr=False, compare=False)

    @property
    def trace(self) -> tuple[str, ...]:
        """How the rule was chosen and applied, sentence by sentence."""
        said: list[str] = []
        for note in self.notes:
            if isinstance(note, str):
                said.append(note)
            else:
                said.extend(note.lines())
        return tuple(said)

    @property
    def held(self) -> bool:
        """Whether the decision waits for another application."""
        return self.outcome is Outcome.HELD

    @property
    def cancelled(self) -> bool:
        """Whether nothing is sent."""
        return self.outcome is Outcome.CANCELLED

    @property
    def feedback_allowed(self) -> bool:
        """Whether the message may include any feedback."""
        return self.feedback is not FeedbackScope.NONE

    def explain(self) -> list[str]:
        """Plain sentences: the rule and why, the channel, holds, cancellations and times."""
        lines = [
            f"application {self.application_id} on connection {self.connection!r}: "
            f"{self.outcome.value}"
        ]
        lines.extend(self.trace)
        lines.extend(f"fallback: {reason}" for reason in self.fallbacks)
        lines.extend(f"held: {reason}" for reason in self.hold_reasons)
        lines.extend(f"cancelled: {reason}" for reason in self.cancel_reasons)
        for action in self.actions:
            due = action.due_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
            lines.append(
                f"{action.message_kind.value} by {action.channel.value} to "
                f"{action.audience.value}, due {due}, if {action.condition.value}"
            )
            lines.extend(f"  {reason}" for reason in action.reasons)
        return lines
