"""Batch matching: every need of a needs file, ranked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from service.matching.engine import MatchEngine

Run = dict[str, list[tuple[str, float]]]


def read_needs(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def match_needs(matcher: MatchEngine, needs: list[dict[str, Any]], *, text_only: bool, k: int) -> Run:
    """Rank lawyers for every need; text_only ignores countries, practice areas and languages."""
    run: Run = {}
    for need in needs:
        query = matcher.understand(
            need["description"],
            countries=[] if text_only else need.get("countries") or [],
            practice_areas=[] if text_only else need.get("practice_areas") or [],
            languages=[] if text_only else need.get("languages") or [],
        )
        outcome = matcher.match(query, k=k)
        run[need["external_id"]] = [(m.external_id or str(m.lawyer.id), m.score) for m in outcome.matches]
    return run
