"""Standard Webhooks / Svix: known answers, the malformed-input matrix, tolerance, rotation."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from ats_reject.clock import FrozenClock
from ats_reject.errors import ConfigurationError, WebhookVerificationError
from ats_reject.webhooks import (
    STANDARD_WEBHOOKS,
    SVIX,
    StandardWebhooksScheme,
    StandardWebhooksVerifier,
    VerificationReason,
    WebhookSecret,
)

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MESSAGE_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
TIMESTAMP = 1614265330
BODY = b'{"test": 2432232314}'
EXPECTED_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
OTHER_SECRET = "whsec_" + base64.b64encode(bytes(range(7, 39))).decode("ascii")

Headers = dict[str, str]


def signed(body: bytes = BODY, overrides: Headers | None = None) -> Headers:
    headers = STANDARD_WEBHOOKS.sign(body, SECRET, message_id=MESSAGE_ID, timestamp=TIMESTAMP)
    headers.update(overrides or {})
    return headers


def reason_of(verifier: StandardWebhooksVerifier, headers: object, body: object) -> str:
    with pytest.raises(WebhookVerificationError) as caught:
        verifier.verify(headers, body)  # type: ignore[arg-type]
    return caught.value.reason


@pytest.fixture
def verifier(clock: FrozenClock) -> StandardWebhooksVerifier:
    return STANDARD_WEBHOOKS.verifier(SECRET, clock=clock)


# --- known answers (R2) and raw bytes (R1) ---------------------------------------------


def test_sign_reproduces_the_published_vector() -> None:
    assert signed() == {
        "webhook-id": MESSAGE_ID,
        "webhook-timestamp": str(TIMESTAMP),
        "webhook-signature": EXPECTED_SIGNATURE,
    }


def test_the_published_vector_verifies(verifier: StandardWebhooksVerifier) -> None:
    headers = {
        "webhook-id": MESSAGE_ID,
        "webhook-timestamp": str(TIMESTAMP),
        "webhook-signature": EXPECTED_SIGNATURE,
    }
    result = verifier.verify(headers, BODY)
    assert result.scheme == "standard_webhooks"
    assert result.secret_index == 0
    assert result.message_id == MESSAGE_ID
    assert result.timestamp == datetime.fromtimestamp(TIMESTAMP, UTC)


def test_the_secret_verifies_with_or_without_its_whsec_prefix(clock: FrozenClock) -> None:
    bare = SECRET.removeprefix("whsec_")
    assert STANDARD_WEBHOOKS.verifier(bare, clock=clock).verify(signed(), BODY).secret_index == 0


def test_header_names_are_matched_ignoring_case(verifier: StandardWebhooksVerifier) -> None:
    headers = {name.upper(): value for name, value in signed().items()}
    assert verifier.verify(headers, BODY).message_id == MESSAGE_ID


def test_asgi_style_byte_pairs_verify(verifier: StandardWebhooksVerifier) -> None:
    pairs = [(name.encode(), value.encode()) for name, value in signed().items()]
    pairs.append((b"user-agent", "Sv\u00efx".encode()))
    assert verifier.verify(pairs, bytearray(BODY)).secret_index == 0


def test_reserialised_json_with_the_same_signature_is_rejected(
    verifier: StandardWebhooksVerifier,
) -> None:
    reserialised = json.dumps(json.loads(BODY), separators=(",", ":")).encode()
    assert reserialised != BODY
    assert reason_of(verifier, signed(), reserialised) == "bad_signature"


def test_svix_header_names(clock: FrozenClock) -> None:
    headers = SVIX.sign(BODY, SECRET, message_id=MESSAGE_ID, timestamp=TIMESTAMP)
    assert headers["svix-signature"] == EXPECTED_SIGNATURE
    assert SVIX.verifier(SECRET, clock=clock).verify(headers, BODY).scheme == "svix"
    # A Svix verifier reads svix-* headers only; webhook-* names are a different scheme.
    assert reason_of(SVIX.verifier(SECRET, clock=clock), signed(), BODY) == "missing_header"


def test_unknown_versions_are_skipped_next_to_a_valid_v1(
    verifier: StandardWebhooksVerifier,
) -> None:
    good = EXPECTED_SIGNATURE
    mixed = f"v2,c29tZXRoaW5nIGVsc2U= v1a,{'A' * 86}== {good}"
    assert verifier.verify(signed(overrides={"webhook-signature": mixed}), BODY).secret_index == 0


def test_one_valid_entry_among_wrong_v1_entries_verifies(
    verifier: StandardWebhooksVerifier,
) -> None:
    wrong = "v1," + base64.b64encode(bytes(32)).decode()
    header = f"{wrong} {EXPECTED_SIGNATURE} {wrong}"
    assert verifier.verify(signed(overrides={"webhook-signature": header}), BODY).secret_index == 0


# --- the malformed-input matrix (R3) ------------------------------------------------------


def _without(name: str) -> Callable[[Headers], Headers]:
    return lambda headers: {k: v for k, v in headers.items() if k != name}


def _with(name: str, value: str) -> Callable[[Headers], Headers]:
    return lambda headers: {**headers, name: value}


_FULL_WIDTH = "\uff11\uff16\uff11\uff14\uff12\uff16\uff15\uff13\uff13\uff10"
_BASE64_OF_31_BYTES = base64.b64encode(bytes(31)).decode()
_URLSAFE_SIGNATURE = EXPECTED_SIGNATURE.replace("+", "-").replace("/", "_")

HEADER_CASES: list[tuple[str, Callable[[Headers], Headers], str]] = [
    ("no id", _without("webhook-id"), "missing_header"),
    ("no timestamp", _without("webhook-timestamp"), "missing_header"),
    ("no signature", _without("webhook-signature"), "missing_header"),
    ("empty id", _with("webhook-id", ""), "empty_header"),
    ("empty timestamp", _with("webhook-timestamp", ""), "empty_header"),
    ("empty signature", _with("webhook-signature", ""), "empty_header"),
    ("id one byte changed", _with("webhook-id", MESSAGE_ID[:-1] + "K"), "bad_signature"),
    ("timestamp one byte changed", _with("webhook-timestamp", "1614265331"), "bad_signature"),
    ("id with a dot", _with("webhook-id", "msg.1"), "malformed_id"),
    ("id with a space", _with("webhook-id", "msg 1"), "malformed_id"),
    ("id too long", _with("webhook-id", "m" * 257), "malformed_id"),
    ("timestamp hello", _with("webhook-timestamp", "hello"), "malformed_timestamp"),
    ("timestamp 1e9", _with("webhook-timestamp", "1e9"), "malformed_timestamp"),
    ("timestamp fraction", _with("webhook-timestamp", "1614265330.5"), "malformed_timestamp"),
    ("timestamp 1.5", _with("webhook-timestamp", "1.5"), "malformed_timestamp"),
    ("timestamp leading space", _with("webhook-timestamp", " 1614265330"), "malformed_timestamp"),
    ("timestamp trailing space", _with("webhook-timestamp", "1614265330 "), "malformed_timestamp"),
    ("timestamp plus sign", _with("webhook-timestamp", "+1614265330"), "malformed_timestamp"),
    ("timestamp minus sign", _with("webhook-timestamp", "-1614265330"), "malformed_timestamp"),
    ("timestamp underscores", _with("webhook-timestamp", "1_614_265_330"), "malformed_timestamp"),
    ("timestamp leading zero", _with("webhook-timestamp", "01614265330"), "malformed_timestamp"),
    ("timestamp nan", _with("webhook-timestamp", "nan"), "malformed_timestamp"),
    ("timestamp 4301 digits", _with("webhook-timestamp", "1" * 4301), "malformed_timestamp"),
    ("timestamp full-width digits", _with("webhook-timestamp", _FULL_WIDTH), "non_ascii_header"),
    ("entry v1 alone", _with("webhook-signature", "v1"), "malformed_header"),
    ("entry v1,a,b", _with("webhook-signature", "v1,a,b"), "malformed_signature"),
    ("entry v1,abc (bad base64)", _with("webhook-signature", "v1,abc"), "malformed_signature"),
    ("entry v1, empty", _with("webhook-signature", "v1,"), "malformed_signature"),
    ("entry without version", _with("webhook-signature", ",abc"), "malformed_header"),
    (
        "entry of 31 bytes",
        _with("webhook-signature", f"v1,{_BASE64_OF_31_BYTES}"),
        "malformed_signature",
    ),
    ("url-safe base64", _with("webhook-signature", _URLSAFE_SIGNATURE), "malformed_signature"),
    (
        "double space",
        _with("webhook-signature", f"{EXPECTED_SIGNATURE}  {EXPECTED_SIGNATURE}"),
        "malformed_header",
    ),
    ("trailing space", _with("webhook-signature", f"{EXPECTED_SIGNATURE} "), "malformed_header"),
    ("only v2", _with("webhook-signature", "v2,c29tZQ=="), "unsupported_signature"),
    ("only v1a", _with("webhook-signature", f"v1a,{'A' * 86}=="), "unsupported_signature"),
    ("v2 and v1a", _with("webhook-signature", "v2,x v1a,y"), "unsupported_signature"),
    (
        "upper-case V1",
        _with("webhook-signature", EXPECTED_SIGNATURE.upper()),
        "unsupported_signature",
    ),
    (
        "non-ASCII signature",
        _with("webhook-signature", "v1,\u00e9" + "A" * 42 + "="),
        "non_ascii_header",
    ),
    (
        "control character",
        _with("webhook-signature", EXPECTED_SIGNATURE + "\n"),
        "malformed_header",
    ),
    (
        "wrong v1 digest",
        _with("webhook-signature", "v1," + base64.b64encode(bytes(32)).decode()),
        "bad_signature",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [pytest.param(mutate, reason, id=name) for name, mutate, reason in HEADER_CASES],
)
def test_malformed_or_forged_headers_are_rejected_with_a_reason(
    verifier: StandardWebhooksVerifier, mutate: Callable[[Headers], Headers], reason: str
) -> None:
    assert reason_of(verifier, mutate(signed()), BODY) == reason


def test_every_reason_in_the_matrix_is_a_documented_code() -> None:
    documented = {member.value for member in VerificationReason}
    assert {reason for _, _, reason in HEADER_CASES} <= documented


def test_wrong_secret_is_rejected(clock: FrozenClock) -> None:
    other = STANDARD_WEBHOOKS.verifier(OTHER_SECRET, clock=clock)
    assert reason_of(other, signed(), BODY) == "bad_signature"


def test_one_byte_change_of_the_body_is_rejected(verifier: StandardWebhooksVerifier) -> None:
    assert reason_of(verifier, signed(), BODY.replace(b"2432", b"2433")) == "bad_signature"


def test_conflicting_headers_that_differ_only_in_case_are_rejected(
    verifier: StandardWebhooksVerifier,
) -> None:
    pairs = [*signed().items(), ("Webhook-Id", "msg_attacker")]
    assert reason_of(verifier, pairs, BODY) == "duplicated_header"
    as_mapping = {**signed(), "WEBHOOK-SIGNATURE": "v1," + base64.b64encode(bytes(32)).decode()}
    assert reason_of(verifier, as_mapping, BODY) == "duplicated_header"


def test_identical_repeated_headers_are_accepted(verifier: StandardWebhooksVerifier) -> None:
    pairs = [*signed().items(), ("Webhook-Id", MESSAGE_ID)]
    assert verifier.verify(pairs, BODY).message_id == MESSAGE_ID


def test_a_signed_body_that_is_not_utf8_is_rejected(verifier: StandardWebhooksVerifier) -> None:
    body = b'{"name": "\xff\xfe"}'
    assert reason_of(verifier, signed(body), body) == "non_utf8_body"


def test_oversized_bodies_are_rejected_before_anything_else(clock: FrozenClock) -> None:
    small = STANDARD_WEBHOOKS.verifier(SECRET, clock=clock, max_body_bytes=len(BODY))
    assert small.verify(signed(), BODY).secret_index == 0
    assert reason_of(small, {}, BODY + b" ") == "oversized"


def test_the_default_size_limit_is_one_mebibyte(verifier: StandardWebhooksVerifier) -> None:
    assert reason_of(verifier, signed(), b" " * (1024 * 1024 + 1)) == "oversized"
    at_limit = b"[" + b" " * (1024 * 1024 - 2) + b"]"
    assert verifier.verify(signed(at_limit), at_limit).secret_index == 0


@pytest.mark.parametrize("body", ["text", None, 42, [1, 2]])
def test_a_body_that_is_not_bytes_is_rejected(
    verifier: StandardWebhooksVerifier, body: object
) -> None:
    assert reason_of(verifier, signed(), body) == "malformed_body"


@pytest.mark.parametrize("headers", [None, 42, "webhook-id: x", b"raw", [("only-name",)], [42]])
def test_headers_that_are_not_pairs_are_rejected(
    verifier: StandardWebhooksVerifier, headers: object
) -> None:
    assert reason_of(verifier, headers, BODY) == "malformed_header"


def test_signing_refuses_ids_with_a_dot_and_naive_times() -> None:
    with pytest.raises(ValueError, match="message id"):
        STANDARD_WEBHOOKS.sign(BODY, SECRET, message_id="a.b", timestamp=TIMESTAMP)
    with pytest.raises(ValueError, match="time zone"):
        STANDARD_WEBHOOKS.sign(BODY, SECRET, message_id="a", timestamp=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="Unix seconds"):
        STANDARD_WEBHOOKS.sign(BODY, SECRET, message_id="a", timestamp=-1)


def test_sign_accepts_an_aware_datetime() -> None:
    moment = datetime.fromtimestamp(TIMESTAMP, UTC) + timedelta(milliseconds=999)
    headers = STANDARD_WEBHOOKS.sign(BODY, SECRET, message_id=MESSAGE_ID, timestamp=moment)
    assert headers["webhook-signature"] == EXPECTED_SIGNATURE


# --- tolerance (R5) ---------------------------------------------------------------------


@pytest.mark.parametrize("offset", [-300, -1, 0, 1, 300])
def test_timestamps_within_300_seconds_either_way_are_accepted(
    verifier: StandardWebhooksVerifier, offset: int
) -> None:
    headers = STANDARD_WEBHOOKS.sign(
        BODY, SECRET, message_id=MESSAGE_ID, timestamp=TIMESTAMP + offset
    )
    assert verifier.verify(headers, BODY).timestamp == datetime.fromtimestamp(
        TIMESTAMP + offset, UTC
    )


@pytest.mark.parametrize(
    ("offset", "reason"),
    [(-301, "stale_timestamp"), (301, "future_timestamp"), (-86400 * 3, "stale_timestamp")],
)
def test_timestamps_beyond_300_seconds_either_way_are_rejected(
    verifier: StandardWebhooksVerifier, offset: int, reason: str
) -> None:
    headers = STANDARD_WEBHOOKS.sign(
        BODY, SECRET, message_id=MESSAGE_ID, timestamp=TIMESTAMP + offset
    )
    assert reason_of(verifier, headers, BODY) == reason


def test_a_delivery_goes_stale_as_the_clock_moves(clock: FrozenClock) -> None:
    verifier = STANDARD_WEBHOOKS.verifier(SECRET, clock=clock)
    assert verifier.verify(signed(), BODY).secret_index == 0
    clock.advance(300)
    assert verifier.verify(signed(), BODY).secret_index == 0
    clock.advance(0.5)
    assert reason_of(verifier, signed(), BODY) == "stale_timestamp"


def test_a_custom_tolerance_applies_both_ways(clock: FrozenClock) -> None:
    verifier = STANDARD_WEBHOOKS.verifier(SECRET, clock=clock, tolerance=timedelta(seconds=10))
    assert verifier.tolerance == timedelta(seconds=10)
    for offset in (-10, 10):
        headers = STANDARD_WEBHOOKS.sign(
            BODY, SECRET, message_id=MESSAGE_ID, timestamp=TIMESTAMP + offset
        )
        assert verifier.verify(headers, BODY).secret_index == 0
    for offset in (-11, 11):
        headers = STANDARD_WEBHOOKS.sign(
            BODY, SECRET, message_id=MESSAGE_ID, timestamp=TIMESTAMP + offset
        )
        assert reason_of(verifier, headers, BODY) in {"stale_timestamp", "future_timestamp"}


@pytest.mark.parametrize(
    "tolerance",
    [
        0,
        0.0,
        None,
        -1,
        -300,
        timedelta(0),
        timedelta(seconds=-5),
        float("nan"),
        float("inf"),
        True,
        False,
        "300",
        3601,
        timedelta(days=1),
    ],
)
def test_the_tolerance_cannot_be_switched_off(clock: FrozenClock, tolerance: object) -> None:
    with pytest.raises(ConfigurationError, match="tolerance"):
        StandardWebhooksVerifier(SECRET, clock=clock, tolerance=tolerance)  # type: ignore[arg-type]


# --- rotation (R6) -----------------------------------------------------------------------


def test_rotation_accepts_old_and_new_then_only_new(clock: FrozenClock) -> None:
    old = WebhookSecret.from_standard_webhooks(SECRET, secret_id="2026-q1")
    new = WebhookSecret.from_standard_webhooks(OTHER_SECRET, secret_id="2026-q2")
    signed_old = STANDARD_WEBHOOKS.sign(BODY, old, message_id=MESSAGE_ID, timestamp=TIMESTAMP)
    signed_new = STANDARD_WEBHOOKS.sign(BODY, new, message_id=MESSAGE_ID, timestamp=TIMESTAMP)

    during = STANDARD_WEBHOOKS.verifier([old, new], clock=clock)
    first = during.verify(signed_old, BODY)
    second = during.verify(signed_new, BODY)
    assert (first.secret_index, first.secret_id) == (0, "2026-q1")
    assert (second.secret_index, second.secret_id) == (1, "2026-q2")

    after = STANDARD_WEBHOOKS.verifier([new], clock=clock)
    assert after.verify(signed_new, BODY).secret_id == "2026-q2"
    assert reason_of(after, signed_old, BODY) == "bad_signature"


def test_a_sender_signing_with_both_secrets_passes_either_verifier(clock: FrozenClock) -> None:
    headers = STANDARD_WEBHOOKS.sign(
        BODY, [SECRET, OTHER_SECRET], message_id=MESSAGE_ID, timestamp=TIMESTAMP
    )
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert STANDARD_WEBHOOKS.verifier([OTHER_SECRET], clock=clock).verify(headers, BODY)
    assert STANDARD_WEBHOOKS.verifier([SECRET], clock=clock).verify(headers, BODY)


def test_the_log_names_the_matching_secret_never_the_secret(
    clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    verifier = STANDARD_WEBHOOKS.verifier(
        [WebhookSecret.from_standard_webhooks(SECRET, secret_id="current")], clock=clock
    )
    with caplog.at_level(logging.DEBUG, logger="ats_reject.webhooks"):
        verifier.verify(signed(), BODY)
        with pytest.raises(WebhookVerificationError):
            verifier.verify(signed(overrides={"webhook-timestamp": "nan"}), BODY)
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert "secret_id=current" in text
    assert "malformed_timestamp" in text
    assert SECRET.removeprefix("whsec_") not in text
    assert MESSAGE_ID not in text


def test_the_verifier_repr_shows_no_secret(verifier: StandardWebhooksVerifier) -> None:
    shown = repr(verifier)
    assert "standard_webhooks" in shown
    assert "tolerance=300s" in shown
    assert SECRET.removeprefix("whsec_") not in shown


def test_a_verifier_without_a_clock_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="Clock"):
        StandardWebhooksVerifier(SECRET, clock=None)  # type: ignore[arg-type]


def test_a_scheme_with_an_impossible_header_name_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="header name"):
        StandardWebhooksScheme(name="broken", id_header="webhook id")
