from __future__ import annotations

import pickle

import pytest

from ats_reject import errors


def test_tree_groups_errors_by_what_the_caller_should_do() -> None:
    retryable: list[type[errors.ApiError]] = [
        errors.RateLimitedError,
        errors.ServerError,
        errors.TransportError,
    ]
    fatal: list[type[errors.ApiError]] = [
        errors.AuthenticationError,
        errors.PermissionDeniedError,
        errors.NotFoundError,
        errors.ConflictError,
        errors.ApiValidationError,
    ]
    for cls in retryable:
        assert issubclass(cls, errors.RetryableApiError)
        assert not issubclass(cls, errors.FatalApiError)
    for cls in fatal:
        assert issubclass(cls, errors.FatalApiError)
        assert not issubclass(cls, errors.RetryableApiError)
    assert issubclass(errors.ResponseSchemaError, errors.ApiError)
    assert not issubclass(
        errors.ResponseSchemaError, errors.RetryableApiError | errors.FatalApiError
    )
    assert issubclass(errors.AdapterNotFoundError, errors.ConfigurationError)
    assert issubclass(errors.AdapterLoadError, errors.ConfigurationError)
    every = [
        getattr(errors, name) for name in errors.__all__ if isinstance(getattr(errors, name), type)
    ]
    assert all(issubclass(cls, errors.AtsRejectError) for cls in every)


def test_api_error_carries_operator_fields() -> None:
    error = errors.RateLimitedError(
        "rate limited",
        adapter="greenhouse",
        status=429,
        method="GET",
        path="https://harvest.greenhouse.io/v3/applications?email=ana@example.com",
        request_id="req-123",
        retry_after=7.0,
        vendor_code="rate_limit",
    )
    assert error.adapter == "greenhouse"
    assert error.status == 429
    assert error.path == "/v3/applications"
    assert error.request_id == "req-123"
    assert error.retry_after == 7.0
    text = str(error)
    for part in ("greenhouse", "HTTP 429", "GET /v3/applications", "req-123", "retry after 7s"):
        assert part in text


CANARIES = ["ana.perez@example.com", "+44 20 7946 0958", "sk_live_0123456789abcdef0123456789abcdef"]


def test_api_error_redacts_personal_data_and_secrets_everywhere() -> None:
    error = errors.ApiValidationError(
        "candidate ana.perez@example.com cannot be rejected",
        adapter="lever",
        status=422,
        method="POST",
        path="/v1/opportunities/1?api_key=sk_live_0123456789abcdef0123456789abcdef",
        vendor_message=(
            "Phone +44 20 7946 0958 invalid; token=sk_live_0123456789abcdef0123456789abcdef"
        ),
    )
    rendered = [str(error), repr(error), " ".join(map(str, error.args)), str(error.vendor_message)]
    for text in rendered:
        for canary in CANARIES:
            assert canary not in text
    assert "[email]" in str(error)


def test_api_error_strips_log_injection() -> None:
    error = errors.ServerError("boom", adapter="x", request_id="abc\r\nFAKE LOG LINE")
    assert "\n" not in str(error)
    assert "\r" not in repr(error)


def test_api_error_survives_pickling_with_its_fields() -> None:
    error = errors.NotFoundError("gone", adapter="greenhouse", status=404, request_id="r1")
    clone = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert type(clone) is errors.NotFoundError
    assert (clone.status, clone.request_id, str(clone)) == (404, "r1", str(error))


def test_adapter_not_found_lists_installed() -> None:
    error = errors.AdapterNotFoundError("workday", ["lever", "greenhouse"])
    assert "workday" in str(error)
    assert "greenhouse, lever" in str(error)
    assert error.installed == ("greenhouse", "lever")
    assert "none" in str(errors.AdapterNotFoundError("x", []))


def test_configuration_error_names_key_path() -> None:
    error = errors.ConfigurationError("expected a number", key_path="policy.rules[2].delay")
    assert str(error) == "policy.rules[2].delay: expected a number"
    assert error.key_path == "policy.rules[2].delay"


def test_webhook_errors_have_stable_reason_codes() -> None:
    assert errors.WebhookVerificationError("bad_signature").reason == "bad_signature"
    assert errors.WebhookPayloadError("not_json").reason == "not_json"
    with pytest.raises(errors.AtsRejectError):
        raise errors.StoreUnavailableError("database is locked")
