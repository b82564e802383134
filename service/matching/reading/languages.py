"""Working languages a text asks the lawyer to have.

Confidence (0..1): >= 0.9 an explicit requirement for the lawyer ("需要会俄语", "fluent in
Portuguese"); ~0.6 a document language only ("the contract is in French"). Negated requirements
("不需要俄语", "we do not need Russian") are not returned; Chinese never is.
"""

from __future__ import annotations

import re
from functools import lru_cache

from service import taxonomy
from service.matching.reading.text import (
    EN_WORD,
    NORMALISE,
    Reading,
    clause_bounds,
    is_cjk,
    load_lexicon,
    sentence_around,
    trie_pattern,
)

_ZH_FILE_AFTER = "件化书物学"


@lru_cache(maxsize=1)
def _language_lexicon() -> tuple[dict[str, str], re.Pattern[str]]:
    codes = taxonomy.all_languages()
    zh = taxonomy.language_names("zh")
    en = taxonomy.language_names("en")
    aliases = load_lexicon("languages")
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
    for s, c in {**aliases["zh_aliases"], **aliases["en_aliases"]}.items():
        surfaces.setdefault(s, c)
    zh_alts = [s for s in surfaces if is_cjk(s)]
    en_alts = [s for s in surfaces if not is_cjk(s)]
    pattern = re.compile(
        rf"(?<![{EN_WORD}])(?:{trie_pattern(en_alts)})(?![{EN_WORD}])|" + trie_pattern(zh_alts)
    )
    return surfaces, pattern


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


def read_languages(text: str) -> list[Reading]:
    """Working languages the lawyer must have, besides Chinese (see the module docstring)."""
    surfaces, pattern = _language_lexicon()
    norm = text.translate(NORMALISE)
    positive: dict[str, tuple[float, str]] = {}
    for m in pattern.finditer(norm):
        s = m.group(0)
        code = surfaces[s]
        if code == "zh":
            continue
        lo, hi = clause_bounds(norm, m.start(), m.end())
        before, after = norm[lo:m.start()], norm[m.end():hi]
        if is_cjk(s):
            prev = norm[m.start() - 1:m.start()]
            if s.endswith("文") and (after[:1] in _ZH_FILE_AFTER or prev in "合违非立司执宪"):
                continue
            if _ZH_NEG.search(before) or _ZH_NEG_AFTER.search(after):
                continue
            doc = bool(_ZH_DOC_AFTER.search(after)) or bool(re.search(r"(?:是|都是|多是|用)$", before))
            req = bool(_ZH_REQ.search(before[-8:])) or bool(_ZH_REQ_AFTER.search(after))
            if not req and _ZH_REQ_LATER.search(sentence_around(norm, m.end(), m.end())):
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
