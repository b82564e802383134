"""Every enterprise-lawyer pair of a fair judged by the match engine: the same rules, the same
formula, the same reasons as ``/v1/match``, asked for the fair's lawyers only
(``MatchEngine.assess``). A rule that excludes a lawyer (language, country, and any rule added to
``matching.rules`` later: capacity, conflicts) makes the pair unschedulable."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from service.fairs.model import Pair, weight
from service.matching.engine import MatchEngine

LOCALES = ("en", "zh")


@dataclass(frozen=True)
class Judgement:
    enterprise: int  # participant ids
    lawyer: int
    score: float | None  # None: excluded
    excluded_by: str | None
    reasons: dict[str, list[str]] = field(default_factory=dict)  # locale -> reasons


def judge(
    engine: MatchEngine,
    enterprise: int,
    need: Mapping[str, Any],
    lawyers: Mapping[int, int],
    session: Session | None = None,
    *,
    reasons: bool = True,
) -> dict[int, Judgement]:
    """One enterprise's need against the fair's lawyers (participant id -> registered lawyer id);
    ``reasons=False`` leaves out the reasons (a schedule words only the meetings it places)."""
    query = engine.understand(
        str(need["description"]),
        countries=need.get("countries") or [],
        practice_areas=need.get("practice_areas") or [],
        languages=need.get("languages") or [],
    )
    assessed = engine.assess(query, list(lawyers.values()), session=session)
    out: dict[int, Judgement] = {}
    for participant, lawyer_id in lawyers.items():
        a = assessed[lawyer_id]
        if a.match is None:
            out[participant] = Judgement(enterprise, participant, None, a.excluded_by)
            continue
        m = a.match
        text = m.evidence.get("text") if m.evidence else None
        # the reasons in both languages of the agendas, from the one assessment
        worded = {locale: m.agreement.reasons(locale, text, m.lawyer) for locale in LOCALES} if reasons else {}
        out[participant] = Judgement(enterprise, participant, float(m.score), None, worded)
    return out


def judge_all(
    engine: MatchEngine, needs: Mapping[int, Mapping[str, Any]], lawyers: Mapping[int, int], session: Session | None = None
) -> dict[tuple[int, int], Judgement]:
    """Every pair of the fair, scores only: (enterprise participant, lawyer participant) -> judgement."""
    out: dict[tuple[int, int], Judgement] = {}
    if not lawyers:
        return out
    for enterprise, need in needs.items():
        for lawyer, j in judge(engine, enterprise, need, lawyers, session, reasons=False).items():
            out[(enterprise, lawyer)] = j
    return out


def explain(
    engine: MatchEngine,
    needs: Mapping[int, Mapping[str, Any]],
    lawyers: Mapping[int, int],
    pairs: Iterable[tuple[int, int]],
    session: Session | None = None,
) -> dict[tuple[int, int], dict[str, list[str]]]:
    """The reasons (en and zh) of the given pairs: the meetings a schedule placed."""
    wanted: dict[int, list[int]] = defaultdict(list)
    for enterprise, lawyer in pairs:
        wanted[enterprise].append(lawyer)
    out: dict[tuple[int, int], dict[str, list[str]]] = {}
    for enterprise, met in wanted.items():
        judged = judge(engine, enterprise, needs[enterprise], {law: lawyers[law] for law in met}, session)
        out.update({(enterprise, law): j.reasons for law, j in judged.items()})
    return out


def marks_by_pair(rows: Sequence[tuple[int, int, str, str]]) -> dict[tuple[int, int], dict[str, str]]:
    """(enterprise, lawyer, side, mark) rows -> pair -> {side: mark}."""
    out: dict[tuple[int, int], dict[str, str]] = {}
    for enterprise, lawyer, side, mark in rows:
        out.setdefault((enterprise, lawyer), {})[side] = mark
    return out


def candidate(j: Judgement, marks: Mapping[str, str]) -> Pair | str:
    """The pair as the schedule may place it, or why it may not be placed (no_thanks, ineligible)."""
    must = "must" in marks.values()
    if "no_thanks" in marks.values():
        return "no_thanks"
    if j.score is None:
        return "ineligible"
    return Pair(j.enterprise, j.lawyer, weight(j.score, marks), must)
