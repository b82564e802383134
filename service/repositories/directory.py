"""Reads of the directory: the public listing with its filters, the standing counts (who is
matchable and why the others are not), and the supply the bureau's analytics count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, String, and_, cast, false, func, not_, or_, select
from sqlalchemy.orm import Session

from models import Lawyer
from models.base import utcnow
from models.lawyer import LawyerStatus
from service.repositories.lawyers import meeting

if TYPE_CHECKING:  # the rules are the engine's; a repository only turns them into SQL
    from service.matching.rules import StandingRule


def standing(session: Session, recommendable: StandingRule, now: datetime | None = None) -> dict[str, int]:
    """How many lawyers there are (`lawyers`), how many meet the matching rule (`matchable`), and
    for the others the first reason that applies, in the order of the rule's requirements, so
    that each lawyer is counted once and the counts add up. One query."""
    now = now or utcnow()
    verified = Lawyer.status == LawyerStatus.verified
    lapsed = and_(Lawyer.verification_expires_at.is_not(None), Lawyer.verification_expires_at <= now)
    current = and_(verified, not_(lapsed))
    accepting = and_(current, Lawyer.accepting_clients.is_(True))
    conditions = {
        "matchable": meeting(recommendable, now),
        "pending": Lawyer.status == LawyerStatus.pending,
        "suspended": Lawyer.status == LawyerStatus.suspended,
        "verification_lapsed": and_(verified, lapsed),
        "not_accepting_clients": and_(current, Lawyer.accepting_clients.is_(False)),
        "no_listing_consent": and_(accepting, Lawyer.consent_listing.is_(False)),
    }
    query = select(func.count().label("lawyers"), *(func.count().filter(c).label(name) for name, c in conditions.items()))
    row = session.execute(query).one()
    return {name: int(value) for name, value in row._mapping.items()}


def coverage(
    session: Session, rule: StandingRule, now: datetime | None = None, *, at_capacity: bool = False
) -> list[tuple[list[str], list[str]]]:
    """(countries, practice_areas) of every lawyer meeting the standing rule (and at capacity, if
    asked): the supply side of the bureau's analytics. Two JSON columns a row; the counting is the caller's."""
    query = select(Lawyer.countries, Lawyer.practice_areas).where(meeting(rule, now))
    if at_capacity:
        query = query.where(Lawyer.at_capacity.is_(True))
    return [(list(c or []), list(p or [])) for c, p in session.execute(query)]


@dataclass(frozen=True)
class DirectoryFilter:
    """What the directory is narrowed by; codes arrive validated (letters, digits, underscores)."""

    countries: tuple[str, ...] | None = None  # serves any of these; None: any country, (): none can
    practice_area: str | None = None
    language: str | None = None
    city: str | None = None
    talent_pool: str | None = None
    verified_since: datetime | None = None
    status: str | None = None


def _json_text_has(column: Any, fragment: str) -> ColumnElement[bool]:
    # JSON list columns are searched as their text, the same on SQLite and PostgreSQL: both store
    # what SQLAlchemy's json.dumps wrote ('["KZ", "UZ"]', '{"code": "ru", ...}'). The fragments are
    # built from validated codes, and LIKE's wildcards are escaped all the same.
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return cast(column, String).like(f"%{escaped}%", escape="\\")


def _directory_where(filters: DirectoryFilter, standing: StandingRule | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if standing is not None:
        where.append(meeting(standing))
    if filters.status:
        where.append(Lawyer.status == filters.status)
    if filters.countries is not None:
        where.append(or_(false(), *(_json_text_has(Lawyer.countries, f'"{code}"') for code in filters.countries)))
    if filters.practice_area:
        where.append(_json_text_has(Lawyer.practice_areas, f'"{filters.practice_area}"'))
    if filters.language:
        where.append(_json_text_has(Lawyer.languages, f'"code": "{filters.language}"'))
    if filters.talent_pool:
        where.append(_json_text_has(Lawyer.talent_pools, f'"{filters.talent_pool}"'))
    if filters.city:
        where.append(func.lower(Lawyer.city) == filters.city.strip().lower())
    if filters.verified_since is not None:
        where.append(Lawyer.verified_at >= filters.verified_since)
    return where


def directory(
    session: Session,
    filters: DirectoryFilter,
    *,
    standing: StandingRule | None,
    after: int = 0,
    offset: int = 0,
    limit: int,
    count: bool = True,
) -> tuple[list[Lawyer], int | None, bool]:
    """One page of the directory in id order after the cursor `after` (keyset: stable while
    lawyers are added or removed), the total matching the filters (without the cursor), and
    whether more follow."""
    where = _directory_where(filters, standing)
    total = session.scalar(select(func.count()).select_from(Lawyer).where(*where)) if count else None
    query = select(Lawyer).where(*where, Lawyer.id > after).order_by(Lawyer.id).offset(offset).limit(limit + 1)
    rows = list(session.scalars(query))
    return rows[:limit], (int(total or 0) if count else None), len(rows) > limit
