"""The match request and its answer, and the one function that shapes an engine outcome into it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field, StrictBool

from service.schemas.common import Int
from service.schemas.need import NeedFields

if TYPE_CHECKING:  # the engine's types, for annotations only: shaping needs their attributes, not the engine
    from service.matching.engine import Match, MatchOutcome
    from service.matching.need import NeedQuery, Term


class MatchRequest(NeedFields):
    k: Int = Field(10, ge=1, le=50, description="how many lawyers to return (at most 50)")
    text_only: StrictBool = Field(False, description="ignore the structured fields and read everything from the text")
    locale: Literal["zh", "en"] | None = Field(None, description="language of the reasons; default: the need's")


class Reading(BaseModel):
    """One country, language or practice area the need asks for, given or read from its text."""

    code: str = Field(description="ISO 3166-1 alpha-2 country, ISO 639-1 language, or practice-area code")
    confidence: float = Field(description="how sure the reading is, 0..1 (1.0 for a given field)")
    source: Literal["given", "read"] = Field(description="`given`: a field of the request; `read`: from the description")
    evidence: str = Field(description="the words of the description it was read from (empty when given)")
    binding: bool = Field(
        description="whether it is a hard rule (given, or read at confidence >= 0.75); practice areas only rank, never bind"
    )


class Place(BaseModel):
    """A place the description names, with the role its words give it; only targets bind."""

    code: str = Field(description="ISO 3166-1 alpha-2 country, or a bloc (`EU`, `ASEAN`, `GCC`, `EAEU`, `CENTRAL_ASIA`, ...)")
    role: Literal[
        "requested", "seat", "forum", "target", "mention", "origin", "law", "registration", "transit", "sanctioned",
        "currency", "excluded",
    ] = Field(
        description="`requested`: where the lawyer asked for works, or the place the need says it is about "
        "among several (\"这次是泰国工厂\"); `seat`/`forum`: where the arbitration or the "
        "proceedings are; `target`: where the work is; `mention`: named, but not where the work is; `origin`: a "
        "nationality (of people, a counterparty, the enterprise); `law`: a governing law or statute; `registration`: "
        "where a company is registered or listed; `transit`: goods pass through; `sanctioned`: a country under the "
        "sanctions the need is about (never binds); `currency`; `excluded`: negated, set aside (\"Brazil not this year\") "
        "or already in hand (\"that case already has a US firm\")"
    )
    evidence: str = Field(description="the words of the description it was read from")
    binding: bool = Field(description="whether lawyers must serve it (a target country read from the text)")
    members: list[str] = Field(description="for a bloc, its member countries (ISO 3166-1 alpha-2); else empty")


class Understood(BaseModel):
    """What the service understood the need to ask for; send a field to correct a reading."""

    countries: list[Reading] = Field(description="target countries, the most confident first")
    languages: list[Reading] = Field(description="working languages the lawyer must (binding) or should have")
    practice_areas: list[Reading] = Field(description="practice areas, the most likely first; they rank, never filter")
    matter_types: list[Reading] = Field(
        default_factory=list,
        description="kinds of work within the need's practice areas (\"tax/transfer_pricing\"), the most likely first: a lawyer "
                    "whose profile shows the same kind ranks higher; they never filter",
    )
    places: list[Place] = Field(
        default_factory=list,
        description="every place the description names, in order, with its role and whether it binds",
        examples=[[{"code": "RS", "role": "target", "evidence": "Serbia", "binding": True, "members": []},
                   {"code": "VN", "role": "origin", "evidence": "Vietnamese", "binding": False, "members": []}]],
    )


class LanguageLevel(BaseModel):
    code: str = Field(description="ISO 639-1 language code")
    level: Literal["native", "fluent", "working"] = Field(description="how well the lawyer speaks it")


class Rate(BaseModel):
    min: float = Field(description="lowest hourly rate")
    max: float = Field(description="highest hourly rate")
    currency: str = Field(description="ISO 4217 currency code")


class LawyerCard(BaseModel):
    """What a result shows of a lawyer: no email, phone or licence number."""

    id: int = Field(description="the lawyer's id in this service (GET /v1/lawyers/{id})")
    external_id: str | None = Field(description="the id in the bureau's directory, if imported from it")
    name: str = Field(description="name as the lawyer writes it")
    name_en: str | None = Field(description="romanised name")
    firm: str | None = Field(description="law firm")
    firm_en: str | None = Field(description="law firm in English")
    city: str | None = Field(description="home office city")
    years_of_practice: int = Field(description="years in practice")
    countries: list[str] = Field(description="countries served (ISO 3166-1 alpha-2), sorted")
    offices: list[str] = Field(description="countries where the firm has an office or a formal partner, sorted")
    practice_areas: list[str] = Field(description="declared practice-area codes, sorted")
    languages: list[LanguageLevel] = Field(description="working languages with their level")
    talent_pools: list[str] = Field(description="talent pools the lawyer belongs to, e.g. acla_foreign_related")
    hourly_rate: Rate | None = Field(description="hourly rate range, if stated")


class Components(BaseModel):
    """The score's components, each 0..1; the score weighs them 0.35, 0.35, 0.20, 0.05, 0.05, and adds
    0.06 x (track_record - 0.5)."""

    country: float = Field(description="serves a target country (x reading confidence); less for a country of its region")
    practice: float = Field(description="has a target practice area: declared 1.0, read from the bio 0.85, relative to the need's most likely area")
    matter: float = Field(description="similarity of the need and the lawyer's best passage, mapped to 0..1, and, for half of it, "
                                      "whether the profile shows the need's kind of work (matter_types)")
    language: float = Field(description="share of the need's languages the lawyer speaks")
    credentials: float = Field(description="seniority and talent pools")
    track_record: float = Field(
        0.5,
        description="answers to requests and outcomes of engagements, shrunk toward the prior; 0.5 without history (neither lifts nor lowers)",
    )


class Matched(BaseModel):
    """Which of the need's readings this lawyer meets."""

    countries: list[str] = Field(description="target countries the lawyer serves (or has an office in)")
    region_countries: list[str] = Field(description="countries served in the target's region, when not the target itself")
    languages: list[str] = Field(description="the need's languages the lawyer speaks")
    practice_areas: list[str] = Field(description="the need's practice areas the lawyer has")
    matter_types: list[str] = Field(default_factory=list, description="the need's kinds of work the lawyer's profile shows them handling")


class Evidence(BaseModel):
    """The passage of the lawyer's profile closest to the need."""

    text: str = Field(description="the sentence of the bio, or the case, as written")
    kind: Literal["bio", "case"] = Field(description="whether it comes from the bio or the list of cases")
    similarity: float = Field(description="cosine similarity of the need and the passage")


class MatchResult(BaseModel):
    rank: int = Field(description="1 for the best")
    lawyer: LawyerCard = Field(description="the lawyer")
    score: float = Field(description="the weighted sum of the components, falling with the rank")
    components: Components = Field(description="the score's parts")
    matched: Matched = Field(description="which readings of the need the lawyer meets")
    reasons: list[str] = Field(description="why this lawyer, in the need's language (or `locale`)")
    evidence: Evidence | None = Field(description="the best-matching passage of the profile, if any")


class Relaxation(BaseModel):
    dropped: str = Field(description="the rule set aside: `languages` or `countries`")
    lawyers: int = Field(description="how many lawyers the other rules would then allow")
    in_target_countries: int = Field(description="of them, how many serve a binding country itself")
    instead: list[CodeCount] = Field(description="what those lawyers offer in place of the requirement (languages or countries), most common first")
    message: str = Field(description="the same, as a sentence in the need's language")


class CodeCount(BaseModel):
    code: str = Field(description="an ISO 639-1 language or ISO 3166-1 country code")
    lawyers: int = Field(description="how many of the lawyers hold it")


class EmptyAnswer(BaseModel):
    rule: str = Field(description="the hard rule after which no lawyer was left: `recommendable`, `languages` or `countries`")
    message: str = Field(description="why no lawyer is recommended, in the need's language")
    relaxations: list[Relaxation] = Field(description="what relaxing each of the need's rules would give (the caller may ask again without it)")


class MatchResponse(BaseModel):
    need_id: int | None = Field(None, description="the stored need matched (GET /v1/needs/{id}/matches); null for POST /v1/match")
    understood: Understood = Field(description="what was read from the need and what was given")
    eligible: int = Field(description="how many lawyers passed the hard rules")
    results: list[MatchResult] = Field(description="the ranked lawyers, best first")
    empty_because: EmptyAnswer | None = Field(
        None, description="when the hard rules leave no lawyer: which rule emptied the answer and what relaxing each would give"
    )

    @classmethod
    def from_outcome(cls, outcome: MatchOutcome, *, need_id: int | None = None) -> MatchResponse:
        """The engine's outcome as the answer: plain values first, validated once by pydantic's core
        (building each nested model in Python cost a third of a millisecond a request)."""
        return cls.model_validate(
            {
                "need_id": need_id,
                "understood": _understood(outcome.query),
                "eligible": outcome.eligible,
                "results": [_result(rank, match) for rank, match in enumerate(outcome.matches, start=1)],
                "empty_because": _empty_because(outcome),
            }
        )


def _empty_because(outcome: MatchOutcome) -> dict[str, Any] | None:
    emptied = outcome.emptied
    if outcome.matches or emptied is None:
        return None
    return {
        "rule": emptied.rule,
        "message": emptied.message,
        "relaxations": [
            {
                "dropped": r.dropped,
                "lawyers": r.lawyers,
                "in_target_countries": r.in_target_countries,
                "instead": [{"code": code, "lawyers": n} for code, n in r.instead],
                "message": line,
            }
            for r, line in emptied.relaxations
        ],
    }


def _reading(term: Term, *, can_bind: bool = True) -> dict[str, Any]:
    return {
        "code": term.code,
        "confidence": round(term.confidence, 3),
        "source": term.source,
        "evidence": term.evidence,
        "binding": can_bind and term.binding,
    }


def _understood(query: NeedQuery) -> dict[str, Any]:
    return {
        "countries": [_reading(t) for t in query.countries],
        "languages": [_reading(t) for t in query.languages],
        # a lawyer of a neighbouring area may be the one, so practice areas never filter
        "practice_areas": [_reading(t, can_bind=False) for t in query.practice_areas],
        "matter_types": [_reading(t, can_bind=False) for t in query.matters],
        "places": [
            {"code": p.code, "role": p.role, "evidence": p.evidence, "binding": p.binding, "members": list(p.members)}
            for p in query.places
        ],
    }


def _card(row: Any) -> dict[str, Any]:
    """`row`: a card row of repositories.lawyers.CARD_COLUMNS."""
    return {
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
    }


def _result(rank: int, match: Match) -> dict[str, Any]:
    components = match.components
    evidence = match.evidence
    return {
        "rank": rank,
        "lawyer": _card(match.card),
        "score": round(match.score, 4),
        "components": {
            "country": round(components.country, 4),
            "practice": round(components.practice, 4),
            "matter": round(components.matter, 4),
            "language": round(components.language, 4),
            "credentials": round(components.credentials, 4),
            "track_record": round(components.track_record, 4),
        },
        "matched": match.matched,
        "reasons": list(match.reasons),
        "evidence": None
        if evidence is None
        else {"text": evidence["text"], "kind": evidence["kind"], "similarity": round(evidence["similarity"], 4)},
    }
