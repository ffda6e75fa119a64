"""Rules the whole webhooks package keeps: no equality operators, a documented public API."""

from __future__ import annotations

import io
import tokenize
from pathlib import Path

from ats_reject import webhooks

PACKAGE = Path(webhooks.__file__).parent


def test_no_equality_operator_anywhere_in_the_package() -> None:
    # Signatures and secrets are compared with hmac.compare_digest on bytes only; the simple
    # way to keep it so is to allow no == or != at all in this package (R4).
    offenders = []
    for path in sorted(PACKAGE.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.OP and token.string in {"==", "!="}:
                offenders.append(f"{path.name}:{token.start[0]}")
    assert offenders == []
    assert len(list(PACKAGE.glob("*.py"))) >= 5


def test_all_lists_exactly_the_public_names_with_docstrings() -> None:
    exported = set(webhooks.__all__)
    assert len(exported) == len(webhooks.__all__)
    public = {
        name
        for name, value in vars(webhooks).items()
        if not name.startswith("_") and not isinstance(value, type(webhooks))
    }
    assert public == exported
    for name in exported:
        value = getattr(webhooks, name)
        if isinstance(value, type) or callable(value):
            assert getattr(value, "__doc__", None), name


def test_the_ready_made_schemes() -> None:
    assert (webhooks.GREENHOUSE.header, webhooks.GREENHOUSE.prefix) == ("Signature", "sha256 ")
    assert (webhooks.GITHUB.header, webhooks.GITHUB.prefix) == ("X-Hub-Signature-256", "sha256=")
    assert (webhooks.ASHBY.header, webhooks.ASHBY.prefix) == ("Ashby-Signature", "sha256=")
    assert webhooks.STANDARD_WEBHOOKS.signature_header == "webhook-signature"
    assert webhooks.SVIX.signature_header == "svix-signature"
    assert webhooks.DEFAULT_TOLERANCE_SECONDS == 300
    assert webhooks.STANDARD_WEBHOOKS_MIN_SECRET_BYTES == 24


def test_every_verifier_meets_the_verifier_protocol() -> None:
    from ats_reject.clock import SystemClock

    secret = "test-only-secret-0123456789abcdef"
    whsec = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    verifiers = [
        webhooks.GREENHOUSE.verifier(secret),
        webhooks.STANDARD_WEBHOOKS.verifier(whsec, clock=SystemClock()),
    ]
    assert all(isinstance(verifier, webhooks.WebhookVerifier) for verifier in verifiers)
