"""Rules compiled for matching: each condition is a check run against a case's facts.

Matching only asks yes-or-no questions; the sentences saying why each earlier rule was passed
over are written by :class:`RuleTrail` when a decision is explained, not while deciding a
batch of thousands.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from ats_reject._durations import Duration, parse_duration
from ats_reject.models import Application, RejectionReasonKind, SourceKind, StageKind
from ats_reject.policy._rules import PositionRange, Rule, RuleCondition
from ats_reject.policy._settings import DefaultTiming
from ats_reject.timing import TimingRules

__all__ = ["CompiledRule", "Facts", "RuleTrail", "compile_rules", "facts_of", "match"]

_INTERVIEW_STAGES = frozenset({StageKind.INTERVIEW, StageKind.FINAL, StageKind.OFFER})


class Facts:
    """What the rules may look at, read from an application when a rule asks."""

    __slots__ = (
        "application",
        "connection",
        "had_interviews",
        "interviews_inferred",
        "reason_kind",
        "source_kind",
        "stage_kind",
    )

    def __init__(self, connection: str, application: Application) -> None:
        """Read the few facts every decision needs; the rest is read on demand."""
        self.connection = connection
        self.application = application
        stage = application.current_stage
        self.stage_kind = stage.kind if stage else None
        rejection = application.rejection
        reason = rejection.reason if rejection else None
        self.reason_kind = reason.kind if reason else None
        source = application.source
        self.source_kind = source.kind if source else None
        if application.had_interviews is None:
            self.had_interviews = self.stage_kind in _INTERVIEW_STAGES
            self.interviews_inferred = True
        else:
            self.had_interviews = application.had_interviews
            self.interviews_inferred = False

    @property
    def withdrawn(self) -> bool:
        """Whether the candidate withdrew."""
        return self.reason_kind is RejectionReasonKind.THEY_WITHDREW

    @property
    def internal(self) -> bool:
        """An employee: flagged internal, or from an internal source."""
        return self.application.candidate.is_internal or self.source_kind is SourceKind.INTERNAL

    @property
    def job_keys(self) -> frozenset[str]:
        """The job's name and id, folded."""
        job = self.application.job
        return _keys(job.name, job.id) if job else frozenset()

    @property
    def department(self) -> str | None:
        """The job's department, folded."""
        job = self.application.job
        return _fold(job.department) if job else None

    @property
    def office_keys(self) -> frozenset[str]:
        """Names and ids of the job's offices, folded."""
        job = self.application.job
        if job is None:
            return frozenset()
        return frozenset().union(*(_keys(office.name, office.id) for office in job.offices))

    @property
    def stage_position(self) -> int | None:
        """Zero-based position of the stage, when the ATS says."""
        stage = self.application.current_stage
        return stage.position if stage else None

    @property
    def stage_name(self) -> str | None:
        """The stage's name, folded."""
        stage = self.application.current_stage
        return _fold(stage.name) if stage else None

    @property
    def reason_keys(self) -> frozenset[str]:
        """The rejection reason's name and id, folded."""
        rejection = self.application.rejection
        reason = rejection.reason if rejection else None
        return _keys(reason.name, reason.id) if reason else frozenset()

    @property
    def source_name(self) -> str | None:
        """The source's name, folded."""
        source = self.application.source
        return _fold(source.name) if source else None

    @property
    def tags(self) -> frozenset[str]:
        """The candidate's tags, folded."""
        return frozenset(tag.strip().casefold() for tag in self.application.candidate.tags)


def _fold(text: str | None) -> str | None:
    return text.strip().casefold() if text else None


def _keys(*texts: str | None) -> frozenset[str]:
    return frozenset(text.strip().casefold() for text in texts if text)


def facts_of(connection: str, application: Application) -> Facts:
    """The facts rules look at, for *application* on *connection*."""
    return Facts(connection, application)


Holds = Callable[[Facts], bool]
WhyNot = Callable[[Facts], str]


@dataclass(frozen=True, slots=True)
class Check:
    """One condition of a rule: what it says, whether it holds, and why not."""

    label: str
    holds: Holds
    why_not: WhyNot


def _listed(values: Iterable[object]) -> str:
    return ", ".join(value.value if isinstance(value, StrEnum) else str(value) for value in values)


def _text_check(
    label: str, wanted: tuple[str, ...], read: Callable[[Facts], frozenset[str] | str | None]
) -> Check:
    folded = frozenset(item.casefold() for item in wanted)
    shown = _listed(wanted)

    def holds(facts: Facts) -> bool:
        found = read(facts)
        if found is None:
            return False
        if isinstance(found, str):
            return found in folded
        return not found.isdisjoint(folded)

    def why_not(facts: Facts) -> str:
        found = read(facts)
        if found is None or not found:
            return f"{label}: none known, wanted one of {shown}"
        return f"{label} is not one of {shown}"

    return Check(f"{label} is one of {shown}", holds, why_not)


def _enum_check(
    label: str, wanted: tuple[StrEnum, ...], read: Callable[[Facts], StrEnum | None]
) -> Check:
    allowed = frozenset(wanted)
    shown = _listed(wanted)

    def why_not(facts: Facts) -> str:
        found = read(facts)
        return f"{label} is {found.value if found is not None else 'unknown'}, not one of {shown}"

    return Check(f"{label} is one of {shown}", lambda facts: read(facts) in allowed, why_not)


def _bool_check(
    wanted: bool, read: Callable[[Facts], bool], when_true: str, when_false: str
) -> Check:
    said, opposite = (when_true, when_false) if wanted else (when_false, when_true)
    return Check(said, lambda facts: read(facts) is wanted, lambda facts: opposite)


def _position_check(span: PositionRange) -> Check:
    low = span.min if span.min is not None else 0
    high = span.max

    def holds(facts: Facts) -> bool:
        at = facts.stage_position
        return at is not None and at >= low and (high is None or at <= high)

    def why_not(facts: Facts) -> str:
        at = facts.stage_position
        if at is None:
            return "stage position unknown"
        return f"stage position {at} is not {span.describe()}"

    return Check(f"stage position is {span.describe()}", holds, why_not)


def _checks(when: RuleCondition) -> tuple[Check, ...]:
    checks: list[Check] = []
    text_conditions: tuple[
        tuple[str, tuple[str, ...] | None, Callable[[Facts], frozenset[str] | str | None]], ...
    ] = (
        ("connection", when.connection, lambda f: f.connection.casefold()),
        ("job", when.job, lambda f: f.job_keys or None),
        ("department", when.department, lambda f: f.department),
        ("office", when.office, lambda f: f.office_keys or None),
    )
    checks.extend(
        _text_check(label, wanted, read) for label, wanted, read in text_conditions if wanted
    )
    if when.stage_kind is not None:
        checks.append(_enum_check("stage kind", when.stage_kind, lambda f: f.stage_kind))
    if when.stage_position is not None:
        checks.append(_position_check(when.stage_position))
    later_text: tuple[
        tuple[str, tuple[str, ...] | None, Callable[[Facts], frozenset[str] | str | None]], ...
    ] = (
        ("stage name", when.stage_name, lambda f: f.stage_name),
        ("rejection reason", when.reason, lambda f: f.reason_keys or None),
    )
    checks.extend(_text_check(label, wanted, read) for label, wanted, read in later_text if wanted)
    if when.reason_kind is not None:
        checks.append(_enum_check("reason kind", when.reason_kind, lambda f: f.reason_kind))
    if when.source_kind is not None:
        checks.append(_enum_check("source kind", when.source_kind, lambda f: f.source_kind))
    if when.source is not None:
        checks.append(_text_check("source", when.source, lambda f: f.source_name))
    if when.tags is not None:
        checks.append(_text_check("candidate tags", when.tags, lambda f: f.tags or None))
    if when.internal is not None:
        checks.append(
            _bool_check(
                when.internal,
                lambda f: f.internal,
                "an internal candidate",
                "not an internal candidate",
            )
        )
    if when.had_interviews is not None:
        checks.append(
            _bool_check(
                when.had_interviews,
                lambda f: f.had_interviews,
                "had interviews",
                "had no interviews",
            )
        )
    return tuple(checks)


WITHDRAWAL_SKIP = -1
"""``first_failure`` for a withdrawal meeting a rule that is not for withdrawals."""


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule ready to match, with its timing and follow-ups parsed once."""

    index: int
    """1-based position in the list that is tried."""
    name: str
    rule: Rule
    checks: tuple[Check, ...]
    timing: TimingRules
    call_fallback_after: Duration
    re_engagement: tuple[Duration, ...]
    consent_validity: Duration
    retention: Duration | None
    is_withdrawal_rule: bool

    def first_failure(self, facts: Facts) -> int | None:
        """The index of the first condition that fails, ``WITHDRAWAL_SKIP``, or ``None``."""
        if facts.reason_kind is RejectionReasonKind.THEY_WITHDREW and not self.is_withdrawal_rule:
            return WITHDRAWAL_SKIP
        for index, check in enumerate(self.checks):
            if not check.holds(facts):
                return index
        return None

    def why_not(self, facts: Facts, failure: int) -> str:
        """Say why the rule did not match, from what :meth:`first_failure` returned."""
        if failure == WITHDRAWAL_SKIP:
            return (
                "the candidate withdrew, and only rules naming reason_kind 'they_withdrew' "
                "apply to withdrawals"
            )
        return self.checks[failure].why_not(facts)

    def describe_match(self) -> str:
        """Say which conditions held."""
        if not self.checks:
            return "it has no conditions"
        return "; ".join(check.label for check in self.checks)


@dataclass(frozen=True, slots=True)
class RuleTrail:
    """How the rule was chosen; turned into sentences only when a decision is explained."""

    facts: Facts
    passed_over: tuple[tuple[CompiledRule, int], ...]
    chosen: CompiledRule
    matched: bool

    def lines(self) -> tuple[str, ...]:
        """One sentence per rule tried."""
        said = [
            f"rule {rule.index} {rule.name!r} passed over: {rule.why_not(self.facts, failure)}"
            for rule, failure in self.passed_over
        ]
        if self.matched:
            said.append(
                f"rule {self.chosen.index} {self.chosen.name!r} matched: "
                f"{self.chosen.describe_match()}"
            )
        else:
            said.append(f"no rule matched; built-in fallback: {self.chosen.rule.description}")
        return tuple(said)


def match(
    rules: tuple[CompiledRule, ...], facts: Facts, fallback: CompiledRule
) -> tuple[CompiledRule, RuleTrail]:
    """The first rule of *rules* that matches *facts*, else *fallback*, and the trail."""
    passed: list[tuple[CompiledRule, int]] = []
    for rule in rules:
        failure = rule.first_failure(facts)
        if failure is None:
            return rule, RuleTrail(facts, tuple(passed), rule, matched=True)
        passed.append((rule, failure))
    return fallback, RuleTrail(facts, tuple(passed), fallback, matched=False)


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
                is_withdrawal_rule=rule.when.is_withdrawal_rule,
            )
        )
    return tuple(compiled)
