"""The generic primitives: body size, verify_hmac_hex for body-signature vendors, statuses."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from pydantic import SecretStr

from ats_reject.errors import ConfigurationError, WebhookVerificationError
from ats_reject.webhooks import (
    DEFAULT_MAX_BODY_BYTES,
    VerificationReason,
    WebhookSecret,
    ensure_body_size,
    http_status_for,
    sign_hmac_hex,
    verify_hmac_hex,
)

TOKEN_SECRET = "lever-style-signature-token"
OTHER_TOKEN = "another-signature-token"


def lever_message(body: bytes) -> bytes:
    # What the Lever adapter will do: token + triggeredAt, taken from the JSON body.
    envelope = json.loads(body)
    return f"{envelope['token']}{envelope['triggeredAt']}".encode()


def lever_body(signature: str) -> bytes:
    return json.dumps(
        {"token": "t0k3n", "triggeredAt": 1700000000123, "event": "x", "signature": signature}
    ).encode()


def test_sign_hmac_hex_is_the_plain_hex_hmac() -> None:
    message = b"t0k3n1700000000123"
    expected = hmac.new(TOKEN_SECRET.encode(), message, hashlib.sha256).hexdigest()
    assert sign_hmac_hex(message, TOKEN_SECRET) == expected
    assert sign_hmac_hex(message, SecretStr(TOKEN_SECRET)) == expected


def test_a_lever_style_body_signature_verifies() -> None:
    signature = sign_hmac_hex(b"t0k3n1700000000123", TOKEN_SECRET)
    body = lever_body(signature)
    assert verify_hmac_hex(lever_message(body), signature, [TOKEN_SECRET]) == 0
    assert verify_hmac_hex(lever_message(body), signature.upper(), [TOKEN_SECRET]) == 0
    assert verify_hmac_hex(lever_message(body), signature.encode(), TOKEN_SECRET) == 0


def test_verify_hmac_hex_reports_the_matching_secret() -> None:
    message = b"t0k3n1700000000123"
    signature = sign_hmac_hex(message, TOKEN_SECRET)
    assert verify_hmac_hex(message, signature, [OTHER_TOKEN, TOKEN_SECRET]) == 1
    labelled = [WebhookSecret.from_text(OTHER_TOKEN, secret_id="new")]
    assert verify_hmac_hex(message, sign_hmac_hex(message, labelled[0]), labelled) == 0


@pytest.mark.parametrize(
    ("message", "signature", "reason"),
    [
        (b"t0k3n1700000000124", None, "bad_signature"),
        (b"t0k3n1700000000123", "0" * 64, "bad_signature"),
        (b"t0k3n1700000000123", "xyz", "malformed_signature"),
        (b"t0k3n1700000000123", "", "malformed_signature"),
        (b"t0k3n1700000000123", "\u00e9" * 64, "malformed_signature"),
        (b"t0k3n1700000000123", b"\xff" * 64, "malformed_signature"),
        (b"t0k3n1700000000123", "sha256=" + "0" * 64, "malformed_signature"),
        (b"t0k3n1700000000123", " " + "0" * 63, "malformed_signature"),
        (b"t0k3n1700000000123", 12345, "malformed_signature"),
        ("t0k3n1700000000123", None, "malformed_body"),
    ],
)
def test_verify_hmac_hex_rejects_with_a_reason(
    message: object, signature: object, reason: str
) -> None:
    good = sign_hmac_hex(b"t0k3n1700000000123", TOKEN_SECRET)
    with pytest.raises(WebhookVerificationError) as caught:
        verify_hmac_hex(message, good if signature is None else signature, [TOKEN_SECRET])  # type: ignore[arg-type]
    assert caught.value.reason == reason


def test_verify_hmac_hex_minimum_secret_length_is_configurable() -> None:
    with pytest.raises(ConfigurationError, match="shorter than 40 bytes"):
        verify_hmac_hex(b"m", "0" * 64, [TOKEN_SECRET], min_secret_bytes=40)


def test_ensure_body_size() -> None:
    assert DEFAULT_MAX_BODY_BYTES == 1024 * 1024
    assert ensure_body_size(b"abc", 3) == b"abc"
    assert ensure_body_size(bytearray(b"abc"), 3) == b"abc"
    assert ensure_body_size(memoryview(b"abc"), 3) == b"abc"
    for body, reason in (
        (b"abcd", "oversized"),
        ("abc", "malformed_body"),
        (None, "malformed_body"),
    ):
        with pytest.raises(WebhookVerificationError) as caught:
            ensure_body_size(body, 3)
        assert caught.value.reason == reason
    with pytest.raises(ConfigurationError):
        ensure_body_size(b"", 0)


def test_a_memoryview_is_measured_in_bytes() -> None:
    wide = memoryview(bytearray(8)).cast("I")  # two 4-byte items, eight bytes
    with pytest.raises(WebhookVerificationError) as caught:
        ensure_body_size(wide, 7)
    assert caught.value.reason == "oversized"


def test_http_status_for_each_reason() -> None:
    for reason in VerificationReason:
        expected = 413 if reason is VerificationReason.OVERSIZED else 401
        assert http_status_for(reason) == expected
        assert http_status_for(reason.value) == expected
        assert http_status_for(WebhookVerificationError(reason.value)) == expected


def test_reason_codes_are_stable() -> None:
    # These strings are a public contract (logs, metrics, docs/webhooks.md).
    assert sorted(reason.value for reason in VerificationReason) == sorted(
        [
            "bad_signature",
            "duplicated_header",
            "empty_header",
            "future_timestamp",
            "malformed_body",
            "malformed_header",
            "malformed_id",
            "malformed_signature",
            "malformed_timestamp",
            "missing_header",
            "non_ascii_header",
            "non_utf8_body",
            "oversized",
            "stale_timestamp",
            "unsupported_signature",
        ]
    )
