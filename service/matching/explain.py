"""Why a lawyer was ranked: what of the need they match, and reasons a person can read, in the
caller's language (Chinese for a Chinese need, else English)."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from service import taxonomy
from service.matching import rules, scoring
from service.matching.need import NeedQuery, Term
from service.matching.profile import LawyerFacts
from service.matching.reading import read_countries
from service.matching.reading.matters import matter_name

_CJK = re.compile(r"[\u4e00-\u9fff]")
# the track record is a reason once it lifts the score this much above neutral (of 0..1)
TRACK_REASON_MARGIN = 0.05
LEVELS = {"zh": {"native": "母语", "fluent": "流利", "working": "工作语言"}, "en": {"native": "native", "fluent": "fluent", "working": "working"}}
POOLS = {
    "zh": {"acla_foreign_related": "全国涉外律师人才库", "bri_cross_border": "一带一路跨境律师人才库", "provincial_leading": "省级领军人才"},
    "en": {
        "acla_foreign_related": "national foreign-related lawyer talent pool",
        "bri_cross_border": "Belt and Road cross-border lawyer pool",
        "provincial_leading": "provincial leading talent",
    },
}


def caller_locale(text: str) -> str:
    return "zh" if len(_CJK.findall(text)) >= 2 else "en"


# ---- evidence: which of a result's passages to quote ----------------------------------------

# The passages nearest the need, per result, among which the evidence is chosen.
EVIDENCE_CANDIDATES = 5
# What makes a passage fit beyond its similarity: it is in the caller's language (a reader
# quotes what they can read: the profile's own sentence in their language wins unless one in
# another language is clearly closer), it names a target country. A passage about the lawyer (an
# award, a membership, a career step, pro bono) is no matter they handled: never quoted as one.
# Similarities of one lawyer's passages to a need are typically 0.02-0.10 apart. A sentence showing
# the need's very type of matter fits first (it is the one the reasons promise), in the caller's
# language where the profile has one.
MATTER_FIT = 0.25
MATTER_SAID = 0.5  # of the surest type's confidence: a matter type read this surely is said and quoted
PLACE_FIT = 0.04
LANGUAGE_FIT = 0.10
_ABOUT_LAWYER = re.compile(
    r"(?i)\b(?:named (?:an?|one of|among|as|to)|ranked (?:as|in|by|among)|recogni[sz]ed (?:as|by|in) |"
    r"(?:received|won) (?:an? |the )?(?:award|prize|honou?r)|honou?red|shortlisted|pro bono|member of|"
    r"before (?:joining|becoming|entering)|graduated|LL\.?M|degree in|admitted (?:to|in) the bar|"
    r"lectur(?:es|er)|author of)"
    r"|荣获|获评|被评为|入选|公益|法律援助|加入律师行业前|从业前|执业前|毕业于|学位|(?:协会|学会)会员|任教|讲师|著有"
)
# Lines that describe the lawyer but may also name a matter ("精通俄语，代理过多起哈萨克斯坦仲裁"):
# quoted only when clearly closer than the alternatives.
_ABOUT_LAWYER_TOO = re.compile(r"(?i)\b(?:serves? on|sits on|speaks|fluent in)|担任.{0,16}(?:委员|理事|仲裁员)|兼任|精通|母语")
ABOUT_LAWYER_FIT = -0.10


def best_evidence(need: NeedQuery, candidates: Sequence[tuple[int, float, str]], of_the_matter: Collection[int] = ()) -> int | None:
    """Of (passage id, similarity, text) candidates, the passage to quote: the best fit, ties to
    the higher similarity, then the lower id; None when every one is about the lawyer rather than a
    matter. ``of_the_matter``: the candidates that show the need's type of matter (their labels).
    Places are read last and only for a candidate that could still win (reading a sentence's places
    costs ~0.2 ms the first time it is seen)."""
    targets = {t.code for t in need.countries}
    ranked = []
    for pid, similarity, text in candidates:
        if _ABOUT_LAWYER.search(text):
            continue
        fit = similarity + (MATTER_FIT if pid in of_the_matter else 0.0)
        if caller_locale(text) == need.locale:
            fit += LANGUAGE_FIT
        if _ABOUT_LAWYER_TOO.search(text):
            fit += ABOUT_LAWYER_FIT
        ranked.append((fit, similarity, -pid, text))
    ranked.sort(reverse=True)
    best: tuple[float, float, int] | None = None
    for fit, similarity, negative_pid, text in ranked:
        if best is not None and fit + (PLACE_FIT if targets else 0.0) < best[0]:
            break  # sorted by fit: no later candidate can win either
        if targets and targets & {r.code for r in read_countries(text)}:
            fit += PLACE_FIT
        if best is None or (fit, similarity, negative_pid) > best:
            best = (fit, similarity, negative_pid)
    return None if best is None else -best[2]


@lru_cache(maxsize=4096)
def country(code: str, locale: str) -> str:
    return taxonomy.country_name(code, locale) or code


def region(code: str, locale: str) -> str:
    return taxonomy.region_name(code, locale)


def language(code: str, locale: str) -> str:
    return taxonomy.language_name(code, locale) or code


def practice(code: str, locale: str) -> str:
    area = taxonomy.PRACTICE_AREAS.get(code)
    if area is None:
        return code
    return area.zh if locale == "zh" else area.en


def _join(names: list[str], locale: str) -> str:
    return "、".join(names) if locale == "zh" else ", ".join(names)


def reasons(
    *,
    locale: str,
    countries: list[str],
    offices: list[str],
    region_countries: list[tuple[str, str]],
    languages: list[tuple[str, str]],
    countries_read: list[str],
    practice_declared: list[str],
    practice_read: list[str],
    matters: list[str],
    evidence: str | None,
    years: int,
    pools: tuple[str, ...],
    track: Mapping[str, float] | None = None,
) -> list[str]:
    out: list[str] = []
    zh = locale == "zh"
    if countries:
        names = _join([country(c, locale) for c in countries], locale)
        out.append(f"服务国家：{names}" if zh else f"Serves {names}")
    if offices:
        names = _join([country(c, locale) for c in offices], locale)
        out.append(f"在{names}设有办公室或合作所" if zh else f"Office or partner firm in {names}")
    if countries_read:
        names = _join([country(c, locale) for c in countries_read], locale)
        out.append(f"履历提到在{names}的经验（未申报为服务国家）" if zh
                   else f"Profile mentions work in {names} (not declared as a country served)")
    for served, target in region_countries:
        region_code = taxonomy.region_of(target) or ""
        if zh:
            out.append(f"区域补充：覆盖与{country(target, locale)}同属{region(region_code, locale)}的{country(served, locale)}")
        else:
            out.append(
                f"Regional fallback: serves {country(served, locale)}, in the same region "
                f"({region(region_code, locale)}) as {country(target, locale)}"
            )
    for code, level in languages:
        lvl = LEVELS[locale].get(level, level)
        out.append(f"工作语言：{language(code, locale)}（{lvl}）" if zh else f"Works in {language(code, locale)} ({lvl})")
    if practice_declared:
        names = _join([practice(c, locale) for c in practice_declared], locale)
        out.append(f"执业领域：{names}" if zh else f"Practice area: {names}")
    if practice_read:
        names = _join([practice(c, locale) for c in practice_read], locale)
        out.append(f"履历显示{names}经验" if zh else f"Profile shows {names} work")
    if matters:
        names = _join([matter_name(k, locale) for k in matters], locale)
        out.append(f"办理过同类事务：{names}" if zh else f"Has handled this kind of matter: {names}")
    if evidence:
        out.append(f"最相关经历：{evidence}" if zh else f"Closest matter: {evidence}")
    credentials = []
    if years:
        credentials.append(f"执业{years}年" if zh else f"{years} years of practice")
    credentials += [POOLS[locale].get(p, p) for p in pools]
    if credentials:
        out.append(_join(credentials, locale))
    record = track_reason(track, locale)
    if record:
        out.append(record)
    return out


def track_reason(track: Mapping[str, float] | None, locale: str) -> str | None:
    """The track record, said when it lifts the score (TRACK_REASON_MARGIN above neutral)."""
    if not track or scoring.track_record_score(track) < scoring.TRACK_NEUTRAL + TRACK_REASON_MARGIN:
        return None
    zh = locale == "zh"
    parts = []
    offers = int(track.get("offers", 0))
    median = track.get("median_answer_seconds")
    if median is not None:
        minutes = max(1, round(float(median) / 60))
        parts.append(f"中位答复时间{minutes}分钟" if zh else f"answers in {minutes} min (median)")
    if offers:
        rate = round(100 * float(track.get("accepted", 0)) / offers)
        parts.append(f"接受率{rate}%" if zh else f"accepts {rate}% of requests")
    rated = int(track.get("rated", 0))
    if rated:
        stars = 1 + 4 * float(track.get("rating_sum", 0)) / rated
        parts.append(f"评分{stars:.1f}（{rated}次委托）" if zh else f"rated {stars:.1f}/5 over {rated} engagement{'s' if rated > 1 else ''}")
    if not parts:
        return None
    return ("响应记录：" + "，".join(parts)) if zh else "Track record: " + ", ".join(parts)


@dataclass(frozen=True)
class Agreement:
    """What of the need a lawyer matches (the score's components say how much it counts)."""

    countries: list[str]  # target countries served, as declared
    offices: list[str]  # target countries where the lawyer only has an office or partner firm
    countries_read: list[str]  # target countries only the profile's text names (served on its word)
    region_countries: list[tuple[str, str]]  # (country served, target of the same region), when no target is
    languages: list[tuple[str, str]]  # (code, level) of the need's languages the lawyer works in
    practice_declared: list[str]
    practice_read: list[str]  # areas the profile's text shows, for a lawyer who declared none
    matters: list[str]  # the need's matter types the profile shows the lawyer handling

    def matched(self) -> dict[str, list[str]]:
        return {
            "countries": self.countries + self.offices + self.countries_read,
            "region_countries": [served for served, _ in self.region_countries],
            "languages": [code for code, _ in self.languages],
            "practice_areas": self.practice_declared + self.practice_read,
            "matter_types": self.matters,
        }

    def reasons(self, locale: str, evidence: str | None, lawyer: LawyerFacts) -> list[str]:
        return reasons(
            locale=locale,
            countries=self.countries,
            offices=self.offices,
            countries_read=self.countries_read,
            region_countries=self.region_countries,
            languages=self.languages,
            practice_declared=self.practice_declared,
            practice_read=self.practice_read,
            matters=self.matters,
            evidence=evidence,
            years=lawyer.years_of_practice,
            pools=lawyer.talent_pools,
            track=lawyer.track,
        )


def agreement(need: NeedQuery, lawyer: LawyerFacts) -> Agreement:
    served = lawyer.countries
    countries: list[str] = []
    offices: list[str] = []
    countries_read: list[str] = []
    for term in need.countries:
        if term.code in lawyer.declared_countries:
            countries.append(term.code)
        elif term.code in lawyer.office_countries:
            offices.append(term.code)
        elif term.code in served:
            countries_read.append(term.code)
    region_countries: list[tuple[str, str]] = []
    if need.countries and not (countries or offices or countries_read):
        # a fallback stands in for where the work is, not for a seat or a nationality merely named
        targets = [t for t in need.countries if t.binding] or list(need.countries)
        for term in targets:
            neighbours = sorted(c for c in served if taxonomy.same_region(c, term.code))
            if neighbours:
                region_countries.append((neighbours[0], term.code))
    declared = [t.code for t in need.practice_areas if t.code in lawyer.declared_practice]
    read = [] if lawyer.declared_practice else [t.code for t in need.practice_areas if t.code in lawyer.read_practice]
    return Agreement(
        countries=countries,
        offices=offices,
        countries_read=countries_read,
        region_countries=region_countries,
        languages=[(t.code, lawyer.languages[t.code]) for t in need.languages if t.code in lawyer.languages],
        practice_declared=declared,
        practice_read=read,
        matters=[t.code for t in _surest_matters(need) if t.code in lawyer.matters],
    )


def said_matters(need: NeedQuery) -> set[str]:
    """The need's matter types worth saying (and quoting a sentence for)."""
    return {t.code for t in _surest_matters(need)}


def _surest_matters(need: NeedQuery) -> list[Term]:
    """The need's matter types read at least half as surely as the surest: the ones worth saying."""
    surest = max((t.confidence for t in need.matters), default=0.0)
    return [t for t in need.matters if t.confidence >= MATTER_SAID * surest]


# ---- an empty answer, explained --------------------------------------------------------------

_RULE_NAMES = {
    "zh": {"recommendable": "已认证且接受委托", "languages": "工作语言", "countries": "服务国家"},
    "en": {"recommendable": "verified and accepting clients", "languages": "working languages", "countries": "countries served"},
}


def _asked(need: NeedQuery, rule: str, locale: str) -> str:
    if rule == "languages":
        return _join([language(c, locale) for c in need.binding_languages], locale)
    if rule == "countries":
        return _join([country(c, locale) for c in need.binding_countries], locale)
    return _RULE_NAMES[locale].get(rule, rule)


def _offered(rule: str, instead: list[tuple[str, int]], locale: str) -> str:
    name = language if rule == "languages" else country
    if locale == "zh":
        return "、".join(f"{name(code, locale)}（{n}位）" for code, n in instead)
    return ", ".join(f"{name(code, locale)} ({n})" for code, n in instead)


@dataclass(frozen=True)
class Emptied:
    """Why a need has no result: the rule after which nobody was left, and what relaxing each
    of the need's rules would give, each with a sentence in the caller's language."""

    rule: str
    message: str
    relaxations: list[tuple[rules.Relaxation, str]]


def emptied(need: NeedQuery, rule: str, relaxation_list: list[rules.Relaxation]) -> Emptied:
    """Why nobody is recommended, and what relaxing each rule would give, in the caller's language."""
    locale = need.locale
    zh = locale == "zh"
    where = _join([country(c, locale) for c in need.binding_countries], locale)
    if rule == "recommendable":
        message = "目前没有已认证且接受委托的律师。" if zh else "No verified lawyer is accepting clients at present."
    elif rule == "languages":
        message = f"没有符合条件的律师使用{_asked(need, rule, locale)}。" if zh else f"No eligible lawyer works in {_asked(need, rule, locale)}."
    elif rule == "countries":
        message = (
            f"没有同时满足其他条件、服务{where}或其所在区域的律师。"
            if zh
            else f"No lawyer meeting the other requirements serves {where} or its region."
        )
    else:
        message = f"“{_RULE_NAMES[locale].get(rule, rule)}”条件排除了所有律师。" if zh else f"The rule “{rule}” left no lawyer."
    lines: list[tuple[rules.Relaxation, str]] = []
    for r in relaxation_list:
        if not r.lawyers:
            continue
        offered = _offered(r.dropped, r.instead, locale) if r.instead else ""
        if r.dropped == "languages":
            if where and r.in_target_countries:
                in_place = f"{r.in_target_countries}位服务{where}" if zh else f"{r.in_target_countries} serve {where}"
            elif where:
                in_place = f"{r.lawyers}位服务其所在区域" if zh else f"{r.lawyers} serve its region"
            else:
                in_place = ""
            if zh:
                lines.append((r, f"不要求{_asked(need, r.dropped, locale)}：{in_place or f'{r.lawyers}位律师'}，工作语言有{offered}"))
            else:
                lines.append((r, f"Without requiring {_asked(need, r.dropped, locale)}: {in_place or f'{r.lawyers} lawyers'}, working in {offered}"))
        elif r.dropped == "countries":
            if zh:
                lines.append((r, f"不限服务国家：{r.lawyers}位律师符合其他条件，服务{offered}"))
            else:
                lines.append((r, f"Without the country: {r.lawyers} lawyers meet the other requirements, serving {offered}"))
        else:
            lines.append((r, f"放宽“{_RULE_NAMES[locale].get(r.dropped, r.dropped)}”：{r.lawyers}位律师" if zh else f"Without “{r.dropped}”: {r.lawyers} lawyers"))
    return Emptied(rule, message, lines)
