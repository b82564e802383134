"""Consultation requests: a need offered to lawyers, their answers, and the engagement after.

States and who moves them (anything else is a 409):

    pending  -> accepted   the lawyer, before the deadline, with room under their capacity
    pending  -> declined   the lawyer, with a reason
    pending  -> expired    the sweeper, once the deadline passed (service.engagement.sla)
    pending  -> withdrawn  the enterprise
    accepted -> engaged    the enterprise, confirming the engagement
    accepted -> withdrawn  the enterprise, before engaging
    engaged  -> closed     the enterprise, with a rating (1-5) and whether the matter was solved

On a decline or an expiry, when the need has no other live request (pending, accepted, engaged),
the service offers it to the next best eligible lawyer, while the need has had fewer than
MATCHMAKER_REQUEST_MAX_ROUNDS requests; nobody is offered a need twice (a unique constraint).
Every change publishes its event (service.engagement.events) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from models import ConsultationRequest, Lawyer, Need
from models.base import as_utc, utcnow
from models.request import OPEN_STATES, RequestState
from service.engagement import events, feedback, notifications
from service.errors import Conflict, NotFound
from service.matching.engine import MatchEngine
from service.matching.need import NeedQuery
from service.repositories import lawyers as lawyer_repo
from service.repositories import requests as request_repo

# At most this many requests per need in all: a need is not a mailing list.
MAX_REQUESTS_PER_NEED = 20
# How many of the ranked lawyers an automatic offer looks through for one not yet asked.
AUTO_SEARCH_DEPTH = 50


@dataclass(frozen=True)
class Policy:
    """The knobs of the service level (from settings)."""

    sla: timedelta
    max_rounds: int
    # the service's address in the links e-mails carry
    base_url: str = "http://127.0.0.1:8000"

    @classmethod
    def of(cls, settings: Any) -> "Policy":
        return cls(timedelta(seconds=settings.request_sla_seconds), settings.request_max_rounds, settings.public_base_url)


def query_for(matcher: MatchEngine, need: Need) -> NeedQuery:
    """The need as the engine sees it: its fields authoritative, the rest read, its counterparties."""
    return matcher.understand(
        need.description,
        countries=need.countries or (),
        practice_areas=need.practice_areas or (),
        languages=need.languages or (),
        counterparties=need.counterparties or (),
    )


def _publish(session: Session, type: str, request: ConsultationRequest, **extra: Any) -> None:
    data = {
        "request_id": request.id,
        "need_id": request.need_id,
        "lawyer_id": request.lawyer_id,
        "state": request.state,
        "round": request.round,
        "auto": request.auto,
    } | extra
    events.publish(session, type, subject=f"request:{request.id}", data=data, organisation=request.organisation)


def _new_request(
    session: Session, need: Need, lawyer: Lawyer, query: NeedQuery, *, auto: bool, policy: Policy, now: datetime
) -> ConsultationRequest:
    request = request_repo.add(
        session,
        ConsultationRequest(
            need_id=need.id,
            lawyer_id=lawyer.id,
            organisation=need.organisation,
            state=RequestState.pending.value,
            round=request_repo.count_for_need(session, need.id) + 1,
            auto=auto,
            country=query.binding_countries[0] if query.binding_countries else None,
            practice_area=query.practice_areas[0].code if query.practice_areas else None,
            deadline_at=now + policy.sla,
            created_at=now,
            updated_at=now,
        ),
    )
    _publish(session, "request.created", request, deadline_at=request.deadline_at.isoformat())
    notifications.request_offered(session, request, lawyer, need, base_url=policy.base_url)
    return request


def offer_chosen(
    session: Session, matcher: MatchEngine, need: Need, lawyer_ids: Sequence[int], *, policy: Policy, now: datetime | None = None
) -> list[ConsultationRequest]:
    """Send the need to each of these lawyers: every one must be a lawyer the engine would
    recommend for it (same rules: verified, listed, accepting, languages, countries, capacity,
    conflicts), not asked before. All or none."""
    now = now or utcnow()
    ids = list(dict.fromkeys(lawyer_ids))
    request_repo.lock_need(session, need.id)  # concurrent sends for one need count their rounds in turn
    asked = request_repo.lawyers_asked(session, need.id)
    again = [i for i in ids if i in asked]
    if again:
        raise Conflict(f"lawyer(s) {again} were already asked about this need; a lawyer is asked once per need")
    if request_repo.count_for_need(session, need.id) + len(ids) > MAX_REQUESTS_PER_NEED:
        raise Conflict(f"a need may be sent to at most {MAX_REQUESTS_PER_NEED} lawyers in all")
    query = query_for(matcher, need)
    judged = matcher.assess(query, ids, session=session)
    refused = {i: a.excluded_by for i, a in judged.items() if a.match is None}
    if refused:
        why = "; ".join(f"{i}: {rule}" for i, rule in refused.items())
        # 409, not 422: the body is well formed; the directory as it stands refuses it
        raise Conflict(f"lawyer_ids: only lawyers recommended for this need may be asked; not recommended ({why})")
    lawyers = request_repo.lawyers_by_id(session, set(ids))
    full = [i for i in ids if lawyers[i].at_capacity]
    if full:
        raise Conflict(f"lawyer_ids: lawyer(s) {full} are at capacity and take no requests now")
    return [_new_request(session, need, lawyers[i], query, auto=False, policy=policy, now=now) for i in ids]


def offer_best(
    session: Session, matcher: MatchEngine, need: Need, *, policy: Policy, now: datetime | None = None
) -> ConsultationRequest | None:
    """Offer the need to the best eligible lawyer not asked before; None when there is none.
    The caller holds the need's lock when several transactions might offer it at once."""
    now = now or utcnow()
    asked = request_repo.lawyers_asked(session, need.id)
    query = query_for(matcher, need)
    k = min(AUTO_SEARCH_DEPTH, len(asked) + 5)
    outcome = matcher.match(query, k=k, session=session)
    for match in outcome.matches:
        if match.lawyer.id in asked:
            continue
        lawyer = session.get(Lawyer, match.lawyer.id)
        # the facts may be a feed poll behind the row: the row decides
        if lawyer is None or lawyer.at_capacity:
            continue
        return _new_request(session, need, lawyer, query, auto=True, policy=policy, now=now)
    return None


def start_auto(session: Session, matcher: MatchEngine, need: Need, *, policy: Policy, now: datetime | None = None) -> ConsultationRequest:
    """The enterprise's `{"auto": true}`: one offer at a time, so none while one is live."""
    request_repo.lock_need(session, need.id)
    live = request_repo.live_for_need(session, need.id)
    if live:
        raise Conflict(f"request {live[0].id} of this need is {live[0].state}; withdraw it before offering the need again")
    if request_repo.count_for_need(session, need.id) >= MAX_REQUESTS_PER_NEED:
        raise Conflict(f"a need may be sent to at most {MAX_REQUESTS_PER_NEED} lawyers in all")
    request = offer_best(session, matcher, need, policy=policy, now=now)
    if request is None:
        raise Conflict("no eligible lawyer is left to offer this need to (every one was asked, or none is recommended)")
    return request


def reassign(session: Session, matcher: MatchEngine, need_id: int, *, policy: Policy, now: datetime) -> ConsultationRequest | None:
    """After a decline or expiry: the next best lawyer, when the need has no live request and
    rounds remain. The need's row lock makes concurrent endings of one need offer it once."""
    need = request_repo.lock_need(session, need_id)
    if need is None or request_repo.live_for_need(session, need_id):
        return None
    if request_repo.count_for_need(session, need_id) >= min(policy.max_rounds, MAX_REQUESTS_PER_NEED):
        return None
    return offer_best(session, matcher, need, policy=policy, now=now)


def _recount(session: Session, lawyer_id: int | None) -> None:
    """Keep the lawyer's open-engagement count and availability in step; a flip of availability
    goes through the change feed so every worker's matching sees it."""
    if lawyer_id is None:
        return
    lawyer = request_repo.lock_lawyer(session, lawyer_id)
    if lawyer is None:
        return
    lawyer.open_engagements = request_repo.count_open(session, lawyer_id)
    if lawyer.refresh_capacity():
        lawyer_repo.availability_changed(session, lawyer_id)


def _require(request: ConsultationRequest, *states: str, action: str) -> None:
    if request.state not in states:
        raise Conflict(f"request {request.id} is {request.state}; only a {' or '.join(states)} request can be {action}")


def own_request(session: Session, request_id: int, lawyer: Lawyer) -> ConsultationRequest:
    """A request sent to this lawyer, locked; another lawyer's answers like a missing one."""
    request = request_repo.get(session, request_id, lock=True)
    if request.lawyer_id != lawyer.id:
        raise NotFound(f"no request with id {request_id}")
    return request


def need_request(session: Session, request_id: int, organisation: str | None) -> ConsultationRequest:
    """A request of one of the organisation's needs (any, for None: an administrator), locked."""
    request = request_repo.get(session, request_id, lock=True)
    if organisation is not None and request.organisation != organisation:
        raise NotFound(f"no request with id {request_id}")
    return request


def accept(
    session: Session, request: ConsultationRequest, lawyer: Lawyer, *, policy: Policy, now: datetime | None = None
) -> ConsultationRequest:
    now = now or utcnow()
    _require(request, RequestState.pending.value, action="accepted")
    if as_utc(request.deadline_at) <= now:
        raise Conflict(f"request {request.id} expired at {as_utc(request.deadline_at).isoformat()}; it goes to another lawyer")
    locked = request_repo.lock_lawyer(session, lawyer.id)
    if locked is not None and locked.at_capacity:
        raise Conflict("you are at your maximum of open engagements; close one or raise max_open_engagements first")
    request.state, request.answered_at, request.updated_at = RequestState.accepted.value, now, now
    session.flush()
    _recount(session, lawyer.id)
    feedback.refresh(session, lawyer.id)
    _publish(session, "request.accepted", request)
    notifications.request_accepted(session, request, lawyer, base_url=policy.base_url)
    return request


def decline(
    session: Session, matcher: MatchEngine, request: ConsultationRequest, reason: str, *, policy: Policy, now: datetime | None = None
) -> ConsultationRequest:
    now = now or utcnow()
    _require(request, RequestState.pending.value, action="declined")
    request.state, request.answered_at, request.reason, request.updated_at = RequestState.declined.value, now, reason, now
    session.flush()
    feedback.refresh(session, request.lawyer_id)
    _publish(session, "request.declined", request)
    reassign(session, matcher, request.need_id, policy=policy, now=now)
    return request


def expire(session: Session, matcher: MatchEngine, request: ConsultationRequest, *, policy: Policy, now: datetime) -> ConsultationRequest | None:
    """The sweeper's step for one claimed request; returns the next offer, if one was made."""
    request.state, request.updated_at = RequestState.expired.value, now
    session.flush()
    feedback.refresh(session, request.lawyer_id)
    _publish(session, "request.expired", request)
    return reassign(session, matcher, request.need_id, policy=policy, now=now)


def withdraw(session: Session, request: ConsultationRequest, reason: str | None, *, now: datetime | None = None) -> ConsultationRequest:
    now = now or utcnow()
    _require(request, RequestState.pending.value, RequestState.accepted.value, action="withdrawn")
    was_open = request.state in OPEN_STATES
    request.state, request.reason, request.updated_at = RequestState.withdrawn.value, reason, now
    session.flush()
    if was_open:
        _recount(session, request.lawyer_id)
    _publish(session, "request.withdrawn", request)
    return request


def engage(session: Session, request: ConsultationRequest, *, now: datetime | None = None) -> ConsultationRequest:
    now = now or utcnow()
    _require(request, RequestState.accepted.value, action="engaged")
    request.state, request.engaged_at, request.updated_at = RequestState.engaged.value, now, now
    session.flush()
    _publish(session, "engagement.started", request)
    return request


def close(session: Session, request: ConsultationRequest, rating: int, solved: bool, *, now: datetime | None = None) -> ConsultationRequest:
    now = now or utcnow()
    _require(request, RequestState.engaged.value, action="closed")
    request.state, request.closed_at, request.updated_at = RequestState.closed.value, now, now
    request.rating, request.solved = rating, solved
    session.flush()
    _recount(session, request.lawyer_id)
    feedback.refresh(session, request.lawyer_id)
    _publish(session, "engagement.closed", request, rating=rating, solved=solved)
    return request


def delete_need(session: Session, need: Need, *, now: datetime | None = None) -> None:
    """Delete a need and its requests: live ones are withdrawn first (their events published), and
    the lawyers engaged on it are counted again, so no capacity stays taken by a need that is gone."""
    now = now or utcnow()
    live = request_repo.live_for_need(session, need.id)
    engaged = {r.lawyer_id for r in live if r.state in OPEN_STATES}
    for request in live:
        request.state, request.reason, request.updated_at = RequestState.withdrawn.value, "the need was deleted", now
        _publish(session, "request.withdrawn", request)
    session.delete(need)
    session.flush()
    for lawyer_id in engaged:
        _recount(session, lawyer_id)
