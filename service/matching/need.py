"""What a need asks for, as the engine sees it: what was given, what was read, and which of it binds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from service.matching import rules


@dataclass(frozen=True)
class Term:
    """One country, language or practice area of a need."""

    code: str
    confidence: float
    source: str  # "given" (a field the caller filled) or "read" (from the description)
    evidence: str = ""

    @property
    def binding(self) -> bool:
        return rules.binds(self)


class _Reading(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def confidence(self) -> float: ...

    @property
    def evidence(self) -> str: ...


def given(codes: Sequence[str]) -> tuple[Term, ...]:
    """Terms of a field the caller filled: authoritative, each once."""
    return tuple(Term(code, 1.0, "given") for code in dict.fromkeys(codes))


def read(readings: Sequence[_Reading]) -> tuple[Term, ...]:
    """Terms read from the description, with the reader's confidence and the words read."""
    return tuple(Term(r.code, float(r.confidence), "read", r.evidence) for r in readings)


@dataclass(frozen=True)
class PlaceTerm:
    """A place the description names, with its role ("target", "seat", "origin", "law", ...) and
    whether it binds; a bloc ("EU") lists its member countries."""

    code: str
    role: str
    evidence: str
    binding: bool
    members: tuple[str, ...] = ()


def places(resolved: Sequence[Any], binding: set[str]) -> tuple[PlaceTerm, ...]:
    """Places read (``reading.resolve``) as the need shows them: a plain place that does not bind is a mention."""
    return tuple(
        PlaceTerm(
            p.code,
            "mention" if p.role == "target" and p.code not in binding else p.role,
            p.evidence,
            p.code in binding,
            tuple(p.members) if p.kind == "bloc" else (),
        )
        for p in resolved
    )


@dataclass(frozen=True)
class NeedQuery:
    description: str
    countries: tuple[Term, ...] = ()
    languages: tuple[Term, ...] = ()
    practice_areas: tuple[Term, ...] = ()
    # matter types ("tax/transfer_pricing") of the areas that could lead the need, read from the description
    matters: tuple[Term, ...] = ()
    locale: str = "en"
    places: tuple[PlaceTerm, ...] = ()  # every place the description names, with its role
    # the other side(s) of the matter, as ``rules.party_key``s: the conflict rule reads them
    counterparties: tuple[str, ...] = ()

    @property
    def binding_countries(self) -> list[str]:
        return [t.code for t in self.countries if t.binding]

    @property
    def binding_languages(self) -> list[str]:
        return [t.code for t in self.languages if t.binding]
