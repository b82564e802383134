"""lawyer self-service: consents, verification expiry, audit log

Existing verified profiles get last_verified_at = verified_at and expire 365 days after it (the
default MATCHMAKER_VERIFICATION_VALID_DAYS); existing rows keep being listed (bureau imports).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 06:15:03.038643
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=250), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('lawyer_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_events_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_events_lawyer_id'), ['lawyer_id'], unique=False)

    # On SQLite the table is rebuilt with AUTOINCREMENT, so erased lawyers' ids are never reused
    # (the audit log keeps naming them); elsewhere this is an ordinary ALTER.
    sqlite = op.get_bind().dialect.name == 'sqlite'
    with op.batch_alter_table(
        'lawyers', schema=None, recreate='always' if sqlite else 'auto', table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.add_column(sa.Column('last_verified_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('verification_expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('consent_listing', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('consent_listing_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('consent_contact_sharing', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('consent_contact_sharing_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_lawyers_verification_expires_at'), ['verification_expires_at'], unique=False)

    lawyers = sa.table(
        'lawyers',
        sa.column('id', sa.Integer()),
        sa.column('status', sa.String()),
        sa.column('verified_at', sa.DateTime(timezone=True)),
        sa.column('last_verified_at', sa.DateTime(timezone=True)),
        sa.column('verification_expires_at', sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(lawyers.c.id, lawyers.c.verified_at).where(lawyers.c.status == 'verified', lawyers.c.verified_at.is_not(None))
    ).all()
    # Date arithmetic differs per dialect; the rows are few enough to stamp from Python.
    for lawyer_id, verified_at in rows:
        bind.execute(
            lawyers.update()
            .where(lawyers.c.id == lawyer_id)
            .values(last_verified_at=verified_at, verification_expires_at=verified_at + timedelta(days=365))
        )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    with op.batch_alter_table(
        'lawyers', schema=None, recreate='always' if sqlite else 'auto', table_kwargs={'sqlite_autoincrement': False}
    ) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lawyers_verification_expires_at'))
        batch_op.drop_column('consent_contact_sharing_at')
        batch_op.drop_column('consent_contact_sharing')
        batch_op.drop_column('consent_listing_at')
        batch_op.drop_column('consent_listing')
        batch_op.drop_column('verification_expires_at')
        batch_op.drop_column('last_verified_at')

    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_events_lawyer_id'))
        batch_op.drop_index(batch_op.f('ix_audit_events_at'))

    op.drop_table('audit_events')
