"""The matching engine: understand the need, apply the hard rules, score, diversify, explain.

No HTTP here: the API, the batch CLI and the evaluation all call `MatchEngine.match`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from embeddings.index import OwnerHit
from service import taxonomy
from service.matching import explain, scoring
from service.matching.catalog import Catalog, LawyerFacts
from service.matching.query import NeedQuery, Term
from service.matching.reading import mask_places, read_languages, read_need_practice, read_target_countries

# Above this many eligible lawyers, scoring starts from a semantic shortlist of the eligible plus
# one of the field matches (target country and practice). Every lawyer of the dev set is scored
# (it has fewer matchable lawyers), so its ranking is exactly the exhaustive one.
EXHAUSTIVE_LIMIT = 2000
SEMANTIC_SHORTLIST = 200
DIVERSITY_WINDOW = 10
RANK_SCORE_STEP = 1e-6
# Results read from the database beyond k, in case some stopped being matchable meanwhile.
DESCRIBE_SPARE = 3


@dataclass
class Match:
    lawyer: LawyerFacts
    score: float
    components: scoring.Components
    reasons: list[str]
    evidence: dict[str, Any] | None
    matched: dict[str, list[str]]
    # What explain.reasons needs, kept until the match is chosen: only the k shown are explained.
    explain_args: dict[str, Any] | None = None
    evidence_passage: int | None = None
    # The lawyer's card row, read from the database for the results shown (see MatchEngine._describe).
    card: Any = None

    def explain(self) -> Match:
        if self.explain_args is not None:
            self.reasons = explain.reasons(**self.explain_args)
            self.explain_args = None
        return self

    @property
    def external_id(self) -> str | None:
        return self.card.external_id if self.card is not None else None

    def to_dict(self, rank: int) -> dict[str, Any]:
        row = self.card
        return {
            "rank": rank,
            "lawyer": {
                "id": row.id,
                "external_id": row.external_id,
                "name": row.name,
                "name_en": row.name_en,
                "firm": row.firm,
                "firm_en": row.firm_en,
                "city": row.city,
                "years_of_practice": row.years_of_practice or 0,
                "countries": sorted(set(row.countries or ())),
                "offices": sorted(set(row.offices or ())),
                "practice_areas": sorted(set(row.practice_areas or ())),
                "languages": [{"code": e["code"], "level": e.get("level", "working")} for e in row.languages or []],
                "talent_pools": list(row.talent_pools or ()),
                "hourly_rate": row.hourly_rate,
            },
            "score": round(self.score, 4),
            "components": self.components.to_dict(),
            "matched": self.matched,
            "reasons": self.reasons,
            "evidence": self.evidence,
        }


@dataclass
class MatchOutcome:
    query: NeedQuery
    matches: list[Match]
    eligible: int
    notes: list[str] = field(default_factory=list)


def _given(codes: Sequence[str]) -> tuple[Term, ...]:
    return tuple(Term(code, 1.0, "given") for code in dict.fromkeys(codes))


def _read(readings: Sequence[Any]) -> tuple[Term, ...]:
    return tuple(Term(r.code, float(r.confidence), "read", r.evidence) for r in readings)


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
    ) -> NeedQuery:
        """Fields the caller filled are authoritative; what is left empty is read from the text."""
        return NeedQuery(
            description=description,
            countries=_given(countries) if countries else _read(read_target_countries(description)),
            languages=_given(languages) if languages else _read(read_languages(description)),
            practice_areas=_given(practice_areas) if practice_areas else self.read_practice(description),
            locale=locale or explain.caller_locale(description),
        )

    def read_practice(self, description: str) -> tuple[Term, ...]:
        """Practice areas read from the need, with the directory's labelled passages voting."""
        cat = self.catalog

        def labelled_neighbours(vector: np.ndarray, k: int) -> list[tuple[float, str | None]]:
            hits = cat.index.nearest(vector, k)
            return [(similarity, cat.labels.get(passage_id)) for passage_id, _, similarity in hits]

        return _read(read_need_practice(description, cat.encoder, labelled_neighbours))

    # ---- matching ----------------------------------------------------------------------------

    def eligible(self, query: NeedQuery) -> tuple[np.ndarray, np.ndarray]:
        """The lawyers the hard rules allow, and among them those covering a target country itself.

        Boolean masks over lawyer ids (the catalog's, combined with numpy); the caller holds the
        catalog lock.
        """
        cat = self.catalog
        allowed = cat.matchable_mask()
        for code in query.binding_languages:
            allowed = allowed & cat.mask("language", code)
        countries = query.binding_countries
        if countries:
            exact = cat.any_mask("country", countries) & allowed
            allowed = allowed & (exact | cat.region_mask(countries))
        else:
            exact = np.zeros(len(allowed), dtype=bool)
        return allowed, exact

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
        cat = self.catalog
        vector = cat.encoder.encode_queries([mask_places(query.description)])[0]
        with cat._lock:
            allowed, exact = self.eligible(query)
            target_practice = {t.code for t in query.practice_areas}
            priority = None
            if target_practice:
                priority = (exact if exact.any() else allowed) & cat.any_mask("practice", target_practice)
                if not priority.any():
                    priority = None
            hits = self._semantic(vector, allowed, priority)
            eligible = int(np.count_nonzero(allowed))
            if eligible <= EXHAUSTIVE_LIMIT:
                candidates = np.flatnonzero(allowed)
            else:
                candidates = np.fromiter(hits.keys(), dtype=np.int64, count=len(hits))
            candidates = candidates[cat.matchable_mask()[candidates]]
            similarity = np.array([hits[i].score if i in hits else 0.0 for i in candidates.tolist()], dtype=np.float64)
            totals = self.totals(query, candidates, similarity)
            ranked = candidates[np.lexsort((candidates, -totals))]
            # every candidate is ranked by the vectorised formula; only the chosen are scored in full
            chosen_ids = self._diversify(ranked, k + DESCRIBE_SPARE)
            chosen = [self._score(query, cat.lawyers[i], hits.get(i)) for i in chosen_ids]
        chosen = self._describe(chosen, session)[:k]
        self._fall_with_rank(chosen)
        return MatchOutcome(query=query, matches=[m.explain() for m in chosen], eligible=eligible)

    def totals(self, query: NeedQuery, ids: np.ndarray, similarity: np.ndarray) -> np.ndarray:
        """The score of each lawyer (ids) with its best passage's similarity: the formula of
        _score, component by component and in the same order, over arrays (a float64 each, so
        the sums are the very numbers _score makes). The caller holds the catalog lock."""
        cat = self.catalog
        n = len(ids)
        if query.countries:
            country = np.zeros(n)
            exact = np.zeros(n, dtype=bool)
            for term in query.countries:
                served = cat.mask("country", term.code)[ids]
                country = np.where(served, np.maximum(country, term.confidence), country)
                exact |= served
            for term in query.countries:
                region = taxonomy.region_of(term.code)
                if region:
                    near = cat.mask("region", region)[ids] & ~exact
                    country = np.where(near, np.maximum(country, scoring.REGION_CREDIT * term.confidence), country)
        else:
            country = np.full(n, scoring.NO_TARGET_NEUTRAL)
        if query.practice_areas:
            practice = np.zeros(n)
            declared = cat.mask("declared", "practice")[ids]
            top = max(t.confidence for t in query.practice_areas) or 1.0
            for term in query.practice_areas:
                weight = term.confidence / top
                credit = np.where(declared, weight * scoring.DECLARED_PRACTICE_CREDIT, weight * scoring.READ_PRACTICE_CREDIT)
                practice = np.where(cat.mask("practice", term.code)[ids], np.maximum(practice, credit), practice)
        else:
            practice = np.full(n, scoring.NO_TARGET_NEUTRAL)
        if query.languages:
            spoken = sum(cat.mask("language", t.code)[ids].astype(np.int64) for t in query.languages)
            language = spoken / len(query.languages)
        else:
            language = np.ones(n)
        matter = scoring.matter_score(similarity)
        return (
            scoring.W_COUNTRY * country
            + scoring.W_PRACTICE * practice
            + scoring.W_MATTER * matter
            + scoring.W_LANGUAGE * language
            + scoring.W_CREDENTIAL * cat.credentials[ids]
        )

    def _describe(self, chosen: list[Match], session: Session | None) -> list[Match]:
        """Attach the database row and evidence text to the chosen; drop any lawyer who stopped
        being matchable (erased, suspended) since the catalog last followed the feed."""
        cards = self.catalog.describe({m.lawyer.id: m.evidence_passage for m in chosen}, session)
        kept = []
        for match in chosen:
            card = cards.get(match.lawyer.id)
            if card is None:
                continue
            match.card = card
            if card.evidence_id is not None and match.evidence is not None:  # the passage still exists
                match.evidence = {"text": card.evidence_text, "kind": card.evidence_kind, "similarity": match.evidence["similarity"]}
                if match.explain_args is not None:
                    match.explain_args["evidence"] = card.evidence_text
            else:
                match.evidence = None
            kept.append(match)
        return kept

    def _diversify(self, ranked: np.ndarray, k: int) -> list[int]:
        """At most max_per_firm of the first DIVERSITY_WINDOW places go to one firm (ids, best first)."""
        lawyers = self.catalog.lawyers
        chosen: list[int] = []
        per_firm: Counter[str] = Counter()
        for lawyer_id in ranked.tolist():
            if len(chosen) >= min(k, DIVERSITY_WINDOW):
                break
            firm = lawyers[lawyer_id].firm_key
            if per_firm[firm] < self.max_per_firm:
                per_firm[firm] += 1
                chosen.append(lawyer_id)
        if len(chosen) < k:
            taken = set(chosen)
            for lawyer_id in ranked.tolist():
                if len(chosen) >= k:
                    break
                if lawyer_id not in taken:
                    chosen.append(lawyer_id)
        return chosen[:k]

    @staticmethod
    def _fall_with_rank(chosen: list[Match]) -> None:
        """A lawyer moved up past a firm's cap keeps its own components, but the reported score
        must fall with the rank: consumers (TREC tools, sorting clients) order by score."""
        for previous, match in zip(chosen, chosen[1:]):
            if match.score >= previous.score:
                match.score = previous.score - RANK_SCORE_STEP

    def _score(self, query: NeedQuery, lawyer: LawyerFacts, hit: OwnerHit | None) -> Match:
        zh_or_en = query.locale
        served = lawyer.countries
        # country: the best credit over target countries, weighted by how sure the reading is
        country_credit = scoring.NO_TARGET_NEUTRAL if not query.countries else 0.0
        matched_countries: list[str] = []
        matched_offices: list[str] = []
        region_pairs: list[tuple[str, str]] = []
        for term in query.countries:
            if term.code in served:
                country_credit = max(country_credit, term.confidence)
                (matched_offices if term.code in lawyer.office_countries and term.code not in lawyer.declared_countries else matched_countries).append(term.code)
        if query.countries and not (matched_countries or matched_offices):
            for term in query.countries:
                neighbours = sorted(c for c in served if taxonomy.same_region(c, term.code))
                if neighbours:
                    country_credit = max(country_credit, scoring.REGION_CREDIT * term.confidence)
                    region_pairs.append((neighbours[0], term.code))
        # practice: declared areas count fully, areas read from the profile text a little less
        practice_credit = scoring.NO_TARGET_NEUTRAL if not query.practice_areas else 0.0
        declared_hits: list[str] = []
        read_hits: list[str] = []
        # relative to the need's most likely area, so a secondary reading earns proportionally less
        top_practice = max((t.confidence for t in query.practice_areas), default=1.0) or 1.0
        for term in query.practice_areas:
            weight = term.confidence / top_practice
            if term.code in lawyer.declared_practice:
                practice_credit = max(practice_credit, weight * scoring.DECLARED_PRACTICE_CREDIT)
                declared_hits.append(term.code)
            elif not lawyer.declared_practice and term.code in lawyer.read_practice:
                practice_credit = max(practice_credit, weight * scoring.READ_PRACTICE_CREDIT)
                read_hits.append(term.code)
        # languages: binding ones were filtered; soft readings add credit when spoken
        spoken = [(t.code, lawyer.languages[t.code]) for t in query.languages if t.code in lawyer.languages]
        language_credit = len(spoken) / len(query.languages) if query.languages else 1.0
        similarity = hit.score if hit is not None else 0.0
        components = scoring.Components(
            country=country_credit,
            practice=practice_credit,
            matter=float(scoring.matter_score(similarity)),
            language=language_credit,
            credentials=scoring.credentials_score(lawyer.years_of_practice, lawyer.talent_pools),
        )
        # the evidence text is read for the results shown only (_describe)
        evidence = {"similarity": round(float(similarity), 4)} if hit is not None else None
        reasons = dict(
            locale=zh_or_en,
            countries=matched_countries,
            offices=matched_offices,
            region_countries=region_pairs,
            languages=spoken,
            practice_declared=declared_hits,
            practice_read=read_hits,
            evidence=None,
            years=lawyer.years_of_practice,
            pools=lawyer.talent_pools,
        )
        matched = {
            "countries": matched_countries + matched_offices,
            "region_countries": [served_code for served_code, _ in region_pairs],
            "languages": [code for code, _ in spoken],
            "practice_areas": declared_hits + read_hits,
        }
        return Match(
            lawyer, components.total, components, [], evidence, matched, explain_args=reasons,
            evidence_passage=hit.passage_id if hit is not None else None,
        )
