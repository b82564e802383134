"""Places of a need with their roles, and the target countries (the ones that bind) read from them.

A paralegal reads "we employ Vietnamese workers at our plant in Serbia" as work in Serbia, and
"our Singapore-registered fund is buying a mine in Australia" as work in Australia. Each place
named gets one role from the words around it:

  requested     the place of the lawyer asked for ("a Kazakh lawyer", "布鲁塞尔的律师"), or the one
                the need says it is about among several ("这次是泰国工厂的纠纷", "只涉及匈牙利的工厂")
  seat, forum   where the proceedings are: an arbitral seat or institution (SIAC), a court, an
                authority investigating or deciding (美国商务部, CBP, the Commission)
  target        a place named plainly, where the project, the plant or the counterparty's assets are
  origin        a nationality: of people or of a counterparty ("Vietnamese workers", "西班牙公司"),
                or the enterprise's own ("we are a Thai group")
  registration  where a company is registered or listed, or a ship flagged ("Singapore-registered")
  law           a governing law or statute ("under English law", "Uzbek law", the FCPA, GDPR)
  transit       a country goods pass through ("via Kazakhstan to Russia")
  sanctioned    a country under sanctions ("sanctions on Iran", "对俄罗斯的制裁"): never binds; the
                regime's author is a forum when the need asks about it ("Does the EU's 14th
                package bar ...?") and a law when the story cites it ("the bank cites US sanctions")
  currency      a currency, not a place ("US-dollar notes")
  mention       a place of the past ("之前在英国用的律所", "Before we had a project in Chile")
  excluded      negated, set aside or already in hand ("not in Vietnam", "不是要美国律师", "Brazil not this
                year", "沙特不用管", "that case already has a US firm"): the place binds nowhere in the
                need (unless a lawyer there is asked for: "in Almaty (not Astana)"), and a bloc that
                binds does so without it ("all of the GCC; Saudi is handled")

What binds: the requested places if any (with places coordinated with them: "counsel in Almaty
and Bishkek"); else the forums (a court, an authority deciding: counsel
is needed where the case is heard); else the plain targets (the most confident, then the first,
with those coordinated with it); else the arbitral seat ("our Kazakh distributor owes us; SIAC,
seated in Singapore"); only when none of those is named, the origin, law or registration (inbound
investment: "we are a Thai company setting up in China"; "Uzbek law" alone); nothing when counsel
is asked for at home and no foreign place is ("找个国内懂涉外工伤的律师"). The seat yields to
the project's country, as the public evaluation set judges it (an EPC dispute in Kazakhstan
arbitrated in Singapore needs Kazakhstan counsel; the seat ranks softly). Others are
returned with a confidence under the binding threshold, so they still inform the ranking.
A bloc (EU, ASEAN, GCC, ...) is one place here and reads as its member countries. A Latin name
in Chinese text reads by the Chinese words around it ("Marshall Islands注册的SPV").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import islice

from service.matching.reading.blocs import bloc_members, blocs, term_mentions
from service.matching.reading.places import EN_REG_AFTER as _EN_REG_AFTER
from service.matching.reading.places import EN_REG_BEFORE as _EN_REG_BEFORE
from service.matching.reading.places import ZH_HAD_COUNSEL_AFTER as _ZH_HAD_COUNSEL_AFTER
from service.matching.reading.places import ZH_LAWYER_JOINS_AFTER as _ZH_LAWYER_JOINS_AFTER
from service.matching.reading.places import (
    HOME,
    SECONDARY_CONFIDENCE,
    SOLE_TARGET_CONFIDENCE,
    place_mentions,
    read_countries,
    registered_there,
    set_aside,
)
from service.matching.reading.text import MAIL_HEADER as _MAIL_HEADER
from service.matching.reading.text import SUBJECT_LINE as _SUBJECT_LINE
from service.matching.reading.text import NORMALISE, ZH_SETS_UP, Reading, history_start, is_cjk, line_end, replaced_requests, sentence_around

# Roles in the order one place's several mentions resolve to (the strongest first).
ROLE_ORDER = ("requested", "forum", "target", "seat", "origin", "law", "registration", "transit",
              "mention", "sanctioned", "currency", "excluded")
# Roles that bind when no target is named ("Argentine peso controls" alone); a country under
# sanctions never does: "Iran sanctions screening" needs sanctions counsel, not an Iranian lawyer.
FALLBACK = ("seat", "origin", "law", "registration", "currency", "mention")
# Confidence of a place that does not bind: it ranks a little, never filters.
NON_TARGET_CONFIDENCE = 0.4
COORDINATED_TARGET_CONFIDENCE = 0.8
BLOC_CONFIDENCE = 0.85
# Each further mention of a place (up to two) adds this much when choosing the target among several.
REPEAT_BONUS = 0.04

_W = r"[\w&'./-]+"  # "Mexican customs/tax counsel"
_NOT_FUNCTION = r"(?!(?:but|and|or|so|because|since|while|to|for|with|in|on|at|from|by|of|that|which|who|is|are|was|were|the|a|an)\b)"
# --- English contexts (before: the 40 characters before the name; after: the 50 after) ----
_EN_CURRENCY_AFTER = re.compile(r"^[\s-]?(?:dollars?|\$|cents?|lira|liras|rupees?|rubles?|roubles?|pesos?|reais|rand|naira|dirhams?|"
                              r"riyals?|rials?|tenge|dong|baht|ringgit|rupiah|euros?|yen|soms?|kwanza|francs?|pounds?|"
                              r"shillings?|cedis?|kip|riel|taka|manats?|lari|drams?|sterling|currency)\b", re.I)
_EN_LAW_AFTER = re.compile(r"^(?:'s?)?(?:-|\s+)(?:law|laws|legal system|civil code|commercial code|labou?r code|"
                           r"companies act|bribery act|legislation|statutes?|merger control|merger rules|"
                           r"competition rules|regulations?|directives?)\b(?!\s+firms?)", re.I)
_EN_LAW_COORDINATED_AFTER = re.compile(r"^(?:'s?)?\s*(?:,|and|&|or|/)\s*(?:the\s+)?[\w.]+\s+(?:law|laws|legal systems?)\b", re.I)
_EN_LAW_BEFORE = re.compile(r"\b(?:governed by|laws? of|applicable law is|subject to)\s+(?:the\s+)?(?:laws? of\s+)?(?:the\s+)?$", re.I)
_EN_TRANSIT_BEFORE = re.compile(r"\b(?:through|via|transit\w*(?:\s+(?:through|via))?|routed?\s+(?:\w+\s+)?through|"
                                r"trans-?ship\w*\s+(?:in|at|through|via))\s+(?:the\s+)?$|"
                                # "shipped via a bonded warehouse in Rotterdam"
                                r"\b(?:shipped|routed|sent|moved)\s+(?:via|through)\s+(?:an?\s+|the\s+|our\s+)?[\w-]+(?:\s+[\w-]+)?\s+(?:in|at)\s+$", re.I)
# Where data goes or servers sit ("transfers to our servers in Singapore", "服务器在杭州"): no place of the work
_EN_DATA_PLACE_BEFORE = re.compile(r"\b(?:servers?|data\s+cent(?:er|re)s?|hosted|stored|cloud)\b[^.;,]{0,12}\b(?:in|at)\s+(?:the\s+)?$", re.I)
_ZH_DATA_PLACE = re.compile(r"(?:(?:服务器|数据中心|机房)(?:在|位于|放在|设在|部署在)|(?:数据|服务器)[^，。,；;]{0,4}?(?:存在|存储在|存放在|托管在|放在|部署在))"
                            r"\s?(?:(?i:AWS|Azure|GCP|Google\s+Cloud)|阿里云|腾讯云|华为云)?\s?$")  # "服务器在aws法兰克福"  # "数据存在新加坡", "数据存在 AWS Frankfurt"
# where data goes or is reached from ("the transfer to Singapore and remote access from Malaysia",
# "customer support is done from Kuala Lumpur"), in a sentence about data
_EN_DATA_FLOW_BEFORE = re.compile(r"(?:\b(?:transfers?|transferred|transmitted|exported|access(?:ed)?)\b[^.;,]{0,16}?\b(?:to|from|in)|"
                                  r"\b(?:done|run|handled|provided|served)\s+from)\s+(?:the\s+)?$", re.I)
_EN_DATA_WORDS = re.compile(r"\b(?:data|personal|privacy|PDPL|PDPA|GDPR|PIPL|LGPD|cloud|servers?|hosted|users?|customer\s+support|remote\s+access)\b", re.I)
# A port of loading is where the goods came from; the port of discharge is where the claim is.
_EN_LOADED_BEFORE = re.compile(r"\b(?:loaded|shipped|loading|laden)\s+(?:\w+\s+)?(?:at|in|from)\s+(?:the\s+)?(?:port\s+of\s+)?$|\bPOL\s*[:=]?\s*$", re.I)
_ZH_LOADED = re.compile(r"^(?:港)?(?:装船|装货|装运|起运|发运|装的船)")
_EN_THIRD_COUNTRY_BEFORE = re.compile(r"\b(?:via|through)\s+a\s+third\s+country\s*[(:,]?\s*(?:the\s+)?$", re.I)
_EN_REQUEST_AFTER = re.compile(rf"^(?:-based|-qualified|-admitted)?(?:\s+{_NOT_FUNCTION}{_W}){{0,3}}?\s+(?:lawyers?|counsel|attorneys?|litigators?|(?:law\s+)?firms?|"
                               r"solicitors?|advocates?)\b", re.I)
_EN_REQUEST_BEFORE = re.compile(r"\b(?:lawyers?|counsel|attorneys?|litigators?|law firm|someone|somebody|advisers?|"
                                r"advisors?|team|replacement)\s+(?:based\s+|qualified\s+|admitted\s+)?(?:in|from|for)\s+(?:the\s+)?$|"
                                # "one firm (or two firms) with mining experience in Chile and Argentina"
                                r"\b(?:firms?|lawyers?|counsel|attorneys?|team)\)?\s+with\s+(?:[\w-]+\s+){0,3}(?:experience|expertise|presence|offices?)\s+in\s+"
                                r"(?:both\s+)?(?:the\s+)?$", re.I)
_EN_OUR_PEOPLE_IN_BEFORE = re.compile(r"\b(?:our|my)\s+(?:[\w-]+\s+){0,3}?(?:team|staff|colleagues|people|finance|accounts|treasury)\s+"
                                      r"(?:based\s+)?(?:in|at)\s+(?:the\s+)?$", re.I)  # people, not "our sales office in Medellin"
# "the CJEU Kolin judgment": a court cited for its case law, not the forum of the matter
_EN_PRECEDENT_AFTER = re.compile(r"^(?:['’]s)?(?:\s+[A-Z][\w-]+){0,2}\s+(?:judgment|judgement|ruling|case\s+law|precedent)\b")
# "the investor's legal team in Nagoya", "their counsel in Dubai": the other side's people, not a lawyer asked for
_EN_THEIRS_BEFORE = re.compile(r"\b(?:their|his|her|its|the\s+(?:other\s+side|investor|buyer|seller|employer|owner|"
                               r"counterparty|client|lender|bank|customer|supplier|distributor)['’]s)\s+(?:[\w-]+\s+){0,2}?"
                               r"(?:lawyers?|counsel|attorneys?|team|advisers?|advisors?)\s+(?:based\s+)?(?:in|from)\s+(?:the\s+)?$", re.I)
_EN_SEAT_BEFORE = re.compile(r"\b(?:seated\s+in\s+|seat\s*[:=]?\s*(?:is\s+|of\s+arbitration\s+(?:is\s+)?)?(?:in\s+)?|"
                             r"arbitrat\w*\s+in\s+)(?:the\s+)?$", re.I)  # "seat Singapore", "seat: London"
_EN_SEAT_AFTER = re.compile(r"^(?:-seated|\s+seated|\s+seat\b|\s+as\s+the\s+seat|\s+arbitration(?!\s+(?:lawyers?|counsel|attorneys?|law)))\b", re.I)
_EN_SANCTIONS_COUNSEL_AFTER = re.compile(r"^\s+(?:sanctions?|export[\s-]control)\s+(?:counsel|lawyers?|attorneys?|law\s+firms?|advis[eo]rs?)\b", re.I)
_EN_FORUM_AFTER = re.compile(rf"^(?:'s?)?(?:\s+{_W}){{0,2}}?\s+(?:courts?|customs(?!\s+(?:entr|declarations?|documents?|records?|forms?|papers?|brokers?|codes?))|government|ministry|authorit\w+|(?-i:Commerce|DOC)|"
                             r"revenue|regulators?|commission|department|tribunal|police|prosecutors?|"
                             r"inspectorate|agency|competition\s+authority|tax\s+(?:authority|office|dept|department))\b", re.I)
_EN_FORUM_BEFORE = re.compile(r"\b(?:courts?\s+(?:in|of)|tribunals?\s+in|sue\s+(?:us\s+|them\s+)?in|suing\s+us\s+in|"
                              r"claim\s+in|litigat\w*\s+in|in\s+the\s+courts\s+of|enforce\w*\s+(?:it\s+|the\s+award\s+)?in|"
                              r"(?:dispute|case|lawsuit|litigation|proceedings?|hearing|trial)\s+(?:is|are|was|will\s+be)\s+"
                              r"(?:being\s+)?(?:heard\s+|held\s+)?in)\s+(?:the\s+)?$", re.I)  # "the dispute is in Tashkent"
# "workers from Ukraine and Belarus", "engineers from India": where people come from
_EN_PEOPLE_FROM_BEFORE = re.compile(r"\b(?:workers?|employees?|staff|labou?rers?|engineers?|nationals?|citizens?|expats?|"
                                    r"migrants?|personnel|crew|technicians?|drivers?|managers?)\s+(?:\w+\s+)?from\s+(?:the\s+)?"
                                    r"(?:[A-Z][\w-]+(?:\s+[A-Z][\w-]+)?\s*(?:,|and|&)\s*)*$")
_EN_ORIGIN_AFTER = re.compile(
    rf"^(?:-managed|-owned|-based|(?:\s+state-owned)?(?:\s+{_NOT_FUNCTION}{_W}){{0,1}}?\s+(?:workers?|employees?|staff|nationals?|citizens?|engineers?|"
    r"buyers?|customers?|clients?|distributors?|agents?|contractors?|subcontractors?|suppliers?|partners?|utility|utilities|"
    r"compan(?:y|ies)|makers?|manufacturers?|investors?|traders?|banks?|insurers?|groups?|famil(?:y|ies)|"
    r"founders?|owners?|shareholders?|sellers?|retailers?|forwarders?|carriers?|counterpart\w*|developers?|"
    r"people|tourists?|students?|importers?|exporters?|shipowners?|lenders?|miners?|funds?|brands?|competitors?|rivals?|"
    r"bidders?|insurers?|underwriters?|arbitrators?|experts?|consultants?|operators?|sponsors?)\b)", re.I)
_EN_FIRMS_OFFERING_AFTER = re.compile(r"^\s+(?:law\s+)?(?:firms?|lawyers?|counsel|attorneys?)\s+(?:(?:have|has|had)\s+)?(?:already\s+)?"
                                      r"(?:approached|contacted|pitched\s+to|written\s+to|reached\s+out\s+to|offered)\b", re.I)
_SANCTIONED_DESTINATIONS = frozenset({"RU", "BY", "IR", "KP", "SY", "CU"})
_EN_WRITER_BASED_BEFORE = re.compile(r"\bI(?:'m|\s+am)\b[^.;!?]{0,70}\bbased\s+(?:in|at|out\s+of)\s+(?:the\s+)?$", re.I)
_EN_FIRMS_ALLOWED_AFTER = re.compile(r"^\s+(?:law\s+)?(?:firms?|lawyers?|counsel|attorneys?)\b[^.;]{0,40}?\b(?:are|is)\s+(?:also\s+)?"
                                     r"(?:fine|ok|okay|acceptable|welcome)\b", re.I)
_EN_SET_UP_AFTER = re.compile(r"^\s+(?:company|entity|branch|subsidiary|office|JV)\s+(?:set-?up|formation|registration|"
                              r"incorporation|establishment)\b", re.I)
_EN_SELF = re.compile(r"\b(?:we are|we're|our company is|as)\s+(?:a|an)\s+(?:[\w&-]+\s+){0,3}$", re.I)
# The lawyer is "requested" only in a sentence that asks ("An American law firm represents the other side" does not).
_ASKS = re.compile(r"\b(?:need|needs|want|looking|seek\w*|find|recommend\w*|hire|engage|require\w*|search\w*|"
                   r"prefer\w*|pls|please|help|who can|introduce|request\w*|RFP|proposals?|wanted|wants|appoint|nominate|"
                   r"scope|instruct|retain)\b|需要|(?<![无不必])需(?![求])|找|想|请|求|推荐|要|希望|急需|寻", re.I)
# --- Chinese contexts ----------------------------------------------------------------------
_ZH_REG_BEFORE = re.compile(r"(?:注册在|注册于|注册地(?:为|在|是)?|在)$")
_ZH_REG_AFTER_AT = re.compile(r"^[^，。,；;]{0,4}?(?:注册的|上市的)|^(?:设立|成立)的[^，。,；;]{0,6}?(?:子公司|公司|实体|平台)")
# The enterprise's own vehicle there ("我们新加坡的控股公司", "our HK parent", "a Singapore holdco"): where it is registered.
_ZH_KNOWS_BEFORE = re.compile(r"(?:熟悉|懂|精通|了解|熟知)(?:当地)?\s?$")
_ZH_LAW_LAWYER_AFTER = re.compile(r"^(?:当地)?(?:的)?法律?(?:和[^，。,；;]{1,6})?的?(?:律师|律所)")
_ZH_THROUGH_BEFORE = re.compile(r"(?:通过|经由|借助)(?:其|我们|我司|公司|集团)?(?:设在|设于|位于|注册在|在)$")
_ZH_OUR_ENTITY_AFTER = re.compile(r"^的?[^，。,；;]{0,10}?(?:子公司|分公司|公司|平台|实体|办事处)")
_ZH_VEHICLE_BEFORE = re.compile(r"(?:持股平台|控股平台|控股公司|特殊目的公司|SPV|离岸公司|壳公司)[^，。,；;]{0,8}?"
                                r"(?:放在|设在|设立在|注册在|落在|搭在|建在)$")
_ZH_VEHICLE_AFTER = re.compile(r"^的?(?:控股公司|控股平台|持股平台|持股公司|特殊目的公司|SPV|离岸公司|壳公司|母公司|总部公司|运营主体|"
                               r"的(?:[^，。,；;]{0,4}?)?区域总部|[^，。,；;设建]{0,2}?区域总部)")  # "我们迪拜的中东区域总部", "新加坡区域总部的", not "在新加坡设一个区域总部"
# "德国子公司只是签合同的主体": the entity that signs, not where the work is
_ZH_ONLY_A_VEHICLE_AFTER = re.compile(r"^的?(?:子公司|公司|实体|主体)?[^，。,；;]{0,4}?只是(?:个|一个)?(?:签(?:合同|约)的?|持股的?|名义上的?)?"
                                      r"(?:主体|壳|平台|签约方)")
_EN_VEHICLE_AFTER = re.compile(r"^(?:-based)?\s+(?:holding company|holding|holdco|SPV|special purpose vehicle|vehicle|parent|"
                               r"S\.?\s?à\s?r\.?\s?l\b|Sàrl|GmbH|B\.V\.|BV\b|N\.V\.|LLC\b|Pte\.?\s+Ltd|Sdn\.?\s+Bhd|"  # "Bidco is a Luxembourg S.à r.l."
                               r"parent company|investment vehicle|holding entity|entity|topco|HQ|headquarters|head office)\b", re.I)
_ZH_LAW_AFTER = re.compile(r"^([^，。,；;的\s]{0,6}?)法(?![院官庭人国语文规定])(?!律师|律所)")  # "芬兰劳动法律师" asks for a lawyer
_ZH_LAW_NOT = "违合非执立方办做说司宪护"
# A country named as the author of sanctions or export controls ("被美国列名", "美国制裁"): its law applies.
_ZH_SANCTIONS_AFTER = re.compile(r"^[^，。,；;]{0,3}?(?:列名|列入|制裁|出口管制|长臂|实体清单|管制)")
# The author of a sanctions regime the question is about ("the EU's 14th sanctions package", "US
# sanctions on Iran", "美国制裁伊朗"): counsel in that jurisdiction; the country sanctioned
# ("sanctions on Iran", "re-exports to Russia" aside) is named, not where the work is.
_EN_SANCTIONS_AFTER = (r"\s+(?:(?:new|latest|\d+(?:st|nd|rd|th)|secondary|primary|sectoral)\s+){0,2}"
                       r"(?:sanctions?|export\s+controls?|export\s+control\s+rules|entity\s+list|restrictive\s+measures)\b")
_EN_SANCTIONS_AUTHOR_AFTER = re.compile(  # "EU, UK and US sanctions": each of them is an author
    r"^(?:'s?)?(?:\s*(?:,|/|&|\band\b|\bor\b)\s*(?:the\s+)?[\w.]+(?:'s?)?){0,3}" + _EN_SANCTIONS_AFTER, re.I)
_EN_SANCTIONED_AFTER = re.compile(r"^(?:'s?)?" + _EN_SANCTIONS_AFTER, re.I)
_QUESTION = re.compile(r"[?？]|(?:^|[:：])\s*(?:does|do|can|may|is|are|would|will|should|could)\b|\bwhether\b|"
                       r"是否|能不能|能否|可不可以|会不会|还能|吗", re.I)
_OPINION_UNDER = re.compile(r"\b(?:need|want|require|request)\w*\b[^.;]{0,40}\b(?:opinion|advice|analysis|assessment|review)\b[^.;]{0,60}\bunder\b", re.I)
# Who writes the sanctions regimes outbound enterprises ask about.
SANCTIONING = frozenset({"US", "EU", "GB", "CA", "AU", "JP", "CH"})
_EN_SANCTIONED_BEFORE = re.compile(r"\b(?:sanctions?|restrictive\s+measures)\s+(?:on|against|targeting)\s+(?:the\s+)?$", re.I)
_ZH_SANCTIONS_ON = re.compile(r"^(?:对[^，。,；;]{1,6}?)?的?(?:制裁|出口管制)")
_ZH_SANCTIONED_BEFORE = re.compile(r"制裁$")
_ZH_SANCTIONED_BETWEEN = re.compile(r"^的?制裁")
_ZH_TRANSIT_BEFORE = re.compile(r"(?:经|经由|途经|过境|转道|取道)$")
_ZH_TRANSIT_AFTER = re.compile(r"^(?:转运|过境|中转|转口|\s?(?i:transit|transship\w*|tranship\w*))|"
                               r"^(?:港)?(?:转|过去|过来|走)(?![^，。,；;]{0,4}(?:设厂|建厂|投资|注册|开))")  # "走新加坡transit", "走哈萨克斯坦过去"
# ("德国那个律所说…": a lawyer already known, not one asked for)
_ZH_REQUEST_AFTER = re.compile(r"^(?!那个|那家|这个|这家|该|那边的律)(?:的|当地的?|本地的?)?[^，。,；;、\s的]{0,4}?(?:[+＋/][^，。,；;、\s的+＋/]{1,4})?的?(?:律师|律所|法律专家)|"  # "澳洲劳动+移民律师"
                               # "奥地利、波兰、塞尔维亚三国的 merger control 律师"
                               r"^[两二三四五六七八九十几]个?(?:国家?|地区?|地)的\s?(?:[A-Za-z][\w&/-]*\s+){0,3}(?:律师|律所|(?i:(?:co-)?counsel|lawyers?|attorneys?)\b)|"
                               r"^(?:那边|当地|本地)(?:能|可以)?(?:做|办|打|跑|处理|代理)[^，。,；;、\s的]{0,4}?的(?:律师|律所)|"  # "阿联酋那边做仲裁的律师"
                               r"^(?:那边|当地|本地)(?:能|可以)?(?:做|办|打|跑|处理|代理)[A-Za-z/\u4e00-\u9fff]{1,16}?的(?:律师|律所)|"  # "墨西哥本地做amparo/行政诉讼的律师"
                               r"^(?:的|当地的?|本地的?)\s?(?:[A-Za-z][\w&/-]*\s+){0,3}(?i:(?:co-)?counsel|lawyers?|attorneys?|law\s+firms?)\b|"  # "智利的competition counsel"
                               r"^\s(?:[A-Za-z][\w&/+-]*\s){1,3}\s?(?:律师|律所)")  # "爱尔兰 data protection 律师"
# "从巴西图巴朗港进口的大豆": where the goods come from; "船挂利比里亚旗": the flag
_ZH_ALLOWED_AFTER = re.compile(r"^的?(?:当地的?|本地的?)?(?:律师|律所)[^，。,；;]{0,3}?(?:也可以|也行|也可|也没问题|也ok|也OK|亦可)")
_ZH_IMPORTED_FROM_AFTER = re.compile(r"^[^，。,；;]{0,10}?(?:进口|进的货|买的|买来|运来|发来|采购|调来|运过来|收购的|收来的)")
_ZH_FLAG_AFTER = re.compile(r"^(?:的)?(?:国)?旗")
_ZH_SEAT_AFTER = re.compile(r"^[^，。,；;的\s]{0,8}?仲裁(?!裁决|的裁决)|^\s*(?:作为)?(?:seat\b|仲裁地)", re.I)
_ZH_FORUM_AFTER = re.compile(r"^(?:的|当地的?)?[^，。,；;的\s]{0,6}?(?:法院|海关|政府|商务部|财政部|税务局|税务机关|税局|"
                             r"执法局|监管|当局|委员会|部门|劳动监察|警方|检察|仲裁庭|公平交易|反垄断|竞争|外资审查|"
                             r"贸易救济|调查机关|司法部|部长|能源部|矿业部|环境署)")
# The author of a trade-remedy case, named just before it ("欧盟反倾销调查", "被土耳其双反调查")
_ZH_REMEDY_AFTER = re.compile(r"^(?:的|发起的?|启动的?)?(?:反倾销|反补贴|反规避|双反|两反|保障措施)")
# The place a need says it is about, among several named ("我们在越南和泰国都有工厂，这次是泰国工厂").
_ONLY_BEFORE = re.compile(r"(?:委托|这次|本次|现在)?只(?:给|找|要|需要|做|处理)$|(?:所以|这次|现在)要(?:的|找的)是$|"
                          r"\b(?:so\s+|we\s+)?only\s+(?:need|want|looking\s+for)\s+(?:an?\s+)?$", re.I)
_EN_FOCUS_BEFORE = re.compile(r"\b(?:this\s+time,?\s+(?:it'?s\s+|it\s+is\s+)?(?:about\s+|only\s+)?(?:in\s+)?|"
                              r"(?:is|it'?s)\s+only\s+about\s+|only\s+(?:concerns|affects|involves)\s+|(?:please\s+)?only\s+look\s+at\s+)(?:the\s+|our\s+)?$", re.I)
_ZH_FOCUS_BEFORE = re.compile(r"(?:这次|本次|这回|此次)(?:是|只是|主要是|涉及|只涉及|仅涉及)?(?:在)?$|"
                              r"(?:只涉及|仅涉及|主要涉及|主要是|重点是|只是|只剩下?|就剩下?|还剩下?)(?:在)?$|"
                              r"(?:先)?只(?:处理|做|找|看|委托给?|给)$|"  # "先只处理爱尔兰"
                              r"现在(?:麻烦|有问题|要处理|需要处理|急)的是$")  # "现在麻烦的是金边那个厂"
_ZH_ACQUIRED_BEFORE = re.compile(r"(?:收购|并购|买下|入股|投资)(?:一家|一个|一间|这家|那家)?$")
_ZH_COMPANY_AFTER = re.compile(r"^的?[^，。,；;]{0,6}?(?:公司|企业|工厂|厂|集团)")
# Trade remedies are the importing country's: in a need about one, where the goods go decides.
_REMEDY_WORDS = re.compile(r"反倾销|反补贴|反规避|双反|两反一保|保障措施|anti-?dumping|countervailing|anti-?subsidy|"
                           r"safeguard|anti-?circumvention", re.I)
_ZH_EXPORT_TO_BEFORE = re.compile(r"(?:出口到|出口至|出口往|销往|卖到|进口到|进入)$")
_EN_EXPORT_TO_BEFORE = re.compile(r"\b(?:export\w*|ship\w*|sell\w*|sold)\s+(?:[\w-]+\s+){0,3}?(?:to|into)\s+(?:the\s+)?$", re.I)
_ZH_EXPORTED_TO_BEFORE = re.compile(r"(?:出口|销往|卖往|卖到|出口到|出口至|返销)(?:到|至)?(?:[^，。,；;]{1,10}?(?:和|及|与|、))?$")
# "丹吉尔…的电池材料项目，要跟AMDIE签投资协议": a project of ours abroad, whose exports go to markets
_ZH_OUR_PROJECT = re.compile(r"(?:项目|园区)[^。；;]{0,20}?(?:投资协议|投资补贴|投资优惠|investment\s+agreement|(?:设立|注册)(?:项目)?公司)", re.I)
_ZH_TROUBLE = re.compile(r"反倾销|反补贴|双反|保障措施|扣|调查|起诉|诉讼|纠纷|索赔|罚|退运|拒收|拒付|欠|拖欠|召回")
_ZH_MADE_THERE_AFTER = re.compile(r"^[^，。,；;]{0,8}?(?:工厂|厂|基地)?(?:生产|制造|产|组装)的(?:[，。,；;]|$)|^(?:工厂|厂|基地)出口的")
# "我们在加纳做过一个类似项目": a place of past experience
_ZH_DONE_BEFORE_AFTER = re.compile(r"^[^，。,；;]{0,10}?(?:做过|办过|干过|打过|经历过|遇到过|碰到过|处理过)")
_ZH_CASE_BEFORE = re.compile(r"(?:纠纷|争议|官司|案子|案件|诉讼)(?:是|现在|目前)?在$")  # "但官司在塔什干"
_ZH_SUED_AFTER = re.compile(r"^(?:的?法院)?(?:起诉|提起诉讼|提起了诉讼|打官司|立案|开庭)")  # "已经在巴黎起诉了"
_ZH_ORIGIN_AFTER = re.compile(r"^籍|^裔|^(?:的)?(?:国企|央企|国有企业)|^(?:原装)?进口(?![到至商])|^(?:一家|一个|某家|某)?(?:竞争对手|对手|工人|员工|劳工|公民|人|客户|买家|买方|卖方|经销商|代理商|代理|承包商|总包|"
                              r"分包商|供应商|合作方|合作伙伴|股东|投资者|投资人|投资方|银行|公司|企业|船东|保险公司|"
                              r"贸易商|厂商|集团|进口商|出口商|籍员工|籍工人|收购方|品牌|基金|主权基金|财团|资本方|家族办公室)|"
                              r"^的(?:收购方|买方|卖方|投资方|投资人|基金|主权基金|财团)")
_ZH_CAME_FROM_AFTER = re.compile(r"^(?:[和及与、][^，。,；;]{1,8}?)?(?:过)?来的")
# "美国那几个大客户", "东南亚、中东都有经销商在接触": people there, however counted
_ZH_PEOPLE_AFTER = re.compile(r"^(?:籍)?的?(?:(?:那|这)?(?:几|些|两|三|一)?(?:个|家|位|批)?(?:大|主要|老|新|重要|核心)|(?:都|也|还|也都)有(?:一些|几家|几个|不少|很多|多家)?)?(?:客户|工人|员工|劳工|外劳|买家|买方|卖方|供应商|股东|投资者|投资方|合作方|业主|船东|经销商|"
                              r"银行|银团|债权人|债务人|协会|保险人|保险公司|主机厂|车企|厂家|厂商|品牌商|品牌方|品牌|采购商|"
                              r"投资人|基金|主权基金|财团|家族办公室|资本方|出资人|[\u4e00-\u9fff]{1,3}商(?![标务业会])|(?![账帐])[\u4e00-\u9fff]{1,2}户)")  # "LP主要是中东主权基金", "印度和土耳其的珠宝商"
_ZH_WHOSE_AFTER = re.compile(r"^的?(?:[^，。,；;]{0,6}?的)?(?:公司|企业|国企|财团|集团|人|老板|客户)|"
                             r"^的?(?:一家|一个)?\s?(?i:traders?|trading\s+house|company|buyer|seller|supplier|firm|fund|distributor|bank)\b")  # "buyer是Geneva的一家trader"
_ZH_REST_OF_LIST = re.compile(r"^(?:[和及与、][^，。,；;和及与、的]{1,8})+")
_ZH_LAWYER_NAMED_AFTER = re.compile(r"^(?:的|当地的?|本地的?)?(?:律师|律所|法律专家)")
_ZH_SELF = re.compile(r"(?:我们|我司|本公司|我方|公司)(?:是|系|为)[^，。,；;]*$")
# Counsel asked for at home ("找个国内懂涉外工伤的律师就行", "a lawyer in mainland China"): the foreign
# places of the story are where things happened, not where counsel is needed.
_HOME_COUNSEL = re.compile(r"(?:国内|境内|中国大陆|大陆)(?:的)?[^，。,；;]{0,10}?(?:律师|律所)|"
                           r"\b(?:PRC|China|Chinese)\s+(?:counsel|lawyers?|law\s+firms?|attorneys?)\b|"
                           r"\b(?:lawyers?|counsel|attorneys?|law\s+firm)\s+(?:based\s+)?(?:here\s+)?in\s+(?:mainland\s+)?China\b|"
                           r"\b(?:PRC|China)-(?:qualified|based)\s+(?:lawyers?|counsel|attorneys?)", re.I)
# A Chinese lawyer asked for: at home when no place abroad is where the work is (a Kenyan suit still binds Kenya)
# A foreign investor coming into the writer's own company ("沙特基金要入股我们公司", "a Saudi fund wants to
# invest in us")
_INVESTS_IN_US = re.compile(r"(?:入股|投资|参股|增资|战略投资)(?:到)?(?:我们|我司|我方|本公司|咱们)(?:公司|集团)?(?=[\s，。,；;？?！!]|百分之|\d|$)|"
                            r"\b(?:invest\w*|take\s+a\s+stake|buy\s+a\s+stake|acquire\s+a\s+stake)\s+in\s+(?:us|our\s+(?:company|group))\b|"
                            # "泰国一家食品集团拟在我市临空经济区设立外商独资企业": a foreign investor coming to our city
                            r"(?:在|来|到)(?:我市|本市|我区|本区|我省|本省|我县|我们市|我们这里)[^，。,；;]{0,12}?(?:设立|投资|建|设|落户)", re.I)
_CHINESE_LAWYER = re.compile(r"中国(?:的)?(?:律师|律所)|\bChinese\s+(?:lawyers?|counsel|law\s+firms?)\b", re.I)
# "(b) UK counsel, because ...": an item of a list that names the lawyer asks for one
_LIST_MARK = re.compile(r"^(?:\(?[a-z0-9]{1,2}[).:]|[-*•]|\d+\.)\s*", re.I)
_COORDINATION = re.compile(r"^(?:\s+(?:side|part|portion|section|entity|subsidiary))?"  # "the Swedish side (MBL …) and the Finnish side"
                           r"(?:\s*[(（][^()（）\n]{0,80}[)）]|[^，。,；;()（）]{0,10}?[)）])?\s*(?:和|及|与|同|跟|、|以及|或|或者|还是|,|/|\+|and|or|&|as well as|plus)\s*"
                           r"(?:(?:in|at)\s+)?(?:the\s+)?$|"  # "in Uganda (High Court, …) and in Kenya"
                           r"^\s*[,;，；]?\s*(?:and\s+)?(?:the\s+other(?:\s+one)?|another(?:\s+one)?|the\s+second(?:\s+one)?)\s+"
                           r"(?:\w+\s+){0,2}?(?:in|at|near|outside)\s+(?:the\s+)?$|^[，,；;]\s*另一个(?:在|位于)$", re.I)
# "也请同一家律所看", "also need counsel there", "the same firm should cover": asked as well
_ALSO_ASKED = re.compile(r"也(?:请|要请|需要|想请|要找|找)[^，。,；;]{0,8}?(?:律所|律师)|同一(?:家)?(?:律所|律师事务所)|"
                         r"也要(?:一起|一并)(?:做|追|起诉|追讨)|另外加上?\s*(?=[A-Za-z\u4e00-\u9fff])|"  # "（不在欧盟但也要一起做）", "另外加 Egypt 和 Jordan"
                         r"还有[^，。,；;]{1,16}?(?:要不要|需不需要|是否需要|是否要|用不用)(?:报|申报|备案|注册|登记|审批)|"  # "…申报，还有黑山、北马其顿要不要报"
                         r"\b(?:also|too)\b[^.;]{0,25}\b(?:need|want|require|ask)\w*\b[^.;]{0,25}\b(?:counsel|lawyers?|firm)\b|"
                         r"\bsame\s+(?:firm|counsel|lawyers?)\b", re.I)
# the gap of two places each with the same noun: "工厂（约600名中方员工）和"
_ZH_PARALLEL_GAP = re.compile(r"^([\u4e00-\u9fff]{2})[^。；;！!？?\n]{0,30}?(?:和|及|与|、|以及)$")
# A text that counts the places of its work ("两国", "两地", "in both countries", "三国")
_COUNTED = re.compile(r"(两|三|四|五|六|both|(?:all\s+|the\s+|these\s+|each\s+of\s+the\s+)?(?:two|three|four|five|six|[2-6]))\s*(?:个)?"
                      r"(?:国家|国|地|边|站|市场|countries|jurisdictions|markets|places|(?:open\s+|pending\s+|remaining\s+)?(?:filings|notifications))|"
                      r"\b(?:all|these|those)\s+(two|three|four|five|six)(?=\s*(?:[,.;:!?)\n]|$))|"  # "one firm … for all three."
                      r"\b(?:offices?|presence|teams?|firms?|lawyers?|counsel|coverage|operations?|subsidiaries|entities|plants?|sites?)\s+"
                      r"(?:in|across)\s+(both)(?=\s*(?:[,.;:!?)\n]|$))", re.I)  # not "a mandatory respondent in both" investigations  # "one firm with offices in both:" (not "cover both" issues)
_REMAINING_COUNT = re.compile(r"(?i:\b(?:the\s+)?(?:remaining|other|rest\s+of\s+the|all)\s+(two|three|four|five|six)\b)|其[他余](?:的)?([两三四五六])(?:个(?:国家|成员国)?|国)")
_EACH_ASKED = re.compile(r"(?i:\b(?:counsel|lawyers?|firms?|checked|reviewed|advice)\s+(?:in|for)\s+each(?:\s+(?:of\s+them|country|market|jurisdiction))?\b)|"
                         r"(?:各地|各国|每个国家|每个市场|每一个国家)(?:的)?(?:当地)?(?:律师|律所)")
# "… so we need counsel for the other three", "其余四个国家需要律师…": what is left of a list once some are spoken of
_REMAINING_OF_LIST = re.compile(r"(?i:\b(?:the\s+)?(?:remaining|other)\s+(two|three|four|five|six)"
                                r"(?=\s*(?:[.,;:!?)\n]|$)|\s+(?:[A-Z]{2,5}\s+)?(?:countries|markets|jurisdictions|places|states|subsidiaries|entities|"
                                r"member\s+states)\b))|(?:其[他余]|剩下|剩余)的?([两三四五六])(?:个)?(?:国家|成员国|国|市场|地区|地|站)")
_COUNT_WORDS = {"2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "both": 2, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


def _count_of(counted: re.Match[str]) -> int:
    """The number a count names ("三国", "all three", "the remaining five")."""
    return _COUNT_WORDS[next(g for g in counted.groups() if g).lower().split()[-1]]


_BOTH_AFTER = re.compile(r"^\s*(?:两边|两国|两地|两个国家|三国|三地|\s*(?:are\s+)?both\s+(?:need|require|have\s+to))", re.I)
# A place of the past ("之前在英国做海上风电用的律所", "Before we had project in Chile"): named, not where the work is.
_ZH_PAST_BEFORE = re.compile(r"(?:之前|以前|此前|上次|过去|早年|当年|前几年|前些年|参考[:：]|曾经|(?<!未)曾|以往|去年|前年)[^，。,；;]{0,12}?(?:是在|在|的|合作的|用的|找的|找)?\s*$")
_EN_PAST_AFTER = re.compile(r"^\s*[(（]\s*(?:handed\s+over|completed|finished|closed|sold|exited|delivered|commissioned)\b|"
                            # "same thing happened to our Jakarta app last year", "the Indian DGTR case in 2017"
                            r"^[^.;!?]{0,40}?\b(?:last\s+year|years?\s+ago|in\s+(?:19|20)\d\d)\b", re.I)
# "..., we're now bidding a PPP ... in Romania": the place the need turns to now
_EN_NOW_BEFORE = re.compile(r"\b(?:we\s+are|we're|and\s+are)\s+now\s+(?:bidding|tendering|building|planning|looking|moving|expanding|"
                            r"investing|setting\s+up|entering|launching|developing|working|opening)\b[^.;!?]{0,60}$", re.I)
_EN_PAST_BEFORE = re.compile(r"(?:^|[.;!?]\s*)(?:before(?!\s+(?:that|then|this|doing|filing|serving|signing)\b)|previously|in the past|last time|years ago)\b,?\s+[^.;,!?]{0,30}$|"
                             # "was debarred by the World Bank in 2018 for a project in Zambia"
                             r"\b(?:was|were|had\s+been)\s+[^.;!?]{0,40}\bin\s+(?:19|20)\d\d\s+(?:for|on|over)\s+(?:an?\s+|the\s+)?[\w-]+(?:\s+[\w-]+)?\s+(?:in|at)\s+$|"
                             # "The contract was negotiated with help of a Jordanian law firm": a firm of the past
                             r"\b(?:was|were|had\s+been)\s+(?:\w+\s+){0,3}?(?:with\s+(?:the\s+)?help\s+of|by|through)\s+(?:an?\s+|the\s+|our\s+)?$|"
                             # "I am sales manager in our JKT regional office": where the writer sits
                             r"\bI(?:'m|\s+am)\b[^.;,!?]{0,40}\b(?:in|at|from)\s+(?:our\s+|the\s+)$|"
                             r"\b(?:previous|former|old|last|ex-?)\s+(?:counsel|lawyers?|firm|law\s+firm|advis[eo]rs?)\s+"
                             r"(?:was|were|is|are)\s+(?:an?\s+|the\s+)?$", re.I)  # "Our previous counsel was a London firm"
# "negotiated with help of a Jordanian law firm in Amman": the firm of a past step, and its city
_EN_PAST_FIRM_BEFORE = re.compile(r"\b(?:was|were|had\s+been)\s+(?:\w+\s+){0,3}?(?:with\s+(?:the\s+)?help\s+of|by|through)\s+(?:an?\s+|the\s+|our\s+)?"
                                  r"(?:[\w-]+\s+){0,2}(?:(?:law\s+)?firm|counsel|lawyers?)\s+(?:based\s+)?in\s+$", re.I)
# "Last year we had similar case with Minsk buyer in Belarus and we won": a past matter's place
_EN_PAST_SENTENCE_BEFORE = re.compile(r"(?:^|[.;!?]\s+)(?:last\s+year|a\s+few\s+years\s+ago|some\s+years\s+ago|in\s+(?:19|20)\d\d)\b,?\s+"
                                      r"(?:we|our|the\s+(?:group|company))\b[^.;!?]{0,70}$", re.I | re.M)
# "EU对我们越南厂出口的e-bike发起了反规避调查": the authority that opened the investigation.
# ("欧亚经济委员会（EEC）Department for Internal Market Protection对我司出口的cold-rolled stainless steel发起了…review")
# "墨西哥经济部（SE/UPCI）发起的反倾销调查": the authority whose investigation it is
_ZH_OPENED_BY_AFTER = re.compile(r"^[^，。,；;]{0,20}?(?:发起|启动|立案)的[^，。,；;]{0,10}?(?:调查|审查|复审)")
_ZH_INVESTIGATES_AFTER = re.compile(r"^(?:的?[^，。,；;对]{0,8}|[\s（(]*[A-Za-z][\w\s()（）.&-]{0,60}?)?\s*(?:刚|已|已经)?对[^。；;!?]{0,45}?(?:发起|启动|立案|开展|开始)(?:了)?"
                                    r"[^。；;!?]{0,20}?(?:调查|审查|inquiry|investigation|review)", re.I)
# Latin and CJK script touching ("需要Philippine maritime lawyer尽快"): no word boundary between them for re.
_SCRIPT_SEAM = re.compile(r"(?<=[A-Za-z0-9.])(?=[\u3400-\u9fff])|(?<=[\u3400-\u9fff])(?=[A-Za-z0-9])")


@dataclass(frozen=True)
class Place:
    """One place the need names: a country or a bloc, its role, and the words it was read from."""

    code: str  # ISO 3166-1 alpha-2, or a bloc key of lexicons/blocs.json ("EU")
    role: str  # one of ROLE_ORDER
    evidence: str
    confidence: float
    start: int
    end: int
    kind: str = "country"  # country | bloc

    @property
    def members(self) -> tuple[str, ...]:
        return bloc_members(self.code) if self.kind == "bloc" else (self.code,)


def _sanctions_author(norm: str, start: int, end: int) -> str:
    """A sanctions regime asked about ("Does the EU's package bar ...?") is where counsel is needed;
    one cited in the story ("the bank delays payments citing EU and US sanctions") is law, which
    yields to the place of the work."""
    sentence = sentence_around(norm, start, end, with_stop=True)
    # ... as is one an opinion is asked under ("We need a sanctions opinion under OFAC and under the EU restrictive measures")
    return "forum" if _QUESTION.search(sentence) or _OPINION_UNDER.search(sentence) else "law"


def _role_en(norm: str, start: int, end: int, code: str = "") -> str:
    if _ZH_DATA_PLACE.search(norm[max(0, start - 30):start]):
        return "mention"  # "数据存在 AWS Frankfurt": where the data sits
    role = _role_en_words(norm, start, end, code)
    if role == "target" and code not in blocs() and re.match(r"\s?(?:[A-Za-z][\w&-]*\s?){1,2}(?:律师|律所)", norm[end:end + 30]) \
            and _ASKS.search(sentence_around(norm, start, end)):
        return "requested"  # "需要irish gdpr律师": the lawyer asked for, in mixed text
    if role == "target" and (is_cjk(norm[end:end + 2].strip()[:1]) or is_cjk(norm[max(0, start - 2):start].strip()[-1:])):
        return _role_zh(norm, start, end, code)  # "Marshall Islands注册的SPV": a Latin name in Chinese text
    return role


def _role_en_words(norm: str, start: int, end: int, code: str) -> str:
    before = _SCRIPT_SEAM.sub(" ", norm[max(0, start - 40):start])
    after = _SCRIPT_SEAM.sub(" ", norm[end:end + 50])
    if _EN_CURRENCY_AFTER.match(after):
        return "currency"
    if _EN_DATA_FLOW_BEFORE.search(before) and _EN_DATA_WORDS.search(sentence_around(norm, start, end)):
        return "mention"  # "a workable basis for the transfer to Singapore": where the data goes
    if re.search(r"\b(?:bid\s?co|acquisition\s+vehicle|SPV|hold\s?co|top\s?co|purchaser|acquirer|buyer|investing\s+entity|"
                 r"investment\s+vehicle)\s+(?:will\s+be|is|would\s+be|shall\s+be)\s+(?:our|a|the)\s+(?:\w+\s+)?$", before, re.I) \
            and re.match(r"^\s+(?:\w+\s+)?(?:subsidiary|entity|vehicle|company|holdco|affiliate|SPV)\b", after, re.I):
        return "registration"  # "Bidco will be our Singapore subsidiary": the vehicle's home, not the work's
    if re.search(r"\b(?:operated|run|managed)\s+(?:out\s+of|from)\s+$", before, re.I):
        return "registration"  # "our podcast app (operated out of Singapore)": where we run it from
    if re.search(r"\b(?:work|working|liaise|liaising|coordinate|coordinating|cooperate|cooperating)\s+(?:closely\s+)?(?:with|alongside)\s+"
                 r"(?:a|an|the|our|their|local)\s+$", before, re.I):
        return "mention"  # "counsel will have to work with a Polish accounting expert": someone beside the lawyer sought
    if re.search(r"\b(?:recruit\w*|hired|sourced)\b[^.;]{0,40}\b(?:in|from)\s+$", before, re.I):
        return "origin"  # "workers recruited through an agency in Yangon": where the people come from
    if _EN_PAST_BEFORE.search(before) or _EN_PAST_AFTER.match(after) or _EN_DATA_PLACE_BEFORE.search(before) \
            or _EN_PAST_SENTENCE_BEFORE.search(norm, max(0, start - 90), start) or _EN_PAST_FIRM_BEFORE.search(norm, max(0, start - 90), start):
        return "mention"
    if re.search(r"\b(?:the|our)\s+$", before, re.I) and re.match(r"^\s+(?:office|team|branch)\s+(?:is|are|has|will|was)\b", after, re.I):
        return "mention"  # "The London office is coordinating with the UK bookrunner": ours
    if code in _SANCTIONED_DESTINATIONS and re.search(r"\b(?:no|not|never)\s+(?:re-?export\w*\s+)?(?:to\s+)?$", before, re.I):
        return "sanctioned"  # "a 'No Russia' clause", "no re-export to Russia"
    if re.search(r"\bour\s+(?:own\s+|local\s+|existing\s+|usual\s+|regular\s+|current\s+|outside\s+)*$", before, re.I) \
            and re.match(r"^\s+(?:(?:office|team|partner)\s+)?(?:law\s+firm|firm|counsel|lawyers?|attorneys?|solicitors?|advisers?)\b", after, re.I):
        return "mention"  # "not something our local Budapest law firm can do": the lawyer we have
    if re.search(r"\b(?!our\b|my\b)\w+['’]s\s+$", before) and re.match(r"^\s+(?:solicitors|counsel|lawyers|attorneys|law\s+firm|legal\s+team)\b", after, re.I):
        return "mention"  # "The Club's London solicitors will advise the Member": another party's lawyers
    # "The lenders' counsel in London (cc'd)", "Our arbitration counsel in Singapore will only step in if…": a
    # lawyer someone has already, where that lawyer sits
    if re.search(r"(?:\b(?!our\b|my\b)\w+['’]s?|\bour(?!\s+own\b)(?:\s+[\w-]+){0,2}?)\s+(?:counsel|lawyers?|solicitors|attorneys|law\s+firm|legal\s+team|advisers?)"
                 r"\s+(?:in|from|based\s+in)\s+$", before, re.I) \
            and not re.search(r"\b(?:need|want|looking\s+for|hire|find|engage|appoint)\b[^.;]{0,16}$", before, re.I):
        return "mention"  # ... not the one sought ("we need our own lawyer in Vietnam")
    if re.search(r"\b(?:counsel|lawyers?|firms?|team)\s+(?:covering|to\s+cover|that\s+covers?|who\s+covers?|across)\s+(?:the\s+)?"
                 r"(?:whole|entire|all\s+of(?:\s+the)?)?\s*$", before, re.I):
        return "requested"  # "need counsel covering the whole EAEU to screen our distributors against OFAC lists"
    if re.match(r"^\s+(?:law\s+)?(?:firm|counsel|lawyers?)\s+(?:\(?cc['’]?d|copied|in\s+copy|on\s+copy)\b", after, re.I):
        return "mention"  # "the Lisbon firm cc'd in the chain only advises the bank"
    if re.match(r"^\s+(?:law\s+firm|firm|counsel|lawyers?)\s+(?:introduced?|recommended?|referred|suggested)\s+(?:us|him|them)\b", after, re.I):
        return "mention"  # "A Lisbon law firm introduce us but we need Angola local lawyer": who passed the need on
    if _EN_WRITER_BASED_BEFORE.search(norm, max(0, start - 100), start):
        return "mention"  # "I am in charge of MEA distribution, based in Cairo": where the writer sits
    if _EN_FIRMS_OFFERING_AFTER.match(after) or _EN_FIRMS_ALLOWED_AFTER.match(after):
        return "mention"  # "Some Kenyan firms have approached us", "Brazilian lawyers admitted in Angola are fine"
    if _EN_FOCUS_BEFORE.search(before) or _EN_NOW_BEFORE.search(norm[max(0, start - 80):start]):
        return "requested"  # "this time it's the Thai plant": the place the need says it is about
    if _EN_SANCTIONS_COUNSEL_AFTER.match(after) and (_ASKS.search(sentence := sentence_around(norm, start, end))
                                                     or _LIST_MARK.sub("", sentence.lstrip()).startswith(norm[start:end])):
        return "requested"  # "Need US sanctions counsel"
    # "US sanctions" are the US's, "Iran sanctions" are on Iran
    if code in SANCTIONING and _EN_SANCTIONS_AUTHOR_AFTER.match(after):
        return _sanctions_author(norm, start, end)
    if code not in SANCTIONING and _EN_SANCTIONED_AFTER.match(after):
        return "sanctioned"
    if _EN_SANCTIONED_BEFORE.search(before):
        return "sanctioned"
    if _EN_REG_AFTER.match(after) or _EN_REG_BEFORE.search(before) or _EN_VEHICLE_AFTER.match(after):
        return "registration"
    if _EN_SEAT_BEFORE.search(before):
        return "seat"  # "seat São Paulo, Brazilian law": the seat, whatever law follows
    if _EN_LAW_AFTER.match(after) or _EN_LAW_BEFORE.search(before) or _EN_LAW_COORDINATED_AFTER.match(after) \
            or _EN_PRECEDENT_AFTER.match(after):
        return "law"
    if _EN_TRANSIT_BEFORE.search(before) or _EN_THIRD_COUNTRY_BEFORE.search(before):
        return "transit"
    if _EN_LOADED_BEFORE.search(before) or _EN_PEOPLE_FROM_BEFORE.search(norm[max(0, start - 80):start]):
        return "origin"
    if re.search(r"\b(?:maker|builder|manufacturer|company|firm|group|supplier|customer|client|buyer|seller|investor|"
                 r"brand|family\s+business|Mittelstand\s+\w+)\s+(?:from|based\s+in|headquartered\s+in|out\s+of)\s+$", before, re.I):
        return "origin"  # "a Mittelstand machine builder from Stuttgart": a party's home
    if _EN_THEIRS_BEFORE.search(norm[max(0, start - 60):start]):
        return "origin"  # "the investor's legal team in Nagoya"
    if _EN_OUR_PEOPLE_IN_BEFORE.search(norm[max(0, start - 60):start]):
        return "mention"  # "our regional finance team in Texas": where our people sit
    if (_EN_REQUEST_AFTER.match(after) or _EN_REQUEST_BEFORE.search(before)) and (
            _ASKS.search(sentence := sentence_around(norm, start, end))
            or _LIST_MARK.sub("", sentence.lstrip()).startswith(norm[start:end])):
        return "requested"  # "Phnom Penh lawyer I guess.": a sentence that only names the lawyer asks for one
    if _EN_SEAT_BEFORE.search(before) or _EN_SEAT_AFTER.match(after):
        return "seat"
    if _EN_FORUM_AFTER.match(after) or _EN_FORUM_BEFORE.search(before) \
            or (_EN_EXPORT_TO_BEFORE.search(before) and _REMEDY_WORDS.search(norm)):
        return "forum"
    if _EN_SELF.search(before):
        return "origin"
    if _EN_SET_UP_AFTER.match(after):
        return "target"  # "UAE company setup": a company to be formed there
    if _EN_ORIGIN_AFTER.match(after):
        return "origin"
    return "target"


_ITEM_HEAD_BEFORE = re.compile(r"(?:^|\n)[ \t]*(?:\d{1,2}[.、．)]|[(（]\d{1,2}[)）]|[一二三四五六七八九十]{1,2}[、.．]|[-*•·])[ \t]*$")


def _role_zh(norm: str, start: int, end: int, code: str) -> str:
    before, after = norm[max(0, start - 30):start], norm[end:end + 30]
    if re.match(r"^区(?:域)?[^，。,；;的]{0,4}?(?:销售|总部|负责人|团队|同事|经理|业务|总监|主管|总裁|总经理)", after):
        return "mention"  # "转发欧洲区销售Anna的邮件": our own region's staff
    if re.match(r"^\s?的?\s?(?:Inc\.?|LLC|Ltd\.?|Limited|GmbH|B\.V\.|S\.A\.|Pte\.?\s?Ltd|Corp\.?)(?![A-Za-z])", after):
        return "registration"  # "签约主体是 Delaware 的 Inc."
    if _ZH_KNOWS_BEFORE.search(before) and re.match(r"^\s?的(?:律师|律所)", after):
        return "requested"  # "找懂 EU 的律师"
    if re.match(r"^的?(?:律所|律师)(?:做|办|处理|代理)的", after):
        return "mention"  # "日本之前那个案子是东京的律所做的": the lawyer of a past matter
    if re.search(r"(?:传回|传到|传输到|传至|传往|回传到?|存储在|存放在|存在|托管在|放在|部署在)$", before) \
            and re.match(r"^\s?的?\s?(?:服务器|云|数据中心|机房|(?i:aws|server))", after):
        return "mention"  # "能不能跨境传回新加坡的服务器": where the data goes
    if re.search(r"(?:推荐的|介绍的|之前的|上次的?|以前的)(?:那家|那个|那位)$", before) and re.match(r"^\s?的?(?:律师|律所)", after):
        return "mention"  # "您推荐的那家土耳其律所把我们海关那个案子办得很漂亮": a firm of a past matter
    if re.search(r"(?:当初|原来|之前|本来|原本)(?:是)?(?:给|为|替)$", before) and re.match(r"^\s?的?(?:律师|律所)", after):
        return "mention"  # "西语要求取消，那是当初给墨西哥律师准备的": a lawyer of the plan given up
    if re.search(r"(?:常住|定居|住在|居住在|家在)$", before):
        return "origin"  # "哈萨克斯坦人，常住阿拉木图": where a person lives
    if re.match(r"^\s?(?:[和及与、]\s?[^，。,；;、和及与]{1,8}?)?的?(?:双边)?(?:税收协定|避免双重征税协定|投资(?:保护)?协定|BIT|DTA|DTT|自贸协定|FTA)", after):
        return "law"  # "新加坡和格鲁吉亚的税收协定能不能用上": a treaty's party, not where the work is
    if re.search(r"(?:抄送|cc|CC)(?:了|给)?的?\s?$", before) and re.match(r"^\s?的?(?:律所|律师)", after):
        return "mention"  # "抄送的美国律所只是集团常年顾问": a lawyer copied in, not the one sought
    if re.search(r"(?:我们|我司|我方|集团|公司)(?:在|位于)?$", before) and re.match(r"^的?(?:律所|律师)", after):
        return "mention"  # "SPA 由我们在伦敦的律所牵头": our own lawyer there
    if _ITEM_HEAD_BEFORE.search(norm, max(0, start - 12), start) and re.match(r"^\s?的?(?:当地|本地)?(?:律师|律所)\s*[：:]", after):
        return "requested"  # "需要两部分：\n1. 新加坡律师：permit 问题…": an item headed by the lawyer it asks for
    if re.search(r"(?:律师|律所)[^。；;]{0,16}?最好(?:是|人)?(?:就)?在$", before):
        return "requested"  # "需要熟悉多边开发银行制裁程序的律师，最好在华盛顿": where the lawyer is asked to be
    if _ZH_HAD_COUNSEL_AFTER.match(after):
        return "mention"  # "德国那边之前找过律师了": a lawyer there before, for a past matter
    if re.search(r"(?:配合|协同|会同)$", before) and re.match(r"^的?(?:当地|本地)?(?:律师|律所)", after):
        return "mention"  # "需要的时候可以配合越南律师出专家意见": the lawyer sought works beside that one
    if re.search(r"(?:不需要|不用|无需|不必)$", before) and _ZH_LAWYER_JOINS_AFTER.match(after):
        return "mention"  # "不需要罗马尼亚律师参与": none for that workstream
    if _ZH_CAME_FROM_AFTER.match(after):
        return "origin"  # "外劳主要是孟加拉和尼泊尔来的"
    if code in _SANCTIONED_DESTINATIONS and re.search(r"(?:流向|转到了?|转运到|转口到|再出口到|转卖到|卖到了)$", before):
        return "sanctioned"  # "他们怀疑我们的液压件经Kyrgyzstan转到了俄罗斯"
    if re.match(r"^的?(?:一家|一个)?(?:竞争对手|对手|同行|公司|企业|厂商)(?=在|向|于|对|把)|"
                r"^(?:一家|一个|某家)[^，。,；;]{0,8}?(?:集团|公司|企业|基金|财团|投资人|投资者)(?=拟|想|要|准备|计划|打算|出口|进口|采购|购买)", after):
        return "origin"  # "一家德国竞争对手在日本特许厅提起无效审判": a party of that nationality acting elsewhere
    if _ZH_DATA_PLACE.search(before):
        return "mention"  # "伺服器在杭州"
    past_list = _ZH_REST_OF_LIST.sub("", after)  # "法国和德国的主机厂": the noun after the list is each one's
    if _ZH_FOCUS_BEFORE.search(before) and not _ZH_PEOPLE_AFTER.match(past_list) and not _ZH_MADE_THERE_AFTER.match(after) \
            and not re.match(r"^(?:[和及与、][^，。,；;和及与、的]{1,6}?)*的?(?:品牌|客户|买家|车企|主机厂)", after) \
            and not re.match(r"^(?:[和及与、][^，。,；;]{1,8}?)?(?:籍|人(?![民口])|工人|劳工|员工)", after):  # "主要是巴基斯坦和印度籍"
        return "requested"  # "这次是泰国工厂的纠纷", "主要是新加坡法律尽调": the place the need says it is about
    if _ZH_ACQUIRED_BEFORE.search(before) and _ZH_COMPANY_AFTER.match(after):
        return "target"  # "收购一家新加坡公司": where the company bought is, not a counterparty's nationality
    if re.match(r"^[^，。,；;]{0,8}?(?:的)?(?:一家|某家)[^，。,；;]{0,10}?(?:企业|公司|集团|厂商)(?:[（(][^）)]{0,30}[）)])?(?:拟|想|要|准备|计划|打算)",
                norm[end:end + 70]):
        return "origin"  # "德国巴登-符腾堡州一家家族精密机械企业（…）拟在常州设立外商独资企业": the investor's home
    if re.search(r"(?:一家|一个|某家|这家|那家)$", before) and re.match(r"^的?[^，。,；;]{0,12}?(?:企业|公司|集团|厂商|品牌|家族企业)", after):
        return "origin"  # "老客户（一家巴伐利亚的汽车零部件家族企业）": a party's nationality
    if _ZH_VEHICLE_AFTER.match(after) or (_ZH_VEHICLE_BEFORE.search(before) and not after.startswith("还是")) \
            or _ZH_ONLY_A_VEHICLE_AFTER.match(after):
        return "registration"
    if registered_there(norm, start, end) or (_ZH_REG_BEFORE.search(before) and _ZH_REG_AFTER_AT.match(after)
                                              and not re.search(r"(?:准备|计划|拟|想|打算|申请|筹备|争取)[^，。,；;]{0,6}在$", before)):
        return "registration"
    if re.search(r"(?:注册在|注册于|注册地(?:为|在|是)?)$", before):
        return "registration"
    if _ZH_KNOWS_BEFORE.search(before) and _ZH_LAW_LAWYER_AFTER.match(after):
        return "requested"  # "需熟悉阿曼法律的律师"
    if _ZH_THROUGH_BEFORE.search(before) and _ZH_OUR_ENTITY_AFTER.match(after):
        return "registration"  # "通过其设在迪拜的中东区域子公司参与阿曼的项目"
    law = _ZH_LAW_AFTER.match(after)
    lawyer_of_place = bool(_ZH_LAWYER_NAMED_AFTER.match(after))  # "马来西亚律师出个法律意见书", "美国律师就出口管制…"
    if re.match(r"^的?(?:制裁|出口管制)(?:合规)?的?(?:律师|律所)", after) and _ASKS.search(sentence_around(norm, start, end)):
        return "requested"  # "1）找美国制裁律师，评估申请除名": a sanctions lawyer of that country asked for
    if law and not lawyer_of_place and (not law.group(1) or law.group(1)[-1] not in _ZH_LAW_NOT):
        return "law"
    if _ZH_SANCTIONED_BEFORE.search(before) or (before.endswith("对") and _ZH_SANCTIONED_BETWEEN.match(after)):
        return "sanctioned"
    if _ZH_SANCTIONS_ON.match(after):
        return _sanctions_author(norm, start, end)  # "美国制裁伊朗，我们还能卖吗"
    if _ZH_SANCTIONS_AFTER.match(after) and not lawyer_of_place:
        return "law"
    if _ZH_TRANSIT_BEFORE.search(before) or _ZH_TRANSIT_AFTER.match(after):
        return "transit"
    if _ZH_LOADED.match(after) or (re.search(r"从[^，。,；;\s]{0,8}$", before) and _ZH_IMPORTED_FROM_AFTER.match(after)):
        return "origin"  # "从桑托斯装船": the port of loading
    if re.search(r"(?:悬挂|挂着?)$", before) and _ZH_FLAG_AFTER.match(after):
        return "registration"
    if re.search(r"推荐(?:过|了)(?:一家|一个)?$|(?:我们|我司|我方)(?:之前|以前|现在|一直)?(?:用的|用过的|找的|请的|合作的)$|对方[^，。,；;]{0,4}?(?:请|聘请|找|委托|用)的(?:是)?(?:一家|一个)?$|(?:找了|请了|聘了|用过|找过|请过)(?:一?个|一家|家)?$", before):
        return "mention"  # "对方请的是一家伦敦律所的迪拜办公室": the other side's lawyer
    if _ZH_PAST_BEFORE.search(before) and _ZH_REQUEST_AFTER.match(after):
        return "mention"  # "前几年做马德里注册是找德国一个律所办的": the lawyer of the past
    if _ZH_REQUEST_AFTER.match(after) and _ASKS.search(sentence_around(norm, start, end)) \
            and not _ZH_ALLOWED_AFTER.match(after):  # "莫斯科的律所也可以": a lawyer there allowed, not asked for
        return "requested"
    if re.search(r"在$", before) and re.match(r"^[^，。,；;]{0,8}?执业", after) and _ASKS.search(sentence_around(norm, start, end)):
        return "requested"  # "拟聘请在瑞典斯德哥尔摩执业、具备能源争议经验的仲裁律师"
    if _ZH_SEAT_AFTER.match(after) or re.search(r"仲裁地(?:为|是|在|：|:)?\s*$", before):  # "仲裁地新加坡"
        return "seat"
    if _ZH_FORUM_AFTER.match(after) or _ZH_REMEDY_AFTER.match(after) or _ZH_CASE_BEFORE.search(before) \
            or (before.endswith("在") and _ZH_SUED_AFTER.match(after)) \
            or (_ZH_EXPORT_TO_BEFORE.search(before) and _REMEDY_WORDS.search(norm)):
        return "forum"
    if _ZH_SELF.search(before) and not re.search(r"在[^，。,；;]*$", before):
        return "origin"
    if _ZH_INVESTIGATES_AFTER.match(norm[end:end + 120]) or _ZH_OPENED_BY_AFTER.match(after):
        return "forum"
    if _ZH_ORIGIN_AFTER.match(after) and not re.search(r"(?:在|于|到|去|赴)$", before):
        return "origin"  # 越南工人, 西班牙公司; but 在哈萨克斯坦总包 is where the work is
    if re.match(r"^[和及与、][^，。,；;]{1,8}?籍", after):
        return "origin"  # "巴基斯坦和印度籍"
    if re.search(r"(?:是|为|系)(?:一家|一个)?$", before) and _ZH_WHOSE_AFTER.match(after):
        return "origin"  # "业主那边是沙特的公司"
    if _ZH_MADE_THERE_AFTER.match(after):
        return "origin"  # "出口的货主要是泰国罗勇工厂生产的": where the goods are made
    if re.search(r"(?:客户|买家|买方|经销商|供应商|合作方|对接团队|团队|对接人|总部|[泰日韩美德法英俄越印]方[^，。,；;]{0,4})(?:主要|大多|都)?(?:在|位于)"
                 r"(?:[^，。,；;\s]{1,20}?(?:和|、|及|与))?$", before):
        return "origin"  # "我们最大的客户在俄罗斯叶卡捷琳堡": where a party sits
    if _ZH_PEOPLE_AFTER.match(past_list) and not past_list.lstrip("的").startswith("业主") and not re.search(r"(?:在|于|到|去|赴)$", before):
        return "origin"  # "引进一个马来西亚的股东", "越南的工人"
    if _ZH_PAST_BEFORE.search(before) or _ZH_DONE_BEFORE_AFTER.match(after):
        return "mention"
    if _ZH_EXPORTED_TO_BEFORE.search(before) and (ZH_SETS_UP.search(norm) or _ZH_OUR_PROJECT.search(norm)) \
            and not _ZH_TROUBLE.search(sentence_around(norm, start, end)):
        return "mention"  # "在亚松森设组装厂，组装完出口巴西和阿根廷": the market, not where the work is
    return "target"


_LAWYER_TERM = re.compile(r"(?:counsel|lawyers?|solicitors?|barristers?|律师)$", re.I)
# "工厂在波兰弗罗茨瓦夫，…要在当地起诉他", "项目在安哥拉罗安达，需要当地律师": "当地" is the place just named
_ZH_LOCAL_ASKED = re.compile(r"(?:在)?当地(?:的)?(?:律师|律所)|在当地(?:法院)?(?:起诉|提起诉讼|打官司|应诉|申请执行|执行)")
_LOCAL_REACH = 80
_ZH_LOCAL_NOT_ASKED_BEFORE = re.compile(r"另|不|无需|已|没|之前|以前|上次")
_ZH_LOCAL_SPEAKS_AFTER = re.compile(r"^(?:也|都|还)?(?:说|表示|认为|告诉|建议|讲|反馈|回复)")


def _local_refers_back(norm: str, places: list[Place]) -> list[Place]:
    if "当地" not in norm:
        return places
    upgraded: dict[int, str] = {}
    for m in _ZH_LOCAL_ASKED.finditer(norm):
        if _ZH_LOCAL_NOT_ASKED_BEFORE.search(norm[max(0, m.start() - 8):m.start()]) \
                or _ZH_LOCAL_SPEAKS_AFTER.match(norm[m.end():m.end() + 6]) or not _ASKS.search(sentence_around(norm, m.start(), m.end())):
            continue  # "葡萄牙部分我们另请当地律师", "当地律师也说希望渺茫"
        before = [p for p in places if p.end <= m.start() and m.start() - p.end <= _LOCAL_REACH and p.kind == "country"]
        if before:
            last = max(before, key=lambda p: p.end)
            if last.role == "target" and not re.search(r"[。！？!?；;\n]", norm[last.end:m.start()]):
                upgraded[id(last)] = "requested" if m.group(0).endswith(("律师", "律所")) else "forum"
    return [replace(p, role=upgraded[id(p)]) if id(p) in upgraded else p for p in places]


_TIGHT_LIST = re.compile(r"^\s*(?:和|及|与|、|/|&|and|以及|或|或者|or)?\s*$", re.I)


# A line keyed by its places ("- 德国：门槛没到，不用报；", "- Chile (Atacama, 180 MWp): COD reached, nothing
# needed."): what the line says of them, when it sets them aside and asks nothing
_ITEM_MARK = r"(?:[-*•·]|\d{1,2}[.)、]|[(（]?[一二三四五六七八九十]{1,2}[)）、.]|[(（]\d{1,2}[)）]|WS\s?\d{1,2}|包[一二三四五六七八九十])"
_KEYED_LINE = re.compile(rf"^[ \t>]*{_ITEM_MARK}?[ \t]*(?P<key>[^:：\n]{{1,40}}?)[ \t]*(?P<sep>[:：])(?P<rest>[^\n]*)$|"
                         # a dash only after an item's mark: "2. Malaysia subsidiary（Johor工厂）legal DD —— 需聘请", not "塞内加尔捷斯—图巴高速公路"
                         rf"^[ \t>]*{_ITEM_MARK}[ \t]*(?P<dkey>[^:：\n|—–]{{1,80}}?)[ \t]*(?:——|—|–|--)(?P<drest>[^\n]*)$|"
                         # a table's row keyed by its first cell ("| 吉尔吉斯斯坦 | 前期可研 | 暂缓 |")
                         r"^[ \t]*\|[ \t]*(?P<cell>[^|\n]{1,40}?)[ \t]*\|(?P<row>[^\n]*)$", re.M)
_KEY_ASIDE = re.compile(r"不用报|不需要(?:申报|律师|处理|找)?|无需|不用(?:管|找|处理)?|不触发|未触发|没触发|门槛没到|未达门槛|不涉及|不申报|不适用|已聘|"
                        r"已(?:经)?(?:完成|搞定|办完|处理好|结案)|(?:律师|律所)[^，。,；;]{0,6}?(?:已经|已)(?:在|请|找|准备|委托)|暂不|暂缓|先不|"
                        r"(?:以后|明年|之后|后面)再说|"
                        r"\bnothing\s+(?:needed|to\s+do)\b|\bnot\s+(?:needed|required|triggered|in\s+scope)\b|\bno\s+(?:action|filing|counsel|need)\b|"
                        r"\b(?:done|completed|closed|settled)\b|\balready\s+(?:handled|covered|done|with)\b|\bhandled\s+by\b|"
                        r"\b(?:maybe\s+)?(?:next\s+year|later)\b|\bon\s+hold\b", re.I)
_KEY_ASKS = re.compile(r"(?<![不无])(?:需要|需|须|要找|请找|急)|\b(?:need|needs|needed|required|must|urgent(?:ly)?|now)\b", re.I)
MAX_KEYED_LINES = 40
_LAWYER_WORDS_ANY = re.compile(r"律师|律所|\b(?:counsel|lawyers?|firms?|attorneys?)\b", re.I)


# ... and the lines that ask for work there ("- Tanzania FCC：达到门槛，要报", "- Mozambique ARC：也要报"): asked for
_KEY_FILES = re.compile(r"(?<![不无])(?:要报|要申报|需申报|需要申报|需报|得报|必须报|达到门槛|需要律师|要找律师|需聘请|需要聘请|需委托)|"
                        r"\b(?:filing\s+(?:is\s+)?required|must\s+file|need\s+to\s+file|threshold\s+(?:is\s+)?met|"
                        r"need\s+(?:a\s+)?(?:[\w-]+\s+){0,2}(?:counsel|lawyers?|advisers?))\b", re.I)


def _keyed_lines_set_aside(norm: str, places: list[Place]) -> list[Place]:
    asked: list[tuple[int, int]] = []
    aside: list[tuple[int, int]] = []
    for line in islice(_KEYED_LINE.finditer(norm), MAX_KEYED_LINES):
        group = "cell" if line.group("cell") is not None else "dkey" if line.group("dkey") is not None else "key"
        key = line.group(group)
        a, b = line.start(group), line.end(group)
        # a table's first cell, or a workstream's heading before its dash, keys a longer line
        colon = group == "key"
        longest = 4 if colon else 40
        inside = [p for p in places if a <= p.start and p.end <= b]
        if not inside:
            continue
        rest_of_key = key
        for p in sorted(inside, key=lambda p: -p.start):
            rest_of_key = rest_of_key[:p.start - a] + rest_of_key[p.end - a:]
        if len(re.sub(r"[(（][^)）]*[)）]|[\s、,，和及与/&]|\band\b", "", rest_of_key)) > longest \
                or (colon and _ASKS.search(rest_of_key)) or _LAWYER_WORDS_ANY.search(rest_of_key):
            continue  # a sentence that holds a colon ("需要澳洲律师：proof of debt…"), not a line keyed by its places
        rest = line.group({"cell": "row", "dkey": "drest", "key": "rest"}[group])
        if group == "dkey":  # a workstream's status is its first sentence, not the story told after it
            rest = re.split(r"[。；;!?！？]|\.\s", rest, maxsplit=1)[0]
            # ... nor what its brackets tell of the past ("…our acquisition of PT X (closed in March, filing late)")
            rest = re.sub(r"[(（][^()（）]*[)）]", " ", rest)
        if _KEY_ASIDE.search(rest) and not _KEY_ASKS.search(_KEY_ASIDE.sub(" ", rest)):
            aside.append((a, b))
            # ... and the key's country named again on its line ("3. Cayman holdco —— 已完成，Cayman counsel已出具opinion")
            keyed_codes = {p.code for p in inside}
            aside += [(p.start, p.end) for p in places if b <= p.start < line.end() and p.code in keyed_codes]
        elif _KEY_FILES.search(rest) and not _KEY_ASIDE.search(rest):
            asked.append((a, b))
    if not aside and not asked:
        return places

    def keyed(p: Place, lines: list[tuple[int, int]]) -> bool:
        return any(a <= p.start and p.end <= b for a, b in lines)

    return [replace(p, role="excluded") if keyed(p, aside)
            else replace(p, role="requested") if keyed(p, asked) and p.role in ("target", "forum", "mention") else p
            for p in places]


def _tight_runs(norm: str, places: list[Place], separated: bool = False) -> list[list[Place]]:
    """The places in order, grouped into the lists they are written in (joined by nothing but a
    conjunction or a mark; with ``separated``, not written back to back)."""
    runs: list[list[Place]] = []
    for p in sorted(places, key=lambda p: p.start):
        gap = norm[runs[-1][-1].end:p.start] if runs else ""
        if runs and runs[-1][-1].end <= p.start and _TIGHT_LIST.match(gap) and (gap.strip() or not separated):
            runs[-1].append(p)
        else:
            runs.append([p])
    return runs


def _lists_share_origin(norm: str, places: list[Place]) -> list[Place]:
    """"东南亚、中东、拉美都有经销商", "越南、泰国的工人": the people after a list are each place's."""
    runs = _tight_runs(norm, places, separated=True)  # not "越南胡志明的经销商": a country and its city
    shared = {id(p) for run in runs if len(run) > 1 and run[-1].role == "origin" and is_cjk(run[-1].evidence)
              and _ZH_PEOPLE_AFTER.match(norm[run[-1].end:run[-1].end + 30]) for p in run[:-1] if p.role == "target"}
    return [replace(p, role="origin") if id(p) in shared else p for p in places]


def _lists_set_aside(norm: str, places: list[Place]) -> list[Place]:
    """A list set aside as a whole ("柬埔寨缅甸不考虑了", "Cambodia and Myanmar are out of scope"): each of its places."""
    runs = _tight_runs(norm, places)
    aside = {id(p) for run in runs if len(run) > 1 and any(p.role != "excluded" for p in run)
             and set_aside(norm, run[0].start, run[-1].end) for p in run}
    return [replace(p, role="excluded") if id(p) in aside else p for p in places]


# A mail's sign-off and what follows it (name, title, company, office address), a postal address,
# a header of a quoted mail: where the writer sits, not where the work is ("Rgds / … Tashkent
# Representative Office / Amir Temur Ave 107B, Tashkent").
_SIGN_OFF = re.compile(r"^[ \t>]*(?:(?:best|kind|warm)(?:est)?\s+regards|regards|rgds|br|brgds|thanks(?:\s+(?:and|&)\s+regards)?|"
                       r"thank\s+you|many\s+thanks|cheers|sincerely|yours(?:\s+(?:sincerely|faithfully|truly))?|best|"
                       r"此致|此致敬礼|敬礼|谢谢|多谢|顺祝商祺|顺颂商祺|祝好|顺祝|谨上|敬上)\s*[,.!！，。]?[ \t]*$", re.I | re.M)
_LIVE_ROLES = ("requested", "forum", "target")
# capitalised words, one space or tab apart (no two ways to split a word: no backtracking blow-up)
_CAPS = r"[A-Z0-9][\w\u00C0-\u024F'.&-]*(?:[ \t]+[A-Z0-9][\w\u00C0-\u024F'.&-]*)*"
_ADDRESS_LINE = re.compile(r"(?:\b\d+[A-Z]?,?\s+(?:[A-Z][\w'.-]*\s+){1,4}(?:Street|St|Road|Rd|Avenue|Ave|Boulevard|Blvd|"
                           r"Square|Lane|Way|Drive|Place|Plaza|Quay|Wharf|Parkway|Highway)\b|"
                           r"\b(?:Street|St|Road|Rd|Avenue|Ave|Blvd|Boulevard|Str|Ulitsa|Jalan|Jl|Calle|Rua|Av)\.?\s+[\w' .-]{0,30}?\d+[A-Z]?\b|"
                           r"\b(?:Tel|Phone|Mobile|Mob|Fax|E-?mail|Email)\s*[:.]|[\u4e00-\u9fff]{1,12}(?:路|街|大道|道)\d+号|"
                           r"(?:电话|手机|传真|邮箱|地址)\s*[:：]|\bP\.?\s?O\.?\s+Box\b|\bSuite\s+\d+|\b\d+(?:st|nd|rd|th)\s+Floor\b|"
                           r"\b(?:Level|Floor|Office|Unit|Room|Rm|Flat)\s+\d+[A-Z]?\s*,|"  # "Level 20, Menara Hap Seng"
                           r"\b[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|str\.|allee|weg|platz|gasse|damm|laan|gracht|straat|vej|gatan|katu|utca)\s+\d+|"
                           # "40212 Düsseldorf, Deutschland", "Tashkent 100000, Uzbekistan" closing a line
                           r"(?m:\b\d{4,6}\s+[A-ZÄÖÜ][\w\u00C0-\u024F'-]+(?:\s+[A-Z][\w\u00C0-\u024F'-]+)?(?:,\s*[A-Z][\w\u00C0-\u024F' -]{1,30})?[ \t]*$|"
                           r"\b[A-Z][\w\u00C0-\u024F'-]+\s+\d{5,6},\s*[A-Z][\w\u00C0-\u024F' -]{1,30}[ \t]*$|"
                           # a line of capitalised, comma-separated parts with a building or street word in it:
                           # "Westlands Business Park, Waiyaki Way, Nairobi, Kenya"
                           r"^(?=[^\n]*\b(?:Park|Way|Tower|Building|Plaza|Centre|Center|Estate|Complex|House|Mall|Square|Road|Street|Avenue)\b)"
                           rf"[ \t>]*{_CAPS}(?:,[ \t]*{_CAPS}){{2,}}[ \t]*$))")
# an address runs from its line's start (or the sentence before) to the line's end (or the next sentence)
_ADDRESS_START = re.compile(r"(?:^|[\n。！？!?]|\.\s)[^\n。！？!?]*\Z")  # \Z: not before the line's own newline
_ADDRESS_END = re.compile(r"\n|。|\.\s+(?=[A-Z][a-z])|$")
_SIGNATURE_LINES = 6


@lru_cache(maxsize=4096)
def _writers_lines(norm: str) -> tuple[tuple[int, int], ...]:
    """Spans of the text that say where the writer sits: a sign-off and the lines under it, up to a
    blank line or a quoted mail's header; an address or contact line; a quoted mail's header line."""
    spans: list[tuple[int, int]] = []
    for m in _SIGN_OFF.finditer(norm):
        end = m.end()
        for _ in range(_SIGNATURE_LINES):
            nxt = norm.find("\n", end + 1)
            line = norm[end + 1:nxt if nxt >= 0 else len(norm)]
            if not line.strip() or _MAIL_HEADER.match(line) or len(line) > 120:
                break
            end = nxt if nxt >= 0 else len(norm)
            if nxt < 0:
                break
        spans.append((m.start(), end))
    spans += [(m.start(), m.end()) for m in _MAIL_HEADER.finditer(norm)]
    for m in _ADDRESS_LINE.finditer(norm):
        opening = _ADDRESS_START.search(norm, max(0, m.start() - 200), m.start())
        closing = _ADDRESS_END.search(norm, m.end())
        spans.append((opening.start() if opening else m.start(), closing.start() if closing else len(norm)))
    return tuple(spans)


def _term_role(kind: str, contextual: str) -> str:
    """Role of a bloc, institution, authority or statute: its kind, unless the words around say more."""
    if kind == "law":
        return "law"
    if kind == "seat":
        return contextual if contextual in ("requested", "law") else "seat"
    if kind in ("institution", "authority"):
        return contextual if contextual in ("requested", "seat", "mention") else "forum"  # "2018年我司曾参与印度DGTR…"
    return contextual  # a bloc's name reads like a country's


_DATA_TRANSFER = re.compile(r"module|clauses?|条款|模板|\bDPA\b|GDPR|KVKK|PDPA|LGPD|transfers?\b|传输|出境|跨境|数据|data\s+protection", re.I)
# an acronym several countries' offices share ("INPI": Brazil's, Argentina's, France's, Portugal's) names the one the text names
_SHARED_ACRONYMS = {"INPI": ("BR", "AR", "FR", "PT")}
# a need names a handful of places; a hostile text naming hundreds costs no more than this many
MAX_PLACE_MENTIONS = 120


@lru_cache(maxsize=4096)
def read_places(text: str) -> tuple[Place, ...]:
    """Every place the need names, in the order written, each with its role (see the module docstring)."""
    norm = text.translate(NORMALISE)
    places: list[Place] = []
    world = place_mentions(text, world=True)[:MAX_PLACE_MENTIONS]
    # "a South African lawyer": the longer name is the place, not the bloc inside it
    terms = [t for t in term_mentions(text)[:MAX_PLACE_MENTIONS]
             if not any(m.start <= t.start and t.end <= m.end and m.end - m.start > t.end - t.start for m in world)]
    taken = [(t.start, t.end) for t in terms]
    for t in terms:
        span = text[t.start:t.end]
        contextual = _role_zh(norm, t.start, t.end, t.term.code) if is_cjk(span) else _role_en(norm, t.start, t.end, t.term.code)
        if t.term.kind in ("institution", "authority") and (_ZH_PAST_BEFORE.search(norm[max(0, t.start - 20):t.start])
                                                            or _EN_PAST_SENTENCE_BEFORE.search(norm, max(0, t.start - 90), t.start)
                                                            or _EN_PAST_AFTER.match(norm[t.end:t.end + 50])
                                                            or re.search(r"\b(?:last\s+year|years?\s+ago|in\s+(?:19|20)\d\d)\s+(?:with|by|before|at)\s+(?:the\s+)?$",
                                                                         norm[max(0, t.start - 40):t.start])):
            contextual = "mention"  # "2018年我司曾参与印度DGTR的调查": an authority of a past matter
        role = _term_role(t.term.kind, contextual)
        if _LAWYER_TERM.search(span) and role == "forum" and _ASKS.search(sentence_around(norm, t.start, t.end)):
            role = "requested"  # "(1) English counsel to run the LCIA case": the lawyer asked for
        if _EN_PRECEDENT_AFTER.match(norm[t.end:t.end + 40]):
            role = "law"  # "with reference to the CJEU Kolin judgment": its case law, not the forum
        if span.upper() == "SCC" and _DATA_TRANSFER.search(sentence_around(norm, t.start, t.end)):
            continue  # "SCC module 2/3", "2024 修法后的 SCC": standard contractual clauses, not the Stockholm chamber
        if norm[t.start - 1:t.start] == "(" and any(m.code != t.term.code and t.start - 16 <= m.end < t.start for m in world):
            continue  # "特多税务局（BIR）": the acronym glosses an authority of the place just named
        kind = "bloc" if t.term.code in blocs() else "country"
        if set_aside(norm, t.start, t.end):  # "跟OFAC那种制裁不是一回事"
            role = "excluded"
        places.append(Place(t.term.code, role, span, t.term.confidence, t.start, t.end, kind))
    for m in world:
        if any(s < m.end and m.start < e for s, e in taken):
            continue  # "新加坡国际仲裁中心" is the seat, read above
        span = text[m.start:m.end]
        if m.negated:
            role = "excluded"
        elif m.kind == "currency":
            role = "currency"  # "4.5 million cedis"
        else:
            role = _role_zh(norm, m.start, m.end, m.code) if is_cjk(span) else _role_en(norm, m.start, m.end, m.code)
        places.append(Place(m.code, role, span, m.confidence, m.start, m.end))
    places += _ambiguous_codes(norm, places)
    places = _georgia_the_state(places)
    places = _form_country_corrected(norm, places)
    places = _plan_changed(norm, places)
    places = _place_corrected(norm, places)
    places = _indian_bis(places)
    places = _shared_acronym(places)
    places = _lists_set_aside(norm, places)
    places = _lists_share_origin(norm, places)
    if "\n" in norm:
        places = _keyed_lines_set_aside(norm, places)
    places = _local_refers_back(norm, places)
    if "\n" in norm or _ADDRESS_LINE.search(norm):
        writers = _writers_lines(norm)
        places = [replace(p, role="mention") if p.role != "excluded" and any(a <= p.start and p.end <= b for a, b in writers)
                  else p for p in places]
    if "\n" in norm:
        places = _latest_word(norm, _workstreams_set_aside(norm, places))
    places = _old_request_replaced(norm, places)
    return tuple(sorted(places, key=lambda p: p.start))


def _old_request_replaced(norm: str, places: list[Place]) -> list[Place]:
    """An old request quoted, then replaced: its places are the story's when the new words name a place of the work."""
    quoted = replaced_requests(norm)
    if not quoted:
        return places

    def inside(p: Place) -> bool:
        return any(a <= p.start and p.end <= b for a, b in quoted)

    if not any(p.role in _LIVE_ROLES and not inside(p) for p in places):
        return places
    return [replace(p, role="mention") if inside(p) and p.role in _LIVE_ROLES else p for p in places]


# "原计划在乌克兰建厂，后来改到了罗马尼亚", "The plant was first going to be in Ghana; it is now in Côte
# d'Ivoire", "moved the project from Mexico to Brazil", "Brazil instead of Mexico": the place of a plan
# given up is the story's, not where the work is (a mention, so the place named again for itself still counts)
_ZH_FORMER_PLAN_BEFORE = re.compile(r"(?:原来|原本|本来|原先|原计划|原规划|原定|起初|最初|一开始|开始时|先前|之前)"
                                    r"(?:计划|规划|打算|想|准备|是|定|要|说)?(?:的是)?(?:在|于|去|到|找|选|做|投|放在|定在)?[^，。,；;]{0,6}$")
_ZH_PLAN_CHANGED_AFTER = re.compile(r"^[^。；;\n]{0,30}?(?:后来|现在|目前|但|不过|结果|最后|最终|如今)?[^。；;\n]{0,8}?"
                                    r"(?:改到|改成|改为|改在|改于|改去|改了|换到|换成|换了|转到|转去|转移到|挪到|搬到|迁到|变成|变为|"
                                    r"调整到|调整为|改主意|不做了|黄了)")
_ZH_MOVED_FROM_BEFORE = re.compile(r"(?:从|由)$")
_ZH_MOVED_TO_AFTER = re.compile(r"^(?:那边)?(?:改到|改为|换到|转移到|搬到|迁到|挪到|调整到|调整为|改成|换成|变更为|变为)")
_EN_FORMER_PLAN_BEFORE = re.compile(r"\b(?:originally|initially|at\s+first|first|previously|earlier)\b[^.;!?\n]{0,40}$|"
                                    r"\b(?:was|were)\s+(?:going|supposed|meant|planned|scheduled|due)\s+to\s+(?:be\s+)?[^.;!?\n]{0,20}$", re.I)
_EN_PLAN_CHANGED_AFTER = re.compile(r"^[^.!?\n]{0,60}?\b(?:moved|switched|shifted|relocated|changed|transferred|"
                                    r"(?:is|it's|are|we're|we\s+are)\s+now|now\s+(?:in|going|it's|moving)|went\s+with|instead)\b", re.I)
_EN_INSTEAD_OF_BEFORE = re.compile(r"\b(?:instead\s+of|rather\s+than|no\s+longer)\s+(?:in\s+|the\s+)?$", re.I)
_EN_MOVED_FROM = re.compile(r"\b(?:moved?|moving|switch(?:ed|ing)?|shift(?:ed|ing)?|relocat(?:ed|ing|e)|transferr?(?:ed|ing)?)\b[^.;!?\n]{0,30}\bfrom\s+$", re.I)


def _plan_changed(norm: str, places: list[Place]) -> list[Place]:
    out = []
    for p in places:
        if p.role in _LIVE_ROLES:
            before, after = norm[max(0, p.start - 45):p.start], norm[p.end:p.end + 70]
            if is_cjk(p.evidence):
                given_up = bool((_ZH_FORMER_PLAN_BEFORE.search(before[-16:]) and _ZH_PLAN_CHANGED_AFTER.match(after))
                                or (_ZH_MOVED_FROM_BEFORE.search(before) and _ZH_MOVED_TO_AFTER.match(after)))
            else:
                given_up = bool((_EN_FORMER_PLAN_BEFORE.search(before) and _EN_PLAN_CHANGED_AFTER.match(after))
                                or _EN_INSTEAD_OF_BEFORE.search(before) or _EN_MOVED_FROM.search(before))
            if given_up:
                p = replace(p, role="mention")
        out.append(p)
    return out


# "需要一位乌干达的劳动法律师…——不好意思打错了，是卢旺达", "need a Chilean lawyer -- sorry, COLOMBIAN, wrong
# country": the place named just before the correction is taken back for the one it names
_PLACE_CORRECTION = re.compile(r"说错了|打错了|写错了|搞错了|弄错了|笔误|口误|\bwrong\s+country\b|\btypo\b|"
                               r"\bwrong\s*[,.;:]?\s*(?:it\s+)?(?:should\s+be|is|it['’]s|I\s+mean)\b|"  # "sorry Uganda wrong, should be Rwanda"
                               r"\b(?:sorry|oops|apologies)\b[^.;\n]{0,12}?\bI\s+meant\b|\bI\s+meant\s+to\s+(?:say|write|type)\b|\bcorrection\s*[:：-]", re.I)
# the correction is the writer's own, not of an invoice or a name ("发票金额打错了")
_CORRECTION_SUBJECT = re.compile(r"(?:^|[\s，,。.!！？?—\-–：:(（]|不好意思|抱歉|对不起|哦|啊|呃|我|刚才|刚刚|上面|前面|国家|国别|地名)$")
_CORRECTED_TO_GAP = re.compile(r"^[\s，,：:！!—\-–.。…]*(?:应该|应当|其实)?(?:是|为)?(?:在)?\s*(?:the\s+)?$", re.I)
_CORRECTED_FROM_GAP = re.compile(r"^[\s，,!！—\-–]*(?:sorry|抱歉|不好意思)?[\s，,!！—\-–]*$", re.I)
PLACE_CORRECTION_REACH = 250


def _place_corrected(norm: str, places: list[Place]) -> list[Place]:
    for mark in islice(_PLACE_CORRECTION.finditer(norm), 10):
        if not _CORRECTION_SUBJECT.search(norm[max(0, mark.start() - 6):mark.start()]):
            continue
        countries = sorted((p for p in places if p.kind == "country"), key=lambda p: p.start)
        new = next((p for p in countries if mark.end() <= p.start <= mark.end() + 20
                    and _CORRECTED_TO_GAP.match(norm[mark.end():p.start])), None) \
            or next((p for p in reversed(countries) if mark.start() - 25 <= p.end <= mark.start()
                     and _CORRECTED_FROM_GAP.match(norm[p.end:mark.start()])), None)
        if new is None:
            continue
        old = next((p for p in reversed(countries) if p.end <= min(new.start, mark.start()) and p.code != new.code
                    and p.start >= mark.start() - PLACE_CORRECTION_REACH), None)
        # "律师必须会法语— 说错了，尼日利亚加纳都是英语国家": named again with the new one, it is not the one taken back
        if old is None or any(p.code == old.code and mark.end() <= p.start <= mark.end() + 30
                              and not re.search(r"[.。;；!！?？\n]", norm[mark.end():p.start]) for p in countries):
            continue
        live = "requested" if any(p.code == old.code and p.role == "requested" for p in places) else "target"
        stood = [p for p in places if p.code == old.code and p.start < mark.start() and p.role in _LIVE_ROLES]
        places = [replace(p, role="excluded") if p.code == old.code and p.start < mark.start()
                  else replace(p, role=live) if p.code == new.code and p.role not in _LIVE_ROLES and p.role != "excluded"
                  else p for p in places]
        # the place named instead stands where the one taken back stood ("Kenya, Uganda and Tanzania … Uganda
        # wrong, should be Rwanda": Kenya, Rwanda and Tanzania)
        places += [replace(p, code=new.code, evidence=new.evidence, kind=new.kind) for p in stood]
    return places


_FORM_COUNTRY_LINE = re.compile(r"^[ \t]*(?:目标国家|目标国别|国家|(?i:target\s+countr(?:y|ies)|country))(?:\s*/\s*(?:地区|(?i:region)))?\s*[:：]", re.M)
_FORM_PICKED_WRONG = re.compile(r"(?:国家|国别)(?:选错|填错|点错|勾错|选成|填成)了")


# "country填的是我们中东区域总部（迪拜注册）的所在地，项目实际在沙特", "写英国是因为合同适用英国法": the free
# text says why the field names the country, and it is not where the work is
_FORM_FIELD_EXPLAINED = re.compile(r"(?:(?i:country)|国家|国别|目标国家)(?:一栏|那栏|这栏|栏)?\s*(?:填的是|写的是|填的|写的)[^。；;\n]{0,30}?"
                                   r"(?:所在地|注册地|总部|总公司|母公司)|(?:填|写)[^，。,；;\n]{1,8}?(?:是因为|只是因为|是由于)")


def _form_country_corrected(norm: str, places: list[Place]) -> list[Place]:
    """"目标国家：越南 … 不好意思国家选错了，随手点了越南": the form's country field, taken back by its free text."""
    wrong, explained = _FORM_PICKED_WRONG.search(norm), _FORM_FIELD_EXPLAINED.search(norm)
    if not wrong and not explained:
        return places
    lines = [(m.start(), line_end(norm, m.start())) for m in _FORM_COUNTRY_LINE.finditer(norm)]
    field = {p.code for p in places if any(a <= p.start < b for a, b in lines)}
    if len(field) != 1:
        return places  # "Target Country: Ghana, Nigeria … Ghana was ticked by mistake" names the one it takes back
    if not wrong:  # explained: a mention, unless the free text asks for counsel there after all
        return [replace(p, role="mention") if p.code in field and p.role in _LIVE_ROLES and p.role != "requested" else p
                for p in places]
    return [replace(p, role="excluded") if p.code in field else p for p in places]


def _indian_bis(places: list[Place]) -> list[Place]:
    """"印度DGTR…BIS认证": the Bureau of Indian Standards, not the US Bureau of Industry and Security, when
    the text names India and nothing else of the US."""
    if not any(p.evidence == "BIS" for p in places) or not any(p.code == "IN" for p in places) \
            or any(p.code == "US" and p.evidence != "BIS" for p in places):
        return places
    return [replace(p, code="IN") if p.evidence == "BIS" else p for p in places]


def _shared_acronym(places: list[Place]) -> list[Place]:
    for acronym, owners in _SHARED_ACRONYMS.items():
        named = {p.code for p in places if p.evidence != acronym and p.code in owners}
        if any(p.evidence == acronym for p in places) and len(named) == 1:
            owner = named.pop()
            places = [replace(p, code=owner) if p.evidence == acronym else p for p in places]
    return places


def _georgia_the_state(places: list[Place]) -> list[Place]:
    """"employment counsel in Georgia … our plant outside Savannah … the NLRB in Atlanta": Georgia the US
    state, when the text names the US and nothing else of the country (Tbilisi, Georgian, 格鲁吉亚)."""
    named_georgia = [p for p in places if p.code == "GE"]
    if not named_georgia or any(p.evidence.lower() != "georgia" for p in named_georgia) \
            or not any(p.code == "US" for p in places):
        return places
    return [replace(p, code="US") if p.code == "GE" else p for p in places]


# A memo's numbered workstreams ("（二）…仍由汉堡律所负责，不在本次范围", "(b) … continue with our existing
# Port Moresby firm", "（三）…暂缓，待SAT案告一段落再议"): the places of an item in other hands, put off
# or done are the story's, not where counsel is sought now (mentions, so a place the memo asks for in
# another item still binds)
_ITEM_START = re.compile(r"^[ \t]*(?:[(（](?:[一二三四五六七八九十]{1,3}|\d{1,2}|[a-hA-H])[)）]|[一二三四五六七八九十]{1,3}[、.．]|"
                         r"\d{1,2}[.、．)](?!\d)|[a-hA-H][.)])", re.M)
_ITEM_ASIDE = re.compile(r"暂缓|再议|另行研究|另行处理|另案处理|暂不(?:需要|考虑|涉及|处理)|本次不涉及|不在本次|不在此次|不在这次|不再考虑|"
                         r"[–—-]\s*(?:done|closed|completed|已完成|已结案)\s*[。.;；]?\s*$|[–—-]\s*待定|(?:外部|当地|现有)?律师(?:已经|已)?(?:在)?跟进中|"  # "HSR: early termination granted – closed."
                         r"继续由[^,。；;]{1,12}(?:负责|处理|办理)|仍由[^,。；;]{1,16}(?:负责|处理|办理|代理)|由现有[^,。；;]{1,16}(?:负责|处理|办理)|"
                         r"已(?:经)?(?:委托|委由|交由)[^,。；;]{1,16}(?:办理|处理|负责|代理)|自行处理|暂不需(?:要)?外部律师|已(?:经)?(?:结案|了结)|"
                         r"待[^,。；;]{1,20}(?:后|再)(?:再议|再说|研究|处理)|"
                         r"\boutside\s+(?:this|the|our)\s+(?:engagement|scope|mandate|instruction)|\bnot\s+part\s+of\s+this\b|"
                         r"\bcontinue\s+with\s+our\s+existing\b|\bremains?\s+with\s+(?:our|the)\b|\bon\s+hold\b|\bdeferred\b|"
                         r"\balready\s+(?:completed|done|handled|closed|instructed)\b|\bhandled\s+by\s+our\s+existing\b", re.I)
_ITEM_ASKED = re.compile(r"所请|当前急务|须立即聘请|须即时委聘|拟委任|拟聘请|拟委聘|需聘请|需要聘请|须聘请|需委任|"
                         r"\bsubject\s+of\s+this\s+(?:paper|memo|request)\b|\b(?:is|are)\s+required\b|\bwe\s+need\b|\bto\s+be\s+engaged\b", re.I)
MAX_ITEMS = 60
_ITEM_CLOSES = re.compile(r"\n[ \t]*\n|[.。!！?？][ \t]*\n(?=[^\s(（\d一二三四五六七八九十a-h-])")


def _workstreams_set_aside(norm: str, places: list[Place]) -> list[Place]:
    starts = [m.start() for m in islice(_ITEM_START.finditer(norm), MAX_ITEMS)]
    if len(starts) < 2:
        return places
    aside: list[tuple[int, int]] = []
    for a, b in zip(starts, [*starts[1:], len(norm)]):
        # an item ends at a blank line, or where a finished sentence ends its line and a paragraph of
        # the body follows ("2) Chile - … this one.\nThe Bolivia project is on hold")
        closing = _ITEM_CLOSES.search(norm, a, b)
        b = closing.start() + 1 if closing else b
        item = norm[a:b]
        if _ITEM_ASIDE.search(item) and not _ITEM_ASKED.search(item):
            aside.append((a, b))
    if not aside:
        return places
    return [replace(p, role="mention") if p.role not in ("excluded", "mention") and any(a <= p.start < b for a, b in aside) else p
            for p in places]


def _latest_word(norm: str, places: list[Place]) -> list[Place]:
    """In a mail thread the latest message decides: when it names a place of the work, the places of
    the quoted history below it and of the subject line are mentions ("change of plan: Polish counsel"
    over "> pls source a Czech lawyer"; "主题: 转发: 刚果金矿权" over a body that moved to Zambia)."""
    cut = history_start(norm)
    subjects = [(m.start(), m.end()) for m in _SUBJECT_LINE.finditer(norm)]
    if cut is None and not subjects:
        return places
    end = len(norm) if cut is None else cut

    def in_subject(p: Place) -> bool:
        return any(a <= p.start < b for a, b in subjects)

    latest = [p for p in places if p.end <= end and not in_subject(p)]
    if not any(p.role in _LIVE_ROLES for p in latest):
        return places
    return [replace(p, role="mention") if (p.start >= end or in_subject(p)) and p.role != "mention" else p for p in places]


# "SA" is Saudi Arabia to a Gulf desk and South Africa to a Johannesburg one: it names whichever
# of the two the rest of the text names, and nothing when the text names neither or both.
_AMBIGUOUS_CODES = {"SA": ("SA", "ZA")}
_AMBIGUOUS_CODE = re.compile(r"(?<![A-Za-z])(SA)(?![A-Za-z])")


def _ambiguous_codes(norm: str, places: list[Place]) -> list[Place]:
    named = {p.code for p in places}
    out: list[Place] = []
    for m in _AMBIGUOUS_CODE.finditer(norm):
        if any(p.start < m.end() and m.start() < p.end for p in places):
            continue
        candidates = [c for c in _AMBIGUOUS_CODES[m.group(1)] if c in named]
        if len(candidates) == 1:
            role = _role_en(norm, m.start(), m.end(), candidates[0])
            out.append(Place(candidates[0], role, m.group(1), SECONDARY_CONFIDENCE, m.start(), m.end()))
    return out


def _choose(places: list[Place], norm: str) -> set[str]:
    """The most confident (then the first) of these places, with those coordinated with it; a bloc
    said around a country of it ("Medellin, Columbia (south america)") is only where that country is."""
    countries = {p.code for p in places if p.code not in blocs()}
    places = [p for p in places if p.code not in blocs() or not set(bloc_members(p.code)) & countries
              or _whole_bloc(norm, p)] or places
    best: dict[str, Place] = {}
    for p in places:
        if p.code not in best or p.confidence > best[p.code].confidence:
            best[p.code] = p
    first_at: dict[str, int] = {}
    for p in places:
        first_at.setdefault(p.code, p.start)
    named = Counter(p.code for p in places)
    # a place the need keeps coming back to ("EU marketplaces ... EU Responsible Person ... EU lawyer")
    # outweighs one named once in passing
    primary = min(best.values(), key=lambda p: (-(p.confidence + REPEAT_BONUS * min(named[p.code] - 1, 2)), first_at[p.code]))
    return _with_coordinated({primary.code}, places, norm)


def _city_handed_off(code: str, mentions: list[Place], norm: str) -> bool:
    """Whether the country is set aside only through its cities, and asked about (a forum or a lawyer)
    in a sentence of its own."""
    aside = [p for p in mentions if p.code == code and p.role == "excluded"]
    if any(_names_whole_country(p) for p in aside):
        return False
    aside_sentences = {sentence_around(norm, p.start, p.end) for p in aside}
    return any(p.code == code and p.role in ("forum", "requested")
               and (sentence := sentence_around(norm, p.start, p.end)) not in aside_sentences and _ASKS.search(sentence)
               for p in mentions)


def _other_part_live(code: str, mentions: list[Place]) -> bool:
    """Whether the country is set aside only through some of its cities or provinces while another
    is where the work is ("项目在安大略，不涉及魁北克")."""
    aside = [p for p in mentions if p.code == code and p.role == "excluded"]
    if not all(_names_a_city(p) for p in aside):
        return False
    names = {p.evidence.lower() for p in aside}
    return any(p.code == code and p.role in ("target", "requested", "forum") and _names_a_city(p)
               and p.evidence.lower() not in names for p in mentions)


def _names_a_city(place: Place) -> bool:
    kinds = {m.kind for m in place_mentions(place.evidence)}
    return kinds == {"city"}


def _coordinated(left: Place, right: Place, norm: str) -> bool:
    """Two places written as one list: joined by a conjunction, or, in Chinese, two countries written
    back to back ("沙特阿联酋卡塔尔", "巴西墨西哥智利", or a space apart), or each with the same noun ("德布勒森工厂（约600人）
    和塞尔维亚工厂")."""
    gap = norm[left.end:right.start]
    parallel = _ZH_PARALLEL_GAP.match(gap) if is_cjk(left.evidence) and is_cjk(right.evidence) else None
    return bool(_COORDINATION.match(gap)) or (
        re.fullmatch(r"[ \t]{0,2}", gap) and left.code != right.code and left.kind == right.kind == "country"  # "沙特 阿联酋 卡塔尔" in chat
        and is_cjk(left.evidence) and is_cjk(right.evidence)) or (
        parallel is not None and left.code != right.code and norm.startswith(parallel.group(1), right.end))


def _names_whole_country(place: Place) -> bool:
    """Whether a mention names a whole country, so all of what any city of it named ("新加坡", "美国"
    after "华盛顿"; not a demonym: "the DAAB members are not Tanzanian")."""
    return any(m.kind in ("country", "alias") for m in place_mentions(place.evidence))


def _with_coordinated(chosen: set[str], places: list[Place], norm: str) -> set[str]:
    chosen = set(chosen)
    ordered = sorted(places, key=lambda p: p.start)
    changed = True
    while changed:  # grow along coordinations: "哈萨克斯坦、乌兹别克斯坦和吉尔吉斯斯坦"
        changed = False
        for left, right in zip(ordered, ordered[1:]):
            if (left.code in chosen) != (right.code in chosen) and _coordinated(left, right, norm):
                chosen.add(left.code if right.code in chosen else right.code)
                changed = True
    return chosen


def _jointly_named(places: list[Place], norm: str) -> set[Place]:
    """Places of a coordination the text then speaks of together ("KZ/UZ两边", "越、柬两国",
    "Kazakhstan and Kyrgyzstan both"): one of them asked for is both asked for."""
    ordered = sorted(places, key=lambda p: p.start)
    joint: set[Place] = set()
    group: list[Place] = []
    for left, right in zip(ordered, [*ordered[1:], None]):
        group.append(left)
        if right is not None and _coordinated(left, right, norm):
            continue
        if len(group) > 1 and _BOTH_AFTER.match(norm[left.end:left.end + 8]):
            joint.update(group)
        group = []
    return joint


def _inside(places: list[Place], blocs_named: set[str]) -> list[Place]:
    """The places (a country, or a bloc by its members) lying within one of the blocs named."""
    return [p for p in places if p.code not in blocs_named
            and any(set(bloc_members(p.code) or (p.code,)) <= set(bloc_members(c)) for c in blocs_named)]


# "具体在哪个国家执业无所谓", "jurisdiction doesn't matter": the writer binds no place
# "东南亚、中东、拉美都有经销商在接触，具体先进哪个国家还没定": the places of the story do not stand in for
# a country the writer has not chosen (a region the writer plans to go to still binds: "计划在北欧投资…具体国家还没定")
_COUNTRY_UNDECIDED = re.compile(r"(?:具体)?(?:先)?(?:进|去|做|落地|选|投)?(?:哪个|哪一个|哪些|具体)(?:国家|国|市场)(?:还|暂时|目前)?"
                                r"(?:没定|未定|没有定|没确定|未确定|待定|没想好|在比选|还在比选|还在选)|"
                                r"\b(?:which|what)\s+countr(?:y|ies)\s+(?:is\s+|are\s+|we\s+(?:go|enter)\s+)?(?:still\s+)?(?:not\s+(?:yet\s+)?(?:decided|chosen|fixed)|undecided)\b", re.I)
_CONSIDERING = re.compile(r"都在看|都在考虑|在比较|比较一下|在比选|在选|候选|还没定|未定|(?i:\bcomparing\b|\bshortlist\w*|\bconsidering\b)")
_NO_PLACE_NEEDED = re.compile(r"(?:在)?哪(?:个|一)?(?:国家|国|里|地)(?:的)?(?:律师|律所)?(?:执业)?(?:都)?(?:无所谓|都行|都可以|不限|没关系)|"
                              r"(?:执业地|所在地|执业国家?)(?:不限|无所谓|都行)|"
                              r"\b(?:location|jurisdiction|where\s+(?:they|the\s+firm|counsel|the\s+lawyer)\s+(?:is|are)\s+(?:based|qualified))\s+"
                              r"(?:does\s*n[o']t|doesn['’]t|does\s+not)\s+matter\b", re.I)


def resolve(text: str) -> tuple[list[Place], set[str]]:
    """(each place named once with its resolved role, the codes that bind)."""
    norm = text.translate(NORMALISE)
    everything = read_places(text)
    mentions = [p for p in everything if p.code not in HOME]
    # "要找香港的律师": counsel in Hong Kong (Macao, Taiwan) is asked for, so no other place binds in
    # its stead; "需要一位…中国律师" for a Kenyan suit still wants the Kenyan matter served
    home_asked = any(p.code in HOME - {"CN"} and p.role == "requested" for p in everything) \
        and not any(p.code in HOME and p.role == "excluded" for p in everything)
    by_code: dict[str, Place] = {}
    for p in mentions:
        held = by_code.get(p.code)
        if held is None or ROLE_ORDER.index(p.role) < ROLE_ORDER.index(held.role):
            by_code[p.code] = p
    # set aside anywhere, a place binds nowhere; unless a lawyer there is asked for ("in Almaty (not Astana)")
    # ... but one taken back later by its name or the country's ("先找新加坡律师…新加坡就不用找了",
    # "准备找华盛顿的律所…美国律师不用找了") stays aside
    excluded = {p.code for p in mentions if p.role == "excluded"} - {
        p.code for p in mentions if p.role == "requested"
        and not any(q.code == p.code and q.role == "excluded" and q.start > p.start and _names_whole_country(q) for q in mentions)}
    # "环评…已经由雅加达的另一家律所在跟…这次只找竞争法律师，处理KPPU程序": a city's part in other hands leaves
    # the country to the forum or the lawyer asked for elsewhere in it
    excluded -= {c for c in excluded if _city_handed_off(c, mentions, norm) or _other_part_live(c, mentions)}
    live = [p for p in mentions if p.code not in excluded and p.role != "excluded"]
    for p in mentions:
        if p.code in excluded and p.role == "excluded":
            by_code[p.code] = p  # shown as set aside, whatever else the text says of it
    binding: set[str] = set()
    plain = [p for p in live if p.role == "target" and p.code not in excluded]
    if _COUNTRY_UNDECIDED.search(norm) and not any(p.role == "requested" for p in live):
        # "先做哪个市场还没定，美国、日本、澳洲都在看": the markets compared are not yet where the work is
        compared = [p for p in plain if p.code not in blocs() and _CONSIDERING.search(sentence_around(norm, p.start, p.end))]
        if len({p.code for p in compared}) >= 2:
            plain = [p for p in plain if p not in compared]
    for role in ("requested", "forum"):
        codes = {p.code for p in live if p.role == role}
        within = _inside(plain, codes)
        if not within and role == "requested":
            # "欧盟客户要求做供应链尽调，需要欧洲律师": a bloc named inside the region asked for, in any role
            within = _inside([p for p in live if p.code in blocs()], codes)
        if role == "requested" and codes and within and all(c in blocs() for c in codes) \
                and not any(_whole_bloc(norm, p) for p in live if p.code in codes) \
                and not any(_BLOC_INSTITUTION.search(p.evidence) and not (_BRUSSELS.search(p.evidence) and any(q.code == "BE" for q in within))
                            for p in live if p.code in codes and p.role in (role, "forum")):  # "比利时…布鲁塞尔有些律所": Belgium's capital
            # "在老挝、柬埔寨注册商标，找东南亚的律师": the countries named, not the whole bloc; but a
            # bloc's institution deciding (the Commission on a Greek port bid), counsel asked for at its
            # seat ("找个Brussels的counsel") is the bloc's matter
            codes = _choose(within, norm)
        if codes:
            # "counsel in Almaty and Bishkek": a place coordinated with the one asked for is asked for too
            # "阿拉木图那边劳动部门…, KZ/UZ两边都…": an authority in one of two countries spoken of together
            joint = _jointly_named(live, norm) if role == "forum" else set()
            binding = _with_coordinated(
                codes, [p for p in live if p.role == role or (p.role == "target" and (p.code not in codes or p in joint))], norm)
            # "二、坦桑尼亚…贷款的先决条件审查，也请同一家律所…出具意见": a place the text asks about as well
            binding |= {p.code for p in live if p.role == "target" and p.code not in blocs() and p.code not in excluded
                        and _ALSO_ASKED.search(sentence_around(norm, p.start, p.end))}
            break
    counted = _COUNTED.search(norm)
    if binding and counted:
        # "巴西那个CADE 还有墨西哥那个…这两个国家": an authority of one of the places counted binds them all
        named = {p.code for p in live if p.role in ("requested", "forum", "target") and p.code not in blocs()}
        # "美国对Indonesia、Laos、India三国…发起调查" counts the places just before it, one of them set aside
        opened = max((m.end() for m in re.finditer(r"[。！？!?；;\n]|\.\s", norm[:counted.start()])), default=0)
        near = {p.code for p in mentions if max(opened, counted.start() - 60) <= p.start and p.end <= counted.start()
                and p.code not in blocs()}
        count = _count_of(counted)
        # "EU merger control … Turkey (TCA) and Ukraine (AMCU) … counsel for the three open filings": a bloc's filing counts as one
        with_blocs = named | {p.code for p in live if p.role in ("requested", "forum") and p.code in blocs()}
        if len(named) != count and len(with_blocs) == count:
            named = with_blocs
        if len(named) == count and binding < named and (not near or near <= named):
            binding = named
    if _NO_PLACE_NEEDED.search(norm) and not any(p.role == "requested" for p in live):
        return [by_code[c] for c in dict.fromkeys(p.code for p in mentions)], set()
    if not binding and (home_asked or _home_counsel(norm)):
        return [by_code[c] for c in dict.fromkeys(p.code for p in mentions)], set()
    if not binding:
        whole = {p.code for p in plain if p.code in blocs() and _whole_bloc(norm, p)}
        # ... and countries outside it added to it ("GCC 里除了 Oman…，另外加 Egypt 和 Jordan"), a wider region aside
        added = {p.code for p in plain if p.code not in blocs() and not _inside([p], whole)}
        wider = {p.code for p in plain if p.code in blocs() and any(set(bloc_members(w)) < set(bloc_members(p.code)) for w in whole)}
        if whole and all(p.code in whole or _inside([p], whole) for p in plain):
            binding = whole  # "across the GCC … (esp. KSA and Kuwait)": the whole bloc, its members named as examples
        elif whole and added and all(p.code in whole or _inside([p], whole) or p.code in wider
                                     or _ALSO_ASKED.search(sentence_around(norm, p.start, p.end)) for p in plain):
            binding = whole | added
        elif plain:
            binding = _choose(plain, norm)
            # "另外塔吉克斯坦一个水电站修复项目，也请同一家律所看": a place the text asks about as well
            binding |= {p.code for p in plain if p.code not in binding and p.code not in blocs()
                        and _ALSO_ASKED.search(sentence_around(norm, p.start, p.end))}
            named = {p.code for p in plain}
            countries = {c for c in named if c not in blocs()}  # "Two things in South America … offices in both"
            count = _count_of(counted) if counted else 0
            if counted and len(named) == count:
                binding = named  # "进军日本乐天和韩国Coupang…两国的通关": as many places as the text counts
            elif counted and len(countries) == count:
                binding = countries
        elif _CHINESE_LAWYER.search(norm) or _INVESTS_IN_US.search(norm) or _COUNTRY_UNDECIDED.search(norm):
            pass  # "找青岛有海事法院经验的中国律师", "沙特基金要入股我们公司": no place of work abroad, the work is at home
        else:
            for role in FALLBACK:
                candidates = [p for p in live if p.role == role]
                if candidates:
                    binding = _choose(candidates, norm)
                    break
    if counted and binding:
        binding = _counted_list(binding, live, norm, counted)
        # "对哈萨克斯坦、吉尔吉斯斯坦、塔吉克斯坦、乌兹别克斯坦四国经销商的出货需全面排查…需外聘一家能覆盖上述四国的律所":
        # the lawyer asked for covers the list those words point back to, whatever its places' roles
        for pointed in islice(_COUNTED.finditer(norm), 10):
            if _POINTS_BACK.search(norm, max(0, pointed.start() - 4), pointed.start()) \
                    and _LAWYER_WORDS_ANY.search(sentence := sentence_around(norm, pointed.start(), pointed.end())) and _ASKS.search(sentence):
                binding = _counted_list(set(), [p for p in live if p.role not in ("excluded", "mention")], norm, pointed) or binding
                break
    # "顺便问下能不能推荐秘鲁律所，但这次委托只给哥伦比亚", "所以现在要的是土耳其的", "so only need Peru lawyer":
    # the writer narrows the need to one place (and those listed with it)
    only = {p.code for p in live if p.code not in blocs() and _ONLY_BEFORE.search(norm[max(0, p.start - 14):p.start])}
    if len(only) == 1 and binding and not binding <= only:
        binding = _with_coordinated(only, [p for p in live if p.role in _LIVE_ROLES], norm)
    # "请帮忙找ASEAN范围内的merger control counsel…东盟除老挝、缅甸以外的国家…印尼KPPU…": a whole bloc
    # (less what is set aside) named for the work, its members' authorities named as parts of it
    member_asked = any(p.role == "requested" and p.code not in blocs() for p in live)
    whole = {p.code for p in live if p.code in blocs() and p.role in _LIVE_ROLES and _whole_bloc(norm, p)}
    if binding and not member_asked and _within_one_bloc(binding, whole):
        binding = whole
    # "Saudi is done already …, so it's the remaining five": a bloc less what is set aside, counted
    if (left := _REMAINING_COUNT.search(norm)) is not None:
        count = _count_of(left)
        aside = {p.code for p in mentions if p.role == "excluded"}
        counted_blocs = {p.code for p in live if p.code in blocs() and p.role in _LIVE_ROLES
                         and len(set(bloc_members(p.code)) - aside) == count and set(bloc_members(p.code)) & aside}
        if _within_one_bloc(binding, counted_blocs):
            binding = counted_blocs
    # "Need local counsel in each", "需要各地律师评估": every place of the work named, each asked for
    if binding and (each := _EACH_ASKED.search(norm)) is not None and _ASKS.search(sentence_around(norm, each.start(), each.end())):
        every = {p.code for p in live if p.role in ("target", "requested", "forum") and p.code not in blocs()}
        if binding < every:
            binding = every
    if (left := _REMAINING_OF_LIST.search(norm)) is not None:
        remaining, bloc = _remaining_of_list(norm, mentions, _count_of(left), left.start())
        if remaining:
            binding = {bloc} if bloc else remaining  # a bloc reads as its members less those spoken of
    # "GCC反损害性国际贸易措施技术秘书处的反倾销调查" of goods sold to three of its members: the bloc's
    # authority investigates, so counsel acts before the bloc, not in the members the goods went to
    # (a member whose lawyer is asked for stays: "需要德国律师看劳动问题")
    remedy = {p.code for p in live if p.code in blocs() and _BLOC_REMEDY_AFTER.match(norm, p.end)}
    if binding and not member_asked and _within_one_bloc(binding, remedy):
        binding = remedy
    # "a Dutch court in Europe": the country named is more precise than the bloc around it; not a bloc asked
    # for at its institutions ("FSR申报…需熟悉布鲁塞尔程序的律师" beside the Spanish FDI filing)
    binding -= {c for c in binding if c in blocs() and any(m in binding for m in bloc_members(c))
                and not any(q.code == c and q.role == "requested" and _BLOC_INSTITUTION.search(q.evidence) for q in live)}
    # "歐盟執委會…反規避調查" beside "銷往歐洲各地": the narrower bloc
    binding -= {c for c in binding if c in blocs()
                and any(o != c and o in blocs() and set(bloc_members(o)) < set(bloc_members(c)) for o in binding)}
    resolved = [by_code[c] for c in dict.fromkeys(p.code for p in mentions)]
    return resolved, binding


# "覆盖整个拉美的律所", "an EU-wide firm", "all of ASEAN": the whole bloc, not the members named elsewhere
# ... and what is left of it once some members are set aside: "除卡塔尔以外的海合会国家", "the remaining GCC states"
_WHOLE_BEFORE = re.compile(r"(?:整个|全|所有|全部|(?:以外|之外)的|其余|其他|剩下的?|剩余的?|"
                           r"(?i:\b(?:the\s+)?whole|\bentire|\ball\s+(?:of\s+)?(?:the\s+)?|\bacross\s+(?:the\s+)?|\bpan-?|"
                           r"\b(?:the\s+)?remaining|\b(?:the\s+)?rest\s+of\s+(?:the\s+)?|\b(?:the\s+)?other))\s*$")
_WHOLE_AFTER = re.compile(r"^(?:-?wide\b|\s*(?:全境|全区域?|各国|(?:各|全部|所有|全体)成员国|[二三四五六七八九十]国|所有国家|(?i:member\s+states\b))|"
                          r"\s*除[^，。,；;]{1,24}?(?:以外|之外)的?(?:国家|成员国|各国|地区)|\s*范围内|"
                          r"\s*(?:里|中|当中|之中)\s*除了?(?=\s*[A-Za-z\u4e00-\u9fff])|"  # "GCC 里除了 Oman（去年刚做完）"
                          r"\s*的?(?:其他|其余|其它|剩下的?|剩余的?)(?:几个|[二三四五六七八九])?个?(?:国家|成员国|国|市场))", re.I)  # "海合会其他几个国家"  # "东盟除老挝、缅甸以外的国家"
_BLOC_REMEDY_AFTER = re.compile(r"(?:[（(][^）)]{1,12}[）)])?[^，。,；;\n]{0,20}?(?:反倾销|反补贴|保障措施|反规避|反损害)[^，。,；;\n]{0,4}?(?:调查|立案)|"
                                r"(?i:\s*(?:\([^)]{1,12}\)\s*)?(?:'s\s+)?[^.;,\n]{0,30}?\b(?:anti-?dumping|anti-?subsidy|countervailing|safeguard|anti-?circumvention)\s+"
                                r"(?:investigation|proceeding|case|review)s?)")
_BRUSSELS = re.compile(r"\bBrussels\b|布鲁塞尔", re.I)
_BLOC_INSTITUTION = re.compile(r"\bBrussels\b|布鲁塞尔|\bCommission\b|欧委会|欧盟委员会|\bDG\s?[A-Z]{2,}|EUIPO|General\s+Court|欧盟法院|欧洲法院|"
                               r"Court\s+of\s+Justice|Eurasian\s+Economic\s+Commission|欧亚经济委员会", re.I)


_POINTS_BACK = re.compile(r"(?:上述|以上|前述|这|(?i:\bthese|\bthose|\bthe\s+above))\s*$")


def _counted_list(binding: set[str], live: list[Place], norm: str, counted: re.Match[str]) -> set[str]:
    """"APP在沙特 阿联酋 卡塔尔都有用户…想找一个能同时cover这三个国家的律师": the count names the last list
    of as many places written before it, when what binds lies within that list."""
    count = _count_of(counted)
    if len(binding) >= count:
        return binding
    ordered = sorted((p for p in live if p.code not in blocs() and p.role not in ("currency", "sanctioned")
                      and p.end <= counted.start()), key=lambda p: p.start)
    runs: list[list[Place]] = []
    for p in ordered:
        if runs and _coordinated(runs[-1][-1], p, norm):
            runs[-1].append(p)
        else:
            runs.append([p])
    for run in reversed(runs):
        codes = {p.code for p in run}
        if len(codes) == count and len(run) == count:
            return codes if binding <= codes else binding
    return binding


def _remaining_of_list(norm: str, mentions: list[Place], count: int, at: int) -> tuple[set[str], str]:
    """"entities in Germany, Hungary, Poland, the Czech Republic and Slovakia. Germany was reviewed in 2023 and
    Hungary is being handled by our Budapest firm, so we need counsel for the other three": the last list (or
    bloc) named before the count, less those of it spoken of since, when as many are left as counted."""
    before = sorted((p for p in mentions if p.end <= at and p.role != "currency"), key=lambda p: p.start)
    runs: list[tuple[set[str], int, str]] = []
    previous: Place | None = None
    for p in before:
        if p.code in blocs():
            runs.append((set(bloc_members(p.code)), p.end, p.code))
            previous = None
            continue
        if previous is not None and runs and _coordinated(previous, p, norm):
            runs[-1] = (runs[-1][0] | {p.code}, p.end, "")
        else:
            runs.append(({p.code}, p.end, ""))
        previous = p
    excluded = {p.code for p in mentions if p.role == "excluded"}
    for members, end, bloc in reversed(runs):
        spoken = {p.code for p in before if p.start >= end and p.code in members}
        # ("其余四国（卡塔尔、科威特、巴林、阿曼）明年再说": the rest is what is set aside, not what is asked for)
        if spoken and len(members) > count and len(members - spoken) == count and not (members - spoken) & excluded:
            return members - spoken, bloc
    return set(), ""


def _within_one_bloc(binding: set[str], found: set[str]) -> bool:
    """Whether ``found`` is one bloc and everything ``binding`` holds is that bloc or one of its members."""
    if len(found) != 1:
        return False
    bloc = next(iter(found))
    return all(c == bloc or c in bloc_members(bloc) for c in binding)


def _whole_bloc(norm: str, place: Place) -> bool:
    return bool(_WHOLE_BEFORE.search(norm[max(0, place.start - 12):place.start]) or _WHOLE_AFTER.match(norm[place.end:place.end + 16])
                or re.search(r"(?i)-wide$|[二三四五六七八九十]国$", place.evidence))  # "海湾六国"


def _home_counsel(norm: str) -> bool:
    return any(_ASKS.search(sentence_around(norm, m.start(), m.end())) for m in _HOME_COUNSEL.finditer(norm)
               if not re.search(r"不需要|不用|无需|不必|不找", m.group(0)))  # "国内部分不需要律师" asks for none at home


# "其余 GCC 国家（UAE, KSA, Kuwait, Bahrain, Oman）": the members in brackets are the bloc meant, unless
# they are examples ("across the GCC (esp. KSA and Kuwait)", "欧盟（如德国、法国等）")
_BLOC_BRACKET = re.compile(r"\s*(?:国家|成员国|各国|(?i:countries|states|member\s+states|markets))?\s*[(（]([^()（）]{2,120})[)）]")
_EXAMPLES = re.compile(r"除|不含|不包括|排除|暂不|(?i:\bexcept\b|\bexcluding\b|\bnot\b|\bbut\b)|如|例如|比如|包括|等|尤其|特别是|重点|(?i:\besp\b|e\.g\.|\bsuch\s+as\b|\bincluding\b|\blike\b|\betc\b|\bmainly\b|\bespecially\b)")
# "海合会其他几个国家": the bloc's members other than those named before it
_OTHER_MEMBERS_AFTER = re.compile(r"\s*的?(?:其他|其余|其它|剩下的?|剩余的?)")


def _members_listed(norm: str, bloc: Place) -> set[str]:
    bracket = _BLOC_BRACKET.match(norm, bloc.end)
    if bracket is None or _EXAMPLES.search(bracket.group(1)):
        return set()
    inside = {c for c in (m.code for m in place_mentions(bracket.group(1))) if c in bloc.members}
    return inside if len(inside) >= 2 else set()


def read_target_countries(text: str) -> list[Reading]:
    """The countries a need is about: those that bind (see the module docstring) at a confidence
    at or above the binding threshold, the other places named under it; a bloc reads as its members."""
    places, binding = resolve(text)
    if not places:
        return read_countries(text, world=True)
    read_conf = {r.code: r.confidence for r in read_countries(text, world=True)}
    # "all of the GCC; Saudi is handled already": a bloc binds without the members set aside
    everything = read_places(text)
    aside = {m for p in everything if p.role == "excluded" for m in p.members}
    norm = text.translate(NORMALISE)
    # "卡塔尔的经销商去年就签好了…今年想把海合会其他几个国家都铺开": the bloc's other members than those named before
    for p in everything:
        if p.code in binding and p.kind == "bloc" and _OTHER_MEMBERS_AFTER.match(norm, p.end):
            aside |= {q.code for q in everything if q.end <= p.start and q.code in p.members}
    if (left := _REMAINING_OF_LIST.search(norm)) is not None:
        # "Saudi is already underway … For the other five GCC countries": the bloc less the members spoken of
        remaining, bloc = _remaining_of_list(norm, [p for p in everything if p.code not in HOME],
                                             _count_of(left), left.start())
        if bloc in binding:
            aside |= set(bloc_members(bloc)) - remaining
    out: dict[str, Reading] = {}
    single = len(binding) == 1
    for p in places:
        if p.role == "excluded" or (p.role == "currency" and p.code not in binding):
            continue
        if p.code in binding:
            if p.kind == "bloc":
                listed = _members_listed(norm, p)
                for member in p.members:
                    if member in aside or (listed and member not in listed):
                        continue
                    if member not in out or out[member].confidence < BLOC_CONFIDENCE:
                        out[member] = Reading(member, BLOC_CONFIDENCE, p.evidence)
                continue
            floor = SOLE_TARGET_CONFIDENCE if single else COORDINATED_TARGET_CONFIDENCE
            conf = max(read_conf.get(p.code, p.confidence), floor)
        elif p.kind == "bloc":
            continue  # a bloc that does not bind would spread a little credit over its members
        elif p.role == "target":
            conf = min(read_conf.get(p.code, p.confidence), SECONDARY_CONFIDENCE)
        else:
            conf = min(read_conf.get(p.code, p.confidence), NON_TARGET_CONFIDENCE)
        if p.code not in out or out[p.code].confidence < conf:
            out[p.code] = Reading(p.code, round(conf, 3), p.evidence)
    return sorted(out.values(), key=lambda r: (-r.confidence, r.code))


__all__ = ["Place", "read_places", "read_target_countries", "resolve"]
