"""requests: consultation requests and their SLA clock, capacity, conflicts and track records, the e-mail outbox

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('consultation_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('need_id', sa.Integer(), nullable=False),
    sa.Column('lawyer_id', sa.Integer(), nullable=True),
    sa.Column('organisation', sa.String(length=200), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('auto', sa.Boolean(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('practice_area', sa.String(length=64), nullable=True),
    sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('engaged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('rating', sa.SmallInteger(), nullable=True),
    sa.Column('solved', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['lawyer_id'], ['lawyers.id'], name=op.f('fk_consultation_requests_lawyer_id_lawyers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_consultation_requests_need_id_needs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_requests')),
    sa.UniqueConstraint('need_id', 'lawyer_id', name='uq_consultation_requests_need_id_lawyer_id')
    )
    op.create_index('ix_consultation_requests_state_deadline_at', 'consultation_requests', ['state', 'deadline_at'], unique=False)
    op.create_index(op.f('ix_consultation_requests_need_id'), 'consultation_requests', ['need_id'], unique=False)
    op.create_index(op.f('ix_consultation_requests_lawyer_id'), 'consultation_requests', ['lawyer_id'], unique=False)
    op.create_index(op.f('ix_consultation_requests_organisation'), 'consultation_requests', ['organisation'], unique=False)

    op.create_table('email_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient', sa.String(length=320), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('subject_ref', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_outbox'))
    )
    op.create_index('ix_email_outbox_sent_at_next_attempt_at', 'email_outbox', ['sent_at', 'next_attempt_at'], unique=False)

    # plain ADD COLUMN, no batch: a batch would rebuild the SQLite table and drop its AUTOINCREMENT
    # (0002), and erased lawyers' ids would be handed out again
    op.add_column('lawyers', sa.Column('max_open_engagements', sa.Integer(), nullable=True))
    op.add_column('lawyers', sa.Column('open_engagements', sa.Integer(), server_default='0', nullable=False))
    op.add_column('lawyers', sa.Column('at_capacity', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('lawyers', sa.Column('adverse_parties', sa.JSON(), server_default='[]', nullable=False))
    op.add_column('lawyers', sa.Column('track_record', sa.JSON(), server_default='{}', nullable=False))
    op.add_column('needs', sa.Column('counterparties', sa.JSON(), server_default='[]', nullable=False))
    op.add_column('needs', sa.Column('contact_email', sa.String(length=320), nullable=True))


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.drop_column('contact_email')
        batch_op.drop_column('counterparties')
    # dropping columns rebuilds the table on SQLite: keep its AUTOINCREMENT (ids never reused)
    with op.batch_alter_table(
        'lawyers', schema=None, recreate='always' if sqlite else 'auto', table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.drop_column('track_record')
        batch_op.drop_column('adverse_parties')
        batch_op.drop_column('at_capacity')
        batch_op.drop_column('open_engagements')
        batch_op.drop_column('max_open_engagements')
    op.drop_index('ix_email_outbox_sent_at_next_attempt_at', table_name='email_outbox')
    op.drop_table('email_outbox')
    op.drop_index(op.f('ix_consultation_requests_organisation'), table_name='consultation_requests')
    op.drop_index(op.f('ix_consultation_requests_lawyer_id'), table_name='consultation_requests')
    op.drop_index(op.f('ix_consultation_requests_need_id'), table_name='consultation_requests')
    op.drop_index('ix_consultation_requests_state_deadline_at', table_name='consultation_requests')
    op.drop_table('consultation_requests')
