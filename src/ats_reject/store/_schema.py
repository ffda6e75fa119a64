"""The store's one schema, as SQLAlchemy Core tables.

The migrations in ``migrations/versions`` create exactly this (a test compares the migrated
database with this metadata on SQLite and PostgreSQL). Personal data lives in two places
only: the normalised event JSON (until the event is processed) and the quarantined bodies;
everything else holds vendor ids, our own codes, times and keyed hashes.
"""

from __future__ import annotations

import sqlalchemy as sa

from ats_reject.store._types import UtcDateTime

__all__ = [
    "audit_log",
    "consents",
    "deliveries",
    "events",
    "metadata",
    "planned_actions",
    "quarantine",
    "scheduler_ticks",
    "store_meta",
    "suppressions",
    "sync_cursors",
]

# Fixed constraint names, so both backends and every migration agree on them.
metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_NAME = 100
_VENDOR_ID = 255

deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("connection", sa.String(_NAME), nullable=False),
    sa.Column("delivery_id", sa.String(_VENDOR_ID), nullable=False),
    sa.Column("received_at", UtcDateTime(), nullable=False),
    sa.Column("event_count", sa.Integer(), nullable=False),
    sa.UniqueConstraint("connection", "delivery_id"),
    sa.Index(None, "received_at"),
)
"""One row per webhook delivery (or sync batch); its unique key makes a redelivery a no-op."""

quarantine = sa.Table(
    "quarantine",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("connection", sa.String(_NAME), nullable=False),
    sa.Column("delivery_id", sa.String(_VENDOR_ID), nullable=True),
    sa.Column("reason", sa.String(_NAME), nullable=False),
    sa.Column("body", sa.LargeBinary(), nullable=False),
    sa.Column("body_sha256", sa.String(64), nullable=False),
    sa.Column("received_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("connection", "body_sha256"),
    sa.Index(None, "received_at"),
)
"""Verified bodies we could not read, kept for an operator (and purged, and erasable)."""

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column(
        "delivery_ref",
        _ID,
        sa.ForeignKey("deliveries.id", ondelete="SET NULL"),
        nullable=True,
    ),
    sa.Column("connection", sa.String(_NAME), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("application_id", sa.String(_VENDOR_ID), nullable=True),
    sa.Column("candidate_id", sa.String(_VENDOR_ID), nullable=True),
    sa.Column("occurred_at", UtcDateTime(), nullable=False),
    sa.Column("received_at", UtcDateTime(), nullable=False),
    sa.Column("event_json", sa.Text(), nullable=False),
    sa.Column("processed_at", UtcDateTime(), nullable=True),
    sa.Column("lease_until", UtcDateTime(), nullable=True),
    sa.Index(None, "processed_at", "id"),
    sa.Index(None, "connection", "application_id"),
    sa.Index(None, "connection", "candidate_id"),
)
"""Normalised events waiting for (or done with) processing."""

planned_actions = sa.Table(
    "planned_actions",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("connection", sa.String(_NAME), nullable=False),
    sa.Column("application_id", sa.String(_VENDOR_ID), nullable=False),
    sa.Column("message_kind", sa.String(40), nullable=False),
    sa.Column("decision_version", sa.String(_NAME), nullable=False),
    sa.Column("candidate_id", sa.String(_VENDOR_ID), nullable=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("audience", sa.String(16), nullable=False),
    sa.Column("condition", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("due_at", UtcDateTime(), nullable=False),
    sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
    sa.Column("give_up_at", UtcDateTime(), nullable=True),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("max_attempts", sa.Integer(), nullable=False),
    sa.Column("lease_until", UtcDateTime(), nullable=True),
    sa.Column("claim_token", sa.String(64), nullable=True),
    sa.Column("last_error", sa.String(500), nullable=True),
    sa.Column("send_id", sa.String(64), nullable=False),
    sa.Column("message_id", sa.String(_VENDOR_ID), nullable=False),
    sa.Column("payload", sa.JSON(), nullable=False),
    sa.Column(
        "event_ref",
        _ID,
        sa.ForeignKey("events.id", ondelete="SET NULL"),
        nullable=True,
    ),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("finished_at", UtcDateTime(), nullable=True),
    sa.UniqueConstraint(
        "connection",
        "application_id",
        "message_kind",
        "decision_version",
        name="uq_planned_actions_natural_key",
    ),
    sa.UniqueConstraint("send_id"),
    sa.Index(None, "status", "next_attempt_at"),
    sa.Index(None, "status", "lease_until"),
    sa.Index(None, "connection", "candidate_id"),
)
"""The outbox: one row per planned action, unique on its natural key."""

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("event", sa.String(40), nullable=False),
    sa.Column("connection", sa.String(_NAME), nullable=True),
    sa.Column("application_id", sa.String(_VENDOR_ID), nullable=True),
    sa.Column("candidate_id", sa.String(_VENDOR_ID), nullable=True),
    sa.Column("action_ref", _ID, nullable=True),
    sa.Column("detail", sa.String(500), nullable=True),
    sa.Index(None, "connection", "application_id"),
    sa.Index(None, "at"),
)
"""Append-only history: what happened to which action, when (ids and codes only)."""

consents = sa.Table(
    "consents",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("person_key", sa.String(64), nullable=False),
    sa.Column("source", sa.String(_NAME), nullable=False),
    sa.Column("notice_version", sa.String(_NAME), nullable=False),
    sa.Column("granted_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=True),
    sa.Column("withdrawn_at", UtcDateTime(), nullable=True),
    sa.Index(None, "person_key"),
)
"""Talent-pool consents, keyed by a keyed hash of the person."""

suppressions = sa.Table(
    "suppressions",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("key_hash", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("reason", sa.String(16), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("key_hash"),
)
"""Keyed hashes of addresses, people, applications and action keys that get nothing more."""

sync_cursors = sa.Table(
    "sync_cursors",
    metadata,
    sa.Column("connection", sa.String(_NAME), primary_key=True),
    sa.Column("stream", sa.String(_NAME), primary_key=True),
    sa.Column("cursor_at", UtcDateTime(), nullable=True),
    sa.Column("token", sa.String(1000), nullable=True),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)
"""Where each connection's incremental sync stands."""

scheduler_ticks = sa.Table(
    "scheduler_ticks",
    metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("job", sa.String(_NAME), nullable=False),
    sa.Column("slot", UtcDateTime(), nullable=False),
    sa.Column("ran_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("job", "slot"),
)
"""One row per job and time slot: the database decides which scheduler runs a tick."""

store_meta = sa.Table(
    "store_meta",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(200), nullable=False),
)
"""Store-wide values, such as the generated hashing key when none is configured."""
