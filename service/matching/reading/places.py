"""Places a text names: the gazetteer, each mention with its role, and the countries read from them.

Confidence (0..1): >= 0.9 an explicit country name; ~0.85 a city or province; ~0.8 an adjective
("Kazakh company"); ~0.6 a country named only as a law, forum or sanctions authority ("under
English law", "在新加坡仲裁", "US sanctions") or an ambiguous name ("Georgia"). China (CN) is the
enterprise's home and is never returned; HK/MO/TW only when nothing else is named (then at 0.5),
since they are otherwise holding companies or arbitral seats.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

import pycountry
from babel import Locale

from service import taxonomy
from service.matching.reading.text import (
    EN_IN_HAND,
    EN_WORD,
    IN_HAND_BY,
    NORMALISE,
    ZH_IN_HAND,
    Reading,
    is_cjk,
    load_lexicon,
    sentence_around,
    to_simplified,
    trie_pattern,
)

_HOME = {"CN", "HK", "MO", "TW"}
_LANG_FOLLOWERS_ZH = "语"


@dataclass(frozen=True)
class _Place:
    code: str | None  # None: a blocker ("印度洋", "内蒙古" is CN) that only stops a shorter match
    kind: str  # country | alias | city | demonym | ambiguous | block
    confidence: float


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
def _language_names_zh() -> dict[str, tuple[str, ...]]:
    """Chinese language names by their first two characters ("南非荷兰语" under "南非")."""
    table: dict[str, list[str]] = {}
    for name in Locale("zh").languages.values():
        if len(name) >= 3:
            table.setdefault(name[:2], []).append(name)
    return {k: tuple(v) for k, v in table.items()}


def _inside_language_name(norm: str, start: int, end: int) -> bool:
    """Whether the place named at norm[start:end] begins a longer language name ("南非荷兰语")."""
    return any(len(n) > end - start and norm.startswith(n, start) for n in _language_names_zh().get(norm[start:start + 2], ()))


def _cities() -> dict[str, str]:
    regions: dict[str, dict[str, str]] = load_lexicon("cities")["regions"]
    return {surface: code for region in regions.values() for surface, code in region.items()}


_LOWER_DEMONYM_NOUNS = re.compile(r"\s+(?:labou?r\s+|tax\s+|local\s+)?(?:lawyers?|counsel|attorneys?|law\s+firms?|solicitors?|courts?|"
                                  r"arbitrazh|customs|government|ministry|company|subsidiary|partner|buyer|customer|supplier)\b", re.I)
# characters that spell foreign names in Chinese: a short city name right after one is inside a longer name
_TRANSLITERATION = frozenset("格尔斯特克拉巴亚纳达多维索瓦卡塔马阿里图布普罗伊奥乌萨兹吉基什贝帕蒂洛米莫利哈库穆赫")
_LATIN_GLOSS = re.compile(r"\(([A-Za-zÀ-ÿ' .-]{2,40})\)")
_SHORT_HANT_NAMES = frozenset({"澳洲", "南韩", "北韩", "寮国", "迦纳", "汶莱", "肯亚", "贝南", "加彭", "卡达", "叶门", "也门"})
LOWERCASE_DEMONYM_WORDS = frozenset({"polish", "chinese"})
# in mixed text, a demonym before (a word or two and) a Chinese noun of a lawyer, a firm or a law
_ZH_COUNTRY_NOUN_AFTER = re.compile(r"^\s?(?:[A-Za-z][\w&-]*\s?){0,2}(?:律师|律所|公司|子公司|法律|法院|政府|当局)")


@lru_cache(maxsize=2)
def _gazetteer(world: bool = False) -> tuple[dict[str, _Place], dict[str, _Place], re.Pattern[str]]:
    """(case-sensitive entries, lower-cased entries, one longest-first alternation). ``world``: with
    the world's cities too, for reading a need (a profile is read, and every passage masked, without
    them: four times the cost, over every passage of a rebuild)."""
    exact: dict[str, _Place] = {}
    folded: dict[str, _Place] = {}
    words = load_lexicon("places")
    names = load_lexicon("countries")
    ambiguous_en = frozenset(words["ambiguous_en"])

    def add(surface: str, place: _Place) -> None:
        surface = surface.translate(NORMALISE).strip()
        if len(surface) < 2:
            return
        if is_cjk(surface):
            exact.setdefault(surface, place)
            return
        case_sensitive = len(surface) <= 4 or surface in ambiguous_en or place.kind == "demonym"
        if case_sensitive:
            exact.setdefault(surface, place)
        else:
            folded.setdefault(surface.lower(), place)

    codes = taxonomy.all_countries()
    zh = taxonomy.territory_names("zh")
    en = taxonomy.territory_names("en")
    # Aliases and cities first: setdefault keeps the first reading of a surface.
    for s in words["blockers"]:
        add(s, _Place(None, "block", 0.0))
    for s, c in names["zh_aliases"].items():
        add(s, _Place(c, "alias", 0.95))
    add("刚果", _Place("CD", "ambiguous", 0.55))
    for s, c in names["en_aliases"].items():
        add(s, _Place(c, "ambiguous" if s in ambiguous_en else "alias", 0.6 if s in ambiguous_en else 0.93))
    for c in codes:
        if c in zh:
            add(zh[c], _Place(c, "country", 0.95))
        official = [en.get(c)]
        pc = pycountry.countries.get(alpha_2=c)
        if pc is not None:
            official += [pc.name, getattr(pc, "common_name", None), getattr(pc, "official_name", None)]
        for name in filter(None, official):
            for v in _en_name_variants(name):
                amb = v in ambiguous_en
                add(v, _Place(c, "ambiguous" if amb else "country", 0.6 if amb else 0.95))
    # Taiwan's and Hong Kong's names (卡達, 澳洲, 紐西蘭, 沙地阿拉伯), in the simplified characters the
    # reader sees them in: a short one only where it cannot sit inside another word
    for locale in ("zh_Hant", "zh_Hant_HK"):
        for c, name in Locale.parse(locale).territories.items():
            simplified = to_simplified(name)
            if c in codes and (len(simplified) >= 3 or simplified in _SHORT_HANT_NAMES):
                add(simplified, _Place(c, "country", 0.95))
    for s, c in _cities().items():
        add(s, _Place(c, "city", 0.9))
    # the world's cities (GeoNames) and provinces (ISO 3166-2): after our own lexicons, as exactly as written
    world_places = load_lexicon("world_cities") if world else {"cities": {}, "provinces": {}}
    for s, c in {**world_places["provinces"], **world_places["cities"]}.items():
        surface = s.translate(NORMALISE).strip()
        if surface and surface.lower() not in folded:
            exact.setdefault(surface, _Place(c, "city", 0.85))
    for s, c in names["currencies"].items():
        add(s, _Place(c, "currency", 0.5))
    for s, c in names["en_demonyms"].items():
        add(s, _Place(c, "demonym", 0.85))
        # chat English writes "turkmen gas contract", "the kazakh side": a lower-case demonym that is
        # no ordinary English word reads the same ("polish" is a verb)
        if len(s) > 4 and s.lower() not in LOWERCASE_DEMONYM_WORDS:
            folded.setdefault(s.lower(), _Place(c, "demonym", 0.85))

    zh_alts = [s for s in exact if is_cjk(s)]
    # one lower-cased trie: "Russian Federation" must win over "Russian" whatever the case of each entry
    en_alts = list(dict.fromkeys([s.lower() for s in exact if not is_cjk(s)] + list(folded)))
    # English needs word boundaries, Chinese cannot have them. The English trie is matched
    # case-insensitively; case-sensitive entries ("US", "Chad") are checked after the match.
    pattern = re.compile(
        rf"(?<![{EN_WORD}0-9])(?i:{trie_pattern(en_alts)})(?![{EN_WORD}0-9])|"
        + trie_pattern(zh_alts)
    )
    return exact, folded, pattern


@lru_cache(maxsize=1)
def _country_nouns() -> re.Pattern[str]:
    """Nouns after an adjective that make "Russian", "French", ... a country rather than a language."""
    nouns = "|".join(re.escape(n[:-1]) + r"\w*" if n.endswith("*") else re.escape(n)
                     for n in load_lexicon("places")["country_nouns"])
    # "Norwegian and Swedish employment counsel": a demonym listed with the next one shares its noun
    return re.compile(rf"(?:\s*(?:and|or|&|/)\s*[A-Z][a-z]+)?(?:\s+[a-z][\w&-]*){{0,3}}?\s+(?:{nouns})\b", re.IGNORECASE)


_ZH_NEG_BEFORE = re.compile(r"(?:误写为|误写成|错写成|错写为|误作|打错成|写错成|不是在|不在|(?<!需)不需要在|不用在|无需在|并非|而不是|而非|除了|除|不包括|不包含|不含|不涉及|不去|不考虑|扣掉|扣除|去掉|除掉|刨去|刨除)$")
# "不是要美国律师", "不用找蒙古律所": a lawyer of the place refused.
_ZH_NEG_LAWYER_BEFORE = re.compile(r"(?:不是要|不要|不需要|不用|无需|不找|不用找|不必找|不必)(?:另|另外|再)?(?:找|[^，。,；;]{0,6}?(?:推荐|介绍|对接))?(?:一?个|一家)?$")
_ZH_LAWYER_AFTER = re.compile(r"^的?[^，。,；;]{0,4}?(?:律师|律所)")
# "SPA 由伦敦的律所牵头，不需要罗马尼亚律师参与": that workstream needs none, the place is not set aside
ZH_LAWYER_JOINS_AFTER = re.compile(r"^的?(?:律师|律所)(?:参与|介入|参加|出面|起草|撰写|出具|审阅|谈判)")  # "不需要哥伦比亚律师起草SPA，但要看…"
# "蒙古律师暂时不需要", "沙特不用管", "（埃及、摩洛哥）不考虑", "塞尔维亚排除", "HK那边这次不用": set aside.
_ZH_SET_ASIDE_AFTER = re.compile(r"^(?:[^，。,；;]{0,12}?[）)]|(?:那家|那个|这家|这个|那种|这种)[^，。,；;]{0,10}?|"
                                 r"(?:当地|本地|那边)?[^，。,；;]{0,8}?(?:层面|方面|那部分)?的(?:问题|部分|事情?)|"  # "委内瑞拉当地合同层面的问题暂时不需要律师"
                                 r"(?:[和及与、][^，。,；;、和及与]{1,8}?)*(?:(?:当地|本地)?的?律师|(?:当地|本地)?的?律所|那边|这边|方面|的部分|法部分|市场|站|那块|这块|子公司|分公司|工厂|的)?"
                                 r"(?:(?:当地|本地)?的?(?:事|事情|执行问题|问题|部分|业务|案子|账户|资产|财产|物业|经销商|代理商|代理|客户|合同|项目))?)"
                                 r"\s*(?:暂时|这次|本次|本期|本轮|此次|目前|现在|先|今年|明年|下半年|年底|下个月|暂|也|都|就|还)*"
                                 r"(?:不需要|不用管|不推进|不用考虑|不用再做|不用|不管|不考虑|不做|不弄|不处理|不申请|不办理|不包括(?:在内)?|除外|排除在外|排除|不算在内|不在考虑范围|以后再说|"
                                 r"后面再说|之后再说|回头再说|等到[^，。,；;]{0,8}?再说|看[^，。,；;]{0,8}?再(?:说|议)|暂时不动|先不动|不用重复|无需重复|不必重复|再说|现在不找|暂不找|先不找|不去了|不去|搁置|暂缓|不在(?:本次|这次|此次)?(?:的)?范围内?|没事|"
                                 r"放一放|先不碰|不碰|不看|跳过|不纳入[^，。,；;]{0,6}|不是一回事|不需要律师|不用律师|无需律师|暂无需求|没有需求|无需求|"
                                 r"没(?:有)?(?:任何|什么)?(?:法律|监管|合规)?问题)(?:了|吧|啦|呗)?(?=[，。,；;（(）)!！—\s-]|明年|以后|下次|回头|之后|后面|$)")
# "刚果金的律师先不要找了", "美国律师不用再找了", "爱尔兰那边不用联系了": no lawyer there to be sought
_ZH_STOP_SEEKING_AFTER = re.compile(r"^(?:的|那边的?|这边的?|方面的?)?(?:当地|本地)?的?(?:律师|律所|团队)?(?:就|也|都|先|暂时|这次|目前|还是)*"
                                    r"(?:不用|不要|不需要|无需|不必|别|没必要)(?:再|去)?(?:找|联系|请|推荐|对接|询价|接触)(?:了|吧|啦)?(?=[，。,；;!！\s]|$)")
# "智利先放掉", "越南海防方案不做了", "卢森堡交易所的方案取消了": a plan there given up (not "项目暂停了",
# which is a dispute's fact)
_ZH_PLAN_DROPPED_AFTER = re.compile(r"^(?:[^，。,；;被]{0,10}?(?:方案|计划|机会|选项|思路|那条路|这条路|那个路线)[^，。,；;被]{0,2}?)?"
                                    r"(?:就|也|都|先|暂时|已经|已|还是)*(?:放掉|放弃|作罢|不做|pass掉|pass|不搞|不推进|"
                                    r"(?<=[案划会项路线])(?:取消|暂停|搁置|作废|叫停|停掉)|(?<=方案|计划)(?:暂时|先|已经|已)(?:取消|暂停|搁置|作废|叫停|停掉))"
                                    r"(?:了|吧|啦)?(?=[，。,；;!！\s]|$)")
# "新加坡仲裁那边的律师我们已经在谈了不用推荐": no lawyer there to be proposed
_ZH_NO_REFERRAL_AFTER = re.compile(r"^[^，。,；;]{0,20}?(?:律师|律所)[^，。,；;]{0,12}?(?:不用推荐|别推荐|无需推荐|不必推荐|不需要推荐|"
                                   r"已经在谈|已在谈|已经在接触|已经谈好)")
# "缅甸那边也有一样的问题，但是暂时先不管": the set-aside said after a but
_ZH_BUT_SET_ASIDE_AFTER = re.compile(r"^[^。；;！!？?，,\s]{0,24}?(?:但|但是|不过|可是)\s*(?:是)?(?:暂时|这次|目前|先|今年|暂)+"
                                     r"(?:不管|不做|不考虑|不用管|放一放)(?=[，。,；;!！\s]|$)|"
                                     # "马里表上填了 但那边现在太乱了 老板说先不去": the but refers back to it
                                     r"^[^。；;！!？?\n]{0,16}?(?:但|但是|不过|可是)\s*(?:那边|那里|那个|这个|这边)[^。；;！!？?\n]{0,16}?"
                                     r"(?:先|暂时|暂|目前)(?:不去|不做|不考虑|不管|不弄|不推进|放一放)(?:了|吧)?(?=[，。,；;!！\s]|$)")
# "UAE站正常的，不用管": set aside in the very next clause
_ZH_NEXT_CLAUSE_SET_ASIDE = re.compile(r"^[^，。,；;\s]{0,24}[，,]\s*[^，。,；;\s]{0,16}[，,]\s*(?:这次|本次)(?:就)?(?:不用管|不用|不需要|不涉及)(?:了)?(?=[，。,；;!！\s]|$)|"  # "印尼工厂刚开，手册是…新做的，这次不用"
                                       # "那个是下个月的事，现在先不管", "申请Chapter 15承认，那个到时候再说"
                                       r"^(?:[^，。,；;\s]|(?<=[A-Za-z0-9])\s(?=[A-Za-z0-9])){0,24}[，,]\s*(?:这个|那个|这两个|这几个|那两个|这些|这次|本次|本期|那边|这里|这边|暂时|暂|先|目前|现在|到时候)*(?:不用管|不用理|不用考虑|不管|不考虑|再说|不用看|不用再看|不用审|不用另找|无需另找|不必另找|无需重复|不用重复|不必重复|"
                                       r"(?<=本期)暂不(?:申请|办理|处理|考虑|纳入)|(?<=本期)不(?:申请|纳入)|也?从本次范围中?剔除|(?<=这次)不用|(?<=这次)不需要|(?<=这次)不涉及|(?<=本次)不涉及|(?<=这次)不纳入[^，。,；;]{0,8}|(?<=本次)不纳入[^，。,；;]{0,8}|"  # "…合规审查已经在做了，这次不涉及"  # "印尼工厂刚开，手册是当地律所今年新做的，这次不用"
                                       r"(?<=先)不做|(?<=先)不弄|(?<=先)不推进|不纳入(?:这次|本次|此次)[^，。,；;]{0,6}|(?<=暂)不纳入|"  # "越南那间厂年底会出售，不纳入这次重组"  # "马里因为政局原因暂停，先不做"
                                       r"无需求|没有需求|没需求|不需要律师|不需要(?=\s*[。；;!！]|\s*$))(?=[，。,；;!！\s)）]|$)|"
                                       # "德国和法国我们有子公司，当地律师已经在做了"
                                       r"^[^，。,；;]{0,16}[，,]\s*(?:当地|本地|那边的?)?(?:律师|律所)(?:已经|已)(?:在做|在跟|在处理|在弄|在看|请好|找好|定好)了?(?=[，。,；;!！\s]|$)")  # "赞比亚项目运营正常，暂无需求"
# "乌兹别克斯坦只是有个客户在那，不用找那边律师", "美国那个双反…跟这次无关": not this need's place
_ZH_NOT_THERE_AFTER = re.compile(r"^[^。；;]{0,44}?(?:(?:不用|不需要|无需|不必)找?(?:那边|那里|当地|那儿)的?(?:律师|律所)|"
                                 r"(?:跟|和|与)(?:这次|本次|此次|这个案子|本案)[^，。,；;]{0,6}?(?:无关|没关系|没有关系|不相干))|"
                                 # "在土库曼斯坦当地的财产保全和执行问题，待裁决作出后另行研究，本次不涉及"
                                 r"^(?:当地|那边)[^。；;]{0,24}?(?:另行研究|本次不涉及|暂不涉及|不在本次(?:委托|需求|委聘)?范围)|"
                                 # "美国EAR的de minimis问题由我们华盛顿的律所负责": another lawyer of ours has it
                                 r"^[^。；;，,()（）]{0,24}?(?:由|交给)(?:我们|我方|我司|我所|客户)(?:自己)?(?:的)?[^，。,；;]{0,10}?(?:律所|律师|团队)(?:负责|处理|跟进|在做|代理)|"
                                 # "阿拉木图和比什凯克那两家回款都正常，这次不需要找律师"
                                 r"^[^。；;]{0,20}?正常[，,]\s*(?:这次|本次|暂时)?(?:不需要|不用|无需)(?:找)?(?:律师|律所)|"
                                 # "沙特、埃及的项目到时候再单独找当地律师，这次不涉及"
                                 r"^[^。；;]{0,20}?(?:到时候|以后|之后|届时)再?(?:单独|另外|另行)?(?:找|请)(?:当地|本地)?的?(?:律师|律所)")
# "美国商务部双反案的代理律所因费用问题本次不再考虑": that matter's lawyer, not sought again
_ZH_NOT_AGAIN_AFTER = re.compile(r"^[^。；;]{0,24}?(?:律所|律师)[^，。,；;]{0,10}?(?:本次|这次|此次)?不再(?:考虑|合作|委托|聘请|用)")
# "欧盟层面外部律师已经确认不触发": no filing there
_ZH_NOT_TRIGGERED_AFTER = re.compile(r"^(?:层面|那边|方面|的)?[^，。,；;]{0,16}?(?:确认)?(?:不触发|未触发|没触发|不会触发|达不到门槛|没达到门槛|未达到?门槛|门槛没到)")
# "制裁筛查由新加坡律所负责，不在本次范围": another firm's, outside this request
_ZH_OTHER_FIRM_OUT_OF_SCOPE = re.compile(r"^(?:的)?(?:律所|律师|团队)[^，。,；;]{0,4}?(?:负责|处理|办理|跟进)[，,]\s*(?:不在|不属于|不纳入)(?:本次|这次|此次)")
# "老挝当地律师由国内所自己去对接": the lawyer there is someone else's to arrange
_ZH_ARRANGED_BY_AFTER = re.compile(r"^(?:那边|当地|本地)?的?(?:律师|律所)[^，。,；;]{0,2}?由[^，。,；;]{1,12}?(?:对接|负责|安排|找|联系|处理|落实)")
# "另外找新加坡律师看": handled separately, by another lawyer
_ZH_ELSEWHERE_BEFORE = re.compile(r"(?<!要)(?<!需)(?<!须)(?<!得)(?<!所以)(?<!想)(?:另外|另行|单独|另)(?:找|请|聘请|委托|聘)(?:一?个|一家)?$")  # not "所以要另外找沙特本地律师", "故需另聘阿塞拜疆律师"
# "巴西部分我们另请当地律师": the place's part goes to a lawyer found elsewhere
_ZH_ELSEWHERE_AFTER = re.compile(r"^(?:的)?(?:部分|那边|这边|那块|方面)?[，,]?\s*(?:我们|我方|公司|总部)?(?:会|将)?(?:另外|另行|单独|另)"
                                 r"(?:找|请|聘请|委托|聘)(?:一?个|一家)?(?:当地|本地|那边)?的?(?:律师|律所)")
# "Cayman counsel is already acting": a lawyer of the place is on it
_EN_COUNSEL_ACTING_AFTER = re.compile(r"^\s+(?:[a-z-]+\s+){0,2}?(?:counsel|lawyers?|firm|attorneys?)(?:\s*\([^()]{0,80}\))?"
                                      r"(?:\s+for\s+(?:the\s+|our\s+)?[\w\s/.-]{1,30}?)?\s+"  # "Cayman counsel for the Cayman topco is already appointed"
                                      r"(?:(?:is|are)\s+(?:coordinating|handling|running|leading|managing)\b|"  # "Korean counsel is coordinating the global filings"
                                      r"(?:(?:is|are|has been|have been)\s+)?already\s+"
                                      r"(?:acting|engaged|instructed|retained|involved|appointed|on\s+it|handling|lodging|filing|"
                                      r"running|working|dealing|conducting|doing|leading|representing|defending|advising))", re.I)
# "pls don't engage EU counsel": a lawyer of the place refused
_EN_DONT_ENGAGE_BEFORE = re.compile(r"(?:\b(?:do\s*n[o']?t|don['’]t|do not|no need to|not to|never)\s+(?:need|engage|instruct|retain|hire|"
                                    r"contact|approach|recommend|propose|send|involve)(?:\s+(?:us|me))?|"
                                    r"\bstop\s+(?:sourcing|looking\s+for|searching\s+for|contacting|engaging|approaching|chasing)|"
                                    r"\bno\s+longer\s+need|\bdrop\s+the|\bnot\s+looking\s+for\s+(?:another|a|an|any)|(?<!have )(?<!has )(?<!had )(?<!with )(?<!got )(?<!is )(?<!are )\b(?<!-)no)\s+(?:an?\s+|the\s+|any\s+|more\s+|other\s+|separate\s+|additional\s+|another\s+)?$", re.I)  # "so no Indian firm"
# "our London counsel will draft it": a lawyer of ours there is on it
_EN_OUR_BEFORE = re.compile(r"\bour\s+(?:own\s+|existing\s+|usual\s+|regular\s+|outside\s+|external\s+)?$", re.I)
_EN_OUR_COUNSEL_ACTS_AFTER = re.compile(r"^\s+(?:counsel|lawyers?|law\s+firm|firm|solicitors?|attorneys?)\s+(?:will|would|is|are|has|have|covers?|"
                                        r"already|drafts?|handles?|does|do|can\s+handle|take\s+care|takes\s+care)\b"
                                        # ... not one who has just left it ("our Argentine counsel has just withdrawn")
                                        r"(?!\s+(?:just\s+|now\s+|recently\s+)?(?:withdrawn|withdrew|resigned|quit|left|stepped\s+down|dropped|"
                                        r"been\s+(?:disqualified|conflicted|removed)|a\s+conflict|conflicted))", re.I)
# "the Angola Block 15 opportunity is on hold": a plan there given up
_EN_PLAN_DROPPED_AFTER = re.compile(r"^[^.;,!?]{0,30}?\b(?:opportunity|plan|option|idea|deal|bid|route|approach|proposal|workstream|project|matter|part|"
                                    r"alternative|target)\s+(?:is|are|has\s+been|was|got)\s+(?:now\s+)?(?:on\s+hold|off|cancell?ed|dropped|"
                                    r"shelved|abandoned|parked|scrapped|dead|off\s+the\s+table)\b|^\s+(?:drops|dropped|is\s+dropped)\s+out\b", re.I)
# "德国那边之前找过律师了": the place's part has had its lawyer (a past matter, roles reads it as a mention)
ZH_HAD_COUNSEL_AFTER = re.compile(r"^(?:那边|这边|方面|的部分)?[^，。,；;\s]{0,6}?(?:之前|以前|早就|已经|已)(?:就)?(?:找过|请过|用过|委托过)(?:当地|本地)?的?(?:律师|律所)")
# "美国FTC那边的问题另外有律所在处理": another lawyer has it
_ZH_OTHERS_HANDLING_AFTER = re.compile(r"^[^。；;]{0,12}?另(?:外)?有(?:律所|律师|人|团队)(?:在)?(?:处理|跟|做|负责|办)")
# "沙特前年已经注册下来了，不用再做": done already
_ZH_DONE_AFTER = re.compile(r"^[^，。,；;]{0,8}?(?:已经|已)[^，。,；;]{0,6}?了[，,\s]*(?:这个|那边|这块)?(?:就)?(?:不用|不需要|无需|不必|毋须)再|"
                            r"^[^，。,；;]{0,8}?(?:已经|已)[^，。,；;]{0,24}?[，,]\s*(?:毋须|无需|不用|不需要|不必)再|"  # "阿联酋部分已于去年…胜诉，毋须再处理"
                            r"^[^，。,；;]{0,12}?(?:已经|已)(?:结案|了结|终结)|"  # "印度DGTR那个案子已经结案了"
                            r"^[^，。,；;]{0,8}?(?:已经|已)[^，。,；;]{0,24}?(?:完|好|完成|下来|拿到[^，。,；;]{0,6}?)了[，,\s]*(?:这次|本次|此次)(?:不包括|不涉及|不用|不需要|(?:就)?只)")  # "…已经注册好了，这次只需要其他五个国家"
# "已由德国律师处理", "已交给美方律所": a lawyer of the place has it in hand
_ZH_HANDLED_BY_BEFORE = re.compile(r"(?:已经|已)(?:由|交给|委托(?:给)?)$|(?:由|交给)(?:我们|我方|我司|我所|客户|集团|总部)(?:自己)?(?:的|和|与|及)$")
_ZH_HANDLED_BY_AFTER = re.compile(rf"^(?:方|的)?{IN_HAND_BY}(?:[^，。,；;]{{0,4}}?(?:处理|负责|代理|办理|跟进|在做|在办))?")
# "已经有巴黎的团队了", "已经找好了利雅得的律所": the matter there is already in hand.
_ZH_HANDLED_BEFORE = re.compile(rf"{ZH_IN_HAND}[^，。,；;]{{0,6}}$")
_ZH_HANDLED_AFTER = re.compile(rf"^的?[^，。,；;]{{0,6}}?{IN_HAND_BY}", re.I)
# "新加坡那边的债权申报已经委托了律师": the matter there already in hand.
_ZH_HANDLED_THERE_AFTER = re.compile(rf"^(?:那边|这边|方面)?的?[^，。,；;]{{0,8}}?{ZH_IN_HAND}(?:[^，。,；;]{{0,4}}?|[^，。,；;]{{0,22}}?的)"
                                     rf"(?:{IN_HAND_BY}|人在?(?:做|处理|跟))", re.I)
_EN_NEG_BEFORE = re.compile(r"(?:\bnot (?:in |to |for |from |the )?|\bexcept (?:for )?|\bexcluding |"
                            r"\b(?:do\s*n[o']?t|don['’]t|do not)\s+need\s+anything\s+(?:done\s+)?in (?:the )?|"  # "we don't need anything done in the Netherlands"
                            r"\bother than |\brather than |\bnor |\bno need for (?:an? |the )?)$", re.I)
# "Brazil not this year", "The US Amazon store is separate, no need": set aside.
_EN_SET_ASIDE_AFTER = re.compile(r"^(?:\s+(?:we|I)\s+(?:have\s+)?already\s+(?:did|done|filed|registered|handled|finished|covered)\b|"  # "Qatar we already did last year"
                                 r"[^.;,!?]{0,40}?\b(?:is|are)\s+(?:(?:done|sorted|covered|handled|registered)\s+already\b|separate|sorted|excluded|covered|taken\s+care\s+of|out\s+of\s+scope|"
                                 r"already\s+(?:covered|handled|done|sorted|registered))\b|\s+(?:is\s+|are\s+)?not\s+(?:this\s+(?:year|time|round)|"
                                 r"for\s+now|now|needed|required|included|in\s+scope|relevant|affected|involved|concerned|on\s+the\s+table)\b|"
                                 r"[^.;!?]{0,40}?\bthresholds?\s+(?:are|is|were|was)(?:n['’]t|\s+not)\s+(?:met|reached|triggered|crossed)\b|"
                                 r"[^.;!?]{0,40}?\b(?:is|are|was|were|falls?|fell|stays?)\s+(?:\w+\s+)?below\s+(?:the\s+)?(?:filing\s+|notification\s+|merger\s+)?thresholds?\b|\s*(?:is\s+|are\s+)?out\s+of\s+scope\b|"
                                 r"\s*,?\s*(?:(?:maybe|only|perhaps|possibly)\s+)?(?:later|next\s+year|next\s+phase|down\s+the\s+road|can\s+wait)\b|"
                                 r"\s+(?:we\s+)?can\s+(?:park|skip|leave\s+aside|set\s+aside|drop)\b|"  # "India we can park"
                                 # "Qatar and Oman are phase 2 (probably 2026), don't scope them now"
                                 r"[^.;!?]{0,30}?\b(?:is|are|will\s+be)\s+(?:for\s+|in\s+)?(?:a\s+later\s+phase|phase\s+(?:2|3|two|three|ii)|the\s+next\s+phase)\b|"
                                 r"[^.;!?]{0,40}?\bdo\s*n['’]?o?t\s+(?:scope|include|cover|quote\s+for)\s+(?:them|it|those)\b|"
                                 r"\s+is\s+off\b(?!\s+(?:the\s+)?(?:coast|shore))|"  # "Chile is off: the producer pulled out"
                                 r"[^.;!?]{0,30}?,\s*(?:so\s+)?not\s+(?:need|needed|required)\b|"  # "Vietnam we stopped selling, not need"
                                 # "Our Argentine project in Salta has its own counsel, please do not include it"
                                 r"[^.;!?]{0,40}?\b(?:has|have)\s+(?:its|their)\s+own\s+(?:counsel|lawyers?|firm|advisers?)\b|"
                                 r"[^.;!?]{0,40}?\b(?:please\s+)?do\s*n[o']?t\s+include\s+(?:it|them|this)\b|"
                                 r"\s+(?:is|are)(?:n['’]t|\s+not)\s+part\s+of\s+(?:this|it|the\s+matter|the\s+mandate)\b|"  # "Azerbaijan and Georgia aren't part of this"
                                 r"[^.;!?]{0,30}?\b(?:they|it)(?:['’]re|['’]s|\s+are|\s+is)\s+not\s+involved\b|"  # "a bank in Singapore but they're not involved"
                                 r"[^.;!?]{0,40}?\bleave\s+(?:it|them|that)\s+out\b|"
                                 r"[^.;!?]{0,60}?\b(?:we['’]ll|we\s+will)\s+look\s+at\s+(?:those|them|it|that)\s+later\b|"
                                 r"[^.;!?]{0,70}?\bout\s+of\s+scope\s+for\s+now\b)", re.I)
# "launching our brand across the Gulf next year": when the plan happens, not a place put off
_EN_LAUNCH_BEFORE = re.compile(r"\b(?:launch\w*|expand\w*|enter\w*|roll\w*\s+out|open\w*|go(?:es|ing)?\s+live|start\w*\s+selling)\b[^.;!?]{0,40}$", re.I)
_EN_WHEN_AFTER = re.compile(r"^\s*,?\s*(?:next\s+year|later\s+this\s+year)\b", re.I)
# "UK counsel we will consider later", "Swiss counsel not needed at this stage": no lawyer there for now
_EN_COUNSEL_LATER_AFTER = re.compile(r"^\s+(?:counsel|lawyers?|(?:law\s+)?firms?|attorneys?|advisers?)\b(?:(?!\b(?:and|but|while|whereas)\b)[^.;!?,]){0,50}?"
                                     r"\b(?:not\s+(?:needed|required|necessary|now|yet)|later|at\s+a\s+later\s+stage|next\s+year)\b", re.I)
# "Don't reckon we need anyone in Malaysia", "we do not need counsel in Chile"
_EN_NEED_NOBODY_BEFORE = re.compile(r"\b(?:do\s*n[o']?t|don['’]t|do not)\s+(?:(?:think|reckon|believe|expect)\s+(?:we\s+)?)?need\s+"
                                    r"(?:anything|anyone|anybody|counsel|lawyers?|a\s+lawyer|a\s+firm|any\s+\w+)\s+(?:done\s+)?(?:in|for)\s+(?:the\s+)?$|"
                                    # "We are not looking for counsel in Zambia or Mozambique at this stage"
                                    r"\b(?:are|am|is)\s*(?:n['’]t|\s+not)\s+(?:looking\s+for|seeking|instructing|engaging)\s+"
                                    r"(?:any\s+|local\s+|separate\s+)*(?:counsel|lawyers?|a\s+lawyer|a\s+firm|firms|anyone)\s+(?:in|for)\s+(?:the\s+)?$", re.I)
# "We do not need U.S. local help"
_EN_NEED_NO_HELP_BEFORE = re.compile(r"\b(?:do\s*n[o']?t|don['’]t|do not)\s+need\s+(?:any\s+)?$", re.I)
_EN_HELP_AFTER = re.compile(r"^\s+(?:local\s+)?(?:help|counsel|lawyers?|advice|support|assistance|input)\b", re.I)
# "they will check with Singapore lawyer by themselves": the others' own lawyer
_EN_THEIR_OWN_CHECK_BEFORE = re.compile(r"\b(?:check|consult|work|deal|speak|talk|go)\s+with\s+(?:an?\s+|the\s+|their\s+|its\s+)?(?:own\s+)?$", re.I)
_EN_BY_THEMSELVES_AFTER = re.compile(r"^\s+(?:counsel|lawyers?|(?:law\s+)?firms?|attorneys?|advisers?)\b[^.;!?]{0,25}?"
                                     r"\b(?:by\s+themselves|on\s+their\s+own|themselves|separately|independently)\b", re.I)
# "Our lead counsel in Paris is handling the arbitration"
_EN_OUR_COUNSEL_IN_BEFORE = re.compile(r"\bour\s+(?:[\w-]+\s+){0,2}?(?:counsel|lawyers?|firm|attorneys?|solicitors?)\s+(?:in|at)\s+$", re.I)
_EN_IS_HANDLING_AFTER = re.compile(r"^\s+(?:is|are)\s+(?:already\s+)?(?:handling|running|conducting|leading|acting|representing|dealing|on\s+it)\b", re.I)
# "Our Santiago office lawyer already handle Chile side", "Saudi already done, our Riyadh partner lawyer did"
_EN_ALREADY_HANDLE_BEFORE = re.compile(r"\balready\s+(?:handles?|handled|handling|covers?|covered|covering|takes?\s+care\s+of|took\s+care\s+of|does|did|doing)\s+(?:the\s+)?$", re.I)
_EN_SIDE_AFTER = re.compile(r"^\s+(?:side|part|portion|matter|piece|workstream|one)\b", re.I)
_EN_ALREADY_DONE_AFTER = re.compile(r"^\s+(?:is\s+|are\s+)?already\s+(?:done|handled|covered|registered|sorted|finished|completed|filed)\b", re.I)
# "Scratch the Egypt request"
_EN_DROP_THE_BEFORE = re.compile(r"\b(?:scratch|forget|drop|cancel|ignore|disregard|withdraw)\s+(?:the|my|our|that)\s+$", re.I)
# "Please disregard the request for Chilean counsel"
_EN_DROP_REQUEST_FOR_BEFORE = re.compile(r"\b(?:scratch|forget|drop|cancel|ignore|disregard|withdraw)\s+(?:the|my|our|that|this)\s+"
                                         r"(?:request|ask|search|requirement|need)\s+for\s+(?:an?\s+|the\s+|any\s+)?$", re.I)
_EN_REQUEST_NOUN_AFTER = re.compile(r"^\s+(?:request|part|piece|one|ask|search|matter|question|bit|workstream)\b", re.I)
# "that case already has a US firm": the matter there is already in hand.
_EN_HANDLED_BEFORE = re.compile(rf"{EN_IN_HAND}\s+(?:an?\s+|the\s+|our\s+)?$", re.I)
# "already covered by a German firm", "handled by our Saudi counsel"
# "is already being defended by our Ljubljana firm" (not "an investigation run by Indonesian counsel", nor "run by
# the Eurasian Economic Commission")
_EN_BEING_HANDLED_BY_BEFORE = re.compile(r"\b(?:is|are|was|were|been|being|already)\s+(?:already\s+|being\s+)?(?:defended|run|conducted|advised)\s+by\s+"
                                         r"(?:an?\s+|our\s+|the\s+|their\s+)?$", re.I)
_EN_COUNSEL_NOUN_AFTER = re.compile(r"^\s+(?:counsel|lawyers?|(?:law\s+)?firm|attorneys?|solicitors?|team)\b", re.I)
_EN_HANDLED_BY_BEFORE = re.compile(r"\b(?:covered|handled|done|taken\s+care\s+of|represented|managed|looked\s+at|dealt\s+with)\s+"
                                   r"(?:separately\s+|already\s+)?by\s+(?:an?\s+|our\s+|the\s+|their\s+)?(?:\w+['’]s\s+)?$|"
                                   r"\b(?:firm|counsel|lawyers?)\s+(?:is|are)\s+(?:already\s+)?(?:covering|handling)\s+$|"  # "Our Oslo firm is covering Norway and Denmark"
                                   r"\b(?:well\s+)?represented\s+in\s+(?:the\s+)?$", re.I)  # "We are well represented in Brasilia and Mexico City"
# "Lead counsel is already in place (a Paris firm)"
_EN_ALREADY_PLACED_BEFORE = re.compile(r"\balready\s+(?:in\s+place|engaged|appointed|retained|on\s+board|instructed|with)\s*[(:,-]?\s*(?:an?\s+|the\s+|our\s+)?$|"
                                       r"\b(?:is|are|stays?|sits?|remains?)\s+with\s+(?:our|the\s+client['’]s|their)\s+(?:own\s+|existing\s+|usual\s+)?$", re.I)
# "we have a firm in HCMC for that", "we already have counsel in Riyadh"
_EN_HAVE_COUNSEL_BEFORE = re.compile(r"\bwe(?:'ve|\s+have|\s+already\s+have|\s+got|\s+use)\s+(?:got\s+)?(?:an?\s+|our\s+|the\s+)?(?:local\s+)?"
                                     r"(?:firm|counsel|lawyers?|team|advisers?)\s+(?:in|for)\s+$", re.I)
# "leaving Iceland out", "leave the UK out of it"
_EN_LEFT_OUT_BEFORE = re.compile(r"\bleav(?:e|es|ing)\s+(?:the\s+)?$", re.I)
# "美国律师已经在看了": a lawyer of the place is on it already
_ZH_LAWYER_ON_IT_AFTER = re.compile(rf"^(?:那边|这边)?(?:[^，。,；;的]{{1,6}}的|的)?[^，。,；;的]{{0,4}}?{IN_HAND_BY}(?:们)?(?:我们|我方|我司|总部|集团|公司)?(?:已经|已|正在|在)(?:在)?(?:看|做|跟|处理|办|负责|弄|定好|找好|请好|"
                                    rf"定了|找了|请了|联系好|有了|委任了|委托了|评估过|评估了|确认过|确认了|看过|由[^，。,；;]{{1,8}}?(?:另行|另外)?(?:聘请|委托|聘用|委任|负责|处理))")  # "美国律师我们已经有了"
# "a lawyer in Ukraine? no - Poland": the writer corrects the place just named.
_EN_CORRECTED_AFTER = re.compile(r"^\s*\?\s*(?:no|nope|sorry|actually|i mean)\b(?!\s+idea)", re.I)
_ZH_CORRECTED_AFTER = re.compile(r"^(?:[^，。,；;？?]{0,4}[，,？?]\s*(?:不对|说错了|哦不|更正)|[？?，,]\s*不是[，,])")
# "打错了 是巴西！！不是阿根廷", "是巴西，不是阿根廷": the writer takes a country back (a city taken back
# for another of the same country, "是西港 不是金边", leaves the country standing, so countries only)
_ZH_TAKEN_BACK_BEFORE = re.compile(r"(?:(?:说错了|打错了|写错了|搞错了|弄错了|更正|纠正|改一下|不对)[^。；;\n]{0,20}?|"
                                   r"是[^，。,；;！!\s]{1,12}[\s！!，,]*)(?:而)?不是$")
# A country named as a law, forum, seat or sanctions authority rather than where the matter is.
_ZH_FORUM_AFTER = re.compile(r"^(?:[和及与、][^，。,；;]{1,6}?)?(?:[^，。,；;]{0,3}?)(?:仲裁|法律管辖|法管辖|法律|法》|法\b|《|制裁|"
                             r"出口管制|商务部|财政部|列名|列入|政府列|长臂)")
_EN_FORUM_AFTER = re.compile(r"^['’]?s?(?:\s+(?:and|or|&)\s+(?:the\s+)?[A-Z][\w.]*)?\s*(?:law|laws|arbitration|sanctions?|export control\w*|"
                             r"Entity List|jurisdiction|-seated|seated|courts? of arbitration)\b", re.I)
_EN_FORUM_BEFORE = re.compile(r"(?:governed by|under|seated in|seat in|seat of|subject to)"
                              r"\s+(?:the\s+)?(?:laws? of\s+)?$", re.I)
_EN_LANGUAGE_BEFORE = re.compile(r"(?:\bin|speak\w*|fluent|proficient|read|write|native)\s+$", re.I)
_CURRENCY_AFTER = re.compile(r"^[\s-]?(?:dollars?|\$|cents?|lira|liras|rupees?|rubles?|roubles?|pesos?|reais|rand|naira|dirhams?|"
                              r"riyals?|rials?|tenge|dong|baht|ringgit|rupiah|euros?|yen|soms?|kwanza|francs?|pounds?|"
                              r"shillings?|cedis?|kip|riel|taka|manats?|lari|drams?|sterling|currency)\b", re.I)
# Where the lawyer studied or visited is not where the matter is.
_ZH_STUDY = re.compile(r"留学|访学|访问学者|毕业于|法学硕士|学位|攻读|进修")
_EN_STUDY = re.compile(r"\bLL\.?M\b|\buniversity\b|\bgraduated\b|\bstudied\b|\bdegree\b|"
                       r"\bvisiting scholar\b", re.I)


# "肯尼亚 CBK 那个已经批了", "英国站的产品安全那块已经搞定了", "沙特GCAM的分级证书下来了🎉": that part is done
# (an approval, a certificate, a part sorted out; not "子公司已经注册完成，需要…", where the work begins)
_ZH_SORTED_AFTER = re.compile(r"^[^，。,；;！!？?\n]{0,14}?(?:(?:已经|已|都)(?:搞定|弄好|处理好|处理完|批了|批下来|获批|批准了|结了)|"
                              r"(?:证书|许可证?|牌照|批文|批复|执照|(?i:license|licence))(?:已经|已|也)?(?:下来|批下来|拿到)了)"
                              r"(?:了|啦)?(?=[，。,；;!！\s—-]|$|[\U0001F300-\U0001FAFF])")
# "原本还有一家泰国的，因估值谈不拢已撤案", "塔吉克那个卖方撤了不算": a deal there dropped; "Brazil 去年已经上线，LGPD 那套
# 做完了": done (not across another place: "吉尔吉斯坦1个电站，塔吉克那个卖方撤了")
_ZH_DROPPED_AFTER = re.compile(r"^(?:(?:[^，。,；;！!？?\n、]{0,10}?[，,])?[^，。,；;！!？?\n、]{0,10}?(?:已经|已|都)?(?:撤案|撤了|黄了|谈崩了|告吹|放弃了)(?:不算)?|"
                               r"[^，。,；;！!？?\n、]{0,14}?[，,][^，。,；;！!？?\n、]{0,10}?(?:已经|已|都)?(?:做完|弄完|处理完)了)"
                               r"(?:了|啦)?(?=[，。,；;!！\s—-]|$|[\U0001F300-\U0001FAFF])")
# "冰岛我们没卖过，不涉及", "德国那家去年已经整改过了，这次跳过": the next clause sets the place aside (not a
# bloc across a member named in between: "北欧五国里冰岛我们没卖过，不涉及")
_ZH_NOT_INVOLVED_NEXT = re.compile(r"^([^，。,；;\s]{0,16})[，,]\s*(?:这次|本次|也|就|都)*(?:不涉及|跳过)(?:了)?(?=[，。,；;!！\s]|$)")
# "英国的继续用现在那家所": that place stays with the firm it has
_ZH_KEEPS_ITS_FIRM_AFTER = re.compile(r"^(?:的|那边的?|方面的?|部分)?[^，。,；;]{0,6}?(?:继续|还是|仍然|仍)(?:用|找|由|请|交给)"
                                      r"(?:现在|原来|目前|之前|现有|原有|老)的?(?:那家|这家|那个|这个)?(?:律所|所|律师)")


# "我们马来西亚子公司也往印度出口，但那边的货…暂时不管": a destination, after another place in its clause, is
# not what the but refers back to
_ZH_DESTINATION_VERB = re.compile(r"(?:往|向|出口到|出口至|卖到|销往|运到)(?=[^，。,；;\s]{1,12}$)")


def _zh_set_aside_after(norm: str, end: int, after: str) -> bool:
    """What Chinese words after a place say of it ("不用管", "去年已经注册好了，这次不用")."""
    wide_after = norm[end:end + 40]
    # (a set-aside said further on is not this place's across another one named in between: "…四国经销商的出货需全面排查
    # （土库曼斯坦目前无业务，暂不纳入）")
    next_clause = _ZH_NEXT_CLAUSE_SET_ASIDE.match(wide_after)
    return bool(_ZH_SET_ASIDE_AFTER.match(after) or _ZH_DONE_AFTER.match(wide_after)
                or (next_clause and not _names_a_place(next_clause.group(0)))
                or (_ZH_BUT_SET_ASIDE_AFTER.match(wide_after) and not _a_destination(norm, end))
                or _ZH_STOP_SEEKING_AFTER.match(after) or _ZH_PLAN_DROPPED_AFTER.match(after)
                or _ZH_SORTED_AFTER.match(after) or _ZH_KEEPS_ITS_FIRM_AFTER.match(after)
                or bool((gap := _ZH_NOT_INVOLVED_NEXT.match(wide_after)) and not _names_a_place(gap.group(1)))
                or bool((dropped := _ZH_DROPPED_AFTER.match(wide_after)) and not _names_a_place(dropped.group(0))))


def _names_a_place(words: str) -> bool:
    return bool(_gazetteer(True)[2].search(words))


def _a_destination(norm: str, end: int) -> bool:
    """Whether the place ending at ``end`` is where goods go, after another place in its clause."""
    clause = re.split(r"[，。,；;\n]", norm[max(0, end - 40):end])[-1]
    verb = _ZH_DESTINATION_VERB.search(clause)
    return verb is not None and _names_a_place(clause[:verb.start()])


def set_aside(norm: str, start: int, end: int, whole_country: bool = True) -> bool:
    """Whether the place named at norm[start:end] is negated, set aside or already in hand ("not in
    Vietnam", "不是要美国律师", "沙特不用管", "Brazil not this year", "that case already has a US firm")."""
    before, after = norm[max(0, start - 14):start], norm[end:end + 24]
    # "Qatar 去年已经注册好了，这次只需要其他五个国家", "不是Chile，是Peru": a Latin name in Chinese text is set
    # aside in Chinese (a country's name: "Ontario 那边没问题" beside "想找 Quebec 的律师" sets no country aside)
    if whole_country and not is_cjk(norm[start:end]):
        # ("EU sanctions 这次不用管": a Latin word or two may stand between)
        tail = re.match(r"\s*(?:[A-Za-z][\w-]*\s+){0,2}", after)
        skip = tail.end() if tail is not None else 0
        if is_cjk(after[skip:skip + 1]) and _zh_set_aside_after(norm, end + skip, after[skip:]):
            return True
        if is_cjk(before.rstrip()[-1:]) and (_ZH_NEG_BEFORE.search(before.rstrip())
                                            or _ZH_TAKEN_BACK_BEFORE.search(norm[max(0, start - 32):start].rstrip())):
            return True
    if is_cjk(norm[start:end]):
        wide_after = norm[end:end + 40]
        if re.search(r"(?:他们|该所|该律所|这家所|那家所|对方)在$", before):
            return False  # "他们在老挝没有执照，不考虑": the firm's reach, not a place set aside
        if re.search(r"(?:已经|已)在$", before) and re.match(r"^(?:请了|找了|聘了|聘请了|委托了|请好了|找好了)(?:当地)?的?(?:律师|律所)", after):
            return True  # "仲裁那边我们已经在伦敦请了律师": counsel there already in hand
        if before.endswith("不是") and re.match(r"^(?:那边|这边)?的?(?:案子|事情?|问题|项目)", after):
            return True  # "不是墨西哥那边的案子。是美国商务部…"
        if before.endswith("不在") and re.match(r"^(?:当地)?(?:执业|开业|有办公室|设有?办公室|有分所|设点)", after):
            return False  # "该所不在黑山执业": a firm's reach, not a place set aside
        return bool(_ZH_NEG_BEFORE.search(before) or _ZH_CORRECTED_AFTER.match(after) or _zh_set_aside_after(norm, end, after)
                    or _ZH_NO_REFERRAL_AFTER.match(wide_after)
                    or _ZH_ARRANGED_BY_AFTER.match(after) or _ZH_NOT_THERE_AFTER.match(norm[end:end + 64]) or _ZH_ELSEWHERE_AFTER.match(after)
                    # "德国买家那边的律师我们不需要"
                    or bool(re.match(r"^[^，。,；;\s]{0,8}?那边的?(?:律师|律所)(?:我们|我司)?(?:就|也)?(?:不需要|不用找|不用|无需|不必)", after))
                    or (before.endswith("由") and _ZH_OTHER_FIRM_OUT_OF_SCOPE.match(after))
                    or _ZH_OTHERS_HANDLING_AFTER.match(wide_after) or _ZH_NOT_TRIGGERED_AFTER.match(after) or _ZH_NOT_AGAIN_AFTER.match(wide_after)
                    or (re.search(r"(?:跟|和|与)$", before) and re.match(r"^(?:那边)?(?:无关|没关系|没有关系|不相干)", after))
                    or (_ZH_ELSEWHERE_BEFORE.search(before) and _ZH_LAWYER_AFTER.match(after))
                    or (_ZH_HANDLED_BY_BEFORE.search(before)
                        and (_ZH_HANDLED_BY_AFTER.match(after) or re.search(f"{IN_HAND_BY}$", norm[start:end])))
                    or (_ZH_NEG_LAWYER_BEFORE.search(before) and not ZH_LAWYER_JOINS_AFTER.match(after)
                        and (_ZH_LAWYER_AFTER.match(after) or re.match(r"^的(?:[。，,；;!！\s]|$)", after)
                                                                   or bool(re.search(f"{IN_HAND_BY}$", norm[start:end]))))  # "不需要另找英国律师"
                    # "保险部分由船东互保协会在伦敦委任的律师处理": someone else's lawyer there
                    or (bool(re.search(r"由[^，。,；;]{1,12}在$", before))
                        and bool(re.match(r"^(?:委任|聘请|委托|请|找)的(?:律师|律所)(?:处理|负责|代理|跟进)", after)))
                    or (_ZH_HANDLED_BEFORE.search(before) and _ZH_HANDLED_AFTER.match(after))
                    or _ZH_HANDLED_THERE_AFTER.match(wide_after) or _ZH_LAWYER_ON_IT_AFTER.match(after)
                    or (re.search(f"{IN_HAND_BY}$", norm[start:end]) and _ZH_LAWYER_ON_IT_AFTER.match("律师" + after)))  # "英国律师已由我行另行聘请"
    wide_before = norm[max(0, start - 40):start]
    return bool(_EN_NEG_BEFORE.search(before) or _EN_CORRECTED_AFTER.match(after)
                or (_EN_SET_ASIDE_AFTER.match(norm[end:end + 110]) and not (_EN_WHEN_AFTER.match(after) and _EN_LAUNCH_BEFORE.search(wide_before))
                    and not re.search(r"\b(?:until|till|once|after|when|before|unless)\s+(?:the\s+)?$", before, re.I))  # "on hold until Spain is sorted"
                or _EN_HANDLED_BEFORE.search(wide_before)
                or (re.search(r"\bnot\s+looking\s+(?:for|at)\s+$", before) and re.match(r"^\s*(?:[,.;)]|$)", after))
                or (_EN_LEFT_OUT_BEFORE.search(before) and re.match(r"^\s+(?:out|aside)\b", after))
                or _EN_HAVE_COUNSEL_BEFORE.search(wide_before)
                or _EN_HANDLED_BY_BEFORE.search(wide_before)
                # "Our Laredo warehouse team has its own US counsel"
                or (re.search(r"\b(?:has|have)\s+(?:its|their|our)\s+own\s+$", before) and bool(_EN_COUNSEL_NOUN_AFTER.match(after)))
                # "handled by HQ IP team with their US counsel"
                or (re.search(r"\b(?:handled|covered|done|run|led)\s+by\b[^.;]{0,40}\bwith\s+(?:their|our|its)\s+(?:own\s+)?$", wide_before)
                    and bool(_EN_COUNSEL_NOUN_AFTER.match(after)))
                or (_EN_BEING_HANDLED_BY_BEFORE.search(wide_before) and _EN_COUNSEL_NOUN_AFTER.match(after))
                or _EN_ALREADY_PLACED_BEFORE.search(wide_before)
                or (_ZH_HANDLED_BEFORE.search(before) and _ZH_HANDLED_AFTER.match(after))  # "已经找了Dar es Salaam的律所"
                or _EN_COUNSEL_ACTING_AFTER.match(norm[end:end + 140])
                or (_EN_DONT_ENGAGE_BEFORE.search(wide_before)
                    and re.match(r"^\s+(?:counsel|lawyers?|firms?|attorneys?|solicitors?|advisers?)\b", after, re.I))
                or _EN_PLAN_DROPPED_AFTER.match(norm[end:end + 60])
                or _EN_COUNSEL_LATER_AFTER.match(norm[end:end + 80]) or _EN_NEED_NOBODY_BEFORE.search(wide_before)
                or (_EN_NEED_NO_HELP_BEFORE.search(before) and _EN_HELP_AFTER.match(after))
                or (_EN_THEIR_OWN_CHECK_BEFORE.search(wide_before) and _EN_BY_THEMSELVES_AFTER.match(norm[end:end + 60]))
                or (_EN_OUR_COUNSEL_IN_BEFORE.search(wide_before) and _EN_IS_HANDLING_AFTER.match(after))
                or (_EN_DROP_THE_BEFORE.search(wide_before) and _EN_REQUEST_NOUN_AFTER.match(after))
                or _EN_DROP_REQUEST_FOR_BEFORE.search(wide_before)
                or (_EN_ALREADY_HANDLE_BEFORE.search(wide_before) and _EN_SIDE_AFTER.match(after)) or _EN_ALREADY_DONE_AFTER.match(after)
                or (_EN_OUR_BEFORE.search(before) and _EN_OUR_COUNSEL_ACTS_AFTER.match(norm[end:end + 50]))
                or _ZH_NEXT_CLAUSE_SET_ASIDE.match(norm[end:end + 30].lstrip())
                or _ZH_HANDLED_THERE_AFTER.match(re.sub(r"^\s*(?:(?:[和及与、]|and)\s*[^，。,；;、和及与]{1,12}?\s*)*", "", after))
                or _ZH_BUT_SET_ASIDE_AFTER.match(norm[end:end + 40])
                or _ZH_LAWYER_ON_IT_AFTER.match(after.lstrip())
                or _ZH_SET_ASIDE_AFTER.match(after)  # "North Africa（埃及、摩洛哥）不考虑"
                or (_ZH_NEG_LAWYER_BEFORE.search(before) and bool(_ZH_LAWYER_AFTER.match(after.lstrip()))))  # "也不需要UAE律师"


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    code: str
    kind: str
    confidence: float
    negated: bool


# Each text is scanned twice (its readings, then mask_places for the text encoded), in a request
# and in a rebuild's batch alike; the scan is the costliest step of reading a profile.
@lru_cache(maxsize=16384)
def _place_mentions(text: str, world: bool = False) -> tuple[_Mention, ...]:
    """Every place named (blockers only stop a shorter match and are not returned)."""
    exact, folded, pattern = _gazetteer(world)
    norm = text.translate(NORMALISE)
    language_words = _language_words_en()
    out: list[_Mention] = []
    for m in pattern.finditer(norm):
        s = m.group(0)
        place = exact.get(s) or folded.get(s.lower())
        if place is None and s.islower() and s not in LOWERCASE_DEMONYM_WORDS \
                and _LOWER_DEMONYM_NOUNS.match(norm, m.end()) and (title := exact.get(s.capitalize())) is not None \
                and title.kind == "demonym":
            place = title  # chat English: "need thai lawyer", "sue in russian arbitrazh court"
        if place is None or place.code is None:
            continue
        kind = place.kind
        after = norm[m.end():m.end() + 24]
        before = norm[max(0, m.start() - 14):m.start()]
        conf = place.confidence
        if is_cjk(s) and kind == "city" and len(s) <= 3 and m.start() and norm[m.start() - 1] in _TRANSLITERATION \
                and not (out and out[-1].end == m.start()):
            continue  # "索格德州" is Sughd, not 德州; "意大利米兰" is Milan (a place ends right before it)
        if is_cjk(s) and kind == "city" and (gloss := _LATIN_GLOSS.match(norm, m.end())) is not None \
                and not any(g.code == place.code for g in place_mentions(gloss.group(1))):
            continue  # "瓦利马（Vaalimaa）": the Latin name says which place, and it is not Lima
        if is_cjk(s):
            # 越南语 / 葡萄牙语 / 印尼文 name a language, not the country.
            if after[:1] == _LANG_FOLLOWERS_ZH or (after[:1] == "文" and after[1:2] not in "件化书物") \
                    or (after[:1] == "话" and after[1:2] not in "会费题") \
                    or _inside_language_name(norm, m.start(), m.end()):  # 越南话 is the language; 越南话题 a topic
                continue
            negated = set_aside(norm, m.start(), m.end()) \
                or (kind == "country" and bool(_ZH_TAKEN_BACK_BEFORE.search(norm[max(0, m.start() - 32):m.start()])))
            if _ZH_FORUM_AFTER.search(after):
                conf = min(conf, 0.6)
            if _ZH_STUDY.search(sentence_around(norm, m.start(), m.end())):
                conf = min(conf, 0.5)
        else:
            if place.kind == "demonym" and (s in language_words or s.capitalize() in language_words) and (
                    not _country_nouns().match(norm[m.end():m.end() + 48]) or _EN_LANGUAGE_BEFORE.search(before)) \
                    and not _ZH_COUNTRY_NOUN_AFTER.match(after):  # "需要irish gdpr律师": a country's lawyer
                continue  # "fluent in Portuguese" is a language
            if after.startswith("-speaking") or after.startswith(" speaking") or re.search(r"(?i:\bbahasa)\s+$", before):
                continue  # "Bahasa Malaysia not required" names a language
            if kind == "city" and re.search(r"\b(?:Project|Operation|Codename|Code\s+name)\s+[\"“']?$", before):
                continue  # "Project Falcon": a deal's code name, not the Venezuelan state
            if _CURRENCY_AFTER.match(after):
                kind = "currency"  # "US-dollar notes", "paid in US dollars": a currency, not a place
            negated = set_aside(norm, m.start(), m.end(), whole_country=kind in ("country", "alias", "demonym"))
            if _EN_FORUM_AFTER.search(after) or _EN_FORUM_BEFORE.search(norm[max(0, m.start() - 30):m.start()]):
                conf = min(conf, 0.6)
            if _EN_STUDY.search(sentence_around(norm, m.start(), m.end())):
                conf = min(conf, 0.5)
        out.append(_Mention(m.start(), m.end(), place.code, kind, conf, negated))
    if world:
        out += _misspelt_places(norm, out)
        out += _codes_before_counsel(norm, out)
    return tuple(out)


# A desk's two-letter country code right before the lawyer it asks for ("Need PH data privacy lawyer",
# "SA counsel"): only codes that are no English word or common abbreviation in that place
_CODES_BEFORE_COUNSEL = frozenset("PH SA AE NG EG KE TZ UG ZA TH KH MM BD PK LK NP MN TJ TR IR IQ JO QA KW OM BH IL MA DZ TN "
                                  "ET GH SN CM AO MZ ZM ZW BR MX AR CL PE EC BO PY UY VE".split())
_CODE_BEFORE_COUNSEL = re.compile(r"(?<![A-Za-z])([A-Z]{2})(?=(?:\s+[a-z][\w/&-]*){0,3}\s+(?:lawyers?|counsel|law\s+firms?|attorneys?|solicitors?)\b)")


def _codes_before_counsel(norm: str, found: list[_Mention]) -> list[_Mention]:
    taken = [(m.start, m.end) for m in found]
    out = []
    for m in islice(_CODE_BEFORE_COUNSEL.finditer(norm), MAX_WORDS_CHECKED):
        if m.group(1) in _CODES_BEFORE_COUNSEL and not any(a < m.end() and m.start() < b for a, b in taken):
            named = {f.code for f in found}
            code = "ZA" if m.group(1) == "SA" and "ZA" in named and "SA" not in named else m.group(1)  # "SA litigation attorneys" in Gauteng
            out.append(_Mention(m.start(), m.end(), code, "alias", 0.85, set_aside(norm, m.start(), m.end())))
    return out


# A country or city name typed one letter wrong ("Singapor", "Kazakstan", "Phillipines", "Veitnam"),
# in a need's text: a word of seven letters or more that is one deletion, insertion or substitution
# from exactly one country's name, and not an English word one letter from a place ("Cypress").
TYPO_MIN_LETTERS = 7
_TYPO_CONFIDENCE = 0.85
MAX_WORDS_CHECKED = 2000  # a hostile text of many long words costs no more than this
_WORD = re.compile(rf"(?<![{EN_WORD}])[A-Za-z]{{{TYPO_MIN_LETTERS},}}(?![{EN_WORD}])")


def _one_deleted(word: str) -> set[str]:
    return {word} | {word[:i] + word[i + 1:] for i in range(len(word))}


def one_letter_apart(a: str, b: str) -> bool:
    """One letter deleted, inserted, replaced, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), len(a))
    if len(a) < len(b):
        return a[i:] == b[i + 1:]
    return a[i + 1:] == b[i + 1:] or (a[i:i + 2] == b[i + 1:i - 1 if i else None:-1] and a[i + 2:] == b[i + 2:])


@lru_cache(maxsize=1)
def typo_index() -> dict[str, frozenset[tuple[str, str]]]:
    """Each name of a country or city, and each of its one-letter deletions, to the (name, country) pairs."""
    exact, folded, _ = _gazetteer(False)
    index: dict[str, set[tuple[str, str]]] = {}
    for surface, place in [*exact.items(), *folded.items()]:
        if place.code and place.kind in ("country", "alias", "city") and surface.isascii() and surface.isalpha() \
                and len(surface) >= TYPO_MIN_LETTERS:
            for key in _one_deleted(surface.lower()):
                index.setdefault(key, set()).add((surface.lower(), place.code))
    return {k: frozenset(v) for k, v in index.items()}


def misspelt_codes(word: str) -> set[str]:
    """The countries whose names are one letter from ``word`` (lower-case)."""
    index = typo_index()
    return {code for key in _one_deleted(word) for name, code in index.get(key, ()) if one_letter_apart(word, name)}


def _misspelt_places(norm: str, found: list[_Mention]) -> list[_Mention]:
    words = _typo_words()
    exact, folded, _ = _gazetteer(True)
    out: list[_Mention] = []
    for m in islice(_WORD.finditer(norm), MAX_WORDS_CHECKED):
        word = m.group(0).lower()
        if not m.group(0)[0].isupper() or word in words or word in folded or m.group(0) in exact \
                or any(f.start < m.end() and m.start() < f.end for f in found):
            continue  # a name is written with a capital; an ordinary word is not
        codes = misspelt_codes(word)
        if len(codes) == 1:
            out.append(_Mention(m.start(), m.end(), codes.pop(), "country", _TYPO_CONFIDENCE, set_aside(norm, m.start(), m.end())))
    return out


@lru_cache(maxsize=1)
def _typo_words() -> frozenset[str]:
    return frozenset(load_lexicon("typo_words")["words"])


# Where a company is registered or listed is not where the work is ("a client listed in the US",
# "Singapore-registered", "纳斯达克上市"): shared with the need reader's roles.
EN_REG_AFTER = re.compile(r"^(?:-|\s+)(?:registered|incorporated|domiciled|listed|"
                          r"listing(?!\s+(?:counsel|lawyers?|attorneys?|law\s+firms?|firms?|rules|application|process|requirements))|"  # "Swiss listing counsel"
                          r"flagged|flag)\b", re.I)
EN_REG_BEFORE = re.compile(r"\b(?:(?:registered|incorporated|domiciled|listed|flagged|flag)\s+(?:in|on|of)|flag(?:\s+state)?\s*[:-]?)\s+(?:the\s+)?$", re.I)
ZH_REG_AFTER = re.compile(r"^[^，。,；;的\s]{0,6}?(?:上市|注册的|注册公司|籍船|旗船|船旗)|^\s?注册\s?[)）]")  # "本基金（开曼注册）"


_ZH_PLANNED = re.compile(r"(?:准备|计划|拟|想|打算|申请|筹备|争取)[^，。,；;]{0,6}在$")


@lru_cache(maxsize=64)
def _normalised(text: str) -> str:
    return text.translate(NORMALISE)  # once per text, not once per place it names


def registered_there(text: str, start: int, end: int) -> bool:
    """Whether the place at text[start:end] is named as where a company is registered or listed."""
    norm = _normalised(text)
    if is_cjk(norm[start:end]) or is_cjk(norm[end:end + 1]):  # "Marshall Islands注册的SPV" too
        # "准备在香港联交所上市": a listing to be made there is the work itself
        planned = _ZH_PLANNED.search(norm[max(0, start - 12):start])
        return bool(ZH_REG_AFTER.match(norm[end:end + 30])) and not planned
    return bool(EN_REG_AFTER.match(norm[end:end + 30]) or EN_REG_BEFORE.search(norm[max(0, start - 40):start]))


def read_countries(text: str, *, world: bool = False) -> list[Reading]:
    """Target countries named in the text, most confident first (see the module docstring);
    ``world``: the world's cities too (a need's text)."""
    best: dict[str, tuple[float, str, int]] = {}
    negated: set[str] = set()
    for mention in _place_mentions(text, world):
        if mention.negated:
            negated.add(mention.code)
            continue
        if mention.kind == "currency" or registered_there(text, mention.start, mention.end):
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


ORIGIN_CONFIDENCE = 0.5
SECONDARY_CONFIDENCE = 0.6
SOLE_TARGET_CONFIDENCE = 0.9
HOME = _HOME


def place_mentions(text: str, *, world: bool = False) -> tuple[_Mention, ...]:
    """Every place named, in the order written (blockers only stop a shorter match); ``world``:
    the world's cities too."""
    return _place_mentions(text, world)


def mask_places(text: str) -> str:
    """Replace every country, city and adjective of place with a neutral token of its script."""
    pieces: list[str] = []
    last = 0
    for mention in _place_mentions(text):
        span = text[mention.start:mention.end]
        if is_cjk(span):
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
