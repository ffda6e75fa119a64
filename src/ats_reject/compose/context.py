"""What a message may say: the context a template is rendered with, and how to build it.

A :class:`MessageContext` holds everything a template can see and nothing more. It is built
from the core models by :func:`build_context`, which applies the feedback rule (nothing the
rule does not allow gets in) and the caps (at most two strengths and two growth areas by
default). It holds personal data, so its ``repr`` shows none of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import AfterValidator, Field, model_validator

from ats_reject.compose._locales import normalize_locale
from ats_reject.errors import ConfigurationError
from ats_reject.models import Application, CanonicalModel, StageKind, User

__all__ = [
    "SIGN_OFF_KEY_PATH",
    "FeedbackScope",
    "MessageContext",
    "Purpose",
    "Sender",
    "TalentPoolInvitation",
    "build_context",
]

MAX_FEEDBACK_ITEMS = 5
"""A hard ceiling on strengths and on growth areas, whatever cap a caller asks for."""

MAX_FEEDBACK_ITEM_CHARS = 400

SIGN_OFF_KEY_PATH = "company.sign_off"
"""The configuration key of the person who signs when the ATS names nobody."""


class Purpose(StrEnum):
    """What a message is for; each purpose has its own templates and its own lint checks."""

    REJECTION = "rejection"
    """Tell the candidate the decision (templates per stage: ``rejection.interview`` ...)."""
    CALL_TALKING_POINTS = "call_talking_points"
    """Notes for the recruiter who phones the candidate; never sent to the candidate."""
    CALL_FALLBACK = "call_fallback"
    """The e-mail sent when the call did not happen in time."""
    HOLDING_UPDATE = "holding_update"
    """No decision yet: say so, and say when the next update comes."""
    RE_ENGAGEMENT = "re_engagement"
    """A new opening, to a candidate who agreed to be contacted about one."""
    CONSENT_REQUEST = "consent_request"
    """Ask (or ask again) for consent to keep the candidate's details in the talent pool."""
    WITHDRAWAL_THANKS = "withdrawal_thanks"
    """Thank a candidate who withdrew: no decision of ours to state, never a rejection."""


class FeedbackScope(StrEnum):
    """How much feedback the rule allows in a message."""

    NONE = "none"
    """No feedback: neither strengths nor growth areas."""
    STRENGTHS = "strengths"
    """What the candidate did well, nothing about what to improve."""
    FULL = "full"
    """Strengths and growth areas."""


# Control characters would break lines and headers; U+E000 is the composer's own marker
# for an empty placeholder, so it must never arrive from data.
_UNSAFE_CHARS = re.compile("[\x00-\x1f\x7f\ue000]")


def _one_line(value: str) -> str:
    return " ".join(_UNSAFE_CHARS.sub(" ", value).split())


def _one_line_nonempty(value: str) -> str:
    cleaned = _one_line(value)
    if not cleaned:
        raise ValueError("must not be empty")
    return cleaned


def _one_line_optional(value: str | None) -> str | None:
    if value is None:
        return None
    return _one_line(value) or None


def _link(value: str) -> str:
    cleaned = value.strip()
    if not cleaned.startswith(("https://", "http://", "mailto:")) or _UNSAFE_CHARS.search(cleaned):
        raise ValueError("a link must be an https://, http:// or mailto: URL on one line")
    return cleaned


def _address(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = value.strip()
    if cleaned.count("@") != 1 or _UNSAFE_CHARS.search(cleaned) or " " in cleaned:
        raise ValueError("not an e-mail address")
    return cleaned


def _locale(value: str | None) -> str | None:
    return None if value is None else normalize_locale(value)


def _feedback_items(values: tuple[str, ...]) -> tuple[str, ...]:
    cleaned = tuple(_one_line(item) for item in values)
    if any(not item for item in cleaned):
        raise ValueError("feedback items must not be empty")
    if any(len(item) > MAX_FEEDBACK_ITEM_CHARS for item in cleaned):
        raise ValueError(f"a feedback item is longer than {MAX_FEEDBACK_ITEM_CHARS} characters")
    if len(cleaned) > MAX_FEEDBACK_ITEMS:
        raise ValueError(f"more than {MAX_FEEDBACK_ITEMS} feedback items")
    return cleaned


def _links(values: dict[str, str]) -> dict[str, str]:
    for key in values:
        if not key.isidentifier() or key.startswith("_"):
            raise ValueError("link names must be identifiers not starting with '_'")
    return {key: _link(url) for key, url in values.items()}


Line = Annotated[str, AfterValidator(_one_line_nonempty)]
OptionalLine = Annotated[str | None, AfterValidator(_one_line_optional)]
Link = Annotated[str, AfterValidator(_link)]
Address = Annotated[str | None, AfterValidator(_address)]
LocaleTag = Annotated[str | None, AfterValidator(_locale)]
FeedbackItems = Annotated[tuple[str, ...], AfterValidator(_feedback_items)]
Links = Annotated[dict[str, str], AfterValidator(_links)]


class Sender(CanonicalModel):
    """The named person who signs a message and answers replies."""

    name: Line = Field(repr=False)
    title: OptionalLine = Field(default=None, repr=False)
    reply_to: Address = Field(default=None, repr=False)
    """Where the candidate's reply goes; ``None`` when replies go to the sending address."""

    @classmethod
    def from_user(cls, user: User) -> Self | None:
        """The sender for an ATS user, or ``None`` when the ATS holds no name for them."""
        name = user.name or " ".join(part for part in (user.first_name, user.last_name) if part)
        if not name.strip():
            return None
        return cls(name=name, title=user.title, reply_to=user.email)


class TalentPoolInvitation(CanonicalModel):
    """An invitation to join the talent pool; the candidate opts in through the link."""

    consent_url: Link = Field(repr=False)
    """Where the candidate gives (or refuses) consent; it may identify them, so it is hidden."""
    retention_months: int | None = Field(default=None, ge=1, le=120)
    """How long details are kept after consent, when the message should say so."""


class MessageContext(CanonicalModel):
    """Everything a template may use. Personal fields are hidden from ``repr``.

    Build it with :func:`build_context`; construct it directly only in tests or when the
    data does not come from an ATS. Feedback that the scope does not allow is refused here,
    so no template can show it.
    """

    candidate_name: OptionalLine = Field(default=None, repr=False)
    """The name to greet with (preferred name, else first name); ``None`` when unknown."""
    role: OptionalLine = None
    """The role the message is about, by name; ``None`` when the ATS did not say."""
    company: Line
    stage: StageKind = StageKind.OTHER
    """How far the candidate got."""
    sender: Sender
    feedback_scope: FeedbackScope = FeedbackScope.NONE
    strengths: FeedbackItems = Field(default=(), repr=False)
    growth_areas: FeedbackItems = Field(default=(), repr=False)
    talent_pool: TalentPoolInvitation | None = None
    """An invitation to opt in to the talent pool, or ``None`` for no invitation."""
    talent_pool_consented: bool = False
    """The candidate has already agreed to be kept on file and contacted about roles."""
    locale: LocaleTag = None
    """The wanted locale (BCP 47); ``None`` uses the composer's default."""
    links: Links = Field(default_factory=dict, repr=False)
    """Named URLs templates may use, such as ``careers`` or ``privacy``."""
    next_update_by: date | None = None
    """For holding updates: the date by which the candidate will hear from us again."""

    @model_validator(mode="after")
    def _feedback_within_scope(self) -> Self:
        if self.feedback_scope is FeedbackScope.NONE and (self.strengths or self.growth_areas):
            raise ValueError("feedback scope 'none' allows no strengths or growth areas")
        if self.feedback_scope is FeedbackScope.STRENGTHS and self.growth_areas:
            raise ValueError("feedback scope 'strengths' allows no growth areas")
        return self

    def template_variables(self) -> dict[str, Any]:
        """The names templates see (documented in docs/templates.md)."""
        return {
            "candidate_name": self.candidate_name,
            "role": self.role,
            "company": self.company,
            "stage": self.stage.value,
            "sender": self.sender,
            "feedback_scope": self.feedback_scope.value,
            "strengths": self.strengths,
            "growth_areas": self.growth_areas,
            "talent_pool": self.talent_pool,
            "talent_pool_consented": self.talent_pool_consented,
            "links": self.links,
            "next_update_by": self.next_update_by,
        }


def _capped(items: Iterable[str], limit: int) -> tuple[str, ...]:
    if limit < 0:
        raise ValueError("a feedback cap must not be negative")
    kept: list[str] = []
    seen: set[str] = set()
    for item in items:
        cleaned = _one_line(item)
        if cleaned and cleaned.casefold() not in seen:
            seen.add(cleaned.casefold())
            kept.append(cleaned)
    return tuple(kept[: min(limit, MAX_FEEDBACK_ITEMS)])


def _candidate_locale(tag: str | None) -> str | None:
    if tag is None:
        return None
    try:
        return normalize_locale(tag)
    except ValueError:
        # An ATS may hold "English" or a typo; the default locale is the honest answer.
        return None


def _resolve_sender(
    application: Application, sender: Sender | User | None, default_sender: Sender | None
) -> Sender:
    if isinstance(sender, Sender):
        return sender
    candidates: list[User | None] = [sender, application.recruiter, application.coordinator]
    for user in candidates:
        if user is not None and (resolved := Sender.from_user(user)) is not None:
            return resolved
    if default_sender is not None:
        return default_sender
    raise ConfigurationError(
        f"application {application.id}: no named sender (no recruiter or coordinator "
        "with a name in the ATS); set the person who signs instead",
        key_path=SIGN_OFF_KEY_PATH,
    )


def build_context(
    application: Application,
    *,
    company: str,
    sender: Sender | User | None = None,
    default_sender: Sender | None = None,
    role: str | None = None,
    locale: str | None = None,
    feedback_scope: FeedbackScope = FeedbackScope.NONE,
    strengths: Iterable[str] = (),
    growth_areas: Iterable[str] = (),
    max_strengths: int = 2,
    max_growth_areas: int = 2,
    talent_pool: TalentPoolInvitation | None = None,
    talent_pool_consented: bool = False,
    links: Mapping[str, str] | None = None,
    next_update_by: date | None = None,
) -> MessageContext:
    """Build the context for a message about *application*.

    Feedback is applied by rule: with scope ``none`` no strengths or growth areas get in,
    with ``strengths`` no growth areas; blank and repeated items are dropped, and what is
    left is cut to the caps (two each by default, never more than five).

    Args:
        application: The application as the ATS holds it now.
        company: The company name as candidates know it.
        sender: Who signs: a :class:`Sender`, an ATS :class:`~ats_reject.models.User`, or
            ``None`` for the application's recruiter, then its coordinator.
        default_sender: Who signs when nobody above has a name: the configuration's
            ``company.sign_off``.
        role: The role to name, when it is not the application's job (a new opening, for
            re-engagement).
        locale: The locale to write in; ``None`` uses the candidate's, when the ATS holds a
            valid one, else the composer's default.
        feedback_scope: How much feedback the rule allows.
        strengths: What the candidate did well, most important first.
        growth_areas: What could be stronger next time, most important first.
        max_strengths: Cap on strengths.
        max_growth_areas: Cap on growth areas.
        talent_pool: An invitation to opt in to the talent pool, if the rule makes one.
        talent_pool_consented: The candidate already consented to the talent pool.
        links: Named URLs for templates (``careers``, ``privacy`` ...).
        next_update_by: For holding updates, when the candidate will hear from us next.

    Returns:
        The context, validated.

    Raises:
        ConfigurationError: Nobody can sign the message (key path ``company.sign_off``).
        pydantic.ValidationError: A value is invalid (the error does not echo it).
    """
    candidate = application.candidate
    allowed_strengths = max_strengths if feedback_scope is not FeedbackScope.NONE else 0
    allowed_growth = max_growth_areas if feedback_scope is FeedbackScope.FULL else 0
    if role is None and application.job is not None:
        role = application.job.name
    stage = application.current_stage.kind if application.current_stage else StageKind.OTHER
    return MessageContext(
        candidate_name=candidate.display_first_name,
        role=role,
        company=company,
        stage=stage,
        sender=_resolve_sender(application, sender, default_sender),
        feedback_scope=feedback_scope,
        strengths=_capped(strengths, allowed_strengths),
        growth_areas=_capped(growth_areas, allowed_growth),
        talent_pool=talent_pool,
        talent_pool_consented=talent_pool_consented,
        locale=locale if locale is not None else _candidate_locale(candidate.locale),
        links=dict(links or {}),
        next_update_by=next_update_by,
    )
