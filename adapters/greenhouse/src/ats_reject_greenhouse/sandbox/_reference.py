"""Reference records of the sandbox: offices, departments, jobs and plans, users, reasons, sources.

Shapes follow the v3 reference pages (``get_v3-offices``, ``get_v3-departments``,
``get_v3-job-interview-stages``, ``get_v3-jobs``, ``get_v3-users``, ``get_v3-rejection-reasons``,
``get_v3-sources``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "SbDepartment",
    "SbJob",
    "SbOffice",
    "SbReason",
    "SbSource",
    "SbStage",
    "SbUser",
]


@dataclass
class SbOffice:
    """An office; ``location`` is free text."""

    id: int
    name: str
    location: str | None

    def v3(self) -> dict[str, Any]:
        """``GET /v3/offices`` item."""
        return {
            "id": self.id,
            "name": self.name,
            "location": self.location,
            "parent_id": None,
            "external_id": None,
        }


@dataclass
class SbDepartment:
    """A department."""

    id: int
    name: str

    def v3(self) -> dict[str, Any]:
        """``GET /v3/departments`` item."""
        return {"id": self.id, "name": self.name, "parent_id": None, "external_id": None}


@dataclass
class SbStage:
    """A stage of a job's interview plan."""

    id: int
    job_id: int
    name: str
    sort_order: int
    active: bool = True

    def v3(self) -> dict[str, Any]:
        """``GET /v3/job_interview_stages`` item."""
        return {
            "id": self.id,
            "job_id": self.job_id,
            "name": self.name,
            "sort_order": self.sort_order,
            "active": self.active,
        }


@dataclass
class SbJob:
    """A job (hiring plan) and its stages in order."""

    id: int
    name: str
    department_id: int | None
    office_ids: list[int]
    stages: list[SbStage] = field(default_factory=list)
    status: str = "open"

    def v3(self) -> dict[str, Any]:
        """``GET /v3/jobs`` item (flat ``department_id`` and ``office_ids``)."""
        return {
            "id": self.id,
            "name": self.name,
            "requisition_id": None,
            "notes": None,
            "confidential": False,
            "status": self.status,
            "opened_at": None,
            "closed_at": None,
            "department_id": self.department_id,
            "office_ids": list(self.office_ids),
            "custom_fields": {},
        }


@dataclass
class SbUser:
    """A Greenhouse user; ``time_zone`` is the zone Greenhouse schedules e-mails in for them."""

    id: int
    first_name: str
    last_name: str
    primary_email: str
    job_title: str | None = None
    time_zone: str = "America/New_York"
    service_account: bool = False

    def v3(self) -> dict[str, Any]:
        """``GET /v3/users`` item."""
        return {
            "id": self.id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "name": f"{self.first_name} {self.last_name}",
            "job_title": self.job_title,
            "primary_email": self.primary_email,
            "emails": [self.primary_email],
            "deactivated": False,
            "site_admin": False,
        }


@dataclass
class SbReason:
    """A rejection reason; ``type_key`` is ``WE_REJECTED_THEM``, ``THEY_REJECTED_US`` ..."""

    id: int
    name: str
    type_key: str
    default: bool = False

    def v3(self) -> dict[str, Any]:
        """``GET /v3/rejection_reasons`` item."""
        names = {"WE_REJECTED_THEM": "We rejected them", "THEY_REJECTED_US": "They rejected us"}
        type_id = {"WE_REJECTED_THEM": 1, "THEY_REJECTED_US": 2}.get(self.type_key, 3)
        return {
            "id": self.id,
            "name": self.name,
            "type": {
                "id": type_id,
                "key": self.type_key,
                "name": names.get(self.type_key, "None specified"),
            },
        }


@dataclass
class SbSource:
    """A source and its sourcing strategy."""

    id: int
    name: str
    type_name: str

    def v3(self) -> dict[str, Any]:
        """``GET /v3/sources`` item."""
        return {
            "id": self.id,
            "name": self.name,
            "type": {"id": abs(hash(self.type_name)) % 97, "name": self.type_name},
        }
