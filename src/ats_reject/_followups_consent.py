"""A talent-pool consent's follow-ups: re-engagement within it, renewal before, deletion after.

Every action is keyed by the consent (``consent:<given_at>``), so a renewed consent, which is
a new consent, plans anew, and the old deletion finds a consent that holds and does nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ats_reject._followups_places import Places, local_label
from ats_reject._followups_requirements import Consent
from ats_reject._followups_retention import RetentionTerms
from ats_reject.policy import (
    ActionCondition,
    Audience,
    Channel,
    MessageKind,
    PlannedAction,
    decision_version,
)
from ats_reject.timing import Duration, ResolvedZone

__all__ = ["consent_actions"]

_CONSENT_TEMPLATE = "consent_request"
_RE_ENGAGEMENT_TEMPLATE = "re_engagement"


@dataclass(frozen=True, slots=True)
class _Maker:
    """Makes the actions of one consent, all filed under one application."""

    connection: str
    application_id: str
    version: str
    zone: str

    def message(
        self,
        kind: MessageKind,
        due_at: datetime,
        reasons: tuple[str, ...],
        *,
        template: str,
        key: str | None = None,
        deadline: datetime | None = None,
    ) -> PlannedAction:
        return PlannedAction(
            connection=self.connection,
            application_id=self.application_id,
            message_kind=kind,
            decision_version=key or self.version,
            channel=Channel.EMAIL,
            due_at=due_at,
            template=template,
            deadline=deadline,
            deadline_met=deadline is None or due_at < deadline,
            condition=ActionCondition.CONSENT_GIVEN,
            zone=self.zone,
            reasons=reasons,
        )

    def purge(self, due_at: datetime, reason: str) -> PlannedAction:
        return PlannedAction(
            connection=self.connection,
            application_id=self.application_id,
            message_kind=MessageKind.RETENTION_PURGE,
            decision_version=self.version,
            channel=Channel.NONE,
            due_at=due_at,
            audience=Audience.NOBODY,
            condition=ActionCondition.NO_CONSENT,
            zone=self.zone,
            reasons=(reason,),
        )


def consent_actions(
    places: Places,
    connection: str,
    application_id: str,
    consent: Consent,
    *,
    zone: ResolvedZone,
    terms: RetentionTerms,
    expiry_recorded: bool,
    renew_before: Duration,
    re_engagement: Sequence[Duration],
) -> tuple[PlannedAction, ...]:
    """The follow-ups of *consent*, whose ``expires_at`` is set.

    Args:
        places: Zones, calendars and the clock.
        connection: The connection name.
        application_id: The application whose rejection carried the invitation.
        consent: The consent, with its expiry.
        zone: The candidate's zone.
        terms: The retention periods of the candidate's country (for the explanation).
        expiry_recorded: The expiry came from the consent records, not from *terms*.
        renew_before: How long before the expiry to ask for a renewal.
        re_engagement: Offsets after the consent at which to get back in touch.
    """
    expires = consent.expires_at
    if expires is None:
        raise ValueError("the consent needs its expiry")
    where = zone.zone
    make = _Maker(
        connection, application_id, f"consent:{decision_version(consent.given_at)}", where
    )
    if consent.withdrawn_at is not None:
        return (
            make.purge(
                max(consent.withdrawn_at, places.now()),
                f"the consent was withdrawn on {local_label(consent.withdrawn_at, where)}: the "
                "data kept for the talent pool is deleted now, unless the person applied again "
                "or was hired",
            ),
        )
    given = f"the consent given on {local_label(consent.given_at, where)}"
    how_long = (
        "as the consent records say"
        if expiry_recorded
        else f"{terms.with_consent} ({terms.with_consent_key}; {terms.describe()})"
    )
    actions: list[PlannedAction] = []
    for period in re_engagement:
        due = places.next_allowed(places.add(consent.given_at, period, zone), zone)
        if due >= expires:
            continue
        actions.append(
            make.message(
                MessageKind.RE_ENGAGEMENT,
                due,
                (
                    f"re-engagement {period} after {given}, only while the consent holds "
                    "and the person has not re-applied, unsubscribed or been hired",
                ),
                template=_RE_ENGAGEMENT_TEMPLATE,
                key=f"{make.version}#{period}",
            )
        )
    ask_from = max(places.subtract(expires, renew_before, zone), consent.given_at)
    renew_at = places.next_allowed(ask_from, zone)
    actions.append(
        make.message(
            MessageKind.CONSENT_RENEWAL,
            renew_at,
            (
                f"{given} lasts {how_long}: it expires at {local_label(expires, where)}",
                f"the person is asked to renew it {renew_before} before "
                "(followups.consent_renew_before), at the first allowed time "
                f"({places.window.describe()}): {local_label(renew_at, where)}",
            ),
            template=_CONSENT_TEMPLATE,
            deadline=expires,
        )
    )
    actions.append(
        make.purge(
            expires,
            f"when {given} expires at {local_label(expires, where)} without renewal, the data "
            "is deleted, unless the person applied again or was hired",
        )
    )
    return tuple(actions)
