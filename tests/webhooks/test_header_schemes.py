"""Greenhouse, GitHub and Ashby: HMAC-SHA256 of the raw body in one header."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable

import pytest

from ats_reject.errors import ConfigurationError, WebhookVerificationError
from ats_reject.webhooks import (
    ASHBY,
    GITHUB,
    GREENHOUSE,
    HmacHeaderScheme,
    HmacHeaderVerifier,
    WebhookSecret,
)

SECRET = "test-only-secret-0123456789abcdef"
OTHER_SECRET = "another-test-secret-fedcba9876543210"
BODY = b'{"action": "reject_candidate", "payload": {"application": {"id": 71980812}}}'

Headers = dict[str, str]
SCHEMES = [GREENHOUSE, GITHUB, ASHBY]
SCHEME_IDS = [scheme.name for scheme in SCHEMES]


def reason_of(verifier: HmacHeaderVerifier, headers: object, body: object) -> str:
    with pytest.raises(WebhookVerificationError) as caught:
        verifier.verify(headers, body)  # type: ignore[arg-type]
    return caught.value.reason


def hex_digest(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


# --- the vendors' formats and known answers (R2) ------------------------------------------


def test_github_documented_vector() -> None:
    secret = "It's a Secret to Everybody"
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert GITHUB.sign(b"Hello, World!", secret) == {"X-Hub-Signature-256": expected}
    verifier = GITHUB.verifier([secret])
    assert verifier.verify({"x-hub-signature-256": expected}, b"Hello, World!").scheme == "github"


@pytest.mark.parametrize(
    ("scheme", "header", "prefix"),
    [
        (GREENHOUSE, "Signature", "sha256 "),
        (GITHUB, "X-Hub-Signature-256", "sha256="),
        (ASHBY, "Ashby-Signature", "sha256="),
    ],
    ids=SCHEME_IDS,
)
def test_each_vendor_format(scheme: HmacHeaderScheme, header: str, prefix: str) -> None:
    expected = {header: prefix + hex_digest(SECRET, BODY)}
    assert scheme.sign(BODY, SECRET) == expected
    assert scheme.verifier(SECRET).verify(expected, BODY).secret_index == 0


def test_greenhouse_unicode_escapes_verify_on_the_raw_bytes() -> None:
    # Greenhouse escapes "<" and ">" as \u003c and \u003e before signing; parsing and
    # re-encoding the JSON loses the escapes, so only the raw bytes verify.
    body = (
        b'{"action":"reject_candidate","payload":{"application":{"id":1,'
        b'"rejection_details":{"notes":"\\u003cp\\u003eThanks\\u003c/p\\u003e"}}}}'
    )
    headers = {"Signature": "sha256 " + hex_digest(SECRET, body)}
    verifier = GREENHOUSE.verifier(SECRET)
    assert verifier.verify(headers, body).scheme == "greenhouse"
    reencoded = json.dumps(json.loads(body), separators=(",", ":")).encode()
    assert b"<p>" in reencoded
    assert reason_of(verifier, headers, reencoded) == "bad_signature"


@pytest.mark.parametrize("scheme", SCHEMES, ids=SCHEME_IDS)
@pytest.mark.parametrize(
    "reserialise",
    [
        lambda body: json.dumps(json.loads(body)).encode(),
        lambda body: json.dumps(json.loads(body), separators=(",", ":")).encode(),
        lambda body: json.dumps(json.loads(body), sort_keys=True, indent=2).encode(),
        lambda body: body + b"\n",
    ],
    ids=["default", "compact", "sorted-indented", "trailing-newline"],
)
def test_reserialised_json_with_the_same_signature_is_rejected(
    scheme: HmacHeaderScheme, reserialise: Callable[[bytes], bytes]
) -> None:
    body = b'{"b": 1,  "a": [1, 2]}'
    changed = reserialise(body)
    assert changed != body
    assert reason_of(scheme.verifier(SECRET), scheme.sign(body, SECRET), changed) == "bad_signature"


def test_upper_case_hex_digests_verify() -> None:
    headers = {"Signature": "sha256 " + hex_digest(SECRET, BODY).upper()}
    assert GREENHOUSE.verifier(SECRET).verify(headers, BODY).secret_index == 0


def test_a_base64_configuration_of_the_generic_scheme() -> None:
    scheme = HmacHeaderScheme(name="example", header="X-Example-Hmac-Sha256", encoding="base64")
    headers = scheme.sign(BODY, SECRET)
    assert headers["X-Example-Hmac-Sha256"].endswith("=")
    assert scheme.verifier(SECRET).verify(headers, BODY).scheme == "example"
    hex_instead = {"X-Example-Hmac-Sha256": hex_digest(SECRET, BODY)}
    assert reason_of(scheme.verifier(SECRET), hex_instead, BODY) == "malformed_signature"


# --- the malformed-input matrix (R3) -------------------------------------------------------


def _greenhouse(value: str) -> Callable[[Headers], Headers]:
    return lambda headers: {**headers, "Signature": value}


_GOOD = "sha256 " + hex_digest(SECRET, BODY)
GREENHOUSE_CASES: list[tuple[str, Callable[[Headers], Headers], str]] = [
    ("missing", lambda headers: {"Greenhouse-Event-ID": "1"}, "missing_header"),
    ("empty", _greenhouse(""), "empty_header"),
    ("equals instead of space", _greenhouse(_GOOD.replace(" ", "=")), "malformed_header"),
    ("upper-case algorithm", _greenhouse("SHA256 " + _GOOD[7:]), "malformed_header"),
    ("no algorithm", _greenhouse(_GOOD[7:]), "malformed_header"),
    ("two spaces", _greenhouse("sha256  " + _GOOD[7:]), "malformed_signature"),
    ("trailing space", _greenhouse(_GOOD + " "), "malformed_signature"),
    ("non-hex digest", _greenhouse("sha256 " + "zz" * 32), "malformed_signature"),
    ("63 hex digits", _greenhouse(_GOOD[:-1]), "malformed_signature"),
    ("65 hex digits", _greenhouse(_GOOD + "0"), "malformed_signature"),
    ("hex with inner space", _greenhouse(_GOOD[:20] + " " + _GOOD[21:]), "malformed_signature"),
    ("non-ASCII digest", _greenhouse("sha256 " + "\u00e9" * 64), "non_ascii_header"),
    ("full-width digits", _greenhouse("sha256 " + "\uff10" * 64), "non_ascii_header"),
    ("newline", _greenhouse(_GOOD + "\r\n"), "malformed_header"),
    ("NUL byte", _greenhouse(_GOOD[:-1] + "\x00"), "malformed_header"),
    ("wrong digest", _greenhouse("sha256 " + "0" * 64), "bad_signature"),
    (
        "conflicting case duplicate",
        lambda headers: {**headers, "signature": "sha256 " + "0" * 64},
        "duplicated_header",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [pytest.param(mutate, reason, id=name) for name, mutate, reason in GREENHOUSE_CASES],
)
def test_malformed_or_forged_greenhouse_headers(
    mutate: Callable[[Headers], Headers], reason: str
) -> None:
    headers = {"Greenhouse-Event-ID": "1", **GREENHOUSE.sign(BODY, SECRET)}
    assert reason_of(GREENHOUSE.verifier(SECRET), mutate(headers), BODY) == reason


@pytest.mark.parametrize("scheme", SCHEMES, ids=SCHEME_IDS)
def test_wrong_secret_and_one_byte_body_change_are_rejected(scheme: HmacHeaderScheme) -> None:
    headers = scheme.sign(BODY, SECRET)
    assert reason_of(scheme.verifier(OTHER_SECRET), headers, BODY) == "bad_signature"
    for position in (0, len(BODY) // 2, len(BODY) - 1):
        changed = bytearray(BODY)
        changed[position] ^= 0x01
        assert reason_of(scheme.verifier(SECRET), headers, bytes(changed)) == "bad_signature"


@pytest.mark.parametrize("scheme", SCHEMES, ids=SCHEME_IDS)
def test_the_header_of_another_vendor_is_missing(scheme: HmacHeaderScheme) -> None:
    others = [other for other in SCHEMES if other.header.lower() != scheme.header.lower()]
    for other in others:
        headers = other.sign(BODY, SECRET)
        assert reason_of(scheme.verifier(SECRET), headers, BODY) == "missing_header"


def test_non_ascii_bytes_in_an_asgi_header_are_rejected() -> None:
    pairs = [(b"signature", b"sha256 " + "\u00e9".encode() * 32)]
    assert reason_of(GREENHOUSE.verifier(SECRET), pairs, BODY) == "non_ascii_header"


def test_an_odd_header_that_is_never_read_does_not_matter() -> None:
    pairs = [
        *GREENHOUSE.sign(BODY, SECRET).items(),
        ("User-Agent", "Gr\u00e9enhouse\x00"),
        ("Accept", "a"),
        ("accept", "b"),
    ]
    assert GREENHOUSE.verifier(SECRET).verify(pairs, BODY).secret_index == 0


def test_a_signed_non_utf8_body_verifies_unless_the_scheme_requires_text() -> None:
    body = b'{"notes": "\xff"}'
    headers = GREENHOUSE.sign(body, SECRET)
    # The signature covers bytes: reading the body is the payload parser's job (quarantine).
    assert GREENHOUSE.verifier(SECRET).verify(headers, body).secret_index == 0
    strict = HmacHeaderScheme(
        name="greenhouse", header="Signature", prefix="sha256 ", require_utf8_body=True
    )
    assert reason_of(strict.verifier(SECRET), headers, body) == "non_utf8_body"
    forged = {"Signature": "sha256 " + "0" * 64}
    assert reason_of(GREENHOUSE.verifier(SECRET), forged, body) == "bad_signature"


def test_oversized_bodies_are_rejected() -> None:
    verifier = ASHBY.verifier(SECRET, max_body_bytes=len(BODY))
    assert verifier.verify(ASHBY.sign(BODY, SECRET), BODY).secret_index == 0
    bigger = BODY + b" "
    assert reason_of(verifier, ASHBY.sign(bigger, SECRET), bigger) == "oversized"
    huge = b"x" * (1024 * 1024 + 1)
    assert reason_of(ASHBY.verifier(SECRET), ASHBY.sign(huge, SECRET), huge) == "oversized"


@pytest.mark.parametrize("limit", [0, -1, 1.5, True, None, "1024"])
def test_a_bad_size_limit_is_a_configuration_error(limit: object) -> None:
    with pytest.raises(ConfigurationError, match="max_body_bytes"):
        GITHUB.verifier(SECRET, max_body_bytes=limit)  # type: ignore[arg-type]


# --- rotation (R6) --------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", SCHEMES, ids=SCHEME_IDS)
def test_rotation(scheme: HmacHeaderScheme) -> None:
    old = scheme.secret(SECRET, secret_id="old")
    new = scheme.secret(OTHER_SECRET, secret_id="new")
    from_old, from_new = scheme.sign(BODY, old), scheme.sign(BODY, new)

    during = scheme.verifier([old, new])
    first, second = during.verify(from_old, BODY), during.verify(from_new, BODY)
    assert (first.secret_index, first.secret_id) == (0, "old")
    assert (second.secret_index, second.secret_id) == (1, "new")

    after = scheme.verifier([new])
    assert after.verify(from_new, BODY).secret_index == 0
    assert reason_of(after, from_old, BODY) == "bad_signature"


def test_unlabelled_secrets_report_their_index_only() -> None:
    verifier = GITHUB.verifier([OTHER_SECRET, SECRET])
    result = verifier.verify(GITHUB.sign(BODY, SECRET), BODY)
    assert (result.secret_index, result.secret_id) == (1, None)


# --- configuration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"header": "Bad Header"},
        {"header": ""},
        {"header": "Signature", "prefix": "sha256\n"},
        {"header": "Signature", "encoding": "base32"},
        {"header": "Signature", "min_secret_bytes": 0},
    ],
)
def test_a_scheme_that_could_never_verify_is_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        HmacHeaderScheme(name="broken", **kwargs)  # type: ignore[arg-type]


def test_new_secrets_are_strong_and_accepted() -> None:
    first, second = GREENHOUSE.new_secret(), GREENHOUSE.new_secret()
    assert len(first.get_secret_value()) >= 40
    assert not hmac.compare_digest(first.get_secret_value(), second.get_secret_value())
    assert GREENHOUSE.verifier([first]).verify(GREENHOUSE.sign(BODY, first), BODY)
    assert "**" in repr(first)


def test_the_verifier_repr_shows_no_secret() -> None:
    verifier = GREENHOUSE.verifier([SECRET, WebhookSecret(OTHER_SECRET.encode())])
    assert repr(verifier) == (
        "HmacHeaderVerifier(scheme='greenhouse', secrets=2, max_body_bytes=1048576)"
    )
