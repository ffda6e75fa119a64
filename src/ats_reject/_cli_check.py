"""``ats-reject check``: the configuration, every template rendered with sample data, the lint.

The configuration is loaded first (a bad one stops everything: exit 2). Then the policy and
the follow-ups are built from it, every template (shipped and the user's) is rendered with
invented sample data and linted, and every template a rule or setting names must exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from ats_reject._cli_common import composer_for
from ats_reject.compose import (
    Composer,
    Purpose,
    Severity,
    TemplateCheck,
    check_templates,
    locale_chain,
)
from ats_reject.config import Config
from ats_reject.followups import FollowUpPlanner
from ats_reject.policy import WITHDRAWAL_TEMPLATE, Channel, PolicyEngine, Rule

__all__ = ["run_check"]

_CONSENT_TEMPLATE = "consent_request"
_RE_ENGAGEMENT_TEMPLATE = "re_engagement"


@dataclass(frozen=True, slots=True)
class _Reference:
    """A template named by a rule or setting."""

    where: str
    template: str


def _rule_references(index: int, rule: Rule, own_rules: int) -> list[_Reference]:
    name = rule.name or f"rule {index}"
    where = f"policy.rules[{index}] ({name})" if index < own_rules else f"shipped rule {name}"
    then = rule.then
    if then.channel is Channel.NONE:
        return []
    found: list[_Reference] = []
    if then.channel is Channel.CALL:
        found.append(_Reference(f"{where}.then.call", then.call.talking_points_template))
        found.append(_Reference(f"{where}.then.call", then.call.fallback_template))
    elif then.channel is Channel.EMAIL:
        default = WITHDRAWAL_TEMPLATE if rule.when.is_withdrawal_rule else "rejection"
        found.append(_Reference(f"{where}.then", then.template or default))
    if then.talent_pool:
        found.append(_Reference(f"{where}.then.talent_pool", _CONSENT_TEMPLATE))
        if then.follow_up.re_engagement:
            found.append(_Reference(f"{where}.then.follow_up", _RE_ENGAGEMENT_TEMPLATE))
    return found


def _references(config: Config) -> list[_Reference]:
    policy = config.policy
    found: list[_Reference] = []
    for index, rule in enumerate(policy.effective_rules()):
        found.extend(_rule_references(index, rule, len(policy.rules)))
    if policy.promises.holding_update:
        found.append(_Reference("policy.promises", policy.promises.holding_update_template))
    found.append(_Reference("followups.consent_renew_before", _CONSENT_TEMPLATE))
    return found


def _reference_problem(reference: _Reference, composer: Composer, locale: str) -> str | None:
    purposes = {purpose.value for purpose in Purpose}
    if reference.template not in purposes:
        return f"{reference.where} names template {reference.template!r}, which is no purpose"
    chain = set(locale_chain(locale, composer.default_locale))
    for _source, template_locale, template_id in composer.templates.template_ids():
        if template_locale in chain and template_id.split(".", 1)[0] == reference.template:
            return None
    return (
        f"{reference.where} names template {reference.template!r}, but no template for it "
        f"exists in locale {locale}"
    )


def _summary(config: Config) -> Table:
    table = Table(title="Configuration", show_header=False, title_justify="left")
    table.add_column("key", style="bold")
    table.add_column("value")
    policy = config.policy
    shipped = len(policy.effective_rules()) - len(policy.rules)
    table.add_row("file", str(config.source) if config.source else "embedded defaults")
    table.add_row("company", f"{config.company.name} ({config.company.time_zone})")
    connections = ", ".join(
        f"{name} ({item.adapter})" for name, item in sorted(config.connections.items())
    )
    table.add_row("connections", connections or "none")
    table.add_row("rules", f"{len(policy.rules)} of yours, {shipped} shipped")
    table.add_row("templates", str(config.templates.folder or "shipped only"))
    table.add_row("store", config.store.display_url)
    table.add_row("mail", config.mail.transport.value)
    return table


def _template_row(check: TemplateCheck) -> tuple[str, str, str, str]:
    errors = [item for item in check.findings if item.severity is Severity.ERROR]
    warnings = [item for item in check.findings if item.severity is not Severity.ERROR]
    if check.problem is not None:
        return check.template_id, "BROKEN", "-", check.problem
    details = "; ".join(f"{item.code} {item.message}" for item in (*errors, *warnings))
    result = "LINT ERROR" if errors else "ok"
    return check.template_id, result, f"{len(errors)} / {len(warnings)}", details


def run_check(config: Config, out: Console) -> int:
    """Check *config* and print the summary; return the exit code (0 good, 1 template problems).

    Raises:
        ConfigurationError: The policy or the follow-ups cannot be built from *config*.
    """
    engine = PolicyEngine.from_config(config)
    FollowUpPlanner.from_config(config, engine=engine)
    composer = composer_for(config)
    out.print(_summary(config))
    checks = check_templates(composer)
    table = Table(title="Templates (rendered with sample data, then linted)", title_justify="left")
    table.add_column("template")
    table.add_column("result")
    table.add_column("errors / warnings", justify="right")
    table.add_column("details")
    for check in checks:
        table.add_row(*_template_row(check))
    out.print(table)
    problems = [
        problem
        for reference in _references(config)
        if (problem := _reference_problem(reference, composer, config.company.locale))
    ]
    for problem in dict.fromkeys(problems):
        out.print(f"missing template: {problem}")
    broken = sum(check.problem is not None for check in checks)
    failing = sum(check.problem is None and not check.ok for check in checks)
    if broken or failing or problems:
        out.print(
            f"check failed: {len(checks)} templates, {broken} broken, {failing} with lint "
            f"errors, {len(set(problems))} missing"
        )
        return 1
    out.print(f"check passed: {len(checks)} templates rendered and linted without errors")
    return 0
