"""Blocs and regions a need may name instead of a country (the EU, ASEAN, the GCC, the EAEU, Central
Asia, ...), and what outbound practice names only by its authorities or statutes (CBP, CFIUS,
SIAC, the FCPA): one data file, ``lexicons/blocs.json`` and ``lexicons/authorities.json``, read by
the need reader here and by the ranking (``bloc_members``, ``seat_countries``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from service.matching.reading.text import EN_WORD, NORMALISE, is_cjk, load_lexicon, trie_pattern


@dataclass(frozen=True)
class Bloc:
    key: str  # "EU", "ASEAN", ...
    en: str
    zh: str
    members: tuple[str, ...]  # ISO 3166-1 alpha-2
    seat_countries: tuple[str, ...]  # where the lawyers practising before its institutions are


@lru_cache(maxsize=1)
def blocs() -> dict[str, Bloc]:
    data: dict[str, dict[str, Any]] = load_lexicon("blocs")["blocs"]
    return {
        key: Bloc(key, b["en"], b["zh"], tuple(b["members"]), tuple(b.get("seat_countries", ())))
        for key, b in data.items()
    }


def bloc_members(key: str) -> tuple[str, ...]:
    """Member countries of a bloc by its key ("EU"); () for an unknown key."""
    bloc = blocs().get(key)
    return bloc.members if bloc else ()


def seat_countries(key: str) -> tuple[str, ...]:
    """Countries whose lawyers practise before the bloc's institutions (Belgium for the EU)."""
    bloc = blocs().get(key)
    return bloc.seat_countries if bloc else ()


@dataclass(frozen=True)
class Term:
    """A word that names a place without naming a country: a bloc, an institution, a statute."""

    code: str  # a bloc key or an ISO country code
    kind: str  # bloc | institution | law | seat | authority
    confidence: float


@lru_cache(maxsize=1)
def _terms() -> tuple[dict[str, Term], dict[str, Term], re.Pattern[str]]:
    """(case-sensitive surfaces, lower-cased surfaces, one alternation)."""
    exact: dict[str, Term] = {}
    folded: dict[str, Term] = {}

    def add(surface: str, term: Term) -> None:
        surface = surface.translate(NORMALISE)
        if is_cjk(surface) or surface.isupper() or len(surface) <= 4:
            exact.setdefault(surface, term)
        else:
            folded.setdefault(surface.lower(), term)

    for key, b in load_lexicon("blocs")["blocs"].items():
        for s in b["names"]:
            # a bloc named with its count ("北欧四国", "海湾六国") is the scope the writer set
            add(s, Term(key, "bloc", 0.95 if re.search(r"[两三四五六七八九十]国$", s) else 0.9))
        for s in b.get("institutions", ()):
            add(s, Term(key, "institution", 0.9))
        for s in b.get("laws", ()):
            add(s, Term(key, "law", 0.6))
    authorities: dict[str, dict[str, str]] = load_lexicon("authorities")
    for kind in ("seat", "authority", "law", "exchange"):
        for s, code in authorities[kind].items():
            add(s, Term(code, kind, 0.9 if kind != "law" else 0.6))
    en = list(dict.fromkeys([s.lower() for s in exact if not is_cjk(s)] + list(folded)))  # longest wins across case
    zh = [s for s in exact if is_cjk(s)]
    pattern = re.compile(
        rf"(?<![{EN_WORD}0-9])(?i:{trie_pattern(en)})(?![{EN_WORD}0-9])|" + trie_pattern(zh)
    )
    return exact, folded, pattern


@dataclass(frozen=True)
class TermMention:
    start: int
    end: int
    term: Term


@lru_cache(maxsize=4096)
def term_mentions(text: str) -> tuple[TermMention, ...]:
    exact, folded, pattern = _terms()
    norm = text.translate(NORMALISE)
    out = []
    for m in pattern.finditer(norm):
        s = m.group(0)
        term = exact.get(s) or folded.get(s.lower())
        if term is None:
            continue
        if re.match(r"\s+of\b", norm[m.end():m.end() + 4]) and term.kind == "bloc":
            continue  # "the Gulf of Guinea"
        if s.startswith(("东协", "東協")) and norm[m.start() - 1:m.start()] in ("股", "股"):
            continue  # "股东协议" is a shareholders' agreement, not ASEAN
        if s.endswith("法") and norm[m.end():m.end() + 1] in "院官庭":
            continue  # 英国法院 is a court, not English law
        if term.kind == "authority" and re.match(r"\s+of\s+(?:our|the|this|\w+)\s+(?:Province|City|Municipality|[A-Z]\w+\s+Province)", norm[m.end():m.end() + 40]):
            continue  # "the Department of Commerce of our Province" is a Chinese bureau
        out.append(TermMention(m.start(), m.end(), term))
    return tuple(out)
