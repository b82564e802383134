"""Working languages a text asks the lawyer to have.

Confidence (0..1): >= 0.9 a requirement for the lawyer ("需要会俄语", "西班牙语必须", "fluent in
Portuguese", "Arabic required"); 0.6 a wish ("最好会泰语", "俄语优先", "English is fine too",
"a plus"), a document language ("the contract is in French") or one of alternatives ("乌兹别克语或
俄语"); 0.5 the enterprise's own working language ("our team works in English"). Only a
requirement binds. Not returned: negated requirements ("不需要俄语", "he does not speak English"),
a language word that names a place or a law ("Uzbek law", "Spanish-registered", "a Hungarian
subsidiary"), and Chinese. Within a clause, the wish or requirement word nearest to the language
decides ("Russian is a must and English a plus").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from itertools import islice

from babel.languages import get_official_languages

from service import taxonomy
from service.matching.reading.places import place_mentions
from service.matching.reading.text import (
    EN_WORD,
    NORMALISE,
    Reading,
    clause_bounds,
    history_start,
    is_cjk,
    line_end,
    load_lexicon,
    replaced_requests,
    sentence_around,
    sentence_bounds,
    trie_pattern,
)

_ZH_FILE_AFTER = "件化书物学本"  # 西班牙文本 is the Spanish text


MAX_MENTIONS = 48
CLAUSE_REACH = 160
_LOWERCASE_ORDINARY = frozenset({"polish", "latin", "chinese"})


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
            # chat English: "must speak russian"; not where the lower-case word is ordinary English
            if len(name) >= 4 and name.lower() not in _LOWERCASE_ORDINARY:
                surfaces.setdefault(name.lower(), c)
    for s, c in {**aliases["zh_aliases"], **aliases["en_aliases"]}.items():
        surfaces.setdefault(s, c)
        if not is_cjk(s) and len(s) >= 4 and s.lower() not in _LOWERCASE_ORDINARY:
            surfaces.setdefault(s.lower(), c)  # "bahasa indonesia must"
    zh_alts = [s for s in surfaces if is_cjk(s)]
    en_alts = [s for s in surfaces if not is_cjk(s)]
    pattern = re.compile(
        rf"(?<![{EN_WORD}])(?:{trie_pattern(en_alts)})(?![{EN_WORD}])|" + trie_pattern(zh_alts)
    )
    return surfaces, pattern


_ZH_NEG = re.compile(r"不太|不怎么|不大会|不会说|不会讲|不讲|不说|不懂|不需要|不需|无需|不必|不用|不要求|没必要|不一定|不强求|不会|不懂|不限|"
                     r"没人会|没有人会|没人懂|没有人懂|谁都不会|都不会|冇人识|冇人会|冇人懂|没人识|"
                     r"唔使|唔洗|唔需要|唔一定|唔太")  # Cantonese (the engine reads simplified characters)
# "不会英语的不要": refusing whoever lacks the language is requiring it.
_ZH_CANNOT_BEFORE = re.compile(r"(?:不会|不懂|唔识|唔会|唔懂|不识)(?:说|讲|听)?$|不讲$|不说$|不能(?:直接)?(?:处理|看|读|阅读|审阅|用)$")
_ZH_REFUSED_AFTER_LANGUAGE = re.compile(r"^(?:语|文)?[^，。,；;]{0,3}?(?:不会|不懂|不通|不行|不灵|不过关|不熟练|不流利|不好|不熟)(?:的)?(?:律师|人)?(?:就|都|一律)?(?:"
                                        r"(?:别来|不要|免谈|不考虑|不用考虑|不必考虑|没法用|算了|不用来|免了|不行|pass|别推荐|不用推荐|不予考虑|等于白请|白请|白搭|没用))")
# "律师要会葡语吗？": a question whether the language is needed is no requirement.
_DISPREFERRED = re.compile(r"\b(?:than|rather than|instead of)\b[^.;,]{0,40}$", re.I)
_ZH_IF_CANNOT_BEFORE = re.compile(r"(?:要是|如果|若|假如|万一)[^。；;]{0,12}?(?:读不了|看不懂|看不了|读不懂|不会|不懂|不能读|不能看)$")
_ZH_THEN_NO_GOOD = re.compile(r"来不及|不必考虑|不用考虑|不考虑|免谈|不行|没用|白搭|硬性|必须|不予考虑|就算了|没有意义|没意义|帮不上忙|没法用")
_ZH_ASKED_AFTER = re.compile(r"^(?:语|文)?(?:吗|么|嘛|不|没有)?\s*[?？]|^(?:语|文)?(?:吗|么)")  # "英语嘛，…": a topic, not a question
_ZH_NEG_REFUSED_AFTER = re.compile(r"^(?:的话|的|嘅)?(?:文件|材料|资料|文书|合同)?的?(?:律师|人)?(?:就|都|一律)?(?:基本|根本|完全|基本上)?(?:不要|不行|不考虑|不用考虑|免谈|算了|别推荐|不用推荐|免了|别来|pass|"
                                   r"帮不上忙|没用|白搭|没有意义|没意义|没法用|用不了|不用报|别报|没法[^，。,；;]{0,8}?(?:谈|沟通|交流|打交道|办|做|处理|弄)|(?:谈|沟通|交流|办|做)不了|"
                                   r"(?:唔使|不用|不要|别|唔好|免)(?:联系|联络|搵|找|打扰|推)(?:我们|我哋|我)?)")
# Before an English language word the Chinese negation must end the clause's words ("不需要会Russian").
_ZH_NEG_END = re.compile(rf"(?:{_ZH_NEG.pattern})[\u4e00-\u9fff]{{0,3}}\s*$")
_ZH_NEG_AFTER = re.compile(r"^[^，。,；;]{0,6}(?:不是必须|不是必需|并非必需|并非必须|不强求|不强制|不作强制要求|不是\s?must|不是门槛|不算硬性|不算必须|不算刚需|[”\"」』]?是错的|[”\"」』]?有误|不算门槛|不是硬性|不是硬杠杠|不是刚需|不作要求|不做要求|无要求|没有?(?:什么)?要求|不(?:单独|另外|额外|特别|专门)?要求|非必需|非必要|非必须|非必备|不必须|(?:的)?要求(?:作废|取消|撤销|不算数?)|并非必要|不是必要|不需要|不必|可有可无|无所谓|不重要|没关系|不在乎|随意|不要紧|无关紧要|"
                           r"不用(?!说|讲|提|多说|问)|用不上|用不着|就免了|"  # "乌尔都语不用", not "英语不用说肯定要"
                           r"唔紧要|唔要紧|唔重要|唔使|唔需要|冇所谓|"
                           r"都不讲|都不说|都不会讲|都不会说|都听不懂|都不懂)")  # "工会那帮人一句英文都不讲"
# Python's \b sees no boundary between a CJK character and a Latin letter (both are \w), so English
# words written against Chinese ("越南语must", "不需要Russian") are bounded by Latin letters only.
_L, _R = rf"(?<![{EN_WORD}])", rf"(?![{EN_WORD}])"
_EN_NEG = re.compile(rf"{_L}(?:do(?:es)?\s*n[o']t\s+(?:need|require|have to)|no\s+need|need\s+not|"
                     r"needn't|not\s+(?:need|require)|without|(?:^|[,;]\s*|\bbut\s+)not\s+$|"
                     r"not\s+necessar\w*|isn't\s+necessary|not\s+required|(?:do|does|did|can)\s*(?:n[o']t|not)\s+(?:speak|read|know|understand|work\s+in|write\s+in|communicate\s+in|operate\s+in)|(?:dont|doesnt|cant|not)\s+(?:speak|read|know|understand)|(?:neither|none)\s+of\s+(?:us|them)\s+(?:reads?|speaks?|knows?|understands?)|(?:cannot|can't|can’t|couldn't|won't)\s+(?:speak|read))"
                     rf"{_R}|{_L}no\s+(?:\w+\s+)?(?:skills?\s+)?(?:in\s+)?$", re.I)  # "No Russian needed": no word boundary at the end
_EN_NEG_AFTER = re.compile(rf"^[^,.;]{{0,25}}?{_L}(?:(?:is|are)n['’]t\s+(?:required|necessary|needed|a must|essential|relevant|mandatory|compulsory)|(?:(?:is|are)\s*)?"
                           r"(?:obviously\s+|clearly\s+|really\s+)?not\s+(?:required|necessary|needed|a must|essential|relevant|an issue|a requirement|mandatory|compulsory|obligatory)|"
                           r"optional|unnecessary|irrelevant)", re.I)
# Words saying the lawyer must use the language.
# "会" of 管委会, 商会, 董事会 or 会议 is no "can"
_ZH_REQ = re.compile(r"工作语言|服务语言|能以|能够以|须以|应以|(?<![委协商工大学社议年省机事开聚晚览易展交])会(?![议计员所长谈见面上签])|懂|识|精通|熟悉|掌握|流利|熟练|能看|能读|看懂|读懂|能用|使用|用|说|讲|具备|擅长|通晓|沟通|母语|出具|起草|撰写|(?<![描填改])写|"
                     r"直接看|直接读|阅读|审阅|能审|能处理|能直接处理")  # "律师要能直接看俄语的税务文书"
# An English language word right after a Chinese requirement verb ("需要会English", "要能用Russian沟通").
_DOCUMENT_WORKING_LANGUAGE = re.compile(r"(?:文件|合同|协议|交易|报告|文本|资料|材料|法院|仲裁庭|仲裁院|仲裁中心|(?i:AIFC|DIFC|ADGM|QFC)|当局|交易所)"
                                        r"[^，。,；;]{0,3}工作语言(?:为|是|:|：)?$")  # "AIFC工作语言为英文": the centre's, not the lawyer's
_COORDINATED = re.compile(r"^\s*(?:和|及|与|、|以及|跟|/|and|&|\+|＋)?\s*$", re.I)
# "说没有葡语的退货政策": 说 reporting what was said, not speaking the language
_REPORTED_SPEECH = re.compile(r"(?:说|讲)(?=[没是要了过的他她我你这那有不])")
_ZH_REQ_END = re.compile(rf"(?:{_ZH_REQ.pattern})\s*$")
# ("俄语的律师", "俄语流利"; not "俄语的所以律师必须会…", a run-on sentence's next clause)
# "英文沟通，不需要阿语": how the work will go, said bare, is no requirement ("需要英文沟通" is, below)
_ZH_REQ_AFTER = re.compile(r"^(?!\s?(?:沟通|交流)(?:[，,。；;\s]|$))[^，。,；;]{0,8}?(?:流利|能力|沟通|熟练|母语|服务|工作|水平|交流|谈判)|"
                           r"^[^，。,；;]{0,3}?好(?!的?(?:律师|律所)?(?:很少|太少|不多|少|没几个|不好找|难找|稀缺))|"  # not "律所英语好的很少": the market
                           r"^(?:也|都|一定|必须|当然|肯定|自然|绝对){0,2}(?:要|得|需)(?:会|懂|能)|"  # "英语要会", "印尼语当然也要能用"
                           r"^(?:也|都)(?:要|需要|得)(?=[，。,；;\s]|$)|"  # "当地语言必须会，英文也要"
                           r"^的?(?:报告|意见书?|备忘录|(?i:memo|report))(?:也|都)?(?:要|需要|必须)(?:能|会)?(?:写|出|出具)?(?=[，。,；;\s]|$)|"  # "必须西班牙语，英文报告也要"
                           r"^(?:要|很|非常|比较)?(?:好|流利|熟练|过关)?的?(?:律师|律所)(?!很多|不少|多的是|有的是|一大把|到处都是|满街)")
_ZH_LAWYER_WRITES_BEFORE = re.compile(r"(?:律师|律所)[^，。,；;]{0,8}?(?:出|出具|起草|写|撰写|准备)(?:的)?$")
_ZH_REQ_LATER = re.compile(r"(?:律师|团队|对方律师以外)[^。；;]{0,6}?(需要|要|必须|应当|最好|得|需|须|应|能)[^。；;]{0,4}"
                           r"(?:能看懂|看得懂|看懂|能读|读懂|会|懂|能用|熟悉|能出|出具|能写|起草|撰写)")  # "阿语版本的privacy policy律师要能出"
_ZH_NAME_FORM_AFTER = re.compile(r"^(?:语|文)?的?(?:音译|译名|商标|名称|字样|拼写|域名|标识)")
_ZH_DOC_BEFORE = re.compile(r"(?:是|用|均为|全为|多为|皆为|全部为)$")  # "函全是西班牙语", "文件均为俄文"
# "Prospectus用英文", "报告统一用英文": the document's language, not the lawyer's
_ZH_DOC_USES = re.compile(r"(?:文件|合同|协议|报告|材料|资料|招股书|说明书|申请书|文本|函件|信函|底稿|"
                          rf"{_L}(?i:prospectus|contracts?|agreements?|reports?|docs?|documents?|filings?|submissions?|memos?))"
                          r"\s*(?:都|均|全部|全|一律|统一|主要|一般)?(?:用|使用|以)$")
_ZH_DOC_AFTER = re.compile(r"^的?(?:文本|合同|文件|材料|证据|法规|账目|版本|资料|条款|原文|单据|模板|范本|"
                           rf"\s?(?i:docs?|documents?|contracts?|files?|materials?|evidence|filings?|records?|versions?){_R})")  # "日文的docs"
# "Lawyers without Japanese needn't apply": lacking it disqualifies, so it is required
_EN_WITHOUT_BEFORE = re.compile(r"\bwithout\s+(?:fluent\s+|good\s+|working\s+)?$", re.I)
_EN_CANNOT_BEFORE = re.compile(r"\b(?:who|that)\s+(?:can\s*n[o']?t|cannot|can't|couldn't|don't|doesn't)\s+[^.;]{0,60}?\bin\s+$|"
                               r"\b(?:if|when)\s+(?:the\s+|a\s+|your\s+)?(?:lawyer|counsel|attorney|firm|you|they)s?\s+(?:can\s*n[o']?t|cannot|can't|"
                               r"do\s*n[o']?t|does\s*n[o']?t|do not|does not)\s+(?:speak|read|write|work in|handle|know)"
                               r"(?:\s+(?:and|or|&)\s+(?:speak|read|write|understand))?\s+(?:the\s+)?$", re.I)  # "can't read and write Portuguese"
_EN_NEED_NOT_APPLY_AFTER = re.compile(r"^[^.;]{0,30}?\b(?:need\s*n[o']?t|do\s*n[o']?t|should\s*n[o']?t|won'?t|do not|need not)\s+(?:apply|bother|reply|respond|contact)|"
                                      r"^[^.;]{0,30}?\b(?:are|is|it['’]s|that['’]s)\s+(?:of\s+)?no\s+(?:use|good)\b|"
                                      r"^[^.;]{0,30}?\b(?:useless|pointless|no\s+good|no\s+point|can['’]?t\s+help\s+us|won['’]t\s+work)\b", re.I)  # "… in Romanian is no good to us"
# "someone who can get him on the phone and argue it out in German"
_EN_WHO_CAN_IN = re.compile(r"\b(?:who|that)\s+(?:can|could|will)\s+[^.;]{0,60}?\b(?:argue|negotiate|plead|talk|deal|communicate|work)\w*"
                            r"(?:\s+\w+){0,3}\s+in\s+$", re.I)
_EN_REQ_BEFORE = re.compile(  # a verb of its own: not the "work in" of "network in", nor the "read" of "already"
    rf"{_L}(?:working language (?:is|will be|shall be)|working language:|speak\w*|fluen\w*|proficien\w*|command of|knowledge of|conversant in|native|bilingual|"
    r"working|read\w*|writ\w*|skills? in|handle|communicate in|negotiate in|argue in|works? in|working in|can work in|"
    r"answer \w+(?: \w+)? in|draft \w+(?: \w+)? in|must (?:have|know)|knows?|"
    r"(?:must|should|has\s+to|have\s+to|needs?\s+to)\s+be\s+able\s+to\s+[a-z]+(?:\s+[a-z]+){0,4}\s+in|"
    r"(?:lawyer|counsel|attorney|firm)s?\s+(?:also\s+)?(?:need|needs|must\s+have|should\s+have))\W+(?:in\W+)?"  # "so the lawyer need english too"
    r"(?:[A-Z][a-z]+\s+(?:and|&)\s+)?$", re.I)  # "fluent in Mandarin and English"
# "We can't use anyone who doesn't read Greek": a refusal, so a requirement
_EN_REFUSE_THOSE_WITHOUT = re.compile(r"\b(?:can\s*n[o']?t|cannot|can['’]t|won['’]t|will\s+not|do\s*n['’]?o?t\s+want\s+to)\s+(?:use|hire|engage|take|instruct|consider|work\s+with)\s+"
                                      r"(?:anyone|anybody|someone|a\s+lawyer|counsel|lawyers|a\s+firm|firms)\s+(?:who|that)\s+"
                                      r"(?:does\s*n['’]?o?t|do\s*n['’]?o?t|can\s*n[o']?t|cannot|can['’]t)\s+(?:read|speak|work\s+in|write|understand)\s+$", re.I)
# "Our GC requires that counsel report to us directly in English": the lawyer's language, required
_EN_REQUIRES_COUNSEL_IN = re.compile(r"\b(?:requires?|required|insists?|insisted|demands?)\s+(?:that\s+)?(?:the\s+|our\s+|any\s+)?"
                                     r"(?:counsel|lawyers?|attorneys?|firms?)\b[^.;]{0,50}?\bin\s+$", re.I)
# "site team has French speakers", "we employ Swahili speakers": people the story has
_EN_HAS_SPEAKERS = re.compile(r"\b(?:has|have|had|with|employs?|hired?)\s+(?:some\s+|a\s+few\s+|several\s+|many\s+|two\s+|three\s+|native\s+|fluent\s+)*$", re.I)
_EN_REQ_AFTER = re.compile(r"^(?:\s*,?\s*(?:obviously|of course|naturally)\b|-?speak\w*|\s+speak\w*|\s+(?:language\s+)?skills?|\s+fluency|"
                           r"\s+(?:is|are)\s+(?:required|a must|essential|needed)|\s+speakers?|\s+(?:essential|mandatory|compulsory|necessary)\b|"
                           r"-language counsel|\s+(?:native|fluent))", re.I)
_EN_DOC = re.compile(rf"(?:{_L}(?:is|are|was|were)\s+(?:written\s+|drafted\s+)?(?:all\s+|mostly\s+)?in|"
                     rf"{_L}written in)\s+$", re.I)
# The language a document is to be translated into is the translation's, not the lawyer's.
_TRANSLATION_TARGET = re.compile(rf"(?:{_L}translat\w*\s+(?:in)?to|翻译成|译成|翻成)\s*$", re.I)


# Markers that decide, within a clause, between a requirement and a wish (the nearest one wins).
_REQUIRED = re.compile(r"(?:要|得|必须)没问题|必须|必需|务必|一定要|一定得|须能|(?<![必无])须(?=达到|具备|能够|熟练|流利|精通)|需能|应能|应当能|均须|肯定(?:也)?(?:是)?(?:要|得)|都要|都得(?=会|懂|能|要|有|说|讲|看|用|精通|熟练|识)|都需要|都必须|硬性|硬杠杠|硬指标|硬条件|门槛|刚需|必要条件|前提|(?<!语言)要求(?![:：])|只接受|仅限|只能|必备|底线|"
                       rf"{_L}(?:must|required|requirement|essential|mandatory|a must|obligatory|have to|has to|non-negotiable|must-have|prerequisite|"
                       r"indispensable|compulsory|"
                       rf"(?<!-)only(?!\s+(?:for|as|to\s+(?:coordinate|report|talk|liaise)|a\s+plus|nice))|needed|need(?:s|ed)? to){_R}", re.I)  # not "English is only for coordinating with Paris"  # not "Arabic-only" guidance: a document's
# Cantonese "就得" closing a clause means "is enough" ("英文沟通就得"); Mandarin "就得会英语" is a must.
_WISH = re.compile(r"(?<=[语文])(?:只)?是(?:个|一个)?(?:希望|愿望|加分项)|比较好|(?:都|也)?冇问题|(?:也|都)(?:能|可以|可)(?:沟通|交流)|再好不过|足够|就够|(?<=沟通)为主|(?:会)?方便很多|会(?:很)?方便|如果有|若有|求之不得|即可|就行|(?:也)?(?:能|可以)接受|就可以|就好|就得(?:了|啦|喇|嘞)?(?=[\s)]*$)|都得(?=[\s，。,；;!！)]|$)|更省事|更方便|省事|没问题|也没关系|最好|优先|更好|更佳|尤佳|为佳|为宜|加分|皆可|有的话|的话|如能|若能|也可以|也行|也可|亦可|均可|都可以|都行|可以|倾向|如果会|若会|"
                   r"'d\s+rather|would\s+make\s+[^.;]{0,25}\beasier|(?:obviously\s+)?helps\b|"
                   rf"{_L}(?:preferable|(?:also\s+)?possible|works(?=\s*[,.;]|\s*$|\s+(?:too|fine|for\s+(?:us|both|all|them|everything)))|nice(?=\s*[)）]))|"  # "English works, Russian also possible"  # "We'd rather": the apostrophe follows a letter
                   rf"{_L}(?:ideally|ideal|preferably|preferred|prefer|would\s+rather|not a deal-?breaker|a (?:real |big |huge )?plus|plus|nice to have|would(?:\s+still|\s+also|\s+really|\s+certainly)?\s+help|(?:can|could|may)\s+(?:also\s+)?consider|would(?:\s+still|\s+also)?\s+be\s+nice|"
                   r"(?:is|are|would be)\s+(?:totally\s+|perfectly\s+|absolutely\s+|also\s+|just\s+)?fine|fine\s+(?:with|too)|is ok|ok|okay|helpful|bonus|if possible|"  # "ok" a word: not "looking", "Bangkok"
                   r"an advantage|(?<!take\s)(?<!taking\s)advantage|advantageous|(?:is|are|would\s+be)\s+(?:enough|sufficient)|is\s+all\s+we\s+need|(?:might|may|maybe)\s+need|welcome|desirable|acceptable|(?:is\s+|would\s+be\s+)?better|optional but|would be (?:good|great|nice|useful|an asset)|"
                   r"good to have|appreciated|an asset|not a must|not essential|if (?:they|he|she|possible|available)|useful|handy|(?:obviously\s+)?fine\s+but|"
                   rf"not (?:strictly )?(?:required|necessary)|also (?:fine|ok|okay|good)|as well|works too){_R}", re.I)
# A bilingual contract names the languages of a document, not of the lawyer.
_BILINGUAL_DOC = re.compile(r"(?:contract|agreement|documents?|texts?|versions?|合同|协议|文本)[^,.;，。]{0,25}"
                            r"(?:bilingual|双语)|(?:bilingual|双语)[^,.;，。]{0,30}(?:contract|agreement|documents?|"
                            r"texts?|versions?|合同|协议|文本)", re.I)
# A language word that names a place, a law or an entity, not a language ("Uzbek law", "a Hungarian subsidiary").
_EN_NOT_LANGUAGE_AFTER = re.compile(
    r"^\s+(?:and|or|&)\s+[A-Z][a-z]+(?:-|\s+)(?:law|laws|sections?|segments?|sides?|parts?|compan\w*|subsidiar\w*|courts?|"
    r"authorit\w*|government|markets?|partners?|projects?|entit\w*|plants?|staff|workers?|employees?)\b|"  # "the Kyrgyz and Tajik sections"
    r"^(?:-|\s+)(?:law|laws|legal|section|segment|portion|stretch|compan|subsidiar|branch|registered|incorporated|listed|flagged|court|government|"
    r"authorit|customs|tax|market|partner|buyer|client|customer|distributor|dealer|contractor|supplier|"
    r"worker|employee|staff|national|citizen|regulat|owned|managed|based|entit|group|firm|bank|plant|factor|target|"
    r"mine|project|JV|joint venture|investor|ministry|side|state|BOI|police|embassy|landlord|employer|"
    r"bar|licen[cs]e|qualif|admission|admitted|citizen|visa|residen|passport|SPV|holding|B\.?V\b|N\.?V\b|GmbH|holdco|topco|vehicle|fund|americ|litigator|solicitor|"
    r"barrister|advocate|mandatory\s+(?:rules|provisions|law)|rules\b|lawyer|counsel|attorney|enterprise|operator|publisher|"
    r"importer|exporter|manufacturer|vendor|provider|carrier|insurer|shipowner|works\s+council|union|pension|unit|operation|office|"
    r"site|team|colleague|management|board|parent|affiliate|regulator|DPA|data\s+protection\s+authorit|accounting|GAAP|expert)"  # "Latin America(n)", "the German works council"
    r"|^\s+[\w-]+\s+(?:law|laws|code|act|legislation|regulations?|licen[cs]es?|permits?|rules|authorit\w*|ministry|courts?)\b"  # "Kazakh subsoil law", "a Dutch export licence"
    r"|^\s+(?:(?!speak|by\b|for\b|from\b|to\b|with\b|of\b|on\b|at\b)[a-z][\w&-]*\s+){1,3}(?:counsel|lawyers?|attorneys?|litigators?|firms?|solicitors?|advocates?)\b"  # "Irish data protection counsel"
    # in mixed text a demonym before a Chinese noun of a person, entity or place: "需要Japanese律师"
    r"|^\s?(?:律师|律所|事务所|子公司|分公司|公司|企业|法|政府|当局|客户|工厂|厂|合作方|买家|卖家|买方|卖方|员工|工人|"
    r"市场|项目|法院|海关|银行|股东|供应商|经销商|承包商|业主|籍)", re.I)
_EN_OWN_TEAM = re.compile(r"\b(?:we|our\s+(?:[\w-]+\s+){0,2}?(?:team|staff|people|company|engineers|managers|side|GC|general\s+counsel|"
                          r"CFO|CEO|HQ|headquarters|parent|colleagues|legal)|I)\b[^,.;]*?"  # "our in-house legal staff"
                          r"\b(?:work|speak|communicate|operate|use|write|read|negotiat|talk|deal)\w*\s+(?:(?:in|mostly|mainly|only|basic|some|little|limited|broken|poor|simple)\s+){0,3}$|"
                          r"\b(?:HQ|headquarters|head\s+office)(?:\s+(?:legal|team|staff|finance))?\s+(?:reads?|speaks?|works?\s+in|uses?)\s+$", re.I)  # "since HQ legal reads English"
# "英语我们这边可以沟通": the enterprise's own
# "越南语的沟通当地HR自己搞": that language's part is done by the enterprise's own people
_ZH_OWN_PEOPLE_DO_AFTER = re.compile(r"^(?:语|文)?的?(?:沟通|翻译|部分|文件|材料)[^，。,；;]{0,8}?(?:自己|内部)[^，。,；;]{0,4}?(?:搞|处理|负责|来|解决|做|弄)")
_ZH_OWN_AFTER = re.compile(r"^(?:的话)?\s?(?:我们|我方|我司|我哋)(?:这边|这里|自己)?[^，。,；;]{0,4}?(?:可以|能|会|都能|都会)(?:沟通|交流|看|用|处理)")
_ZH_OWN_TEAM = re.compile(r"(?<![跟和与同])(?:我们|我方|我司|本公司|本集团|我集团|团队成员|我们的团队|翻译)[^，。,；;]{0,6}(?:用|说|讲|使用|只会|会|工作语言(?:为|是)?)$|"  # not "律师跟我们沟通必须能用英文"
                          r"(?:我们|我方|我司)\s*(?i:only|just|mainly|mostly)\s+$|"  # "我们 only english and 中文"
                          r"(?:我们|我方|我司)[^，。,；;律]{0,6}?(?:团队|同事|员工)(?:都|也|主要|一般|平时)?$|"  # "我司法务团队英文工作"
                          r"(?:我们|我方|我司)[^，。,；;]{0,6}?没(?:有)?人(?:看得懂|看懂|会|懂|能看|能读)$|"  # "我们品牌部没人看得懂阿语邮件"
                          r"(?:企业|该企业|公司)(?:这边|方面|自己)(?:只能|只会|能|可以|会)?(?:用)?$|"  # a bureau relaying: "企业这边只能英文沟通"
                          r"(?:我们|我方|我司|团队)[^，。,；;]{0,6}(?:只会|会|懂)[^，。,；;]{0,6}?(?:一点点|一点儿?|一些|点儿|简单的?|基础的?|基本的?)$")  # "我们团队只会中文和一点点英语"
# "我们这边跟律师英文沟通": how we will talk with the lawyer, said as a plan, not a requirement
_ZH_WE_WITH_LAWYER = re.compile(r"(?:我们|我方|我司|我)(?:这边|这里|自己)?(?:跟|和|与|同)(?:律师|你们|贵所|您)(?:之间)?(?:就|都)?(?:用|以|说|讲)?$")
_ZH_WITH_US_AFTER = re.compile(r"^\s?(?:跟|和|与|同)(?:我们|我方|我司|公司|总部)(?:之间)?(?:的)?(?:沟通|交流|联系|对接)")
# "我们老板英语和俄语都会": the list is ours
_ZH_WE_BEFORE_LIST = re.compile(r"(?:我们|我方|我司|我)[^，。,；;律]{0,6}$")
# "我们现场经理是乌兹别克人，俄语和乌兹别克语都会": ours, the person named by the clause before
_ZH_OUR_PERSON_BEFORE = re.compile(r"(?:我们|我方|我司)[^。；;，,律]{0,8}(?:经理|同事|员工|老板|工程师|翻译|团队|法务|人员|厂长|总监)[^。；;，,律]{0,8}[，,]\s*$")
# "Arabic和English都会", "英语和俄语都要会": a requirement said after the list
_ZH_ALL_CAN_AFTER = re.compile(r"^\s*(?:都|也都|均|全都)(?:要|得|必须|需要|一定要)?(?:会|懂|能说|能讲|能用|能(?:够)?(?:独立)?工作|流利|熟练)(?![^，。,；;]{0,4}?(?:即可|就行|就可以|就好|也行))")
# A form's language field ("语言要求：俄语", "Language: Spanish and English"): what it lists is asked for,
# unless a wish or a negation says otherwise.
_FORM_LABEL = re.compile(r"(?:语言要求|工作语言|服务语言|语言能力|语言|语种|(?i:language\s+requirements?|working\s+languages?|"
                         r"languages?|language\s+skills?|\blang))[\"'”]?\s*[:：=]")  # 'lang: Russian', '"lang": "俄语"'
# A pasted table (tab- or pipe-separated): the column headed "语言"/"Language" holds a language field
# in every row under it, and a cell holding nothing but language names is one too, header or not.
MAX_TABLE_LINES = 200
_TABLE_SEPARATOR = re.compile(r"\t|\|")
_LANGUAGE_HEADER = re.compile(r"^\s*(?:语言要求|工作语言|语言|语种|(?i:languages?|lang|working\s+languages?))\s*$")
# "X is a plus" right after the word is its wish, whatever "must" came just before ("English is a must 阿拉伯语is a plus")
_EN_WISH_RIGHT_AFTER = re.compile(r"^\s*(?:speakers?\s+|-speaking\s+(?:lawyer|counsel)\s+)?(?:is|are|would be|will be)\s+(?:only\s+|just\s+|merely\s+)?"
                                  r"(?:a\s+|an\s+)?(?:big\s+|strong\s+|real\s+)?"
                                  r"(?:plus|bonus|advantage|asset|preferred|nice[\s-]to[\s-]have|welcome|optional|helpful|desirable)|"
                                  r"^\s*only\s+(?:is|are|would\s+be)\s+(?:fine|ok|okay|enough|sufficient)\b", re.I)  # "English only is fine"
# "must draft pleadings in Spanish and report to the Bank in English": the must covers the verb joined by "and"
_EN_AND_VERB_IN = re.compile(r"^[^.;]{0,60}?\band\s+(?:also\s+)?(?!(?:the|a|an|our|we|they|he|she|it|its|their|all|this|that|these|"
                             r"those|i|you|any|some|most)\b)[a-z]+\b(?:(?!\b(?:is|are|was|were|will|be|been)\b)[^.;,]){0,40}?\bin\s+$|"
                             r"^\s+and\s+(?:also\s+)?(?:understand|read|speak|write|know)s?\s+$", re.I)  # "must speak English and understand Swahili"
# "English too": as required as the language before it
_EN_TOO_AFTER = re.compile(r"^\s*,?\s*(?:too|as well|also)\b(?!\s+(?:better|good|nice|fine|ok|okay|preferred|a\s+plus|welcome|helpful|"
                           r"useful|an\s+advantage))", re.I)  # not "english also better": a wish
# "documents must be in Arabic": the document's language, whatever its "must"
_EN_BE_IN = re.compile(r"\b(?:docs?|documents?|contracts?|evidence|filings?|exhibits?|papers?|certificates?|records?|forms?|"
                       r"translations?|submissions?)\b[^.;]{0,40}?\bbe\s+(?:(?:filed|submitted|written|drafted|prepared|conducted|"
                       r"held|done|made|translated)\s+)?(?:only\s+|all\s+|entirely\s+)?in\s+$|"
                       # "some of the SDAIA guidance is arabic only": a document's language, whatever its "only"
                       r"\b(?:guidance|guidelines|docs?|documents?|papers|materials|rules|regulations?|forms?|websites?|notices?|letters?|records?)\b"
                       r"[^.;,]{0,20}?\b(?:is|are|was|were)\s+(?:all\s+|mostly\s+|only\s+|entirely\s+)?(?:in\s+)?$", re.I)
# A forum or another party working in the language ("DIFC works in English", "the supplier committee
# will communicate in English"): theirs, not the lawyer's
_EN_THEY_WORK_IN = re.compile(r"\b(?:court|courts|tribunal|DIFC|ADGM|AIFC|QFC|SIAC|HKIAC|ICC|LCIA|proceedings?|hearings?|committee|"
                              r"authorit\w+|ministry|regulator|bank|lenders?|buyers?|sellers?|suppliers?|creditors?|distributors?|"
                              r"government|officials?|board|counterpart\w*|other side|they)\s+(?:will\s+|would\s+|usually\s+|"
                              r"normally\s+|only\s+|can\s+)?(?:works?|operates?|communicates?|corresponds?|runs?|proceeds?|is conducted|"
                              r"are conducted|talks?)\s+(?:only\s+|mostly\s+|mainly\s+|entirely\s+)?in\s+$|"
                              # "TRA officers often write in Swahili": officials of the story writing or speaking it
                              r"\b(?:officers?|officials?|inspectors?|authorities|judges?|courts?|clerks?|police|customs|ministry|regulators?|"
                              r"staff|employees|workers|engineers)\s+"  # "the Finnish staff all work in English"
                              r"(?:often\s+|usually\s+|mostly\s+|normally\s+|only\s+|all\s+|sometimes\s+)?"
                              r"(?:write|writes|speak|speaks|work|works|communicate|communicates|correspond|corresponds|reply|replies)\s+"
                              r"(?:only\s+|mostly\s+|mainly\s+)?in\s+$", re.I)
# "we only little english", "I speak some English": the writer's own, however broken
_EN_WE_LITTLE = re.compile(r"\b(?:we|I)\s+(?:only\s+)?(?:(?:speak|know|have|use|understand)\s+)?(?:a\s+)?(?:little|some|basic|poor|bad)\s+$|"
                           r"\b(?:we|I)\s+(?:only|just|mainly)\s+$", re.I)  # "we only english"
_ZH_ONLY_BEFORE = re.compile(r"(?:光|只|仅|单)(?:能)?(?:会|懂|用|使用|讲|说)(?:说|讲)?$")
# "只会英文的不要", "只能讲英语的所就不考虑了": whoever has only this one is refused
_ZH_NOT_ENOUGH_AFTER = re.compile(r"^[^，。,；;]{0,8}?(?:不顶用|没用|不够|不行|白搭|不管用|没戏|不要|不考虑|不用考虑|不予考虑|免谈|就算了|别来|pass)")
# "泰文英文的律师很多": the market described, no requirement of the lawyer
_ZH_PLENTY_AFTER = re.compile(r"^(?:的)?(?:律师|律所)(?:很多|不少|多的是|有的是|一大把|到处都是|满街都是|满街)")
# "韩语要会 不会的话配翻译也可以": a fallback offered, so a wish
_ZH_FALLBACK_AFTER = re.compile(r"^[^。；;]{0,8}?(?:不会的话|没有的话|不行的话|如果不会|要是不会)[^。；;]{0,12}?(?:也可以|也行|也ok|也OK|也没问题|也凑合)")
# "our HR head is Korean": a nationality said of someone
_EN_IS_NATIONALITY_BEFORE = re.compile(r"\b(?:head|manager|director|ceo|cfo|gc|owner|boss|partner|client|buyer|seller|founder|chairman|"
                                       r"staff|workers?|employees?|he|she|they|who|origin|goods|products?|cargo|factory|plant|company|"
                                       r"entity|supplier|manufacturer)\s+(?:is|are|was|were)\s+(?:a\s+|an\s+)?(?:\w+\s+)?$", re.I)  # "prove the origin is really Vietnamese"
_BILINGUAL_BEFORE = re.compile(r"\bbilingual\s+(?:in\s+)?$|双语[（(]?$", re.I)
# "Bahasa" alone: Indonesian, unless the text is about Malaysia only
_MALAYSIA = re.compile(r"Malaysia|马来|大马|Kuala Lumpur|吉隆坡|Penang|槟城|Johor|柔佛|Sabah|Sarawak", re.I)
_TURKEY = re.compile(r"土耳其|Turkey|Türkiye|Turkiye|Turkish|伊斯坦布尔|安卡拉|Istanbul|Ankara", re.I)
_INDONESIA = re.compile(r"Indonesia|印尼|印度尼西亚|Jakarta|雅加达|Batam|巴淡|Sulawesi|苏拉威西", re.I)
# "更正一下 …律师必须会法语 英语无所谓": what the rest of the line says of a language replaces what came before
# "an English-only lawyer can't help us here", "a firm that only works in English … is not what we want",
# "只会英语的不行": that language alone falls short, so the other language the sentence (or the one
# before) names is what is required ("All correspondence … is in French - an English-only lawyer …")
_EN_ONLY_BEFORE = re.compile(r"\bonly\s+(?:(?:works?|working|speaks?|speaking|operates?|writes?|reads?|handles?)\s+)?(?:in\s+)?(?:the\s+)?$", re.I)
_EN_NOT_ENOUGH = re.compile(r"\b(?:can['’]?t|cannot|could\s*n['’]?t|won['’]?t|will\s+not)\s+(?:help|do|work)\b|\bcan\s*(?:not|n['’]?t)\s+use\b|"
                            r"\b(?:is|are|it['’]s|would\s+be)\s+(?:of\s+)?no\s+(?:use|good)\b|\b(?:useless|pointless)\b|"
                            r"\bnot\s+(?:what\s+we\s+(?:want|need|are\s+looking\s+for)|enough|sufficient|an\s+option)\b", re.I)
# "Court language is German, so this is a must", "…是德语，所以这个是必须的"
_SO_A_MUST_AFTER = re.compile(r"^[^.;。；]{0,6}?[,，]?\s*(?:so|therefore|hence|thus)\s+(?:this|that|it|fluency|knowing\s+it|speaking\s+it)(?:\s+is|['’]s)\s+(?:a\s+|an\s+)?"
                              r"(?:must|required|mandatory|essential|necessary|requirement|non-negotiable)\b|"
                              r"^[^。；;]{0,4}?[，,]?\s*所以(?:这个|这|这一点|这条)?(?:是)?(?:必须|必需|硬性要求|硬性)|"
                              # "Everything will be in Portuguese, hearings included, so the lead lawyer must be fluent"
                              r"^[^.;。；]{0,30}?[,，]?\s*(?:so|therefore|hence|thus)\s+(?:the\s+|our\s+)?(?:lead\s+)?(?:lawyer|counsel|attorney|advocate)s?\s+"
                              r"(?:must|should|has\s+to|have\s+to|needs?\s+to)\s+be\s+(?:fully\s+)?fluent\b", re.I)
# "法院就不让我们自己带翻译进去，只能律师本人出庭讲", "we will not send an interpreter": the language the
# hearing or the people use, said in that sentence or just before, is the lawyer's to speak
_NO_INTERPRETER = re.compile(r"(?:不让|不允许|不准|不接受|不许)[^，。；;\n]{0,8}?(?:带|用|请|配)?翻译|不能(?:自己)?(?:带|用|请|配)翻译|不带翻译|没有翻译(?!件)|"
                             r"\b(?:won['’]?t|will\s+not|can(?:not|['’]t)|do\s*n['’]?t|are\s+not\s+allowed\s+to)\s+(?:send|bring|use|provide|have)\s+"
                             r"(?:an?\s+|any\s+)?interpreters?\b|\bno\s+interpreters?\b|\binterpreters?\s+(?:are|is)\s+not\s+(?:allowed|permitted|accepted)", re.I)
NO_INTERPRETER_SENTENCES = 2
# a requirement said not to be one (not someone's lack of the language: "我们国内团队没人会西语")
_DENIAL = re.compile(r"不需要|不需|无需|不必|不要求|不用|不是必须|不是必需|非必须|没必要|不强求|不重要|无所谓|不是硬性|不算硬性|不是刚需|不一定要|不一定需要|要求(?:取消|作废|撤销)|"
                     r"\bno\s+need\b|\bnot\s+(?:required|needed|necessary|mandatory|a\s+must|a\s+deal-?breaker)\b|"
                     r"\bdo(?:es)?\s*n['’]?o?t\s+need\b|\b(?:disregard|ignore|forget|scratch)\b", re.I)
# "到时候需要会波兰语的律师，但那是明年的事，现在不用": a language for later
_LATER_AFTER = re.compile(r"^[^。；;\n]{0,30}?(?:那是|这是|是)(?:明年|以后|之后|后面|下一步|下一阶段|将来|交割后)的事|"
                          r"^[^。；;\n]{0,30}?[，,]\s*(?:但)?(?:现在|目前|暂时)(?:不用|不需要|用不上)|"
                          r"^[^.;\n]{0,40}?\b(?:but\s+)?(?:that['’]s|that\s+is|this\s+is)\s+(?:for\s+)?(?:later|next\s+year|a\s+later\s+stage)\b", re.I)
_ZH_LAWYERS_DOC_IN = re.compile(r"(?:法律意见书?|意见书|书面意见|报告|备忘录|(?i:memo|opinion))[^，。；;\n]{0,4}?(?:须|必须|需|应|应当)(?:为|是|用|使用|以)$")
# "The opinion must be issued in English by a firm acceptable to the bank": what the lawyer writes
_EN_LAWYERS_DOC_IN = re.compile(r"\b(?:legal\s+)?(?:opinions?|reports?|memos?|memoranda|advice)\b[^.;]{0,30}?\b(?:must|has\s+to|have\s+to|shall|should)\s+be\s+"
                                r"(?:issued|written|delivered|provided|prepared|drafted|given)\s+(?:only\s+)?in\s+$", re.I)
# "please disregard the Cote d'Ivoire part and the French requirement"
_EN_DISREGARD_BEFORE = re.compile(r"\b(?:disregard|ignore|forget|scratch|drop|cancel|withdraw)\b[^.;!?]{0,50}$", re.I)
_EN_REQUIREMENT_NOUN_AFTER = re.compile(r"^\s+(?:language\s+)?(?:requirement|request|part|bit|one)\b", re.I)
_SENTENCE_END = re.compile(r"[。！!？?\n]|\.(?:\s|$)")


@lru_cache(maxsize=256)
def _sentence_ends(norm: str) -> list[int]:
    return [e.end() for e in _SENTENCE_END.finditer(norm)]


def _sentence_index(norm: str, at: int) -> int:
    """Which sentence of the text the position falls in."""
    return bisect_right(_sentence_ends(norm), at)


def _alone_not_enough(norm: str, found: list[re.Match[str]], surfaces: dict[str, str]) -> tuple[set[int], set[int]]:
    """The language words said to fall short alone, and the other languages their sentence (or the one
    before) names, which are then required."""
    short: set[int] = set()
    for i, m in enumerate(found):
        if is_cjk(m.group(0)):
            alone = bool(_ZH_ONLY_BEFORE.search(norm[max(0, m.start() - 8):m.start()])
                         and _ZH_NOT_ENOUGH_AFTER.match(norm[m.end():m.end() + 30]))
        else:
            rest = _SENTENCE_END.split(norm[m.end():m.end() + 160], maxsplit=1)[0]
            alone = bool((norm.startswith("-only", m.end()) or _EN_ONLY_BEFORE.search(norm[max(0, m.start() - 40):m.start()])
                          or re.match(r"\s+only\b", norm[m.end():m.end() + 6]))
                         and (_EN_NOT_ENOUGH.search(rest)  # "we can not use report in Spanish only"
                              or _EN_NOT_ENOUGH.search(_SENTENCE_END.split(norm[max(0, m.start() - 60):m.start()])[-1])))
        if alone:
            short.add(i)
    if not short:
        return short, set()
    sentence = [_sentence_index(norm, m.start()) for m in found]
    demanded = {j for i in short for j, o in enumerate(found)
                if j not in short and surfaces[o.group(0)] != surfaces[found[i].group(0)]
                and sentence[i] - 1 <= sentence[j] <= sentence[i]}
    return short, demanded


_CORRECTION = re.compile(r"(?:更正|纠正|改|修改|补充更正)一下|改了?口|更正[:：]|说错了|打错了|写错了|搞错了|弄错了|"
                         r"\b(?:correction|update|edit)\s*[:：]|(?-i:\bEDIT\b)|\bmy (?:mistake|bad)\b|\bwrong template\b|\bscratch that\b|\b(?:sorry,?\s+)?I\s+meant\b", re.I)
CORRECTION_REACH = 120
_NO_LANGUAGE_AT_ALL = re.compile(r"(?:没有|冇|无|并无)(?:任何)?(?:语言|语种)(?:上的?|方面的?)?(?:要求|限制)|语言(?:上|方面)?(?:没有|冇|无)(?:任何)?(?:要求|限制)|"
                                 r"(?i:\bno\s+(?:specific\s+|particular\s+)?language\s+requirements?\b)")
_FIELD_FILLED_BEFORE = re.compile(r"(?:填|写|选)(?:的是|了|成|的)?$")
_FIELD_EXPLAINED_AFTER = re.compile(r"^(?:的话)?\s?(?:只)?(?:是因为|是由于|是考虑到)")
_NO_LANGUAGE_REQUIRED = re.compile(r"[^。；;\n]*?(?:语言(?:上|方面|能力)?(?:就|都|也)?(?:不做要求|不作要求|无要求|没有?(?:什么)?要求|不限|不要求)|"
                                   r"(?i:\bno\s+language\s+requirements?\b|\blanguage\s+(?:is\s+)?not\s+(?:a\s+)?(?:requirement|required)\b))")
# a change of mind between a requirement and a later wish of the same language
_RETHOUGHT = re.compile(r"后来|其实|不过后来|但后来|最后定|开会定了|改成|改为|更新一下|更正|(?i:\bupdate\b|\bactually\b|on\s+second\s+thought|"
                        r"after\s+(?:a\s+|the\s+)?(?:call|meeting|discussion)|\bchange\s+of\s+plan\b|\bcorrection\b)")
# "一开始我写的是 Vietnamese required，后来…", "最开始HR说律师必须会阿拉伯语，后来…": a first word taken back
_INITIALLY_BEFORE = re.compile(r"(?:一开始|最开始|起初|原先|本来|起先)[^，。,；;]{0,12}?(?:写|说|填|提|要求)[^，。,；;]{0,14}$|"
                               r"(?i:\b(?:I|we)\s+(?:had\s+)?(?:said|wrote|mentioned|stated|indicated)\s+(?:that\s+)?(?:the\s+)?$)")  # "I said Portuguese was mandatory, but…"
_LATER_CHANGE = re.compile(r"[^。；;\n]{0,24}?[，,]\s*(?:但是?|不过)?(?:后来|其实|现在)|"
                           r"(?i:\s+(?:was|were|would\s+be)\s+(?:mandatory|required|a\s+must|essential|needed)\b[^.;\n]{0,20}?[,–—-]?\s*"
                           r"(?:but|however|(?:please\s+)?(?:disregard|ignore|scratch|forget)\b))")
# a requirement taken back after it ("律师必须会哈萨克语，更正一下：不需要", "俄语不再是硬性要求了",
# "Russian is no longer required"): what was said of the language before no longer holds
_WITHDRAWN_AFTER = re.compile(r"[^。；;\n]{0,16}?(?:(?:更正|纠正|修正)(?:一下)?[:：，,]?\s*(?:不需要|不用|不必|无需|不要求)|"
                              r"不再(?:是)?(?:硬性|必须|必需|刚需|门槛|要求|需要)|"
                              # "之前跟局里说要找会匈牙利语的律师，后来想想没必要"
                              r"[^。；;\n]{0,12}?[，,]\s*(?:但|不过)?后来(?:想想|想了想|考虑了一下|商量后|讨论后)?(?:觉得)?(?:没必要|不需要|不用了?)(?=[，。,；;!！\s]|$)|"
                              r"\b(?:is|are)\s+no\s+longer\s+(?:required|needed|a\s+must|necessary|mandatory|a\s+(?:hard\s+|strict\s+)?requirement)|\bno\s+longer\s+(?:need|require))", re.I)
FALLBACK_REACH = 80
_ALTERNATIVE = re.compile(r"^\s*(?:或者?|还是|或是|/|\bor\b|\beither\b)\s*$", re.I)


# The other side's lawyers described ("the other side's counsel is Russian-speaking").
_EN_OTHERS_ARE = re.compile(r"\b(?:the other side's|the other party's|the counterparty's|opposing|their)\s+"
                            r"(?:counsel|lawyers?|attorneys?|team)\s+(?:is|are)\s+(?:only\s+)?$", re.I)
# "需要会蒙古语的律师，没有的话俄语也行": a fallback offered, so the first is not a requirement either.
_FALLBACK_BETWEEN = re.compile(r"没有的话|找不到的话|如果没有|实在没有|实在不行|不行的话|否则|\botherwise\b|"
                               r"\bfailing that\b|\bif not\b|\bif none\b|\bor else\b", re.I)
# A language that describes other people ("our Russian-speaking engineers", "会俄语的员工"), not the lawyer.
_EN_OTHERS_SPEAKING = re.compile(
    r"^-?\s?speaking\s+(?:[\w-]+\s+){0,3}?(?:staff|engineers?|workers?|employees?|managers?|people|customers?|"
    r"clients?|markets?|countr\w+|regions?|population|communit\w+|partners?|buyers?|directors?|CEO|officials?|"
    r"colleagues?|translators?|interpreters?|members?|executives?|expats?|personnel|foremen|crew|GMs?|general\s+managers?|"
    r"founders?|owners?|boss|accountants?)\b(?!\s+(?:at|of|in)\s+(?:the|their|your)\s+(?:law\s+)?firm)"
    r"(?<!team member)(?<!team members)", re.I)  # "a Vietnamese-speaking team member is required": the lawyer's team
# Other people of the story speaking it ("对方只会说俄语", "the Uzbek side only speaks Uzbek").
_ZH_OTHERS_BEFORE = re.compile(r"(?:(?:上次|之前|以前|原来的|前任|过去的|以往)[^。；;，,\n]{0,12}?(?:律师|律所)|"  # "上次找了个阿根廷的律师只会西语"
                               r"(?:之前|上次|以前)(?:找过|请过|用过|找的|请的)(?:一个|一家|个)?(?=只会|只懂|会)|"  # "之前找过一个只会英语的"
                               r"对方|客户|业主|员工|工人|他们|他|她|当地人|合作方|合资方|合资伙伴|外方|美方|日方|德方|韩方|英方|法方|股东|卖方|买方|买家|卖家|老板|代理|经销商|中间人|司机|官员|政府|"
                               r"代表|工会|居民|村民|工程师|技术人员|技术团队|项目组|经理|厂长|同事|房东|供应商|承包商|分包商|总包|警察|那帮人|那些人)"
                               # not across an ask ("老板说不等了 在当地起诉 要会葡语的律师")
                               r"[^。；;，,律要需须得找请]{0,16}(?:只会|会|说|讲|用|懂|只认|认|习惯用|习惯)(?:说|讲)?$|"
                               r"(?:对方律师|对方的律师|法官|仲裁员|官员|当局)(?:一直|都|也|总是|主要|一般|每次)?(?:只会|只|会|说|讲|用|懂)+$|"
                               # "贷款方律师用英文沟通": another party's lawyer
                               r"(?:贷款方|贷款行|银行|银团|买方|卖方|业主|总包|分包商?|投资方|合作方|合资方|股东|外方|对方)的?(?:律师|律所|顾问)"
                               r"(?:那边|团队)?(?:都|也|只|主要|一般|一直|总是|每次)?(?:用|说|讲|使用|会|只会)$|"
                               r"(?:有些|有的|很多|不少|这些|那些|一些|多数|大部分)(?:律所|律师)[^。；;，,]{0,6}?(?:讲|说|用|会|懂)$|"  # "布鲁塞尔有些律所主要讲法语"
                               r"(?:(?<!律师)(?<!找)(?<!个)[\u4e00-\u9fff]{1,3}人|同事|员工|员工代表|工会代表|工人|经理|老板|工程师|翻译)(?:的)?(?:都|大多|基本|一般|普遍)?$|"
                               r"(?:侄子|侄女|儿子|女儿|外甥|孩子|亲戚|朋友|老婆|老公|太太)[^。；;，,律要需须得找请]{0,10}$")  # "我侄子在澳洲读书英语好"
_EN_OTHERS_BEFORE = re.compile(r"\b(?:the other side|the other party|the client|the buyer|the seller|the owner|"
                               r"the judges?|the court|the arbitrators?|the tribunal|the officials?|the authorit\w+|"
                               r"the regulator|the ministry|opposing counsel|the counterparty|"
                               r"the employer|they|(?<!/)he(?!/)|(?<!/)she(?!/)|(?:their|the\s+buyer's|the\s+seller's|the\s+investor's) (?:\w+\s+)?team|(?:our|their|the\s+buyer's|the\s+seller's|the\s+investor's) (?:\w+\s+)?(?:manager|ceo|cfo|cto|coo|gm|chairman|boss|partner|client|staff|workers|lead|founder|"
                               r"employees|director|accountant|engineers?|colleagues|people)|"
                               # not "they must work in Russian": a must makes "they" the firm asked for
                               r"the \w+ side|nobody|no one)\b(?:(?!\b(?:must|should|shall|need|needs|have\s+to|has\s+to)\b)[^,.;]){0,40}\b"
                               r"(?:only\s+)?(?:speaks?|reads?|writes?|understands?|works?\s+(?:only\s+)?in|negotiates?\s+(?:only\s+)?in|communicates?\s+(?:only\s+)?in|prefers?\s+to\s+speak)\s+(?:only\s+)?$|"
                               # "chinese engineers who speak english": people of the story described
                               r"\b(?:engineers?|staff|workers?|employees?|managers?|colleagues?|people|GMs?|CEO|boss|partners?|"
                               r"directors?|owners?|buyers?|customers?|clients?)\s+(?:who|that)\s+(?:only\s+|mostly\s+|mainly\s+)?"
                               r"(?:speaks?|reads?|understands?)\s+(?:only\s+)?$", re.I)
_ZH_OTHERS = re.compile(r"^的?(?:员工|工人|工程师|高管|经理|翻译|同事|客户|人员|管理人员|当地人|司机|船员|技术人员|母语者|母语人士|为母语的)|"
                        # "阿语他们肯定会", "泰语他们本地律师肯定没问题": the locals have it anyway
                        r"^(?:的话|嘛|呢)?\s?(?:他们|她们|对方|当地人|本地人|人家)[^，。；;]{0,6}?(?:肯定|都|应该|自然|当然|本来就)(?:会|没问题|懂)")
# "Our site team is French-speaking": people of the story described by their language
_EN_THEY_ARE_BEFORE = re.compile(r"\b(?:our|the|their|his|her|its)\s+(?:[\w-]+\s+){0,2}?(?:team|staff|workers?|employees?|engineers?|"
                                 r"managers?|people|side|site|office|customers?|clients?|partners?|buyers?|GM|CEO|boss|owner|"
                                 r"chairman|directors?|workforce|market|region|province)\s+(?:is|are|was|were)\s+(?:mostly\s+|mainly\s+|all\s+)?$", re.I)
# "... only speaks Russian, so the lawyer must too": the other person's language made the lawyer's.
_SO_THE_LAWYER = re.compile(r"^[^.;!?。；]{0,15}?\b(?:so|therefore|hence)\s+(?:the\s+|our\s+)?(?:lawyers?|counsel|attorneys?)\s+"
                            r"(?:must|needs?|should|has\s+to|have\s+to)\b|^[^。；]{0,10}?所以律师(?:也)?(?:必须|要|得|需要)", re.I)
_LAWYER_WORDS = re.compile(r"\b(?:lawyers?|counsel|attorneys?|who|someone|somebody|firm|advisers?|advisors?)\b|律师|律所", re.I)


# Someone of the story speaking it, whoever it is ("工会开会也用阿姆哈拉语", "日常讲乌克兰语", "泰方股东
#与银行之间一律以泰文往来", "Local chiefs and the cooperatives speak Swahili"): not the lawyer, unless the
# clause names the lawyer or asks for one.
_ZH_SPEAKS_END = re.compile(r"(?:都|也|只|基本|基本上|一般|主要|平时|日常|一律|全|全部|都是)*(?:讲|说|用|(?<![所可加予得足难借])以)$")  # not 所以
_ZH_LAWYER_OR_ASK = re.compile(r"律师|律所|你们|您|贵所|需要|需|(?<![主重])要|必须|须|(?<![懂记])得|(?<![功可])能|最好|希望|找|请|要求|优先|可以")
_EN_SOMEONE_SPEAKS = re.compile(r"\b(?<!['’])(?!(?:must|should|to|can|could|will|would|who|that|which|lawyers?|counsel|attorneys?|firm|"
                                r"someone|somebody|one|I|we|also|only|mostly|mainly|all|just|both|fluently|well)\b)[A-Za-z-]+\s+(?:only\s+|mostly\s+|mainly\s+|all\s+)?"
                                r"(?:speak|speaks|spoke)\s+(?:only\s+)?$", re.I)


def _third_party_speaks(clause_before: str) -> bool:
    """Whether the words before a language word say someone of the story (not the lawyer) speaks it."""
    speaks = _ZH_SPEAKS_END.search(clause_before)
    if speaks is None:
        return False
    subject = clause_before[:speaks.start()]
    habitual = re.search(r"日常|平时|一般|一律|平常", speaks.group(0))  # "日常讲乌克兰语": whoever was just named
    return bool(habitual or re.search(r"[\u4e00-\u9fff]", subject)) and not _ZH_LAWYER_OR_ASK.search(subject)


# "律师要会英语和他加禄语吗？", "葡萄牙语律师一定要会吗？": whether it is needed, asked about the clause
# "French maybe needed for Quebec?": wondered about, not required
# "Do we need someone speak Uzbek also? pls advise": asked, the sentence opening on an auxiliary and closing on "?"
_EN_AUX_QUESTION = re.compile(r"[.!?\n]\s*(?:do|does|did|should|must|is|are|would|will|can|could|need)\s+(?:(?:we|they|the|he|she|it|our|a|an|you)\b[^.!?\n]*)?$", re.I)
_EN_QUESTION_CLOSE = re.compile(r"[^.!?\n]{0,40}\?")
_EN_HEDGED_QUESTION = re.compile(r"^[^.;!?\n]{0,12}\b(?:maybe|perhaps|possibly|probably|might\s+be)\b[^.;!?\n]{0,40}\?", re.I)
_ZH_MODAL = re.compile(r"要|需|必须|一定|得|用不用|要不要")
_ZH_QUESTION_END = re.compile(r"(?:吗|么|吧)\s*[?？]?\s*$|[?？]\s*$")  # "英语必须会的嘛": 嘛 asserts


_ZH_YES_NO = re.compile(r"(?:能不能|可不可以|可以不可以|是不是|会不会|要不要|需不需要|用不用)[^，。,；;]{0,4}$|"
                        r"是否(?:还|也)?(?:需要|要|需|必须)[^，。,；;]{0,4}$")  # "是否还需要会阿拉伯语的律师，请合规部再确认"


def _asked_in_clause(norm: str, start: int, end: int, hi: int) -> bool:
    clause = norm[end:hi + 1]
    if _ZH_YES_NO.search(norm[max(0, start - 10):start]):
        return True  # "BAFA能不能用英文沟通我们也不清楚"
    return bool(_ZH_QUESTION_END.search(clause) and _ZH_MODAL.search(norm[max(0, end - 12):hi]))


def _own_language(norm: str, start: int, before: str, cjk: bool) -> bool:
    """Whether the words before say the enterprise itself works in the language ("our team works in English")."""
    own = _ZH_OWN_TEAM.search(before) or (None if cjk else _EN_OWN_TEAM.search(norm[max(0, start - 60):start])
                                          or _EN_WE_LITTLE.search(norm[max(0, start - 30):start]))
    return own is not None and not _LAWYER_WORDS.search(own.group(0))


def _later_requirement(norm: str, start: int, end: int, pattern: re.Pattern[str]) -> re.Match[str] | None:
    """A requirement of the lawyer elsewhere in the sentence ("文件多是阿拉伯语，律师需要能看懂"), unless it
    names its own language right after its verb ("函全是西班牙语，律师必须能用英语沟通")."""
    sentence = sentence_around(norm, end, end)
    later = _ZH_REQ_LATER.search(sentence)
    if later is None:
        return None
    named = pattern.search(sentence, later.end())
    inside = pattern.search(later.group(0))
    if inside is not None and sentence[later.start() + inside.start():later.start() + inside.end()] != norm[start:end]:
        return None  # "律师出意见 英文得会 …泰文的合同": the requirement names its own language before its verb
    return None if named is not None and named.start() - later.end() <= 6 else later


_SUBCLAUSE = re.compile(r"[,，;；]\s*(?:and|but|while|whereas|also|而且|并且|同时|另外|但是?)\s+(?:the\s+|our\s+)?(?:lawyers?|counsel|attorneys?|firm|team)\b|"
                        r"[,，;；]\s*(?:而且|并且|同时|另外|但是?)?(?:律师|律所|团队)", re.I)


def _nearest_marker(clause: str, start: int, end: int, others: tuple[tuple[int, int], ...] = ()) -> str | None:
    """"required" or "wish", whichever marker of the clause is nearest the language word (or None);
    a marker nearer another language word not coordinated with this one is that one's ("文件全是俄语和
    塔吉克语的所以律师必须会俄语": the must is Russian's; "阿语英语都得会": both's)."""

    def gap_to(m: re.Match[str], a: int, b: int) -> int:
        return a - m.end() if m.end() <= a else (m.start() - b if m.start() >= b else 0)

    def parted(m: re.Match[str], a: int, b: int) -> bool:
        # "Armenian is a must, and the lawyer must also … in English": a comma and a new subject part them
        lo, hi = (b, m.start()) if m.start() >= b else (m.end(), a)
        return bool(_SUBCLAUSE.search(clause, lo, hi))

    best: tuple[int, str] | None = None
    for kind, pattern in (("required", _REQUIRED), ("wish", _WISH)):
        for m in pattern.finditer(clause):
            gap = gap_to(m, start, end)
            if any(gap_to(m, a, b) < gap and not parted(m, a, b) for a, b in others):
                continue
            if gap >= 0 and (best is None or gap < best[0]):
                best = (gap, kind)
    return best[1] if best else None


def _coordinated_with(i: int, found: list[re.Match[str]], norm: str) -> set[int]:
    """The language words written as one list with the i-th ("阿语英语", "俄语和英语"), itself included."""
    group = {i}
    for step in (-1, 1):
        j = i
        while 0 <= j + step < len(found):
            a, b = (found[j + step], found[j]) if step < 0 else (found[j], found[j + step])
            if not _COORDINATED.match(norm[a.end():b.start()]):
                break
            j += step
            group.add(j)
    return group


def _table_cells(norm: str) -> list[tuple[int, int]]:
    """Spans of the cells of a pasted table that are language fields (see _LANGUAGE_HEADER)."""
    _, pattern = _language_lexicon()
    spans: list[tuple[int, int]] = []
    column: int | None = None
    offset = 0
    for line in norm.split("\n")[:MAX_TABLE_LINES]:
        bounds = [0] + [m.end() for m in _TABLE_SEPARATOR.finditer(line)]
        cells = [(offset + a, offset + (b - 1 if i + 1 < len(bounds) else len(line)))
                 for i, (a, b) in enumerate(zip(bounds, [*bounds[1:], len(line) + 1]))]
        if len(cells) >= 3:
            headed = [i for i, (a, b) in enumerate(cells) if _LANGUAGE_HEADER.match(norm[a:b])]
            if headed:
                column = headed[0]
                if column + 1 < len(cells):
                    spans.append(cells[column + 1])  # a key-value row: "| 语言要求 | 法语 |"
            else:
                for i, (a, b) in enumerate(cells):
                    cell = norm[a:b]
                    only_languages = cell.strip() and not pattern.sub("", cell).strip(" 、/,&和及与+")
                    if i == column or only_languages:
                        spans.append((a, b))
        else:
            column = None
        offset += len(line) + 1
    return spans


# "律师必须会莫桑比克的官方语言", "Counsel must work in the official language of Côte d'Ivoire": the country's one
# official language (CLDR), required or wished as the clause says
_OFFICIAL_LANGUAGE = re.compile(r"的?官方语言|(?i:\bofficial\s+language\s+of\s+(?:the\s+)?)")
_OFFICIAL_REQUIRED_BEFORE = re.compile(r"(?:必须|必需|务必|一定要|须|要求)[^，。,；;]{0,6}$|(?i:\b(?:must|required\s+to|has\s+to|have\s+to|needs?\s+to)\b[^.;,]{0,20}$)")
_OFFICIAL_NEGATED_BEFORE = re.compile(r"(?:不需要|不用|无需|不必|不要求|不一定)[^，。,；;]{0,6}$|(?i:\b(?:not|no\s+need)\b[^.;,]{0,20}$)")


def _clause_or_sentence(norm: str, start: int, end: int) -> tuple[int, int]:
    """The language word's clause when it says its own must ("俄语必须，合同要中俄双语"), else its sentence."""
    lo, hi = clause_bounds(norm, start, end)
    return (lo, hi) if _REQUIRED.match(norm, end, min(hi, end + 4)) else sentence_bounds(norm, start, end)


def _official_languages(norm: str, text: str) -> list[tuple[str, float, str]]:
    out: list[tuple[str, float, str]] = []
    for m in islice(_OFFICIAL_LANGUAGE.finditer(norm), MAX_MENTIONS):
        if m.group(0).lower().startswith("official"):
            named = [p for p in place_mentions(norm[m.end():m.end() + 40]) if p.start == 0]
            span = (m.start(), m.end() + (named[0].end if named else 0))
        else:
            head = norm[max(0, m.start() - 12):m.start()]
            named = [p for p in place_mentions(head) if p.end == len(head)]
            span = (m.start() - (len(head) - named[0].start) if named else m.start(), m.end())
        if len(named) != 1 or named[0].kind not in ("country", "alias"):
            continue
        official = {lang.split("_")[0] for lang in get_official_languages(named[0].code)} - {"zh"}
        if len(official) != 1:
            continue  # "瑞士的官方语言": several, none of them the one meant
        before = norm[max(0, span[0] - 30):span[0]]
        if _OFFICIAL_NEGATED_BEFORE.search(before):
            continue
        conf = 0.92 if _OFFICIAL_REQUIRED_BEFORE.search(before) else 0.6
        out.append((next(iter(official)), conf, text[span[0]:span[1]]))
    return out


def read_languages(text: str) -> list[Reading]:
    """Working languages the lawyer must have, besides Chinese (see the module docstring)."""
    surfaces, pattern = _language_lexicon()
    norm = text.translate(NORMALISE)
    positive: dict[str, tuple[float, str]] = {}
    # a need names a handful of languages; a hostile text naming thousands costs no more than MAX_MENTIONS
    # Chinese is read like the others (its "must" is its own, a list through it is one list) but
    # never returned: every lawyer here works in Chinese
    found = list(islice(pattern.finditer(norm), MAX_MENTIONS))
    cells = _table_cells(norm) if ("\t" in norm or "|" in norm) and found else []
    alternatives = {i for i, (a, b) in enumerate(zip(found, found[1:]))
                    if (_ALTERNATIVE.match(between := norm[a.end():b.start()])
                        or (len(between) <= FALLBACK_REACH and _FALLBACK_BETWEEN.search(between)))  # not a "failing that" of another matter
                    and surfaces[a.group(0)] != surfaces[b.group(0)]  # "Farsi/波斯语": one language, two names
                    and not _BILINGUAL_BEFORE.search(norm[max(0, a.start() - 20):a.start()])}  # "bilingual Spanish/English": both
    alternatives |= {i + 1 for i in alternatives}
    short, demanded = _alone_not_enough(norm, found, surfaces)
    required_at: set[int] = set()
    others_at: set[int] = set()
    corrections = [(c.end(), min(c.end() + CORRECTION_REACH, line_end(norm, c.end())))
                   for c in islice(_CORRECTION.finditer(norm), MAX_MENTIONS)] if found else []
    # in a mail thread whose latest message speaks of languages, the quoted history's requirements are
    # the old request's ("李娜之前说的法语要求作废" over "> 必须会法语")
    history = history_start(norm) if "\n" in norm and found else None
    # an old request quoted and replaced, when the new words speak of languages too: its language words are the old request's
    replaced = replaced_requests(norm) if found else []
    if all(any(a <= f.start() < b for a, b in replaced) for f in found):
        replaced = []
    if history is not None and not any(m.start() < history for m in found):
        history = None
    corrected: dict[str, tuple[float, str]] = {}  # readings said again after a correction
    required_from: dict[str, int] = {}  # where each language was first required
    # "语言要求：越南语 … 需求描述：…越南语最好，英语也行，不是硬性要求": the free text softens its field
    fields: set[str] = set()
    denied: set[str] = set()
    near_interpreter: list[tuple[str, int, float]] = []  # "PS 语言那栏是同事随手填的，其实不需要乌尔都语": the free text takes its field back
    no_interpreter = [_sentence_index(norm, i.start()) for i in islice(_NO_INTERPRETER.finditer(norm), MAX_MENTIONS)] if found else []
    field_lines: set[tuple[str, int]] = set()
    softened: set[str] = set()
    retold: set[str] = set()
    for i, m in enumerate(found):
        s = m.group(0)
        code = surfaces[s]
        if s.lower() == "bahasa" and _MALAYSIA.search(norm) and not _INDONESIA.search(norm):
            code = "ms"
        if s == "土语" and not _TURKEY.search(norm):
            continue  # 土语 is a local dialect, unless the need is about Turkey
        in_correction = any(a <= m.start() < b for a, b in corrections)
        lo, hi = clause_bounds(norm, m.start(), m.end())
        lo, hi = max(lo, m.start() - CLAUSE_REACH), min(hi, m.end() + CLAUSE_REACH)  # a clause that never stops
        before, after = norm[lo:m.start()], norm[m.end():hi]
        # the clause's words since the previous language word: their verbs and subjects are this one's
        since_previous = norm[max(lo, found[i - 1].end()) if i else lo:m.start()]
        if not is_cjk(s) and (_EN_NOT_LANGUAGE_AFTER.match(norm[m.end():m.end() + 30])
                              or _EN_IS_NATIONALITY_BEFORE.search(norm[max(0, m.start() - 40):m.start()])):
            continue
        if in_correction:
            retold.add(code)  # said again after a correction, as a language ("Need Turkish counsel" is no language)
        if _WITHDRAWN_AFTER.match(norm, m.end(), found[i + 1].start() if i + 1 < len(found) else len(norm)):
            positive.pop(code, None)
            corrected.pop(code, None)
            continue
        # Negation is read in either language, whatever the script of the language word
        # ("Lao语不要求", "不需要会Russian", "俄语not required"); "不会英语的不要" refuses, so requires.
        refused = (bool(_ZH_CANNOT_BEFORE.search(before)) and bool(_ZH_NEG_REFUSED_AFTER.match(after))) \
            or bool(_EN_WITHOUT_BEFORE.search(before) and _EN_NEED_NOT_APPLY_AFTER.match(after)) \
            or bool(_EN_CANNOT_BEFORE.search(norm[max(0, m.start() - 80):m.start()]) and _EN_NEED_NOT_APPLY_AFTER.match(after)) \
            or bool(_ZH_REFUSED_AFTER_LANGUAGE.match(after)) \
            or bool(_EN_REFUSE_THOSE_WITHOUT.search(norm, max(0, m.start() - 90), m.start())) \
            or bool(_ZH_IF_CANNOT_BEFORE.search(norm[max(0, m.start() - 20):m.start()])
                    and _ZH_THEN_NO_GOOD.search(sentence_around(norm, m.start(), m.end())))
        # a negation after the word is its own only up to the next language word ("英语 乌尔都语不用")
        # ... and a list's ("法语德语都不要求", "Dutch and French are not needed")
        nxt = i + 1
        while nxt < len(found) and _COORDINATED.match(gap := norm[found[nxt - 1].end():found[nxt].start()]) \
                and (not gap or gap.strip()):  # not across a bare space, which in chat text may end a clause
            nxt += 1
        # ... up to the end of the clause of the list's last word ("俄语、吉语都不要求": 、 ends a clause)
        limit = clause_bounds(norm, found[nxt - 1].start(), found[nxt - 1].end())[1] if nxt - 1 > i else hi
        limit = min(limit, m.end() + 2 * CLAUSE_REACH)
        cut = found[nxt].start() if nxt < len(found) and found[nxt].start() < limit else limit
        own_after = norm[found[nxt - 1].end():cut] if nxt - 1 > i else after[:cut - m.end()]
        # ... and one before it is its own since the previous language word, unless listed with it
        # ("Urdu不用 English必须": the 不用 is Urdu's; "不需要会英语和法语": both)
        neg_before = before if not i or _COORDINATED.match(norm[found[i - 1].end():m.start()]) else since_previous
        if neg_before is since_previous and found[i - 1].end() >= lo \
                and not re.search(r"(?:不用|不需要|无需|不必|不要求)(?:会|懂|说|讲|用|识)$|(?:也|都|还)(?:不用|不需要|无需|不必|不要求)$", since_previous) \
                and (lead := _ZH_NEG_AFTER.match(since_previous) or _EN_NEG_AFTER.match(since_previous)):
            neg_before = since_previous[lead.end():]
        zh_negated = (_ZH_NEG if is_cjk(s) else _ZH_NEG_END).search(neg_before) or _ZH_NEG_AFTER.search(own_after)
        if fields and code in fields and _FIELD_FILLED_BEFORE.search(before) and _FIELD_EXPLAINED_AFTER.match(after):
            denied.add(code)  # "语言填法语是因为对方律师的函都是法语写的": the free text says why the field names it
            positive.pop(code, None)
            continue
        if not refused and (zh_negated or _EN_NEG.search(neg_before) or _EN_NEG_AFTER.search(own_after)
                            or (_EN_DISREGARD_BEFORE.search(before) and _EN_REQUIREMENT_NOUN_AFTER.match(after))):
            if _DENIAL.search(neg_before[-12:] + "|" + own_after[:24]):
                if fields:
                    denied.add(code)
                # "I asked for a German-speaking lawyer, but … German is not needed": the later word stands
                positive.pop(code, None)
            continue
        label = None
        for label in _FORM_LABEL.finditer(norm, max(0, m.start() - 80), m.start()):
            pass
        listed = label is not None and not re.search(r"[:：\n。;；]", between := norm[label.end():m.start()]) \
            and not (_WISH.search(between) or _ZH_NEG.search(between) or _EN_NEG.search(between) or _REQUIRED.search(between))  # "语言：英文必须，西语葡语文件…": the field said its must
        listed = listed or any(a <= m.start() and m.end() <= b for a, b in cells)
        if is_cjk(s):
            prev = norm[m.start() - 1:m.start()]
            if _ZH_NAME_FORM_AFTER.match(after):
                continue  # "中文和俄文音译两个都要注册": a trademark's form, not a language of the lawyer
            if s.endswith("文") and ((after[:1] and after[:1] in _ZH_FILE_AFTER) or (prev and prev in "合违非立司执宪")):
                continue
            doc = bool(_ZH_DOC_AFTER.search(after)) or bool(_ZH_DOC_BEFORE.search(before))
            # the verb before, up to the previous language word ("讲法语我们英语写过去": 讲 is French's)
            # "那边很多沟通是俄文的" describes the language (a document's "是", not its "用"); "工作语言是英语" asks
            described = (bool(_ZH_DOC_BEFORE.search(before)) and not before.endswith("用")
                         or bool(_ZH_DOC_USES.search(since_previous))) \
                and not re.search(r"工作语言|服务语言", since_previous)
            # "用同一个英文模板签的": the document's language, used by us, not the lawyer's
            described = described or (bool(_ZH_DOC_AFTER.search(after)) and not _LAWYER_WORDS.search(since_previous)
                                       and bool(re.search(r"(?:用|使用)[^，。,；;律]{0,4}$", since_previous)))
            doc = doc or described
            req = refused or listed or (not described and bool(_ZH_REQ.search(_REPORTED_SPEECH.sub("", since_previous[-8:])))) \
                or bool(_ZH_REQ_AFTER.search(after)) \
                or bool(_ZH_ALL_CAN_AFTER.match(own_after)) or bool(_SO_A_MUST_AFTER.match(norm[m.end():m.end() + 80])) \
                or bool(re.match(r"^\s?(?:沟通|交流)", after) and re.search(r"(?:需要|需|须|要|必须|得)\s*$", since_previous)) \
                or bool(re.match(r"^\s*(?:[，。,；;！!]|$)", after) and re.search(r"(?:需要|必须|必需)\s*$", since_previous))  # "需要法语，最好人就在黑角"
            later = None if req else _later_requirement(norm, m.start(), m.end(), pattern)
            if later is not None and (later.group(1) == "最好" or (
                    pattern.search(later.group(0)) is None  # not "律师 法语必须 阿语会更好": that wish is Arabic's
                    and (_WISH.search(later.string[later.end():later.end() + 4]) or _DENIAL.search(later.string[later.end():later.end() + 14])))):
                doc = True  # "文件是阿拉伯语的，律师最好能看懂", "部分文件为法文，律师看得懂更好，但不作要求": a wish
            elif later is not None:
                req = True  # "文件多是阿拉伯语，律师需要能看懂"
            if _ZH_LAWYERS_DOC_IN.search(norm[max(0, m.start() - 20):m.start()]):
                req = True  # "法律意见书须为英文", "呈交董事会之报告须为英文": what the lawyer writes
            if req and _DOCUMENT_WORKING_LANGUAGE.search(before):
                req, doc = False, True  # "本次交易文件工作语言为英语": the documents', not the lawyer's
            if not req and i - 1 in required_at and _COORDINATED.match(norm[found[i - 1].end():m.start()]):
                req = True  # "律师工作语言为西班牙语和英语": the requirement covers both
            conf = 0.92 if req else (0.6 if doc else 0.7)
        else:
            wide_before = norm[max(0, m.start() - 40):m.start()]
            req = refused or listed or bool(_EN_REQ_BEFORE.search(wide_before)) or bool(_EN_REQ_AFTER.search(after)) \
                or bool(_EN_LAWYERS_DOC_IN.search(norm[max(0, m.start() - 90):m.start()])) \
                or bool(_EN_WHO_CAN_IN.search(norm[max(0, m.start() - 100):m.start()])) \
                or bool(_EN_REQUIRES_COUNSEL_IN.search(norm[max(0, m.start() - 100):m.start()])) \
                or bool(_ZH_REQ_END.search(before)) \
                or bool(re.match(r"^\s*(?:也)?(?:要|得|必须|一定要|需要)(?:会|懂|能|流利|熟练|好|过关)", after)) \
                or bool(_ZH_ALL_CAN_AFTER.match(own_after)) or bool(_SO_A_MUST_AFTER.match(norm[m.end():m.end() + 80]))  # "律师需要会English", "Amharic 要会", "English要流利"
            doc = bool(_EN_DOC.search(wide_before)) or bool(
                re.match(r"^(?:-language)?\s+(?:documents?|contracts?|texts?|version|materials?|"
                         r"evidence|records?|filings?|regulations?)", after, re.I))
            if re.match(r"^\s*(?:是|为|is\s+the|will\s+be\s+the)\s*(?:working\s+language|工作语言)(?!\s+of\s+(?:the\s+)?(?:deal|transaction|documents?|contracts?|agreements?|project|tender|data\s+room))", after, re.I):
                req = True  # "English是working language": the language the work is done in
            if req:
                conf = 0.92
            elif doc:
                conf = 0.6
            elif re.search(r"\bin\s+$", wide_before):
                conf = 0.7  # "answer the questionnaire in Spanish": a language of the work, not said to be required
            elif re.match(r"^\s+(?:language|translation)", after, re.I):
                conf = 0.7
            elif _EN_TOO_AFTER.match(after):
                conf = 0.7  # "English too": the language before decides below
            elif _nearest_marker(norm[lo:hi], m.start() - lo, m.end() - lo) is not None:
                conf = 0.7  # "Arabic required", "Lao ideally": the marker decides below
            else:
                continue  # "Russian customers": an adjective, not a requirement
        if _BILINGUAL_DOC.search(norm, *_clause_or_sentence(norm, m.start(), m.end())) \
                and not re.search(r"(?:必须|一定要|务必|须)(?:会|懂|用|具备|掌握|能用)?\s*$|\bmust\s+(?:speak|read|know|work\s+in)\s+$", before, re.I) \
                and not (i - 1 in required_at and _COORDINATED.match(norm[found[i - 1].end():m.start()])):  # "必须具备阿拉伯语和英语工作能力"
            conf = min(conf, 0.6)  # a bilingual contract names a document's languages, not "所以必须俄语"
        listed_with = _coordinated_with(i, found, norm)
        others = tuple((o.start() - lo, o.end() - lo) for j, o in enumerate(found)
                       if j not in listed_with and lo <= o.start() and o.end() <= hi)
        marker = _nearest_marker(norm[lo:hi], m.start() - lo, m.end() - lo, others)
        if _EN_WISH_RIGHT_AFTER.match(own_after):
            marker = "wish"
        if marker == "wish" and not refused:  # "If they can't read Portuguese it's no use": no wish for its "if they"
            conf = min(conf, 0.6) if conf < 0.75 else 0.6
        elif marker == "required" and not (conf == 0.6 and is_cjk(s) and not _LAWYER_WORDS.search(norm[lo:hi])):
            conf = max(conf, 0.92)  # not "提交材料都得是俄文": a document's language, whatever its must
        if not is_cjk(s) and i - 1 in required_at and (_EN_AND_VERB_IN.match(gap := norm[found[i - 1].end():m.start()])
                                                         or re.match(r"^[^.;]{0,60}?\band\s+(?:also\s+)?in\s+$", gap)
                                                         # "must speak Spanish for the court and also English to coordinate"
                                                         or (marker != "wish" and re.match(r"^[^.;]{0,60}?\band\s+also\s+$", gap))):
            conf = max(conf, 0.92)
        if _EN_TOO_AFTER.match(own_after) and marker != "wish" and any(m.start() - found[j].end() < 150 for j in required_at):
            conf = 0.92  # "Bahasa Indonesia is a must ...; English too"
        if not is_cjk(s) and _EN_BE_IN.search(norm[max(0, m.start() - 90):m.start()]):
            conf = min(conf, 0.6)  # "all docs ... must be in Arabic"
        if not is_cjk(s) and _EN_LAWYERS_DOC_IN.search(norm[max(0, m.start() - 90):m.start()]):
            conf = 0.92
        writes = bool(_ZH_LAWYER_WRITES_BEFORE.search(before))  # "律师必须能直接出泰文的员工通知": what the lawyer drafts
        if writes:
            conf = max(conf, 0.92)
        elif _EN_THEY_WORK_IN.search(norm[max(0, m.start() - 80):m.start()]) \
                or (re.match(r"^-?\s?speaking\b", after) and _EN_THEY_ARE_BEFORE.search(norm[max(0, m.start() - 60):m.start()])) \
                or _EN_OTHERS_SPEAKING.match(after) or _ZH_OTHERS.match(after) \
                or (re.match(r"^\s+speakers?\b", after) and _EN_HAS_SPEAKERS.search(norm[max(0, m.start() - 40):m.start()])) \
                or _ZH_OTHERS_BEFORE.search(norm[max(0, m.start() - 20):m.start()]) \
                or _third_party_speaks(since_previous) \
                or (not is_cjk(s) and (_EN_OTHERS_BEFORE.search(window := norm[max(0, m.start() - 60):m.start()])
                                       or _EN_OTHERS_ARE.search(window) or _EN_SOMEONE_SPEAKS.search(since_previous))):
            if not _SO_THE_LAWYER.search(norm[m.end():m.end() + 60]) and not refused:  # "不会讲英语的律师不要" refuses
                conf = min(conf, 0.5)  # the language of other people in the story
                others_at.add(i)
        elif i - 1 in others_at and _COORDINATED.match(norm[found[i - 1].end():m.start()]):
            conf = min(conf, 0.5)  # "their chairman only speaks Urdu and Punjabi"
            others_at.add(i)
        last = found[max(listed_with)]
        if is_cjk(s) and _ZH_PLENTY_AFTER.match(norm[last.end():last.end() + 12]):
            conf = min(conf, 0.5)
        if no_interpreter and i not in alternatives and marker != "wish":
            near_interpreter.append((code, _sentence_index(norm, m.start()), conf))
        if _LATER_AFTER.match(norm[m.end():m.end() + 60]):
            conf = min(conf, 0.6)
        if _ZH_FALLBACK_AFTER.match(norm[m.end():m.end() + 30]):
            conf = min(conf, 0.6)  # "不会的话配翻译也可以"
        if _ZH_ONLY_BEFORE.search(before) and _ZH_NOT_ENOUGH_AFTER.match(own_after):
            conf = min(conf, 0.5)  # "光会英语在那边不顶用": not enough alone, so not what is asked
        if i in short:
            conf = min(conf, 0.5)
        elif i in demanded and marker != "wish" and i not in alternatives:
            conf = max(conf, 0.92)
        if _DISPREFERRED.search(norm[lo:m.start()]):
            conf = min(conf, 0.6)  # "a strong lawyer working in English rather than a weak one working in French"
        if _TRANSLATION_TARGET.search(norm[max(0, m.start() - 30):m.start()]):
            conf = min(conf, 0.6)  # "the contract must be translated into Arabic"
        if (_own_language(norm, m.start(), before, is_cjk(s)) or _ZH_OWN_AFTER.match(own_after) or _ZH_OWN_PEOPLE_DO_AFTER.match(own_after)
                or (_ZH_ALL_CAN_AFTER.match(own_after)
                    and (_ZH_WE_BEFORE_LIST.search(norm[lo:found[min(listed_with)].start()])
                         or (not norm[lo:found[min(listed_with)].start()].strip()
                             and _ZH_OUR_PERSON_BEFORE.search(norm[max(0, lo - 30):lo]))))) \
                and not _SO_THE_LAWYER.search(norm[m.end():m.end() + 60]):
            conf = min(conf, 0.5)  # the enterprise's own working language, not the lawyer's
        if (_ZH_WE_WITH_LAWYER.search(since_previous)
                or (_ZH_WITH_US_AFTER.match(own_after) and not _REQUIRED.search(since_previous) and not _ZH_REQ.search(since_previous[-8:]))) \
                and not _REQUIRED.search(norm[m.end():m.end() + 12]):
            conf = min(conf, 0.6)  # "我们这边跟律师英文沟通", "英语跟我们沟通"
        if i in alternatives:
            conf = min(conf, 0.6)  # "乌兹别克语或俄语": either will do, so neither binds alone
        if _ZH_ASKED_AFTER.match(after) or re.match(r"^\s*[?？]", norm[m.end():m.end() + 3]) or _asked_in_clause(norm, m.start(), m.end(), hi) \
                or _EN_HEDGED_QUESTION.match(norm[m.end():m.end() + 60]) \
                or (not is_cjk(s) and _EN_QUESTION_CLOSE.match(norm, m.end())
                    and _EN_AUX_QUESTION.search(("\n" if m.start() <= 100 else "") + norm[max(0, m.start() - 100):m.start()])):
            conf = min(conf, 0.6)  # "律师要会葡语吗？": asked, not required
        if history is not None and m.start() >= history:
            conf = min(conf, 0.6)
        if any(a <= m.start() < b for a, b in replaced):
            conf = min(conf, 0.6)
        if listed and marker == "wish" and (code, line_end(norm, m.start())) in field_lines:
            softened.add(code)  # "语言要求：英语（能用英文沟通即可）": the field says again it is enough, not required
        if listed:
            fields.add(code)
            field_lines.add((code, line_end(norm, m.start())))
        elif code in fields and marker == "wish":
            softened.add(code)
        if conf < 0.75 and positive.get(code, (0.0, ""))[0] >= 0.75 and code in required_from \
                and _RETHOUGHT.search(norm, required_from[code], m.start()):
            positive.pop(code)  # "Spanish is a must. UPDATE …: Spanish would still be nice to have": softened since
        if _INITIALLY_BEFORE.search(norm, max(0, m.start() - 30), m.start()) and _LATER_CHANGE.match(norm, m.end(), min(len(norm), m.end() + 60)):
            continue  # "一开始我写的是 Vietnamese required，后来问了 HR…": what was first written, then changed
        if conf >= 0.75:
            required_at.add(i)
            required_from.setdefault(code, m.end())
        # ... and so is what is said of it further on, past the correction's reach
        readings = corrected if in_correction or (code in retold and any(m.start() >= b for _, b in corrections)) else positive
        if code != "zh" and conf > readings.get(code, (0.0, ""))[0]:
            readings[code] = (conf, text[m.start():m.end()])
    # "听证用阿姆哈拉语，委员会不让我们自己带翻译", "The owners speak only Georgian … we will not send an interpreter":
    # the language of the hearing or of the people is the lawyer's, unless the text already requires one there
    for k in no_interpreter:
        spoken = [(c, conf) for c, at, conf in near_interpreter if 0 <= k - at <= NO_INTERPRETER_SENTENCES]
        if spoken and not any(conf >= 0.75 for _, conf in spoken):
            for c, conf in spoken:
                if conf >= 0.5 and c != "zh" and c not in retold:
                    positive[c] = (0.92, positive.get(c, (0.0, c))[1])
    for code, conf, evidence in _official_languages(norm, text):
        if code not in positive or positive[code][0] < conf:
            positive[code] = (conf, evidence)
    positive = {c: v for c, v in positive.items() if c not in retold and not (c in fields and c in denied)} | corrected
    positive = {c: (min(v[0], 0.6), v[1]) if c in softened else v for c, v in positive.items()}
    # "冇语言要求", "no language requirement": nothing binds, whatever the text says of its languages elsewhere;
    # nor after a correction that takes every requirement back ("律师必须会法语— 说错了，…语言不做要求")
    if found and (_NO_LANGUAGE_AT_ALL.search(norm)
                  or any(_NO_LANGUAGE_REQUIRED.match(norm, c.end(), min(len(norm), c.end() + CORRECTION_REACH))
                         for c in islice(_CORRECTION.finditer(norm), MAX_MENTIONS))):
        positive = {c: (min(v[0], 0.6), v[1]) for c, v in positive.items()}
    return sorted((Reading(c, v[0], v[1]) for c, v in positive.items()),
                  key=lambda r: (-r.confidence, r.code))
