"""All SQL about fairs: the fair with its participants, interest marks and meetings.

Callers pass the organisation scope; None means every organisation (admin). Someone else's fair
answers exactly like a missing one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from models import Fair, FairInterest, FairMeeting, FairParticipant, Lawyer, Need
from service.errors import NotFound
from service.repositories.paging import page_of


def create(session: Session, values: dict[str, Any], participants: Iterable[dict[str, Any]], *, organisation: str,
           owner_key_id: int | None) -> Fair:
    fair = Fair(**values, organisation=organisation, owner_key_id=owner_key_id, report=None)
    fair.participants = [FairParticipant(**p) for p in participants]
    session.add(fair)
    session.flush()
    return fair


def add_participants(session: Session, fair: Fair, rows: Iterable[dict[str, Any]]) -> None:
    fair.participants.extend(FairParticipant(**row) for row in rows)
    session.flush()


def get(session: Session, fair_id: int, *, organisation: str | None) -> Fair:
    fair = session.scalar(select(Fair).where(Fair.id == fair_id).options(selectinload(Fair.participants)))
    if fair is None or (organisation is not None and fair.organisation != organisation):
        raise NotFound(f"no fair with id {fair_id}")
    return fair


def page(session: Session, *, organisation: str | None, offset: int, limit: int) -> tuple[list[Fair], int]:
    query = select(Fair)
    if organisation is not None:
        query = query.where(Fair.organisation == organisation)
    return page_of(session, query, order_by=Fair.id.desc(), offset=offset, limit=limit)


def delete_fair(session: Session, fair: Fair) -> None:
    # participants, marks and meetings go with it (ON DELETE CASCADE; SQLite's foreign keys are on)
    session.delete(fair)
    session.flush()


# ---- what participants refer to --------------------------------------------------------------


def lawyer_names(session: Session, ids: Sequence[int]) -> dict[int, str]:
    rows = session.execute(select(Lawyer.id, Lawyer.name).where(Lawyer.id.in_(list(ids)))).all() if ids else []
    return {r.id: r.name for r in rows}


def lawyers_by_external_id(session: Session, external_ids: Sequence[str]) -> dict[str, tuple[int, str]]:
    if not external_ids:
        return {}
    rows = session.execute(select(Lawyer.external_id, Lawyer.id, Lawyer.name).where(Lawyer.external_id.in_(list(external_ids))))
    return {r.external_id: (r.id, r.name) for r in rows}


def needs_of(session: Session, ids: Sequence[int], *, organisation: str | None) -> dict[int, Need]:
    if not ids:
        return {}
    query = select(Need).where(Need.id.in_(list(ids)))
    if organisation is not None:
        query = query.where(Need.organisation == organisation)
    return {n.id: n for n in session.scalars(query)}


# ---- interest marks ---------------------------------------------------------------------------


def marks(session: Session, fair_id: int) -> list[FairInterest]:
    query = select(FairInterest).where(FairInterest.fair_id == fair_id)
    return list(session.scalars(query.order_by(FairInterest.enterprise_id, FairInterest.lawyer_id, FairInterest.side)))


def set_marks(session: Session, fair_id: int, changes: Iterable[tuple[int, int, str, str | None]]) -> None:
    """(enterprise, lawyer, side, mark or None to clear), applied in order."""
    existing = {(m.enterprise_id, m.lawyer_id, m.side): m for m in marks(session, fair_id)}
    for enterprise, lawyer, side, mark in changes:
        row = existing.get((enterprise, lawyer, side))
        if mark is None:
            if row is not None:
                session.delete(row)
                del existing[(enterprise, lawyer, side)]
        elif row is None:
            row = FairInterest(fair_id=fair_id, enterprise_id=enterprise, lawyer_id=lawyer, side=side, mark=mark)
            session.add(row)
            existing[(enterprise, lawyer, side)] = row
        else:
            row.mark = mark
    session.flush()


# ---- meetings ---------------------------------------------------------------------------------


def meetings(session: Session, fair_id: int) -> list[FairMeeting]:
    query = select(FairMeeting).where(FairMeeting.fair_id == fair_id)
    return list(session.scalars(query.order_by(FairMeeting.slot, FairMeeting.desk)))


def remove_meetings(session: Session, fair_id: int, ids: Iterable[int] | None = None) -> None:
    """The fair's meetings with these ids (all of them when None)."""
    statement = delete(FairMeeting).where(FairMeeting.fair_id == fair_id)
    if ids is not None:
        statement = statement.where(FairMeeting.id.in_(list(ids)))
    session.execute(statement)
    session.flush()


def add_meetings(session: Session, fair_id: int, rows: Iterable[dict[str, Any]]) -> None:
    session.add_all(FairMeeting(fair_id=fair_id, **row) for row in rows)
    session.flush()
