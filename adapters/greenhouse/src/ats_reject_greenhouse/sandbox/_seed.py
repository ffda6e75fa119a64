"""Seed data for the sandbox: an organization, and made-up candidates across zones and locales.

Nothing here is real personal data: names are invented, addresses are city-level, every
e-mail address is under ``example.test``. Non-ASCII names are included on purpose, so that
webhook bodies exercise Greenhouse's unicode escaping.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ats_reject_greenhouse.sandbox._reference import (
    SbDepartment,
    SbJob,
    SbOffice,
    SbReason,
    SbSource,
    SbStage,
    SbUser,
)
from ats_reject_greenhouse.sandbox._store import SbApplication, SbCandidate, SbStageVisit, Store

__all__ = [
    "DEFAULT_PLAN",
    "PROFILES",
    "Organization",
    "add_application",
    "add_candidate",
    "custom_field",
    "seed_organization",
]

DEFAULT_PLAN = (
    "Application Review",
    "Preliminary Phone Screen",
    "Take Home Test",
    "Phone Interview",
    "Face to Face",
    "Reference Check",
    "Offer",
)
"""Greenhouse's default interview plan, with a take-home test added."""

SHORT_PLAN = ("Application Review", "Recruiter Screen", "Onsite Loop", "Offer")


@dataclass(frozen=True)
class Profile:
    """Where a made-up candidate lives and what language they use."""

    time_zone: str | None
    locale: str | None
    address: str | None


PROFILES = (
    Profile("Europe/Berlin", "de", "10115 Berlin, Deutschland"),
    Profile("America/New_York", "en", "Brooklyn, NY 11201"),
    Profile("America/Los_Angeles", "en-US", "Oakland, California"),
    Profile("Europe/London", "en-GB", "Manchester, United Kingdom"),
    Profile("America/Sao_Paulo", "pt-BR", "São Paulo, SP, Brasil"),
    Profile("Asia/Tokyo", "ja", "Tokyo, Japan"),
    Profile("Australia/Sydney", "en-AU", "Sydney, Australia"),
    Profile("America/Toronto", "fr-CA", "Montréal, Québec"),
    Profile("Europe/Madrid", "es", "Madrid, España"),
    Profile("Asia/Kolkata", "en-IN", "Bengaluru, India"),
    Profile(None, None, "Chicago, Illinois"),
    Profile(None, None, None),
)
"""Zones and locales the realistic seed spreads candidates over (some unknown, on purpose)."""

_FIRST = (
    "Avery",
    "Noor",
    "Mateo",
    "Yuki",
    "Lena",
    "Kwame",
    "Inês",
    "Ravi",
    "Zoë",
    "Søren",
    "José",
    "Łucja",
    "Amara",
    "Chen",
    "Dagny",
    "Émile",
    "Farah",
    "Goran",
)
_LAST = (
    "Beispiel",
    "Muster",
    "Exemplo",
    "Placeholder",
    "Testova",
    "Sample",
    "Ejemplo",
    "Probe",
    "Fictif",
    "Esempio",
)


@dataclass(frozen=True)
class Organization:
    """The ids of the seeded organization, for tests and seeders."""

    jobs: tuple[int, ...]
    recruiters: tuple[int, ...]
    acting_user: int
    reasons_we: tuple[int, ...]
    reasons_they: tuple[int, ...]
    sources: tuple[int, ...]
    email_template: int


def custom_field(name: str, value: Any, kind: str = "short_text") -> dict[str, Any]:
    """One custom field as Greenhouse sends it: ``{name, type, value}``."""
    return {"name": name, "type": kind, "value": value}


def seed_organization(store: Store) -> Organization:
    """Offices, departments, users, reasons, sources, a template and two jobs with plans."""
    nid = store.next_id
    offices = [
        SbOffice(nid(), "New York", "New York, NY"),
        SbOffice(nid(), "London", "London, United Kingdom"),
        SbOffice(nid(), "Berlin", "Berlin, Germany"),
    ]
    for office in offices:
        store.offices[office.id] = office
    engineering = SbDepartment(nid(), "Engineering")
    sales = SbDepartment(nid(), "Sales")
    store.departments.update({engineering.id: engineering, sales.id: sales})
    users = [
        SbUser(
            nid(),
            "Robin",
            "Recruiter",
            "robin.recruiter@example.test",
            "Recruiter",
            "America/New_York",
        ),
        SbUser(
            nid(),
            "Kai",
            "Koordinator",
            "kai.koordinator@example.test",
            "Coordinator",
            "Europe/Berlin",
        ),
        SbUser(
            nid(),
            "Integration",
            "Service",
            "service@example.test",
            None,
            "UTC",
            service_account=True,
        ),
    ]
    for user in users:
        store.users[user.id] = user
    reasons = [
        SbReason(nid(), "Lacking skill(s)/qualification(s)", "WE_REJECTED_THEM"),
        SbReason(nid(), "Hired another candidate", "WE_REJECTED_THEM"),
        SbReason(nid(), "Not a fit for the role", "WE_REJECTED_THEM", default=True),
        SbReason(nid(), "Withdrew application", "THEY_REJECTED_US"),
        SbReason(nid(), "Accepted another offer", "THEY_REJECTED_US", default=True),
        SbReason(nid(), "Other", "NONE_SPECIFIED", default=True),
    ]
    for reason in reasons:
        store.reasons[reason.id] = reason
    sources = [
        SbSource(nid(), "Jobs page on your website", "Company marketing"),
        SbSource(nid(), "LinkedIn (Prospecting)", "Prospecting"),
        SbSource(nid(), "Referral", "Referral"),
        SbSource(nid(), "Talent Partners Agency", "Agencies"),
        SbSource(nid(), "Internal Applicant", "Other"),
    ]
    for source in sources:
        store.sources[source.id] = source
    template = nid()
    store.email_templates.add(template)
    jobs = [
        _job(
            store, "Backend Engineer", engineering.id, [offices[0].id, offices[2].id], DEFAULT_PLAN
        ),
        _job(store, "Account Executive", sales.id, [offices[1].id], SHORT_PLAN),
    ]
    return Organization(
        jobs=tuple(job.id for job in jobs),
        recruiters=(users[0].id, users[1].id),
        acting_user=users[0].id,
        reasons_we=tuple(r.id for r in reasons if r.type_key == "WE_REJECTED_THEM"),
        reasons_they=tuple(r.id for r in reasons if r.type_key == "THEY_REJECTED_US"),
        sources=tuple(source.id for source in sources),
        email_template=template,
    )


def _job(
    store: Store, name: str, department_id: int, office_ids: list[int], plan: tuple[str, ...]
) -> SbJob:
    job = SbJob(store.next_id(), name, department_id, office_ids)
    job.stages = [
        SbStage(store.next_id(), job.id, stage, order) for order, stage in enumerate(plan)
    ]
    store.jobs[job.id] = job
    return job


def add_candidate(
    store: Store,
    now: datetime,
    *,
    first_name: str,
    last_name: str,
    email: str | None,
    phone: str | None = None,
    profile: Profile | None = None,
    tags: tuple[str, ...] = (),
) -> SbCandidate:
    """Store a candidate; the profile's zone and language become custom fields."""
    candidate = SbCandidate(store.next_id(), first_name, last_name, now, now)
    if email:
        candidate.emails.append((email, "personal"))
    if phone:
        candidate.phones.append((phone, "mobile"))
    candidate.tags.extend(tags)
    if profile is not None:
        if profile.address:
            candidate.addresses.append((profile.address, "home"))
        if profile.time_zone:
            candidate.custom_fields["time_zone"] = custom_field("Time zone", profile.time_zone)
        if profile.locale:
            candidate.custom_fields["preferred_language"] = custom_field(
                "Preferred language", profile.locale
            )
    store.candidates[candidate.id] = candidate
    return candidate


def add_application(
    store: Store,
    now: datetime,
    *,
    candidate_id: int,
    job_id: int,
    stage_index: int = 0,
    recruiter_id: int | None = None,
    source_id: int | None = None,
) -> SbApplication:
    """Store an in-process application that went through the plan up to *stage_index*."""
    job = store.jobs[job_id]
    application = SbApplication(
        store.next_id(),
        candidate_id,
        job_id,
        now,
        now,
        last_activity_at=now,
        recruiter_id=recruiter_id,
        source_id=source_id,
    )
    last = min(stage_index, len(job.stages) - 1)
    for position in range(last + 1):
        entered = now - timedelta(days=last - position)
        exited = None if position == last else entered + timedelta(days=1)
        visit = SbStageVisit(
            store.next_id(), application.id, job.stages[position].id, entered, exited
        )
        application.visits.append(visit)
    store.applications[application.id] = application
    return application


def realistic_people(rng: random.Random, count: int) -> list[tuple[str, str, Profile]]:
    """*count* made-up names, each with a profile (zone, language, city)."""
    people = []
    for number in range(count):
        first = rng.choice(_FIRST)
        last = rng.choice(_LAST)
        people.append((first, f"{last}{number}", PROFILES[number % len(PROFILES)]))
    return people
