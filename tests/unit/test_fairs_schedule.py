"""The scheduler's hard constraints and objective, on small random fairs (hypothesis)."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model

from service.fairs.model import Meeting, Pair, Party, Problem, generate_slots, free_slots, weight
from service.fairs.schedule import SINGLE_MODEL_VARIABLES, greedy, solve


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    slots = draw(st.integers(1, 6))
    desks = draw(st.integers(1, 4))
    n_e, n_l = draw(st.integers(1, 6)), draw(st.integers(1, 5))
    parties = {}
    for i in range(n_e + n_l):
        free = frozenset(draw(st.sets(st.integers(0, slots - 1), min_size=0, max_size=slots)))
        parties[i] = Party(i, "enterprise" if i < n_e else "lawyer", draw(st.integers(0, 4)), free)
    pairs = []
    for e in range(n_e):
        for law in range(n_e, n_e + n_l):
            # some pairs are not candidates at all (no thanks, or excluded by a rule)
            if draw(st.booleans()) or draw(st.booleans()):
                pairs.append(Pair(e, law, draw(st.integers(1, 200)), must=draw(st.integers(0, 4)) == 0))
    return Problem(slots, desks, parties, pairs)


def check_hard_constraints(problem: Problem, meetings: list[Meeting]) -> None:
    candidates = {(p.enterprise, p.lawyer) for p in problem.pairs} | {(m.enterprise, m.lawyer) for m in problem.fixed}
    per_party_slot = Counter()
    per_slot = Counter()
    per_party = Counter()
    desks = set()
    for m in meetings:
        assert (m.enterprise, m.lawyer) in candidates  # never a no-thanks or excluded pair
        assert 0 <= m.slot < problem.slots and 1 <= m.desk <= problem.desks
        assert m.slot in problem.parties[m.enterprise].free and m.slot in problem.parties[m.lawyer].free
        per_party_slot[(m.enterprise, m.slot)] += 1
        per_party_slot[(m.lawyer, m.slot)] += 1
        per_slot[m.slot] += 1
        per_party[m.enterprise] += 1
        per_party[m.lawyer] += 1
        assert (m.slot, m.desk) not in desks
        desks.add((m.slot, m.desk))
    assert all(n == 1 for n in per_party_slot.values()), "a party is double-booked"
    assert all(n <= problem.desks for n in per_slot.values())
    assert all(n <= problem.parties[p].cap for p, n in per_party.items())
    assert len({(m.enterprise, m.lawyer) for m in meetings}) == len(meetings), "a pair meets twice"


def most_musts(problem: Problem) -> int:
    """An independent model: how many must-meet pairs can be placed at once, at most."""
    model = cp_model.CpModel()
    xs = {}
    for p in problem.pairs:
        if p.must:
            for s in problem.parties[p.enterprise].free & problem.parties[p.lawyer].free:
                xs[(p.enterprise, p.lawyer, s)] = model.new_bool_var("")
    for key in {(e, law) for e, law, _ in xs}:
        model.add(sum(v for k, v in xs.items() if k[:2] == key) <= 1)
    for party in problem.parties.values():
        model.add(sum(v for k, v in xs.items() if party.id in k[:2]) <= party.cap)
        for s in range(problem.slots):
            model.add(sum(v for k, v in xs.items() if party.id in k[:2] and k[2] == s) <= 1)
    for s in range(problem.slots):
        model.add(sum(v for k, v in xs.items() if k[2] == s) <= problem.desks)
    model.maximize(sum(xs.values()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL
    return round(solver.objective_value)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.sampled_from([SINGLE_MODEL_VARIABLES, 0]))
def test_schedule_respects_every_hard_constraint_and_beats_greedy(problem: Problem, single: int) -> None:
    base = greedy(problem)
    check_hard_constraints(problem, base.meetings)
    # single=0: when seating the matching leaves pairs out, CP-SAT seats the chosen pairs only
    solution = solve(problem, time_limit=5, workers=1, single_model_variables=single)
    check_hard_constraints(problem, solution.meetings)
    assert (solution.musts_placed, solution.objective) >= (base.musts_placed, base.objective)
    weights = {(p.enterprise, p.lawyer): p.weight for p in problem.pairs}
    assert solution.objective == sum(weights[(m.enterprise, m.lawyer)] for m in solution.meetings)
    # musts placed whenever they can be: as many as any schedule could place (the full search)
    if single:
        assert solution.musts_placed == most_musts(problem)
    unplaced = {(u["enterprise"], u["lawyer"]) for u in solution.unplaced_musts}
    placed = {(m.enterprise, m.lawyer) for m in solution.meetings}
    assert unplaced == {(p.enterprise, p.lawyer) for p in problem.pairs if p.must} - placed


@settings(max_examples=40, deadline=None)
@given(problems(), st.data())
def test_fixed_meetings_never_move(problem: Problem, data: st.DataObject) -> None:
    first = solve(problem, time_limit=5, workers=1)
    keep = [m for m in first.meetings if data.draw(st.booleans())]
    problem.fixed = keep
    problem.pairs = [p for p in problem.pairs if (p.enterprise, p.lawyer) not in {(m.enterprise, m.lawyer) for m in keep}]
    second = solve(problem, time_limit=5, workers=1)
    assert set(keep) <= set(second.meetings)
    check_hard_constraints(problem, second.meetings)


def test_a_larger_fair_is_solved_and_proven_optimal() -> None:
    # 2400 pairs over 12 slots: the matching is seated whole, which proves the schedule optimal
    parties = {i: Party(i, "enterprise" if i < 60 else "lawyer", 6 if i < 60 else 12, frozenset(range(12))) for i in range(100)}
    pairs = [Pair(e, law, 1 + (e * 7 + law * 13) % 97, must=(e + law) % 53 == 0) for e in range(60) for law in range(60, 100)]
    problem = Problem(12, 20, parties, pairs)
    solution = solve(problem, time_limit=10, workers=1, single_model_variables=1000)
    check_hard_constraints(problem, solution.meetings)
    assert (solution.musts_placed, solution.objective) >= (solution.greedy_musts_placed, solution.greedy_objective)
    assert len(solution.meetings) == 12 * 20  # every desk of every slot is used
    assert solution.status == "OPTIMAL" and solution.objective >= solution.greedy_objective


def test_slots_skip_breaks_and_windows_select_whole_slots() -> None:
    days = [{"date": "2026-12-08", "start": "09:00", "end": "12:00", "breaks": [{"start": "10:15", "end": "10:30"}]}]
    slots = generate_slots(days, 30)
    assert [(s.start.isoformat("minutes"), s.end.isoformat("minutes")) for s in slots] == [
        ("09:00", "09:30"), ("09:30", "10:00"), ("10:30", "11:00"), ("11:00", "11:30"), ("11:30", "12:00")]
    assert free_slots(slots, [{"date": "2026-12-08", "start": "09:15", "end": "11:00"}]) == {1, 2}
    assert free_slots(slots, []) == {0, 1, 2, 3, 4}


def test_both_wanting_counts_more_than_the_marks_alone() -> None:
    assert weight(0.5, {}) == 50
    assert weight(0.5, {"enterprise": "would"}) == 70
    assert weight(0.5, {"enterprise": "would", "lawyer": "would"}) > 2 * weight(0.5, {"enterprise": "would"}) - weight(0.5, {})
