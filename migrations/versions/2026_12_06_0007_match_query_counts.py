"""match_query_counts: match queries counted by month x country x practice area, without their text

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 05:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('match_query_counts',
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('country', sa.String(length=8), nullable=False),
    sa.Column('practice_area', sa.String(length=64), nullable=False),
    sa.Column('queries', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'country', 'practice_area', name=op.f('pk_match_query_counts'))
    )


def downgrade() -> None:
    op.drop_table('match_query_counts')
