"""Webhook secrets: strength checks, nothing secret in reprs or errors, accepted forms."""

from __future__ import annotations

import base64
import pickle

import pytest
from pydantic import SecretStr

from ats_reject import AdapterSettings
from ats_reject.clock import FrozenClock
from ats_reject.errors import ConfigurationError, WebhookVerificationError
from ats_reject.webhooks import (
    GREENHOUSE,
    STANDARD_WEBHOOKS,
    WebhookSecret,
    sign_hmac_hex,
    verify_hmac_hex,
)

CANARY = "canary-secret-value-0123456789-xyz"
BODY = b"{}"


def whsec(key: bytes) -> str:
    return "whsec_" + base64.b64encode(key).decode("ascii")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "empty"),
        ("a" * 40, "one byte repeated"),
        ("short-secret", "shorter than 24 bytes"),
        (CANARY + "\n", "whitespace"),
        (" " + CANARY, "whitespace"),
        ("\ud800" + CANARY, "not valid Unicode"),
    ],
)
def test_weak_or_broken_text_secrets_are_refused(value: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message) as caught:
        GREENHOUSE.verifier([value])
    assert caught.value.key_path == "webhook_secrets[0]"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (whsec(bytes(range(23))), "shorter than 24 bytes"),
        (whsec(b"\x07" * 32), "one byte repeated"),
        (whsec(bytes(range(65))), "longer than 64 bytes"),
        ("whsec_not base64!", "not a whsec_ base64"),
        ("whsec_" + "A" * 33, "not a whsec_ base64"),
        ("whsec_\u00e9" + "A" * 39, "not a whsec_ base64"),
        ("", "empty"),
        ("whsec_", "empty"),
    ],
)
def test_weak_or_broken_standard_webhooks_secrets_are_refused(value: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        STANDARD_WEBHOOKS.secret(value)


def test_standard_webhooks_secrets_of_24_and_64_bytes_are_accepted() -> None:
    for size in (24, 64):
        assert STANDARD_WEBHOOKS.secret(whsec(bytes(range(size)))).secret_id is None


@pytest.mark.parametrize("secrets", [[], (), iter(())])
def test_an_endpoint_needs_at_least_one_secret(secrets: object) -> None:
    with pytest.raises(ConfigurationError, match="at least one"):
        GREENHOUSE.verifier(secrets)  # type: ignore[arg-type]


@pytest.mark.parametrize("secrets", [42, None, [CANARY, 42], [CANARY, None]])
def test_secrets_of_the_wrong_type_are_refused(secrets: object) -> None:
    with pytest.raises(ConfigurationError):
        GREENHOUSE.verifier(secrets)  # type: ignore[arg-type]


def test_the_error_says_which_secret_is_weak_without_showing_any() -> None:
    with pytest.raises(ConfigurationError) as caught:
        GREENHOUSE.verifier([CANARY, "weak-" + CANARY[:5]])
    assert caught.value.key_path == "webhook_secrets[1]"
    assert CANARY[:5] not in str(caught.value)
    assert CANARY[:5] not in repr(caught.value)


def test_a_prepared_secret_is_held_to_the_scheme_minimum(clock: FrozenClock) -> None:
    short = WebhookSecret(b"sixteen-byte-key")
    assert GREENHOUSE.verifier(WebhookSecret(CANARY.encode())).verify(
        GREENHOUSE.sign(BODY, CANARY), BODY
    )
    with pytest.raises(ConfigurationError, match="shorter than 24 bytes"):
        GREENHOUSE.verifier([short])
    with pytest.raises(ConfigurationError, match="shorter than 24 bytes"):
        STANDARD_WEBHOOKS.verifier([short], clock=clock)


def test_raw_byte_secrets_are_checked_too() -> None:
    with pytest.raises(ConfigurationError, match="one byte repeated"):
        GREENHOUSE.verifier([b"\x00" * 32])
    with pytest.raises(ConfigurationError, match="must be bytes"):
        WebhookSecret("text")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="positive"):
        WebhookSecret(CANARY.encode(), min_bytes=0)


def test_secret_str_from_adapter_settings_is_accepted() -> None:
    settings = AdapterSettings(webhook_secrets=(SecretStr(CANARY),))
    verifier = GREENHOUSE.verifier(settings.webhook_secrets)
    assert verifier.verify(GREENHOUSE.sign(BODY, CANARY), BODY).secret_index == 0


def test_nothing_secret_in_reprs() -> None:
    secret = WebhookSecret.from_text(CANARY, secret_id="primary")
    assert repr(secret) == "WebhookSecret(secret_id='primary')"
    assert str(secret) == repr(secret)
    verifier = GREENHOUSE.verifier([secret, SecretStr(CANARY[::-1])])
    result = verifier.verify(GREENHOUSE.sign(BODY, secret), BODY)
    for shown in (repr(secret), repr(verifier), repr(result), str(result)):
        assert CANARY not in shown
        assert CANARY[::-1] not in shown
    assert not hasattr(secret, "__dict__")


def test_secrets_have_no_equality_that_could_leak_timing() -> None:
    first = WebhookSecret.from_text(CANARY)
    second = WebhookSecret.from_text(CANARY)
    assert first != second
    assert WebhookSecret.__eq__ is object.__eq__


def test_verification_errors_never_carry_request_content() -> None:
    verifier = GREENHOUSE.verifier(CANARY)
    attacker = "sha256 " + "ab" * 31 + "zz"
    with pytest.raises(WebhookVerificationError) as caught:
        verifier.verify({"Signature": attacker}, BODY)
    assert "ab" * 31 not in str(caught.value)
    assert caught.value.args == (
        "webhook verification failed: malformed_signature (expected 64 hex digits)",
    )


def test_verification_errors_pickle_with_their_reason() -> None:
    with pytest.raises(WebhookVerificationError) as caught:
        GREENHOUSE.verifier(CANARY).verify({}, BODY)
    restored = pickle.loads(pickle.dumps(caught.value))  # noqa: S301
    assert restored.reason == "missing_header"


def test_sign_takes_exactly_one_secret() -> None:
    with pytest.raises(ConfigurationError, match="exactly one"):
        GREENHOUSE.sign(BODY, [CANARY, CANARY])  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="exactly one"):
        sign_hmac_hex(BODY, [CANARY])  # type: ignore[arg-type]


def test_verify_hmac_hex_refuses_empty_and_repeated_secrets() -> None:
    signature = "0" * 64
    for secrets in ([], [""], ["x" * 30], [b"\x01" * 30]):
        with pytest.raises(ConfigurationError):
            verify_hmac_hex(BODY, signature, secrets)


def test_a_secret_label_must_be_text_and_is_read_only() -> None:
    with pytest.raises(ConfigurationError, match="label"):
        WebhookSecret(CANARY.encode(), secret_id=7)  # type: ignore[arg-type]
    secret = WebhookSecret(CANARY.encode(), secret_id="a")
    with pytest.raises(AttributeError):
        secret.secret_id = "b"  # type: ignore[misc]
