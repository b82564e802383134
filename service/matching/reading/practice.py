"""Practice areas a text is about: lexicon evidence, similarity to the areas' descriptions and
the kind of lawyer asked for.

The lexicon (``lexicons/practice.json``) is ordinary legal vocabulary, each term weighted by how
surely it names its area; an English term ending in "*" is a word prefix.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

import numpy as np

from embeddings.encoder import Encoder
from service import taxonomy
from service.matching.reading.text import EN_WORD, NORMALISE, Reading, is_cjk, load_lexicon, trie_pattern

_Terms = dict[str, list[tuple[str, float]]]


def _case_sensitive(term: str) -> bool:
    stem = term.rstrip("*")
    return stem.isupper() or len(stem) <= 3 or stem[0].isupper()


@lru_cache(maxsize=1)
def _lexicon_pattern() -> tuple[re.Pattern[str], _Terms, list[str]]:
    """(pattern, readings by term, starred terms longest first)."""
    lexicon: dict[str, dict[str, float]] = load_lexicon("practice")["areas"]
    terms: _Terms = {}
    for code, entries in lexicon.items():
        for term, weight in entries.items():
            terms.setdefault(term, []).append((code, weight))
    zh_terms = [t for t in terms if is_cjk(t)]
    en_terms = [t.lower() for t in terms if not is_cjk(t)]
    pattern = re.compile(
        rf"(?<![{EN_WORD}])(?i:{trie_pattern(en_terms, wildcard=f'[{EN_WORD}]*')})"
        rf"(?![{EN_WORD}])|" + trie_pattern(zh_terms)
    )
    starred = sorted((t for t in terms if t.endswith("*")), key=len, reverse=True)
    return pattern, terms, starred


def _which_term(found: str, terms: _Terms, starred: list[str]) -> str | None:
    if found in terms:
        return found
    low = found.lower()
    for term in terms:  # exact English terms, compared without case
        if not term.endswith("*") and term.lower() == low and not _case_sensitive(term):
            return term
    for term in starred:
        stem = term[:-1]
        if low.startswith(stem.lower()) and (not _case_sensitive(term) or found.startswith(stem)):
            return term
    return None


@lru_cache(maxsize=4096)
def _which_term_cached(found: str) -> str | None:
    _, terms, starred = _lexicon_pattern()
    return _which_term(found, terms, starred)


def _lexicon_scores(text: str) -> dict[str, tuple[float, str]]:
    pattern, terms, _ = _lexicon_pattern()
    hits: dict[str, dict[str, float]] = {}
    evidence: dict[str, tuple[float, str]] = {}
    for m in pattern.finditer(text.translate(NORMALISE)):
        term = _which_term_cached(m.group(0))
        if term is None:
            continue
        for code, weight in terms[term]:
            if weight <= 0.0:
                continue
            hits.setdefault(code, {})
            hits[code][term] = max(hits[code].get(term, 0.0), weight)
            if weight > evidence.get(code, (0.0, ""))[0]:
                evidence[code] = (weight, text[m.start():m.end()])
    out = {}
    for code, found in hits.items():
        miss = 1.0
        for weight in found.values():
            miss *= 1.0 - weight
        out[code] = (min(0.98, 1.0 - miss), evidence[code][1])
    return out


# --- similarity to the areas' descriptions ----------------------------------------------------

_AREA_CACHE: dict[int, tuple[Any, np.ndarray, np.ndarray]] = {}
_AREA_LOCK = threading.Lock()
_SIM_WEIGHT = 0.6


def _area_matrix(encoder: Encoder) -> tuple[np.ndarray, np.ndarray]:
    """(vectors of every description text, the area index of each row), built once per encoder."""
    key = id(encoder)
    cached = _AREA_CACHE.get(key)
    if cached is not None and cached[0] is encoder:
        return cached[1], cached[2]
    with _AREA_LOCK:
        texts: list[str] = []
        owners: list[int] = []
        for i, area in enumerate(taxonomy.PRACTICE_AREAS.values()):
            for t in (area.zh, area.en, *area.covers, f"{area.en}: {'; '.join(area.covers)}"):
                texts.append(t)
                owners.append(i)
        vectors = np.asarray(encoder.encode_documents(texts), dtype=np.float32)
        _AREA_CACHE[key] = (encoder, vectors, np.asarray(owners))
        return vectors, np.asarray(owners)


def area_similarities(text: str, encoder: Encoder) -> dict[str, float]:
    """Cosine of the text to each area's closest description text (label or 'covers' item).

    The engine passes the need with places masked, the very text it encodes for the passage
    search, so one encode (the encoder's query cache) serves both. (Masking moved dev
    text-only nDCG@10 by 0.0001; adding the best sentence moved top-1 agreement by ±2 points out
    of 47 %, not worth more encodes.)
    """
    vectors, owners = _area_matrix(encoder)
    query = np.asarray(encoder.encode_queries([text]), dtype=np.float32)[0]
    sims = vectors @ query
    return {code: float(sims[owners == i].max()) for i, code in enumerate(taxonomy.PRACTICE_AREAS)}


def _similarity_confidence(sims: dict[str, float]) -> dict[str, float]:
    """Turn raw cosines into 0..1 by how far each stands above the other areas for this text.

    Scale-free (a z-score across the 19 areas), so another encoder with other cosine ranges
    behaves alike; an area 1 sd above the mean gets nothing, 3 sd gets full weight.
    """
    values = np.asarray(list(sims.values()), dtype=np.float64)
    mean, sd = float(values.mean()), float(values.std()) or 1.0
    return {c: float(np.clip(((v - mean) / sd - 1.0) / 2.0, 0.0, 1.0)) for c, v in sims.items()}


def read_practice_areas(text: str, encoder: Encoder | None = None,
                        max_areas: int = 4, margin: float = 0.35, similarity_text: str | None = None) -> list[Reading]:
    """Practice areas the text is about, most confident first.

    Lexicon evidence ``lex`` (noisy-or of the matched terms' weights) and, with an encoder,
    similarity evidence ``sim`` are combined as ``1 - (1 - lex) * (1 - 0.6 * sim)``: the
    lexicon alone can carry an area, similarity alone only weakly (the bundled USE ranks the
    right area first for under half the dev needs), both together reinforce it. Areas more than ``margin`` below the
    best, or under 0.25, are dropped.
    """
    lex = _lexicon_scores(text)
    sim_conf: dict[str, float] = {}
    if encoder is not None and text.strip():
        sim_conf = _similarity_confidence(area_similarities(similarity_text or text, encoder))
    scores: dict[str, tuple[float, str]] = {}
    for code in taxonomy.PRACTICE_AREAS:
        l_score, evidence = lex.get(code, (0.0, ""))
        s_score = sim_conf.get(code, 0.0)
        conf = 1.0 - (1.0 - l_score) * (1.0 - _SIM_WEIGHT * s_score)
        if conf > 0:
            scores[code] = (conf, evidence or taxonomy.PRACTICE_AREAS[code].en)
    if not scores:
        return []
    best = max(c for c, _ in scores.values())
    kept = [Reading(code, round(c, 3), ev) for code, (c, ev) in scores.items()
            if c >= 0.25 and c >= best - margin]
    return sorted(kept, key=lambda r: (-r.confidence, r.code))[:max_areas]


# The kind of lawyer the enterprise asks for ("仲裁律师", "arbitration counsel", "a lawyer who has
# handled FIDIC claims") names the matter more reliably than the sector words around it.
_ZH_REQUEST = re.compile(r"([^，。,；;！？!?]{1,16}?)(?:的)?(?:律师|律所|团队|专家)")
_EN_REQUEST_BEFORE = re.compile(r"((?:[\w\-/]+\s+){1,4})(?:counsel|lawyers?|attorneys?|solicitors?|advisers?|advisors?|specialists?|experts?)\b", re.I)
_EN_REQUEST_AFTER = re.compile(
    r"\b(?:counsel|lawyers?|attorneys?|advisers?|advisors?|firm|team)\s+(?:who|that|with|experienced|specialised|specialized|"
    r"familiar|skilled|versed)\b([^,.;!?]{1,60})", re.I)


def requested_practice_areas(text: str) -> set[str]:
    """Practice areas named in the description of the lawyer wanted, not in the story around it."""
    phrases = [m.group(1) for m in _ZH_REQUEST.finditer(text)]
    phrases += [m.group(1) for m in _EN_REQUEST_BEFORE.finditer(text)]
    phrases += [m.group(1) for m in _EN_REQUEST_AFTER.finditer(text)]
    return {code for phrase in phrases for code in _lexicon_scores(phrase)}

