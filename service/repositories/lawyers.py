"""All SQL about lawyers. Every write also appends to the change feed, in the same transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from embeddings.passages import profile_passages
from models import Lawyer, Passage, ProfileChange
from models.base import utcnow
from service.errors import Conflict, NotFound

# A change of any of these sends a verified profile back to review.
IDENTITY_FIELDS = ("name", "license_no", "bar_admissions")


def get(session: Session, lawyer_id: int, *, with_passages: bool = False) -> Lawyer:
    query = select(Lawyer).where(Lawyer.id == lawyer_id)
    if with_passages:
        query = query.options(selectinload(Lawyer.passages))
    lawyer = session.scalars(query).one_or_none()
    if lawyer is None:
        raise NotFound(f"no lawyer with id {lawyer_id}")
    return lawyer


def by_external_ids(session: Session, external_ids: Sequence[str]) -> dict[str, Lawyer]:
    if not external_ids:
        return {}
    rows = session.scalars(select(Lawyer).where(Lawyer.external_id.in_(list(external_ids))))
    return {row.external_id: row for row in rows if row.external_id}


def page(session: Session, *, offset: int, limit: int, status: str | None = None) -> tuple[list[Lawyer], int]:
    query = select(Lawyer)
    count = select(func.count()).select_from(Lawyer)
    if status:
        query = query.where(Lawyer.status == status)
        count = count.where(Lawyer.status == status)
    rows = session.scalars(query.order_by(Lawyer.id).offset(offset).limit(limit)).all()
    return list(rows), int(session.scalar(count) or 0)


def load_many(session: Session, lawyer_ids: Sequence[int]) -> list[Lawyer]:
    if not lawyer_ids:
        return []
    query = select(Lawyer).where(Lawyer.id.in_(list(lawyer_ids))).options(selectinload(Lawyer.passages))
    return list(session.scalars(query))


def all_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Lawyer.id).order_by(Lawyer.id)))


def licence_taken(session: Session, license_no: str, *, except_id: int | None = None) -> bool:
    query = select(Lawyer.id).where(Lawyer.license_no == license_no)
    if except_id is not None:
        query = query.where(Lawyer.id != except_id)
    return session.scalar(query) is not None


def _record_change(session: Session, lawyer_id: int, operation: str) -> None:
    session.add(ProfileChange(lawyer_id=lawyer_id, operation=operation))
    session.info["profile_changed"] = True  # the request boundary replays the feed after commit


def _write_passages(session: Session, lawyer: Lawyer) -> None:
    session.execute(Passage.__table__.delete().where(Passage.lawyer_id == lawyer.id))
    for passage in profile_passages(lawyer.bio, lawyer.cases):
        session.add(Passage(lawyer_id=lawyer.id, position=passage.position, kind=passage.kind, text=passage.text))


def _apply(lawyer: Lawyer, values: dict[str, Any]) -> set[str]:
    changed = set()
    for field, value in values.items():
        if getattr(lawyer, field) != value:
            setattr(lawyer, field, value)
            changed.add(field)
    return changed


def create(session: Session, values: dict[str, Any], *, status: str = "pending") -> Lawyer:
    if licence_taken(session, values["license_no"]):
        raise Conflict("a lawyer with this license_no is already registered")
    lawyer = Lawyer(**values, status=status)
    if status == "verified":
        lawyer.verified_at = utcnow()
    session.add(lawyer)
    session.flush()
    _write_passages(session, lawyer)
    _record_change(session, lawyer.id, "upsert")
    return lawyer


def update(session: Session, lawyer: Lawyer, values: dict[str, Any], *, review_identity: bool = True) -> set[str]:
    """Apply changes; returns the changed fields. Identity changes send a verified profile back to pending."""
    if "license_no" in values and licence_taken(session, values["license_no"], except_id=lawyer.id):
        raise Conflict("a lawyer with this license_no is already registered")
    changed = _apply(lawyer, values)
    if not changed:
        return changed
    if review_identity and changed & set(IDENTITY_FIELDS) and lawyer.status == "verified":
        lawyer.status = "pending"
        changed.add("status")
    if changed & {"bio", "cases"}:
        _write_passages(session, lawyer)
    lawyer.updated_at = utcnow()
    _record_change(session, lawyer.id, "upsert")
    return changed


def set_status(session: Session, lawyer: Lawyer, status: str) -> None:
    if lawyer.status == status:
        return
    lawyer.status = status
    if status == "verified":
        lawyer.verified_at = utcnow()
    lawyer.updated_at = utcnow()
    _record_change(session, lawyer.id, "upsert")


def delete(session: Session, lawyer: Lawyer) -> None:
    lawyer_id = lawyer.id
    session.execute(Passage.__table__.delete().where(Passage.lawyer_id == lawyer_id))
    session.delete(lawyer)
    _record_change(session, lawyer_id, "delete")


def upsert_record(session: Session, values: dict[str, Any], existing: Lawyer | None) -> tuple[str, Lawyer]:
    """Import one exchange record: 'created', 'updated' or 'unchanged'. The file is the authority on status."""
    if existing is None:
        return "created", create(session, values, status=values.pop("status", "pending"))
    status = values.pop("status", existing.status)
    changed = update(session, existing, values, review_identity=False)
    if status != existing.status:
        set_status(session, existing, status)
        changed.add("status")
    return ("updated" if changed else "unchanged"), existing
