"""All SQL about needs. Callers pass the organisation scope; None means every organisation (admin)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, String, case, cast, or_, select
from sqlalchemy.orm import Session

from models import Need
from service.errors import Conflict, NotFound
from service.repositories.paging import page_of


def _same_organisation(organisation: str | None) -> ColumnElement[bool]:
    return Need.organisation.is_(None) if organisation is None else Need.organisation == organisation


def create(session: Session, values: dict[str, Any], *, organisation: str | None, owner_key_id: int | None) -> Need:
    external_id = values.get("external_id")
    taken = select(Need.id).where(Need.external_id == external_id, _same_organisation(organisation))
    if external_id and session.scalar(taken) is not None:
        raise Conflict(f"your organisation already has a need with external_id {external_id!r}")
    need = Need(**values, organisation=organisation, owner_key_id=owner_key_id)
    session.add(need)
    session.flush()
    return need


def get(session: Session, need_id: int, *, organisation: str | None) -> Need:
    need = session.get(Need, need_id)
    # Someone else's need answers exactly like a missing one.
    if need is None or (organisation is not None and need.organisation != organisation):
        raise NotFound(f"no need with id {need_id}")
    return need


def page(session: Session, *, organisation: str | None, offset: int, limit: int) -> tuple[list[Need], int]:
    query = select(Need)
    if organisation is not None:
        query = query.where(Need.organisation == organisation)
    return page_of(session, query, order_by=Need.id.desc(), offset=offset, limit=limit)


def upsert_record(session: Session, values: dict[str, Any], *, organisation: str | None) -> str:
    existing = session.scalar(select(Need).where(Need.external_id == values["external_id"], _same_organisation(organisation)))
    if existing is None:
        create(session, values, organisation=organisation, owner_key_id=None)
        return "created"
    changed = False
    for field, value in values.items():
        if getattr(existing, field) != value:
            setattr(existing, field, value)
            changed = True
    return "updated" if changed else "unchanged"


def delete(session: Session, need: Need) -> None:
    session.delete(need)


def fields_between(session: Session, start: datetime, end: datetime) -> list[tuple[list[str], list[str], datetime, str | None]]:
    """(countries, practice_areas, created_at, description) of the needs stored in [start, end):
    what demand analytics counts. The description comes only with a need whose countries or
    practice areas are empty, for them to be read from it."""
    empty = or_(cast(Need.countries, String).in_(["[]", "null"]), cast(Need.practice_areas, String).in_(["[]", "null"]), Need.countries.is_(None), Need.practice_areas.is_(None))
    text = case((empty, Need.description), else_=None)
    query = select(Need.countries, Need.practice_areas, Need.created_at, text).where(Need.created_at >= start, Need.created_at < end)
    return [(list(c or []), list(p or []), t, d) for c, p, t, d in session.execute(query)]
