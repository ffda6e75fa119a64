"""Messages composed per second on one core, and the cost over bare Jinja2.

Run: ``uv run python bench/bench_compose.py [--messages 10000] [--repeat 5]``

Two workloads, both on the shipped templates, every message with a subject, a text part and
(except talking points) an HTML part:

* ``english rejections``: rejections in English, every stage kind, all three feedback
  scopes, names without accents: the common case;
* ``varied mix``: one in four with a talent-pool invitation (whose promises the lint must
  weigh), one in five in German, names with accents (text the fast ASCII scan cannot take),
  and the other purposes now and then (holding updates, call fallbacks, consent requests,
  re-engagement, talking points).

Figures per run, each the best (and the median) of ``--repeat`` rounds over the same
messages:

* ``compose``: :meth:`Composer.compose`, the full path (template lookup, sandboxed render of
  subject, text and HTML, tidying, lint). The composer lints a message through the plan of
  its shape once it has seen the shape twice; the rounds run on one composer, so they show
  the steady state, and the share of messages linted through plans is printed;
* ``compose, cold``: one pass of a fresh composer over the messages: every shape's first
  message gets the full lint, its second builds the plan (one round, not best-of). The
  term lists' patterns compile once per process, on first use; that is paid before, by a
  throwaway composer, and printed apart;
* ``render``: :meth:`Composer.render`, the same without the lint;
* ``lint``: :func:`lint` alone, on the rendered messages (the full lint, no plan);
* ``bare Jinja2``: the same template files rendered with a plain ``jinja2.Environment`` (no
  sandbox, no strict undefined, no finalize; autoescape for HTML; templates cached), with
  the variables prepared outside the timing: the cost of the templates themselves. This is
  the baseline the targets name;
* ``bare Jinja2, dict globals``: the same with the one change the composer's environment
  makes to Jinja2 itself (template globals as a plain dict, which makes each context, and so
  each include, cheaper): what composing costs over rendering alone, with that gain set
  aside.

The garbage collector stays on while timing; a collection is run before each round.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import jinja2

from ats_reject.compose import (
    Composer,
    FeedbackScope,
    MessageContext,
    Purpose,
    RenderedMessage,
    Sender,
    TalentPoolInvitation,
    format_long_date,
    lint,
    locale_chain,
)
from ats_reject.models import StageKind

NAMES = ("Alex", "Priya", "José", "Zoë", "Kwame", "Mei", "Oskar", "Fatima", "Liam", "Ana")
ROLES = (
    "Senior Backend Engineer",
    "Product Designer",
    "Data Analyst",
    "Engineering Manager",
    "Customer Success Lead",
)
STRENGTHS = (
    "your clear explanation of the trade-offs in the caching design",
    "the care you took with tests in the take-home exercise",
    "the way you structured the discussion of the data model",
)
GROWTH = (
    "going deeper on how distributed queues behave when a consumer fails",
    "sizing the rollout plan against the traffic we described",
)
PURPOSES = (
    [Purpose.REJECTION] * 14
    + [Purpose.CALL_FALLBACK, Purpose.HOLDING_UPDATE, Purpose.CONSENT_REQUEST]
    + [Purpose.RE_ENGAGEMENT, Purpose.CALL_TALKING_POINTS]
)


ASCII_NAMES = ("Alex", "Priya", "Kwame", "Mei", "Oskar", "Fatima", "Liam", "Ana")


def make_contexts(count: int, *, mix: bool = True) -> list[tuple[Purpose, MessageContext]]:
    stages = list(StageKind)
    scopes = list(FeedbackScope)
    names = NAMES if mix else ASCII_NAMES
    cases: list[tuple[Purpose, MessageContext]] = []
    for index in range(count):
        purpose = PURPOSES[index % len(PURPOSES)] if mix else Purpose.REJECTION
        scope = scopes[index % 3]
        invite = mix and (index % 4 == 0 or purpose is Purpose.CONSENT_REQUEST)
        context = MessageContext(
            candidate_name=names[index % len(names)],
            role=ROLES[index % len(ROLES)],
            company="Northwind Labs",
            stage=stages[index % len(stages)],
            sender=Sender(
                name="Sam Rivera", title="Talent Partner", reply_to="sam.rivera@example.com"
            ),
            feedback_scope=scope,
            strengths=STRENGTHS[: 1 + index % 2] if scope is not FeedbackScope.NONE else (),
            growth_areas=GROWTH[: 1 + index % 2] if scope is FeedbackScope.FULL else (),
            talent_pool=(
                TalentPoolInvitation(
                    consent_url=f"https://careers.example.com/consent/{index:08d}",
                    retention_months=12,
                )
                if invite
                else None
            ),
            talent_pool_consented=purpose is Purpose.RE_ENGAGEMENT,
            locale="de" if mix and index % 5 == 4 else "en",
            links={"careers": "https://careers.example.com"},
            next_update_by=date(2026, 3, 13) if purpose is Purpose.HOLDING_UPDATE else None,
        )
        cases.append((purpose, context))
    return cases


@jinja2.pass_context
def date_long(context: jinja2.runtime.Context, value: date) -> str:
    return format_long_date(value, str(context.get("locale") or "en"))


class DictGlobalsEnvironment(jinja2.Environment):
    """Jinja2 with template globals as a plain dict, as the composer's sandbox has them."""

    def make_globals(self, d: Any) -> Any:
        return {**self.globals, **(d or {})}


def bare_environment(kind: type[jinja2.Environment] = jinja2.Environment) -> jinja2.Environment:
    environment = kind(
        loader=jinja2.PackageLoader("ats_reject.compose", "templates"),
        autoescape=jinja2.select_autoescape(
            enabled_extensions=("html.j2",), default_for_string=False
        ),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        cache_size=-1,
    )
    environment.filters["date_long"] = date_long
    return environment


def bare_jobs(
    composer: Composer,
    cases: list[tuple[Purpose, MessageContext]],
    kind: type[jinja2.Environment] = jinja2.Environment,
) -> list[tuple[list[jinja2.Template], dict[str, Any]]]:
    """The same template files and variables, for plain Jinja2."""
    environment = bare_environment(kind)
    jobs = []
    for purpose, context in cases:
        rendered = composer.render(purpose, context)
        chain = locale_chain(context.locale, composer.default_locale)
        bundle = composer.templates.find(purpose.value, context.stage.value, chain)
        names = [bundle.subject.name, bundle.text.name]
        if bundle.html is not None:
            names.append(bundle.html.name)
        templates = [
            environment.get_template(name.rpartition(":")[2]) for name in names if name is not None
        ]
        variables = context.template_variables()
        variables.update(
            locale=rendered.locale_used, purpose=purpose.value, subject=rendered.subject
        )
        jobs.append((templates, variables))
    return jobs


def best_rate(run: Callable[[], None], count: int, repeat: int) -> tuple[float, float]:
    """Best and median messages per second over *repeat* rounds."""
    rates = []
    for _ in range(repeat):
        gc.collect()
        # The set-up's objects (every context and message of the run) are long-lived; a
        # worker composing one message at a time has none of them, so full collections
        # should not have to walk them while timing.
        gc.freeze()
        start = time.perf_counter()
        run()
        rates.append(count / (time.perf_counter() - start))
        gc.unfreeze()
    return max(rates), statistics.median(rates)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def run_workload(name: str, cases: list[tuple[Purpose, MessageContext]], repeat: int) -> None:
    # The term lists' patterns compile on first use, once per process; a throwaway composer
    # pays for that here, so that the cold pass below shows what a new composer costs.
    start = time.perf_counter()
    warm = Composer()
    for _ in range(3):
        for purpose, context in cases[:300]:
            warm.compose(purpose, context)
    compile_seconds = time.perf_counter() - start
    cold = Composer()
    start = time.perf_counter()
    for purpose, context in cases:
        cold.compose(purpose, context)
    cold_rate = len(cases) / (time.perf_counter() - start)
    cold_stats = cold.lint_stats

    composer = Composer()
    for purpose, context in cases[:200]:
        composer.compose(purpose, context)
    rendered: list[tuple[RenderedMessage, MessageContext]] = [
        (composer.render(purpose, context), context) for purpose, context in cases
    ]
    html_parts = sum(1 for message, _ in rendered if message.html is not None)
    flagged = sum(
        1 for purpose, context in cases[:2000] if composer.compose(purpose, context).lint.findings
    )
    jobs = bare_jobs(composer, cases)
    dict_jobs = bare_jobs(composer, cases, DictGlobalsEnvironment)

    def compose_all() -> None:
        for purpose, context in cases:
            composer.compose(purpose, context)

    def render_all() -> None:
        for purpose, context in cases:
            composer.render(purpose, context)

    def lint_all() -> None:
        for message, context in rendered:
            lint(message, context)

    def bare(work: list[tuple[list[jinja2.Template], dict[str, Any]]]) -> Callable[[], None]:
        def run() -> None:
            for templates, variables in work:
                for template in templates:
                    template.render(variables)

        return run

    before = composer.lint_stats
    results = {
        "compose (render + lint)": best_rate(compose_all, len(cases), repeat),
        "render only (sandboxed, no lint)": best_rate(render_all, len(cases), repeat),
        "lint only (full, no plan)": best_rate(lint_all, len(cases), repeat),
        "bare Jinja2 (same templates)": best_rate(bare(jobs), len(cases), repeat),
        "bare Jinja2, dict globals": best_rate(bare(dict_jobs), len(cases), repeat),
    }
    after = composer.lint_stats
    planned = after.planned - before.planned
    full = after.full - before.full
    print(
        f"\n{name}: {len(cases)} messages ({html_parts} with an HTML part); "
        f"lint findings on the first 2000: {flagged}; shapes (plans): {after.plans}"
    )
    print(f"{'path':36} {'best msg/s':>11} {'median msg/s':>13} {'us/msg (best)':>14}")
    for path, (best, median) in results.items():
        print(f"{path:36} {best:11,.0f} {median:13,.0f} {1e6 / best:14.1f}")
    print(
        f"{'compose, cold (one pass)':36} {cold_rate:11,.0f} {'':>13} {1e6 / cold_rate:14.1f}"
        f"   (planned {cold_stats.planned}, full {cold_stats.full})"
    )
    print(f"timed rounds: {planned} messages linted through plans, {full} in full")
    print(f"first use in this process (compiling, 900 warm-up messages): {compile_seconds:.2f} s")
    bare_rate = results["bare Jinja2 (same templates)"][0]
    dict_rate = results["bare Jinja2, dict globals"][0]
    render = results["render only (sandboxed, no lint)"][0]
    compose = results["compose (render + lint)"][0]
    print(
        f"time over bare Jinja2: render {bare_rate / render:.2f}x, "
        f"compose {bare_rate / compose:.2f}x, cold compose {bare_rate / cold_rate:.2f}x; "
        f"over bare with dict globals: render {dict_rate / render:.2f}x, "
        f"compose {dict_rate / compose:.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(
        f"machine: nproc {os.cpu_count()}, {cpu_model()}, Python {platform.python_version()}, "
        f"Jinja2 {jinja2.__version__}"
    )
    run_workload("english rejections", make_contexts(args.messages, mix=False), args.repeat)
    run_workload("varied mix", make_contexts(args.messages), args.repeat)


if __name__ == "__main__":
    main()
