"""Rules compiled for matching: the facts of a case are read once, each condition is a check.

A check returns ``None`` when its condition holds and a short reason when it does not, so the
explanation of a decision can say why each earlier rule was passed over.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from ats_reject._durations import Duration, parse_duration
from ats_reject.models import (
    Application,
    RejectionReasonKind,
    SourceKind,
    StageKind,
)
from ats_reject.policy._rules import Rule, RuleCondition
from ats_reject.policy._settings import DefaultTiming
from ats_reject.timing import TimingRules

__all__ = ["CompiledRule", "Facts", "compile_rules", "facts_of"]

_INTERVIEW_STAGES = frozenset({StageKind.INTERVIEW, StageKind.FINAL, StageKind.OFFER})


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules may look at, read once from an application."""

    connection: str
    job_keys: frozenset[str]
    department: str | None
    office_keys: frozenset[str]
    stage_kind: StageKind | None
    stage_position: int | None
    stage_name: str | None
    reason_keys: frozenset[str]
    reason_kind: RejectionReasonKind | None
    source_kind: SourceKind | None
    source_name: str | None
    tags: frozenset[str]
    internal: bool
    had_interviews: bool
    interviews_inferred: bool

    @property
    def withdrawn(self) -> bool:
        """Whether the candidate withdrew."""
        return self.reason_kind is RejectionReasonKind.THEY_WITHDREW


def _fold(text: str | None) -> str | None:
    return text.strip().casefold() if text else None


def facts_of(connection: str, application: Application) -> Facts:
    """Read the facts rules look at from *application*."""
    job = application.job
    stage = application.current_stage
    rejection = application.rejection
    reason = rejection.reason if rejection else None
    source = application.source
    stage_kind = stage.kind if stage else None
    job_keys: set[str] = set()
    office_keys: set[str] = set()
    if job is not None:
        job_keys.update(key for key in (_fold(job.name), _fold(job.id)) if key)
        for office in job.offices:
            office_keys.update(key for key in (_fold(office.name), _fold(office.id)) if key)
    reason_keys = (
        frozenset(key for key in (_fold(reason.name), _fold(reason.id)) if key)
        if reason
        else frozenset()
    )
    source_kind = source.kind if source else None
    if application.had_interviews is None:
        had_interviews = stage_kind in _INTERVIEW_STAGES
        inferred = True
    else:
        had_interviews = application.had_interviews
        inferred = False
    return Facts(
        connection=connection,
        job_keys=frozenset(job_keys),
        department=_fold(job.department) if job else None,
        office_keys=frozenset(office_keys),
        stage_kind=stage_kind,
        stage_position=stage.position if stage else None,
        stage_name=_fold(stage.name) if stage else None,
        reason_keys=reason_keys,
        reason_kind=reason.kind if reason else None,
        source_kind=source_kind,
        source_name=_fold(source.name) if source else None,
        tags=frozenset(tag.casefold() for tag in application.candidate.tags),
        internal=application.candidate.is_internal or source_kind is SourceKind.INTERNAL,
        had_interviews=had_interviews,
        interviews_inferred=inferred,
    )


Check = Callable[[Facts], str | None]


def _listed(values: Iterable[object]) -> str:
    return ", ".join(value.value if isinstance(value, StrEnum) else str(value) for value in values)


def _text_check(
    label: str, wanted: tuple[str, ...], read: Callable[[Facts], frozenset[str] | str | None]
) -> tuple[str, Check]:
    folded = frozenset(item.casefold() for item in wanted)
    shown = _listed(wanted)

    def check(facts: Facts) -> str | None:
        found = read(facts)
        if found is None:
            return f"{label}: none known, wanted one of {shown}"
        if isinstance(found, str):
            if found in folded:
                return None
        elif not found.isdisjoint(folded):
            return None
        return f"{label} is not one of {shown}"

    return f"{label} is one of {shown}", check


def _enum_check(
    label: str, wanted: tuple[StrEnum, ...], read: Callable[[Facts], StrEnum | None]
) -> tuple[str, Check]:
    allowed = frozenset(wanted)
    shown = _listed(wanted)

    def check(facts: Facts) -> str | None:
        found = read(facts)
        if found in allowed:
            return None
        actual = found.value if found is not None else "unknown"
        return f"{label} is {actual}, not one of {shown}"

    return f"{label} is one of {shown}", check


def _bool_check(label: str, wanted: bool, read: Callable[[Facts], bool]) -> tuple[str, Check]:
    said = label if wanted else f"not {label}"

    def check(facts: Facts) -> str | None:
        return None if read(facts) is wanted else f"wanted {said}"

    return said, check


def _checks(when: RuleCondition) -> tuple[tuple[str, Check], ...]:
    checks: list[tuple[str, Check]] = []
    if when.connection is not None:
        checks.append(_text_check("connection", when.connection, lambda f: f.connection.casefold()))
    if when.job is not None:
        checks.append(_text_check("job", when.job, lambda f: f.job_keys or None))
    if when.department is not None:
        checks.append(_text_check("department", when.department, lambda f: f.department))
    if when.office is not None:
        checks.append(_text_check("office", when.office, lambda f: f.office_keys or None))
    if when.stage_kind is not None:
        checks.append(_enum_check("stage kind", when.stage_kind, lambda f: f.stage_kind))
    if when.stage_position is not None:
        span = when.stage_position
        low = span.min if span.min is not None else 0
        high = span.max

        def position(facts: Facts) -> str | None:
            at = facts.stage_position
            if at is None:
                return "stage position unknown"
            if at < low or (high is not None and at > high):
                return f"stage position {at} is not {span.describe()}"
            return None

        checks.append((f"stage position is {span.describe()}", position))
    if when.stage_name is not None:
        checks.append(_text_check("stage name", when.stage_name, lambda f: f.stage_name))
    if when.reason is not None:
        checks.append(_text_check("rejection reason", when.reason, lambda f: f.reason_keys or None))
    if when.reason_kind is not None:
        checks.append(_enum_check("reason kind", when.reason_kind, lambda f: f.reason_kind))
    if when.source_kind is not None:
        checks.append(_enum_check("source kind", when.source_kind, lambda f: f.source_kind))
    if when.source is not None:
        checks.append(_text_check("source", when.source, lambda f: f.source_name))
    if when.tags is not None:
        checks.append(_text_check("candidate tags", when.tags, lambda f: f.tags or None))
    if when.internal is not None:
        checks.append(_bool_check("an internal candidate", when.internal, lambda f: f.internal))
    if when.had_interviews is not None:
        checks.append(
            _bool_check("had interviews", when.had_interviews, lambda f: f.had_interviews)
        )
    return tuple(checks)


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule ready to match, with its timing and follow-ups parsed once."""

    index: int
    """1-based position in the list that is tried."""
    name: str
    rule: Rule
    checks: tuple[tuple[str, Check], ...]
    timing: TimingRules
    call_fallback_after: Duration
    re_engagement: tuple[Duration, ...]
    consent_validity: Duration
    retention: Duration | None

    @property
    def is_withdrawal_rule(self) -> bool:
        """Whether the rule is for candidates who withdrew."""
        return self.rule.when.is_withdrawal_rule

    def first_failure(self, facts: Facts) -> str | None:
        """Why the rule does not match *facts*, or ``None`` if it does."""
        if facts.withdrawn and not self.is_withdrawal_rule:
            return (
                "the candidate withdrew, and only rules naming reason_kind 'they_withdrew' "
                "apply to withdrawals"
            )
        for _, check in self.checks:
            failure = check(facts)
            if failure is not None:
                return failure
        return None

    def describe_match(self) -> str:
        """Say which conditions held."""
        if not self.checks:
            return "it has no conditions"
        return "; ".join(label for label, _ in self.checks)


def compile_rules(rules: Iterable[Rule], defaults: DefaultTiming) -> tuple[CompiledRule, ...]:
    """Compile *rules* in order, resolving each one's timing against *defaults*."""
    compiled: list[CompiledRule] = []
    for position, rule in enumerate(rules, start=1):
        timing = rule.then.timing
        minimum_after = timing.minimum_after_application or defaults.minimum_after_application
        follow = rule.then.follow_up
        compiled.append(
            CompiledRule(
                index=position,
                name=rule.name or f"rule {position}",
                rule=rule,
                checks=_checks(rule.when),
                timing=TimingRules.parse(
                    minimum_delay=timing.minimum_delay or defaults.minimum_delay,
                    deadline=timing.deadline or defaults.deadline,
                    send_window=timing.send_window or defaults.send_window,
                    minimum_after_application=minimum_after,
                ),
                call_fallback_after=parse_duration(rule.then.call.fallback_after),
                re_engagement=tuple(parse_duration(text) for text in follow.re_engagement),
                consent_validity=parse_duration(follow.consent_validity),
                retention=parse_duration(follow.retention) if follow.retention else None,
            )
        )
    return tuple(compiled)
