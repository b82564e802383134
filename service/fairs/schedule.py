"""The meeting schedule: a greedy baseline and OR-Tools CP-SAT, under the same hard constraints.

Hard: one meeting per party per slot; each party's cap; only slots both parties are free; at most
``desks`` meetings per slot; only the candidate pairs (the caller left out no-thanks and every pair
a matching rule excludes); fixed meetings (a repair) stay exactly where they are.

Objective, lexicographic by weight: every placed must-meet pair is worth ``MUST_WEIGHT`` = 1 + the
sum of all other weights, so one more must placed always beats any gain in quality; within that,
the sum of the pair weights (match score and interest, ``model.weight``) is maximised.

Scale: one model with a boolean per (pair, common free slot) while that stays under
``SINGLE_MODEL_VARIABLES``; above it two stages: choose the pairs (a degree-constrained matching,
whose LP relaxation is integral, so CP-SAT solves it at once), then give the chosen pairs slots,
then fill what is left greedily. The answer is never worse than the greedy plan: if the solver's
is, the greedy plan is returned (status ``GREEDY``).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence

from ortools.sat.python import cp_model

from service.fairs.model import Meeting, Pair, Problem, Solution

SINGLE_MODEL_VARIABLES = 60_000


class _Book:
    """Who is busy when, how many meetings each party has, desks used per slot."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.busy: set[tuple[int, int]] = set()  # (party, slot)
        self.count: dict[int, int] = defaultdict(int)
        self.used: dict[int, int] = defaultdict(int)  # slot -> desks taken
        self.met: set[tuple[int, int]] = set()
        for m in problem.fixed:
            self.take(m.enterprise, m.lawyer, m.slot)

    def take(self, enterprise: int, lawyer: int, slot: int) -> None:
        self.busy.add((enterprise, slot))
        self.busy.add((lawyer, slot))
        self.count[enterprise] += 1
        self.count[lawyer] += 1
        self.used[slot] += 1
        self.met.add((enterprise, lawyer))

    def room(self, party: int) -> int:
        return self.problem.parties[party].cap - self.count[party]

    def open_slots(self, pair: Pair) -> list[int]:
        """Slots where this pair could meet now, in time order."""
        p = self.problem
        common = p.parties[pair.enterprise].free & p.parties[pair.lawyer].free
        return [
            s for s in sorted(common)
            if s < p.slots and (pair.enterprise, s) not in self.busy and (pair.lawyer, s) not in self.busy and self.used[s] < p.desks
        ]

    def fits(self, pair: Pair) -> bool:
        return (pair.enterprise, pair.lawyer) not in self.met and self.room(pair.enterprise) > 0 and self.room(pair.lawyer) > 0


def _order(pairs: Iterable[Pair]) -> list[Pair]:
    return sorted(pairs, key=lambda p: (not p.must, -p.weight, p.enterprise, p.lawyer))


def _fill(book: _Book, pairs: Iterable[Pair]) -> list[tuple[Pair, int]]:
    """Place pairs in the order given, each in its earliest open slot."""
    placed = []
    for pair in pairs:
        if not book.fits(pair):
            continue
        slots = book.open_slots(pair)
        if slots:
            book.take(pair.enterprise, pair.lawyer, slots[0])
            placed.append((pair, slots[0]))
    return placed


def _desks(problem: Problem, placed: Sequence[tuple[Pair, int]]) -> list[Meeting]:
    """Desks for the new meetings: fixed ones keep theirs; a lawyer keeps one desk when it is free."""
    taken: dict[int, set[int]] = defaultdict(set)
    home: dict[int, int] = {}
    for m in problem.fixed:
        taken[m.slot].add(m.desk)
        home.setdefault(m.lawyer, m.desk)
    meetings = list(problem.fixed)
    for pair, slot in sorted(placed, key=lambda ps: (ps[1], ps[0].lawyer)):
        desk = home.get(pair.lawyer)
        if desk is None or desk in taken[slot]:
            desk = next(d for d in range(1, problem.desks + 1) if d not in taken[slot])
        taken[slot].add(desk)
        home.setdefault(pair.lawyer, desk)
        meetings.append(Meeting(pair.enterprise, pair.lawyer, slot, desk))
    return meetings


def _value(placed: Sequence[tuple[Pair, int]]) -> tuple[int, int]:
    return sum(p.must for p, _ in placed), sum(p.weight for p, _ in placed)


def greedy(problem: Problem) -> Solution:
    """The baseline: musts first, then by weight, each pair in its earliest open slot."""
    book = _Book(problem)
    placed = _fill(book, _order(problem.pairs))
    musts, objective = _value(placed)
    solution = Solution(_desks(problem, placed), objective, musts, "GREEDY", greedy_objective=objective, greedy_musts_placed=musts)
    solution.unplaced_musts = unplaced_musts(problem, solution.meetings)
    return solution


def _solver(seconds: float, workers: int, seed: int = 0) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, seconds)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    return solver


def _assign_slots(
    problem: Problem, pairs: Sequence[Pair], seconds: float, workers: int, hint: dict[tuple[int, int], int]
) -> tuple[list[tuple[Pair, int]], str]:
    """CP-SAT: a slot (or none) for each pair, maximising musts first, then weight."""
    book = _Book(problem)  # the fixed meetings, already booked
    model = cp_model.CpModel()
    must_weight = 1 + sum(p.weight for p in pairs)
    by_party: dict[tuple[int, int], list[cp_model.IntVar]] = defaultdict(list)
    by_slot: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    per_party: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    choices: list[tuple[Pair, int, cp_model.IntVar]] = []
    objective = []
    for pair in pairs:
        if not book.fits(pair):
            continue
        own = []
        for slot in book.open_slots(pair):
            x = model.new_bool_var(f"x{pair.enterprise}_{pair.lawyer}_{slot}")
            own.append(x)
            choices.append((pair, slot, x))
            by_party[(pair.enterprise, slot)].append(x)
            by_party[(pair.lawyer, slot)].append(x)
            by_slot[slot].append(x)
            objective.append((pair.weight + (must_weight if pair.must else 0)) * x)
            model.add_hint(x, hint.get((pair.enterprise, pair.lawyer)) == slot)
        if own:
            model.add_at_most_one(own)
            per_party[pair.enterprise].extend(own)
            per_party[pair.lawyer].extend(own)
    if not choices:
        return [], "OPTIMAL"
    for xs in by_party.values():
        if len(xs) > 1:
            model.add_at_most_one(xs)
    for slot, xs in by_slot.items():
        left = problem.desks - book.used[slot]
        if len(xs) > left:
            model.add(sum(xs) <= left)
    for party, xs in per_party.items():
        if len(xs) > book.room(party):
            model.add(sum(xs) <= book.room(party))
    model.maximize(sum(objective))
    solver = _solver(seconds, workers)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [], "UNKNOWN"
    return [(pair, slot) for pair, slot, x in choices if solver.boolean_value(x)], solver.status_name(status)


def _choose_pairs(problem: Problem, seconds: float, workers: int) -> list[Pair]:
    """Stage one at scale: the pairs to meet, as a degree-constrained matching (each party at most
    its cap and its free slots, all of them at most desks × slots), musts first then weight."""
    book = _Book(problem)
    pairs = [p for p in problem.pairs if book.fits(p) and book.open_slots(p)]
    model = cp_model.CpModel()
    must_weight = 1 + sum(p.weight for p in pairs)
    ys = [model.new_bool_var(f"y{i}") for i in range(len(pairs))]
    degree: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    for pair, y in zip(pairs, ys):
        degree[pair.enterprise].append(y)
        degree[pair.lawyer].append(y)
    for party, vs in degree.items():
        free = len([s for s in problem.parties[party].free if s < problem.slots and (party, s) not in book.busy])
        model.add(sum(vs) <= max(0, min(book.room(party), free)))
    model.add(sum(ys) <= problem.desks * problem.slots - len(problem.fixed))
    model.maximize(sum((p.weight + (must_weight if p.must else 0)) * y for p, y in zip(pairs, ys)))
    solver = _solver(seconds, workers)
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return pairs
    return [p for p, y in zip(pairs, ys) if solver.boolean_value(y)]


def _variables(problem: Problem) -> int:
    return sum(len(problem.parties[p.enterprise].free & problem.parties[p.lawyer].free) for p in problem.pairs)


def solve(
    problem: Problem, *, time_limit: float = 30.0, workers: int = 2, single_model_variables: int = SINGLE_MODEL_VARIABLES
) -> Solution:
    """The best schedule found within ``time_limit`` seconds, never worse than greedy's."""
    started = time.monotonic()
    base = greedy(problem)
    hint = {(m.enterprise, m.lawyer): m.slot for m in base.meetings}
    if _variables(problem) <= single_model_variables:
        placed, status = _assign_slots(problem, problem.pairs, time_limit, workers, hint)
        book = _Book(problem)
        for pair, slot in placed:
            book.take(pair.enterprise, pair.lawyer, slot)
    else:
        chosen = _choose_pairs(problem, time_limit / 3, workers)
        left = time_limit - (time.monotonic() - started)
        placed, status = _assign_slots(problem, chosen, left, workers, hint)
        book = _Book(problem)
        for pair, slot in placed:
            book.take(pair.enterprise, pair.lawyer, slot)
        # what stage two could not seat, and every pair stage one left out, where room remains
        placed += _fill(book, _order(problem.pairs))
        status = "FEASIBLE" if status == "OPTIMAL" else status
    musts, objective = _value(placed)
    if (musts, objective) < (base.musts_placed, base.objective):
        solution = base
    else:
        solution = Solution(_desks(problem, placed), objective, musts, status)
        solution.unplaced_musts = unplaced_musts(problem, solution.meetings)
    solution.greedy_objective, solution.greedy_musts_placed = base.objective, base.musts_placed
    solution.seconds = round(time.monotonic() - started, 3)
    return solution


# ---- why a must-meet pair was not placed -------------------------------------------------------

REASONS = {
    "no_thanks": "one side said no thanks",
    "ineligible": "a matching rule excludes the lawyer for this need",
    "cancelled": "a participant cancelled",
    "no_common_slot": "the two are never free at the same time",
    "enterprise_cap": "the enterprise's maximum number of meetings is reached",
    "lawyer_cap": "the lawyer's maximum number of meetings is reached",
    "slots_taken": "in every slot both are free, one of them or every desk is already taken",
}


def unplaced_musts(problem: Problem, meetings: Sequence[Meeting]) -> list[dict[str, object]]:
    """Each must-meet pair left out, with the first reason that explains it."""
    met = {(m.enterprise, m.lawyer) for m in meetings}
    count: dict[int, int] = defaultdict(int)
    for m in meetings:
        count[m.enterprise] += 1
        count[m.lawyer] += 1
    out: list[dict[str, object]] = []
    for (enterprise, lawyer), code in sorted(problem.forbidden_musts.items()):
        out.append({"enterprise": enterprise, "lawyer": lawyer, "reason": code, "detail": REASONS.get(code, code)})
    for pair in problem.pairs:
        if not pair.must or (pair.enterprise, pair.lawyer) in met:
            continue
        e, law = problem.parties[pair.enterprise], problem.parties[pair.lawyer]
        common = {s for s in e.free & law.free if s < problem.slots}
        if not common:
            code = "no_common_slot"
        elif count[e.id] >= e.cap:
            code = "enterprise_cap"
        elif count[law.id] >= law.cap:
            code = "lawyer_cap"
        else:
            code = "slots_taken"
        out.append({"enterprise": e.id, "lawyer": law.id, "reason": code, "detail": REASONS[code]})
    return out
