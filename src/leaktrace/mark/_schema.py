"""The registry's tables (SQLAlchemy Core). Migrations under ``migrations/`` create and change
them; this module only describes the current head, for the queries."""

from __future__ import annotations

import sqlalchemy as sa

SCHEMA_REVISION = "0001"
"""The alembic revision this code reads and writes."""

metadata = sa.MetaData()

registry_meta = sa.Table(
    "registry_meta",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key_check", sa.String(64), nullable=False),
    sa.Column("code_version", sa.Integer, nullable=False),
    sa.Column("code_cutoff", sa.Float, nullable=False),
    sa.Column("design_colluders", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

recipients = sa.Table(
    "recipients",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

masters = sa.Table(
    "masters",
    metadata,
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

distributions = sa.Table(
    "distributions",
    metadata,
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
