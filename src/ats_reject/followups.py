"""Follow-ups: what comes after the first message, months later, and what must hold by then.

Pure: no I/O; the clock is injected. The planner builds on the policy's decisions and
returns :class:`~ats_reject.policy.PlannedAction` rows keyed like the policy's own
(``connection, application_id, message_kind, decision_version``), so the store files them
alike::

    planner = FollowUpPlanner.from_config(config, clock=clock)
    actions = planner.after_decision(decision, application)     # + retention purge by country
    invite = planner.invitation(decision, application, token=token)   # the consent link
    actions = planner.after_consent("greenhouse", application, Consent(given_at=...))
    plan = planner.promise("greenhouse", application, notes=notes)    # promised date

Every action carries requirements (:func:`requirements_for`); the dispatcher reads the
person's current :class:`PersonState` just before sending and does nothing while
:func:`unmet_requirements` names any. Without a talent-pool consent nothing but the
invitation and the deletion ever goes out. docs/followups.md is the guide.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ats_reject._config_followups import FollowUpSettings
from ats_reject._followups_consent import consent_actions
from ats_reject._followups_places import Places, day_label, elapsed, local_label
from ats_reject._followups_promises import (
    PromisedDate,
    PromiseLookup,
    find_promised_date,
    parse_promised_date,
)
from ats_reject._followups_requirements import (
    Consent,
    PersonState,
    Requirement,
    reapplied_since,
    requirements_for,
    unmet_requirements,
)
from ats_reject._followups_retention import RetentionTerms, jurisdiction_of, retention_terms
from ats_reject.clock import Clock, SystemClock, ensure_aware
from ats_reject.compose.context import TalentPoolInvitation
from ats_reject.errors import ConfigurationError
from ats_reject.models import Application, ApplicationStatus
from ats_reject.policy import (
    ActionCondition,
    Audience,
    Channel,
    Decision,
    MessageKind,
    Outcome,
    PlannedAction,
    PolicyEngine,
)
from ats_reject.timing import (
    Duration,
    ResolvedZone,
    SendWindow,
    parse_duration,
)

if TYPE_CHECKING:
    from ats_reject.config import Config

__all__ = [
    "Consent",
    "FollowUpPlanner",
    "PersonState",
    "PromiseLookup",
    "PromisePlan",
    "PromisedDate",
    "Requirement",
    "RetentionTerms",
    "find_promised_date",
    "parse_promised_date",
    "reapplied_since",
    "requirements_for",
    "unmet_requirements",
]

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,512}$")
_MAX_CONSENT_MONTHS = 120


@dataclass(frozen=True, slots=True)
class PromisePlan:
    """What a promised decision date leads to.

    Attributes:
        lookup: The promise found (if any) and what was ignored, with reasons.
        actions: The recruiter reminder and the candidate's holding update; none when no
            promise was found or the application is no longer active.
    """

    lookup: PromiseLookup
    actions: tuple[PlannedAction, ...] = ()


class FollowUpPlanner:
    """Plans the talent-pool invitation, consent renewals, deletions and promised dates.

    Args:
        engine: The policy engine whose decisions are followed up (its settings give the
            company, the default send window and the promise settings).
        settings: The ``[followups]`` settings; the defaults when ``None``.
        consent_base_url: Base of consent links (``mail.unsubscribe_base_url``).
        clock: Read to move a time already past; the system clock by default. Give the
            engine the same clock.
    """

    def __init__(
        self,
        engine: PolicyEngine,
        settings: FollowUpSettings | None = None,
        *,
        consent_base_url: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.engine = engine
        self.settings = settings or FollowUpSettings()
        self.consent_base_url = consent_base_url
        self._window = SendWindow.parse(engine.policy.timing.send_window)
        self._places = Places(engine.company, self._window, clock or SystemClock())
        self._renew_before = parse_duration(self.settings.consent_renew_before)
        promises = engine.policy.promises
        self._remind_before = (
            parse_duration(promises.remind_recruiter_before) if promises.remind_recruiter else None
        )

    @classmethod
    def from_config(
        cls, config: Config, *, engine: PolicyEngine | None = None, clock: Clock | None = None
    ) -> FollowUpPlanner:
        """A planner for a loaded configuration (building the policy engine if not given)."""
        engine = engine or PolicyEngine.from_config(config, clock=clock)
        return cls(
            engine,
            config.followups,
            consent_base_url=config.mail.unsubscribe_base_url,
            clock=clock,
        )

    def zone_for(self, application: Application) -> ResolvedZone:
        """The candidate's zone, found as the policy finds it."""
        return self._places.zone_for(application)

    def retention_for(self, application: Application) -> RetentionTerms:
        """The retention periods for *application*'s candidate, and why they apply."""
        # The zone before the company's country is filled in: that fallback is named as such.
        zone = self._places.resolve(application)
        country, how = jurisdiction_of(application, zone, self.engine.company.holiday_country)
        return retention_terms(self.settings.retention, country, how)

    # --- after the decision -----------------------------------------------------------------

    def after_decision(
        self, decision: Decision, application: Application
    ) -> tuple[PlannedAction, ...]:
        """The decision's actions, with the retention purge of the candidate's country added.

        An unsuccessful candidate's data is deleted ``after_decision`` after the decision
        (by country), unless a talent-pool consent holds, they applied again or were hired
        by then. Where the rule set its own ``follow_up.retention``, the earlier purge wins.
        Held and cancelled decisions get nothing: nothing is final yet, or nothing is sent.

        Args:
            decision: The policy's decision about *application*.
            application: The application decided about (as in the decision's case).

        Raises:
            ValueError: *application* is not the one decided about.
        """
        if application.id != decision.application_id:
            raise ValueError("the application is not the one the decision is about")
        rejection = application.rejection
        if (
            decision.outcome is not Outcome.PLANNED
            or decision.decision_version is None
            or rejection is None
        ):
            return decision.actions
        zone = self.zone_for(application)
        terms = self.retention_for(application)
        decided = ensure_aware(rejection.decided_at)
        purge_at = self._places.add(decided, terms.after_decision, zone)
        reasons = (
            terms.describe(),
            f"deleted at {local_label(purge_at, zone.zone)}, {terms.after_decision} after "
            f"the decision of {local_label(decided, zone.zone)}, unless a talent-pool consent "
            "holds, the person applied again or was hired by then",
        )
        actions = list(decision.actions)
        for index, existing in enumerate(actions):
            if (
                existing.message_kind is MessageKind.RETENTION_PURGE
                and existing.application_id == decision.application_id
            ):
                earlier = min(existing.due_at, purge_at)
                actions[index] = replace(
                    existing,
                    due_at=earlier,
                    reasons=(
                        *existing.reasons,
                        *reasons,
                        f"the earlier of the rule's and the country's dates applies: "
                        f"{local_label(earlier, zone.zone)}",
                    ),
                )
                return tuple(actions)
        actions.append(
            PlannedAction(
                connection=decision.connection,
                application_id=decision.application_id,
                message_kind=MessageKind.RETENTION_PURGE,
                decision_version=decision.decision_version,
                channel=Channel.NONE,
                due_at=purge_at,
                audience=Audience.NOBODY,
                condition=ActionCondition.NO_CONSENT,
                covers=decision.covers,
                zone=zone.zone,
                reasons=reasons,
            )
        )
        return tuple(actions)

    def invitation(
        self, decision: Decision, application: Application, *, token: str
    ) -> TalentPoolInvitation | None:
        """The talent-pool invitation a message carries, with its consent link.

        The link is ``<mail.unsubscribe_base_url>/consent/<token>``, the layout of
        :meth:`ats_reject.links.LinkSigner.url`: make the token with
        ``signer.sign(LinkPurpose.CONSENT, subject_id)``, so nobody but the candidate can
        consent for them and the link names no person.

        Returns:
            ``None`` when the decision invites nobody.

        Raises:
            ConfigurationError: No consent link base is configured.
            ValueError: The token is not 16-512 letters, digits, ``-`` or ``_``.
        """
        if not decision.talent_pool:
            return None
        if self.consent_base_url is None:
            raise ConfigurationError(
                "a talent-pool invitation needs a consent link: set the base URL",
                key_path="mail.unsubscribe_base_url",
            )
        if not _TOKEN.match(token):
            raise ValueError("a consent token is 16-512 letters, digits, '-' or '_'")
        months = self.retention_for(application).consent_months
        return TalentPoolInvitation(
            consent_url=f"{self.consent_base_url.rstrip('/')}/consent/{token}",
            retention_months=min(months, _MAX_CONSENT_MONTHS) if months else None,
        )

    # --- consent ----------------------------------------------------------------------------

    def with_expiry(self, application: Application, consent: Consent) -> Consent:
        """*consent* with its expiry: as recorded, else the country's ``with_consent`` period.

        Keep this one in the consent records: the dispatcher's :class:`PersonState` needs the
        expiry to know that a consent no longer holds.
        """
        if consent.expires_at is not None:
            return consent
        zone = self.zone_for(application)
        terms = self.retention_for(application)
        return replace(
            consent, expires_at=self._places.add(consent.given_at, terms.with_consent, zone)
        )

    def after_consent(
        self,
        connection: str,
        application: Application,
        consent: Consent,
        *,
        re_engagement: Iterable[Duration | str] = (),
    ) -> tuple[PlannedAction, ...]:
        """Plan around a talent-pool consent: renewal before it expires, deletion after.

        The renewal request goes ``followups.consent_renew_before`` before the consent
        expires, at the first allowed time in the candidate's send window; the data is
        deleted when it expires unless it was renewed (a renewal is a new consent, planned by
        calling this again). A withdrawn consent plans only the deletion, at once.

        Args:
            connection: The connection name.
            application: The application whose rejection carried the invitation.
            consent: The consent as the consent records hold it.
            re_engagement: Offsets after the consent at which to get back in touch (for a
                renewed consent: the policy already planned those of the first one).

        Returns:
            Actions keyed by the consent (``consent:<given_at>``), so a renewal plans anew.
        """
        zone = self.zone_for(application)
        recorded = self.with_expiry(application, consent)
        return consent_actions(
            self._places,
            connection,
            application.id,
            recorded,
            zone=zone,
            terms=self.retention_for(application),
            expiry_recorded=consent.expires_at is not None,
            renew_before=self._renew_before,
            re_engagement=[
                offset if isinstance(offset, Duration) else parse_duration(offset)
                for offset in re_engagement
            ],
        )

    # --- promised decision dates ------------------------------------------------------------

    def promise(
        self, connection: str, application: Application, *, notes: Sequence[str] = ()
    ) -> PromisePlan:
        """Find a promised decision date for *application* and plan around it.

        The policy plans the actions (:meth:`PolicyEngine.plan_promise`): a reminder to the
        recruiter and a holding update to the candidate when the promise passes undecided,
        both only while the application is still undecided. For a promise that names a day,
        the promise passes when that day ends in the candidate's zone, and the recruiter is
        reminded ``policy.promises.remind_recruiter_before`` before the day begins (the day
        before, with the default 24 hours).

        Args:
            connection: The connection name.
            application: The application as the ATS holds it now.
            notes: Its notes, oldest first.
        """
        zone = self.zone_for(application)
        lookup = find_promised_date(
            application, sources=self.settings.promises, zone=zone.zone, notes=notes
        )
        found = lookup.found
        if found is None:
            return PromisePlan(lookup)
        if application.status is not ApplicationStatus.ACTIVE:
            ignored = (
                *lookup.ignored,
                f"{found.source}: the application is {application.status.value}, so the "
                "promise needs nothing more",
            )
            return PromisePlan(PromiseLookup(found, ignored))
        promised = f"read from {found.source}: a decision by " + (
            f"{day_label(found.day)} (the end of that day in {zone.zone})"
            if found.date_only
            else local_label(found.passes_at, zone.zone)
        )
        actions: list[PlannedAction] = []
        for planned in self.engine.plan_promise(connection, application, found.passes_at):
            if (
                planned.message_kind is MessageKind.RECRUITER_REMINDER
                and found.date_only
                and self._remind_before is not None
            ):
                begins = datetime.combine(found.day, time(0), tzinfo=ZoneInfo(zone.zone))
                due = max(
                    begins.astimezone(UTC) - elapsed(self._remind_before),
                    self._places.now(),
                )
                why = (
                    f"the recruiter is reminded {self._remind_before} before the promised day "
                    "begins (policy.promises.remind_recruiter_before): "
                    f"{local_label(due, zone.zone)}"
                )
                actions.append(replace(planned, due_at=due, reasons=(promised, why)))
            else:
                actions.append(replace(planned, reasons=(promised, *planned.reasons)))
        return PromisePlan(lookup, tuple(actions))
