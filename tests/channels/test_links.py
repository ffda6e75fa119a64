"""Signed link tokens: round trip, expiry, purpose, tampering, totality, rotation, no secrets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from ats_reject.clock import FrozenClock
from ats_reject.errors import AtsRejectError, ConfigurationError
from ats_reject.links import (
    DEFAULT_LINK_VALIDITY,
    InvalidLinkError,
    LinkPayload,
    LinkPurpose,
    LinkSigner,
)

from .conftest import LINK_SECRET

START = datetime(2025, 6, 2, 8, 30, tzinfo=UTC)


def _signer() -> tuple[LinkSigner, FrozenClock]:
    clock = FrozenClock(START)
    return LinkSigner(LINK_SECRET, clock=clock), clock


def test_a_token_verifies_for_its_purpose_and_says_what_it_names() -> None:
    signer, _ = _signer()

    token = signer.sign(LinkPurpose.UNSUBSCRIBE, "send-4f2a", valid_for=timedelta(days=10))

    assert signer.verify(token, LinkPurpose.UNSUBSCRIBE) == LinkPayload(
        purpose=LinkPurpose.UNSUBSCRIBE,
        subject_id="send-4f2a",
        expires_at=START + timedelta(days=10),
    )


@pytest.mark.parametrize("purpose", list(LinkPurpose))
def test_a_token_never_verifies_for_another_purpose(purpose: LinkPurpose) -> None:
    signer, _ = _signer()
    token = signer.sign(purpose, "action-1")

    for other in LinkPurpose:
        if other is not purpose:
            with pytest.raises(InvalidLinkError):
                signer.verify(token, other)


def test_expiry_is_exact_and_defaults_per_purpose() -> None:
    signer, clock = _signer()
    token = signer.sign(LinkPurpose.CALL_DONE, "call-9")
    lifetime = DEFAULT_LINK_VALIDITY[LinkPurpose.CALL_DONE]

    clock.advance(lifetime - timedelta(seconds=1))
    assert signer.verify(token, LinkPurpose.CALL_DONE).subject_id == "call-9"
    clock.advance(timedelta(seconds=1))
    with pytest.raises(InvalidLinkError):
        signer.verify(token, LinkPurpose.CALL_DONE)


def test_explicit_expiry_is_rounded_up_to_a_second() -> None:
    signer, _ = _signer()
    when = START + timedelta(hours=1, microseconds=250)

    payload = signer.verify(
        signer.sign(LinkPurpose.CONSENT, "c-1", expires_at=when), LinkPurpose.CONSENT
    )

    assert payload.expires_at == START + timedelta(hours=1, seconds=1)


def test_another_secret_does_not_verify_and_rotation_does() -> None:
    clock = FrozenClock(START)
    old = LinkSigner(SecretStr("old-secret-" + "k" * 10 + "0123456789abcdefghij"), clock=clock)
    new_only = LinkSigner(LINK_SECRET, clock=clock)
    rotating = LinkSigner(
        LINK_SECRET,
        clock=clock,
        previous_secrets=[SecretStr("old-secret-" + "k" * 10 + "0123456789abcdefghij")],
    )
    token = old.sign(LinkPurpose.UNSUBSCRIBE, "send-1")

    with pytest.raises(InvalidLinkError):
        new_only.verify(token, LinkPurpose.UNSUBSCRIBE)
    assert rotating.verify(token, LinkPurpose.UNSUBSCRIBE).subject_id == "send-1"
    # New tokens are signed with the current secret only.
    fresh = rotating.sign(LinkPurpose.UNSUBSCRIBE, "send-2")
    assert new_only.verify(fresh, LinkPurpose.UNSUBSCRIBE).subject_id == "send-2"
    with pytest.raises(InvalidLinkError):
        old.verify(fresh, LinkPurpose.UNSUBSCRIBE)


def test_every_failure_is_the_same_error_with_the_same_message() -> None:
    signer, clock = _signer()
    good = signer.sign(LinkPurpose.UNSUBSCRIBE, "send-1", valid_for=timedelta(minutes=1))
    failures: list[str] = []
    for token, purpose in [
        ("", LinkPurpose.UNSUBSCRIBE),
        ("garbage", LinkPurpose.UNSUBSCRIBE),
        (good[:-1], LinkPurpose.UNSUBSCRIBE),
        (good, LinkPurpose.CONSENT),
    ]:
        with pytest.raises(InvalidLinkError) as caught:
            signer.verify(token, purpose)
        failures.append(str(caught.value))
    clock.advance(120)
    with pytest.raises(InvalidLinkError) as caught:
        signer.verify(good, LinkPurpose.UNSUBSCRIBE)
    failures.append(str(caught.value))

    assert set(failures) == {"link not found"}
    assert issubclass(InvalidLinkError, AtsRejectError)


@pytest.mark.parametrize(
    "subject_id",
    ["jane.doe@example.test", "Jane Doe", "", "x" * 129, "ü-id", "a/b", "-lead", "id\n"],
)
def test_only_ids_go_into_a_token(subject_id: str) -> None:
    signer, _ = _signer()

    with pytest.raises(ValueError, match="id"):
        signer.sign(LinkPurpose.UNSUBSCRIBE, subject_id)


def test_a_token_cannot_expire_in_the_past() -> None:
    signer, _ = _signer()

    with pytest.raises(ValueError, match="future"):
        signer.sign(LinkPurpose.CONSENT, "c-1", expires_at=START)


@pytest.mark.parametrize("secret", ["short", "a" * 64, "abababababababababababababababababab"])
def test_weak_secrets_are_refused_without_being_shown(secret: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        LinkSigner(SecretStr(secret), clock=FrozenClock(START))
    assert secret not in str(caught.value)


def test_the_signer_shows_no_key() -> None:
    signer, _ = _signer()

    assert LINK_SECRET.get_secret_value() not in repr(signer)
    assert repr(signer) == "LinkSigner(keys=1)"


def test_url_puts_the_purpose_before_the_token() -> None:
    signer, _ = _signer()

    url = signer.url("https://jobs.example.com/l/", LinkPurpose.CALL_SEND_EMAIL, "call-3")

    prefix = "https://jobs.example.com/l/call_send_email/"
    assert url.startswith(prefix)
    token = url[len(prefix) :]
    assert "/" not in token
    assert signer.verify(token, LinkPurpose.CALL_SEND_EMAIL).subject_id == "call-3"


@settings(max_examples=300, deadline=None, derandomize=True)
@given(token=st.text(max_size=300), purpose=st.sampled_from(list(LinkPurpose)))
def test_verify_raises_only_the_one_error_for_any_string(token: str, purpose: LinkPurpose) -> None:
    signer, _ = _signer()

    with pytest.raises(InvalidLinkError):
        signer.verify(token, purpose)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(token=st.from_regex(r"[A-Za-z0-9_-]{40,120}", fullmatch=True))
def test_verify_refuses_well_formed_random_tokens(token: str) -> None:
    signer, _ = _signer()

    with pytest.raises(InvalidLinkError):
        signer.verify(token, LinkPurpose.UNSUBSCRIBE)


_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    subject_id=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,40}", fullmatch=True),
    data=st.data(),
)
def test_changing_any_one_character_breaks_the_token(subject_id: str, data: st.DataObject) -> None:
    signer, _ = _signer()
    token = signer.sign(LinkPurpose.UNSUBSCRIBE, subject_id)
    position = data.draw(st.integers(min_value=0, max_value=len(token) - 1))
    replacement = data.draw(st.sampled_from(_ALPHABET.replace(token[position], "")))
    tampered = token[:position] + replacement + token[position + 1 :]

    with pytest.raises(InvalidLinkError):
        signer.verify(tampered, LinkPurpose.UNSUBSCRIBE)


def test_every_position_of_one_token_is_protected() -> None:
    signer, _ = _signer()
    token = signer.sign(LinkPurpose.CONSENT, "consent-42")

    for position in range(len(token)):
        for replacement in ("A", "z", "-"):
            if token[position] == replacement:
                continue
            tampered = token[:position] + replacement + token[position + 1 :]
            with pytest.raises(InvalidLinkError):
                signer.verify(tampered, LinkPurpose.CONSENT)
    # Cutting or extending breaks it too.
    for broken in (token[1:], token[:-1], token + "A", "A" + token):
        with pytest.raises(InvalidLinkError):
            signer.verify(broken, LinkPurpose.CONSENT)
