"""Late changes: cancellations, late arrivals, changed windows. Only the meetings the changes make
impossible are removed (and any pair the matching rules or a no-thanks mark forbid by now); every other meeting stays in its slot at its desk (a hard constraint of the
re-plan, ``Problem.fixed``), and the freed time is filled again."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from models import Fair
from service.errors import Conflict, NotFound
from service.fairs import plan
from service.fairs.model import free_slots
from service.fairs.schedule import solve
from service.matching.engine import MatchEngine
from service.repositories import fairs as fair_repo


def _whole_days(fair: Fair) -> list[dict[str, Any]]:
    return [{"date": d["date"], "start": d["start"], "end": d["end"]} for d in fair.days]


def arrive_late(fair: Fair, windows: Sequence[Mapping[str, Any]], day: str, arrives: str) -> list[dict[str, Any]]:
    """The windows with that day's time before ``arrives`` taken out."""
    out = []
    for w in windows or _whole_days(fair):
        if str(w["date"]) != day or w["start"] >= arrives:
            out.append(dict(w))
        elif w["end"] > arrives:
            out.append({**w, "start": arrives})
    return out


def apply_changes(fair: Fair, changes: Mapping[str, Any]) -> set[int]:
    """Apply the changes to the participants; the ids of those whose time changed."""
    people = {p.id: p for p in fair.participants}
    days = {str(d["date"]) for d in fair.days}
    touched: set[int] = set()
    for field, ids in (("cancelled", changes["cancelled"]), ("late_arrivals", [x["participant"] for x in changes["late_arrivals"]]),
                       ("windows", [x["participant"] for x in changes["windows"]])):
        for n, pid in enumerate(ids):
            if pid not in people:
                raise NotFound(f"{field}[{n}]: {pid} is not a participant of this fair")
    for n, late in enumerate(changes["late_arrivals"]):
        if str(late["date"]) not in days:
            raise Conflict(f"late_arrivals[{n}].date: {late['date']} is not a day of the fair")
    for n, change in enumerate(changes["windows"]):
        for w in change["availability"]:
            if str(w["date"]) not in days:
                raise Conflict(f"windows[{n}].availability: {w['date']} is not a day of the fair")
        people[change["participant"]].availability = [dict(w, date=str(w["date"])) for w in change["availability"]]
        touched.add(change["participant"])
    for late in changes["late_arrivals"]:
        p = people[late["participant"]]
        p.availability = arrive_late(fair, p.availability, str(late["date"]), late["arrives"])
        touched.add(p.id)
    for pid in changes["cancelled"]:
        people[pid].cancelled = True
        touched.add(pid)
    return touched


def repair(session: Session, engine: MatchEngine, fair: Fair, changes: Mapping[str, Any], *, time_limit: float, workers: int) -> dict[str, Any]:
    existing = fair_repo.meetings(session, fair.id)
    if fair.report is None:
        raise Conflict("this fair has no schedule yet; POST /v1/fairs/{id}/schedule first")
    touched = apply_changes(fair, changes)
    all_slots = plan.slots(fair)
    people = {p.id: p for p in fair.participants}
    free = {pid: free_slots(all_slots, people[pid].availability) for pid in touched}

    judged = plan.judgements(session, engine, fair)
    marks = plan.marks_of(session, fair)

    def still_possible(enterprise: int, lawyer: int, slot: int) -> bool:
        # a pair the rules exclude now (a lawyer suspended since), or marked no-thanks since, goes too
        j = judged.get((enterprise, lawyer))
        if j is None or j.score is None or "no_thanks" in marks.get((enterprise, lawyer), {}).values():
            return False
        return all(not people[p].cancelled and (p not in free or slot in free[p]) for p in (enterprise, lawyer))

    kept = [m for m in existing if still_possible(m.enterprise_id, m.lawyer_id, m.slot)]
    removed = [m for m in existing if not still_possible(m.enterprise_id, m.lawyer_id, m.slot)]
    fixed = [plan.as_meeting(m) for m in kept]
    prob = plan.problem(fair, judged, marks, fixed)
    solution = solve(prob, time_limit=time_limit, workers=workers)
    new = [m for m in solution.meetings if m not in set(fixed)]
    fair_repo.remove_meetings(session, fair.id, [m.id for m in removed])
    weights = {(p.enterprise, p.lawyer): p for p in prob.pairs}
    fair_repo.add_meetings(session, fair.id, plan.meeting_rows(new, judged, weights, plan.reasons_for(session, engine, fair, new)))
    # the objective counts the whole schedule: the kept meetings' weights, then the new ones'
    kept_weight = sum(m.weight for m in kept)
    report = plan.report_of(solution)
    report["objective"] += kept_weight
    report["greedy_objective"] += kept_weight
    kept_musts = sum(m.must for m in kept)
    report["musts_placed"] += kept_musts
    report["greedy_musts_placed"] += kept_musts
    report.update(kept=len(kept), removed=len(removed), added=len(new))
    fair.report = report
    session.flush()
    return report
