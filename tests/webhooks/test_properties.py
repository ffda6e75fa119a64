"""Properties of every verifier: total, round-trips, rejects every single-byte change."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime

from hypothesis import event, given, settings
from hypothesis import strategies as st

from ats_reject.clock import FrozenClock
from ats_reject.errors import WebhookVerificationError
from ats_reject.webhooks import (
    ASHBY,
    GITHUB,
    GREENHOUSE,
    STANDARD_WEBHOOKS,
    SVIX,
    HmacHeaderScheme,
    VerificationReason,
    VerifiedSignature,
    WebhookHeaders,
    WebhookVerifier,
    verify_hmac_hex,
)

PROPERTY = settings(max_examples=300, deadline=None, derandomize=True)

TIMESTAMP = 1614265330
CLOCK = FrozenClock(datetime.fromtimestamp(TIMESTAMP, UTC))
WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
TEXT_SECRET = "test-only-secret-0123456789abcdef"
HEX_SCHEMES = [GREENHOUSE, GITHUB, ASHBY]
REASONS = frozenset(reason.value for reason in VerificationReason)

VERIFIERS: list[WebhookVerifier] = [
    STANDARD_WEBHOOKS.verifier(WHSEC, clock=CLOCK),
    SVIX.verifier(WHSEC, clock=CLOCK),
    *(scheme.verifier(TEXT_SECRET) for scheme in HEX_SCHEMES),
]

# --- strategies ------------------------------------------------------------------------

_KNOWN_NAMES = [
    "webhook-id",
    "Webhook-Timestamp",
    "WEBHOOK-SIGNATURE",
    "svix-id",
    "svix-timestamp",
    "svix-signature",
    "Signature",
    "signature",
    "X-Hub-Signature-256",
    "ashby-signature",
]
names = st.one_of(st.sampled_from(_KNOWN_NAMES), st.text(max_size=24))
_signature_entries = st.lists(
    st.tuples(
        st.sampled_from(["v1", "v2", "v1a", "", "V1", "v1 "]),
        st.sampled_from([",", "", ",,"]),
        st.one_of(
            st.from_regex(r"[A-Za-z0-9+/]{43}=", fullmatch=True),
            st.from_regex(r"[A-Za-z0-9+/=_-]{0,50}", fullmatch=True),
            st.text(max_size=50),
        ),
    ).map("".join),
    max_size=4,
)
text_values = st.one_of(
    st.text(max_size=120),
    st.tuples(_signature_entries, st.sampled_from([" ", "  ", ", "])).map(
        lambda parts: parts[1].join(parts[0])
    ),
    st.integers(-(10**12), 10**12).map(str),
    st.integers(TIMESTAMP - 400, TIMESTAMP + 400).map(str),
    st.from_regex(r"[ +\-0-9_.e\uff10-\uff19]{0,14}", fullmatch=True),
    st.from_regex(r"(sha256[ =])?[0-9a-fA-Fg-z]{60,68}", fullmatch=True),
    st.tuples(
        st.sampled_from(["sha256 ", "sha256=", ""]),
        st.binary(min_size=32, max_size=32).map(bytes.hex),
    ).map("".join),
)
values = st.one_of(text_values, st.binary(max_size=80), st.none(), st.integers())
pair_names = st.one_of(names, names.map(lambda name: name.encode("utf-8", "surrogatepass")))
_SCHEME_HEADERS = [
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
    "svix-id",
    "svix-timestamp",
    "svix-signature",
    "Signature",
    "X-Hub-Signature-256",
    "Ashby-Signature",
]
headers_strategy = st.one_of(
    st.fixed_dictionaries({}, optional=dict.fromkeys(_SCHEME_HEADERS, text_values)),
    st.fixed_dictionaries({}, optional=dict.fromkeys(_SCHEME_HEADERS, text_values)),
    st.dictionaries(names, text_values, max_size=8),
    st.lists(st.tuples(pair_names, values), max_size=8),
    st.lists(st.one_of(st.tuples(names), st.tuples(names, values, values)), max_size=3),
    st.none(),
    st.integers(),
    st.text(max_size=20),
    st.binary(max_size=20),
)
bodies = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=200).map(str.encode),
    st.sampled_from([None, "text", bytearray(b"{}"), memoryview(b"[]")]),
)
message_ids = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, exclude_characters="."),
    min_size=1,
    max_size=64,
)
whsec_keys = st.binary(min_size=24, max_size=64).filter(lambda key: len(set(key)) > 1)


def _outcome(verify: Callable[..., object], *args: object) -> VerifiedSignature | str:
    try:
        result = verify(*args)
    except WebhookVerificationError as error:
        reason = error.reason
    else:
        assert isinstance(result, VerifiedSignature)
        event("accepted")
        return result
    assert reason in REASONS
    event(reason)
    return reason


def _signed_request(scheme_index: int, body: bytes) -> dict[str, str]:
    if scheme_index < 2:
        scheme = (STANDARD_WEBHOOKS, SVIX)[scheme_index]
        return scheme.sign(body, WHSEC, message_id="msg_1", timestamp=TIMESTAMP)
    return HEX_SCHEMES[scheme_index - 2].sign(body, TEXT_SECRET)


# --- totality ---------------------------------------------------------------------------


@PROPERTY
@given(headers=headers_strategy, body=bodies)
def test_arbitrary_requests_verify_or_raise_only_verification_errors(
    headers: object, body: object
) -> None:
    for verifier in VERIFIERS:
        _outcome(verifier.verify, headers, body)


@PROPERTY
@given(
    scheme_index=st.integers(0, len(VERIFIERS) - 1),
    body=st.one_of(st.binary(max_size=200), st.text(max_size=100).map(str.encode)),
    action=st.sampled_from(["drop", "replace", "replace", "replace", "add"]),
    data=st.data(),
)
def test_valid_requests_with_one_header_tampered_stay_total(
    scheme_index: int, body: bytes, action: str, data: st.DataObject
) -> None:
    signed = _signed_request(scheme_index, body)
    name = data.draw(st.one_of(st.sampled_from(sorted(signed)), names), label="name")
    value = data.draw(values, label="value")
    headers: list[tuple[object, object]] = list(signed.items())
    if action == "drop":
        headers = [pair for pair in headers if str(pair[0]).lower() != name.lower()]
    elif action == "replace":
        headers = [(k, value if str(k).lower() == name.lower() else v) for k, v in headers]
    else:
        headers.append((name, value))
    _outcome(VERIFIERS[scheme_index].verify, headers, body)


@PROPERTY
@given(
    message=st.one_of(st.binary(max_size=64), st.text(max_size=10), st.none()),
    signature=st.one_of(
        st.text(max_size=80),
        st.binary(max_size=80),
        st.from_regex(r"[0-9a-fA-F]{62,66}", fullmatch=True),
        st.none(),
        st.integers(),
    ),
)
def test_verify_hmac_hex_is_total(message: object, signature: object) -> None:
    try:
        index: int | None = verify_hmac_hex(message, signature, [TEXT_SECRET])  # type: ignore[arg-type]
    except WebhookVerificationError as error:
        reason: str | None = error.reason
    else:
        reason = None
        assert index == 0
    assert reason is None or reason in REASONS


@PROPERTY
@given(pairs=st.lists(st.tuples(pair_names, values), max_size=8), name=names)
def test_header_lookup_is_total(pairs: list[tuple[object, object]], name: str) -> None:
    headers = WebhookHeaders(pairs)  # type: ignore[arg-type]
    try:
        value = headers.get(name)
    except WebhookVerificationError as error:
        reason: str | None = error.reason
    else:
        reason = None
        assert value is None or (value.isascii() and value.isprintable())
    assert reason is None or reason in REASONS


# --- round trip -------------------------------------------------------------------------


@PROPERTY
@given(scheme=st.sampled_from(HEX_SCHEMES), body=st.binary(max_size=1000))
def test_header_schemes_round_trip(scheme: HmacHeaderScheme, body: bytes) -> None:
    result = scheme.verifier(TEXT_SECRET).verify(scheme.sign(body, TEXT_SECRET), body)
    assert (result.scheme, result.secret_index) == (scheme.name, 0)


@PROPERTY
@given(
    body=st.text(max_size=300).map(str.encode),
    message_id=message_ids,
    offset=st.integers(-300, 300),
    key=whsec_keys,
)
def test_standard_webhooks_round_trip(
    body: bytes, message_id: str, offset: int, key: bytes
) -> None:
    secret = "whsec_" + base64.b64encode(key).decode()
    headers = STANDARD_WEBHOOKS.sign(
        body, secret, message_id=message_id, timestamp=TIMESTAMP + offset
    )
    result = STANDARD_WEBHOOKS.verifier([WHSEC, secret], clock=CLOCK).verify(headers, body)
    assert result.secret_index == 1
    assert result.message_id == message_id
    assert result.timestamp == datetime.fromtimestamp(TIMESTAMP + offset, UTC)


# --- single-byte mutations ----------------------------------------------------------------


@PROPERTY
@given(
    scheme_index=st.integers(0, len(VERIFIERS) - 1),
    body=st.binary(min_size=1, max_size=300),
    data=st.data(),
)
def test_flipping_any_body_byte_is_rejected(
    scheme_index: int, body: bytes, data: st.DataObject
) -> None:
    headers = _signed_request(scheme_index, body)
    position = data.draw(st.integers(0, len(body) - 1))
    mask = data.draw(st.integers(1, 255))
    changed = bytearray(body)
    changed[position] ^= mask
    outcome = _outcome(VERIFIERS[scheme_index].verify, headers, bytes(changed))
    assert outcome in {"bad_signature", "non_utf8_body"}
    if scheme_index >= 2:
        assert outcome == "bad_signature"


@PROPERTY
@given(
    scheme_index=st.integers(0, len(VERIFIERS) - 1), body=st.binary(max_size=200), data=st.data()
)
def test_flipping_any_byte_of_any_signed_header_is_rejected(
    scheme_index: int, body: bytes, data: st.DataObject
) -> None:
    headers = _signed_request(scheme_index, body)
    name = data.draw(st.sampled_from(sorted(headers)))
    value = headers[name]
    position = data.draw(st.integers(0, len(value) - 1))
    replacement = data.draw(
        st.characters(min_codepoint=0x20, max_codepoint=0x7E).filter(
            lambda char: char != value[position]
        )
    )
    headers[name] = value[:position] + replacement + value[position + 1 :]
    outcome = _outcome(VERIFIERS[scheme_index].verify, headers, body)
    assert isinstance(outcome, str)


@PROPERTY
@given(body=st.binary(max_size=200), position=st.integers(0, 31), mask=st.integers(1, 255))
def test_flipping_any_bit_pattern_of_the_digest_is_a_bad_signature(
    body: bytes, position: int, mask: int
) -> None:
    for scheme in HEX_SCHEMES:
        digest = bytearray(hmac.new(TEXT_SECRET.encode(), body, hashlib.sha256).digest())
        digest[position] ^= mask
        headers = {scheme.header: scheme.prefix + digest.hex()}
        assert _outcome(scheme.verifier(TEXT_SECRET).verify, headers, body) == "bad_signature"


# --- only the correct signature verifies ---------------------------------------------------


@PROPERTY
@given(body=st.binary(max_size=200), digest=st.binary(min_size=32, max_size=32))
def test_only_the_correct_hex_digest_verifies(body: bytes, digest: bytes) -> None:
    correct = hmac.new(TEXT_SECRET.encode(), body, hashlib.sha256).digest()
    outcome = _outcome(
        GREENHOUSE.verifier(TEXT_SECRET).verify, {"Signature": "sha256 " + digest.hex()}, body
    )
    if hmac.compare_digest(digest, correct):
        assert isinstance(outcome, VerifiedSignature)
    else:
        assert outcome == "bad_signature"


@PROPERTY
@given(
    body=st.text(max_size=200).map(str.encode),
    digests=st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=4),
)
def test_only_a_correct_standard_webhooks_entry_verifies(body: bytes, digests: list[bytes]) -> None:
    headers = STANDARD_WEBHOOKS.sign(body, WHSEC, message_id="msg_1", timestamp=TIMESTAMP)
    correct = base64.b64decode(headers["webhook-signature"].removeprefix("v1,"))
    headers["webhook-signature"] = " ".join(
        "v1," + base64.b64encode(digest).decode() for digest in digests
    )
    outcome = _outcome(VERIFIERS[0].verify, headers, body)
    if any(hmac.compare_digest(digest, correct) for digest in digests):
        assert isinstance(outcome, VerifiedSignature)
    else:
        assert outcome == "bad_signature"


def test_the_signed_requests_the_properties_start_from_verify() -> None:
    # Guards the mutation properties against being vacuous: unmutated, every request passes.
    for index, verifier in enumerate(VERIFIERS):
        body = b'{"id": 1}'
        assert verifier.verify(_signed_request(index, body), body).secret_index == 0
