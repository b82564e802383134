"""Not ten lawyers of one firm: at most ``max_per_firm`` of the first places go to one firm."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

DIVERSITY_WINDOW = 10
RANK_SCORE_STEP = 1e-6


def diversify(ranked: np.ndarray, firm_of: Callable[[int], str], k: int, max_per_firm: int, window: int = DIVERSITY_WINDOW) -> list[int]:
    """The first k of ``ranked`` (lawyer ids, best first) with at most max_per_firm of the first
    ``window`` places to one firm; past the window, and when firms run out, rank order alone."""
    chosen: list[int] = []
    per_firm: Counter[str] = Counter()
    for lawyer_id in ranked.tolist():
        if len(chosen) >= min(k, window):
            break
        firm = firm_of(lawyer_id)
        if per_firm[firm] < max_per_firm:
            per_firm[firm] += 1
            chosen.append(lawyer_id)
    if len(chosen) < k:
        taken = set(chosen)
        for lawyer_id in ranked.tolist():
            if len(chosen) >= k:
                break
            if lawyer_id not in taken:
                chosen.append(lawyer_id)
    return chosen[:k]


class Scored(Protocol):
    score: float


def fall_with_rank(chosen: Sequence[Scored]) -> None:
    """A lawyer moved up past a firm's cap keeps its own components, but the reported score must
    fall with the rank: consumers (TREC tools, sorting clients) order by score."""
    for previous, match in zip(chosen, chosen[1:]):
        if match.score >= previous.score:
            match.score = previous.score - RANK_SCORE_STEP
