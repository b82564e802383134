"""A need as the engine sees it: what was given, what was read, and which of it binds."""

from __future__ import annotations

from dataclasses import dataclass

# A reading from free text becomes a hard rule only when this sure; below it, it ranks softly.
HARD_READING_CONFIDENCE = 0.75


@dataclass(frozen=True)
class Term:
    code: str
    confidence: float
    source: str  # "given" (a field the caller filled) or "read" (from the description)
    evidence: str = ""

    @property
    def binding(self) -> bool:
        return self.source == "given" or self.confidence >= HARD_READING_CONFIDENCE

    def to_dict(self, *, can_bind: bool = True) -> dict[str, object]:
        return {
            "code": self.code,
            "confidence": round(self.confidence, 3),
            "source": self.source,
            "evidence": self.evidence,
            "binding": can_bind and self.binding,
        }


@dataclass(frozen=True)
class NeedQuery:
    description: str
    countries: tuple[Term, ...] = ()
    languages: tuple[Term, ...] = ()
    practice_areas: tuple[Term, ...] = ()
    locale: str = "en"

    @property
    def binding_countries(self) -> list[str]:
        return [t.code for t in self.countries if t.binding]

    @property
    def binding_languages(self) -> list[str]:
        return [t.code for t in self.languages if t.binding]

    def understood(self) -> dict[str, list[dict[str, object]]]:
        return {
            "countries": [t.to_dict() for t in self.countries],
            "languages": [t.to_dict() for t in self.languages],
            # practice areas rank, they never filter: a lawyer of a neighbouring area may be the one
            "practice_areas": [t.to_dict(can_bind=False) for t in self.practice_areas],
        }
