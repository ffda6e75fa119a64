from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pydantic
import pytest

from ats_reject.models import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Candidate,
    EventKind,
    EventSource,
    Job,
    Location,
    Rejection,
    RejectionReason,
    RejectionReasonKind,
    Stage,
    StageKind,
    User,
    VendorModel,
    WebhookDelivery,
)

DECIDED = datetime(2026, 11, 20, 16, 30, tzinfo=UTC)


def make_candidate(**overrides: object) -> Candidate:
    values: dict[str, object] = {
        "id": "c-1",
        "first_name": "Ana",
        "last_name": "Pérez",
        "emails": ("ana.perez@example.com",),
        "phone": "+34 600 000 000",
        "time_zone": "Europe/Madrid",
        "location": Location(city="Madrid", country="es"),
    }
    values.update(overrides)
    return Candidate(**values)  # type: ignore[arg-type]


def make_application() -> Application:
    return Application(
        id="a-1",
        candidate=make_candidate(),
        status=ApplicationStatus.REJECTED,
        job=Job(id="j-1", name="Backend Engineer", department="Engineering"),
        current_stage=Stage(id="s-3", name="Onsite", position=3, kind=StageKind.FINAL),
        rejection=Rejection(
            decided_at=DECIDED,
            reason=RejectionReason(
                id="r-1", name="Hired someone else", kind=RejectionReasonKind.WE_REJECTED
            ),
            decided_by=User(id="u-1", name="Rita Recruiter", email="rita@example.com"),
        ),
    )


def test_application_round_trips_through_json() -> None:
    application = make_application()
    again = Application.model_validate_json(application.model_dump_json())
    assert again == application
    assert again.candidate_id == "c-1"
    assert again.is_rejected
    assert again.candidate.primary_email == "ana.perez@example.com"
    assert again.candidate.location is not None
    assert again.candidate.location.country == "ES"


def test_personal_data_stays_out_of_repr_and_str() -> None:
    application = make_application()
    for text in (repr(application), str(application), repr(application.candidate)):
        for canary in ("Ana", "Pérez", "ana.perez@example.com", "600 000", "Madrid", "Rita"):
            assert canary not in text
    assert "c-1" in repr(application.candidate)


def test_validation_errors_do_not_echo_input() -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        make_candidate(time_zone="Mars/Olympus_Mons ana.perez@example.com")
    assert "ana.perez@example.com" not in str(info.value)
    assert "time_zone" in str(info.value)


def test_own_models_are_strict_and_closed() -> None:
    with pytest.raises(pydantic.ValidationError, match="extra"):
        Candidate(id="c", nickname="x")  # type: ignore[call-arg]
    with pytest.raises(pydantic.ValidationError):
        Candidate(id="c", emails=["a@b.co"])  # type: ignore[arg-type]  # a list, not a tuple
    with pytest.raises(pydantic.ValidationError):
        Stage(id="s", name="Screen", kind="screen")  # type: ignore[arg-type]
    with pytest.raises(pydantic.ValidationError):
        Candidate(id="   ")
    candidate = make_candidate()
    with pytest.raises(pydantic.ValidationError):
        candidate.first_name = "Eve"  # type: ignore[misc]


def test_datetimes_must_be_aware() -> None:
    with pytest.raises(pydantic.ValidationError):
        Rejection(decided_at=datetime(2026, 11, 20, 16, 30))
    plus_two = timezone(timedelta(hours=2))
    rejection = Rejection(decided_at=datetime(2026, 11, 20, 18, 30, tzinfo=plus_two))
    assert rejection.decided_at == DECIDED


def test_country_codes_are_iso_alpha2() -> None:
    with pytest.raises(pydantic.ValidationError):
        Location(country="Spain")
    assert Location(country="gb").country == "GB"


def test_display_name_prefers_preferred_name() -> None:
    assert make_candidate(preferred_name="Anita").display_first_name == "Anita"
    assert make_candidate().display_first_name == "Ana"


def test_events_and_deliveries() -> None:
    event = ApplicationEvent(
        kind=EventKind.REJECTED,
        application_id="a-1",
        candidate_id="c-1",
        occurred_at=DECIDED,
        source=EventSource.WEBHOOK,
        application=make_application(),
        vendor_action="reject_candidate",
    )
    delivery = WebhookDelivery(delivery_id="evt-1", events=(event,))
    assert delivery.occurred_at == DECIDED
    assert WebhookDelivery(delivery_id="ping", is_ping=True).occurred_at is None
    assert WebhookDelivery.model_validate_json(delivery.model_dump_json()) == delivery


def test_vendor_models_ignore_unknown_fields() -> None:
    class VendorApplication(VendorModel):
        id: int
        status: str

    parsed = VendorApplication.model_validate({"id": 7, "status": "active", "new_field": [1]})
    assert parsed.id == 7
    with pytest.raises(pydantic.ValidationError) as info:
        VendorApplication.model_validate({"id": "ana.perez@example.com", "status": "x"})
    assert "ana.perez@example.com" not in str(info.value)
