"""security: licence numbers unique once normalised (among verified lawyers); need external ids unique per organisation;
lawyers' self-edited credentials held for review (pending_changes)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 10:00:00
"""
from __future__ import annotations

import logging
import re
import unicodedata

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
VERIFIED_ONLY = "status = 'verified'"
# SQLite rebuilds the table for these changes: with AUTOINCREMENT, so erased lawyers' ids are never
# reused (the audit log keeps naming them; see 0002)
KEEP_IDS = {'sqlite_autoincrement': True}


def _licence_key(license_no: str) -> str:
    # a copy of models.lawyer.licence_key as of this revision: migrations never import the models
    return re.sub(r"[\s\-/._]", "", unicodedata.normalize("NFKC", license_no)).upper()


def upgrade() -> None:
    connection = op.get_bind()
    with op.batch_alter_table('lawyers', schema=None, table_kwargs=KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column('license_key', sa.String(length=64), nullable=True))
    lawyers = sa.table('lawyers', sa.column('id', sa.Integer), sa.column('license_no', sa.String),
                       sa.column('license_key', sa.String), sa.column('status', sa.String))
    rows = connection.execute(sa.select(lawyers.c.id, lawyers.c.license_no, lawyers.c.status).order_by(lawyers.c.id)).all()
    verified: set[str] = set()
    for row in rows:
        key = _licence_key(row.license_no)
        values: dict[str, str] = {'license_key': key}
        if row.status == 'verified':
            if key in verified:  # "AB-123" and "ab123" both verified: the later one goes back to review
                values['status'] = 'pending'
                log.warning("lawyer %s shares a verified licence once normalised; set back to pending", row.id)
            verified.add(key)
        connection.execute(sa.update(lawyers).where(lawyers.c.id == row.id).values(**values))
    with op.batch_alter_table('lawyers', schema=None, table_kwargs=KEEP_IDS) as batch_op:
        batch_op.alter_column('license_key', existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint('uq_lawyers_license_no', type_='unique')
        batch_op.create_index(batch_op.f('ix_lawyers_license_key'), ['license_key'], unique=False)
    op.create_index('uq_lawyers_license_key_verified', 'lawyers', ['license_key'], unique=True,
                    sqlite_where=sa.text(VERIFIED_ONLY), postgresql_where=sa.text(VERIFIED_ONLY))
    with op.batch_alter_table('lawyers', schema=None, table_kwargs=KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column('pending_changes', sa.JSON(), nullable=True))
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.drop_constraint('uq_needs_external_id', type_='unique')
        batch_op.create_unique_constraint('uq_needs_organisation_external_id', ['organisation', 'external_id'])


def downgrade() -> None:
    # (fails, as it should, if two organisations now use one external id)
    with op.batch_alter_table('needs', schema=None) as batch_op:
        batch_op.drop_constraint('uq_needs_organisation_external_id', type_='unique')
        batch_op.create_unique_constraint('uq_needs_external_id', ['external_id'])
    op.drop_index('uq_lawyers_license_key_verified', table_name='lawyers')
    with op.batch_alter_table('lawyers', schema=None, table_kwargs=KEEP_IDS) as batch_op:
        batch_op.drop_column('pending_changes')
        batch_op.drop_index(batch_op.f('ix_lawyers_license_key'))
        batch_op.create_unique_constraint('uq_lawyers_license_no', ['license_no'])
        batch_op.drop_column('license_key')
