"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 05:54:07.258341
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash'))
    )
    op.create_table('lawyers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=128), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('firm', sa.String(length=300), nullable=True),
    sa.Column('firm_en', sa.String(length=300), nullable=True),
    sa.Column('city', sa.String(length=120), nullable=True),
    sa.Column('license_no', sa.String(length=64), nullable=False),
    sa.Column('years_of_practice', sa.Integer(), nullable=False),
    sa.Column('bar_admissions', sa.JSON(), nullable=False),
    sa.Column('countries', sa.JSON(), nullable=False),
    sa.Column('offices', sa.JSON(), nullable=False),
    sa.Column('practice_areas', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('bio', sa.Text(), nullable=False),
    sa.Column('cases', sa.JSON(), nullable=False),
    sa.Column('talent_pools', sa.JSON(), nullable=False),
    sa.Column('hourly_rate', sa.JSON(), nullable=True),
    sa.Column('accepting_clients', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('phone', sa.String(length=64), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('management_token_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lawyers')),
    sa.UniqueConstraint('external_id', name=op.f('uq_lawyers_external_id')),
    sa.UniqueConstraint('license_no', name=op.f('uq_lawyers_license_no')),
    sa.UniqueConstraint('management_token_hash', name=op.f('uq_lawyers_management_token_hash'))
    )
    with op.batch_alter_table('lawyers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lawyers_status'), ['status'], unique=False)

    op.create_table('profile_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lawyer_id', sa.Integer(), nullable=False),
    sa.Column('operation', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_profile_changes'))
    )
    with op.batch_alter_table('profile_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_profile_changes_lawyer_id'), ['lawyer_id'], unique=False)

    op.create_table('needs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=128), nullable=True),
    sa.Column('owner_key_id', sa.Integer(), nullable=True),
    sa.Column('organisation', sa.String(length=200), nullable=True),
    sa.Column('enterprise', sa.String(length=300), nullable=True),
    sa.Column('industry', sa.String(length=200), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('countries', sa.JSON(), nullable=False),
    sa.Column('practice_areas', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('budget', sa.JSON(), nullable=True),
    sa.Column('preferred_cities', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_key_id'], ['api_keys.id'], name=op.f('fk_needs_owner_key_id_api_keys'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_needs')),
    sa.UniqueConstraint('external_id', name=op.f('uq_needs_external_id'))
    )
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_needs_organisation'), ['organisation'], unique=False)
        batch_op.create_index(batch_op.f('ix_needs_owner_key_id'), ['owner_key_id'], unique=False)

    op.create_table('passages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lawyer_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['lawyer_id'], ['lawyers.id'], name=op.f('fk_passages_lawyer_id_lawyers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_passages'))
    )
    with op.batch_alter_table('passages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_passages_lawyer_id'), ['lawyer_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('passages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_passages_lawyer_id'))

    op.drop_table('passages')
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_needs_owner_key_id'))
        batch_op.drop_index(batch_op.f('ix_needs_organisation'))

    op.drop_table('needs')
    with op.batch_alter_table('profile_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_profile_changes_lawyer_id'))

    op.drop_table('profile_changes')
    with op.batch_alter_table('lawyers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lawyers_status'))

    op.drop_table('lawyers')
    op.drop_table('api_keys')
