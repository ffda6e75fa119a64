"""Signed, expiring tokens for the links in messages: unsubscribe, consent, call done.

A link in an e-mail must name *what* it acts on without naming *who*: the token carries a
purpose, an id (an action id, a send id) and an expiry, signed with HMAC-SHA256 under a
secret only the library holds. Nothing personal is inside, so a forwarded or logged URL gives
nothing away, and a token cannot be forged, altered, reused for another purpose or used after
it expired::

    signer = LinkSigner(SecretStr(os.environ["ATS_REJECT_LINK_SECRET"]), clock=clock)
    url = signer.url("https://jobs.example.com/l", LinkPurpose.UNSUBSCRIBE, "send-42")
    ...
    payload = signer.verify(token, LinkPurpose.UNSUBSCRIBE)   # or InvalidLinkError

Verification is total: whatever string arrives, it returns a payload or raises
:class:`InvalidLinkError`, the same error with the same message for a malformed, tampered,
expired, wrong-purpose or unknown token, so the receiving endpoint can answer one uniform
"not found" that tells a prober nothing.

Token layout (URL-safe base64 without padding, one segment): ``version (1 byte) | purpose
(1 byte) | expiry (8 bytes, Unix seconds, big-endian) | id (ASCII) | HMAC-SHA256 (32 bytes)``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from pydantic import SecretStr

from ats_reject.clock import Clock, ensure_aware
from ats_reject.errors import AtsRejectError, ConfigurationError

__all__ = [
    "DEFAULT_LINK_VALIDITY",
    "MIN_LINK_SECRET_BYTES",
    "InvalidLinkError",
    "LinkPayload",
    "LinkPurpose",
    "LinkSigner",
]

MIN_LINK_SECRET_BYTES = 32
"""Shortest secret accepted (``secrets.token_urlsafe(32)`` gives 43 characters)."""


class LinkPurpose(StrEnum):
    """What a link does; a token signed for one purpose never verifies for another."""

    UNSUBSCRIBE = "unsubscribe"
    """One-click unsubscribe from follow-up and talent-pool mail (RFC 8058)."""
    CONSENT = "consent"
    """Give (or refuse) consent to stay in the talent pool."""
    CALL_DONE = "call_done"
    """The recruiter marks the call done: the fallback e-mail is not sent."""
    CALL_SEND_EMAIL = "call_send_email"
    """The recruiter asks for the e-mail to be sent instead of the call."""


DEFAULT_LINK_VALIDITY: MappingProxyType[LinkPurpose, timedelta] = MappingProxyType(
    {
        # An unsubscribe link must keep working as long as any follow-up can arrive.
        LinkPurpose.UNSUBSCRIBE: timedelta(days=3 * 365),
        LinkPurpose.CONSENT: timedelta(days=90),
        LinkPurpose.CALL_DONE: timedelta(days=30),
        LinkPurpose.CALL_SEND_EMAIL: timedelta(days=30),
    }
)
"""How long a link is valid when the caller does not say."""

_VERSION = 1
_PURPOSE_CODES: MappingProxyType[LinkPurpose, int] = MappingProxyType(
    {
        LinkPurpose.UNSUBSCRIBE: 1,
        LinkPurpose.CONSENT: 2,
        LinkPurpose.CALL_DONE: 3,
        LinkPurpose.CALL_SEND_EMAIL: 4,
    }
)
_PURPOSES_BY_CODE = MappingProxyType({code: purpose for purpose, code in _PURPOSE_CODES.items()})
_HEADER = struct.Struct(">BBQ")
_MAC_BYTES = 32
_MAX_ID_LENGTH = 128
# Ids only: no '@', no spaces, nothing that could hold an address or a name with spaces.
_SUBJECT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_MIN_RAW = _HEADER.size + 1 + _MAC_BYTES
_MAX_RAW = _HEADER.size + _MAX_ID_LENGTH + _MAC_BYTES
_MAX_TOKEN_CHARS = (_MAX_RAW * 4 + 2) // 3
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_-]+")
# Separates this use of the secret from any other use of the same bytes.
_KEY_LABEL = b"ats-reject/link-signing/v1"
_LAST_SECOND = int(datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp())


class InvalidLinkError(AtsRejectError):
    """A link token is not valid: malformed, altered, expired, for another purpose, or unknown.

    One error with one message for every case, so that an endpoint answering "not found"
    reveals nothing about why.
    """

    def __init__(self) -> None:
        super().__init__("link not found")


@dataclass(frozen=True, slots=True)
class LinkPayload:
    """What a verified token says.

    Attributes:
        purpose: What the link does.
        subject_id: The id the link acts on (an action or send id; never personal data).
        expires_at: When the link stops working (aware UTC, whole seconds).
    """

    purpose: LinkPurpose
    subject_id: str
    expires_at: datetime


def _derive_key(secret: SecretStr) -> bytes:
    raw = secret.get_secret_value().encode("utf-8")
    if len(raw) < MIN_LINK_SECRET_BYTES or len(set(raw)) < 8:
        raise ConfigurationError(
            f"the link-signing secret must be at least {MIN_LINK_SECRET_BYTES} random "
            "characters; generate one with: python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'"
        )
    return hmac.new(raw, _KEY_LABEL, hashlib.sha256).digest()


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode(token: str) -> bytes | None:
    """The bytes of *token*, or ``None`` unless it is the one canonical encoding of them."""
    if not (0 < len(token) <= _MAX_TOKEN_CHARS) or not _TOKEN_CHARS.fullmatch(token):
        return None
    padded = token + "=" * (-len(token) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded.encode("ascii"))
    except (binascii.Error, ValueError):
        return None
    # Unused low bits of the last character would let two spellings share one signature.
    if _encode(raw) != token:
        return None
    return raw


class LinkSigner:
    """Signs and verifies link tokens.

    Args:
        secret: The signing secret (at least 32 characters, from the environment).
        clock: Decides expiry.
        previous_secrets: Secrets that still verify but no longer sign, during a rotation.

    Raises:
        ConfigurationError: A secret is too short or visibly not random; the message never
            shows it.
    """

    def __init__(
        self,
        secret: SecretStr,
        *,
        clock: Clock,
        previous_secrets: Sequence[SecretStr] = (),
    ) -> None:
        self._key = _derive_key(secret)
        self._verify_keys = (self._key, *(_derive_key(old) for old in previous_secrets))
        self._clock = clock

    def sign(
        self,
        purpose: LinkPurpose,
        subject_id: str,
        *,
        expires_at: datetime | None = None,
        valid_for: timedelta | None = None,
    ) -> str:
        """A token for *purpose* on *subject_id*.

        Args:
            purpose: What the link does.
            subject_id: An id (letters, digits, ``.``, ``_``, ``:``, ``-``; at most 128);
                never an address or a name.
            expires_at: When it stops working (aware); rounded up to a whole second.
            valid_for: How long from now it works, when *expires_at* is not given; the
                purpose's default from :data:`DEFAULT_LINK_VALIDITY` when neither is.

        Returns:
            A URL-safe token.

        Raises:
            ValueError: The id is not an id, or the expiry is not in the future.
        """
        purpose = LinkPurpose(purpose)
        if not isinstance(subject_id, str) or not _SUBJECT_ID.fullmatch(subject_id):
            raise ValueError(
                "a link names an id: letters, digits, '.', '_', ':' and '-', at most 128"
            )
        now = self._clock.now()
        if expires_at is None:
            expires_at = now + (
                valid_for if valid_for is not None else DEFAULT_LINK_VALIDITY[purpose]
            )
        expires_at = ensure_aware(expires_at)
        if expires_at <= now:
            raise ValueError("a link must expire in the future")
        seconds = int(expires_at.timestamp())
        if seconds < expires_at.timestamp():
            seconds += 1
        if seconds > _LAST_SECOND:
            raise ValueError("a link must expire before the year 10000")
        payload = _HEADER.pack(_VERSION, _PURPOSE_CODES[purpose], seconds) + subject_id.encode(
            "ascii"
        )
        return _encode(payload + self._mac(self._key, payload))

    def verify(self, token: str, purpose: LinkPurpose) -> LinkPayload:
        """Check *token* for *purpose* and return what it says.

        Args:
            token: Whatever arrived (any string).
            purpose: What the endpoint that received it does.

        Returns:
            The verified payload.

        Raises:
            InvalidLinkError: For every token that is not a valid, unexpired token for
                *purpose*, whatever the reason.
        """
        raw = _decode(token) if isinstance(token, str) else None
        if raw is None or not (_MIN_RAW <= len(raw) <= _MAX_RAW):
            raise InvalidLinkError
        payload, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
        matched = False
        for key in self._verify_keys:
            # Every key is tried, so timing does not tell which one (if any) matched.
            matched |= hmac.compare_digest(self._mac(key, payload), mac)
        if not matched:
            raise InvalidLinkError
        version, code, seconds = _HEADER.unpack_from(payload)
        found = _PURPOSES_BY_CODE.get(code)
        subject = payload[_HEADER.size :]
        if version != _VERSION or found is None or found != purpose or seconds > _LAST_SECOND:
            raise InvalidLinkError
        expires_at = datetime.fromtimestamp(seconds, tz=UTC)
        if self._clock.now() >= expires_at:
            raise InvalidLinkError
        try:
            subject_id = subject.decode("ascii")
        except UnicodeDecodeError:
            raise InvalidLinkError from None
        if not _SUBJECT_ID.fullmatch(subject_id):
            raise InvalidLinkError
        return LinkPayload(purpose=found, subject_id=subject_id, expires_at=expires_at)

    def url(
        self,
        base_url: str,
        purpose: LinkPurpose,
        subject_id: str,
        *,
        expires_at: datetime | None = None,
        valid_for: timedelta | None = None,
    ) -> str:
        """``{base_url}/{purpose}/{token}``: the link as it goes into a message.

        The receiving endpoint routes on the purpose segment and verifies the token for it.
        Arguments are those of :meth:`sign`.
        """
        token = self.sign(purpose, subject_id, expires_at=expires_at, valid_for=valid_for)
        return f"{base_url.rstrip('/')}/{LinkPurpose(purpose).value}/{token}"

    @staticmethod
    def _mac(key: bytes, payload: bytes) -> bytes:
        return hmac.new(key, payload, hashlib.sha256).digest()

    def __repr__(self) -> str:
        """No key material."""
        return f"LinkSigner(keys={len(self._verify_keys)})"
