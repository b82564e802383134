"""A fair as the scheduler sees it: numbered slots, parties with their free slots and caps, and the
candidate pairs with integer weights. Plain data, no database, no HTTP.

Times are the fair's local wall-clock times (``HH:MM`` on a date); the time zone is applied only
where an absolute instant is needed (ICS).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

MARKS = ("must", "would", "no_thanks")
# at most this many slots in one fair: the schedule's model grows with pairs x slots
MAX_SLOTS = 400
# at most this many enterprise-lawyer pairs (4x the 300 x 150): a schedule asks the engine
# about each, ~0.1 ms a pair, before it solves
MAX_PAIRS = 200_000


@dataclass(frozen=True)
class Slot:
    index: int
    day: date
    start: time
    end: time

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.day, self.start)

    @property
    def ends_at(self) -> datetime:
        return datetime.combine(self.day, self.end)


def _clock(value: str) -> time:
    return time.fromisoformat(value)


def generate_slots(days: Sequence[Mapping[str, Any]], slot_minutes: int) -> list[Slot]:
    """Back-to-back slots from each day's start; a slot that would overlap a break starts again
    at the break's end; a slot that would run past the day's end is not made."""
    slots: list[Slot] = []
    length = timedelta(minutes=slot_minutes)
    for spec in sorted(days, key=lambda d: str(d["date"])):
        day = date.fromisoformat(str(spec["date"]))
        at = datetime.combine(day, _clock(spec["start"]))
        end = datetime.combine(day, _clock(spec["end"]))
        breaks = sorted(
            (datetime.combine(day, _clock(b["start"])), datetime.combine(day, _clock(b["end"]))) for b in spec.get("breaks", [])
        )
        while at + length <= end:
            clash = next((b for b in breaks if at < b[1] and b[0] < at + length), None)
            if clash is not None:
                at = clash[1]
                continue
            slots.append(Slot(len(slots), day, at.time(), (at + length).time()))
            at += length
    return slots


def free_slots(slots: Sequence[Slot], windows: Iterable[Mapping[str, Any]]) -> frozenset[int]:
    """The slots that lie wholly inside one of the windows; no windows means every slot."""
    spans = [
        (datetime.combine(date.fromisoformat(str(w["date"])), _clock(w["start"])),
         datetime.combine(date.fromisoformat(str(w["date"])), _clock(w["end"])))
        for w in windows
    ]
    if not spans:
        return frozenset(s.index for s in slots)
    return frozenset(s.index for s in slots if any(a <= s.starts_at and s.ends_at <= b for a, b in spans))


@dataclass(frozen=True)
class Party:
    id: int
    kind: str  # enterprise | lawyer
    cap: int
    free: frozenset[int]


@dataclass(frozen=True)
class Pair:
    """A meeting the schedule may place. ``must``: placing it comes before any quality."""

    enterprise: int
    lawyer: int
    weight: int
    must: bool = False


@dataclass(frozen=True)
class Meeting:
    enterprise: int
    lawyer: int
    slot: int
    desk: int


@dataclass
class Problem:
    slots: int
    desks: int
    parties: dict[int, Party]
    pairs: list[Pair]
    # must-meet pairs that may not be placed at all, with why (no thanks, a rule excludes them)
    forbidden_musts: dict[tuple[int, int], str] = field(default_factory=dict)
    # meetings kept as they are (a repair): hard, they hold their slot and desk
    fixed: list[Meeting] = field(default_factory=list)


@dataclass
class Solution:
    meetings: list[Meeting]
    objective: int  # sum of the weights of the meetings placed
    musts_placed: int
    status: str  # OPTIMAL | FEASIBLE | GREEDY (the solver found nothing better than the greedy plan)
    seconds: float = 0.0
    greedy_objective: int = 0
    greedy_musts_placed: int = 0
    unplaced_musts: list[dict[str, Any]] = field(default_factory=list)


# ---- weights ---------------------------------------------------------------------------------

# A match score (about 0..1) counts this much; interest marks add to it. "Both want it" is worth
# more than the two marks alone (the issue: a pair both sides want counts more).
SCORE_SCALE = 100
WOULD_BONUS = 20
MUST_BONUS = 40
MUTUAL_BONUS = 30


def weight(score: float, marks: Mapping[str, str]) -> int:
    """Integer weight of a pair from the engine's score and each side's mark (side -> mark)."""
    w = max(1, round(score * SCORE_SCALE))
    wanted = 0
    for mark in marks.values():
        if mark == "would":
            w += WOULD_BONUS
            wanted += 1
        elif mark == "must":
            w += MUST_BONUS
            wanted += 1
    if wanted == 2:
        w += MUTUAL_BONUS
    return w
