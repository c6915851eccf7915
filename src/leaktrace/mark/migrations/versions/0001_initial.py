"""The first registry: recipients, masters, distributions and the code's parameters.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_meta",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key_check", sa.String(64), nullable=False),
        sa.Column("code_version", sa.Integer, nullable=False),
        sa.Column("code_cutoff", sa.Float, nullable=False),
        sa.Column("design_colluders", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "recipients",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "masters",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("n_records", sa.Integer, nullable=False),
        sa.Column("n_honey", sa.Integer, nullable=False),
        sa.Column("layout", sa.JSON, nullable=False),
        sa.Column("records", sa.LargeBinary, nullable=False),
        sa.Column("honey", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "distributions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uid", sa.String(32), nullable=False, unique=True),
        sa.Column("recipient_id", sa.Integer, sa.ForeignKey("recipients.id"), nullable=False),
        sa.Column("master_id", sa.Integer, sa.ForeignKey("masters.id"), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("out_path", sa.String(1000), nullable=False),
        sa.Column("out_sha256", sa.String(64)),
        sa.Column("n_rows", sa.Integer),
        sa.Column("n_honey", sa.Integer),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("record_bitmap", sa.LargeBinary, nullable=False),
        sa.Column("honey_bitmap", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_distributions_master", "distributions", ["master_id"])


def downgrade() -> None:
    op.drop_index("ix_distributions_master", "distributions")
    op.drop_table("distributions")
    op.drop_table("masters")
    op.drop_table("recipients")
    op.drop_table("registry_meta")
