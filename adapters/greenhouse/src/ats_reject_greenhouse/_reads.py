"""Reading applications: one v3 application object plus the records it points to.

Harvest v3 is flat (https://harvestdocs.greenhouse.io/docs/standardizations): an application
carries ``candidate_id``, ``job_id``, ``recruiter_id``, ``source_id`` and the name of its
current stage, and the rest is read from its own endpoint. A fresh read is:

* ``GET /v3/applications?ids=<id>`` - status, stage name, ``rejected_at``;
* ``GET /v3/candidates?ids=<candidate_id>`` - names, e-mails, addresses, custom fields;
* ``GET /v3/application_stages?application_ids=<id>`` - the stages visited; the current row
  (``current: true``) or, for a closed application, the last one; its
  ``job_interview_stage_id`` places it in the job's plan;
* ``GET /v3/rejection_details?application_ids=<id>`` when rejected - who, when, which reason;
* reference data through :class:`~ats_reject_greenhouse._lookups.Lookups` (cached).
"""

from __future__ import annotations

from collections.abc import Mapping

from ats_reject.models import (
    Application,
    Candidate,
    Job,
    JsonScalar,
    Office,
    Rejection,
    Stage,
    StageKind,
    User,
)
from ats_reject_greenhouse._harvest import Harvest
from ats_reject_greenhouse._lookups import Lookups
from ats_reject_greenhouse._mapping import (
    PROMISED_DECISION_KEY,
    application_status,
    candidate_from_v3,
    flatten_custom_fields,
    promised_decision,
    reason_from_v3,
    source_from_v3,
    stage_kind,
    user_from_v3,
)
from ats_reject_greenhouse._payloads import (
    V3Application,
    V3ApplicationStage,
    V3Candidate,
    V3JobInterviewStage,
    V3RejectionDetail,
)
from ats_reject_greenhouse._places import parse_place
from ats_reject_greenhouse._settings import GreenhouseSettings

__all__ = ["ApplicationReader", "stages_of_plan"]

_INTERVIEW_KINDS = frozenset({StageKind.INTERVIEW, StageKind.FINAL, StageKind.OFFER})


def stages_of_plan(
    plan: tuple[V3JobInterviewStage, ...], overrides: Mapping[str, StageKind]
) -> list[Stage]:
    """A job's plan as canonical stages, in order, with their normalized kinds."""
    return [
        Stage(
            id=str(stage.id),
            name=stage.name,
            position=index,
            kind=stage_kind(stage.name, index, overrides),
        )
        for index, stage in enumerate(plan)
    ]


class ApplicationReader:
    """Builds canonical applications from Harvest v3 reads.

    Args:
        harvest: The list-call helper.
        lookups: Cached reference data.
        settings: The adapter's settings (stage overrides, custom-field names).
    """

    def __init__(self, harvest: Harvest, lookups: Lookups, settings: GreenhouseSettings) -> None:
        self._harvest = harvest
        self._lookups = lookups
        self._settings = settings

    def row(self, application_id: int) -> V3Application:
        """The bare application object (status, ids), read fresh."""
        return self._harvest.one("applications", V3Application, application_id, "application")

    def full(self, application_id: int) -> Application:
        """The application as it stands now, with candidate, job, stage and rejection."""
        row = self.row(application_id)
        if row.candidate_id is None:
            raise self._harvest.schema_error("application without candidate_id", "applications")
        candidate = self._harvest.one("candidates", V3Candidate, row.candidate_id, "candidate")
        visits = list(
            self._harvest.items(
                "application_stages",
                V3ApplicationStage,
                {"application_ids": str(row.id)},
            )
        )
        plan = self._lookups.stage_plan(row.job_id) if row.job_id is not None else ()
        stage, had_interviews = self._stage_from_history(row, visits, plan)
        rejection = self._rejection(row) if row.status == "rejected" else None
        return self._build(
            row,
            candidate_from_v3(
                candidate,
                time_zone_field=self._settings.time_zone_field,
                locale_field=self._settings.locale_field,
            ),
            stage=stage,
            rejection=rejection,
            had_interviews=had_interviews,
            full=True,
        )

    def from_listing(self, row: V3Application) -> Application:
        """The application as the listing describes it.

        No candidate details and no lookups of people: read it with :meth:`full` before
        acting on it.
        """
        if row.candidate_id is None:
            raise self._harvest.schema_error("application without candidate_id", "applications")
        stage = None
        if row.stage_name and row.job_id is not None:
            plan = self._lookups.stage_plan(row.job_id)
            stage = self._stage_by_name(row, plan)
        rejection = Rejection(decided_at=row.rejected_at) if row.rejected_at else None
        return self._build(
            row,
            Candidate(id=str(row.candidate_id)),
            stage=stage,
            rejection=rejection,
            had_interviews=None,
            full=False,
        )

    # --- pieces -----------------------------------------------------------------------------

    def _build(
        self,
        row: V3Application,
        candidate: Candidate,
        *,
        stage: Stage | None,
        rejection: Rejection | None,
        had_interviews: bool | None,
        full: bool,
    ) -> Application:
        try:
            status = application_status(row.status)
        except ValueError:
            raise self._harvest.schema_error("application status", "applications") from None
        custom = flatten_custom_fields(row.custom_fields)
        self._add_promised_decision(custom, candidate.custom_fields)
        lookups = self._lookups
        source = None
        if full and row.source_id is not None:
            source = source_from_v3(lookups.source(row.source_id), referred=bool(row.referrer_id))
        elif full and row.referrer_id:
            source = source_from_v3(None, referred=True)
        return Application(
            id=str(row.id),
            candidate=candidate,
            status=status,
            job=self._job(row.job_id),
            current_stage=stage,
            rejection=rejection,
            source=source,
            recruiter=self._user(row.recruiter_id) if full else None,
            coordinator=self._user(row.coordinator_id) if full else None,
            applied_at=row.created_at,
            last_activity_at=row.last_activity_at or row.updated_at,
            had_interviews=had_interviews,
            is_prospect=row.prospect,
            custom_fields=custom,
        )

    def _add_promised_decision(
        self, custom: dict[str, JsonScalar], candidate_fields: Mapping[str, JsonScalar]
    ) -> None:
        field = self._settings.decision_date_field
        if not field:
            return
        promised = promised_decision(custom.get(field, candidate_fields.get(field)))
        if promised:
            custom[PROMISED_DECISION_KEY] = promised

    def _stage_from_history(
        self,
        row: V3Application,
        visits: list[V3ApplicationStage],
        plan: tuple[V3JobInterviewStage, ...],
    ) -> tuple[Stage | None, bool | None]:
        mine = [visit for visit in visits if visit.application_id == row.id]
        if not mine:
            return (self._stage_by_name(row, plan) if row.stage_name else None), None
        positions = {stage.id: index for index, stage in enumerate(plan)}
        by_id = {stage.id: stage for stage in plan}
        overrides = self._settings.stage_kinds
        kinds = {
            stage_kind(
                by_id[v.job_interview_stage_id].name, positions[v.job_interview_stage_id], overrides
            )
            for v in mine
            if v.job_interview_stage_id in by_id
        }
        current = next((visit for visit in mine if visit.current), None)
        if current is None:
            # A closed application keeps no current row: its last stage is where it ended.
            current = max(mine, key=lambda v: (v.entered_at is not None, v.entered_at, v.id))
        had_interviews = bool(kinds & _INTERVIEW_KINDS)
        stage_id = current.job_interview_stage_id
        if stage_id is None or stage_id not in by_id:
            return (self._stage_by_name(row, plan) if row.stage_name else None), had_interviews
        stage = by_id[stage_id]
        index = positions[stage_id]
        kind = stage_kind(stage.name, index, overrides)
        return Stage(id=str(stage.id), name=stage.name, position=index, kind=kind), had_interviews

    def _stage_by_name(
        self, row: V3Application, plan: tuple[V3JobInterviewStage, ...]
    ) -> Stage | None:
        name = row.stage_name
        if not name:
            return None
        overrides = self._settings.stage_kinds
        for index, stage in enumerate(plan):
            if stage.name == name:
                kind = stage_kind(stage.name, index, overrides)
                return Stage(id=str(stage.id), name=stage.name, position=index, kind=kind)
        stage_id = str(row.stage_id) if row.stage_id is not None else name
        return Stage(id=stage_id, name=name, kind=stage_kind(name, None, overrides))

    def _rejection(self, row: V3Application) -> Rejection | None:
        details = list(
            self._harvest.items(
                "rejection_details", V3RejectionDetail, {"application_ids": str(row.id)}
            )
        )
        detail = next((d for d in details if d.application_id == row.id), None)
        decided_at = (detail.rejected_at if detail else None) or row.rejected_at
        if decided_at is None:
            return None
        reason = None
        decided_by = None
        if detail is not None:
            if detail.rejection_reason_id is not None:
                found = self._lookups.reason(detail.rejection_reason_id)
                reason = reason_from_v3(found) if found else None
            decided_by = self._user(detail.rejected_by_id)
        return Rejection(decided_at=decided_at, reason=reason, decided_by=decided_by)

    def _job(self, job_id: int | None) -> Job | None:
        if job_id is None:
            return None
        job = self._lookups.job(job_id)
        if job is None:
            return None
        offices = []
        for office_id in job.office_ids or ():
            office = self._lookups.office(office_id)
            if office is not None:
                location = parse_place(office.location)
                offices.append(Office(id=str(office.id), name=office.name, location=location))
        department = (
            self._lookups.department(job.department_id) if job.department_id is not None else None
        )
        return Job(
            id=str(job.id),
            name=job.name,
            department=department.name if department else None,
            offices=tuple(offices),
        )

    def _user(self, user_id: int | None) -> User | None:
        if user_id is None:
            return None
        user = self._lookups.user(user_id)
        return user_from_v3(user) if user is not None else None
