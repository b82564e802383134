"""All SQL about consultation requests (and the row locks their state changes take)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import ConsultationRequest, Lawyer, Need
from models.request import LIVE_STATES, OPEN_STATES, RequestState
from service.errors import NotFound
from service.repositories.paging import page_of


def add(session: Session, request: ConsultationRequest) -> ConsultationRequest:
    session.add(request)
    session.flush()
    return request


def get(session: Session, request_id: int, *, lock: bool = False) -> ConsultationRequest:
    """The request; ``lock``: held (FOR UPDATE on PostgreSQL) until the transaction ends, so a
    lawyer's answer and the sweeper never act on the same row at once."""
    query = select(ConsultationRequest).where(ConsultationRequest.id == request_id)
    if lock:
        query = query.with_for_update()
    found = session.scalar(query)
    if found is None:
        raise NotFound(f"no request with id {request_id}")
    return found


def lock_need(session: Session, need_id: int) -> Need | None:
    """The need, locked: deciding whether to offer it again is done by one transaction at a time."""
    return session.scalar(select(Need).where(Need.id == need_id).with_for_update())


def lock_lawyer(session: Session, lawyer_id: int) -> Lawyer | None:
    return session.scalar(select(Lawyer).where(Lawyer.id == lawyer_id).with_for_update())


def for_need(session: Session, need_id: int) -> list[ConsultationRequest]:
    query = select(ConsultationRequest).where(ConsultationRequest.need_id == need_id).order_by(ConsultationRequest.id)
    return list(session.scalars(query))


def lawyers_asked(session: Session, need_id: int) -> set[int]:
    query = select(ConsultationRequest.lawyer_id).where(ConsultationRequest.need_id == need_id)
    return {i for i in session.scalars(query) if i is not None}


def count_for_need(session: Session, need_id: int) -> int:
    return int(session.scalar(select(func.count()).where(ConsultationRequest.need_id == need_id)) or 0)


def live_for_need(session: Session, need_id: int) -> list[ConsultationRequest]:
    query = select(ConsultationRequest).where(
        ConsultationRequest.need_id == need_id, ConsultationRequest.state.in_(LIVE_STATES)
    )
    return list(session.scalars(query))


def count_open(session: Session, lawyer_id: int) -> int:
    query = select(func.count()).where(ConsultationRequest.lawyer_id == lawyer_id, ConsultationRequest.state.in_(OPEN_STATES))
    return int(session.scalar(query) or 0)


def claim_expired(session: Session, now: datetime) -> ConsultationRequest | None:
    """One pending request past its deadline, locked for this transaction. On PostgreSQL rows
    other workers hold are skipped (SKIP LOCKED), and a row another worker expired meanwhile no
    longer matches; SQLite has one writer at a time (every transaction begins IMMEDIATE)."""
    query = (
        select(ConsultationRequest)
        .where(ConsultationRequest.state == RequestState.pending.value, ConsultationRequest.deadline_at <= now)
        .order_by(ConsultationRequest.deadline_at, ConsultationRequest.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return session.scalar(query)


def inbox(
    session: Session, lawyer_id: int, *, state: str | None, offset: int, limit: int
) -> tuple[list[ConsultationRequest], int]:
    query = select(ConsultationRequest).where(ConsultationRequest.lawyer_id == lawyer_id)
    if state is not None:
        query = query.where(ConsultationRequest.state == state)
    return page_of(session, query, order_by=ConsultationRequest.id.desc(), offset=offset, limit=limit)


def needs_by_id(session: Session, need_ids: set[int]) -> dict[int, Need]:
    if not need_ids:
        return {}
    return {n.id: n for n in session.scalars(select(Need).where(Need.id.in_(need_ids)))}


def lawyers_by_id(session: Session, lawyer_ids: set[int]) -> dict[int, Lawyer]:
    if not lawyer_ids:
        return {}
    return {lawyer.id: lawyer for lawyer in session.scalars(select(Lawyer).where(Lawyer.id.in_(lawyer_ids)))}


def answered_history(session: Session, lawyer_id: int) -> list[ConsultationRequest]:
    """The lawyer's requests that were answered or expired: what their track record counts."""
    query = select(ConsultationRequest).where(
        ConsultationRequest.lawyer_id == lawyer_id,
        (ConsultationRequest.answered_at.is_not(None)) | (ConsultationRequest.state == RequestState.expired.value),
    )
    return list(session.scalars(query))


def timeline(session: Session, *, since: datetime | None = None, until: datetime | None = None) -> list[Any]:
    """Per request: need, round, when sent, when answered, state, the need's country and practice
    area when offered; for needs whose requests were sent in [since, until)."""
    query = select(
        ConsultationRequest.need_id,
        ConsultationRequest.round,
        ConsultationRequest.created_at,
        ConsultationRequest.answered_at,
        ConsultationRequest.state,
        ConsultationRequest.country,
        ConsultationRequest.practice_area,
    ).order_by(ConsultationRequest.need_id, ConsultationRequest.id)
    if since is not None:
        query = query.where(ConsultationRequest.created_at >= since)
    if until is not None:
        query = query.where(ConsultationRequest.created_at < until)
    return list(session.execute(query))


def accepted_between(session: Session, start: datetime, end: datetime) -> list[tuple[datetime, str | None, str | None]]:
    """(answered_at, country, practice_area) of the requests a lawyer accepted in [start, end),
    whatever became of them since (engaged, closed)."""
    query = select(ConsultationRequest.answered_at, ConsultationRequest.country, ConsultationRequest.practice_area).where(
        # a request accepted stays accepted in the figures once it is engaged or closed
        ConsultationRequest.state.in_((*OPEN_STATES, RequestState.closed.value)),
        ConsultationRequest.answered_at >= start,
        ConsultationRequest.answered_at < end,
    )
    return [(answered, country, area) for answered, country, area in session.execute(query) if answered is not None]
