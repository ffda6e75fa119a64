"""The engine: webhooks in, decisions planned, messages out, each exactly once.

Three steps, each safe to run in any number of processes at once::

    engine = Engine.from_config(config, clock=clock)
    engine.receive_webhook("greenhouse", headers, body)   # verify, store, answer
    engine.process_pending()                              # read the ATS, decide, plan
    engine.dispatch_due()                                 # re-check, compose, send

The store makes them safe: a delivery is stored once, an action is planned once per natural
key in the same transaction as its event, and a due action is claimed under a lease and a
token that fences every later update. docs/delivery.md ("Engine") describes the guarantees.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import requests

from ats_reject._engine_dispatch import DispatchOperations, DispatchReport
from ats_reject._engine_process import ProcessOperations, ProcessReport
from ats_reject._engine_receive import ReceiveOperations, WebhookResponse
from ats_reject.adapter import Adapter, AdapterRegistry, default_registry
from ats_reject.channels import MailChannel, builder_from_settings, channel_from_settings
from ats_reject.clock import Clock, SystemClock
from ats_reject.compose import Composer
from ats_reject.config import Config
from ats_reject.followups import FollowUpPlanner
from ats_reject.http import make_session
from ats_reject.links import LinkSigner
from ats_reject.policy import PolicyEngine
from ats_reject.store import Store

__all__ = ["DispatchReport", "Engine", "ProcessReport", "WebhookResponse"]


class Engine(ReceiveOperations, ProcessOperations, DispatchOperations):
    """Receives webhooks, plans actions from the ATS's current state, and sends them.

    Build it with :meth:`from_config`; the constructor (see
    :class:`~ats_reject._engine_core.EngineCore`) takes every part ready-made, for tests and
    embedding.
    """

    @classmethod
    def from_config(
        cls,
        config: Config,
        *,
        clock: Clock | None = None,
        registry: AdapterRegistry | None = None,
        store: Store | None = None,
        channel: MailChannel | None = None,
        link_signer: LinkSigner | None = None,
        session: requests.Session | None = None,
        lease: timedelta = timedelta(minutes=5),
        batch_size: int = 50,
    ) -> Engine:
        """Build the engine a configuration describes.

        The store is ``[store]`` (migrate it first: ``ats-reject db upgrade``), the channel
        ``[mail]`` (a Maildir by default), one adapter per ``[connections.<name>]``. The
        store's Message-ID domain is the sender's, so the header a channel writes is the one
        the store recorded.

        Args:
            config: The loaded configuration.
            clock: The time for everything; the system clock by default.
            registry: Where adapters are found; the installed entry points by default.
            store: A store to use instead of ``[store]``.
            channel: A mail channel to use instead of ``[mail]``.
            link_signer: Signs unsubscribe and call links (needed with
                ``mail.unsubscribe_base_url``).
            session: The HTTP session the adapters share; a new one by default.
            lease: How long a claim lasts.
            batch_size: The most events or actions per call.

        Raises:
            ConfigurationError: A connection's adapter is missing, or the mail settings are
                unusable.
        """
        clock = clock or SystemClock()
        found = registry or default_registry
        shared = session if session is not None else make_session()
        adapters: dict[str, Adapter[Any]] = {}
        for name, connection in config.connections.items():
            adapter_class = found.load(connection.adapter)
            adapters[name] = adapter_class(connection.settings, session=shared, clock=clock)
        if channel is None:
            channel = channel_from_settings(
                config.mail, clock=clock, company=config.company, link_signer=link_signer
            )
        if store is None:
            builder = builder_from_settings(
                config.mail, clock=clock, company=config.company, link_signer=link_signer
            )
            store = Store.from_settings(
                config.store, clock=clock, message_id_domain=builder.message_id_domain
            )
        policy = PolicyEngine(
            config.policy,
            config.company,
            capabilities_by_connection={
                name: adapter.capabilities for name, adapter in adapters.items()
            },
            clock=clock,
        )
        composer = Composer.from_paths(
            config.templates.folder, lint_terms_dir=config.templates.lint_terms
        )
        return cls(
            config=config,
            store=store,
            adapters=adapters,
            policy=policy,
            followups=FollowUpPlanner.from_config(config, engine=policy, clock=clock),
            composer=composer,
            channel=channel,
            clock=clock,
            lease=lease,
            batch_size=batch_size,
        )
