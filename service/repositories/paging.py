"""One page of a filtered query and the total it was cut from, counted with the same filters."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

Row = TypeVar("Row")


def page_of(
    session: Session,
    query: Select[Any],
    *,
    order_by: ColumnElement[Any] | InstrumentedAttribute[Any],
    offset: int,
    limit: int,
) -> tuple[list[Row], int]:
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.scalars(query.order_by(order_by).offset(offset).limit(limit)).all()
    return list(rows), int(total or 0)
