"""Policy rules as written in ``ats-reject.toml``: ``when`` it looks like this, ``then`` that.

These models only hold and check what the file says; :mod:`ats_reject.policy._match` compiles
them for fast matching and :mod:`ats_reject.policy._engine` applies them.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ats_reject._config_base import (
    DurationText,
    NonZeroDurationText,
    SettingsModel,
    TextList,
    WindowText,
    choice,
    choices,
    nonempty_text,
)
from ats_reject.compose.context import FeedbackScope
from ats_reject.models import RejectionReasonKind, SourceKind, StageKind

__all__ = [
    "REJECTION_TEMPLATES",
    "WITHDRAWAL_TEMPLATE",
    "CallPlan",
    "Channel",
    "FollowUpPlan",
    "PositionRange",
    "Rule",
    "RuleAction",
    "RuleCondition",
    "TemplateId",
    "TimingText",
]

WITHDRAWAL_TEMPLATE = "withdrawal_thanks"
"""The template a thank-you to a candidate who withdrew is written with."""
REJECTION_TEMPLATES = frozenset({"rejection", "call_talking_points", "call_fallback"})
"""Templates that tell a candidate they were rejected (never used for a withdrawal)."""

_TEMPLATE_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class Channel(StrEnum):
    """How a candidate is told."""

    EMAIL = "email"
    """An e-mail written from our templates and sent by our transport."""
    CALL = "call"
    """A recruiter calls; an e-mail follows if the call is not marked done in time."""
    ATS = "ats"
    """The ATS sends its own e-mail (only where the adapter has ``native_email``)."""
    NONE = "none"
    """Nothing is sent."""


def _template_id(value: str) -> str:
    if not _TEMPLATE_ID.match(value):
        raise PydanticCustomError(
            "template",
            "expected a template purpose such as 'rejection' (lower case letters, digits and _)",
        )
    return value


TemplateId = Annotated[StrictStr, AfterValidator(_template_id)]
Text = Annotated[StrictStr, AfterValidator(nonempty_text)]


class PositionRange(SettingsModel):
    """A range of zero-based stage positions, both ends inclusive."""

    min: StrictInt | None = Field(default=None, ge=0)
    """The first position that matches."""
    max: StrictInt | None = Field(default=None, ge=0)
    """The last position that matches."""

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.min is None and self.max is None:
            raise PydanticCustomError("position", "give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise PydanticCustomError("position", "min must not be greater than max")
        return self

    def describe(self) -> str:
        """Say the range in words (``2 or later``)."""
        if self.max is None:
            return f"{self.min} or later"
        if self.min is None:
            return f"{self.max} or earlier"
        return f"{self.min} to {self.max}"


class RuleCondition(SettingsModel):
    """``when``: what a rejection must look like for the rule to apply.

    An absent key matches anything; a list means any of its values. Text is compared without
    regard to case.
    """

    connection: TextList | None = None
    """Connection names from ``[connections]``."""
    job: TextList | None = None
    """Job names or ids."""
    department: TextList | None = None
    """Department names."""
    office: TextList | None = None
    """Office names or ids (any of the job's offices)."""
    stage_kind: Annotated[tuple[StageKind, ...], choices(StageKind)] | None = None
    """Kinds of the stage the candidate reached: application_review, screen ..."""
    stage_position: PositionRange | None = None
    """Zero-based position of the stage in the job's plan: ``{ min = 3 }``."""
    stage_name: TextList | None = None
    """Stage names as the ATS writes them."""
    reason: TextList | None = None
    """Rejection reason names or ids."""
    reason_kind: Annotated[tuple[RejectionReasonKind, ...], choices(RejectionReasonKind)] | None = (
        None
    )
    """``we_rejected``, ``they_withdrew`` or ``other``."""
    source_kind: Annotated[tuple[SourceKind, ...], choices(SourceKind)] | None = None
    """applied, referral, agency, internal, sourced, other."""
    source: TextList | None = None
    """Source names as the ATS writes them (``LinkedIn``)."""
    tags: TextList | None = None
    """Candidate tags; any one of them matches."""
    internal: StrictBool | None = None
    """The candidate is an employee (flagged internal, or source kind ``internal``)."""
    had_interviews: StrictBool | None = None
    """Whether an interview took place (inferred from the stage when the ATS cannot tell)."""

    @property
    def is_withdrawal_rule(self) -> bool:
        """Whether the rule is about candidates who withdrew."""
        return self.reason_kind == (RejectionReasonKind.THEY_WITHDREW,)


class TimingText(SettingsModel):
    """``timing``: when the message may go out; absent keys take ``[policy.timing]``."""

    minimum_delay: NonZeroDurationText | None = None
    """Time from the decision to the earliest send (``24h``); never zero."""
    deadline: NonZeroDurationText | None = None
    """The promised latest send after the decision (``5 business days``)."""
    send_window: WindowText | None = None
    """Local days and hours in the candidate's zone (``Mon-Fri 09:00-17:00``)."""
    minimum_after_application: DurationText | None = None
    """Never before this long after the application (``2 business days``)."""


class CallPlan(SettingsModel):
    """``call``: the recruiter call and its e-mail fallback (channel ``call`` only)."""

    fallback_after: DurationText = "2 business days"
    """How long the recruiter has to mark the call done before the fallback e-mail goes."""
    talking_points_template: TemplateId = "call_talking_points"
    """Template of the recruiter's talking points."""
    fallback_template: TemplateId = "call_fallback"
    """Template of the e-mail sent when the call did not happen in time."""


class FollowUpPlan(SettingsModel):
    """``follow_up``: what follows the message, for a candidate who joins the talent pool."""

    re_engagement: tuple[DurationText, ...] = ()
    """Offsets after the message at which to get back in touch (``["6 months"]``)."""
    consent_validity: DurationText = "12 months"
    """How long a talent-pool consent lasts before it is asked for again."""
    retention: DurationText | None = None
    """Delete the candidate's data this long after the message unless they consented."""


class RuleAction(SettingsModel):
    """``then``: how the candidate is told."""

    channel: Annotated[Channel, choice(Channel)] = Channel.EMAIL
    """``email``, ``call``, ``ats`` or ``none``."""
    template: TemplateId | None = None
    """Template purpose; ``rejection`` (``withdrawal_thanks`` for withdrawals) by default."""
    ats_template_id: Text | None = Field(default=None, validate_default=True)
    """The ATS's own e-mail template (channel ``ats``)."""

    @field_validator("ats_template_id")
    @classmethod
    def _ats_template_for_ats(cls, value: str | None, info: ValidationInfo) -> str | None:
        channel = info.data.get("channel")
        if channel is Channel.ATS and value is None:
            raise PydanticCustomError(
                "channel",
                "channel 'ats' needs ats_template_id, the id of the ATS's e-mail template",
            )
        if channel is not Channel.ATS and value is not None:
            raise PydanticCustomError("channel", "ats_template_id is only for channel 'ats'")
        return value

    feedback: Annotated[FeedbackScope, choice(FeedbackScope)] = FeedbackScope.NONE
    """``none``, ``strengths`` or ``full``."""
    talent_pool: StrictBool = False
    """Invite the candidate to join the talent pool (opt-in)."""
    timing: TimingText = Field(default_factory=TimingText)
    """When the message may go out."""
    call: CallPlan = Field(default_factory=CallPlan)
    """The call and its fallback, for channel ``call``."""
    follow_up: FollowUpPlan = Field(default_factory=FollowUpPlan)
    """Re-engagement and consent follow-ups."""


class Rule(SettingsModel):
    """One ``[[policy.rules]]`` entry: the first rule whose ``when`` matches decides."""

    name: Text | None = None
    """Shown in explanations; ``rule <n>`` when not given."""
    description: StrictStr | None = None
    """Why the rule exists, for the people who maintain the policy."""
    when: RuleCondition = Field(default_factory=RuleCondition)
    """What the rejection must look like; empty matches every rejection."""
    then: RuleAction = Field(default_factory=RuleAction)
    """How the candidate is told."""

    @model_validator(mode="after")
    def _withdrawals_never_rejected(self) -> Self:
        kinds = self.when.reason_kind or ()
        if RejectionReasonKind.THEY_WITHDREW not in kinds:
            return self
        if len(kinds) > 1:
            raise PydanticCustomError(
                "withdrawal",
                "a rule for candidates who withdrew names only reason_kind 'they_withdrew'; "
                "write a separate rule for the other kinds",
            )
        if self.then.channel not in (Channel.EMAIL, Channel.NONE):
            raise PydanticCustomError(
                "withdrawal",
                "a candidate who withdrew gets a thank-you e-mail or nothing: use channel "
                "'email' or 'none'",
            )
        if self.then.template in REJECTION_TEMPLATES:
            raise PydanticCustomError(
                "withdrawal",
                "a candidate who withdrew is never sent a rejection: use a thank-you template "
                f"such as {WITHDRAWAL_TEMPLATE!r}",
            )
        return self
