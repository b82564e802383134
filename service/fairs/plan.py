"""What the fair routes do: create a fair from its references, set interest marks, recommend,
schedule, and read the schedule back. The routers call these; SQL stays in the repository."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from models import Fair, FairMeeting, FairParticipant
from service.errors import Conflict, NotFound
from service.fairs.model import MAX_PAIRS, MAX_SLOTS, Meeting, Pair, Party, Problem, Slot, Solution, free_slots, generate_slots
from service.fairs.recommend import Judgement, candidate, explain, judge, judge_all, marks_by_pair
from service.fairs.schedule import solve
from service.matching.engine import MatchEngine
from service.repositories import fairs as fair_repo

NEED_FIELDS = ("description", "countries", "practice_areas", "languages")
# participants per fair, at most (the request schema bounds one request; these bound the fair)
LIMITS = {"enterprise": 1000, "lawyer": 500}
DEFAULT_LAWYER_MEETINGS = 12


def check_windows(body: Mapping[str, Any], dates: Sequence[str]) -> None:
    for kind in ("enterprises", "lawyers"):
        for n, person in enumerate(body[kind]):
            for w in person["availability"]:
                if str(w["date"]) not in dates:
                    raise Conflict(f"{kind}[{n}].availability: {w['date']} is not a day of the fair")


def check_calendar(body: Mapping[str, Any]) -> None:
    """The days must yield slots, and every availability window fall on a day of the fair (409:
    the parts of the request disagree; the request schema cannot say so)."""
    dates = [str(d["date"]) for d in body["days"]]
    twice = sorted({d for d in dates if dates.count(d) > 1})
    if twice:
        raise Conflict(f"days: {', '.join(twice)} given more than once; give each date once")
    count = len(generate_slots(body["days"], body["slot_minutes"]))
    if count == 0:
        raise Conflict(f"days: no {body['slot_minutes']}-minute slot fits the hours given (breaks excluded); lengthen the days or shorten slot_minutes")
    if count > MAX_SLOTS:
        raise Conflict(f"days: {count} slots; at most {MAX_SLOTS} (lengthen slot_minutes or give fewer days)")
    check_windows(body, dates)


def participants_of(session: Session, body: Mapping[str, Any], *, scope: str | None, present: set[int]) -> list[dict[str, Any]]:
    """Participant rows from the body's enterprises and lawyers; every lawyer and stored need named
    must exist (needs: of the caller's organisation), else a 404 naming the entry to fix; a lawyer
    already at the fair (``present``) or named twice is a 409."""
    participants: list[dict[str, Any]] = []
    need_ids = [e["need_id"] for e in body["enterprises"] if e.get("need_id") is not None]
    needs = fair_repo.needs_of(session, need_ids, organisation=scope)
    for n, e in enumerate(body["enterprises"]):
        if e.get("need_id") is not None:
            stored = needs.get(e["need_id"])
            if stored is None:
                raise NotFound(f"enterprises[{n}].need_id: no need with id {e['need_id']} of your organisation")
            need = {f: getattr(stored, f) for f in NEED_FIELDS}
        else:
            need = {f: e["need"][f] for f in NEED_FIELDS}
        participants.append({"kind": "enterprise", "name": e["name"], "need_id": e.get("need_id"), "need": need,
                             "availability": e["availability"], "max_meetings": e["max_meetings"]})
    by_id = fair_repo.lawyer_names(session, [x["lawyer_id"] for x in body["lawyers"] if x.get("lawyer_id") is not None])
    by_external = fair_repo.lawyers_by_external_id(session, [x["external_id"] for x in body["lawyers"] if x.get("external_id")])
    seen = set(present)
    for n, x in enumerate(body["lawyers"]):
        if x.get("lawyer_id") is not None:
            if x["lawyer_id"] not in by_id:
                raise NotFound(f"lawyers[{n}].lawyer_id: no registered lawyer with id {x['lawyer_id']}")
            lawyer_id, name = x["lawyer_id"], by_id[x["lawyer_id"]]
        else:
            if x["external_id"] not in by_external:
                raise NotFound(f"lawyers[{n}].external_id: no lawyer imported with external_id {x['external_id']!r}")
            lawyer_id, name = by_external[x["external_id"]]
        if lawyer_id in seen:
            raise Conflict(f"lawyers[{n}]: lawyer {lawyer_id} is at this fair already (or named twice)")
        seen.add(lawyer_id)
        participants.append({"kind": "lawyer", "name": name, "lawyer_id": lawyer_id,
                             "availability": x["availability"], "max_meetings": x["max_meetings"]})
    return participants


def check_size(enterprises: int, lawyers: int) -> None:
    if enterprises > LIMITS["enterprise"] or lawyers > LIMITS["lawyer"] or enterprises * lawyers > MAX_PAIRS:
        raise Conflict(
            f"this fair would have {enterprises} enterprises and {lawyers} lawyers; at most {LIMITS['enterprise']}, "
            f"{LIMITS['lawyer']} and {MAX_PAIRS:,} pairs: split it (by day, hall or country)"
        )


def create(session: Session, body: Mapping[str, Any], *, organisation: str, owner_key_id: int | None, scope: str | None) -> Fair:
    """A fair from its JSON body (FairCreate)."""
    check_calendar(body)
    check_size(len(body["enterprises"]), len(body["lawyers"]))
    participants = participants_of(session, body, scope=scope, present=set())
    values = {k: body[k] for k in ("name", "timezone", "days", "slot_minutes", "tables")}
    return fair_repo.create(session, values, participants, organisation=organisation, owner_key_id=owner_key_id)


def add_participants(session: Session, fair: Fair, body: Mapping[str, Any], *, scope: str | None) -> Fair:
    """More enterprises and lawyers for a fair (ParticipantsAdd); the schedule is not changed
    (schedule again, or repair to fill free time with them)."""
    check_windows(body, [str(d["date"]) for d in fair.days])
    present = {p.lawyer_id for p in fair.participants if p.lawyer_id is not None}
    rows = participants_of(session, body, scope=scope, present=present)
    counts = {kind: sum(p.kind == kind for p in fair.participants) + sum(r["kind"] == kind for r in rows) for kind in LIMITS}
    check_size(counts["enterprise"], counts["lawyer"])
    fair_repo.add_participants(session, fair, rows)
    return fair


def join_lawyers(session: Session, fair: Fair, external_ids: Sequence[tuple[int, str]]) -> tuple[int, int, list[tuple[int, str, str]]]:
    """Lawyers of an exchange-format list, found in the directory by external_id, join the fair:
    (joined, already there, [(line, external_id, why not)])."""
    found = fair_repo.lawyers_by_external_id(session, [e for _, e in external_ids])
    present = {p.lawyer_id for p in fair.participants if p.lawyer_id is not None}
    rows, already, rejected = [], 0, []
    for line, external_id in external_ids:
        if external_id not in found:
            rejected.append((line, external_id, "not in the directory; an administrator imports lawyers (POST /v1/lawyers/import)"))
            continue
        lawyer_id, name = found[external_id]
        if lawyer_id in present:
            already += 1
            continue
        present.add(lawyer_id)
        rows.append({"kind": "lawyer", "name": name, "lawyer_id": lawyer_id, "availability": [], "max_meetings": DEFAULT_LAWYER_MEETINGS})
    check_size(sum(p.kind == "enterprise" for p in fair.participants), sum(p.kind == "lawyer" for p in fair.participants) + len(rows))
    fair_repo.add_participants(session, fair, rows)
    return len(rows), already, rejected


def slots(fair: Fair) -> list[Slot]:
    return generate_slots(fair.days, fair.slot_minutes)


def _kinds(fair: Fair) -> tuple[dict[int, FairParticipant], dict[int, FairParticipant]]:
    enterprises = {p.id: p for p in fair.participants if p.kind == "enterprise"}
    lawyers = {p.id: p for p in fair.participants if p.kind == "lawyer"}
    return enterprises, lawyers


# ---- interest marks ---------------------------------------------------------------------------


def set_marks(session: Session, fair: Fair, marks: Sequence[Mapping[str, Any]]) -> None:
    enterprises, lawyers = _kinds(fair)
    for n, m in enumerate(marks):
        if m["enterprise"] not in enterprises:
            raise NotFound(f"marks[{n}].enterprise: {m['enterprise']} is not an enterprise of this fair")
        if m["lawyer"] not in lawyers:
            raise NotFound(f"marks[{n}].lawyer: {m['lawyer']} is not a lawyer of this fair")
    fair_repo.set_marks(session, fair.id, [(m["enterprise"], m["lawyer"], m["side"], m["mark"]) for m in marks])


def marks_of(session: Session, fair: Fair) -> dict[tuple[int, int], dict[str, str]]:
    return marks_by_pair([(m.enterprise_id, m.lawyer_id, m.side, m.mark) for m in fair_repo.marks(session, fair.id)])


# ---- recommendations --------------------------------------------------------------------------


def recommendations(session: Session, engine: MatchEngine, fair: Fair, enterprise: int, locale: str) -> list[dict[str, Any]]:
    """The fair's lawyers for one enterprise: eligible ones by weight, then score; the excluded last."""
    enterprises, lawyers = _kinds(fair)
    if enterprise not in enterprises:
        raise NotFound(f"enterprise: {enterprise} is not an enterprise of this fair")
    judged = judge(engine, enterprise, enterprises[enterprise].need or {}, {p.id: p.lawyer_id for p in lawyers.values() if p.lawyer_id}, session)
    marks = marks_of(session, fair)
    items: list[dict[str, Any]] = []
    for lawyer, j in judged.items():
        pair_marks = marks.get((enterprise, lawyer), {})
        c = candidate(j, pair_marks)
        items.append({
            "lawyer": lawyer, "lawyer_id": lawyers[lawyer].lawyer_id, "name": lawyers[lawyer].name,
            "eligible": j.score is not None, "excluded_by": j.excluded_by,
            "score": None if j.score is None else round(j.score, 4),
            "weight": c.weight if isinstance(c, Pair) else None, "marks": pair_marks,
            "reasons": j.reasons.get(locale, []),
        })
    items.sort(key=lambda i: (not i["eligible"], -(i["weight"] or 0), -(i["score"] or 0), i["lawyer"]))
    return items


# ---- the schedule -----------------------------------------------------------------------------


def _needs_and_lawyers(fair: Fair) -> tuple[dict[int, dict[str, Any]], dict[int, int]]:
    """The present enterprises' needs and lawyers' registered ids, by participant id."""
    enterprises, lawyers = _kinds(fair)
    needs = {p.id: p.need or {} for p in enterprises.values() if not p.cancelled}
    return needs, {p.id: p.lawyer_id for p in lawyers.values() if p.lawyer_id and not p.cancelled}


def judgements(session: Session, engine: MatchEngine, fair: Fair) -> dict[tuple[int, int], Judgement]:
    """Every pair's score or the rule that excludes it (no reasons: see ``reasons_for``)."""
    needs, lawyers = _needs_and_lawyers(fair)
    return judge_all(engine, needs, lawyers, session)


def reasons_for(session: Session, engine: MatchEngine, fair: Fair, meetings: Sequence[Meeting]) -> dict[tuple[int, int], dict[str, list[str]]]:
    needs, lawyers = _needs_and_lawyers(fair)
    return explain(engine, needs, lawyers, [(m.enterprise, m.lawyer) for m in meetings], session)


def problem(fair: Fair, judged: Mapping[tuple[int, int], Judgement], marks: Mapping[tuple[int, int], dict[str, str]],
            fixed: Sequence[Meeting] = ()) -> Problem:
    all_slots = slots(fair)
    parties = {
        p.id: Party(p.id, p.kind, 0 if p.cancelled else p.max_meetings,
                    frozenset() if p.cancelled else free_slots(all_slots, p.availability))
        for p in fair.participants
    }
    enterprises, lawyers = _kinds(fair)
    pairs: list[Pair] = []
    forbidden: dict[tuple[int, int], str] = {}
    met = {(m.enterprise, m.lawyer) for m in fixed}
    for e in enterprises.values():
        for law in lawyers.values():
            key = (e.id, law.id)
            pair_marks = marks.get(key, {})
            if key in met:
                continue
            if e.cancelled or law.cancelled:
                if "must" in pair_marks.values():
                    forbidden[key] = "cancelled"
                continue
            j = judged.get(key)
            c = candidate(j, pair_marks) if j is not None else "ineligible"
            if isinstance(c, Pair):
                pairs.append(c)
            elif "must" in pair_marks.values():
                forbidden[key] = c
    return Problem(len(all_slots), fair.tables, parties, pairs, forbidden, list(fixed))


def report_of(solution: Solution) -> dict[str, Any]:
    return {
        "status": solution.status, "meetings": len(solution.meetings), "objective": solution.objective,
        "musts_placed": solution.musts_placed, "greedy_objective": solution.greedy_objective,
        "greedy_musts_placed": solution.greedy_musts_placed, "seconds": solution.seconds,
        "unplaced_musts": solution.unplaced_musts,
    }


def meeting_rows(
    meetings: Iterable[Meeting],
    judged: Mapping[tuple[int, int], Judgement],
    weights: Mapping[tuple[int, int], Pair],
    reasons: Mapping[tuple[int, int], dict[str, list[str]]],
) -> list[dict[str, Any]]:
    rows = []
    for m in meetings:
        key = (m.enterprise, m.lawyer)
        j, pair = judged[key], weights[key]
        rows.append({"enterprise_id": m.enterprise, "lawyer_id": m.lawyer, "slot": m.slot, "desk": m.desk,
                     "score": j.score or 0.0, "weight": pair.weight, "must": pair.must, "reasons": reasons.get(key, {})})
    return rows


def schedule(session: Session, engine: MatchEngine, fair: Fair, *, time_limit: float, workers: int) -> dict[str, Any]:
    """A new schedule for the whole fair, replacing any earlier one."""
    judged = judgements(session, engine, fair)
    prob = problem(fair, judged, marks_of(session, fair))
    solution = solve(prob, time_limit=time_limit, workers=workers)
    fair_repo.remove_meetings(session, fair.id)
    reasons = reasons_for(session, engine, fair, solution.meetings)
    weights = {(p.enterprise, p.lawyer): p for p in prob.pairs}
    fair_repo.add_meetings(session, fair.id, meeting_rows(solution.meetings, judged, weights, reasons))
    fair.report = report_of(solution)
    session.flush()
    return fair.report


def as_meeting(row: FairMeeting) -> Meeting:
    return Meeting(row.enterprise_id, row.lawyer_id, row.slot, row.desk)


# ---- reading the schedule ---------------------------------------------------------------------


def view(session: Session, fair: Fair, *, participant: int | None, desk: int | None, lang: str) -> list[dict[str, Any]]:
    """The meetings in time order then desk, as rows every export renders the same way."""
    names = {p.id: p.name for p in fair.participants}
    if participant is not None and participant not in names:
        raise NotFound(f"participant: {participant} is not a participant of this fair")
    if desk is not None and not 1 <= desk <= fair.tables:
        raise NotFound(f"desk: this fair has desks 1 to {fair.tables}")
    by_index = {s.index: s for s in slots(fair)}
    rows = []
    for m in fair_repo.meetings(session, fair.id):
        if participant is not None and participant not in (m.enterprise_id, m.lawyer_id):
            continue
        if desk is not None and m.desk != desk:
            continue
        s = by_index[m.slot]
        rows.append({
            "slot": m.slot, "date": s.day, "start": s.start.isoformat("minutes"), "end": s.end.isoformat("minutes"),
            "desk": m.desk, "enterprise": {"id": m.enterprise_id, "name": names[m.enterprise_id]},
            "lawyer": {"id": m.lawyer_id, "name": names[m.lawyer_id]}, "score": round(m.score, 4), "must": m.must,
            "reasons": list(m.reasons.get(lang, [])),
        })
    return rows
