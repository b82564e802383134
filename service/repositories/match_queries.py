"""All SQL about the match-query log: additive upserts of counts, and reading them back by month."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models import MatchQueryCount

Cell = tuple[str, str, str]  # (month, country, practice_area)


def add(session: Session, counts: Mapping[Cell, int]) -> None:
    """Add the counts to their cells in one statement. Additive (count = count + new), so any number
    of processes may flush their own tallies without reading first."""
    if not counts:
        return
    rows = [{"month": m, "country": c, "practice_area": p, "queries": n} for (m, c, p), n in counts.items() if n > 0]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert: Any = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(MatchQueryCount).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["month", "country", "practice_area"],
        set_={"queries": MatchQueryCount.queries + statement.excluded.queries},
    )
    session.execute(statement)


def between(session: Session, first_month: str, last_month: str) -> list[tuple[str, str, str, int]]:
    """(month, country, practice_area, queries) of the months first..last inclusive ("YYYY-MM")."""
    query = select(
        MatchQueryCount.month, MatchQueryCount.country, MatchQueryCount.practice_area, MatchQueryCount.queries
    ).where(MatchQueryCount.month >= first_month, MatchQueryCount.month <= last_month)
    return [(m, c, p, int(n)) for m, c, p, n in session.execute(query)]
