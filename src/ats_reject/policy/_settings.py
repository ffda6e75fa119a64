"""``[policy]``: the rule list and the settings that apply to every rule, with shipped defaults."""

from __future__ import annotations

from collections import Counter
from enum import StrEnum
from typing import Annotated, Self

from pydantic import AfterValidator, Field, StrictBool, StrictInt, model_validator
from pydantic_core import PydanticCustomError

from ats_reject._config_base import (
    DurationText,
    NonZeroDurationText,
    SettingsModel,
    WindowText,
    choice,
)
from ats_reject._durations import parse_duration
from ats_reject.compose.context import FeedbackScope
from ats_reject.models import RejectionReasonKind, StageKind
from ats_reject.policy._rules import (
    WITHDRAWAL_TEMPLATE,
    Channel,
    FollowUpPlan,
    Rule,
    RuleAction,
    RuleCondition,
    TemplateId,
)

__all__ = [
    "ApplicationsPolicy",
    "DefaultTiming",
    "PolicySettings",
    "PromisesPolicy",
    "WithdrawalResponse",
    "default_rules",
]


class WithdrawalResponse(StrEnum):
    """What a candidate who withdrew receives under the shipped rules."""

    NOTHING = "nothing"
    THANK_YOU = "thank_you"


class DefaultTiming(SettingsModel):
    """``[policy.timing]``: the timing every rule uses unless it sets its own."""

    minimum_delay: NonZeroDurationText = "24h"
    """Time from the decision to the earliest send; never zero."""
    deadline: NonZeroDurationText = "5 business days"
    """The promised latest send after the decision."""
    send_window: WindowText = "working days 09:00-17:00"
    """Local days and hours in the candidate's zone."""
    minimum_after_application: DurationText | None = None
    """Never before this long after the application."""


class ApplicationsPolicy(SettingsModel):
    """``[policy.applications]``: one person with several applications."""

    hold_while_active: StrictBool = True
    """Hold a message while another application of the same person is still active."""
    cancel_on_offer_or_hire: StrictBool = True
    """Send nothing if any application of the person is at the offer stage or hired."""
    consolidate: StrictBool = True
    """Send one message naming every role when several applications are rejected."""
    consolidate_within: DurationText = "14 days"
    """Rejections this close to the latest one are told in the same message."""


def _elapsed(text: str) -> str:
    if not parse_duration(text).is_elapsed_time:
        raise PydanticCustomError(
            "duration", "use hours or minutes here (for example '24h'), not days"
        )
    return text


class PromisesPolicy(SettingsModel):
    """``[policy.promises]``: a decision promised to a candidate by a date."""

    remind_recruiter: StrictBool = True
    """Remind the recruiter before the promised moment."""
    remind_recruiter_before: Annotated[DurationText, AfterValidator(_elapsed)] = "24h"
    """How long before the promised moment (hours or minutes)."""
    holding_update: StrictBool = True
    """Send the candidate a holding update when the date passes undecided."""
    holding_update_template: TemplateId = "holding_update"
    """Template of the holding update."""


class PolicySettings(SettingsModel):
    """``[policy]``: the rules, first match wins, and what applies to all of them."""

    rules: tuple[Rule, ...] = ()
    """Your rules, tried in order before the shipped ones."""
    use_default_rules: StrictBool = True
    """Try the shipped rules after yours (see :func:`default_rules`)."""
    withdrawal: Annotated[WithdrawalResponse, choice(WithdrawalResponse)] = (
        WithdrawalResponse.NOTHING
    )
    """What a candidate who withdrew gets from the shipped rules: ``nothing`` or ``thank_you``."""
    feedback_requires_interviews: StrictBool = True
    """Never include feedback for a candidate who had no interview, whatever a rule says."""
    sender_hourly_cap: StrictInt | None = Field(default=100, ge=1)
    """The most e-mails one sender sends in any hour when a batch is planned."""
    timing: DefaultTiming = Field(default_factory=DefaultTiming)
    """Timing for every rule that does not set its own."""
    applications: ApplicationsPolicy = Field(default_factory=ApplicationsPolicy)
    """One person, several applications."""
    promises: PromisesPolicy = Field(default_factory=PromisesPolicy)
    """Promised decision dates."""

    @model_validator(mode="after")
    def _unique_names(self) -> Self:
        counts = Counter(rule.name for rule in self.rules if rule.name is not None)
        repeated = sorted(name for name, count in counts.items() if count > 1)
        if repeated:
            raise PydanticCustomError(
                "rule_names",
                "rule names must be unique; used more than once: {names}",
                {"names": ", ".join(repr(name) for name in repeated)},
            )
        return self

    def effective_rules(self) -> tuple[Rule, ...]:
        """The rules in the order they are tried: yours, then the shipped ones if enabled."""
        if not self.use_default_rules:
            return self.rules
        return self.rules + default_rules(self.withdrawal)


_RE_ENGAGE = FollowUpPlan(re_engagement=("6 months",))


def default_rules(
    withdrawal: WithdrawalResponse = WithdrawalResponse.NOTHING,
) -> tuple[Rule, ...]:
    """The shipped rules, in order.

    1. ``default:withdrawn`` - a candidate who withdrew: nothing, or a thank-you.
    2. ``default:internal`` - an employee: a recruiter call.
    3. ``default:final-stage`` - final or offer stage: a call, strengths, talent pool.
    4. ``default:early-stage`` - application review and screen: e-mail, no feedback.
    5. ``default:interviewed`` - after interviews: e-mail with strengths, talent pool.
    6. ``default:otherwise`` - e-mail, no feedback.
    """
    thank = withdrawal is WithdrawalResponse.THANK_YOU
    return (
        Rule(
            name="default:withdrawn",
            description="Someone who withdrew is never sent a rejection.",
            when=RuleCondition(reason_kind=(RejectionReasonKind.THEY_WITHDREW,)),
            then=RuleAction(
                channel=Channel.EMAIL if thank else Channel.NONE,
                template=WITHDRAWAL_TEMPLATE if thank else None,
            ),
        ),
        Rule(
            name="default:internal",
            description="Colleagues hear it from a person.",
            when=RuleCondition(internal=True),
            then=RuleAction(channel=Channel.CALL),
        ),
        Rule(
            name="default:final-stage",
            description="Someone who reached the final round deserves a call.",
            when=RuleCondition(stage_kind=(StageKind.FINAL, StageKind.OFFER)),
            then=RuleAction(
                channel=Channel.CALL,
                feedback=FeedbackScope.STRENGTHS,
                talent_pool=True,
                follow_up=_RE_ENGAGE,
            ),
        ),
        Rule(
            name="default:early-stage",
            description="Early stages: a short, kind e-mail without feedback.",
            when=RuleCondition(stage_kind=(StageKind.APPLICATION_REVIEW, StageKind.SCREEN)),
            then=RuleAction(channel=Channel.EMAIL),
        ),
        Rule(
            name="default:interviewed",
            description="After interviews: what they did well, and the talent pool.",
            when=RuleCondition(had_interviews=True),
            then=RuleAction(
                channel=Channel.EMAIL,
                feedback=FeedbackScope.STRENGTHS,
                talent_pool=True,
                follow_up=_RE_ENGAGE,
            ),
        ),
        Rule(
            name="default:otherwise",
            description="Everything else: an e-mail without feedback.",
            then=RuleAction(channel=Channel.EMAIL),
        ),
    )
