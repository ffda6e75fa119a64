"""Rejection policy: which rule applies, through which channel, when, and what follows.

Pure: no I/O; the clock is injected. Build a :class:`PolicyEngine` from the ``[policy]`` and
``[company]`` settings (or :meth:`PolicyEngine.from_config`), then ask it to
:meth:`~PolicyEngine.decide` a :class:`RejectionCase`::

    engine = PolicyEngine.from_config(config, clock=clock)
    decision = engine.decide(RejectionCase("greenhouse", application, other_applications))
    decision.outcome          # planned, held or cancelled
    decision.actions          # PlannedAction(s), each with a stable outbox key
    decision.explain()        # why: the rule, the channel, the times

The rule models (:class:`Rule`, :class:`RuleCondition`, :class:`RuleAction` ...) are the
``[[policy.rules]]`` tables of ``ats-reject.toml``; see docs/policy.md for recipes.
"""

from ats_reject.policy._engine import PolicyEngine
from ats_reject.policy._models import (
    ActionCondition,
    Audience,
    CancelScope,
    Decision,
    MessageKind,
    Outcome,
    PlannedAction,
    RejectionCase,
    decision_version,
)
from ats_reject.policy._rules import (
    REJECTION_TEMPLATES,
    WITHDRAWAL_TEMPLATE,
    CallPlan,
    Channel,
    FollowUpPlan,
    PositionRange,
    Rule,
    RuleAction,
    RuleCondition,
    TimingText,
)
from ats_reject.policy._settings import (
    ApplicationsPolicy,
    DefaultTiming,
    PolicySettings,
    PromisesPolicy,
    WithdrawalResponse,
    default_rules,
)

__all__ = [
    "REJECTION_TEMPLATES",
    "WITHDRAWAL_TEMPLATE",
    "ActionCondition",
    "ApplicationsPolicy",
    "Audience",
    "CallPlan",
    "CancelScope",
    "Channel",
    "Decision",
    "DefaultTiming",
    "FollowUpPlan",
    "MessageKind",
    "Outcome",
    "PlannedAction",
    "PolicyEngine",
    "PolicySettings",
    "PositionRange",
    "PromisesPolicy",
    "RejectionCase",
    "Rule",
    "RuleAction",
    "RuleCondition",
    "TimingText",
    "WithdrawalResponse",
    "decision_version",
    "default_rules",
]
