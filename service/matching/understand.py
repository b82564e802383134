"""Reading a need (or a profile) typed in Chinese or English: countries, languages, practice areas.

Everything here is a general reader built from library data (babel/pycountry names), the
small alias tables of ``service.taxonomy`` and a lexicon of ordinary legal vocabulary; when an
encoder is given, practice areas are also scored by similarity to the areas' descriptions.

Confidence conventions (0..1):
- countries: >= 0.9 an explicit country name; ~0.85 a city or province; ~0.8 an adjective
  ("Kazakh company"); ~0.6 a country named only as a law, forum or sanctions authority
  ("under English law", "在新加坡仲裁", "US sanctions") or an ambiguous name ("Georgia").
  China (CN) is the enterprise's home and is never returned; HK/MO/TW only when nothing else
  is named (then at 0.5), since they are otherwise holding companies or arbitral seats.
- languages: >= 0.9 an explicit requirement for the lawyer ("需要会俄语", "fluent in
  Portuguese"); ~0.6 a document language only ("the contract is in French"); negated
  requirements ("不需要俄语", "we do not need Russian") are not returned; Chinese never is.
- practice areas: lexicon evidence and encoder similarity combined; see ``read_practice_areas``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Protocol

import numpy as np
import pycountry
from babel import Locale

from service import taxonomy


@dataclass(frozen=True)
class Reading:
    code: str
    confidence: float
    evidence: str  # the span read


@dataclass(frozen=True)
class Understanding:
    countries: list[Reading] = field(default_factory=list)
    languages: list[Reading] = field(default_factory=list)
    practice_areas: list[Reading] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "countries": [asdict(r) for r in self.countries],
            "languages": [asdict(r) for r in self.languages],
            "practice_areas": [asdict(r) for r in self.practice_areas],
        }


class _Encoder(Protocol):
    name: str

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_documents(self, texts: Sequence[str]) -> np.ndarray: ...


# Same-length normalisation so that spans found in it are spans of the original text.
_NORMALISE = str.maketrans({"（": "(", "）": ")", "’": "'", "‘": "'", "，": ",", "\u3000": " "})
_EN_WORD = "A-Za-zÀ-ÿ"
_HOME = {"CN", "HK", "MO", "TW"}


def _is_cjk(s: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in s)


def _trie_pattern(surfaces: Iterable[str], wildcard: str = "") -> str:
    """One regex alternation factored as a trie: Python's re tries alternatives one by one, so
    2,000 flat alternatives cost ~20 ms a text; a trie branches on the next character. Longer
    continuations are tried before stopping, so the longest surface wins. With ``wildcard``
    set, a trailing "*" in a surface stands for it (a word prefix)."""
    trie: dict[str, Any] = {}
    for s in surfaces:
        node = trie
        for ch in s:
            node = node.setdefault(ch, {})
        node[""] = True

    def emit(node: dict[str, Any]) -> str:
        branches = []
        for ch in sorted(k for k in node if k):
            if ch == "*" and wildcard:
                branches.append(wildcard + ("" if len(node[ch]) == 1 else emit(node[ch])))
            else:
                branches.append(re.escape(ch) + emit(node[ch]))
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


# ---------------------------------------------------------------------------------------------
# Place gazetteer


@dataclass(frozen=True)
class _Place:
    code: str | None  # None: a blocker ("印度洋", "内蒙古" is CN) that only stops a shorter match
    kind: str  # country | alias | city | demonym | ambiguous | block
    confidence: float


# English country names that are also common words or person/US-state names.
_EN_AMBIGUOUS = {"Georgia", "Jordan", "Chad", "Congo", "Korea", "Dominica", "Jersey", "China"}
# Longer spans that contain a country name but are not that country.
_BLOCKERS = ["印度洋", "印第安", "几内亚湾", "马里兰", "内蒙古", "中非合作", "英属", "美属", "法属",
             "Indian Ocean", "New Guinea Island", "New Mexico", "New Jersey", "Gulf of Guinea",
             "Papua", "Georgia Tech", "Jordan River", "South China Sea", "East China Sea",
             "Latin America", "South America", "North America", "Central America",
             "American Samoa", "Indian-Pacific",
             # conventions and systems named after a place are not that place
             "New York Convention", "纽约公约", "马德里体系", "马德里国际注册", "马德里协定",
             "马德里议定书", "Madrid Protocol", "Madrid System", "Madrid Agreement", "华盛顿公约",
             "Washington Convention", "维也纳公约", "Vienna Convention", "新加坡调解公约",
             "Singapore Convention", "海牙", "Hague", "巴黎公约", "Paris Convention",
             "Paris Agreement", "巴黎协定", "日内瓦公约", "Geneva Convention"]
_LANG_FOLLOWERS_ZH = "语"


def _en_name_variants(name: str) -> Iterable[str]:
    yield name
    if "," in name:  # pycountry "Korea, Republic of" / "Bolivia, Plurinational State of"
        yield name.split(",", 1)[0]
    if " - " in name:  # CLDR "Congo - Kinshasa"
        yield name.replace(" - ", "-")
    if name.startswith("The "):
        yield name[4:]


@lru_cache(maxsize=1)
def _language_words_en() -> frozenset[str]:
    return frozenset(Locale("en").languages.values())


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[dict[str, _Place], dict[str, _Place], re.Pattern[str]]:
    """(case-sensitive entries, lower-cased entries, one longest-first alternation)."""
    exact: dict[str, _Place] = {}
    folded: dict[str, _Place] = {}

    def add(surface: str, place: _Place) -> None:
        surface = surface.translate(_NORMALISE).strip()
        if len(surface) < 2:
            return
        if _is_cjk(surface):
            exact.setdefault(surface, place)
            return
        case_sensitive = len(surface) <= 4 or surface in _EN_AMBIGUOUS or place.kind == "demonym"
        if case_sensitive:
            exact.setdefault(surface, place)
        else:
            folded.setdefault(surface.lower(), place)

    codes = taxonomy.all_countries()
    zh = taxonomy.territory_names("zh")
    en = taxonomy.territory_names("en")
    # Aliases and cities first: setdefault keeps the first reading of a surface.
    for s in _BLOCKERS:
        add(s, _Place(None, "block", 0.0))
    for s, c in taxonomy.ZH_COUNTRY_ALIASES.items():
        add(s, _Place(c, "alias", 0.95))
    add("刚果", _Place("CD", "ambiguous", 0.55))
    for s, c in taxonomy.EN_COUNTRY_ALIASES.items():
        add(s, _Place(c, "ambiguous" if s in _EN_AMBIGUOUS else "alias", 0.6 if s in _EN_AMBIGUOUS else 0.93))
    for c in codes:
        if c in zh:
            add(zh[c], _Place(c, "country", 0.95))
        names = [en.get(c)]
        pc = pycountry.countries.get(alpha_2=c)
        if pc is not None:
            names += [pc.name, getattr(pc, "common_name", None), getattr(pc, "official_name", None)]
        for name in filter(None, names):
            for v in _en_name_variants(name):
                amb = v in _EN_AMBIGUOUS
                add(v, _Place(c, "ambiguous" if amb else "country", 0.6 if amb else 0.95))
    for s, c in taxonomy.CITY_ALIASES.items():
        add(s, _Place(c, "city", 0.9))
    for s, c in taxonomy.EN_DEMONYMS.items():
        add(s, _Place(c, "demonym", 0.85))

    zh_alts = [s for s in exact if _is_cjk(s)]
    en_alts = [s for s in exact if not _is_cjk(s)] + list(folded)
    # English needs word boundaries, Chinese cannot have them. The English trie is matched
    # case-insensitively; case-sensitive entries ("US", "Chad") are checked after the match.
    pattern = re.compile(
        rf"(?<![{_EN_WORD}0-9])(?i:{_trie_pattern(en_alts)})(?![{_EN_WORD}0-9])|"
        + _trie_pattern(zh_alts)
    )
    return exact, folded, pattern


# Nouns after an adjective that make "Russian", "French", ... a country rather than a language.
_COUNTRY_NOUNS = re.compile(
    r"(?:\s+[a-z][\w&-]*){0,3}?\s+(?:company|companies|firm|group|court|courts|law|laws|"
    r"government|authorit\w*|ministry|regulator\w*|customer\w*|client\w*|buyer\w*|seller\w*|"
    r"partner\w*|distributor\w*|dealer\w*|subsidiar\w*|market\w*|bank\w*|tax|customs|owner\w*|"
    r"contractor\w*|project\w*|plant\w*|factor\w*|port\w*|importer\w*|exporter\w*|employee\w*|"
    r"worker\w*|staff|entit\w*|supplier\w*|agent\w*|official\w*|counterpart\w*|investor\w*|"
    r"operator\w*|manufacturer\w*|producer\w*|joint venture|JV|SOE|legislation|regulation\w*|"
    r"competition|tribunal\w*|citizens?|nationals?|brand\w*|consumer\w*|platform\w*|"
    r"refiner\w*|packer\w*|processor\w*|fund\w*|bidder\w*|shipowner\w*|lender\w*)\b",
    re.IGNORECASE,
)
_ZH_NEG_BEFORE = re.compile(r"(?:不是在|不在|并非|而不是|而非|除了|除|不包括|不涉及|不去|不考虑)$")
_EN_NEG_BEFORE = re.compile(r"(?:\bnot (?:in |to |for |from )?|\bexcept (?:for )?|\bexcluding |"
                            r"\bother than |\brather than |\bnor )$", re.I)
# A country named as a law, forum, seat or sanctions authority rather than where the matter is.
_ZH_FORUM_AFTER = re.compile(r"^(?:[和及与、][^，。,；;]{1,6}?)?(?:[^，。,；;]{0,3}?)(?:仲裁|法律管辖|法管辖|法律|法》|法\b|《|制裁|"
                             r"出口管制|商务部|财政部|列名|列入|政府列|长臂)")
_ZH_FORUM_BEFORE = re.compile(r"(?:在|于|适用|按照|依据|根据|受)$")
_EN_FORUM_AFTER = re.compile(r"^['’]?s?(?:\s+(?:and|or|&)\s+(?:the\s+)?[A-Z][\w.]*)?\s*(?:law|laws|arbitration|sanctions?|export control\w*|"
                             r"Entity List|jurisdiction|-seated|seated|courts? of arbitration)\b", re.I)
_EN_FORUM_BEFORE = re.compile(r"(?:governed by|under|seated in|seat in|seat of|subject to)"
                              r"\s+(?:the\s+)?(?:laws? of\s+)?$", re.I)


_EN_LANGUAGE_BEFORE = re.compile(r"(?:\bin|speak\w*|fluent|proficient|read|write|native)\s+$", re.I)
# Where the lawyer studied or visited is not where the matter is.
_ZH_STUDY = re.compile(r"留学|访学|访问学者|毕业于|法学硕士|学位|攻读|进修")
_EN_STUDY = re.compile(r"\bLL\.?M\b|\buniversity\b|\bgraduated\b|\bstudied\b|\bdegree\b|"
                       r"\bvisiting scholar\b", re.I)
_SENT_END = re.compile(r"[。！？!?；;\n]|\.(?:\s|$)")


def _sentence_around(text: str, start: int, end: int) -> str:
    lo = 0
    for m in _SENT_END.finditer(text, max(0, start - 200), start):
        lo = m.end()
    m = _SENT_END.search(text, end)
    return text[lo:m.start() if m else len(text)]


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    code: str | None
    kind: str
    confidence: float
    negated: bool


# Each text is scanned twice (its readings, then mask_places for the text encoded), in a request
# and in a rebuild's batch alike; the scan is the costliest step of reading a profile.
@lru_cache(maxsize=16384)
def _place_mentions(text: str) -> tuple[_Mention, ...]:
    exact, folded, pattern = _gazetteer()
    norm = text.translate(_NORMALISE)
    language_words = _language_words_en()
    out: list[_Mention] = []
    for m in pattern.finditer(norm):
        s = m.group(0)
        place = exact.get(s) or folded.get(s.lower())
        if place is None:
            continue
        after = norm[m.end():m.end() + 24]
        before = norm[max(0, m.start() - 14):m.start()]
        if place.code is None:
            out.append(_Mention(m.start(), m.end(), None, "block", 0.0, False))
            continue
        cjk = _is_cjk(s)
        conf = place.confidence
        if cjk:
            # 越南语 / 葡萄牙语 / 印尼文 name a language, not the country.
            if after[:1] == _LANG_FOLLOWERS_ZH or (after[:1] == "文" and after[1:2] not in "件化书物"):
                continue
            negated = bool(_ZH_NEG_BEFORE.search(before))
            if _ZH_FORUM_AFTER.search(after):
                conf = min(conf, 0.6)
            if _ZH_STUDY.search(_sentence_around(norm, m.start(), m.end())):
                conf = min(conf, 0.5)
        else:
            if place.kind == "demonym" and s in language_words and (
                    not _COUNTRY_NOUNS.match(after) or _EN_LANGUAGE_BEFORE.search(before)):
                continue  # "fluent in Portuguese" is a language
            if after.startswith("-speaking") or after.startswith(" speaking"):
                continue
            negated = bool(_EN_NEG_BEFORE.search(before))
            if _EN_FORUM_AFTER.search(after) or _EN_FORUM_BEFORE.search(norm[max(0, m.start() - 30):m.start()]):
                conf = min(conf, 0.6)
            if _EN_STUDY.search(_sentence_around(norm, m.start(), m.end())):
                conf = min(conf, 0.5)
        out.append(_Mention(m.start(), m.end(), place.code, place.kind, conf, negated))
    return tuple(out)


def read_countries(text: str) -> list[Reading]:
    """Target countries named in the text, most confident first (see the module docstring)."""
    best: dict[str, tuple[float, str, int]] = {}
    negated: set[str] = set()
    for mention in _place_mentions(text):
        if mention.code is None:
            continue
        if mention.negated:
            negated.add(mention.code)
            continue
        conf, evidence, n = best.get(mention.code, (0.0, "", 0))
        span = text[mention.start:mention.end]
        if mention.confidence > conf:
            conf, evidence = mention.confidence, span
        best[mention.code] = (conf, evidence, n + 1)
    readings = []
    for code, (conf, evidence, n) in best.items():
        if code in negated:
            conf *= 0.5  # named both ways ("not in Vietnam but in Cambodia, near Vietnam")
        conf = min(0.99, conf + 0.04 * (n - 1))  # repeated mentions add a little
        readings.append(Reading(code, round(conf, 3), evidence))
    foreign = [r for r in readings if r.code not in _HOME]
    if foreign:
        readings = foreign
    else:
        readings = [Reading(r.code, min(r.confidence, 0.5), r.evidence)
                    for r in readings if r.code != "CN"]
    return sorted(readings, key=lambda r: (-r.confidence, r.code))


# The enterprise describing itself names its own origin, not where it needs counsel.
_ZH_SELF = re.compile(r"(?:我们|我司|本公司|我方|公司)(?:是|系|为)[^，。,；;]*$")
_EN_SELF = re.compile(r"\b(?:we are|we're|our company is|as)\s+(?:a|an)\b[^,.;]*$", re.I)
_LISTED_AFTER = re.compile(r"^(?:上市|-listed|\s+listed|\s+publicly listed)")
_COORDINATION = re.compile(r"^\s*(?:和|及|与|、|以及|或|或者|,|/|and|or|&|as well as)\s*(?:the\s+)?$", re.I)
ORIGIN_CONFIDENCE = 0.5
SECONDARY_CONFIDENCE = 0.6
SOLE_TARGET_CONFIDENCE = 0.9


def read_target_countries(text: str) -> list[Reading]:
    """The countries a need is about, with the confidence that each is a target.

    Beyond read_countries: a country in the enterprise's self-description or listing venue is its
    origin; when only one foreign country is left it is the target whatever its role in the
    sentence (an investigating authority's country is the forum too); when several are left, the
    most confident (then the first) is the target, with those coordinated with it ("Kazakhstan and
    Uzbekistan"), and the others are secondary mentions that rank softly.
    """
    norm = text.translate(_NORMALISE)
    mentions = [m for m in _place_mentions(text) if m.code and m.code not in _HOME and not m.negated]
    if not mentions:
        return read_countries(text)
    read = {r.code: r for r in read_countries(text)}
    origin: set[str] = set()
    for m in mentions:
        before = norm[max(0, m.start - 30):m.start]
        if _ZH_SELF.search(before) or _EN_SELF.search(before) or _LISTED_AFTER.match(norm[m.end:m.end + 20]):
            origin.add(m.code)
    candidates = [r for code, r in read.items() if code not in origin and r.confidence > ORIGIN_CONFIDENCE]
    if not candidates:
        # Only the enterprise's own country is named: a foreign company coming to China (inbound)
        # needs counsel for clients from there, so its origin is what the need is about.
        candidates = [read[code] for code in origin if code in read]
        origin = set()
        if not candidates:
            return list(read.values())
    first_at = {}
    for m in mentions:
        first_at.setdefault(m.code, m.start)
    primary = min(candidates, key=lambda r: (-r.confidence, first_at.get(r.code, len(norm))))
    targets = {primary.code}
    # grow the target group along coordinated mentions: "哈萨克斯坦、乌兹别克斯坦和吉尔吉斯斯坦"
    ordered = sorted(mentions, key=lambda m: m.start)
    changed = True
    while changed:
        changed = False
        for left, right in zip(ordered, ordered[1:]):
            if (left.code in targets) != (right.code in targets) and _COORDINATION.match(norm[left.end:right.start]):
                targets.add(left.code if right.code in targets else right.code)
                changed = True
    out = []
    for code, r in read.items():
        if code in origin:
            conf = min(r.confidence, ORIGIN_CONFIDENCE)
        elif code in targets:
            conf = max(r.confidence, SOLE_TARGET_CONFIDENCE) if len(targets) == 1 else r.confidence
        else:
            conf = min(r.confidence, SECONDARY_CONFIDENCE)
        out.append(Reading(code, round(conf, 3), r.evidence))
    return sorted(out, key=lambda r: (-r.confidence, r.code))


def mask_places(text: str) -> str:
    """Replace every country, city and adjective of place with a neutral token of its script."""
    pieces: list[str] = []
    last = 0
    for mention in _place_mentions(text):
        if mention.code is None:
            continue
        span = text[mention.start:mention.end]
        if _is_cjk(span):
            token = "某地" if mention.kind == "city" else "某国"
        elif mention.kind == "demonym":
            token = "foreign"
        else:
            token = "the city" if mention.kind == "city" else "the country"
        pieces.append(text[last:mention.start])
        pieces.append(token)
        last = mention.end
    pieces.append(text[last:])
    return "".join(pieces)


# ---------------------------------------------------------------------------------------------
# Languages

_ZH_FILE_AFTER = "件化书物学"


@lru_cache(maxsize=1)
def _language_lexicon() -> tuple[dict[str, str], re.Pattern[str]]:
    codes = taxonomy.all_languages()
    zh = taxonomy.language_names("zh")
    en = taxonomy.language_names("en")
    surfaces: dict[str, str] = {}
    for c in codes:
        name = zh.get(c)
        if name and len(name) >= 2:
            surfaces.setdefault(name, c)
            if name.endswith("语"):
                surfaces.setdefault(name[:-1] + "文", c)
        name = en.get(c)
        if name and len(name) >= 3 and name[0].isupper():
            surfaces.setdefault(name, c)
    for s, c in {**taxonomy.ZH_LANGUAGE_ALIASES, **taxonomy.EN_LANGUAGE_ALIASES}.items():
        surfaces.setdefault(s, c)
    zh_alts = [s for s in surfaces if _is_cjk(s)]
    en_alts = [s for s in surfaces if not _is_cjk(s)]
    pattern = re.compile(
        rf"(?<![{_EN_WORD}])(?:{_trie_pattern(en_alts)})(?![{_EN_WORD}])|" + _trie_pattern(zh_alts)
    )
    return surfaces, pattern


_CLAUSE = re.compile(r"[。；;！!？?\n]|[，,、](?!\s*(?:and|or)\b)|\bbut\b|但|不过|而且")
_ZH_NEG = re.compile(r"不需要|不需|无需|不必|不用|不要求|没必要|不一定|不强求|不会|不懂|不限")
_ZH_NEG_AFTER = re.compile(r"^[^，。,；;]{0,6}(?:不是必须|不作要求|不做要求|不要求|非必需|不需要|不必|可有可无)")
_EN_NEG = re.compile(r"\b(?:do(?:es)?\s*n[o']t\s+(?:need|require|have to)|no\s+need|need\s+not|"
                     r"needn't|not\s+(?:need|require)|without|no\s+(?:\w+\s+)?(?:skills?\s+)?(?:in\s+)?$|"
                     r"not\s+necessar\w*|isn't\s+necessary|not\s+required|don't\s+speak)\b", re.I)
_EN_NEG_AFTER = re.compile(r"^[^,.;]{0,25}\b(?:is|are)?\s*(?:not\s+(?:required|necessary|needed|a must|"
                           r"essential)|optional|unnecessary)", re.I)
# Words saying the lawyer must use the language.
_ZH_REQ = re.compile(r"会|懂|精通|熟悉|掌握|流利|熟练|能看|能读|看懂|读懂|能用|使用|用|说|讲|具备|擅长|通晓|沟通|母语")
_ZH_REQ_AFTER = re.compile(r"^[^，。,；;]{0,8}?(?:流利|好|能力|沟通|熟练|母语|的律师|律师|服务|工作|水平|交流|谈判)")
_ZH_REQ_LATER = re.compile(r"(?:律师|团队|对方律师以外)[^。；;]{0,6}(?:需要|要|必须|应当|最好)[^。；;]{0,4}"
                           r"(?:能看懂|看得懂|看懂|能读|读懂|会|懂|能用|熟悉)")
_ZH_DOC_AFTER = re.compile(r"^的?(?:文本|合同|文件|材料|证据|法规|账目|版本|资料|条款|原文|单据)")
_EN_REQ_BEFORE = re.compile(
    r"(?:speak\w*|fluen\w*|proficien\w*|command of|knowledge of|conversant in|native|bilingual|"
    r"working|read\w*|writ\w*|skills? in|handle|communicate in|negotiate in|argue in|work in|"
    r"answer \w+(?: \w+)? in|draft \w+(?: \w+)? in|must (?:have|know)|knows?)\W+(?:in\W+)?$", re.I)
_EN_REQ_AFTER = re.compile(r"^(?:-?speak\w*|\s+speak\w*|\s+(?:language\s+)?skills?|\s+fluency|"
                           r"\s+(?:is|are)\s+(?:required|a must|essential|needed)|\s+speakers?|"
                           r"-language counsel|\s+(?:native|fluent))", re.I)
_EN_DOC = re.compile(r"(?:\b(?:is|are|was|were)\s+(?:written\s+|drafted\s+)?(?:all\s+|mostly\s+)?in|"
                     r"\bwritten in)\s+$", re.I)


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    lo = 0
    for m in _CLAUSE.finditer(text, 0, start):
        lo = m.end()
    m = _CLAUSE.search(text, end)
    return lo, (m.start() if m else len(text))


def read_languages(text: str) -> list[Reading]:
    """Working languages the lawyer must have, besides Chinese (see the module docstring)."""
    surfaces, pattern = _language_lexicon()
    norm = text.translate(_NORMALISE)
    positive: dict[str, tuple[float, str]] = {}
    for m in pattern.finditer(norm):
        s = m.group(0)
        code = surfaces[s]
        if code == "zh":
            continue
        lo, hi = _clause_bounds(norm, m.start(), m.end())
        before, after = norm[lo:m.start()], norm[m.end():hi]
        if _is_cjk(s):
            prev = norm[m.start() - 1:m.start()]
            if s.endswith("文") and (after[:1] in _ZH_FILE_AFTER or prev in "合违非立司执宪"):
                continue
            if _ZH_NEG.search(before) or _ZH_NEG_AFTER.search(after):
                continue
            doc = bool(_ZH_DOC_AFTER.search(after)) or bool(re.search(r"(?:是|都是|多是|用)$", before))
            req = bool(_ZH_REQ.search(before[-8:])) or bool(_ZH_REQ_AFTER.search(after))
            if not req and _ZH_REQ_LATER.search(_sentence_around(norm, m.end(), m.end())):
                req = True  # "文件多是阿拉伯语，律师需要能看懂"
            conf = 0.92 if req else (0.6 if doc else 0.7)
        else:
            wide_before = norm[max(0, m.start() - 40):m.start()]
            if _EN_NEG.search(before) or _EN_NEG_AFTER.search(after):
                continue
            req = bool(_EN_REQ_BEFORE.search(wide_before)) or bool(_EN_REQ_AFTER.search(after))
            doc = bool(_EN_DOC.search(wide_before)) or bool(
                re.match(r"^(?:-language)?\s+(?:documents?|contracts?|texts?|version|materials?|"
                         r"evidence|records?|filings?|regulations?)", after, re.I))
            if req:
                conf = 0.92
            elif doc:
                conf = 0.6
            elif re.search(r"\bin\s+$", wide_before):
                conf = 0.75  # "answer the questionnaire in Spanish"
            elif re.match(r"^\s+(?:language|translation)", after, re.I):
                conf = 0.7
            else:
                continue  # "Russian customers": an adjective, not a requirement
        if conf > positive.get(code, (0.0, ""))[0]:
            positive[code] = (conf, text[m.start():m.end()])
    return sorted((Reading(c, v[0], v[1]) for c, v in positive.items()),
                  key=lambda r: (-r.confidence, r.code))


# ---------------------------------------------------------------------------------------------
# Practice areas: a lexicon of ordinary legal vocabulary. Weight ~0.9: the term alone names
# the area; ~0.6: typical of it; ~0.3: a hint. An English term ending in "*" is a word prefix.

_LEXICON: dict[str, dict[str, float]] = {
    "international_arbitration": {
        "仲裁": 0.85, "仲裁庭": 0.9, "仲裁员": 0.9, "仲裁条款": 0.9, "贸仲": 0.9, "裁决": 0.4,
        "投资仲裁": 0.95, "投资保护协定": 0.75, "双边投资协定": 0.8, "投资争端": 0.8, "索赔": 0.25,
        "arbitra*": 0.85, "tribunal*": 0.5, "investment treaty": 0.8, "ISDS": 0.9, "ICSID": 0.9,
        "SIAC": 0.9, "HKIAC": 0.9, "CIETAC": 0.9, "ICC": 0.6, "LCIA": 0.9, "UNCITRAL": 0.7,
        "bilateral investment": 0.8, "award": 0.3, "claim*": 0.2,
    },
    "cross_border_litigation": {
        "诉讼": 0.75, "起诉": 0.75, "法院": 0.6, "判决": 0.65, "执行": 0.35, "承认和执行": 0.7,
        "承认与执行": 0.7, "申请执行": 0.6, "财产保全": 0.85, "保全": 0.6, "冻结": 0.5, "查封": 0.6,
        "资产追踪": 0.85, "转移资产": 0.5, "开庭": 0.65, "出庭": 0.6, "被告": 0.6, "原告": 0.6,
        "告到": 0.7, "追讨": 0.45, "欠款": 0.3, "上诉": 0.6,
        "litigat*": 0.85, "lawsuit*": 0.85, "sued": 0.75, "sue": 0.7, "suing": 0.7, "court*": 0.5,
        "judgment*": 0.6, "judgement*": 0.6, "enforc*": 0.35, "freezing order": 0.85,
        "asset tracing": 0.85, "attach*": 0.35, "injunction*": 0.65, "plaintiff*": 0.6,
        "defendant*": 0.6, "recognition and enforcement": 0.6, "debt recovery": 0.5, "appeal*": 0.4,
    },
    "trade_remedies": {
        "反倾销": 0.95, "倾销": 0.9, "反补贴": 0.95, "补贴调查": 0.8, "保障措施": 0.95, "两反一保": 0.95,
        "贸易救济": 0.95, "反规避": 0.9, "日落复审": 0.9, "期中复审": 0.85, "问卷": 0.45, "实地核查": 0.6,
        "单独税率": 0.8, "临时关税": 0.6, "产业损害": 0.85, "世贸": 0.6, "世界贸易组织": 0.6, "WTO": 0.6,
        "进口限制": 0.4, "补贴措施": 0.6, "关税": 0.25,
        "anti-dumping": 0.95, "antidumping": 0.95, "dumping": 0.9, "countervail*": 0.95,
        "anti-subsidy": 0.95, "safeguard investigation*": 0.95, "safeguard measure*": 0.95,
        "safeguard dut*": 0.95, "trade remed*": 0.95, "anti-circumvention": 0.9, "sunset review": 0.9,
        "questionnaire*": 0.45, "duty rate*": 0.6, "material injury": 0.8, "tariff*": 0.25,
        "Section 301": 0.6, "Section 232": 0.6, "dispute settlement": 0.4,
    },
    "export_control_sanctions": {
        "实体清单": 0.95, "出口管制": 0.95, "制裁": 0.85, "出口许可": 0.75, "两用物项": 0.9, "物项": 0.6,
        "最终用户": 0.6, "最终用途": 0.6, "列名": 0.55, "被列入": 0.45, "长臂管辖": 0.8, "再出口": 0.8,
        "转口": 0.3, "不可靠实体清单": 0.95, "阻断": 0.5, "管制物项": 0.9, "受控": 0.5, "美国零部件": 0.5,
        "股权背景": 0.35, "筛查": 0.5, "ECCN": 0.9, "OFAC": 0.95, "SDN": 0.9,
        "entity list": 0.95, "export control*": 0.95, "sanction*": 0.85, "export licen*": 0.8,
        "dual-use": 0.9, "EAR": 0.8, "end-user*": 0.6, "end user*": 0.6, "end-use": 0.6,
        "re-export*": 0.8, "screening": 0.5, "blocking statute": 0.7, "foreign direct product": 0.85,
        "embargo*": 0.85, "denied part*": 0.85,
    },
    "compliance_anticorruption": {
        "反腐败": 0.95, "反腐": 0.9, "腐败": 0.85, "贿赂": 0.9, "行贿": 0.9, "受贿": 0.9, "回扣": 0.85,
        "反海外腐败法": 0.95, "合规": 0.4, "内部调查": 0.85, "举报": 0.6, "世界银行": 0.5, "世行": 0.5,
        "取消资格": 0.5, "廉政": 0.85, "欺诈": 0.5, "加急费": 0.85, "疏通费": 0.9, "合规体系": 0.7,
        "合规计划": 0.7, "虚开发票": 0.6, "利益冲突": 0.5, "FCPA": 0.95,
        "brib*": 0.9, "corrupt*": 0.85, "Bribery Act": 0.95, "kickback*": 0.85,
        "facilitation payment*": 0.9, "internal investigation*": 0.85, "whistleblow*": 0.7,
        "debar*": 0.9, "World Bank": 0.5, "compliance program*": 0.7, "compliance": 0.35,
        "fraud*": 0.5, "integrity": 0.45, "anti-money laundering": 0.6,
    },
    "intellectual_property": {
        "商标": 0.9, "抢注": 0.9, "专利": 0.9, "知识产权": 0.95, "版权": 0.85, "著作权": 0.85, "侵权": 0.5,
        "仿冒": 0.8, "假货": 0.8, "山寨": 0.7, "商业秘密": 0.8, "技术秘密": 0.8, "技术许可": 0.7,
        "品牌": 0.35, "域名": 0.6, "异议": 0.35, "无效宣告": 0.6, "技术出口": 0.4, "海关备案": 0.6,
        "trademark*": 0.9, "trade mark*": 0.9, "patent*": 0.9, "copyright*": 0.85,
        "counterfeit*": 0.85, "squat*": 0.7, "intellectual property": 0.95, "IP": 0.5,
        "infring*": 0.6, "trade secret*": 0.8, "brand*": 0.35, "logo*": 0.5, "domain name*": 0.6,
        "know-how": 0.6, "licensor": 0.5, "licensee": 0.5,
    },
    "construction_infrastructure": {
        "FIDIC": 0.95, "EPC": 0.9, "总包": 0.85, "总承包": 0.9, "承包商": 0.7, "承包": 0.6, "分包": 0.6,
        "工程": 0.5, "工期": 0.8, "误期": 0.7, "工程师": 0.4, "投标": 0.6, "招标": 0.6, "中标": 0.6,
        "保函": 0.6, "履约保函": 0.7, "PPP": 0.8, "BOT": 0.85, "特许经营": 0.7, "特许期": 0.7,
        "基础设施": 0.85, "施工": 0.7, "业主": 0.45, "设计变更": 0.7, "竣工": 0.7, "黄皮书": 0.9,
        "红皮书": 0.9, "银皮书": 0.9, "公路": 0.4, "铁路改造": 0.5, "桥梁": 0.5, "管线": 0.4,
        "FIDIC*": 0.95, "contractor*": 0.7, "subcontract*": 0.6, "construction": 0.8,
        "extension of time": 0.85, "liquidated damages": 0.5, "tender*": 0.6, "bidding": 0.5,
        "performance bond*": 0.7, "Red Book": 0.9, "Yellow Book": 0.9, "Silver Book": 0.9,
        "concession*": 0.7, "infrastructure": 0.8, "the engineer": 0.6, "variation order*": 0.7,
        "site handover": 0.6, "handover of the site": 0.7, "EPC*": 0.9,
    },
    "energy_resources": {
        "能源": 0.8, "光伏": 0.9, "风电": 0.9, "水电": 0.8, "电站": 0.7, "电力": 0.7, "售电": 0.85,
        "购电": 0.85, "新能源": 0.85, "储能": 0.8, "采矿": 0.85, "矿权": 0.9, "矿业": 0.9, "矿产": 0.9,
        "矿山": 0.85, "煤矿": 0.85, "镍矿": 0.85, "铜矿": 0.85, "金矿": 0.85, "锂矿": 0.85,
        "勘探": 0.8, "石油": 0.8, "油田": 0.85, "天然气": 0.85, "油气": 0.9, "炼油": 0.7, "兆瓦": 0.6,
        "本地成分": 0.5, "氢能": 0.8, "钻井": 0.7, "电网": 0.7,
        "energy": 0.75, "solar": 0.85, "photovoltaic": 0.9, "wind farm*": 0.9, "wind power": 0.9,
        "hydropower": 0.85, "power plant*": 0.7, "power station*": 0.7, "power purchase": 0.9,
        "PPA": 0.8, "mining": 0.85, "mine": 0.6, "mines": 0.6, "mineral*": 0.8,
        "exploration": 0.7, "oil": 0.6, "oil and gas": 0.9, "petroleum": 0.85, "lithium": 0.7,
        "nickel": 0.6, "copper": 0.5, "cobalt": 0.6, "coal": 0.6, "renewable*": 0.9, "MW": 0.6,
        "megawatt*": 0.6, "local content": 0.5, "drilling": 0.7, "refinery": 0.6, "LNG": 0.85,
        "electricity": 0.6, "grid": 0.4,
        # consumed so that "oil" in them is not energy
        "palm oil": 0.0, "edible oil": 0.0, "edible oils": 0.0, "cooking oil": 0.0, "食用油": 0.0,
    },
    "finance_capital_markets": {
        "上市": 0.75, "IPO": 0.9, "债券": 0.9, "发债": 0.9, "贷款": 0.8, "融资": 0.75, "项目融资": 0.9,
        "担保": 0.55, "抵押": 0.6, "质押": 0.6, "银团": 0.9, "证监会": 0.6, "交易所": 0.6, "保荐": 0.8,
        "法律意见书": 0.45, "有限追索": 0.9, "内保外贷": 0.9, "跨境担保": 0.85, "外汇登记": 0.45,
        "中信保": 0.6, "监管账户": 0.5, "贷款行": 0.8, "银行": 0.25,
        "IPO*": 0.9, "listing": 0.6, "bond issu*": 0.9, "bonds": 0.6, "loan*": 0.75,
        "project finance": 0.9, "financing": 0.6, "lender*": 0.75, "security package": 0.7,
        "guarantee*": 0.45, "mortgage*": 0.6, "pledge*": 0.6, "capital market*": 0.9,
        "stock exchange": 0.6, "syndicat*": 0.7, "facility agreement": 0.9, "credit facilit*": 0.8,
        "refinanc*": 0.8,
    },
    "restructuring_insolvency": {
        "破产": 0.95, "重组": 0.6, "重整": 0.9, "清算": 0.7, "债务重组": 0.95, "管理人": 0.55,
        "债权人": 0.6, "债务危机": 0.6, "不良资产": 0.8, "展期": 0.5, "资不抵债": 0.9,
        "bankrupt*": 0.95, "insolven*": 0.95, "restructur*": 0.6, "reorgani*": 0.8,
        "administrator*": 0.5, "liquidat*": 0.75, "creditor*": 0.6, "haircut*": 0.7,
        "distressed": 0.8, "receiver*": 0.6, "debt crisis": 0.5, "Chapter 11": 0.9,
        "moratori*": 0.5, "debt restructuring": 0.95,
    },
    "inbound_investment": {
        "外商投资": 0.95, "外资企业": 0.9, "外商独资": 0.9, "外商": 0.6, "引进来": 0.9, "负面清单": 0.85,
        "安全审查": 0.7, "自贸区": 0.7, "自由贸易试验区": 0.75, "自贸试验区": 0.75, "自由贸易港": 0.7,
        "在华投资": 0.9, "来华投资": 0.9, "外国投资者": 0.8, "保税": 0.4, "外资准入": 0.9,
        "inbound": 0.9, "foreign-invested": 0.95, "wholly foreign-owned": 0.95, "WFOE": 0.95,
        "negative list": 0.85, "pilot FTZ": 0.8, "free trade zone": 0.6, "free trade port": 0.7,
        "invest in China": 0.9, "investment in China": 0.9, "into China": 0.6,
        "foreign investor*": 0.6, "security review": 0.6, "Chinese maker": 0.5,
        "Chinese company": 0.3, "in China": 0.4, "bonded": 0.4,
    },
    "outbound_investment": {
        "境外投资": 0.95, "对外投资": 0.9, "出海投资": 0.9, "投资备案": 0.8, "ODI": 0.95, "发改委": 0.6,
        "商务部门": 0.4, "外汇": 0.3, "并购": 0.85, "收购": 0.8, "股权": 0.4, "尽职调查": 0.7,
        "尽调": 0.7, "合资": 0.85, "设立子公司": 0.8, "子公司": 0.25, "建厂": 0.7, "设厂": 0.7,
        "新建": 0.4, "园区": 0.5, "投资协议": 0.6, "投资优惠": 0.6, "土地": 0.3, "独资": 0.5,
        "交易结构": 0.7, "资金出境": 0.8, "公司章程": 0.6, "绿地": 0.8,
        "acqui*": 0.8, "merger*": 0.4, "joint venture*": 0.85, "JV": 0.85, "due diligence": 0.7,
        "greenfield": 0.9, "subsidiar*": 0.3, "outbound": 0.9, "investment agreement*": 0.6,
        "share purchase": 0.8, "stake": 0.5, "industrial park*": 0.7, "land lease": 0.5,
        "set up a plant": 0.7, "build a plant": 0.7, "build a factory": 0.7, "shareholders' agreement": 0.7,
    },
    "labor_employment": {
        "劳动": 0.8, "劳工": 0.85, "用工": 0.85, "员工": 0.35, "工人": 0.6, "裁员": 0.95, "裁减": 0.8,
        "解雇": 0.9, "辞退": 0.9, "工会": 0.9, "罢工": 0.9, "工作许可": 0.95, "工作签证": 0.9,
        "签证": 0.6, "居留": 0.7, "外籍工人": 0.8, "外派": 0.6, "本地员工": 0.65, "本地化": 0.5,
        "配额": 0.4, "补偿": 0.3, "社保": 0.7, "社会保险": 0.7, "劳动合同": 0.9, "劳资": 0.9,
        "加班": 0.7, "工资": 0.6, "最低工资": 0.8, "招聘": 0.45,
        "employment": 0.8, "employee*": 0.45, "labour": 0.8, "labor": 0.8, "worker*": 0.6,
        "trade union*": 0.9, "the union": 0.8, "labour union*": 0.9, "strike*": 0.6,
        "walked out": 0.6, "dismiss*": 0.7, "layoff*": 0.9, "lay off": 0.9, "redundanc*": 0.9,
        "retrench*": 0.9, "work permit*": 0.95, "visa*": 0.6, "residence permit*": 0.8,
        "expatriate*": 0.6, "quota*": 0.35, "Nitaqat": 0.9, "Saudization": 0.9, "Saudisation": 0.9, "severance": 0.9,
        "wage*": 0.6, "collective bargaining": 0.9, "hiring": 0.45,
    },
    "tax": {
        "税务": 0.85, "税收": 0.7, "所得税": 0.8, "预提税": 0.95, "转让定价": 0.95, "关联交易": 0.7,
        "常设机构": 0.95, "税收协定": 0.95, "双重征税": 0.95, "补缴": 0.45, "补税": 0.45, "税务局": 0.85,
        "税局": 0.85, "增值税": 0.45, "税收居民": 0.9, "税率": 0.35, "反避税": 0.9, "稽查": 0.5,
        "分红": 0.35, "股息": 0.5, "税务筹划": 0.9, "加工费": 0.3,
        "tax": 0.75, "taxes": 0.75, "taxation": 0.85, "transfer pricing": 0.95, "withholding": 0.9,
        "permanent establishment": 0.95, "tax treat*": 0.95, "double tax*": 0.95, "VAT": 0.4,
        "dividend*": 0.4, "tax authorit*": 0.85, "tax residen*": 0.9, "BEPS": 0.9,
    },
    "maritime_logistics": {
        "船": 0.5, "船舶": 0.9, "船东": 0.9, "扣船": 0.95, "租船": 0.9, "期租": 0.9, "程租": 0.9,
        "提单": 0.95, "货代": 0.85, "海运": 0.9, "海事": 0.95, "海商": 0.95, "集装箱": 0.6, "货损": 0.9,
        "物流": 0.85, "运输": 0.6, "承运人": 0.85, "中欧班列": 0.9, "联运": 0.9, "运单": 0.8,
        "滞期": 0.9, "共同海损": 0.95, "燃油": 0.5, "放货": 0.85, "船员": 0.8, "保赔": 0.9,
        "卸货": 0.6, "装货": 0.5, "到港": 0.4, "船公司": 0.9,
        "vessel*": 0.85, "ship": 0.4, "ships": 0.6, "shipping": 0.6, "shipowner*": 0.9,
        "charter*": 0.85, "bill of lading": 0.95, "bills of lading": 0.95, "cargo": 0.8,
        "freight": 0.8, "off-hire": 0.95, "demurrage": 0.95, "lien": 0.5, "arrest*": 0.45,
        "carrier*": 0.7, "container*": 0.55, "logistics": 0.85, "forwarder*": 0.85,
        "discharge port": 0.8, "maritime": 0.95, "admiralty": 0.95, "P&I": 0.9, "bunker*": 0.8,
        "rail freight": 0.9, "multimodal": 0.9, "CMR": 0.8,
    },
    "cross_border_ecommerce": {
        "跨境电商": 0.95, "电商": 0.9, "电子商务": 0.9, "亚马逊": 0.8, "独立站": 0.95, "店铺": 0.7,
        "封号": 0.9, "封店": 0.9, "网店": 0.85, "平台": 0.35, "卖家": 0.65, "消费者": 0.6, "召回": 0.7,
        "产品责任": 0.7, "小包裹": 0.8, "包裹": 0.6, "直邮": 0.8, "海外仓": 0.85, "退货": 0.6,
        "直播带货": 0.9,
        "e-commerce": 0.95, "ecommerce": 0.95, "marketplace*": 0.85, "Amazon": 0.8,
        "Shopee": 0.85, "Lazada": 0.85, "TikTok Shop": 0.85, "Temu": 0.85, "SHEIN": 0.7,
        "Mercado Libre": 0.85, "eBay": 0.85, "AliExpress": 0.85, "store account*": 0.85,
        "online store*": 0.9, "online shop*": 0.9, "consumer*": 0.55, "recall*": 0.6,
        "product liability": 0.7, "parcel*": 0.7, "dropship*": 0.9, "fulfilment": 0.7, "fulfillment": 0.7,
        "online sales": 0.8, "sellers": 0.5, "seller account*": 0.85,
    },
    "data_privacy": {
        "个人信息": 0.95, "个人数据": 0.95, "数据出境": 0.95, "数据保护": 0.95, "隐私": 0.9, "GDPR": 0.95,
        "PIPL": 0.95, "数据本地化": 0.95, "境内存储": 0.6, "数据合规": 0.95, "标准合同": 0.55,
        "安全评估": 0.5, "监控": 0.45, "指纹": 0.7, "生物识别": 0.8, "数据": 0.35, "服务器": 0.5,
        "网络安全": 0.7, "告知": 0.3, "客户数据": 0.7, "员工信息": 0.7, "用户数据": 0.7,
        "personal data": 0.95, "privacy": 0.9, "data protection": 0.95, "data locali*": 0.95,
        "data transfer*": 0.8, "DPIA": 0.95, "data subject*": 0.9, "CCPA": 0.95, "LGPD": 0.95,
        "PDPA": 0.95, "cross-border data": 0.9, "data": 0.3, "server*": 0.4, "cookie*": 0.7,
        "biometric*": 0.8, "user data": 0.7, "surveillance": 0.5, "cybersecurity": 0.6,
        "personal information": 0.95,
    },
    "antitrust": {
        "反垄断": 0.95, "垄断": 0.9, "经营者集中": 0.95, "竞争管理": 0.9, "竞争主管": 0.9,
        "竞争委员会": 0.9, "竞争法": 0.9, "竞争局": 0.9, "滥用市场支配地位": 0.95, "市场支配": 0.9,
        "卡特尔": 0.95, "价格操纵": 0.9, "宽大": 0.7, "合并控制": 0.95, "并购申报": 0.9,
        "限制竞争": 0.9, "竞争对手": 0.4, "申报": 0.3,
        "antitrust": 0.95, "anti-trust": 0.95, "competition": 0.5, "competition authorit*": 0.95,
        "competition regulator*": 0.95, "competition law*": 0.95, "competition commission": 0.95,
        "merger control": 0.95, "merger filing*": 0.95, "merger clearance": 0.95, "cartel*": 0.95,
        "price-fixing": 0.95, "price fixing": 0.95, "leniency": 0.9, "dominan*": 0.6,
        "anti-competitive": 0.9, "anticompetitive": 0.9, "monopol*": 0.8, "CADE": 0.8,
        "competitors": 0.4,
    },
    "international_trade_contracts": {
        "货款": 0.45, "信用证": 0.95, "单据不符": 0.95, "不符点": 0.9, "开证行": 0.9, "拒付": 0.6,
        "买卖合同": 0.85, "销售合同": 0.8, "采购合同": 0.8, "国际货物销售": 0.9, "CISG": 0.95,
        "国际贸易术语": 0.85, "经销": 0.85, "经销商": 0.8, "代理协议": 0.7, "独家代理": 0.8,
        "质量争议": 0.6, "质量异议": 0.6, "风险转移": 0.7, "交货": 0.55, "托收": 0.8, "付款条件": 0.6,
        "经销协议": 0.9, "外贸": 0.5,
        "letter of credit": 0.95, "letters of credit": 0.95, "L/C": 0.9, "documentary credit*": 0.9,
        "sale of goods": 0.9, "Incoterms": 0.9, "FOB": 0.8, "CIF": 0.8, "EXW": 0.8, "DDP": 0.8,
        "CFR": 0.8, "distribut*": 0.6, "dealer*": 0.75, "agency agreement*": 0.8,
        "sales contract*": 0.8, "supply contract*": 0.75, "purchase contract*": 0.8,
        "risk had already passed": 0.7, "passing of risk": 0.7, "non-conform*": 0.7,
        "buyer*": 0.35, "exclusive dealer*": 0.9, "exclusive distribut*": 0.9,
    },
}


def _case_sensitive(term: str) -> bool:
    stem = term.rstrip("*")
    return stem.isupper() or len(stem) <= 3 or stem[0].isupper()


@lru_cache(maxsize=1)
def _lexicon_pattern() -> tuple[re.Pattern[str], dict[str, list[tuple[str, float]]], list[str]]:
    """(pattern, readings by term, starred terms longest first)."""
    terms: dict[str, list[tuple[str, float]]] = {}
    for code, entries in _LEXICON.items():
        for term, weight in entries.items():
            terms.setdefault(term, []).append((code, weight))
    zh_terms = [t for t in terms if _is_cjk(t)]
    en_terms = [t.lower() for t in terms if not _is_cjk(t)]
    pattern = re.compile(
        rf"(?<![{_EN_WORD}])(?i:{_trie_pattern(en_terms, wildcard=f'[{_EN_WORD}]*')})"
        rf"(?![{_EN_WORD}])|" + _trie_pattern(zh_terms)
    )
    starred = sorted((t for t in terms if t.endswith("*")), key=len, reverse=True)
    return pattern, terms, starred


def _which_term(found: str, terms: dict[str, list[tuple[str, float]]], starred: list[str]) -> str | None:
    if found in terms:
        return found
    low = found.lower()
    for term in terms:  # exact English terms, compared without case
        if not term.endswith("*") and term.lower() == low and not _case_sensitive(term):
            return term
    for term in starred:
        stem = term[:-1]
        if low.startswith(stem.lower()) and (not _case_sensitive(term) or found.startswith(stem)):
            return term
    return None


@lru_cache(maxsize=4096)
def _which_term_cached(found: str) -> str | None:
    _, terms, starred = _lexicon_pattern()
    return _which_term(found, terms, starred)


def _lexicon_scores(text: str) -> dict[str, tuple[float, str]]:
    pattern, terms, _ = _lexicon_pattern()
    hits: dict[str, dict[str, float]] = {}
    evidence: dict[str, tuple[float, str]] = {}
    for m in pattern.finditer(text.translate(_NORMALISE)):
        term = _which_term_cached(m.group(0))
        if term is None:
            continue
        for code, weight in terms[term]:
            if weight <= 0.0:
                continue
            hits.setdefault(code, {})
            hits[code][term] = max(hits[code].get(term, 0.0), weight)
            if weight > evidence.get(code, (0.0, ""))[0]:
                evidence[code] = (weight, text[m.start():m.end()])
    out = {}
    for code, found in hits.items():
        miss = 1.0
        for weight in found.values():
            miss *= 1.0 - weight
        out[code] = (min(0.98, 1.0 - miss), evidence[code][1])
    return out


# --- similarity to the areas' descriptions ----------------------------------------------------

_AREA_CACHE: dict[int, tuple[Any, np.ndarray, np.ndarray]] = {}
_AREA_LOCK = threading.Lock()
_SIM_WEIGHT = 0.6


def _area_matrix(encoder: _Encoder) -> tuple[np.ndarray, np.ndarray]:
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


def area_similarities(text: str, encoder: _Encoder) -> dict[str, float]:
    """Cosine of the text to each area's closest description text (label or 'covers' item).

    The engine passes the need with places masked, the very text it encodes for the passage
    search, so one encode (the encoder's query cache) serves both. (Masking moved dev text-only
    nDCG@10 by 0.0001; adding the best sentence moved top-1 agreement by ±2 points out of 47 %,
    not worth more encodes.)
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


def read_practice_areas(text: str, encoder: _Encoder | None = None,
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


def requested_practice_areas(text: str) -> set[str]:
    """Practice areas named in the description of the lawyer wanted, not in the story around it."""
    phrases = [m.group(1) for m in _ZH_REQUEST.finditer(text)]
    phrases += [m.group(1) for m in _EN_REQUEST_BEFORE.finditer(text)]
    phrases += [m.group(1) for m in _EN_REQUEST_AFTER.finditer(text)]
    return {code for phrase in phrases for code in _lexicon_scores(phrase)}


def understand(text: str, encoder: _Encoder | None = None) -> Understanding:
    return Understanding(
        countries=read_countries(text),
        languages=read_languages(text),
        practice_areas=read_practice_areas(text, encoder),
    )


def warm_up() -> None:
    """Build the regexes now rather than on the first request."""
    _gazetteer()
    _language_lexicon()
    _lexicon_pattern()
