"""Migration 0005 (requests) adds columns without rebuilding the lawyers table: on SQLite it keeps its
AUTOINCREMENT, so an erased lawyer's id is never handed to someone else."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from service.db import downgrade, migrate


def _lawyers_sql(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        return str(connection.execute("SELECT sql FROM sqlite_master WHERE name = 'lawyers'").fetchone()[0])


def test_the_lawyers_table_keeps_autoincrement_up_and_down(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    url = f"sqlite:///{path}"
    migrate(url, "0005")
    assert "AUTOINCREMENT" in _lawyers_sql(path).upper() and "adverse_parties" in _lawyers_sql(path)
    downgrade(url, "-1")
    assert "AUTOINCREMENT" in _lawyers_sql(path).upper() and "adverse_parties" not in _lawyers_sql(path)
