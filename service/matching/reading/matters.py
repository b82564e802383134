"""Matter types: which of a practice area's kinds of work (its "covers": transfer pricing, treaty
relief or a permanent establishment, within tax) a text is about.

Two lawyers of the right country and field are not equal for a need about a transfer-pricing
audit: the one who has defended such audits is the one a paralegal would call first, and the
exchange format grades exactly that ("the very matter type"). Sentence similarity alone told the
two apart in three pairs of four on the public dev set; the words that name the kind of work are
surer. The lexicon (``lexicons/matters.json``) lists them per area and type, weighted like the
practice lexicon. A profile's sentences are read for the types of the lawyer's own areas; a need
for those of each area that could lead it, with the directory's nearest sentences voting where its words are few
("加工费定得太低，要调增利润" names no transfer-pricing term, but the sentences nearest to it are
transfer-pricing audits).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np

from service.matching.reading.practice import NEIGHBOUR_PASSAGES, lexicon_scores
from service.matching.reading.text import Reading, TermMatcher, load_lexicon

SEPARATOR = "/"  # a matter type's key: "<area>/<type>", e.g. "tax/transfer_pricing"
# A sentence names a type when its words reach this: one surely naming term, or two typical ones.
PASSAGE_THRESHOLD = 0.6
# How the words and the nearest sentences' vote share a need's reading (as for practice areas).
LEXICON_SHARE = 0.6
VOTE_TEMPERATURE = 0.05
NEIGHBOUR_SENTENCES = NEIGHBOUR_PASSAGES  # one search of the directory serves both readings


def area_of(key: str) -> str:
    return key.partition(SEPARATOR)[0]


@lru_cache(maxsize=1)
def _lexicon() -> TermMatcher:
    areas: dict[str, dict[str, dict[str, object]]] = load_lexicon("matters")["areas"]
    terms: dict[str, list[tuple[str, float]]] = {}
    for area, types in areas.items():
        for name, entry in types.items():
            weights = entry["terms"]
            assert isinstance(weights, dict)
            for term, weight in weights.items():
                terms.setdefault(term, []).append((f"{area}{SEPARATOR}{name}", float(weight)))
    return TermMatcher(terms)


@lru_cache(maxsize=2)
def _names(locale: str) -> dict[str, str]:
    areas: dict[str, dict[str, dict[str, object]]] = load_lexicon("matters")["areas"]
    field = "zh" if locale == "zh" else "covers"
    return {f"{area}{SEPARATOR}{name}": str(entry[field]) for area, types in areas.items() for name, entry in types.items()}


def matter_name(key: str, locale: str) -> str:
    """A matter type in words: the taxonomy's own "covers" item ("transfer pricing"), or in Chinese."""
    return _names("zh" if locale == "zh" else "en").get(key, key)


def read_matters(text: str, areas: Iterable[str] | None = None) -> list[Reading]:
    """Matter types the text's words name (of ``areas`` only, when given), surest first: scored as
    practice areas are (``practice.lexicon_scores``); negated terms do not count."""
    wanted = set(areas) if areas is not None else None
    scores = lexicon_scores(_lexicon(), text, None if wanted is None else lambda key: area_of(key) in wanted)
    return sorted((Reading(key, round(score, 3), words) for key, (score, words) in scores.items()),
                  key=lambda r: (-r.confidence, r.code))


def passage_matters(text: str, areas: Iterable[str]) -> list[Reading]:
    """The matter types a profile sentence is an example of, of the lawyer's own ``areas``."""
    return [r for r in read_matters(text, areas) if r.confidence >= PASSAGE_THRESHOLD]


def read_need_matters(description: str, area: str, neighbours: Sequence[tuple[float, str | None]]) -> list[Reading]:
    """The need's matter types within ``area``: its words, and the vote of the directory's
    sentences nearest to it that are examples of a type of that area (``neighbours``: similarity
    and the sentence's matter type key or None, most similar first), each weighted by closeness."""
    words = {r.code: r for r in read_matters(description, [area])}
    votes: dict[str, float] = {}
    if neighbours:
        nearest = neighbours[0][0]
        for similarity, key in neighbours:
            if key and SEPARATOR in key and area_of(key) == area:  # a bare area label names no type
                votes[key] = votes.get(key, 0.0) + float(np.exp((similarity - nearest) / VOTE_TEMPERATURE))
    best_vote = max(votes.values(), default=0.0)
    readings = []
    for key in set(words) | set(votes):
        lex = words[key].confidence if key in words else 0.0
        vote = votes.get(key, 0.0) / best_vote if best_vote else 0.0
        confidence = LEXICON_SHARE * lex + (1 - LEXICON_SHARE) * vote if best_vote else lex
        evidence = words[key].evidence if key in words else "similar matters in the directory"
        readings.append(Reading(key, round(confidence, 3), evidence))
    return sorted(readings, key=lambda r: (-r.confidence, r.code))
