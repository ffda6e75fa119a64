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

Four figures per run, each the best of ``--repeat`` rounds over the same messages:

* ``compose``: :meth:`Composer.compose`, the full path (template lookup, sandboxed render of
  subject, text and HTML, tidying, lint);
* ``render``: :meth:`Composer.render`, the same without the lint;
* ``lint``: :func:`lint` alone, on the rendered messages;
* ``bare Jinja2``: the same template files rendered with a plain ``jinja2.Environment`` (no
  sandbox, no strict undefined, no finalize; autoescape for HTML; templates cached), with
  the variables prepared outside the timing: the cost of the templates themselves.

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


def bare_environment() -> jinja2.Environment:
    environment = jinja2.Environment(
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
    composer: Composer, cases: list[tuple[Purpose, MessageContext]]
) -> list[tuple[list[jinja2.Template], dict[str, Any]]]:
    """The same template files and variables, for plain Jinja2."""
    environment = bare_environment()
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

    def compose_all() -> None:
        for purpose, context in cases:
            composer.compose(purpose, context)

    def render_all() -> None:
        for purpose, context in cases:
            composer.render(purpose, context)

    def lint_all() -> None:
        for message, context in rendered:
            lint(message, context)

    def bare_all() -> None:
        for templates, variables in jobs:
            for template in templates:
                template.render(variables)

    results = {
        "compose (render + lint)": best_rate(compose_all, len(cases), repeat),
        "render only (sandboxed, no lint)": best_rate(render_all, len(cases), repeat),
        "lint only": best_rate(lint_all, len(cases), repeat),
        "bare Jinja2 (same templates)": best_rate(bare_all, len(cases), repeat),
    }
    print(
        f"\n{name}: {len(cases)} messages ({html_parts} with an HTML part); "
        f"lint findings on the first 2000: {flagged}"
    )
    print(f"{'path':36} {'best msg/s':>11} {'median msg/s':>13} {'us/msg (best)':>14}")
    for path, (best, median) in results.items():
        print(f"{path:36} {best:11,.0f} {median:13,.0f} {1e6 / best:14.1f}")
    bare = results["bare Jinja2 (same templates)"][0]
    render = results["render only (sandboxed, no lint)"][0]
    compose = results["compose (render + lint)"][0]
    print(f"time over bare Jinja2: render {bare / render:.2f}x, compose {bare / compose:.2f}x")


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
