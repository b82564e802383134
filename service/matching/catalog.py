"""What one worker holds in memory: the facts of every matchable lawyer and the passage index.

The database is the source of truth. The catalog is derived from it: rebuilt from scratch, or
loaded from a snapshot and brought up to date by replaying the change feed. Only lawyers who may
be recommended (verified and accepting clients) are held, so every lookup starts eligible.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from embeddings.encoder import Encoder
from embeddings.index import PassageIndex
from models import Lawyer
from service import taxonomy
from service.matching.understand import mask_places, read_countries, read_practice_areas
from service.repositories import changes as change_feed
from service.repositories import lawyers as lawyer_repo

log = logging.getLogger(__name__)

# A country or practice area read from a profile's own text counts as covered above this confidence.
PROFILE_READING_THRESHOLD = 0.6
ENCODE_BATCH = 256


@dataclass(frozen=True)
class PassageFacts:
    lawyer_id: int
    kind: str
    text: str
    countries: frozenset[str]
    practice_areas: frozenset[str]
    practice_label: str | None  # the one practice area this passage is evidence of, when clear


@dataclass
class LawyerFacts:
    id: int
    external_id: str | None
    name: str
    name_en: str | None
    firm: str | None
    firm_en: str | None
    city: str | None
    years_of_practice: int
    talent_pools: tuple[str, ...]
    languages: dict[str, str]  # code -> level
    declared_countries: frozenset[str]
    office_countries: frozenset[str]
    read_countries: frozenset[str]
    declared_practice: frozenset[str]
    read_practice: frozenset[str]
    hourly_rate: dict | None  # type: ignore[type-arg]
    passage_ids: tuple[int, ...] = ()

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
    def firm_key(self) -> str:
        return (self.firm_en or self.firm or f"solo-{self.id}").strip().lower()


def is_matchable(lawyer: Lawyer) -> bool:
    return lawyer.status == "verified" and bool(lawyer.accepting_clients)


def _confident(readings: Iterable, threshold: float = PROFILE_READING_THRESHOLD) -> frozenset[str]:  # type: ignore[type-arg]
    return frozenset(r.code for r in readings if r.confidence >= threshold)


def read_profile(lawyer: Lawyer) -> tuple[LawyerFacts, dict[int, PassageFacts]]:
    """Read a profile the way a need is read, so empty structured fields are filled from the text."""
    passages: dict[int, PassageFacts] = {}
    read_c: set[str] = set()
    read_p: set[str] = set()
    sentence_readings = []
    for passage in lawyer.passages:
        countries = _confident(read_countries(passage.text))
        practice = _confident(read_practice_areas(passage.text))
        read_c |= countries
        read_p |= practice
        sentence_readings.append((passage, countries, practice))
    areas = frozenset(lawyer.practice_areas or ()) or frozenset(read_p)
    for passage, countries, practice in sentence_readings:
        # a sentence labelled with one of the lawyer's own areas is a worked example of that area
        own = practice & areas
        label = next(iter(own)) if len(own) == 1 else (next(iter(areas)) if len(areas) == 1 and practice else None)
        passages[passage.id] = PassageFacts(lawyer.id, passage.kind, passage.text, countries, practice, label)
    facts = LawyerFacts(
        id=lawyer.id,
        external_id=lawyer.external_id,
        name=lawyer.name,
        name_en=lawyer.name_en,
        firm=lawyer.firm,
        firm_en=lawyer.firm_en,
        city=lawyer.city,
        years_of_practice=lawyer.years_of_practice or 0,
        talent_pools=tuple(lawyer.talent_pools or ()),
        languages={entry["code"]: entry.get("level", "working") for entry in lawyer.languages or []},
        declared_countries=frozenset(lawyer.countries or ()),
        office_countries=frozenset(lawyer.offices or ()),
        read_countries=frozenset(read_c - {"CN"}),
        declared_practice=frozenset(lawyer.practice_areas or ()),
        read_practice=frozenset(read_p),
        hourly_rate=lawyer.hourly_rate,
        passage_ids=tuple(passages),
    )
    return facts, passages


class Catalog:
    """Lawyer facts, inverted sets for the hard rules, and the passage vectors, kept in step."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder
        self.index = PassageIndex(encoder.dim, encoder.name, encoder.version)
        self.lawyers: dict[int, LawyerFacts] = {}
        self.passages: dict[int, PassageFacts] = {}
        self.by_country: dict[str, set[int]] = defaultdict(set)
        self.by_region: dict[str, set[int]] = defaultdict(set)
        self.by_language: dict[str, set[int]] = defaultdict(set)
        self.by_practice: dict[str, set[int]] = defaultdict(set)
        self.position = 0  # the last change-feed id applied
        self.loaded = False
        self._lock = threading.RLock()
        self._follow_lock = threading.Lock()

    # ---- reads -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.lawyers)

    def with_any_country(self, countries: Iterable[str]) -> set[int]:
        found: set[int] = set()
        for code in countries:
            found |= self.by_country.get(code, set())
        return found

    def with_region_of(self, countries: Iterable[str]) -> set[int]:
        found: set[int] = set()
        for code in countries:
            region = taxonomy.region_of(code)
            if region:
                found |= self.by_region.get(region, set())
        return found

    def with_all_languages(self, languages: Iterable[str]) -> set[int] | None:
        result: set[int] | None = None
        for code in languages:
            members = self.by_language.get(code, set())
            result = set(members) if result is None else result & members
        return result

    def with_any_practice(self, areas: Iterable[str]) -> set[int]:
        found: set[int] = set()
        for code in areas:
            found |= self.by_practice.get(code, set())
        return found

    # ---- writes ------------------------------------------------------------------------

    def _unlink(self, lawyer_id: int) -> None:
        facts = self.lawyers.pop(lawyer_id, None)
        if facts is None:
            return
        for pid in facts.passage_ids:
            self.passages.pop(pid, None)
        for table in (self.by_country, self.by_region, self.by_language, self.by_practice):
            for members in table.values():
                members.discard(lawyer_id)

    def _link(self, facts: LawyerFacts, passages: dict[int, PassageFacts]) -> None:
        self.lawyers[facts.id] = facts
        self.passages.update(passages)
        for code in facts.countries:
            self.by_country[code].add(facts.id)
            region = taxonomy.region_of(code)
            if region:
                self.by_region[region].add(facts.id)
        for code in facts.languages:
            self.by_language[code].add(facts.id)
        for code in facts.practice_areas:
            self.by_practice[code].add(facts.id)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:
        # Places are masked so that passage similarity measures the matter; countries are scored apart.
        return self.encoder.encode_documents([mask_places(t) for t in texts])

    def apply(self, rows: Sequence[Lawyer], removed: Iterable[int] = (), *, vectors_known: bool = False) -> None:
        """Bring the given lawyers (loaded with passages) and removals into the catalog and index."""
        readings = [read_profile(row) for row in rows if is_matchable(row)]
        texts = [p.text for _, passages in readings for p in passages.values()]
        vectors = None if vectors_known else self.encode_passages(texts)
        with self._lock:
            for lawyer_id in removed:
                self._unlink(lawyer_id)
                self.index.remove_owner(lawyer_id)
            for row in rows:
                self._unlink(row.id)
                if not is_matchable(row):
                    self.index.remove_owner(row.id)
            offset = 0
            for facts, passages in readings:
                self._link(facts, passages)
                if vectors is not None:
                    count = len(passages)
                    self.index.replace_owner(facts.id, list(passages), vectors[offset : offset + count])
                    offset += count

    # ---- synchronisation with the database -------------------------------------------------

    def rebuild(self, factory: sessionmaker[Session], progress: Callable[[int, int], None] | None = None) -> None:
        """Read every lawyer and encode every passage again."""
        with factory() as session:
            position = change_feed.latest(session)
            ids = lawyer_repo.all_ids(session)
        with self._lock:
            self.index = PassageIndex(self.encoder.dim, self.encoder.name, self.encoder.version)
            self.lawyers.clear()
            self.passages.clear()
            for table in (self.by_country, self.by_region, self.by_language, self.by_practice):
                table.clear()
        for start in range(0, len(ids), ENCODE_BATCH):
            with factory() as session:
                self.apply(lawyer_repo.load_many(session, ids[start : start + ENCODE_BATCH]))
            if progress:
                progress(min(start + ENCODE_BATCH, len(ids)), len(ids))
        self.position = max(self.position, position) if self.loaded else position
        self.loaded = True
        # Anything written while we rebuilt is replayed now.
        self.follow(factory)

    def follow(self, factory: sessionmaker[Session]) -> int:
        """Replay the change feed past our position; returns how many changes were applied."""
        with self._follow_lock:
            return self._follow(factory)

    def _follow(self, factory: sessionmaker[Session]) -> int:
        applied = 0
        while True:
            with factory() as session:
                batch = change_feed.since(session, self.position, limit=1000)
                if not batch:
                    return applied
                touched = list(dict.fromkeys(change.lawyer_id for change in batch))
                rows = lawyer_repo.load_many(session, touched)
                present = {row.id for row in rows}
                self.apply(rows, removed=[i for i in touched if i not in present])
                self.position = batch[-1].id
                applied += len(batch)

    def save(self, directory: Path) -> None:
        with self._lock:
            self.index.save(directory, extra={"position": self.position})

    def load_or_rebuild(self, factory: sessionmaker[Session], directory: Path) -> str:
        """Load the snapshot if it fits this encoder and is intact, else rebuild; then catch up."""
        loaded = PassageIndex.load(directory, self.encoder.name, self.encoder.version, self.encoder.dim)
        if loaded is None:
            self.rebuild(factory)
            self.save(directory)
            return "rebuilt"
        index, manifest = loaded
        position = int(manifest.get("position", 0))
        with factory() as session:
            if position > change_feed.latest(session):
                loaded = None  # a snapshot from another database
        if loaded is None:
            self.rebuild(factory)
            self.save(directory)
            return "rebuilt"
        with self._lock:
            self.index = index
            self.lawyers.clear()
            self.passages.clear()
            for table in (self.by_country, self.by_region, self.by_language, self.by_practice):
                table.clear()
        with factory() as session:
            ids = lawyer_repo.all_ids(session)
            for start in range(0, len(ids), 2000):
                rows = lawyer_repo.load_many(session, ids[start : start + 2000])
                self.apply(rows, vectors_known=True)
        self.position = position
        self.loaded = True
        if self.follow(factory):
            self.save(directory)
        return "loaded"
