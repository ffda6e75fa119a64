"""Lever's writes: archive, unarchive, notes and tags, each applied once.

Every write reads the opportunity first and writes nothing when the state is already there.
A write whose answer is lost (a timeout, a dropped connection) may have been applied, so it
is never re-sent blindly: the opportunity is read back, and the write is sent again only
when its effect is missing.

* ``PUT /opportunities/:opportunity/archived?perform_as=<user>`` with ``{"reason": <id>}``
  archives, and ``{"reason": null}`` unarchives: "If an Opportunity is already archived, its
  archive reason can be changed or if null is specified as the reason, it will be
  unarchived. If an Opportunity is active, it will be archived with the reason provided"
  (reference "Update archived state", quoted in ``corbaltcode/lever-data-api-go``
  ``opportunities.go``). The answer is ``{"data": opportunity}``, not expanded (recorded in
  ``NangoHQ/integration-templates`` ``mocks/update-opportunity-archived``).
* ``POST /opportunities/:opportunity/notes?perform_as=<user>`` with ``{"value": <text>}``
  (``value`` from ``thanford7/uprove``; ``notifyFollowers`` from NangoHQ's ``create-note``).
* ``POST /opportunities/:opportunity/addTags?perform_as=<user>`` with ``{"tags": [...]}``
  (``opportunities.go``: ``AddOpportunityTagsRequest``). Tags are case sensitive.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ats_reject.errors import ConflictError, TransportError
from ats_reject.http import HttpClient
from ats_reject.models import Application, ApplicationStatus
from ats_reject_lever._mapping import HIRED_TYPE
from ats_reject_lever._paging import LeverPaginator, opportunity_path
from ats_reject_lever._payloads import VendorNote

if TYPE_CHECKING:
    from ats_reject_lever.adapter import LeverAdapter

__all__ = ["LeverWrites"]


class LeverWrites:
    """The write half of :class:`~ats_reject_lever.LeverAdapter`.

    Args:
        adapter: The adapter (reads, settings, errors).
        http: Its client.
    """

    def __init__(self, adapter: LeverAdapter, http: HttpClient) -> None:
        self._adapter = adapter
        self._http = http

    def archive(self, opportunity_id: str, reason_id: str, note: str | None) -> Application:
        """Archive with a non-hired reason; an archived opportunity is left as it is."""
        path = f"{opportunity_path(opportunity_id)}/archived"
        params = self._adapter.perform_as()
        reason = self._adapter.catalog.archive_reason(reason_id)
        if reason is None:
            raise self._adapter.refused("unknown archive reason", path)
        if reason.type == HIRED_TYPE:
            # Archiving with a hired reason would record a hire, not a rejection.
            raise self._adapter.refused("an archive reason of type hired does not reject", path)
        current = self._adapter.get_application(opportunity_id)
        if current.status is ApplicationStatus.HIRED:
            raise self._adapter.refused("the opportunity is hired", path, ConflictError)
        if current.status is ApplicationStatus.REJECTED:
            # Already archived by a person (this reason or another): their decision stands.
            return current
        body: dict[str, Any] = {"reason": reason_id}
        if self._adapter.settings.clean_interviews:
            body["cleanInterviews"] = True
        archived = self._put_archived(
            path,
            params,
            body,
            current,
            reached=lambda application: application.status is ApplicationStatus.REJECTED,
        )
        if note:
            self.add_note(opportunity_id, note)
        return archived

    def unarchive(self, opportunity_id: str) -> Application:
        """Unarchive an opportunity archived for a non-hired reason; an active one is success."""
        path = f"{opportunity_path(opportunity_id)}/archived"
        params = self._adapter.perform_as()
        current = self._adapter.get_application(opportunity_id)
        if current.status is ApplicationStatus.ACTIVE:
            return current
        if current.status is ApplicationStatus.HIRED:
            raise self._adapter.refused("the opportunity is archived as hired", path, ConflictError)
        return self._put_archived(
            path,
            params,
            {"reason": None},
            current,
            reached=lambda application: application.status is ApplicationStatus.ACTIVE,
        )

    def add_note(self, opportunity_id: str, text: str) -> None:
        """Add a note; after a lost answer, the notes are read and it is sent again if missing."""
        path = f"{opportunity_path(opportunity_id)}/notes"
        params = self._adapter.perform_as()
        body = {"value": text, "notifyFollowers": False}
        try:
            self._http.request_json("POST", path, params=params, json=body, expect=None)
        except TransportError:
            if self._note_exists(path, text):
                return
            self._http.request_json("POST", path, params=params, json=body, expect=None)

    def add_tag(self, opportunity_id: str, tag: str) -> None:
        """Add a tag unless the opportunity has it; a lost answer is read back first."""
        path = f"{opportunity_path(opportunity_id)}/addTags"
        params = self._adapter.perform_as()
        if tag in self._adapter.get_opportunity(opportunity_id, expand=False).tags:
            return
        body = {"tags": [tag]}
        try:
            self._http.request_json("POST", path, params=params, json=body, expect=None)
        except TransportError:
            if tag in self._adapter.get_opportunity(opportunity_id, expand=False).tags:
                return
            self._http.request_json("POST", path, params=params, json=body, expect=None)

    # --- helpers --------------------------------------------------------------------------

    def _put_archived(
        self,
        path: str,
        params: dict[str, str],
        body: dict[str, Any],
        current: Application,
        *,
        reached: Callable[[Application], bool],
    ) -> Application:
        try:
            answer = self._http.request_json(
                "PUT", path, params=params, json=body, idempotent=False
            )
        except TransportError:
            # The write may have been applied before the connection broke: look first.
            after = self._adapter.get_application(current.id)
            if reached(after):
                return after
            if after.status is ApplicationStatus.HIRED:
                raise self._adapter.refused(
                    "the opportunity was hired meanwhile", path, ConflictError
                ) from None
            answer = self._http.request_json(
                "PUT", path, params=params, json=body, idempotent=False
            )
        data = answer.get("data")
        if not isinstance(data, dict):
            return self._adapter.get_application(current.id)
        opportunity = self._adapter.parse_opportunity(data, path)
        return self._adapter.to_application(opportunity, path, like=current)

    def _note_exists(self, path: str, text: str) -> bool:
        for raw in self._http.paginate_items(path, LeverPaginator()):
            try:
                note = VendorNote.model_validate(raw)
            except ValidationError:
                continue
            if note.holds(text):
                return True
        return False
