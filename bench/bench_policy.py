"""Policy decisions per second on one core.

Run: ``uv run python bench/bench_policy.py [--cases 20000] [--repeat 3]``

The engine uses the example configuration's rules (four of its own before the six shipped
ones) and decides varied rejections: every stage kind, reasons including withdrawals,
sources including agencies and referrals, internal candidates, tags, candidates in a dozen
countries (with and without a region or a time zone of their own), jobs in three offices,
decision times spread over six weeks (so holidays, weekends and a clock change are met), and
one person in ten with other applications (active, rejected or hired). Every case is
distinct; the caches warm up on a separate set first, as they would in a long-running worker.

The timed loop does what a caller does: it hands each decision on (here: counts its outcome)
and drops it, rather than keeping all of them alive. The cases are built before the clock
starts and then frozen out of the garbage collector's reach (``gc.collect(); gc.freeze()``),
as a worker's long-lived inputs would be after start-up; the collector stays on while
timing, so the objects a decision makes are collected as they would be in production. The
old method (every decision kept in a list, inputs not frozen) is reported alongside, to
compare with figures measured that way.

It reports single decisions (``decide``), the same decisions again with every send time
already cached (the policy's own cost, without the timing module's arithmetic), and a bulk
run (``decide_batch``, which also spreads each sender's messages under the hourly cap).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ats_reject.clock import FrozenClock
from ats_reject.config import load_config
from ats_reject.models import (
    Application,
    ApplicationStatus,
    Candidate,
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
)
from ats_reject.policy import Decision, Outcome, PolicyEngine, RejectionCase

_REPEATED = 4_000
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "ats-reject.toml"
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

PLACES = [
    Location(country="DE", region="Bayern"),
    Location(country="DE", region="Berlin"),
    Location(country="DE"),
    Location(country="US", region="CA"),
    Location(country="US", region="New York"),
    Location(country="US", region="TX"),
    Location(country="GB"),
    Location(country="FR"),
    Location(country="IN", region="Karnataka"),
    Location(country="BR", region="SP"),
    Location(country="JP"),
    Location(country="AU", region="NSW"),
    Location(country="CA", region="ON"),
    Location(country="NL"),
    Location(city="Somewhere"),
]
ZONES = [None, None, None, "Europe/Paris", "America/Los_Angeles", "Asia/Tokyo"]
OFFICES = [
    Office(id="ber", name="Berlin", location=Location(country="DE", region="Berlin")),
    Office(id="aus", name="Austin", location=Location(country="US", region="TX")),
    Office(id="blr", name="Bengaluru", location=Location(country="IN", region="Karnataka")),
]
JOBS = [
    Job(id=f"job-{n}", name=f"Role {n}", department=dept, offices=(office,))
    for n, (dept, office) in enumerate(
        (dept, office)
        for dept in ("Engineering", "Sales", "Design", "Operations")
        for office in OFFICES
    )
]
STAGES = [
    Stage(id="s0", name="Application Review", position=0, kind=StageKind.APPLICATION_REVIEW),
    Stage(id="s1", name="Recruiter Screen", position=1, kind=StageKind.SCREEN),
    Stage(id="s2", name="Take-home", position=2, kind=StageKind.ASSESSMENT),
    Stage(id="s3", name="Onsite", position=3, kind=StageKind.INTERVIEW),
    Stage(id="s4", name="Final", position=4, kind=StageKind.FINAL),
    Stage(id="s5", name="Offer", position=5, kind=StageKind.OFFER),
]
STAGE_WEIGHTS = [40, 25, 10, 15, 7, 3]
REASONS = [
    RejectionReason(id="r1", name="Experience", kind=RejectionReasonKind.WE_REJECTED),
    RejectionReason(id="r2", name="Position filled", kind=RejectionReasonKind.WE_REJECTED),
    RejectionReason(id="r3", name="Withdrew", kind=RejectionReasonKind.THEY_WITHDREW),
    RejectionReason(id="r4", name="No response", kind=RejectionReasonKind.OTHER),
]
REASON_WEIGHTS = [55, 25, 12, 8]
SOURCES = [
    Source(kind=SourceKind.APPLIED, name="Careers page"),
    Source(kind=SourceKind.REFERRAL, name="Employee referral"),
    Source(kind=SourceKind.AGENCY, name="Agency"),
    Source(kind=SourceKind.SOURCED, name="LinkedIn"),
    Source(kind=SourceKind.INTERNAL, name="Internal"),
]
SOURCE_WEIGHTS = [60, 12, 8, 15, 5]
RECRUITERS = [User(id=f"u{n}", name=f"Recruiter {n}") for n in range(8)]


def _application(rng: random.Random, number: int, status: ApplicationStatus) -> Application:
    decided = START + timedelta(seconds=rng.randrange(0, 42 * 24 * 3600))
    stage = rng.choices(STAGES, STAGE_WEIGHTS)[0]
    rejection = (
        Rejection(decided_at=decided, reason=rng.choices(REASONS, REASON_WEIGHTS)[0])
        if status is ApplicationStatus.REJECTED
        else None
    )
    candidate = Candidate(
        id=f"cand-{number}",
        first_name="Sam",
        emails=(f"person{number}@example.com",),
        time_zone=rng.choice(ZONES),
        location=rng.choice(PLACES),
        tags=("silver-medallist",) if rng.random() < 0.05 else (),
        is_internal=rng.random() < 0.03,
    )
    return Application(
        id=f"app-{number}",
        candidate=candidate,
        status=status,
        job=rng.choice(JOBS),
        current_stage=stage,
        rejection=rejection,
        source=rng.choices(SOURCES, SOURCE_WEIGHTS)[0],
        recruiter=rng.choice(RECRUITERS),
        applied_at=decided - timedelta(days=rng.randrange(1, 60)),
        had_interviews=rng.choice((None, True, False)),
    )


def make_cases(count: int, seed: int) -> list[RejectionCase]:
    """Distinct, varied rejection cases."""
    rng = random.Random(seed)
    cases: list[RejectionCase] = []
    for number in range(count):
        application = _application(rng, seed * 10_000_000 + number, ApplicationStatus.REJECTED)
        others: list[Application] = []
        if rng.random() < 0.1:
            status = rng.choice(list(ApplicationStatus))
            other = _application(rng, seed * 10_000_000 + count + number, status)
            others.append(other.model_copy(update={"candidate": application.candidate}))
        connection = rng.choice(("greenhouse", "lever-eu"))
        cases.append(RejectionCase(connection, application, tuple(others)))
    return cases


def _machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"nproc {os.cpu_count()}, {model}, Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.system()} {platform.release()}"
    )


def _settle(*, freeze: bool) -> None:
    """Run the collection the set-up leaves due; with *freeze*, exempt what exists now."""
    gc.collect()
    if freeze:
        gc.freeze()


def _count(decision: Decision, outcomes: dict[str, int]) -> None:
    """Tally one decision's outcome (and channel, when planned)."""
    label = decision.outcome.value
    if decision.outcome is Outcome.PLANNED and decision.channel is not None:
        label = f"planned/{decision.channel.value}"
    outcomes[label] = outcomes.get(label, 0) + 1


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    config = load_config(EXAMPLE, environ={})
    clock = FrozenClock(START)
    engine = PolicyEngine(config.policy, config.company, clock=clock)
    for case in make_cases(2_000, seed=1):
        engine.decide(case)

    single: list[float] = []
    kept: list[float] = []
    repeated: list[float] = []
    bulk: list[float] = []
    outcomes: dict[str, int] = {}
    for run in range(args.repeat):
        cases = make_cases(args.cases, seed=100 + run)
        _settle(freeze=True)
        started = time.perf_counter()
        for case in cases:
            _count(engine.decide(case), outcomes)
        single.append(len(cases) / (time.perf_counter() - started))
        gc.unfreeze()
        # The old method, for comparison: every decision stays alive until the loop ends,
        # and the inputs are not frozen, so each full collection walks all of them.
        cases = make_cases(args.cases, seed=400 + run)
        _settle(freeze=False)
        started = time.perf_counter()
        decisions = [engine.decide(case) for case in cases]
        kept.append(len(cases) / (time.perf_counter() - started))
        del decisions
        # Cases decided a second time find every send time cached (the caches hold 8192),
        # which leaves the policy's own cost without the timing module's arithmetic.
        again = make_cases(_REPEATED, seed=300 + run)
        for case in again:
            engine.decide(case)
        _settle(freeze=True)
        started = time.perf_counter()
        for case in again:
            engine.decide(case)
        repeated.append(len(again) / (time.perf_counter() - started))
        gc.unfreeze()
        # A batch returns all its decisions at once, so they are alive together by design.
        cases = make_cases(args.cases, seed=200 + run)
        _settle(freeze=True)
        started = time.perf_counter()
        engine.decide_batch(cases)
        bulk.append(len(cases) / (time.perf_counter() - started))
        gc.unfreeze()

    print(f"machine: {_machine()}")
    print(f"command: uv run python bench/bench_policy.py {' '.join(sys.argv[1:])}".rstrip())
    print(f"rules: {len(engine.rules)}; cases per run: {args.cases}; runs: {args.repeat}")
    print(f"outcomes (the timed decide() runs): {dict(sorted(outcomes.items()))}")
    print(
        f"decide():        median {statistics.median(single):,.0f} decisions/s "
        f"(runs: {', '.join(f'{rate:,.0f}' for rate in single)})"
    )
    print(
        f"decide(), old method (all decisions kept, inputs not frozen): median "
        f"{statistics.median(kept):,.0f} decisions/s "
        f"(runs: {', '.join(f'{rate:,.0f}' for rate in kept)})"
    )
    print(
        f"decide(), send times cached: median {statistics.median(repeated):,.0f} decisions/s "
        f"(runs: {', '.join(f'{rate:,.0f}' for rate in repeated)})"
    )
    print(
        f"decide_batch():  median {statistics.median(bulk):,.0f} decisions/s "
        f"(runs: {', '.join(f'{rate:,.0f}' for rate in bulk)})"
    )


if __name__ == "__main__":
    main()
