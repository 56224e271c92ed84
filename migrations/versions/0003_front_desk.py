"""Front desk: intake details, needs, status history, overdose screening, appointments,
outreach, consents and drafts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_drafts_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
        sa.UniqueConstraint("user_id", "kind", "subject", name=op.f("uq_drafts_user_id_kind_subject")),
    )
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drafts_user_id"), ["user_id"], unique=False)

    op.create_table(
        "appointments",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("clinician_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status_changed_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_appointments_client_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["clinician_id"], ["users.id"], name=op.f("fk_appointments_clinician_id_users")
        ),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_appointments_created_by_users")),
        sa.ForeignKeyConstraint(
            ["status_changed_by"], ["users.id"], name=op.f("fk_appointments_status_changed_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_appointments_client_id"), ["client_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appointments_clinician_id"), ["clinician_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_appointments_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "client_needs",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("need", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_client_needs_client_id_clients")
        ),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_client_needs_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_needs")),
    )
    with op.batch_alter_table("client_needs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_client_needs_client_id"), ["client_id"], unique=False)

    op.create_table(
        "client_status_changes",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=False),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by"], ["users.id"], name=op.f("fk_client_status_changes_changed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_client_status_changes_client_id_clients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_status_changes")),
    )
    with op.batch_alter_table("client_status_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_client_status_changes_client_id"), ["client_id"], unique=False)

    op.create_table(
        "consents",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("is_draft", sa.Boolean(), nullable=False),
        sa.Column("person_name", sa.Text(), nullable=False),
        sa.Column("discloser", sa.Text(), nullable=False),
        sa.Column("information", sa.Text(), nullable=False),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("recipient_class", sa.Text(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("revocation_statement", sa.Text(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("expiry_event", sa.Text(), nullable=False),
        sa.Column("signed_by", sa.String(length=20), nullable=False),
        sa.Column("representative_name", sa.Text(), nullable=False),
        sa.Column("representative_authority", sa.Text(), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("may_text", sa.Boolean(), nullable=True),
        sa.Column("may_voicemail", sa.Boolean(), nullable=True),
        sa.Column("paper_form_printed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_copy_received_on", sa.Date(), nullable=True),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("revocation_received_how", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"], name=op.f("fk_consents_client_id_clients")),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name=op.f("fk_consents_created_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consents_client_id"), ["client_id"], unique=False)

    op.create_table(
        "overdose_screenings",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("screened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("screened_by", sa.Uuid(), nullable=False),
        sa.Column("answers", sa.LargeBinary(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_overdose_screenings_client_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["screened_by"], ["users.id"], name=op.f("fk_overdose_screenings_screened_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_overdose_screenings")),
    )
    with op.batch_alter_table("overdose_screenings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_overdose_screenings_client_id"), ["client_id"], unique=False)

    op.create_table(
        "outreach_tasks",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("assigned_to", sa.Uuid(), nullable=False),
        sa.Column("appointment_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.Uuid(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_outreach_tasks_appointment_id_appointments"),
        ),
        sa.ForeignKeyConstraint(
            ["assigned_to"], ["users.id"], name=op.f("fk_outreach_tasks_assigned_to_users")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_outreach_tasks_client_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_outreach_tasks_created_by_users")
        ),
        sa.ForeignKeyConstraint(["done_by"], ["users.id"], name=op.f("fk_outreach_tasks_done_by_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outreach_tasks")),
    )
    with op.batch_alter_table("outreach_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outreach_tasks_assigned_to"), ["assigned_to"], unique=False)
        batch_op.create_index(batch_op.f("ix_outreach_tasks_client_id"), ["client_id"], unique=False)

    # plain ALTER TABLE ADD COLUMN (with defaults for NOT NULL), never a table rebuild
    with op.batch_alter_table("clients", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("legal_name", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("aliases", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("date_of_birth", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("birth_year", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("pronouns", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("gender", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("phone", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("email", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("address", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("may_text", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("may_voicemail", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("safe_contact_notes", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("emergency_contact_name", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("emergency_contact_relationship", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("emergency_contact_phone", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("language", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("housing_situation", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("insurance", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("referral_source", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("merged_into_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("reason_own_words", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("change_own_words", sa.LargeBinary(), nullable=True))
        batch_op.create_index(batch_op.f("ix_clients_birth_year"), ["birth_year"], unique=False)


def downgrade() -> None:
    # native ALTER TABLE DROP COLUMN: rebuilding "clients" would trip the foreign keys pointing at it
    with op.batch_alter_table("clients", schema=None, recreate="never") as batch_op:
        batch_op.drop_index(batch_op.f("ix_clients_birth_year"))
        batch_op.drop_column("change_own_words")
        batch_op.drop_column("reason_own_words")
        batch_op.drop_column("merged_into_id")
        batch_op.drop_column("status_changed_at")
        batch_op.drop_column("referral_source")
        batch_op.drop_column("insurance")
        batch_op.drop_column("housing_situation")
        batch_op.drop_column("language")
        batch_op.drop_column("emergency_contact_phone")
        batch_op.drop_column("emergency_contact_relationship")
        batch_op.drop_column("emergency_contact_name")
        batch_op.drop_column("safe_contact_notes")
        batch_op.drop_column("may_voicemail")
        batch_op.drop_column("may_text")
        batch_op.drop_column("address")
        batch_op.drop_column("email")
        batch_op.drop_column("phone")
        batch_op.drop_column("gender")
        batch_op.drop_column("pronouns")
        batch_op.drop_column("birth_year")
        batch_op.drop_column("date_of_birth")
        batch_op.drop_column("aliases")
        batch_op.drop_column("legal_name")

    with op.batch_alter_table("outreach_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outreach_tasks_client_id"))
        batch_op.drop_index(batch_op.f("ix_outreach_tasks_assigned_to"))

    op.drop_table("outreach_tasks")
    with op.batch_alter_table("overdose_screenings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_overdose_screenings_client_id"))

    op.drop_table("overdose_screenings")
    with op.batch_alter_table("consents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consents_client_id"))

    op.drop_table("consents")
    with op.batch_alter_table("client_status_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_client_status_changes_client_id"))

    op.drop_table("client_status_changes")
    with op.batch_alter_table("client_needs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_client_needs_client_id"))

    op.drop_table("client_needs")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_appointments_starts_at"))
        batch_op.drop_index(batch_op.f("ix_appointments_clinician_id"))
        batch_op.drop_index(batch_op.f("ix_appointments_client_id"))

    op.drop_table("appointments")
    with op.batch_alter_table("drafts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drafts_user_id"))

    op.drop_table("drafts")
