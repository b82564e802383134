"""Practice areas a text is about: lexicon evidence, similarity to the areas' descriptions, the
kind of lawyer asked for, and a need's reading with the directory's neighbour vote.

The lexicon (``lexicons/practice.json``) is ordinary legal vocabulary, each term weighted by how
surely it names its area; an English term ending in "*" is a word prefix.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from embeddings.encoder import Encoder
from service import taxonomy
from service.matching.reading.places import mask_places, place_mentions
from service.matching.reading.roles import resolve
from service.matching.reading.text import (
    EN_IN_HAND,
    NORMALISE,
    ZH_IN_HAND,
    ZH_SETS_UP,
    Reading,
    TermMatcher,
    clause_spans,
    is_cjk,
    load_lexicon,
    to_simplified,
)

_Terms = dict[str, list[tuple[str, float]]]


@lru_cache(maxsize=1)
def _lexicon() -> TermMatcher:
    lexicon: dict[str, dict[str, float]] = load_lexicon("practice")["areas"]
    terms: _Terms = {}
    for code, entries in lexicon.items():
        for term, weight in entries.items():
            terms.setdefault(term, []).append((code, weight))
    return TermMatcher(terms)


# "not litigation, just a compliance review", "不需要诉讼": a matter named to be set aside ("没办法把
# 利润汇回", unable to, is not).
_ZH_NEGATED = re.compile(r"(?:(?<![了过有])没有|并无|(?<![了过有])没(?!办法|法子|法)|不是|不需要|不需|不要|不涉及|无需|并非|不用|不打算|不想|不走|不考虑|而非|而不是|暂不)[^，。,；;！!？?]{0,3}$")
_EN_NEGATED = re.compile(r"(?:\bnot|\bno|\bnever|\brather than|\binstead of|\bdon't need|\bdo not need|\bnor)\s+"
                         r"(?:[\w-]+\s+){0,2}$", re.I)


def negated(norm: str, start: int) -> bool:
    before = norm[max(0, start - 30):start]
    return bool(_ZH_NEGATED.search(before) or _EN_NEGATED.search(before))


# A matter the writer puts off ("这个不急", "那是第二步", "but that can wait") or says is in other
# hands already ("仲裁那块我们已经有团队了", "VAT is handled by our tax agent"): still of interest, so
# it counts, but far less than the matter the lawyer is sought for now (a negated one counts nothing).
_ZH_DEFERRED = re.compile(
    r"不急|不着急|不紧急|不算急|没那么急|不用急|不是当务之急|不是重点|先别管|先不管|暂时不管|先放(?:一放|一下|着|一边)|"
    r"顺便(?:看|问|处理|帮|做|查|弄|了解)|顺带|捎带|"  # "顺便看下tax registration": a side matter
    r"(?:以后|之后|回头|后面|后续|往后|将来|日后|晚些|晚点|过段时间|下一步|下一阶段|第二步|到时候?)[^，。,；;]{0,6}?(?:再|才)"
    r"(?:说|谈|看|议|处理|考虑|找|办|做|管|弄|聊|请)|(?:后面|以后|之后|后续|将来|下一步|第二步|下一阶段|第二阶段)的事|"
    r"(?:是|算|放在|属于)(?:第二步|下一步|第二阶段|下一阶段)|"
    # "仲裁部分由集团法务部另行委托，不在本次需求范围内": in other hands, or outside this request
    r"另行(?:委托|聘请|安排|处理|选聘)|另外(?:委托|聘请)|不在(?:本次|这次|此次)?的?(?:需求|委托|服务|咨询)?范围(?:内|之内)?|"
    # "现在还没到仲裁那一步", "谈不拢再考虑起诉": a later stage, if ever
    r"还没到[^，。,；;]{0,6}?(?:那一步|这一步|那个阶段|这个阶段|那步)|(?:谈不拢|不行|不成)(?:的话)?再(?:考虑|说|走)")
_EN_DEFERRED = re.compile(
    r"\b(?:can|could|will have to|may) wait\b|\bnot (?:so |that |very |too )?urgent\b|\bless urgent\b|\bno (?:rush|hurry)\b|"
    r"\b(?:not a|lower|low) priority\b|\bnot (?:for )?now\b|\bmaybe later\b|\bfor later\b|\bdown the road\b|"
    r"\bon the back burner\b|\b(?:later|second|future|subsequent) (?:stage|phase|step)\b|\bnext phase\b|"
    r"\b(?:deal with|handle|look at|address|come back to|get to|worry about|think about|discuss|tackle|revisit|sort out|"
    r"take care of) (?:that|this|it|those|these|them)(?: part| one| issue| matter)? later\b|"
    r"\b(?:out of|not in|outside (?:the |our |this )?)scope\b|\b(?:handled|instructed|engaged|retained|covered|dealt with) separately\b|"
    r"\bnot on the table\b|\bif it comes to (?:that|it)\b|\bnot (?:at|there) yet\b", re.I)
_ZH_HANDLER = r"(?:律师|律所|团队|team|counsel|firm|顾问|事务所|会计师|四大|代理)"
_ZH_COVERED = re.compile(rf"{ZH_IN_HAND}[^，。,；;]{{0,12}}?{_ZH_HANDLER}|"
                         rf"有(?:律师|律所|团队|人)在(?:做|跟|管|处理|负责|办)|"
                         rf"{_ZH_HANDLER}(?:们)?(?:(?:已经|已)在(?:做|跟|办|处理|负责|看|弄)|在(?:做|跟|办|处理|负责|看|弄)了)", re.I)
_EN_COVERED = re.compile(
    rf"(?:{EN_IN_HAND}|\balready\s+(?:uses|using|working with))\b[^,.;]{{0,40}}?"
    r"\b(?:counsel|lawyers?|firm|team|attorneys?|solicitors?|advis[eo]rs?|agent|accountants?)\b|"
    r"\b(?:is|are|being|been)\s+(?:already\s+)?(?:handled|covered|managed|looked after|taken care of|dealt with)\s+by\b|"
    r"\b(?:is|are|has been|have been) already (?:handled|covered|being handled|taken care of|dealt with|in hand)\b|"
    # "our Singapore counsel will run the arbitration"
    r"\bour\s+(?:[\w-]+\s+){0,2}?(?:counsel|lawyers?|firm|team)\s+(?:will|would|is going to|are going to)\s+(?:run|handle|take|conduct|lead)\b", re.I)
# ... unless it is the other side that has the lawyers ("对方已经请了律师"), or the team is not a legal one
_NOT_LEGAL_TEAM = re.compile(r"施工|工程|项目|技术|销售|设计|生产|运营|\b(?:engineering|project|sales|site|technical|design|"
                             r"production|operations|construction)\b", re.I)
_OTHER_SIDE = re.compile(r"对方|原告|被告|业主|买方|卖方|对手|他们|\b(?:they|their|the other side|opponents?|counterpart(?:y|ies)|"
                         r"claimants?|respondents?|plaintiffs?|defendants?|employer|owner|competitors?)\b", re.I)
# "这个不急", "that can wait": the marker points back to the clause before it
_POINTS_BACK = re.compile(r"[这那它该]|\b(?:that|this|it|those|these|which|the rest)\b", re.I)
# within a clause, a deferral covers the item it closes, not those listed before it ("the objection, and maybe the appeal later")
_LIST_JOIN = re.compile(r"\band\b|\bplus\b|以及|(?<!涉)及(?!时)|和(?!解)|(?<!参)与|[&+]", re.I)
DEFERRED_WEIGHT = 0.3
DEFERRED_NAMING = 0.5  # a term at least this typical of its area names the matter deferred


@dataclass(frozen=True)
class Deferral:
    """What a text puts off: spans of it, and the areas its deferring clauses name (deferred
    wherever the text names them, unless an asking clause names them too)."""

    spans: tuple[tuple[int, int], ...] = ()
    areas: frozenset[str] = frozenset()

    def applies(self, code: str, start: int) -> bool:
        return code.partition("/")[0] in self.areas or any(lo <= start < hi for lo, hi in self.spans)


_NO_DEFERRAL = Deferral()


def _occurrences(norm: str) -> list[tuple[int, str, float]]:
    """(start, area, weight) of every practice term in the normalised text that is not negated."""
    matcher = _lexicon()
    found = []
    for m in matcher.pattern.finditer(norm):
        term = matcher.which(m.group(0))
        if term is not None and not negated(norm, m.start()):
            found += [(m.start(), code, weight) for code, weight in matcher.terms[term] if weight > 0.0]
    return found


@lru_cache(maxsize=1024)  # one need's text is read by lexicon_scores, the asking and the requested clauses
def deferral(norm: str) -> Deferral:
    """What the (normalised) text puts off or says is handled already."""
    markers = [(m, False) for m in _ZH_DEFERRED.finditer(norm)] + [(m, False) for m in _EN_DEFERRED.finditer(norm)]
    markers += [(m, True) for m in _ZH_COVERED.finditer(norm)] + [(m, True) for m in _EN_COVERED.finditer(norm)]
    if not markers:
        return _NO_DEFERRAL
    occurrences = _occurrences(norm)
    clauses = clause_spans(norm)
    spans: list[tuple[int, int]] = []
    named: set[str] = set()
    for m, covered in markers:
        at = next(i for i, (lo, hi) in enumerate(clauses) if lo <= m.start() <= hi)
        lo, hi = clauses[at]
        if covered and (_OTHER_SIDE.search(norm, lo, m.start()) or _NOT_LEGAL_TEAM.search(m.group(0))):
            continue
        joins = [j.end() for j in _LIST_JOIN.finditer(norm, lo, m.start())]
        item = joins[-1] if joins else lo
        here = [(s, code, w) for s, code, w in occurrences if item <= s < hi]
        if here:  # "仲裁先不急", "VAT is handled by our tax agent": the clause names what it puts off
            spans.append((item, hi))
            named |= {code for _, code, w in here if w >= DEFERRED_NAMING}
        elif _POINTS_BACK.search(norm, lo, hi) or hi - lo - len(m.group(0)) <= 3:
            before = [c for c in clauses[:at] if norm[c[0]:c[1]].strip()]  # "，但那是第二步" leaves an empty clause between
            if before:
                spans.append((before[-1][0], hi))
    if not spans:
        return _NO_DEFERRAL
    # an area a clause asks for ("we need a tax lawyer for the objection") is not put off by another clause
    # (a clause with its list: "现在需要土耳其、巴西、南非三地的反垄断申报分析" names after listing)
    asking = [m.span() for m in _LISTING_CLAUSES.finditer(norm) if _ASK.search(m.group(0))]
    asked = {code for s, code, w in occurrences if w >= DEFERRED_NAMING and any(lo <= s < hi for lo, hi in asking)
             and not any(lo <= s < hi for lo, hi in spans)}
    return Deferral(tuple(spans), frozenset(named - asked))


def lexicon_scores(matcher: TermMatcher, text: str, keep: Callable[[str], bool] | None = None,
                   deferred: bool = True) -> dict[str, tuple[float, str]]:
    """Code -> (noisy-or of the weights of the code's terms found in the text, capped at 0.98; the
    words of its surest term), for the codes ``keep`` accepts. Negated terms do not count; the
    terms a text puts off (``deferral``) make a noisy-or of their own that counts DEFERRED_WEIGHT of
    it (nothing without ``deferred``). Traditional characters are read as their simplified forms."""
    hits: dict[str, dict[str, float]] = {}
    later_hits: dict[str, dict[str, float]] = {}
    evidence: dict[str, tuple[float, str]] = {}
    norm = to_simplified(text).translate(NORMALISE)
    later = deferral(norm)
    for m in matcher.pattern.finditer(norm):
        term = matcher.which(m.group(0))
        if term is None or negated(norm, m.start()):
            continue
        for code, weight in matcher.terms[term]:
            if weight <= 0.0 or (keep is not None and not keep(code)):
                continue
            put_off = later.applies(code, m.start())
            if put_off and not deferred:
                continue
            found = (later_hits if put_off else hits).setdefault(code, {})
            found[term] = max(found.get(term, 0.0), weight)
            shown = weight * DEFERRED_WEIGHT if put_off else weight
            if shown > evidence.get(code, (0.0, ""))[0]:
                evidence[code] = (shown, text[m.start():m.end()])

    def noisy_or(weights: Iterable[float]) -> float:
        miss = 1.0
        for weight in weights:
            miss *= 1.0 - weight
        return 1.0 - miss

    out = {}
    for code in evidence:
        now = hits.get(code, {})
        deferred_or = noisy_or(w for term, w in later_hits.get(code, {}).items() if term not in now)
        score = 1.0 - (1.0 - noisy_or(now.values())) * (1.0 - DEFERRED_WEIGHT * deferred_or)
        out[code] = (min(0.98, score), evidence[code][1])
    return out


SETS_UP_WEIGHT = 0.6


def _lexicon_scores(text: str) -> dict[str, tuple[float, str]]:
    scores = lexicon_scores(_lexicon(), text)
    norm = to_simplified(text).translate(NORMALISE)
    for m in ZH_SETS_UP.finditer(norm):
        if not negated(norm, m.start()) and not deferral(norm).applies("outbound_investment", m.start()):
            held, evidence = scores.get("outbound_investment", (0.0, ""))
            scores["outbound_investment"] = (min(0.98, 1.0 - (1.0 - held) * (1.0 - SETS_UP_WEIGHT)), evidence or text[m.start():m.end()])
            break
    return scores


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

    A need's reading passes it with places masked, the very text the engine encodes for the
    passage search, so one encode (the encoder's query cache) serves both. (Masking moved dev
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


def _named_within(text: str, spans: Iterable[tuple[int, int]], at_least: float = 0.0) -> set[str]:
    """Areas a term (of at least that weight) names that starts within one of the spans, unless the text puts it off."""
    norm = to_simplified(text).translate(NORMALISE)
    later = deferral(norm)
    bounds = list(spans)
    return {code for start, code, weight in _occurrences(norm)
            if weight >= at_least and any(lo <= start < hi for lo, hi in bounds) and not later.applies(code, start)}


def requested_practice_areas(text: str) -> set[str]:
    """Practice areas named in the description of the lawyer wanted, not in the story around it
    (nor in a lawyer wanted later: "施工合同也会要律师看，但那是第二步")."""
    spans = [m.span(1) for m in _ZH_REQUEST.finditer(text)]
    spans += [m.span(1) for m in _EN_REQUEST_BEFORE.finditer(text)]
    spans += [m.span(1) for m in _EN_REQUEST_AFTER.finditer(text)]
    return _named_within(text, spans)


_CLAUSES = re.compile(r"[^。；;！!？?\n]+[？?]?")
_LISTING_CLAUSES = re.compile(r"[^。；;！!？?\n，,]+")
_ASK = re.compile(r"需要|想|希望|请|求|找|咨询|帮|能否|能不能|可以吗|怎么|如何|是否|[？?]|"
                  r"\b(?:need|needs|want|looking for|seeking|help|advise|advice|can we|how do we|should we|do we|"
                  r"whether|assist|represent|handle|defend|challenge|file|run|prepare)\b", re.I)


def asked_practice_areas(text: str, at_least: float = 0.0) -> set[str]:
    """Practice areas named in the sentences that ask for something (需要/想/help/can we ...?): the
    matter the lawyer will act on, rather than the background told before it (or what the sentence
    puts off: "仲裁先不急，先要当地律师把索赔通知弄出来")."""
    norm = to_simplified(text).translate(NORMALISE)
    return _named_within(text, [m.span() for m in _CLAUSES.finditer(norm) if _ASK.search(m.group(0))], at_least)


# --- a need's practice areas, with the directory's vote ------------------------------------------

UNREQUESTED_DISCOUNT = 0.85
ASK_DISCOUNT = 0.9  # areas named only in the background, when a clause that asks names others  # areas read from the story, when the text also says which lawyer it wants
NEIGHBOUR_PASSAGES = 40
# Areas that are also industries: named as the setting of many needs whose matter is elsewhere.
SECTOR_AREAS = frozenset({"energy_resources", "construction_infrastructure", "maritime_logistics", "cross_border_ecommerce"})
SECTOR_DISCOUNT = 0.8
# Areas that are a proceeding, whatever the matter: asking for one keeps the matter surely named.
PROCEDURAL_AREAS = frozenset({"cross_border_litigation", "international_arbitration"})
MATTER_NAMED = 0.85
PROJECT_SHARE = 0.98  # a project's industry, just behind the proceeding asked for
NEIGHBOUR_TEMPERATURE = 0.05
LEXICON_SHARE = 0.7
PRACTICE_MARGIN = 0.5

# The k directory passages nearest a query vector, most similar first, as (similarity, the one
# practice area the passage is a worked example of, or None).
LabelledNeighbours = Callable[[np.ndarray, int], Sequence[tuple[float, str | None]]]


def read_need_practice(
    description: str, encoder: Encoder, neighbours_of: LabelledNeighbours
) -> list[Reading]:
    """Practice areas from the words of the need and from the labelled passages nearest to it.

    The lexicon knows the vocabulary but not which of several named areas the matter is
    (an EPC wind farm in arbitration names three); the directory's own worked examples vote
    on that, each weighted by how close it is to the need.
    """
    masked = mask_places(description)
    # similarity on the masked text: the very query the passage search encodes, so one encode serves both
    lexicon = {r.code: r for r in read_practice_areas(description, encoder, similarity_text=masked)}
    requested = requested_practice_areas(description) & set(lexicon)
    worded = _lexicon_scores(description)  # the need's own words, read once for the rules below
    project: set[str] = set()
    if requested and requested <= PROCEDURAL_AREAS:
        # "要找日本律师应诉" a patent suit: the proceeding is asked for, the matter it is about stays with it
        requested |= {code for code, r in lexicon.items() if r.confidence >= MATTER_NAMED and code not in SECTOR_AREAS}
        # ... and a project's industry its own words surely name ("业主欠我们工程款…公司决定起诉") follows the
        # proceeding, a project dispute (the proceeding asked for still leads)
        project = _project_industries(worded, lexicon)
    if requested:
        top = max(r.confidence for r in lexicon.values())
        lexicon = {
            code: Reading(r.code, top, r.evidence)
            if code in requested
            else Reading(r.code, top * PROJECT_SHARE, r.evidence) if code in project
            else Reading(r.code, r.confidence * UNREQUESTED_DISCOUNT, r.evidence)
            for code, r in lexicon.items()
        }
    asked = asked_practice_areas(description) & set(lexicon) if not requested else set()
    if asked & PROCEDURAL_AREAS:
        # "业主拖了18个月的工程款…准备起诉，有没有能出庭的律师？": the same project dispute, asked without naming the lawyer
        project = _project_industries(worded, lexicon)
    if asked and asked != set(lexicon):
        top_asked = max(lexicon[code].confidence for code in asked)
        lexicon = {code: r if code in asked else Reading(r.code, top_asked * PROJECT_SHARE, r.evidence) if code in project
                   else Reading(r.code, r.confidence * ASK_DISCOUNT, r.evidence)
                   for code, r in lexicon.items()}
    # ... unless what is asked for is the industry's own work ("prepare the DAAB referral and the
    # notice of claim", "审PPA"): then the forum or the loan named around it is the setting
    matter_named = any(code not in SECTOR_AREAS and r.confidence >= 0.5 for code, r in lexicon.items()) and not (
        asked and asked <= SECTOR_AREAS)
    # ... but an industry the asking sentence itself surely names ("总包以工期延误为由兑付了履约保函，想找律师看看
    # 怎么反制") stays beside the action asked for
    setting = SECTOR_AREAS - (asked_practice_areas(description, MATTER_NAMED) if asked else set()) - project
    if matter_named:
        # "a coal mine licence revoked, we want to claim under the investment treaty": the
        # industry is the setting, the legal action (arbitration) is the matter
        lexicon = {
            code: Reading(r.code, r.confidence * SECTOR_DISCOUNT, r.evidence) if code in setting else r
            for code, r in lexicon.items()
        }
    vector = encoder.encode_queries([masked])[0]
    votes: dict[str, float] = {}
    hits = neighbours_of(vector, NEIGHBOUR_PASSAGES)
    if hits:
        nearest = hits[0][0]
        for similarity, label in hits:
            if label:
                weight = float(np.exp((similarity - nearest) / NEIGHBOUR_TEMPERATURE))
                votes[label] = votes.get(label, 0.0) + weight
    total = sum(votes.values())
    neighbours = {code: weight / total for code, weight in votes.items()} if total else {}
    best_vote = max(neighbours.values(), default=0.0)
    readings = []
    for code in set(lexicon) | {c for c, v in neighbours.items() if v >= 0.5 * best_vote}:
        lex = lexicon[code].confidence if code in lexicon else 0.0
        vote = neighbours.get(code, 0.0) / best_vote if best_vote else 0.0
        confidence = LEXICON_SHARE * lex + (1 - LEXICON_SHARE) * vote if neighbours else lex
        if requested and code not in requested:
            # the neighbours' vote must not undo what was asked for
            confidence *= PROJECT_SHARE if code in project else UNREQUESTED_DISCOUNT
        if matter_named and code in setting:
            confidence *= SECTOR_DISCOUNT  # the directory's solar-plant passages must not make the setting the matter
        evidence = lexicon[code].evidence if code in lexicon else "similar matters in the directory"
        readings.append(Reading(code, round(confidence, 3), evidence))
    readings = _outbound_not_inbound(description, readings)
    readings = _inbound_when_into_china(description, readings)
    readings = _named_areas_lead(worded, readings)
    readings.sort(key=lambda r: (-r.confidence, r.code))
    if readings:
        readings = [r for r in readings if r.confidence >= readings[0].confidence - PRACTICE_MARGIN]
    return readings[:4]


def _project_industries(worded: dict[str, tuple[float, str]], lexicon: dict[str, Reading]) -> set[str]:
    """The industries a need's own words (``worded``: its lexicon scores) surely name (工程款, EPC, 金矿):
    the project a proceeding is about."""
    return {code for code, (lex, _) in worded.items()
            if code in SECTOR_AREAS and code in lexicon and lex >= MATTER_NAMED}


# A term that surely names an area ("设厂", "FIDIC", "transfer pricing").
NAMED_AREA_LEXICON = 0.6
UNNAMED_AREA_CAP = 0.9


def _named_areas_lead(worded: dict[str, tuple[float, str]], readings: list[Reading]) -> list[Reading]:
    """An area no word of the need (``worded``: its lexicon scores) names (only the description
    similarity and the neighbours' vote found it) stays below one a term surely names: "越南设厂" is
    about setting up a plant, whatever the directory's Vietnamese factory passages (mostly labour
    matters) say."""
    named = {code for code, (lex, _) in worded.items() if lex >= NAMED_AREA_LEXICON}
    surest_named = max((r.confidence for r in readings if r.code in named), default=0.0)
    if not surest_named:
        return readings
    cap = round(UNNAMED_AREA_CAP * surest_named, 3)
    return [r if r.code in worded else Reading(r.code, min(r.confidence, cap), r.evidence) for r in readings]


# A foreign investor taking a stake in the writer's (Chinese) company ("想入股我们公司百分之二十")
_STAKE_IN_US = (r"(?:入股|参股|投资|收购|增资|控股|并购|领投|跟投)(?:我司|本公司|我公司|我们公司|我方|我们(?=[，。,；;(（]|[A-E]?轮))|"
                r"对(?:我司|我企业|本企业|我公司|本公司|我们公司|我方)[^，。,；;]{0,6}?(?:增资|入股|投资|收购|参股)|"
                r"(?:领投|跟投|投资|入股)(?:我们|我司)[^，。,；;]{0,12}?[A-E]轮|"  # "领投我们合肥新能源车公司的C轮"
                r"\b(?:stake|invest|investment|shareholding)\s+in\s+(?:us|our company|our group)\b")
# Words that place an investment in China (a foreign investor coming in), not abroad.
_INTO_CHINA = re.compile(r"(?:到|来|在|去)(?:中国)?(?:北京|上海|天津|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|"
                         r"河南|湖北|湖南|广东|海南|四川|贵州|云南|陕西|甘肃|青海|内蒙古|广西|西藏|宁夏|新疆)[^，。,；;]{0,4}?"
                         r"(?:投资|设厂|建厂|设立|办厂)|在中国|在华|中国境内|境内设立|外商独资|外资企业|外商投资企业|引进来|WFOE|\bin China\b|"
                         r"\binto China\b|\bChinese market\b|\bFIE\b|中国市场|国内设立|来华|入股中国|收购中国|"
                         # a foreign investor taking a stake in the writer's (Chinese) company, and China's own review regimes
                         rf"{_STAKE_IN_US}|引进外资|外商投资安全审查|外商投资准入(?:特别管理措施|负面清单)|"
                         r"\b(?:in|of|acquire|buy|into)\s+(?:a\s+|the\s+)?Chinese\s+(?:[\w-]+\s+){0,2}?(?:maker|company|"
                         r"manufacturer|firm|business|startup|target|producer|supplier|JV|joint venture)", re.I)


# Where a plant, JV or company goes ("在青岛再投个新厂", "a JV with a local SOE in Yantai")
_ZH_INVEST_AT_BEFORE = re.compile(r"(?:在|到|去|来|落户|落地|选址)(?:中国)?$")
_ZH_INVEST_AFTER = re.compile(r"^[^，。,；;]{0,8}?(?:投资|再投|投个|设厂|建厂|设立|办厂|开厂|新厂|合资|建个|建一个|落地)")
_EN_INVEST_AT_BEFORE = re.compile(r"\b(?:plant|factory|JV|joint\s+venture|WFOE|facility|subsidiary|company|SOE|partner|site|"
                                  r"zone|park|invest\w*|set\s+up|setting\s+up|build\w*)\b[^.;]{0,30}?\b(?:in|at|near|into)\s+(?:the\s+)?$", re.I)


def _invested_in(description: str) -> set[str]:
    """The countries named as where a plant, a JV or a company goes."""
    norm = description.translate(NORMALISE)
    out: set[str] = set()
    for m in place_mentions(description, world=True):
        if is_cjk(norm[m.start:m.end]):
            if _ZH_INVEST_AT_BEFORE.search(norm[max(0, m.start - 4):m.start]) and _ZH_INVEST_AFTER.match(norm[m.end:m.end + 14]):
                out.add(m.code)
        elif _EN_INVEST_AT_BEFORE.search(norm[max(0, m.start - 60):m.start]):
            out.add(m.code)
    return out


def _into_china(description: str) -> bool:
    return bool(_INTO_CHINA.search(description)) or _invested_in(description) == {"CN"}


def _inbound_when_into_china(description: str, readings: list[Reading]) -> list[Reading]:
    """An investment named as outbound (a JV, a new plant) that goes into a Chinese city and nowhere
    else ("a JV with a local SOE in Yantai") is a foreign investor's: inbound. Hong Kong, Macao and
    Taiwan are abroad to an investment."""
    if not any(r.code == "outbound_investment" for r in readings):
        return readings
    if _invested_in(description) != {"CN"} and not (re.search(_STAKE_IN_US, description, re.I) and not resolve(description)[1]):
        return readings  # "沙特的投资人想入股我们公司", no place of work abroad: inbound too
    inbound = next((r for r in readings if r.code == "inbound_investment"), None)
    outbound = next(r for r in readings if r.code == "outbound_investment")
    merged = Reading("inbound_investment", max(outbound.confidence, inbound.confidence if inbound else 0.0), outbound.evidence)
    return [r for r in readings if r.code not in ("inbound_investment", "outbound_investment")] + [merged]


def _outbound_not_inbound(description: str, readings: list[Reading]) -> list[Reading]:
    """A Chinese enterprise asking about 外资准入 or a free zone in a foreign target country is
    investing out: the inbound words name the host's rules for it, so the area is outbound."""
    inbound = next((r for r in readings if r.code == "inbound_investment"), None)
    if inbound is None or _into_china(description):
        return readings
    places, binding = resolve(description)
    if not binding or any(p.code in binding and p.role in ("origin", "registration", "law") for p in places):
        return readings  # no foreign target, or the foreign party is the client (inbound)
    outbound = next((r for r in readings if r.code == "outbound_investment"), None)
    merged = Reading("outbound_investment", max(inbound.confidence, outbound.confidence if outbound else 0.0),
                     inbound.evidence)
    return [r for r in readings if r.code not in ("inbound_investment", "outbound_investment")] + [merged]
