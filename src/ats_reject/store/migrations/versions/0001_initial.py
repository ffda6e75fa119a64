"""The initial schema: inbox, outbox, audit log, privacy tables, cursors and ticks.

Revision ID: 0001_initial
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

# Frozen copies of the column types as they were at this revision.
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _time(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _id() -> sa.Column[object]:
    return sa.Column("id", _ID, nullable=False, autoincrement=True)


def upgrade() -> None:
    """Create every table."""
    op.create_table(
        "deliveries",
        _id(),
        sa.Column("connection", sa.String(100), nullable=False),
        sa.Column("delivery_id", sa.String(255), nullable=False),
        _time("received_at"),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
        sa.UniqueConstraint(
            "connection", "delivery_id", name="uq_deliveries_connection_delivery_id"
        ),
    )
    op.create_index("ix_deliveries_received_at", "deliveries", ["received_at"])

    op.create_table(
        "quarantine",
        _id(),
        sa.Column("connection", sa.String(100), nullable=False),
        sa.Column("delivery_id", sa.String(255), nullable=True),
        sa.Column("reason", sa.String(100), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("body_sha256", sa.String(64), nullable=False),
        _time("received_at"),
        sa.PrimaryKeyConstraint("id", name="pk_quarantine"),
        sa.UniqueConstraint(
            "connection", "body_sha256", name="uq_quarantine_connection_body_sha256"
        ),
    )
    op.create_index("ix_quarantine_received_at", "quarantine", ["received_at"])

    op.create_table(
        "events",
        _id(),
        sa.Column("delivery_ref", _ID, nullable=True),
        sa.Column("connection", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("application_id", sa.String(255), nullable=True),
        sa.Column("candidate_id", sa.String(255), nullable=True),
        _time("occurred_at"),
        _time("received_at"),
        sa.Column("event_json", sa.Text(), nullable=False),
        _time("processed_at", nullable=True),
        _time("lease_until", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
        sa.ForeignKeyConstraint(
            ["delivery_ref"],
            ["deliveries.id"],
            name="fk_events_delivery_ref_deliveries",
            ondelete="SET NULL",
        ),
    )
    op.create_index("ix_events_processed_at_id", "events", ["processed_at", "id"])
    op.create_index(
        "ix_events_connection_application_id", "events", ["connection", "application_id"]
    )
    op.create_index("ix_events_connection_candidate_id", "events", ["connection", "candidate_id"])

    op.create_table(
        "planned_actions",
        _id(),
        sa.Column("connection", sa.String(100), nullable=False),
        sa.Column("application_id", sa.String(255), nullable=False),
        sa.Column("message_kind", sa.String(40), nullable=False),
        sa.Column("decision_version", sa.String(100), nullable=False),
        sa.Column("candidate_id", sa.String(255), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("audience", sa.String(16), nullable=False),
        sa.Column("condition", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _time("due_at"),
        _time("next_attempt_at"),
        _time("give_up_at", nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        _time("lease_until", nullable=True),
        sa.Column("claim_token", sa.String(64), nullable=True),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("send_id", sa.String(64), nullable=False),
        sa.Column("message_id", sa.String(255), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("event_ref", _ID, nullable=True),
        _time("created_at"),
        _time("updated_at"),
        _time("finished_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_planned_actions"),
        sa.UniqueConstraint(
            "connection",
            "application_id",
            "message_kind",
            "decision_version",
            name="uq_planned_actions_natural_key",
        ),
        sa.UniqueConstraint("send_id", name="uq_planned_actions_send_id"),
        sa.ForeignKeyConstraint(
            ["event_ref"],
            ["events.id"],
            name="fk_planned_actions_event_ref_events",
            ondelete="SET NULL",
        ),
    )
    op.create_index(
        "ix_planned_actions_status_next_attempt_at",
        "planned_actions",
        ["status", "next_attempt_at"],
    )
    op.create_index(
        "ix_planned_actions_status_lease_until", "planned_actions", ["status", "lease_until"]
    )
    op.create_index(
        "ix_planned_actions_connection_candidate_id",
        "planned_actions",
        ["connection", "candidate_id"],
    )

    op.create_table(
        "audit_log",
        _id(),
        _time("at"),
        sa.Column("event", sa.String(40), nullable=False),
        sa.Column("connection", sa.String(100), nullable=True),
        sa.Column("application_id", sa.String(255), nullable=True),
        sa.Column("candidate_id", sa.String(255), nullable=True),
        sa.Column("action_ref", _ID, nullable=True),
        sa.Column("detail", sa.String(500), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index(
        "ix_audit_log_connection_application_id", "audit_log", ["connection", "application_id"]
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])

    op.create_table(
        "consents",
        _id(),
        sa.Column("person_key", sa.String(64), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("notice_version", sa.String(100), nullable=False),
        _time("granted_at"),
        _time("expires_at", nullable=True),
        _time("withdrawn_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_consents"),
    )
    op.create_index("ix_consents_person_key", "consents", ["person_key"])

    op.create_table(
        "suppressions",
        _id(),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_suppressions"),
        sa.UniqueConstraint("key_hash", name="uq_suppressions_key_hash"),
    )

    op.create_table(
        "sync_cursors",
        sa.Column("connection", sa.String(100), nullable=False),
        sa.Column("stream", sa.String(100), nullable=False),
        _time("cursor_at", nullable=True),
        sa.Column("token", sa.String(1000), nullable=True),
        _time("updated_at"),
        sa.PrimaryKeyConstraint("connection", "stream", name="pk_sync_cursors"),
    )

    op.create_table(
        "scheduler_ticks",
        _id(),
        sa.Column("job", sa.String(100), nullable=False),
        _time("slot"),
        _time("ran_at"),
        sa.PrimaryKeyConstraint("id", name="pk_scheduler_ticks"),
        sa.UniqueConstraint("job", "slot", name="uq_scheduler_ticks_job_slot"),
    )

    op.create_table(
        "store_meta",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_store_meta"),
    )


def downgrade() -> None:
    """Drop every table."""
    for table in (
        "store_meta",
        "scheduler_ticks",
        "sync_cursors",
        "suppressions",
        "consents",
        "audit_log",
        "planned_actions",
        "events",
        "quarantine",
        "deliveries",
    ):
        op.drop_table(table)
