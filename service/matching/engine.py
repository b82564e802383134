"""The matching engine orchestrates one match; each step lives in its own module:

need (need.py, read by reading/) -> eligibility (rules.py) -> candidates (the passage index)
-> score (scoring.py) -> diversify (diversify.py) -> explain (explain.py)

No HTTP here: the API, the batch CLI and the evaluation all call `MatchEngine.match`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from sqlalchemy import Row
from sqlalchemy.orm import Session

from embeddings.index import OwnerHit
from service.matching import explain, rules, scoring
from service.matching.catalog import Catalog
from service.matching.catalog.facts import FactTable
from service.matching.diversify import diversify, fall_with_rank
from service.matching.need import NeedQuery, Term, given, read
from service.matching.need import places as need_places
from service.matching.profile import LawyerFacts, encoded_text
from service.matching.reading import read_languages, read_need_practice, read_target_countries, resolve
from service.matching.reading.matters import NEIGHBOUR_SENTENCES, area_of, read_need_matters
from service.matching.reading.text import in_original, to_simplified

# Above this many eligible lawyers, scoring starts from a semantic shortlist of the eligible plus
# one of the field matches (target country and practice). Every lawyer of the dev set is scored
# (it has fewer matchable lawyers), so its ranking is exactly the exhaustive one.
EXHAUSTIVE_LIMIT = 2000
MATTER_TYPES_READ = 3  # an area has three or four
SEMANTIC_SHORTLIST = 200
# Results read from the database beyond k, in case some stopped being matchable meanwhile.
DESCRIBE_SPARE = 3


@dataclass
class Match:
    """One ranked lawyer: the score and its components, what of the need they match, and, once
    chosen for display, the card read from the database, the reasons and the evidence."""

    lawyer: LawyerFacts
    score: float
    components: scoring.Components
    agreement: explain.Agreement
    locale: str
    evidence: dict[str, Any] | None  # {"similarity"} until described, then {"text", "kind", "similarity"}
    evidence_passage: int | None = None
    card: Row[Any] | None = None  # repositories.lawyers.cards, for the results shown
    reasons: list[str] = field(default_factory=list)

    @property
    def matched(self) -> dict[str, list[str]]:
        return self.agreement.matched()

    @property
    def external_id(self) -> str | None:
        return self.card.external_id if self.card is not None else None

    def explain(self) -> Match:
        text = self.evidence["text"] if self.evidence is not None and "text" in self.evidence else None
        self.reasons = self.agreement.reasons(self.locale, text, self.lawyer)
        return self


@dataclass
class MatchOutcome:
    query: NeedQuery
    matches: list[Match]
    eligible: int
    # how many lawyers were left after the standing rule and each need rule that applied
    remaining: list[tuple[str, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # when the rules left nobody: which rule emptied the answer and what relaxing each would give
    emptied: explain.Emptied | None = None


@dataclass
class Assessment:
    """One named lawyer judged for a need: a match when every rule admits them, else the rule that does not."""

    lawyer_id: int
    match: Match | None
    excluded_by: str | None


class MatchEngine:
    def __init__(self, catalog: Catalog, *, max_per_firm: int = 3) -> None:
        self.catalog = catalog
        self.max_per_firm = max_per_firm

    # ---- understanding ---------------------------------------------------------------------

    def understand(
        self,
        description: str,
        *,
        countries: Sequence[str] = (),
        practice_areas: Sequence[str] = (),
        languages: Sequence[str] = (),
        locale: str | None = None,
        counterparties: Sequence[str] = (),
    ) -> NeedQuery:
        """Fields the caller filled are authoritative; what is left empty is read from the text (in
        simplified characters; the evidence is shown in the caller's own script)."""
        text = to_simplified(description)
        resolved, binding = resolve(text)
        neighbours = self._labelled_neighbours(text)
        areas = given(practice_areas) if practice_areas else self._read_practice(text, neighbours)
        query = NeedQuery(
            counterparties=rules.party_keys(counterparties),
            description=text,
            countries=given(countries) if countries else read(read_target_countries(text)),
            languages=given(languages) if languages else read(read_languages(text)),
            practice_areas=areas,
            matters=self._read_matters(text, areas, neighbours),
            locale=locale or explain.caller_locale(description),
            places=need_places(resolved, binding if not countries else set(countries)),
        )
        if text == description:
            return query

        def script(terms: tuple[Any, ...]) -> tuple[Any, ...]:
            return tuple(replace(t, evidence=in_original(t.evidence, text, description)) for t in terms)

        return replace(query, countries=script(query.countries), languages=script(query.languages),
                       practice_areas=script(query.practice_areas), matters=script(query.matters),
                       places=script(query.places))

    def _labelled_neighbours(self, text: str) -> list[tuple[float, str | None]]:
        """The directory's sentences nearest the need (the very query the passage search encodes),
        most similar first, each with its label: a matter type ("tax/transfer_pricing"), a practice
        area, or None. Both the practice reading and the matter reading count them."""
        cat = self.catalog
        vector = cat.encoder.encode_queries([encoded_text(text)])[0]
        return [(similarity, cat.labels.get(passage_id)) for passage_id, _, similarity in cat.index.nearest(vector, NEIGHBOUR_SENTENCES)]

    @staticmethod
    def _read_matters(text: str, areas: tuple[Term, ...], neighbours: list[tuple[float, str | None]]) -> tuple[Term, ...]:
        """Matter types of the need's areas that could lead it (weight >= scoring.ACCEPTABLE_AREA_WEIGHT), each
        in proportion to its area's weight: "柬埔寨的BOT电站，特许经营协议有争议" reads energy first, but its
        kind of work is a concession (of construction and infrastructure)."""
        weights = scoring.area_weights(NeedQuery(text, practice_areas=areas))
        found: list[Term] = []
        for code, weight in weights.items():
            if weight >= scoring.ACCEPTABLE_AREA_WEIGHT:
                found += [Term(r.code, round(r.confidence * weight, 3), "read", r.evidence)
                          for r in read_need_matters(text, code, neighbours)]
        found.sort(key=lambda t: (-t.confidence, t.code))
        return tuple(found[:MATTER_TYPES_READ])

    def _read_practice(self, text: str, neighbours: list[tuple[float, str | None]]) -> tuple[Term, ...]:
        """Practice areas read from the need, with the directory's labelled passages voting."""
        by_area = [(similarity, area_of(label) if label else None) for similarity, label in neighbours]
        return read(read_need_practice(text, self.catalog.encoder, lambda _vector, k: by_area[:k]))

    # ---- matching ----------------------------------------------------------------------------

    def _semantic(self, vector: np.ndarray, allowed: np.ndarray, priority: np.ndarray | None) -> dict[int, OwnerHit]:
        """The lawyers to score, with their best passage (exact); all of them when few are eligible.

        Beyond EXHAUSTIVE_LIMIT: the semantically nearest of the eligible, and the semantically
        nearest of those matching the target fields, so that neither a strong matter nor a field
        match is missed. Both searches are exact and return k whenever k lawyers qualify.
        """
        index = self.catalog.index
        if np.count_nonzero(allowed) <= EXHAUSTIVE_LIMIT:
            return index.scores_for_owners(vector, np.flatnonzero(allowed).tolist())
        hits = {hit.owner_id: hit for hit in index.best_by_owner(vector, SEMANTIC_SHORTLIST, allowed)}
        if priority is not None:
            hits |= {hit.owner_id: hit for hit in index.best_by_owner(vector, SEMANTIC_SHORTLIST, priority)}
        return hits

    def match(self, query: NeedQuery, k: int = 10, *, session: Session | None = None) -> MatchOutcome:
        vector = self.catalog.encoder.encode_queries([encoded_text(query.description)])[0]
        with self.catalog.reading() as facts:
            eligibility = rules.eligibility(query, facts)
            hits = self._semantic(vector, eligibility.allowed, self._priority(query, facts, eligibility))
            if eligibility.count <= EXHAUSTIVE_LIMIT:
                candidates = np.flatnonzero(eligibility.allowed)
            else:
                candidates = np.fromiter(hits.keys(), dtype=np.int64, count=len(hits))
            candidates = candidates[facts.everyone()[candidates]]
            similarity = np.array([hits[i].score if i in hits else 0.0 for i in candidates.tolist()], dtype=np.float64)
            parts = scoring.components(query, facts, candidates, similarity)
            totals = parts.totals()
            tier = scoring.tiers(query, facts, candidates)
            order = np.lexsort((candidates, -totals, tier))
            position = dict(zip(candidates[order].tolist(), order.tolist()))
            # every candidate is ranked by the formula; only the chosen are explained
            chosen_ids = diversify(
                candidates[order], lambda i: facts.lawyers[i].firm_key, k + DESCRIBE_SPARE, self.max_per_firm
            )
            chosen = [self._result(query, facts.lawyers[i], parts, position[i], hits.get(i)) for i in chosen_ids]
            emptied_by = rules.emptied_by(eligibility)
            emptied = explain.emptied(query, emptied_by, rules.relaxations(query, facts, eligibility)) if emptied_by else None
        chosen = self._describe(query, vector, chosen, session)[:k]
        fall_with_rank(chosen)
        return MatchOutcome(
            query=query,
            matches=[m.explain() for m in chosen],
            eligible=eligibility.count,
            remaining=eligibility.remaining,
            emptied=emptied,
        )

    def assess(self, query: NeedQuery, lawyer_ids: Sequence[int], *, session: Session | None = None) -> dict[int, Assessment]:
        """The given lawyers judged for this need, each either scored and explained like a result
        (same rules, same formula, same reasons) or with the first rule that excludes them: for
        offering a need to chosen lawyers, or a fair's meetings, where the lawyers are named."""
        ids = list(dict.fromkeys(lawyer_ids))
        vector = self.catalog.encoder.encode_queries([encoded_text(query.description)])[0]
        out: dict[int, Assessment] = {}
        with self.catalog.reading() as facts:
            eligibility = rules.eligibility(query, facts)
            for lawyer_id in ids:
                excluded = eligibility.excluded_by(lawyer_id)
                if excluded is not None:
                    out[lawyer_id] = Assessment(lawyer_id, None, excluded)
            admitted = np.array([i for i in ids if i not in out], dtype=np.int64)
            hits = self.catalog.index.scores_for_owners(vector, admitted.tolist())
            similarity = np.array([hits[i].score if i in hits else 0.0 for i in admitted.tolist()], dtype=np.float64)
            parts = scoring.components(query, facts, admitted, similarity)
            matches = [self._result(query, facts.lawyers[i], parts, n, hits.get(i)) for n, i in enumerate(admitted.tolist())]
        described = {m.lawyer.id for m in self._describe(query, vector, matches, session)}
        for match in matches:
            lawyer_id = match.lawyer.id
            # stopped being recommendable since the catalog last followed the feed
            out[lawyer_id] = Assessment(lawyer_id, match.explain(), None) if lawyer_id in described else Assessment(lawyer_id, None, rules.RECOMMENDABLE.name)
        return {i: out[i] for i in ids}

    @staticmethod
    def _priority(query: NeedQuery, facts: FactTable, eligibility: rules.Eligibility) -> np.ndarray | None:
        """The eligible who serve a target country itself (else all eligible) and cover a target
        practice area: searched apart when the eligible are too many to score them all."""
        target_practice = {t.code for t in query.practice_areas}
        if not target_practice:
            return None
        base = eligibility.exact if eligibility.exact.any() else eligibility.allowed
        priority = base & facts.any_mask("practice", target_practice)
        return priority if priority.any() else None

    @staticmethod
    def _result(query: NeedQuery, lawyer: LawyerFacts, parts: scoring.ComponentArrays, position: int, hit: OwnerHit | None) -> Match:
        components = parts.of(position)
        return Match(
            lawyer=lawyer,
            score=components.total,
            components=components,
            agreement=explain.agreement(query, lawyer),
            locale=query.locale,
            # the evidence text is read for the results shown only (_describe)
            evidence={"similarity": round(float(hit.score), 4)} if hit is not None else None,
            evidence_passage=hit.passage_id if hit is not None else None,
        )

    def _describe(self, query: NeedQuery, vector: np.ndarray, chosen: list[Match], session: Session | None) -> list[Match]:
        """Attach the database card and the evidence to the chosen; drop any lawyer who stopped
        being recommendable (erased, suspended) since the catalog last followed the feed.

        The evidence is the passage that best fits the need (explain.evidence_fit) among each
        result's EVIDENCE_CANDIDATES nearest, read in the same query as the cards."""
        nearest: dict[int, list[OwnerHit]] = {m.lawyer.id: [] for m in chosen}
        for hit in self.catalog.index.passage_scores(vector, list(nearest)):
            nearest[hit.owner_id].append(hit)
        said = explain.said_matters(query)
        of_the_matter: set[int] = set()
        for lawyer_id, hits in nearest.items():
            hits.sort(key=lambda h: (-h.score, h.passage_id))
            # the nearest passages, and the nearest one that shows the need's type of matter
            typed = [h for h in hits if self.catalog.labels.get(h.passage_id) in said] if said else []
            of_the_matter.update(h.passage_id for h in typed)
            del hits[explain.EVIDENCE_CANDIDATES :]
            if typed and typed[0] not in hits:
                hits.append(typed[0])
        cards = self.catalog.describe({i: [h.passage_id for h in hits] for i, hits in nearest.items()}, session)
        kept = []
        for match in chosen:
            card = cards.get(match.lawyer.id)
            if card is None:
                continue
            match.card = card.row
            present = [h for h in nearest[match.lawyer.id] if h.passage_id in card.passages]  # still exist
            match.evidence, match.evidence_passage = None, None
            quoted = explain.best_evidence(query, [(h.passage_id, h.score, card.passages[h.passage_id][1]) for h in present],
                                           of_the_matter)
            if quoted is not None:
                kind, text = card.passages[quoted]
                similarity = next(h.score for h in present if h.passage_id == quoted)
                match.evidence = {"text": text, "kind": kind, "similarity": round(float(similarity), 4)}
                match.evidence_passage = quoted
            kept.append(match)
        return kept
