"""``ats-reject plan``: a dry run of the policy and the follow-ups over a file of events.

Every application is planned once, from its latest line: rejected (and hired) applications
go through :meth:`PolicyEngine.decide_batch` together, so spreading and hourly caps apply as
they would for the real batch; still-active applications are searched for a promised
decision date. Nothing is stored or sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.table import Table

from ats_reject.events import EventRecord
from ats_reject.followups import FollowUpPlanner, PromisePlan, requirements_for
from ats_reject.models import Application, ApplicationStatus
from ats_reject.policy import (
    Channel,
    Decision,
    Outcome,
    PlannedAction,
    PolicyEngine,
    RejectionCase,
)

__all__ = ["PlanEntry", "PlanReport", "build_plan", "plan_json", "plan_table"]

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(slots=True)
class PlanEntry:
    """One application's plan.

    Attributes:
        record: The line the application was planned from (its latest).
        lines: Every line about the application.
        decision: The policy's decision, for an application that is not active.
        actions: Everything planned, follow-ups included.
        promise: The promised-date lookup, for an active application.
    """

    record: EventRecord
    lines: list[int]
    decision: Decision | None = None
    actions: tuple[PlannedAction, ...] = ()
    promise: PromisePlan | None = None

    @property
    def application(self) -> Application:
        """The application snapshot planned from."""
        application = self.record.event.application
        assert application is not None  # noqa: S101 - entries are made for snapshots only
        return application

    @property
    def outcome(self) -> str:
        """``planned``, ``held``, ``cancelled``; ``promise`` or ``active`` for open ones."""
        if self.decision is not None:
            return self.decision.outcome.value
        return "promise" if self.actions else "active"


@dataclass(slots=True)
class PlanReport:
    """The plan of a whole events file."""

    now: datetime
    entries: list[PlanEntry] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def _others(
    entry: PlanEntry, by_candidate: dict[tuple[str, str], list[PlanEntry]]
) -> list[Application]:
    application = entry.application
    given = {other.id: other for other in entry.record.other_applications}
    key = (entry.record.connection, application.candidate_id)
    for sibling in by_candidate.get(key, []):
        if sibling is not entry:
            given.setdefault(sibling.application.id, sibling.application)
    return list(given.values())


def build_plan(
    records: Sequence[EventRecord], engine: PolicyEngine, planner: FollowUpPlanner, now: datetime
) -> PlanReport:
    """Plan every application of *records* (nothing is stored or sent)."""
    report = PlanReport(now=now)
    latest: dict[tuple[str, str], PlanEntry] = {}
    for record in records:
        application = record.event.application
        if application is None:
            report.skipped.append(
                (record.line, f"a {record.event.kind.value} event without an application snapshot")
            )
            continue
        key = (record.connection, application.id)
        earlier = latest.get(key)
        lines = [*earlier.lines, record.line] if earlier else [record.line]
        latest[key] = PlanEntry(record=record, lines=lines)
    entries = sorted(latest.values(), key=lambda entry: entry.record.line)
    by_candidate: dict[tuple[str, str], list[PlanEntry]] = {}
    for entry in entries:
        key = (entry.record.connection, entry.application.candidate_id)
        by_candidate.setdefault(key, []).append(entry)
    to_decide: list[tuple[PlanEntry, RejectionCase]] = []
    for entry in entries:
        application = entry.application
        if application.status is ApplicationStatus.ACTIVE:
            entry.promise = planner.promise(
                entry.record.connection, application, notes=entry.record.notes
            )
            entry.actions = entry.promise.actions
            continue
        case = RejectionCase(
            entry.record.connection,
            application,
            tuple(_others(entry, by_candidate)),
            entry.record.already_notified,
        )
        to_decide.append((entry, case))
    decisions = engine.decide_batch([case for _, case in to_decide])
    for (entry, _), decision in zip(to_decide, decisions, strict=True):
        entry.decision = decision
        entry.actions = planner.after_decision(decision, entry.application)
    report.entries = entries
    return report


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _local_iso(moment: datetime, zone: str | None) -> str | None:
    return moment.astimezone(ZoneInfo(zone)).isoformat() if zone else None


def _action_json(action: PlannedAction) -> dict[str, Any]:
    return {
        "key": list(action.key),
        "message_kind": action.message_kind.value,
        "decision_version": action.decision_version,
        "application_id": action.application_id,
        "channel": action.channel.value,
        "audience": action.audience.value,
        "template": action.template,
        "due_at": _iso(action.due_at),
        "due_local": _local_iso(action.due_at, action.zone),
        "zone": action.zone,
        "deadline": _iso(action.deadline),
        "deadline_met": action.deadline_met,
        "condition": action.condition.value,
        "requirements": [item.value for item in requirements_for(action)],
        "covers": list(action.covers),
        "ats_template_id": action.ats_template_id,
        "reasons": list(action.reasons),
    }


def _decision_json(decision: Decision) -> dict[str, Any]:
    return {
        "outcome": decision.outcome.value,
        "decision_version": decision.decision_version,
        "rule": decision.rule,
        "channel": decision.channel.value if decision.channel else None,
        "template": decision.template,
        "feedback": decision.feedback.value,
        "talent_pool": decision.talent_pool,
        "roles": list(decision.roles),
        "covers": list(decision.covers),
        "consolidated_into": decision.consolidated_into,
        "waiting_for": list(decision.waiting_for),
        "hold_reasons": list(decision.hold_reasons),
        "cancel_reasons": list(decision.cancel_reasons),
        "cancel_scope": decision.cancel_scope.value if decision.cancel_scope else None,
        "fallbacks": list(decision.fallbacks),
        "explanation": decision.explain(),
    }


def _entry_json(entry: PlanEntry) -> dict[str, Any]:
    application = entry.application
    found: dict[str, Any] = {
        "line": entry.record.line,
        "lines": entry.lines,
        "connection": entry.record.connection,
        "application_id": application.id,
        "candidate_id": application.candidate_id,
        "event": entry.record.event.kind.value,
        "status": application.status.value,
        "stage": application.current_stage.kind.value if application.current_stage else None,
        "outcome": entry.outcome,
    }
    if entry.decision is not None:
        found.update(_decision_json(entry.decision))
    if entry.promise is not None:
        promised = entry.promise.lookup.found
        found["promise"] = {
            "found": None
            if promised is None
            else {
                "passes_at": _iso(promised.passes_at),
                "day": promised.day.isoformat(),
                "date_only": promised.date_only,
                "source": promised.source,
            },
            "ignored": list(entry.promise.lookup.ignored),
        }
    found["actions"] = [_action_json(action) for action in entry.actions]
    return found


def plan_json(report: PlanReport) -> dict[str, Any]:
    """The plan as JSON-ready data, with every explanation."""
    return {
        "now": _iso(report.now),
        "applications": [_entry_json(entry) for entry in report.entries],
        "skipped": [{"line": line, "reason": reason} for line, reason in report.skipped],
    }


def _local(action: PlannedAction) -> str:
    if action.zone is None:
        return _iso(action.due_at) or "-"
    local = action.due_at.astimezone(ZoneInfo(action.zone))
    return f"{_DAYS[local.weekday()]} {local:%Y-%m-%d %H:%M}\n{action.zone}"


def _why(entry: PlanEntry, first: PlannedAction | None) -> str:
    decision = entry.decision
    lines: list[str] = []
    if decision is not None:
        lines.append(f"rule {decision.rule}" if decision.rule else "no rule applied")
        lines.extend(f"fallback: {reason}" for reason in decision.fallbacks)
        lines.extend(f"held: {reason}" for reason in decision.hold_reasons)
        lines.extend(f"cancelled: {reason}" for reason in decision.cancel_reasons)
        if decision.consolidated_into:
            lines.append(f"told in the message of application {decision.consolidated_into}")
    elif entry.promise is not None:
        found = entry.promise.lookup.found
        lines.append(
            f"promised decision date from {found.source}" if found else "no promised date found"
        )
        lines.extend(entry.promise.lookup.ignored)
    if first is not None:
        lines.extend(first.reasons)
    elif decision is not None and decision.outcome is Outcome.PLANNED:
        lines.append("nothing is sent to anyone")
    rest = len(entry.actions) - (first is not None)
    if rest > 0:
        kinds = ", ".join(
            dict.fromkeys(
                action.message_kind.value for action in entry.actions if action is not first
            )
        )
        lines.append(f"+{rest} later: {kinds} (see --json)")
    return "\n".join(lines)


def plan_table(report: PlanReport) -> Table:
    """The plan as a table: one row per application."""
    table = Table(
        title=f"Plan at {_iso(report.now)} (dry run: nothing is stored or sent)",
        title_justify="left",
        show_lines=True,
    )
    table.add_column("line", justify="right")
    table.add_column("application")
    table.add_column("outcome")
    table.add_column("channel")
    table.add_column("send at (candidate's time)")
    table.add_column("template")
    table.add_column("why")
    for entry in report.entries:
        # The row shows the first thing someone receives; data actions come later.
        first = next(
            (action for action in entry.actions if action.channel is not Channel.NONE), None
        )
        decision = entry.decision
        channel = decision.channel.value if decision and decision.channel else "-"
        if decision is None and first is not None:
            channel = first.channel.value
        template = (first.template if first else None) or (decision.template if decision else None)
        table.add_row(
            str(entry.record.line),
            f"{entry.record.connection}\n{entry.application.id}",
            entry.outcome,
            channel,
            _local(first) if first else "-",
            template or "-",
            _why(entry, first),
        )
    return table
