"""What tests, the demo and the benchmarks do to the sandbox besides the protocol.

A recruiter's actions in Greenhouse (touch, move, set a custom field), the records the
sandbox keeps for assertions (scheduled e-mails, notes), and seeders of realistic and bulk
data.
"""

from __future__ import annotations

import random
import threading
from datetime import datetime, timedelta
from typing import Any

from ats_reject.clock import Clock
from ats_reject_greenhouse.sandbox._seed import (
    Organization,
    add_candidate,
    custom_field,
    realistic_people,
)
from ats_reject_greenhouse.sandbox._store import SbApplication, SbScheduledEmail, Store
from ats_reject_greenhouse.sandbox._writes import Transitions

__all__ = ["SandboxData"]


class SandboxData:
    """Data helpers of :class:`~ats_reject_greenhouse.sandbox.GreenhouseSandbox`."""

    store: Store
    lock: threading.RLock
    transitions: Transitions
    org: Organization
    clock: Clock

    def _add(
        self, candidate_id: int, job_id: int, stage_index: int = 0, **extra: Any
    ) -> SbApplication:
        raise NotImplementedError

    def scheduled_emails(self) -> list[SbScheduledEmail]:
        """Rejection e-mails Greenhouse was asked to send."""
        with self.lock:
            return list(self.store.emails)

    def notes(self, application_id: str) -> list[str]:
        """Bodies of the notes on an application, oldest first."""
        with self.lock:
            notes = sorted(self.store.notes.values(), key=lambda note: note.id)
            return [note.body for note in notes if note.application_id == int(application_id)]

    def touch(self, application_id: str) -> None:
        """Record activity on an application, as a recruiter editing it would."""
        with self.lock:
            self.transitions.touch(self.store.applications[int(application_id)])

    def move(self, application_id: str, stage_index: int) -> None:
        """Move an application to the stage at *stage_index* of its job's plan."""
        with self.lock:
            application = self.store.applications[int(application_id)]
            job = self.store.jobs[application.job_id]
            self.transitions.move(application, job.stages[stage_index].id)

    def set_custom_field(self, application_id: str, key: str, name: str, value: Any) -> None:
        """Set an application custom field (and record the change)."""
        with self.lock:
            application = self.store.applications[int(application_id)]
            application.custom_fields[key] = custom_field(name, value)
            self.transitions.touch(application)

    def seed_realistic(self, people: int = 24, *, seed: int = 7) -> list[str]:
        """Made-up people across zones and locales, one to three applications each."""
        rng = random.Random(seed)  # noqa: S311 - made-up data, not security
        created: list[str] = []
        with self.lock:
            for first, last, profile in realistic_people(rng, people):
                email = f"{first.lower()}.{last.lower()}@example.test".encode("ascii", "ignore")
                candidate = add_candidate(
                    self.store,
                    self.clock.now(),
                    first_name=first,
                    last_name=last,
                    email=email.decode(),
                    profile=profile,
                )
                for job_id in rng.sample(self.org.jobs, k=rng.randint(1, len(self.org.jobs))):
                    plan = len(self.store.jobs[job_id].stages)
                    application = self._add(
                        candidate.id,
                        job_id,
                        rng.randrange(plan - 1),
                        source_id=rng.choice(self.org.sources),
                    )
                    roll = rng.random()
                    if roll < 0.3:
                        self.transitions.reject(
                            application, rng.choice(self.org.reasons_we), self.org.acting_user
                        )
                    elif roll < 0.35:
                        self.transitions.hire(application)
                    created.append(str(application.id))
        return created

    def seed_bulk(self, count: int, *, start: datetime, spacing: timedelta) -> None:
        """*count* minimal in-process applications, ``updated_at`` spread from *start*."""
        with self.lock:
            for number in range(count):
                moment = start + spacing * number
                candidate = add_candidate(
                    self.store,
                    moment,
                    first_name=f"Bulk{number}",
                    last_name="Sample",
                    email=f"bulk.{number}@example.test",
                )
                application = self._add(candidate.id, self.org.jobs[number % 2])
                application.created_at = application.updated_at = moment
                application.last_activity_at = moment
                for visit in application.visits:
                    visit.entered_at = moment
