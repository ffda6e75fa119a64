"""The state the engine's parts share: configuration, store, adapters, policy and channel."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from ats_reject.adapter import Adapter
from ats_reject.channels import MailChannel
from ats_reject.clock import Clock
from ats_reject.compose import Composer
from ats_reject.config import Config
from ats_reject.followups import FollowUpPlanner
from ats_reject.policy import PolicyEngine
from ats_reject.store import Store

__all__ = ["EngineCore"]

logger = logging.getLogger("ats_reject.engine")


class EngineCore:
    """What receiving, processing and dispatching all need.

    Args:
        config: The loaded configuration.
        store: The store (migrated: ``ats-reject db upgrade``).
        adapters: Connection name -> its adapter.
        policy: The policy engine deciding each rejection.
        followups: The follow-up planner adding what comes after a decision.
        composer: Renders and lints the messages.
        channel: The mail channel messages leave through.
        clock: The time; the same clock the policy and the store use.
        lease: How long a claim (of an action or an event) lasts; longer than the slowest
            send.
        batch_size: The most events or actions handled per call.
    """

    def __init__(
        self,
        *,
        config: Config,
        store: Store,
        adapters: Mapping[str, Adapter[Any]],
        policy: PolicyEngine,
        followups: FollowUpPlanner,
        composer: Composer,
        channel: MailChannel,
        clock: Clock,
        lease: timedelta = timedelta(minutes=5),
        batch_size: int = 50,
    ) -> None:
        if lease <= timedelta(0):
            raise ValueError("the lease must be positive")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.config = config
        self.store = store
        self.adapters: dict[str, Adapter[Any]] = dict(adapters)
        self.policy = policy
        self.followups = followups
        self.composer = composer
        self.channel = channel
        self.clock = clock
        self.lease = lease
        self.batch_size = batch_size

    def close(self) -> None:
        """Release the adapters' HTTP connections, the channel and the store."""
        for adapter in self.adapters.values():
            adapter.close()
        self.channel.close()
        self.store.close()

    def __repr__(self) -> str:
        """Connection names and the store's backend; never settings."""
        return (
            f"<{type(self).__name__} connections={sorted(self.adapters)!r} "
            f"store={self.store.backend!r} channel={self.channel.name!r}>"
        )
