"""fairs: trade fairs, their participants, interest marks and meetings

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 10:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('fairs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('owner_key_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('days', sa.JSON(), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('tables', sa.Integer(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_key_id'], ['api_keys.id'], name=op.f('fk_fairs_owner_key_id_api_keys'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fairs'))
    )
    op.create_index(op.f('ix_fairs_organisation'), 'fairs', ['organisation'], unique=False)
    op.create_index(op.f('ix_fairs_owner_key_id'), 'fairs', ['owner_key_id'], unique=False)
    op.create_table('fair_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fair_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('lawyer_id', sa.Integer(), nullable=True),
    sa.Column('need_id', sa.Integer(), nullable=True),
    sa.Column('need', sa.JSON(), nullable=True),
    sa.Column('availability', sa.JSON(), nullable=False),
    sa.Column('max_meetings', sa.Integer(), nullable=False),
    sa.Column('cancelled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['fair_id'], ['fairs.id'], name=op.f('fk_fair_participants_fair_id_fairs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lawyer_id'], ['lawyers.id'], name=op.f('fk_fair_participants_lawyer_id_lawyers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['need_id'], ['needs.id'], name=op.f('fk_fair_participants_need_id_needs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fair_participants')),
    sa.UniqueConstraint('fair_id', 'lawyer_id', name=op.f('uq_fair_participants_fair_id'))
    )
    op.create_index(op.f('ix_fair_participants_fair_id'), 'fair_participants', ['fair_id'], unique=False)
    op.create_table('fair_interests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fair_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('lawyer_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=16), nullable=False),
    sa.Column('mark', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['fair_participants.id'], name=op.f('fk_fair_interests_enterprise_id_fair_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['fair_id'], ['fairs.id'], name=op.f('fk_fair_interests_fair_id_fairs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lawyer_id'], ['fair_participants.id'], name=op.f('fk_fair_interests_lawyer_id_fair_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fair_interests')),
    sa.UniqueConstraint('enterprise_id', 'lawyer_id', 'side', name=op.f('uq_fair_interests_enterprise_id'))
    )
    op.create_index(op.f('ix_fair_interests_fair_id'), 'fair_interests', ['fair_id'], unique=False)
    op.create_table('fair_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fair_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('lawyer_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('desk', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('must', sa.Boolean(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['fair_participants.id'], name=op.f('fk_fair_meetings_enterprise_id_fair_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['fair_id'], ['fairs.id'], name=op.f('fk_fair_meetings_fair_id_fairs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lawyer_id'], ['fair_participants.id'], name=op.f('fk_fair_meetings_lawyer_id_fair_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fair_meetings')),
    sa.UniqueConstraint('fair_id', 'slot', 'desk', name='uq_fair_meetings_slot_desk'),
    sa.UniqueConstraint('fair_id', 'slot', 'enterprise_id', name='uq_fair_meetings_slot_enterprise'),
    sa.UniqueConstraint('fair_id', 'slot', 'lawyer_id', name='uq_fair_meetings_slot_lawyer')
    )
    op.create_index(op.f('ix_fair_meetings_fair_id'), 'fair_meetings', ['fair_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_fair_meetings_fair_id'), table_name='fair_meetings')
    op.drop_table('fair_meetings')
    op.drop_index(op.f('ix_fair_interests_fair_id'), table_name='fair_interests')
    op.drop_table('fair_interests')
    op.drop_index(op.f('ix_fair_participants_fair_id'), table_name='fair_participants')
    op.drop_table('fair_participants')
    op.drop_index(op.f('ix_fairs_owner_key_id'), table_name='fairs')
    op.drop_index(op.f('ix_fairs_organisation'), table_name='fairs')
    op.drop_table('fairs')
