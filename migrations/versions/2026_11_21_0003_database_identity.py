"""database identity: a random id that index snapshots record, so that a data directory reused
with another database never loads the other database's snapshot

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 11:50:00
"""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    meta = op.create_table('service_meta',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_service_meta'))
    )
    op.bulk_insert(meta, [{'key': 'database_id', 'value': uuid.uuid4().hex}])


def downgrade() -> None:
    op.drop_table('service_meta')
