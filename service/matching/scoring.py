"""The one scoring formula. Every weight lives here; the README explains them.

score = W_COUNTRY   * country     (1 covers a target country, READ_COUNTRY_CREDIT if only the bio says
                                   so; REGION_CREDIT if only its region)
      + W_PRACTICE  * practice    (the weight of the best target area the lawyer covers, plus a
                                   share for covering the need's other areas too)
      + W_MATTER    * matter      (similarity of the need to the lawyer's best passage, rescaled)
      + W_LANGUAGE  * language    (share of the need's languages the lawyer speaks)
      + W_CREDENTIAL* credentials (years of practice and talent-pool membership)
      + W_TRACK     * (track_record - 0.5)   (answers and outcomes, shrunk toward the prior: see track_record_score)

A need's areas are not equal: the first area the caller gave (or the surest one read) is the
matter the lawyer will act on; the others are wanted too, but a lawyer covering only them is
second choice (``area_weights``). A lawyer covering several of them earns a BREADTH_SHARE more.

Ranking is in tiers (``tiers``): the lawyers who serve a target country itself and cover an
acceptable area come first; then in-country lawyers with only a weaker area of the need; lawyers
of the same region (or without any area of the need) only fill what those cannot. Within a tier the formula orders, and the matter
term lifts the lawyer whose own passage describes the very matter.

``components`` computes every term for every candidate at once (numpy, float64); the score of one
lawyer shown with a result is read from the same arrays (``ComponentArrays.of``), never computed again.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

import numpy as np

from service import taxonomy

if TYPE_CHECKING:
    from service.matching.need import NeedQuery

W_COUNTRY = 0.35
W_PRACTICE = 0.35
W_MATTER = 0.20
W_LANGUAGE = 0.05
W_CREDENTIAL = 0.05
# The track record moves a score by at most +-W_TRACK/2 around the neutral 0.5 every lawyer without
# history has, so a new lawyer is neither punished nor lifted, and no field match is outweighed.
W_TRACK = 0.06
TRACK_NEUTRAL = 0.5
# Bayesian shrinkage: each rate is a posterior mean with TRACK_PRIOR_WEIGHT pseudo-observations at
# the prior mean, so 1 request says little and 20 say a lot. The priors are fixed (not the live
# service-wide means), so one lawyer's answer never moves another lawyer's score.
TRACK_PRIOR_WEIGHT = 5.0
TRACK_PRIOR = {"acceptance": 0.5, "speed": 0.5, "rating": 0.75, "solved": 0.5}

REGION_CREDIT = 0.35
DECLARED_PRACTICE_CREDIT = 1.0
READ_PRACTICE_CREDIT = 0.85  # practice found only in the bio: real, but less certain than a declared field
READ_COUNTRY_CREDIT = 0.7  # a country served on the bio's word only (not declared, no office): a bio names places in passing
NO_TARGET_NEUTRAL = 0.5  # when the need names no country/practice, every lawyer gets the same middle credit

# A second area the caller gave counts half the first; a read area's weight is its confidence
# relative to the surest one, cubed, so a weak reading cannot stand in for the matter itself.
SECONDARY_GIVEN_WEIGHT = 0.5
READ_WEIGHT_POWER = 3
# Of the practice term, the share earned by covering the need's areas broadly (weight covered /
# weight asked) rather than by the best single one.
BREADTH_SHARE = 0.15
# An area weighing at least this much is one a lawyer may be ranked first for.
ACCEPTABLE_AREA_WEIGHT = 0.3
# An area read at least half as surely as the matter ((1/2)^3) puts an in-country lawyer in the
# second tier, before neighbours; weaker readings are noise a neighbour with the matter beats.
SECOND_TIER_AREA_WEIGHT = 0.125
# A country read more likely than not shapes the tiers even when not sure enough to bind.
TIER_COUNTRY_CONFIDENCE = 0.5

# Of the matter term, the share earned by having handled the need's very type of matter (the
# exchange format grades it: "the very matter type"); a need read that surely (or surer) gets it all.
MATTER_TYPE_SHARE = 0.5
MATTER_TYPE_SURE = 0.6
MATTER_MASK = "matter"  # the mask kind of a matter type the profile shows (catalog.facts.MATTER)

# Cosine similarities of sentence encoders cluster in a narrow band; this maps it onto 0..1.
MATTER_FLOOR = 0.15
MATTER_CEILING = 0.65

POOL_CREDIT = {"acla_foreign_related": 0.4, "bri_cross_border": 0.3, "provincial_leading": 0.2}

Number = TypeVar("Number", float, np.ndarray)


def weighted_total(
    country: Number, practice: Number, matter: Number, language: Number, credentials: Number, track_record: Number | float = TRACK_NEUTRAL
) -> Number:
    """The formula itself, for one lawyer's floats or every candidate's arrays alike."""
    return (
        W_COUNTRY * country
        + W_PRACTICE * practice
        + W_MATTER * matter
        + W_LANGUAGE * language
        + W_CREDENTIAL * credentials
        + W_TRACK * (track_record - TRACK_NEUTRAL)
    )


@dataclass(frozen=True)
class Components:
    """One lawyer's terms of the formula, each in 0..1."""

    country: float
    practice: float
    matter: float
    language: float
    credentials: float
    track_record: float = TRACK_NEUTRAL

    @property
    def total(self) -> float:
        return weighted_total(self.country, self.practice, self.matter, self.language, self.credentials, self.track_record)


@dataclass(frozen=True)
class ComponentArrays:
    """Every term for a list of candidates (aligned with the ids they were computed for)."""

    country: np.ndarray
    practice: np.ndarray
    matter: np.ndarray
    language: np.ndarray
    credentials: np.ndarray
    track_record: np.ndarray | None = None  # None: every lawyer neutral

    def totals(self) -> np.ndarray:
        track = self.track_record if self.track_record is not None else TRACK_NEUTRAL
        return weighted_total(self.country, self.practice, self.matter, self.language, self.credentials, track)

    def of(self, position: int) -> Components:
        return Components(
            country=float(self.country[position]),
            practice=float(self.practice[position]),
            matter=float(self.matter[position]),
            language=float(self.language[position]),
            credentials=float(self.credentials[position]),
            track_record=float(self.track_record[position]) if self.track_record is not None else TRACK_NEUTRAL,
        )


class ScoringFacts(Protocol):
    """What the formula reads of the lawyers (``catalog.facts.FactTable``)."""

    credentials: np.ndarray
    track_record: np.ndarray

    def mask(self, kind: str, code: str) -> np.ndarray: ...

    def any_mask(self, kind: str, codes: Iterable[str]) -> np.ndarray: ...


def components(need: NeedQuery, facts: ScoringFacts, ids: np.ndarray, similarity: np.ndarray) -> ComponentArrays:
    """Every term of the formula for the lawyers ``ids``, given their best passage's similarity."""
    n = len(ids)
    return ComponentArrays(
        country=_country(need, facts, ids) if need.countries else np.full(n, NO_TARGET_NEUTRAL),
        practice=_practice(need, facts, ids) if need.practice_areas else np.full(n, NO_TARGET_NEUTRAL),
        matter=_matter(need, facts, ids, similarity),
        language=_language(need, facts, ids),
        credentials=facts.credentials[ids],
        track_record=facts.track_record[ids],
    )


def _country(need: NeedQuery, facts: ScoringFacts, ids: np.ndarray) -> np.ndarray:
    """The best credit over target countries, weighted by how sure each reading is; a country of
    the same region earns REGION_CREDIT of it, only for lawyers serving no target itself."""
    country = np.zeros(len(ids))
    exact = np.zeros(len(ids), dtype=bool)
    for term in need.countries:
        served = facts.mask("country", term.code)[ids]
        certainty = np.where(facts.mask("read", term.code)[ids], READ_COUNTRY_CREDIT, 1.0)
        country = np.where(served, np.maximum(country, term.confidence * certainty), country)
        exact |= served
    for term in need.countries:
        region = taxonomy.region_of(term.code)
        if region:
            near = facts.mask("region", region)[ids] & ~exact
            country = np.where(near, np.maximum(country, REGION_CREDIT * term.confidence), country)
    return country


def _matter(need: NeedQuery, facts: ScoringFacts, ids: np.ndarray, similarity: np.ndarray) -> np.ndarray:
    """The similarity of the lawyer's closest sentence, and, for MATTER_TYPE_SHARE of the term,
    whether the profile shows the need's very type of matter (the surest type read counts fully,
    another in proportion; the share shrinks when the need's type is unsure)."""
    close = matter_score(similarity)
    if not need.matters:
        return close
    surest = max(t.confidence for t in need.matters)
    if surest <= 0.0:
        return close
    typed = np.zeros(len(ids))
    for term in need.matters:
        typed = np.maximum(typed, np.where(facts.mask(MATTER_MASK, term.code)[ids], term.confidence / surest, 0.0))
    share = MATTER_TYPE_SHARE * min(1.0, surest / MATTER_TYPE_SURE)
    result: np.ndarray = (1.0 - share) * close + share * typed
    return result


def area_weights(need: NeedQuery) -> dict[str, float]:
    """How much each of the need's practice areas counts, the matter itself 1.0."""
    terms = need.practice_areas
    if not terms:
        return {}
    top = max(t.confidence for t in terms) or 1.0
    weights: dict[str, float] = {}
    for position, term in enumerate(terms):
        if term.source == "given":
            weight = 1.0 if position == 0 else SECONDARY_GIVEN_WEIGHT
        else:
            weight = (term.confidence / top) ** READ_WEIGHT_POWER
        weights[term.code] = max(weights.get(term.code, 0.0), weight)
    return weights


def _practice(need: NeedQuery, facts: ScoringFacts, ids: np.ndarray) -> np.ndarray:
    """The best covered area's weight, declared areas fully and areas read from the profile text
    a little less, with BREADTH_SHARE of it earned by covering the need's areas broadly."""
    weights = area_weights(need)
    declared = facts.mask("declared", "practice")[ids]
    credit_of_declared = np.where(declared, DECLARED_PRACTICE_CREDIT, READ_PRACTICE_CREDIT)
    best = np.zeros(len(ids))
    covered = np.zeros(len(ids))
    for code, weight in weights.items():
        credit = np.where(facts.mask("practice", code)[ids], weight * credit_of_declared, 0.0)
        best = np.maximum(best, credit)
        covered += credit
    breadth = covered / sum(weights.values())
    result: np.ndarray = (1.0 - BREADTH_SHARE) * best + BREADTH_SHARE * breadth
    return result


def tiers(need: NeedQuery, facts: ScoringFacts, ids: np.ndarray) -> np.ndarray:
    """Each lawyer's tier, 0 first: 0 the first tier (``first_tier``); 1 what would be the first
    tier on the bio's word for the country or the area alone, or serving a target country itself with only a
    weaker area of the need (an in-country lawyer for a secondary matter comes before a neighbour
    for the main one); 2 everyone else."""
    first, first_on_bio = _first_tiers(need, facts, ids)
    out = np.where(first, 0, 2).astype(np.int8)
    out[first_on_bio & ~first] = 1
    countries = _tier_countries(need)
    weights = area_weights(need)
    if countries and weights:
        secondary = [code for code, weight in weights.items() if weight >= SECOND_TIER_AREA_WEIGHT]
        second = facts.any_mask("country", countries)[ids] & facts.any_mask("practice", secondary)[ids]
        out[second & ~first] = 1
    return out


def _tier_countries(need: NeedQuery) -> list[str]:
    """The countries the first tier serves: those that bind; where none does, those read surely enough
    (a holding company's seat named beside the binding country is no place the work is)."""
    binding = [t.code for t in need.countries if t.binding]
    return binding or [t.code for t in need.countries if t.confidence >= TIER_COUNTRY_CONFIDENCE]


def first_tier(need: NeedQuery, facts: ScoringFacts, ids: np.ndarray) -> np.ndarray:
    """The lawyers ranked before all others: serving a target country itself (where the need has
    one; declared or with an office there: a country the bio alone names is less sure) and covering
    an acceptable area (where it has any; declared too, for the same reason). Same-region lawyers and those with only a marginal area
    fill what this tier cannot, whatever their score."""
    return _first_tiers(need, facts, ids)[0]


def _first_tiers(need: NeedQuery, facts: ScoringFacts, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the first tier, the same with countries and areas the bio alone names counted as served)."""
    declared = np.ones(len(ids), dtype=bool)
    any_word = np.ones(len(ids), dtype=bool)
    countries = _tier_countries(need)
    if countries:
        declared[:] = False
        any_word[:] = False
        for code in countries:
            here = facts.mask("country", code)[ids]
            declared |= here & ~facts.mask("read", code)[ids]
            any_word |= here
    acceptable = [code for code, weight in area_weights(need).items() if weight >= ACCEPTABLE_AREA_WEIGHT]
    if acceptable:
        covered = facts.any_mask("practice", acceptable)[ids]
        declared &= covered & facts.mask("declared", "practice")[ids]
        any_word &= covered
    return declared, any_word


def _language(need: NeedQuery, facts: ScoringFacts, ids: np.ndarray) -> np.ndarray:
    """Binding languages were filtered; softly read ones add credit when spoken."""
    if not need.languages:
        return np.ones(len(ids))
    spoken = sum((facts.mask("language", t.code)[ids].astype(np.int64) for t in need.languages), np.zeros(len(ids), dtype=np.int64))
    return spoken / len(need.languages)


def matter_score(similarity: float | np.ndarray) -> np.ndarray:
    """One similarity or an array of them, rescaled onto 0..1."""
    return np.minimum(1.0, np.maximum(0.0, (np.asarray(similarity) - MATTER_FLOOR) / (MATTER_CEILING - MATTER_FLOOR)))


def credentials_score(years: int, pools: tuple[str, ...]) -> float:
    seniority = min(1.0, math.log1p(max(years, 0)) / math.log1p(25))
    pool = min(1.0, sum(POOL_CREDIT.get(p, 0.1) for p in pools))
    return 0.6 * seniority + 0.4 * pool


def _shrunk(successes: float, trials: float, prior: float) -> float:
    return (successes + TRACK_PRIOR_WEIGHT * prior) / (trials + TRACK_PRIOR_WEIGHT)


def track_record_score(track: Mapping[str, float] | None) -> float:
    """A lawyer's answers and outcomes as one 0..1 term, TRACK_NEUTRAL without history.

    Four rates, each shrunk toward its prior (``_shrunk``): acceptance (offers accepted), speed
    (per offer 1 - time to answer / the SLA; an expiry counts 0), rating ((stars - 1) / 4) and
    solved (engagements closed as solved). Their mean, less the mean of the priors, is centred on
    TRACK_NEUTRAL: a lawyer without history sits exactly there."""
    if not track:
        return TRACK_NEUTRAL
    offers, rated = float(track.get("offers", 0)), float(track.get("rated", 0))
    rates = (
        _shrunk(track.get("accepted", 0), offers, TRACK_PRIOR["acceptance"]),
        _shrunk(track.get("speed_sum", 0.0), offers, TRACK_PRIOR["speed"]),
        _shrunk(track.get("rating_sum", 0.0), rated, TRACK_PRIOR["rating"]),
        _shrunk(track.get("solved", 0), rated, TRACK_PRIOR["solved"]),
    )
    prior = sum(TRACK_PRIOR.values()) / len(TRACK_PRIOR)
    return min(1.0, max(0.0, TRACK_NEUTRAL + (sum(rates) / len(rates) - prior) / 2))
