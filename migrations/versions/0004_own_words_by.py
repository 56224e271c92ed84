"""Who recorded a person's own words: the user a signed deposit of them must come from.

A front-desk deposit into the clinical vault is signed by its depositor, and opens only when the row
names that user as the value's author (``clients.reason_own_words_by`` / ``change_own_words_by``; an
overdose-risk checklist already names ``screened_by``). Words recorded before this revision keep an
empty column: who recorded them is not known, and their sealed value was not bound to anyone, so
filling the column (from ``created_by``, say) would make every one of them fail to open.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # native ALTER TABLE ADD COLUMN: rebuilding "clients" would trip the foreign keys pointing at it
    with op.batch_alter_table("clients", schema=None, recreate="never") as batch_op:
        batch_op.add_column(sa.Column("reason_own_words_by", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("change_own_words_by", sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("clients", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("change_own_words_by")
        batch_op.drop_column("reason_own_words_by")
