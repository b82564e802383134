"""passage ids are never reused (SQLite: AUTOINCREMENT on passages)

SQLite hands out max(id) + 1, so when a profile's newest passages are replaced, the next profile
written gets the same passage ids. A worker replaying the change feed then holds one passage id
for two lawyers, in whichever order their changes come, and refuses the change. PostgreSQL's
sequences never reuse ids; this makes SQLite do the same.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 05:00:00
"""
from __future__ import annotations

from alembic import op


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def _rebuild_passages(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    # the rebuild copies every row with its id; AUTOINCREMENT then starts above the highest one
    with op.batch_alter_table(
        'passages', schema=None, recreate='always', table_kwargs={'sqlite_autoincrement': autoincrement}
    ):
        pass


def upgrade() -> None:
    _rebuild_passages(True)


def downgrade() -> None:
    _rebuild_passages(False)
