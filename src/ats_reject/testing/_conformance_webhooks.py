"""Conformance checks of webhooks: verification on raw bytes, parsing, and the fresh re-read."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from ats_reject.adapter import Adapter, Capability
from ats_reject.errors import WebhookPayloadError, WebhookVerificationError
from ats_reject.models import ApplicationStatus, EventKind, EventSource, WebhookDelivery
from ats_reject.testing._conformance_base import ConformanceBase, Seeder
from ats_reject.testing.leakguard import LeakGuard
from ats_reject.testing.sandbox import AdapterSandbox, SignedWebhook

__all__ = ["WebhookChecks"]

_FORGERS_KEY = "conformance-wrong-secret-0123456789abcdef"


class WebhookChecks(ConformanceBase):
    """``verify_webhook`` refuses every forgery; ``parse_webhook`` normalizes the rest."""

    def test_webhook_of_each_kind_verifies_and_parses(
        self, adapter: Adapter[Any], sandbox: AdapterSandbox, seed: Seeder, leak_guard: LeakGuard
    ) -> None:
        """A correctly signed webhook gives its delivery id and one event of its kind."""
        self.require(Capability.WEBHOOKS)
        for kind in sorted(sandbox.webhook_kinds):
            application_id = seed()
            webhook = sandbox.webhook(kind, application_id)
            delivery = self._accept(adapter, webhook, leak_guard, f"a {kind.value} webhook")
            assert delivery.delivery_id == webhook.delivery_id, "wrong delivery id"
            assert not delivery.is_ping, f"a {kind.value} webhook is not a ping"
            matching = [
                event
                for event in delivery.events
                if event.kind is kind and event.application_id == application_id
            ]
            assert matching, f"no {kind.value} event for the application in the delivery"
            assert all(event.source is EventSource.WEBHOOK for event in delivery.events)

    def test_webhook_verifies_with_every_active_secret(
        self, adapter: Adapter[Any], sandbox: AdapterSandbox, seed: Seeder, leak_guard: LeakGuard
    ) -> None:
        """During a rotation, deliveries signed with any configured secret verify."""
        self.require(Capability.WEBHOOKS)
        application_id = seed()
        for secret in adapter.settings.webhook_secrets:
            webhook = sandbox.webhook(
                EventKind.REJECTED, application_id, secret=secret.get_secret_value()
            )
            self._accept(adapter, webhook, leak_guard, "a webhook signed with a rotated secret")

    def test_webhook_headers_are_case_insensitive(
        self, adapter: Adapter[Any], sandbox: AdapterSandbox, seed: Seeder, leak_guard: LeakGuard
    ) -> None:
        """Header names arrive in any case (WSGI, ASGI, proxies); verification still works."""
        self.require(Capability.WEBHOOKS)
        webhook = sandbox.webhook(EventKind.REJECTED, seed())
        for transform in (str.lower, str.upper):
            headers = {transform(name): value for name, value in webhook.headers.items()}
            self._accept(adapter, _replace(webhook, headers), leak_guard, "re-cased headers")

    def test_forged_webhooks_are_refused(
        self, adapter: Adapter[Any], sandbox: AdapterSandbox, seed: Seeder, leak_guard: LeakGuard
    ) -> None:
        """A wrong secret, a tampered body or a missing signature header is refused."""
        self.require(Capability.WEBHOOKS)
        application_id = seed()
        genuine = sandbox.webhook(EventKind.REJECTED, application_id)
        forgeries: dict[str, SignedWebhook] = {
            "signed with a wrong secret": sandbox.webhook(
                EventKind.REJECTED, application_id, secret=_FORGERS_KEY
            ),
            "with a tampered body": _replace(genuine, body=_tamper(genuine.body)),
            "with an empty body": _replace(genuine, body=b""),
        }
        for name in genuine.signature_headers:
            without = {k: v for k, v in genuine.headers.items() if k.lower() != name.lower()}
            forgeries[f"without its {name} header"] = _replace(genuine, without)
        if not genuine.signature_headers:
            forgeries["with no headers"] = _replace(genuine, {})
        for description, forged in forgeries.items():
            self.expect_error(
                WebhookVerificationError,
                functools.partial(adapter.verify_webhook, forged.headers, forged.body),
                leak_guard,
                f"a webhook {description}",
            )

    def test_malformed_signed_body_is_refused_or_unreadable(
        self, adapter: Adapter[Any], sandbox: AdapterSandbox, leak_guard: LeakGuard
    ) -> None:
        """A signed body that is not the vendor's JSON fails verification or parsing, cleanly."""
        self.require(Capability.WEBHOOKS)
        for body in (b"{not json", b"[]", b'"text"', b'{"unexpected": true}', b"\xff\xfe"):
            webhook = sandbox.sign_webhook(body)
            try:
                adapter.verify_webhook(webhook.headers, webhook.body)
            except WebhookVerificationError as error:
                leak_guard.check_error(error, "verification of a malformed body")
                continue
            try:
                delivery = adapter.parse_webhook(webhook.headers, webhook.body)
            except WebhookPayloadError as error:
                leak_guard.check_error(error, "parsing a malformed body")
                continue
            except Exception as error:
                leak_guard.check_error(error, "parsing a malformed body")
                raise AssertionError(
                    f"parsing a malformed body raised {type(error).__name__}, "
                    "expected WebhookPayloadError"
                ) from error
            # A body that reads as an action nobody uses is a valid answer too.
            assert not delivery.events, "a malformed body must not produce events"

    def test_unknown_event_gives_no_events(
        self, adapter: Adapter[Any], sandbox: AdapterSandbox, leak_guard: LeakGuard
    ) -> None:
        """An action the library does not use verifies and parses to a delivery with no events."""
        self.require(Capability.WEBHOOKS)
        webhook = sandbox.webhook("unknown")
        delivery = self._accept(adapter, webhook, leak_guard, "an unknown webhook action")
        assert delivery.events == (), "an unknown action must give no events"
        assert delivery.delivery_id == webhook.delivery_id

    def test_ping_is_recognized(
        self, adapter: Adapter[Any], sandbox: AdapterSandbox, leak_guard: LeakGuard
    ) -> None:
        """The vendor's test delivery verifies and parses as a ping with no events."""
        self.require(Capability.WEBHOOKS)
        webhook = sandbox.webhook("ping")
        delivery = self._accept(adapter, webhook, leak_guard, "a ping webhook")
        assert delivery.is_ping, "a ping delivery must set is_ping"
        assert delivery.events == ()

    def test_fresh_state_is_read_after_the_webhook(
        self, adapter: Adapter[Any], sandbox: AdapterSandbox, seed: Seeder, leak_guard: LeakGuard
    ) -> None:
        """After a reject webhook, get_application shows a later un-reject made in the ATS."""
        self.require(Capability.WEBHOOKS)
        application_id = seed()
        sandbox.set_status(application_id, ApplicationStatus.REJECTED)
        webhook = sandbox.webhook(EventKind.REJECTED, application_id)
        delivery = self._accept(adapter, webhook, leak_guard, "a reject webhook")
        assert any(event.kind is EventKind.REJECTED for event in delivery.events)
        sandbox.set_status(application_id, ApplicationStatus.ACTIVE)
        application = adapter.get_application(application_id)
        self.check_application(application, application_id, leak_guard, "the fresh read")
        assert application.status is ApplicationStatus.ACTIVE, (
            "get_application must return the ATS's current state, not the webhook's"
        )

    # --- helpers --------------------------------------------------------------------------

    def _accept(
        self, adapter: Adapter[Any], webhook: SignedWebhook, guard: LeakGuard, what: str
    ) -> WebhookDelivery:
        try:
            adapter.verify_webhook(webhook.headers, webhook.body)
            delivery = adapter.parse_webhook(webhook.headers, webhook.body)
        except Exception as error:
            guard.check_error(error, what)
            raise AssertionError(f"{what} was refused: {type(error).__name__}") from error
        assert isinstance(delivery, WebhookDelivery), "parse_webhook must return WebhookDelivery"
        guard.check_object(what, delivery)
        return delivery


def _replace(
    webhook: SignedWebhook, headers: Mapping[str, str] | None = None, body: bytes | None = None
) -> SignedWebhook:
    return SignedWebhook(
        headers=dict(webhook.headers if headers is None else headers),
        body=webhook.body if body is None else body,
        delivery_id=webhook.delivery_id,
        signature_headers=webhook.signature_headers,
    )


def _tamper(body: bytes) -> bytes:
    # Change a character inside the JSON, so a verifier that ignores whitespace is caught too.
    for index, byte in enumerate(body):
        if chr(byte).isdigit():
            replacement = b"1" if byte != ord("1") else b"2"
            return body[:index] + replacement + body[index + 1 :]
    return body + b" "
