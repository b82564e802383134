"""What a lawyer profile becomes for matching: the facts the rules and the score read, and the
text the encoder sees of each passage.

The passages themselves (how a bio and its cases are cut into sentences) are decided by
``embeddings.passages``; this module reads them the way a need is read, so that fields a lawyer
left empty are filled from the text.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from service import taxonomy
from service.matching.rules import party_keys
from service.matching.reading import fingerprint as reading_fingerprint
from service.matching.reading import mask_places, read_countries, read_practice_areas
from service.matching.reading.matters import PASSAGE_THRESHOLD as MATTER_PASSAGE_THRESHOLD
from service.matching.reading.matters import area_of, read_matters
from service.matching.reading.text import to_simplified

# A country or practice area read from a profile's own text counts as covered above this confidence.
PROFILE_READING_THRESHOLD = 0.6

T = TypeVar("T")


@dataclass(slots=True)
class LawyerFacts:
    """What the rules and the score need of one lawyer. The card shown with a result (name, firm,
    contact-free fields) and the evidence text are read from the database for the k results only:
    at 10^6 profiles, holding them would cost gigabytes per process. Sets and language maps are
    shared between lawyers holding the same value (see Interner): never modify them."""

    id: int
    firm_key: str
    years_of_practice: int
    talent_pools: tuple[str, ...]
    languages: dict[str, str]  # code -> level
    declared_countries: frozenset[str]
    office_countries: frozenset[str]
    read_countries: frozenset[str]
    declared_practice: frozenset[str]
    read_practice: frozenset[str]
    # matter types ("tax/transfer_pricing") the profile's sentences show the lawyer handling
    matters: frozenset[str] = frozenset()
    # conflicts and capacity (rules.not_conflicted, rules.has_capacity): party keys the lawyer
    # declared adverse, and whether they are at their maximum of open engagements
    adverse: frozenset[str] = frozenset()
    at_capacity: bool = False
    # the lawyer's track record (service.engagement.feedback), or None without history
    track: dict[str, float] | None = None

    # Declared fields are authoritative; the text fills in only what the lawyer left empty, since a
    # bio also names countries and areas in passing (a WTO case "involving South Africa").
    @property
    def countries(self) -> frozenset[str]:
        if self.declared_countries:
            return self.declared_countries | self.office_countries
        return self.office_countries | self.read_countries

    @property
    def practice_areas(self) -> frozenset[str]:
        return self.declared_practice or self.read_practice

    @property
    def regions(self) -> frozenset[str]:
        return frozenset(r for r in (taxonomy.region_of(code) for code in self.countries) if r)


class Interner:
    """One shared object per distinct value: a million lawyers hold a few thousand distinct sets."""

    def __init__(self) -> None:
        self._values: dict[object, Any] = {}

    def __call__(self, value: T) -> T:
        found: T = self._values.setdefault(value, value)
        return found

    def languages(self, pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
        key = ("languages", frozenset(pairs))
        found: dict[str, str] | None = self._values.get(key)
        if found is None:
            found = self._values[key] = dict(sorted(key[1]))
        return found


class Profile(Protocol):
    """The columns of a stored lawyer that reading needs (models.Lawyer, loaded with passages)."""

    id: int
    firm: str | None
    firm_en: str | None
    years_of_practice: int
    talent_pools: list[str]
    languages: list[dict[str, Any]]
    countries: list[str]
    offices: list[str]
    practice_areas: list[str]
    adverse_parties: list[str]
    at_capacity: bool
    track_record: dict[str, Any]

    @property
    def passages(self) -> Any: ...


def encoded_text(text: str) -> str:
    """The text the encoder sees of a passage or a need: places masked, so that similarity measures
    the matter and countries are scored apart."""
    return mask_places(text)


def _confident(codes_and_confidences: Iterable[Any]) -> frozenset[str]:
    return frozenset(r.code for r in codes_and_confidences if r.confidence >= PROFILE_READING_THRESHOLD)


@functools.lru_cache(maxsize=1 << 16)
def _read_passage(text: str) -> tuple[frozenset[str], frozenset[str], tuple[str, ...]]:
    """Countries, practice areas and matter types (surest first, of any area) a passage names;
    boilerplate recurs across profiles, so recent answers are remembered (the readers cost about a
    millisecond a profile)."""
    simplified = to_simplified(text)
    kinds = tuple(r.code for r in read_matters(simplified) if r.confidence >= MATTER_PASSAGE_THRESHOLD)
    return _confident(read_countries(simplified)), _confident(read_practice_areas(simplified)), kinds


def firm_key(firm: str | None, firm_en: str | None, lawyer_id: int) -> str:
    """Who counts as one firm for diversity: a lawyer without a firm is a firm alone."""
    return (firm_en or firm or f"solo-{lawyer_id}").strip().lower()


def read_profile(lawyer: Profile, intern: Interner | None = None) -> tuple[LawyerFacts, dict[int, str | None]]:
    """Read a profile the way a need is read, so empty structured fields are filled from the text.

    Returns the facts and, per passage id, the one practice area the passage is evidence of
    (when clear): the labels the need reader's neighbour vote reads.
    """
    intern = intern or Interner()
    read_c: set[str] = set()
    read_p: set[str] = set()
    sentence_readings = []
    for passage in lawyer.passages:
        countries, practice, kinds = _read_passage(passage.text)
        read_c |= countries
        read_p |= practice
        sentence_readings.append((passage.id, practice, kinds))
    areas = frozenset(lawyer.practice_areas or ()) or frozenset(read_p)
    labels: dict[int, str | None] = {}
    matters: set[str] = set()
    for passage_id, practice, kinds in sentence_readings:
        # a sentence labelled with one of the lawyer's own areas is a worked example of that area,
        # and of the first matter type of that area it names ("tax/transfer_pricing")
        own = practice & areas
        area = next(iter(own)) if len(own) == 1 else (next(iter(areas)) if len(areas) == 1 and practice else None)
        kinds_here = [k for k in kinds if area_of(k) in areas]
        matters.update(kinds_here)
        kind = next((k for k in kinds_here if area_of(k) == area), None)
        labels[passage_id] = kind or area
    facts = LawyerFacts(
        id=lawyer.id,
        firm_key=intern(firm_key(lawyer.firm, lawyer.firm_en, lawyer.id)),
        years_of_practice=lawyer.years_of_practice or 0,
        talent_pools=intern(tuple(lawyer.talent_pools or ())),
        languages=intern.languages((entry["code"], entry.get("level", "working")) for entry in lawyer.languages or []),
        declared_countries=intern(frozenset(lawyer.countries or ())),
        office_countries=intern(frozenset(lawyer.offices or ())),
        read_countries=intern(frozenset(read_c - {"CN"})),
        declared_practice=intern(frozenset(lawyer.practice_areas or ())),
        read_practice=intern(frozenset(read_p)),
        matters=intern(frozenset(matters)),
        adverse=intern(frozenset(party_keys(lawyer.adverse_parties or ()))),
        at_capacity=bool(lawyer.at_capacity),
        track=dict(lawyer.track_record) if lawyer.track_record else None,
    )
    return facts, labels


def reader_fingerprint() -> str:
    """Identifies the code that reads profiles into facts: saved facts read by other code are not used."""
    source = "".join(inspect.getsource(part) for part in (_read_passage, read_profile))
    return hashlib.sha256(f"{reading_fingerprint()}{source}{PROFILE_READING_THRESHOLD}".encode()).hexdigest()[:16]
