"""Reading the working languages a need asks for."""

from __future__ import annotations

import pytest

from service.matching.reading import read_languages, read_target_countries
from service.matching.reading.text import to_simplified
from service.matching.rules import HARD_READING_CONFIDENCE
from tests.unit._readings import codes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("团队里需要有人会俄语。", "ru"),
        ("律师需要懂阿拉伯语。", "ar"),
        ("团队里需要有人能看阿拉伯语文本。", "ar"),
        ("需要能直接用俄语跟当地政府部门沟通。", "ru"),
        ("律师需要能读俄文法规。", "ru"),
        ("需要一位英语流利的律师。", "en"),
        ("急需英文好的律师。", "en"),
        ("需要会印尼语。", "id"),
        ("律师西班牙语必须，最好有劳动仲裁经验。", "es"),  # "X必须"
        ("需要巴西律师处理经销商纠纷。葡语必须", "pt"),
        ("阿根廷律师，Spanish必须，英文也行", "es"),  # mixed Chinese and English
        ("Saudisation quotas - need a labour lawyer, Arabic required", "ar"),
        ("A Brazilian court froze our accounts. Portuguese essential.", "pt"),
        ("we need a Congolese lawyer in Kinshasa who works in French", "fr"),
        ("Russian is a must and English a plus", "ru"),
        ("工作语言为法语", "fr"),
        ("The working language is French.", "fr"),
        ("合同是俄文的，律师得能读懂", "ru"),
        ("需要会英文", "en"),
        ("俄语是硬性条件", "ru"),
        ("对方只会俄语，所以律师必须会俄语", "ru"),
        ("Fluent Portuguese is non-negotiable.", "pt"),
        ("We need French-speaking counsel.", "fr"),
        ("The lawyer must be fluent in Portuguese.", "pt"),
        ("Our counsel must speak Russian.", "ru"),
        ("We need a Spanish-speaking lawyer.", "es"),
        ("当地政府文件多是阿拉伯语，律师需要能看懂。", "ar"),
        ("代理这个案子的律师都要会俄语", "ru"),  # "都要" is a requirement
        # chat English writes languages in lower case
        ("need a lawyer fluent in russian", "ru"),
        ("lawyer must speak french, the ministry only answers in french", "fr"),
    ],
)
def test_reads_required_language(text: str, expected: str) -> None:
    found = read_languages(text)
    assert codes(found, HARD_READING_CONFIDENCE) == [expected]
    assert found[0].code == expected and found[0].confidence >= 0.8


@pytest.mark.parametrize(
    "text",
    [
        "We do not need Russian.",
        "We don't need Russian; English is enough for the contract.",
        "不需要会俄语。",
        "不需要俄语。",
        "不要求英语。",
        "俄语不是必须的。",
        "Russian is not required.",
        "We sell to Russian customers.",  # an adjective, not a language requirement
    ],
)
def test_negated_or_adjectival_language_is_not_read(text: str) -> None:
    assert "ru" not in codes(read_languages(text))
    assert "en" not in codes(read_languages(text), 0.8) or "English is enough" in text


def test_negation_does_not_leak_into_the_next_clause() -> None:
    assert codes(read_languages("不需要会俄语，但英语要流利。")) == ["en"]
    assert codes(read_languages("We do not need Russian, but fluent French is a must.")) == ["fr"]


def test_document_language_is_a_softer_reading() -> None:
    found = read_languages("The contract is in French.")
    assert codes(found) == ["fr"] and found[0].confidence < 0.8
    found = read_languages("部分证据是阿拉伯语的。")
    assert codes(found) == ["ar"] and found[0].confidence < 0.8


def test_chinese_is_never_a_requirement() -> None:
    assert read_languages("需要会中文和普通话的律师。") == []
    assert read_languages("The lawyer must speak Mandarin Chinese.") == []


def test_legal_words_containing_a_language_name_are_not_languages() -> None:
    assert read_languages("请提供合法文件。") == []


@pytest.mark.parametrize(
    ("text", "wished"),
    [
        ("律师最好会泰语，英文也可以", {"th", "en"}),
        ("最好懂西语。", {"es"}),
        ("会英语和马来语更好", {"en", "ms"}),
        ("会俄语的优先考虑", {"ru"}),
        ("需要会乌兹别克语或者俄语的律师，俄语优先", {"uz", "ru"}),  # alternatives: neither binds alone
        ("律师用英语沟通也可以", {"en"}),
        ("要找劳动法律师，英文OK", {"en"}),
        ("English is fine, Swahili is a plus.", {"en", "sw"}),
        ("We are fine with English-speaking counsel too, Lao ideally", {"en", "lo"}),
        ("French preferred", {"fr"}),
        ("German would help.", {"de"}),
        ("文件是阿拉伯语的，律师最好能看懂", {"ar"}),
        ("懂葡语更佳", {"pt"}),
        ("Knowledge of Arabic is an advantage.", {"ar"}),
        ("It would be great if the lawyer speaks Vietnamese.", {"vi"}),
        ("English is also fine.", {"en"}),
        ("英文沟通也没问题", {"en"}),
        ("找个懂印尼法的律师，英文沟通即可", {"en"}),
        ("The lawyer must speak English or French", {"en", "fr"}),
    ],
)
def test_a_wish_ranks_but_does_not_bind(text: str, wished: set[str]) -> None:
    found = read_languages(text)
    assert {r.code for r in found} == wished
    assert all(r.confidence < HARD_READING_CONFIDENCE for r in found)


@pytest.mark.parametrize(
    "text",
    [
        "Need advice under Uzbek law on a land lease",
        "Need someone who knows Kazakh subsoil law",
        "Spanish-law governed supply contract with a Chilean mine",
        "Our Hungarian subsidiary needs help with layoffs",
        "a Spanish-registered company bought our plant",
        "he does not speak English, so the lawyer must explain it in Chinese",
        "他不会说英语，需要律师用中文解释判决",
        "Our team works in English and Chinese.",
        "我们团队的工作语言是英语",
        "Our manager can't speak Russian, so the lawyer should speak Chinese.",
        "对方不懂中文，只会说俄语",
        "The Uzbek side only speaks Uzbek.",
        "Nobody on our side speaks Thai.",
        "The contract is bilingual, English and Chinese.",
        "合同是中英双语的，我们团队用英语沟通",
        "Arabic not required, English is the contract language.",
        "Our Russian-speaking site engineers were detained by police in Aktau",
        "我们需要招聘会俄语的员工，想了解当地劳动法",
        "我们的项目经理不太会讲英语，希望律师能用中文沟通",  # "不太会" is a negation
        "对方律师不怎么懂英语",
        # the language of others in the story, or of the enterprise itself
        "Contract is in French but our team only reads English; the lawyer should ideally read French",
        "对方律师只讲西班牙语",
        "The judge only speaks Turkish",
        "The other side's counsel is Russian-speaking",
        # a fallback offered: the first language is not a requirement either
        "需要会蒙古语的律师，没有的话俄语也行",
    ],
)
def test_no_requirement_binds(text: str) -> None:
    assert [r.code for r in read_languages(text) if r.confidence >= HARD_READING_CONFIDENCE] == []


@pytest.mark.parametrize(
    ("text", "required"),
    [
        ("Russian: mandatory. English: nice to have.", {"ru"}),  # each sentence its own marker
        ("we need someone fluent in Mandarin and English", {"en"}),  # coordinated after "fluent in"
        ("律师需要精通英语和俄语", {"en", "ru"}),
        ("our Kazakh partner prefers Russian, but the lawyer only needs English", {"en"}),
        ("Turkish-speaking lawyer needed, no English necessary", {"tr"}),
        ("No Russian needed but the lawyer has to speak English", {"en"}),  # "No X needed" at a clause's start
        ("The contract must be translated into Arabic before signing", set()),  # the translation's language
        ("Must have Kazakh bar admission; Russian or English both fine", set()),  # "Kazakh bar" is no language
        ("Our CFO only speaks English, so the lawyer must too", {"en"}),
        ("our HR manager only speaks Russian, so the lawyer must too", {"ru"}),
        ("Georgian or Russian speaking lawyer pls, our HR manager only speaks Russian", set()),  # alternatives; staff's language
        ("our Spanish-speaking GM in Chile was fired; need Chilean employment counsel", set()),
        ("沙特律师，不会英语的不要", {"en"}),  # refusing whoever lacks it is requiring it
        ("律师要会俄语，英语无所谓", {"ru"}),
        ("需要能出具英文法律意见书的新加坡律师", {"en"}),
        ("metro PPP in Bogotá, local legal opinion needed by Friday. Spanish obviously.", {"es"}),
        ("会不会俄语无所谓，我们有翻译", set()),
        ("We'd rather have someone who speaks Thai, but it's not a dealbreaker.", set()),
        ("It's a Russian-language hearing in Minsk, so Russian is non-negotiable.", {"ru"}),
        ("Arabic-speaking staff at the firm would be needed for the court filings.", {"ar"}),
        ("律师会哈萨克语的话加分，俄语是底线", {"ru"}),
    ],
)
def test_exactly_the_required_languages_bind(text: str, required: set[str]) -> None:
    assert {r.code for r in read_languages(text) if r.confidence >= HARD_READING_CONFIDENCE} == required


@pytest.mark.parametrize(
    ("text", "required", "wished"),
    [
        # no \b between a CJK character and a Latin letter: the markers must still be seen
        ("需要Vietnamese tax counsel，越南语must，中文nice to have。", {"vi"}, set()),
        ("俄语是must，English nice to have", {"ru"}, {"en"}),
        ("Korean-speaking team是must，English nice to have", {"ko"}, {"en"}),
        ("Polish speaking是must", {"pl"}, set()),
        ("We are looking for a lawyer who speaks Thai", {"th"}, set()),  # "ok" in "looking" is no wish
    ],
)
def test_markers_written_against_chinese(text: str, required: set[str], wished: set[str]) -> None:
    found = read_languages(text)
    assert {r.code for r in found if r.confidence >= HARD_READING_CONFIDENCE} == required
    assert {r.code for r in found if r.confidence < HARD_READING_CONFIDENCE} == wished


@pytest.mark.parametrize(
    "text",
    [
        "想找秘鲁律师先在当地做货损公证，对方发来的函全是西班牙语，律师必须能用英语跟我们沟通。",
        "合同文本均为阿拉伯文，律师需要会说英语，能跟总部汇报就行",
    ],
)
def test_a_later_requirement_naming_its_own_language_leaves_the_document_language_a_wish(text: str) -> None:
    found = {r.code: r.confidence for r in read_languages(text)}
    assert found["en"] >= HARD_READING_CONFIDENCE
    assert 0 < found["es" if "西班牙" in text else "ar"] < HARD_READING_CONFIDENCE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("需要当地税务律师做申辩，律师要能直接看俄语的税务文书（他们发的都是俄文）。", "ru"),
        ("律师要能直接读土耳其语的法院文件和重整方案，这个是必须的。", "tr"),
        ("律师需要能审阅哈萨克语的合同。", "kk"),
    ],
)
def test_reading_documents_directly_is_a_requirement(text: str, expected: str) -> None:
    found = read_languages(text)
    assert codes(found, HARD_READING_CONFIDENCE) == [expected] and found[0].confidence == 0.92


@pytest.mark.parametrize(
    ("text", "required"),
    [
        ("需要Lao counsel出legal opinion on security package。Lao语不要求，English OK。", set()),
        ("Tagalog不需要，English沟通就行", set()),
        ("不需要会Russian，但律师必须会English", {"en"}),
        ("俄语not required，English必须", {"en"}),
        ("不会English的律师不要", {"en"}),  # refusing whoever lacks it is requiring it, as in Chinese
    ],
)
def test_negation_in_the_other_script_negates(text: str, required: set[str]) -> None:
    found = read_languages(text)
    assert {r.code for r in found if r.confidence >= HARD_READING_CONFIDENCE} == required
    assert {r.code for r in found} <= {"en"}  # the negated language is not read at all


@pytest.mark.parametrize(
    ("text", "required", "read"),
    [
        # "Japanese律师" is a Japanese lawyer; the Japanese documents are handled in-house: a document language
        ("需要Japanese律师/benrishi file invalidation trial。律师必须能用英文communicate，日文的docs我们有in-house translator处理。",
         {"en"}, {"en", "ja"}),
        ("Korean公司要求我们赔偿违约金，律师用英文沟通即可", set(), {"en"}),
        ("Vietnamese工厂必须在月底前整改，需要当地律师", set(), set()),
    ],
)
def test_a_demonym_before_a_chinese_noun_is_a_nationality(text: str, required: set[str], read: set[str]) -> None:
    found = read_languages(text)
    assert {r.code for r in found if r.confidence >= HARD_READING_CONFIDENCE} == required
    assert {r.code for r in found} == read


@pytest.mark.parametrize(
    ("text", "wished"),
    [
        # Cantonese: "就得" closing a clause is "is enough", "唔紧要/唔使/唔需要" is "not needed"
        ("而家要去馬來西亞高等法院申請承認同執行裁決。英文溝通就得，馬來文唔緊要。", {"en"}),
        ("搵個越南律師，越南文唔使識，英文就得啦。", {"en"}),
        ("律師會英文就得，泰文唔需要", {"en"}),
    ],
)
def test_cantonese_enough_and_not_needed(text: str, wished: set[str]) -> None:
    from service.matching.reading.text import to_simplified  # the engine reads the simplified form

    found = read_languages(to_simplified(text))
    assert {r.code for r in found} == wished
    assert all(r.confidence < HARD_READING_CONFIDENCE for r in found)


def test_mandarin_jiude_before_the_verb_is_still_a_must() -> None:
    assert codes(read_languages("律师就得会英文"), HARD_READING_CONFIDENCE) == ["en"]


@pytest.mark.parametrize(
    ("text", "required"),
    [
        ("Q: Language of the lawyer?\nA: Doesn't need to be Japanese-speaking for us, English is fine, "
         "our IP team works in English.", set()),
        ("Our in-house legal staff work in Spanish; the lawyer must speak Portuguese.", {"pt"}),
        ("Our local counsel team works in French", {"fr"}),  # counsel is the lawyer, not the enterprise
    ],
)
def test_our_team_with_words_between_is_the_enterprise_itself(text: str, required: set[str]) -> None:
    assert {r.code for r in read_languages(text) if r.confidence >= HARD_READING_CONFIDENCE} == required


@pytest.mark.parametrize(
    "text",
    [
        "We're building a distributor network in Latin America for our construction machinery. "
        "Lawyer must speak Spanish since distributors will negotiate with them directly.",
        "需要一家覆盖Latin American markets的律所，律师必须会Spanish",
    ],
)
def test_latin_america_is_a_region_not_a_language(text: str) -> None:
    assert codes(read_languages(text)) == ["es"]


@pytest.mark.parametrize(
    ("text", "required"),
    [
        ("We have a dealer network in Spanish and Portuguese speaking countries; the lawyer must speak English.", {"en"}),
        ("our framework in English is ready, need a Thai lawyer to localise it", set()),
    ],
)
def test_a_requirement_verb_is_a_word_of_its_own(text: str, required: set[str]) -> None:
    assert {r.code for r in read_languages(text) if r.confidence >= HARD_READING_CONFIDENCE} == required


@pytest.mark.parametrize(
    ("text", "required", "read"),
    [
        ("需要迪拜律师处理租赁纠纷，律师需要会English", {"en"}, {"en"}),
        ("律师要能用Russian跟当地税务局沟通", {"ru"}, {"ru"}),
        # as in Chinese, others' or our own language is no requirement, and a wish stays one
        ("对方只会说Russian，律师用英文沟通即可", set(), {"ru", "en"}),
        ("我们用English沟通，律师会Thai更好", set(), {"en", "th"}),
    ],
)
def test_a_chinese_requirement_verb_before_an_english_language_word(text: str, required: set[str], read: set[str]) -> None:
    found = read_languages(text)
    assert {r.code for r in found if r.confidence >= HARD_READING_CONFIDENCE} == required
    assert {r.code for r in found} == read


def required(text: str) -> set[str]:
    return {r.code for r in read_languages(text) if r.confidence >= HARD_READING_CONFIDENCE}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a must belongs to the language it is said of, even in a sentence that never stops
        ("他们那边文件全是俄语和塔吉克语的所以律师必须会俄语不然没法弄", {"ru"}),
        ("那边都讲法语我们英语写过去都没人回的，律师要会法语的", {"fr"}),
        # and to every language of a list it follows or leads
        ("律师阿语英语都得会，谈判是英语，政府文件是阿语", {"ar", "en"}),
        ("三、律师工作语言为西班牙语和英语。", {"es", "en"}),
        ("最好会阿拉伯语，英语也能凑合。", set()),
        # a document's working language, a form's field label, a question and nobody of ours are no requirement
        ("本次交易文件工作语言为英语，尽调报告以英文出具并附中文摘要。", set()),
        ("语言要求：能用俄语沟通者优先", set()),
        ("刘：律师要会葡语吗？ 张总：不用。买家那边都讲阿语，合同是英文的", set()),
        ("小周：律师要求会孟加拉语吗", set()),
        ("俺们这边没人会西班牙语，律师最好能讲中文，讲英语也行", set()),
        ("當地代理老闆只會講孟加拉語。", set()),
        # refusing whoever lacks it, said after; spoken languages called 话; short names; a requirement after the word
        ("要能去阿什哈巴德现场取证的律师，俄语不会别来", {"ru"}),
        ("林董特別交代，律師一定要能講越南話，因為要直接跟工會幹部談。", {"vi"}),
        ("蒙古国矿权纠纷下个月开庭，要蒙语律师", {"mn"}),
        ("马上找 Ethiopian lawyer，先申请解冻账户。Amharic 要会，法院文件都是阿姆哈拉语", {"am"}),
    ],
)
def test_requirements_as_desks_write_them(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


def test_a_spoken_language_is_not_its_country() -> None:
    assert "VN" not in {r.code for r in read_target_countries("律师一定要能讲越南话，项目在柬埔寨") if r.confidence >= HARD_READING_CONFIDENCE}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # whoever of the story speaks it, named or not, does not make it the lawyer's
        ("员工基本都讲阿姆哈拉语，工会开会也用阿姆哈拉语，这块我们有自己的翻译。律师用英文跟我们沟通就行。", set()),
        ("工人大部分是Ukrainian，日常讲乌克兰语，现场HR有双语同事负责沟通。律师英文沟通就OK。", set()),
        ("Local chiefs and the artisanal cooperatives speak Swahili. Counsel must be fluent in French.", {"fr"}),
        ("泰方股東與銀行之間一律以泰文往來。律師以英文或中文溝通皆可。", set()),
        # a refusal put as a condition, and someone who can argue it in the language
        ("找的律师要是读不了阿拉伯文的评估通知原件、得等翻译，那就来不及了，所以这一条是硬性的。", {"ar"}),
        ("We need someone who can get him on the phone and argue it out in German - that's the whole point.", {"de"}),
    ],
)
def test_whose_language_it_is(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("律师俄语是硬杠杠，开庭、跟法官沟通都得自己来；哈萨克语不要求。", {"ru"}),
        ("Notes: their chairman only speaks Urdu and Punjabi; they will bring their own interpreters.", set()),
        ("French would make our lives much easier (all the tender docs are in French) but we'd rather have a strong "
         "lawyer working in English than a weak one working in French.", set()),
    ],
)
def test_lists_preferences_and_hard_bars(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Counsel who can't handle a call with METI officials in Japanese needn't apply.", {"ja"}),
        ("Lawyers without Russian need not apply.", {"ru"}),
        ("想走起诉加财产保全。阿语不是门槛，法院文件我们可以翻译。", set()),
    ],
)
def test_disqualifying_and_not_a_bar(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # chat Chinese separates clauses by spaces alone: a must does not reach the next one
        ("找个新加坡律师出意见 英文得会 这个没商量 泰文的合同他们那边自己处理", {"en"}),
        ("阿语 英语都要会", {"ar", "en"}),  # but a list of languages stays one list
        ("律师会英语就行 俄语不用 对方都讲英语", set()),
        ("律师要会俄语 吉尔吉斯语不用 当地人自己会翻", {"ru"}),
        ("西语肯定要会啊 不然怎么开庭", {"es"}),
        ("英语不用说了肯定得会", {"en"}),
        ("律师能懂土耳其语那就再好不过了", set()),
        ("哈萨克语就免了 用不上", set()),
        ("越南语不行的律师就算了", {"vi"}),  # refusing whoever lacks it
        ("不懂葡语的就不要推荐了", {"pt"}),
        ("俄语他们本地律师肯定会 英语得会", {"en"}),  # the locals have it anyway
        ("律师中文要好 英文的律师很多 这个不是问题", set()),  # Chinese is read, never returned
        ("一定要会讲中文 英文俄文的律师很多", set()),  # the market described is no requirement
    ],
)
def test_chat_chinese(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("语言要求：西班牙语；预算：面议", {"es"}),  # a form's language field asks for what it lists
        ("Language: Portuguese and English\nBudget: fixed fee", {"en", "pt"}),
        ("Working language: French (pleadings), English (reports to HQ)", {"en", "fr"}),
        ("语言要求：会俄语者优先", set()),  # unless it says it is a wish
        ("语言：不限", set()),
        ("Languages: Arabic preferred, English fine", set()),
        ("服务语言为英文和法文，两种语言均须具备", {"en", "fr"}),
    ],
)
def test_form_fields(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("English is a must, Turkish is a plus", {"en"}),
        ("English is a must 土耳其语is a plus", {"en"}),  # the wish right after the word is its own
        ("Arabic is mandatory for the court work; English too, for our board reports.", {"ar", "en"}),
        ("English is nice to have; French too.", set()),
        ("If the lawyer can't read Portuguese please don't reply - every filing is in Portuguese.", {"pt"}),
        ("Submissions must be in Arabic, but the DIFC works in English.", set()),  # a document's and a forum's
        ("Our site team only speak basic English, so keep emails short.", set()),
        ("German not needed; the lenders will communicate in English.", set()),
        ("Vietnamese不是must，英文必须", {"en"}),
        ("He doesn't speak Russian, so counsel must.", set()),  # no language said after "must"
    ],
)
def test_whose_must_in_english(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # formal Chinese: 须能以 / 应能够以 X 出庭
        ("律師須能以西班牙語出庭；如能以英語與總部溝通則更為理想。", {"es"}),
        ("律师应能够以法语出席庭审，英语能力为加分项。", {"fr"}),
        ("律师需能以英文撰写法律意见，乌尔都语不作要求。", {"en"}),
        ("荷兰语非必要，英语须能熟练使用", {"en"}),
        ("律师English要熟练，Khmer不需要", {"en"}),
        # Cantonese: whoever lacks it need not contact us
        ("想搵个日本律师，唔识日文嘅唔使联系我哋。", {"ja"}),
        # asked about, not required
        ("律师要会英语和葡萄牙语吗？我们也不清楚", set()),
        ("请问西班牙语律师一定要会吗？", set()),
        ("越南语肯定得会吧？", set()),
        ("lawyer need speak Arabic? we only little english", set()),
        # English requirements and wishes
        ("Russian-speaking counsel would be ideal, but English is a must.", {"en"}),
        ("Portuguese is the language of every hearing and is therefore a prerequisite.", {"pt"}),
        ("Counsel must be able to draft pleadings in Spanish and report to the Board in English.", {"es", "en"}),
        ("Counsel must speak Russian and the contract is in English.", {"ru"}),
        ("Reports to HQ must be in English.", {"en"}),  # reports are the lawyer's work
        ("All exhibits filed with the court must be in Arabic.", set()),  # documents
    ],
)
def test_formal_cantonese_and_questions(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a negation after a list covers the list
        ("我们只要求英语，这个是必须的，西语葡语都不要求。", {"en"}),
        ("Counsel must plead in German; Dutch and French are not needed.", {"de"}),
        # a lawyer of the past, a manager who reads only one language, a forum asked about
        ("律师必须会俄语 上次找了个哈萨克的律师只会哈萨克语根本沟通不了", {"ru"}),
        ("Arabic is a must; English would be nice since our CFO reads only English.", {"ar"}),
        ("律师德语会最好；海关能不能用英文沟通我们也不清楚。", set()),
        # a comma ends whose language it is
        ("越南客户欠款追讨，必须懂越南语", {"vi"}),
        ("律师必须会印尼语；英语当然也要能用。", {"id", "en"}),
        ("法语是硬性要求。英语我们这边可以沟通", {"fr"}),
        ("律师得能直接用西语跟他们谈，光会英语在那边不顶用。", {"es"}),
        ("要把产能挪过去\n语言：律师必须会西语，英语 preferred", {"es"}),
    ],
)
def test_third_round_of_writers(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # whoever has only the one language is refused: that language is no requirement
        ("律师必须会德语，只会英文的不要。", {"de"}),
        # ... and the other language of the passage is what is asked instead
        ("谈判全程西班牙语，只能讲英语的所就不考虑了。", {"es"}),
        # "isn't needed", a fallback offered after the word, a nationality said of someone
        ("Portuguese is required; Spanish isn't needed.", {"pt"}),
        ("越南语要会 不会的话配翻译也可以", set()),
        ("Counsel must plead in Italian, since our plant director is German and only works in English.", {"it"}),
        # the enterprise's own counsel working in a language; a team that works in it is acceptable
        ("No need for Mandarin on your side, our GC in Shenzhen works in English.", set()),
        ("Korean-speaking lawyer preferred, but a Seoul team that works in English is acceptable.", set()),
        # customers used to a language
        ("客户那边（蒙特利尔的进口商）习惯法语沟通，律师最好会法语，不是必须。", set()),
    ],
)
def test_fourth_round_of_writers(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "Bahasa" alone: Indonesian, or Malaysian where only Malaysia is named
        ("Batam 的厂要看保全风险，Bahasa 必须 fluent", {"id"}),
        ("Bahasa is a must for the dismissal at our Penang plant", {"ms"}),
        ("PT PMA needs new KBLI codes. Bahasa speaker better.", set()),
        # "bilingual X/Y" is both, "X/Y" alone either
        ("Colombian counsel must be bilingual Spanish/English.", {"es", "en"}),
        ("Spanish/English, either is fine", set()),
        # the working language named as such
        ("English是working language，这个必须的", {"en"}),
    ],
)
def test_bahasa_bilingual_and_working_language(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a requirement said after the list covers the list; when the list is ours it requires nothing
        ("律师要Spanish和English都会", {"es", "en"}),
        ("需要一个法语和英语都要会的律师", {"fr", "en"}),
        ("我们总经理法语和英语都会，律师会英语就行", set()),
        # a negation right after one word is that word's, not the next one's, with or without a comma
        ("Thai不用 English必须", {"en"}),
        ("葡语不要求，English必须", {"en"}),
        ("不需要会法语和德语", set()),
        # "only Chinese and a little English" is our team's, not a requirement
        ("我们这边只会中文和一点点英语，麻烦律师多担待", set()),
        # a litigator, a solicitor of a country, and its mandatory rules are no language
        ("We need a Polish litigator and advice on Polish mandatory rules.", set()),
        ("Looking for a Portuguese solicitor for the lease.", set()),
    ],
)
def test_fifth_round_of_writers(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a pasted table: the column headed "语言"/"Language" is a language field in every row under it
        ("国家\t事项\t语言\n哈萨克斯坦\t劳动仲裁\t俄语\n乌兹别克斯坦\t税务稽查\t俄语、英语", {"ru", "en"}),
        ("| Country | Matter | Language |\n| Peru | mining concession | Spanish |", {"es"}),
        # a cell holding nothing but language names is one too, header or not
        ("Chile | port concession | Spanish + English", {"es", "en"}),
        ("Chile | port concession | Spanish/English", set()),  # either of the two
        # two columns alone are no table; a language mentioned inside a longer cell is not a field
        ("项目\t备注\n越南工厂\t合同是越南语的", set()),
        # a key-value or JSON field named "lang"
        ('{"country": "Brazil", "lang": "Portuguese"}', {"pt"}),
        ("lang = Turkish", {"tr"}),
    ],
)
def test_tables_and_json_fields(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # others who do not speak it, or can: not the lawyer
        ("找墨西哥劳动法律师 必须讲西语 工会那帮人一句英文都不讲", {"es"}),
        ("工会代表能讲英语，律师最好会阿姆哈拉语", set()),
        # an ask between a person and the verb is the lawyer's
        ("老板说不等了 在当地法院起诉 要会葡语的律师 必须的", {"pt"}),
        # a correction replaces what came before it on its line; an unrelated one does not
        ("律师要会英语\n更正一下 那边全是法语 律师必须会法语 英语无所谓", {"fr"}),
        ("必须会阿姆哈拉语\n改一下：阿姆哈拉语会的最好 不会也行", set()),
        ("律师必须会俄语。更正一下：预算是50万。", {"ru"}),
        # a trademark's transliteration; a key-value table row; "not a must"
        ("中文和俄文音译两个都要注册", set()),
        ("| 目标市场 | 刚果（金） |\n| 语言要求 | 法语 |", {"fr"}),
        ("语言要求：英语即可，高棉语非必须", set()),
        # how we will talk with the lawyer, said as a plan
        ("需要土耳其律师，土耳其语必须，我们这边跟律师英文沟通", {"tr"}),
        # a mail thread: the latest message's languages over the quoted request's
        ("需要赞比亚律师，英文就行。\n-----原始邮件-----\n需要刚果金律师，必须会法语", set()),
        ("赞比亚那边英文就行，之前说的法语要求作废", set()),
    ],
)
def test_seventh_round_of_writers(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("we need indonesia lawyer urgent. bahasa indonesia must", {"id"}),
        # people of the story who speak it, however loosely written
        ("Our GM there is chinese and only speak english, so lawyer speak english also better. Spanish is must.", {"es"}),
        ("spanish is must, main contact is chinese engineers who speak english", {"es"}),
        ("portuguese is must, 我们 only english and 中文", {"pt"}),
        # wondered about, not required
        ("english must. French maybe needed for Quebec? better if can.", {"en"}),
    ],
)
def test_eighth_round_of_writers(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # desk names of languages; one language written two ways is no alternative
        ("语言：Dari 必须，Pashto 不需要", {"fa"}),
        ("Farsi/波斯语必须，申请文件都是Persian", {"fa"}),
        ("语言：俄语、吉语都不要求，我们团队有俄语翻译", set()),
        ("法院只用格语，所以格鲁吉亚语必须", {"ka"}),
        # "所以" is no speaking verb
        ("律师需要到场陪同，所以Vietnamese必须", {"vi"}),
        # a language not required on its own, lawyers who do not speak it, and a refusal of those who do not
        ("克罗地亚语不单独要求，塞尔维亚语必须", {"sr"}),
        ("格鲁吉亚语必须；俄语不需要，很多年轻律师不讲俄语，别拿这个筛人", {"ka"}),
        ("不会讲英语的律师不要", {"en"}),
        # people of the story described by their language
        ("Our site team is French-speaking, but counsel must be fluent in English. French is a plus.", {"en"}),
    ],
)
def test_ninth_round_of_writers(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # how the work will go, said bare, vs asked for
        ("找阿联酋律师看合同，英文沟通，不需要阿语", set()),
        ("需要英文沟通", {"en"}),
        ("阿拉伯语必须会，英语跟我们沟通", {"ar"}),
        ("律师必须能用英语跟我们沟通", {"en"}),
        # a demonym before a counsel's field is no language, and "not relevant"
        ("so we need Irish data protection counsel. Irish language skills are obviously not relevant.", set()),
        ("We need Spanish speaking counsel, Spanish required", {"es"}),
    ],
)
def test_eleventh_round_of_writers(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Cantonese: 识 is to know, "X都得" is "X will do"
        ("律师一定要识葡文，我哋老闆識少少葡文但唔夠用。英文溝通都可以。", {"pt"}),
        ("識阿拉伯文最好，英文都得。", set()),
        ("英语和俄语都得会", {"en", "ru"}),
        # a negation said before the word it negates, after another language
        ("律师必须说俄语。我们同事会俄语，所以律师不用会中文也不用会英文。", {"ru"}),
        # a document's language with its must; officials writing in it; reported speech
        ("提交材料都得是俄文，不过我们自己有翻译团队，律师会不会俄语无所谓", set()),
        ("Swahili preferred since TRA officers often write in Swahili.", set()),
        ("说没有葡语的退货政策，找巴西律师，会葡语最好", set()),
        ("律师要会说葡语", {"pt"}),
    ],
)
def test_twelfth_round_of_writers(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


def test_a_must_past_a_comma_and_a_new_subject_is_the_later_languages() -> None:
    assert required("Armenian is a must, and the lawyer must also be able to report to us in English.") == {"hy", "en"}
    assert required("Russian is a must and English a plus") == {"ru"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("律师能用挪威语最好，企业这边只能英文沟通。", set()),
        ("员工里瑞典语母语者也不少，律师会英语即可", set()),
        ("English is only a plus, for reporting to our head office. The lawyer must speak Russian.", {"ru"}),
        ("We need a Singapore sanctions lawyer. English only is fine.", set()),
        ("Arabic would help since some guidance is Arabic-only.", set()),
        ("那边很多沟通是俄文的，律师会俄语更好", set()),
        ("沙特项目的分包合同谈判，工作语言是英语，需要沙特本地律所", {"en"}),
        ("a foreign publisher needs a Vietnamese enterprise holding a licence, and content has to be approved.", set()),
    ],
)
def test_thirteenth_round_of_writers(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a lawyer without the language refused, said indirectly
        ("需要智利律师，西语不行的就别推荐了", {"es"}),
        ("SAT來的文件全部是西班牙文，律師如果看不懂西文就沒有意義。", {"es"}),
        ("说实话不会希伯来语的律师基本帮不上忙。跟我们英文沟通就可以。", {"he"}),
        ("A lawyer who can't read the ANRE file in Romanian is no good to us.", {"ro"}),
    ],
)
def test_a_lawyer_without_the_language_is_no_use(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


def test_a_speaker_nice_to_have_is_a_wish() -> None:
    assert required("Spanish speaker is nice-to-have, not a must.") == set()


def test_a_lawyer_without_the_language_is_money_thrown_away() -> None:
    assert required("问卷、听证全是俄文，律师俄语不行等于白请。") == {"ru"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # one language said to fall short alone: the other one the passage names is what is asked
        ("Every letter from the tax office comes in French - an English-only adviser can't help us.", {"fr"}),
        ("Hearings in Maputo run in Portuguese; a firm that only works in English is not what we want.", {"pt"}),
        ("The board packs are in German. An English-only team would be no use, and Italian is a plus.", {"de"}),
        ("只会英语的不行，海关的文书都是西班牙文", {"es"}),
        # the refusal is explicit, whatever "if they" sounds like
        ("If they can't read Turkish it's no use, the whole file is Turkish.", {"tr"}),
        ("如果律师看不懂阿拉伯文的话就没法用", {"ar"}),
        ("土耳其语不过关的律师不用考虑", {"tr"}),
        ("葡语不熟练的人就免谈", {"pt"}),
        # the document's language and what the story's people work in are not the lawyer's
        ("招股书用英文，律师不需要会德语", set()),
        ("Serbian isn't needed, the Serbian staff all work in English.", set()),
        ("合同是孟加拉文的，Bangla不是必需的，英文即可", set()),
    ],
)
def test_fourteenth_round_of_writers(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("if they can't read the Arabic originals there's no point", {"ar"}),
        ("Turkish is not a requirement for our counsel, the court appoints an interpreter.", set()),
        ("之前写的“律师需会英语”是错的——当地法院只用法语，律师需会法语。", {"fr"}),
        ("Language: German mandatory\nEDIT 09:10 - my mistake, wrong template. So Dutch mandatory, not German.", {"nl"}),
        ("律师须通晓葡语；仅能使用英语的律师不予考虑。", {"pt"}),
        ("俄语不算硬性条件，会的话更好。", set()),
        ("Spanish or English, either works - our site team has Spanish speakers.", set()),
        ("Nice if they speak Greek but English is totally fine, the Greeks all speak it.", set()),
        ("我们财务部有两个同事阿拉伯语很好，所以律师会不会阿语无所谓；但英语必须流利。", {"en"}),
        ("我们现场经理是哈萨克人，俄语和哈萨克语都会，跟税务局我们自己沟通；lawyer must be fluent in English。", {"en"}),
        ("找越南律师 英语必须会的嘛 那边也讲英语", {"en"}),
        ("我女儿在英国读书英语好 让她跟律师对接 找德国律师", set()),
        ("Counsel must be able to work in Korean with the target and in English with us.", {"ko", "en"}),
        ("The lawyer must work in Arabic, and must be able to report to us in English.", {"ar", "en"}),
        ("Our lots are in the Kazakh and Uzbek sections only. Russian is mandatory.", {"ru"}),
        ("A Thai-speaking team member is required for the hearings.", {"th"}),
    ],
)
def test_fifteenth_round_of_writers(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Spanish would be ideal, but the people in Ningbo only speak english so the lawyer need english too.", {"en"}),
        ("does lawyer need arabic?? the buyer speaks english ok.", set()),
        ("Vietnamese speaker is preferable, English is also OK.", set()),
        ("Georgian language is not required - English works, Russian also possible.", set()),
        ("会阿语最好，英语做工作语言也能接受。", set()),
        ("找 Turkish competition lawyer，Turkish target 的营业额过了门槛，English 沟通即可。", set()),
    ],
)
def test_languages_of_a_fifteenth_round(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sorry, scratch that, it's the Thai plant. Need Turkish trade remedy counsel in Ankara. Turkish essential, they'll "
         "attend the verification.", {"tr"}),
        ("A Dutch supplier says a Dutch export licence may be needed. We need Dutch export control counsel.", set()),
        ("Lao language skills are useful, but all reports to HQ must be in English.", {"en"}),  # reports the lawyer writes
    ],
)
def test_languages_of_a_representative_week(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russian is a must; English is only for coordinating with the Paris team, and we can bridge that.", {"ru"}),
        ("德语是硬性要求。技术人员也能直接用英文对接。", {"de"}),
    ],
)
def test_a_language_only_for_coordination_is_no_requirement(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


def test_a_necessary_language_is_required() -> None:
    assert required("Need Peruvian counsel against the terminal. Spanish necessary.") == {"es"}
    assert required("Need Peruvian counsel against the terminal. Spanish not necessary.") == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("和矿业部往来的文件全是法文，不能直接处理法文文件的律师就不用报了。", {"fr"}),
        ("比什凯克那边政府部门只认俄语吉语 律师至少俄语得能用", {"ru"}),
        ("上午说律师必须会西语，老板刚改了口——不强求，会西语的优先。", set()),
        ("律师得能直接出庭、写葡语书状，这个是必须的。", {"pt"}),
    ],
)
def test_languages_of_a_sixteenth_round(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


def test_a_nationality_said_of_the_goods_is_no_language() -> None:
    assert required("We must prove the origin is really Thai. The lawyer must work in Turkish.") == {"tr"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lawyer speaking Russian or Kazakh preferred, our team will negotiate in Russian.", set()),
        ("Italian required for the board documents; English nice to have since HQ legal reads English.", {"it"}),
    ],
)
def test_languages_of_a_seventeenth_round(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("律师必须会俄语（现场文件全是俄文），哈萨克语不强求。", {"ru"}),
        ("语言要求：泰语\n需求描述：…语言方面泰语最好，英语也行，不是硬性要求。", set()),
        ("Japanese-speaking obviously helps, but the lawyer must be able to work in English.", {"en"}),
        ("当地语言必须会，英文也要。", {"en"}),
    ],
)
def test_languages_of_a_seventeenth_round_continued(text: str, expected: set[str]) -> None:
    assert required(to_simplified(text)) == expected


def test_a_report_that_must_be_in_english_is_the_lawyers_to_write() -> None:
    assert required("需要肯尼亚律师牵头调查。\n调查报告须用英文出具，集团总部要看。") == {"en"}


def test_he_or_she_is_the_lawyer() -> None:
    assert required("Need a Moroccan tax lawyer; he/she must speak French because the hearings are in French.") == {"fr"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the others' language is a reason, not a requirement of its own
        ("The ministry's staff don't work in English, so Portuguese is a must.", {"pt"}),
        # the firm asked for, as "they", with a must
        ("Find us a Georgian firm; they must work in Russian since the whole file is Russian.", {"ru"}),
        ("Counsel has to plead in Spanish and also English to report to our lenders.", {"en", "es"}),
        ("if the firm can't read and write Turkish it is useless to us", {"tr"}),
        ("Tribunal language is French, so this is a must.", {"fr"}),
        ("法院只收西语材料 律师不会西语根本没法跟法官沟通", {"es"}),
        ("塞语必须，英语能沟通就行", {"sr"}),
        ("说明书有阿语版本，阿语的合规意见律师要能出", {"ar"}),
        # the 会 of 管委会 or 董事会 is no "can"
        ("园区管委会发来的通知有阿拉伯语版本，律师能看阿语当然更好。", set()),
        ("董事会决议是葡萄牙语的，附件也是。", set()),
        # a form's language field, said again as enough, or its wish in brackets
        ("语言要求：英语（能用英文沟通即可）", set()),
        ("Languages: Polish (must), English (nice)", {"pl"}),
        ("Language: English\nDescription: Arabic would be nice but English works for both stores.", set()),
    ],
)
def test_languages_of_a_nineteenth_round(text: str, expected: set[str]) -> None:
    assert required(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # no interpreter: the language of the hearing or of the people is the lawyer's
        ("那边开庭都用葡萄牙语，法院不让我们自己带翻译，只能律师本人出庭。", {"pt"}),
        ("The village elders speak only Khmer and the bank wants counsel to meet them in person; we won't bring an interpreter.", {"km"}),
        # ... unless the text already requires a language there, or offers an interpreter
        ("对方老板只讲捷克语和德语，律师必须能直接用捷克语谈判，不接受全程靠翻译。", {"cs"}),
        ("律师要是能自己上庭用日语当然更好，不能的话配个翻译我们也认。", set()),
        # a language for later
        ("交割后要跟工会谈，到时候需要会匈牙利语的律师，但那是明年的事，现在不用。", set()),
        # the lawyer's own document
        ("The legal opinion must be issued in English and addressed to the lenders.", {"en"}),
        # enough, all we need, might need, 方便很多, 如果有
        ("The supply agreement is in English, English is enough for this one.", set()),
        ("Need Zambian tax counsel. English is all we need.", set()),
        ("Our site manager says we might need someone who speaks Bemba, but I doubt it matters.", set()),
        ("团队里如果有懂韩语的 associate 会方便很多。", set()),
        # Chinglish: others who can't read it; a question; an advantage
        ("Report must English, our laoban not read Portuguese, we can not use report in Portuguese only.", {"en"}),
        ("Local lawyer must speak Russian. Do we need someone speak Tajik also? pls advise.", {"ru"}),
        ("Is Arabic required? Our team reads English.", set()),
        ("Spanish speaking is advantage.", set()),
        ("We can't work with someone who only reads the English text - counsel has to work from the Georgian original.", {"ka"}),
        # a requirement taken back, or a form field taken back by its free text
        ("Please disregard the Senegal part and the French requirement. What we need now is Ghana.", set()),
        ("语言要求：斯瓦希里语\n需求描述：…\nPS 语言那栏是同事随手填的，其实不需要斯瓦希里语，坦桑尼亚法院文件都是英文的。", set()),
        ("语言要求：英语\n补充：语言那栏是系统默认的，律师必须能直接用法语跟海关打交道，英语反而不重要。", {"fr"}),
        # a form field, and someone's lack of the language, stay
        ("Language: the lead lawyer must be a Slovene-speaking litigator; our site team do not speak Slovene.", {"sl"}),
    ],
)
def test_languages_of_a_twentieth_round(text: str, expected: set[str]) -> None:
    assert required(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("五、法律意见书须为英文。是否还需要会葡萄牙语的律师，请法务部再确认。", {"en"}),
        ("四、呈交董事会之报告须为英文；律师须具备意大利语工作能力。", {"en", "it"}),
        ("其中一个项目在魁北克，部分文件为法文，律师看得懂更好，但不作要求。", set()),
        ("审阅合同（以葡萄牙文本为准）。项目部有葡语翻译，律师会英文即可。", set()),
        ("海关的表格都是泰文，律师要能处理泰文；英文能沟通更好。", {"th"}),
        ("律师要识英文，我哋冇人识泰米尔文。", {"en"}),
        ("日语要没问题，因为要出庭。", {"ja"}),
        ("The opinion must be issued in English by a firm acceptable to the lenders.", {"en"}),
    ],
)
def test_languages_of_a_twentieth_round_in_memos(text: str, expected: set[str]) -> None:
    assert required(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("之前找过一个只会英语的，对方所有文件都是捷克语，他看不懂，看不懂捷克语的就别推荐了。", {"cs"}),
        ("Arabic is not mandatory as filings can be in English, but an Arabic-speaking team would help.", set()),
        ("Hearings are in Thai, so fluency is a must there; Lao would be helpful.", {"th"}),
        ("The lawyer must work in English with me and the candidate; neither of us reads Portuguese.", {"en"}),
        ("德语或法语都可以，英文沟通为主。", set()),
        ("语言：英语\n描述：需要印尼税务律师。English 足够。", set()),
        ("合同是几年前用同一个英文模板签的，律师懂阿拉伯语更好。", set()),
        ("合同是中哈双语的，哈文版要律师直接改，所以必须哈萨克语。", {"kk"}),
        ("函件是土耳其语，律师必须能直接用土语跟监管沟通。", {"tr"}),
        ("村里人讲土语，律师要有耐心。", set()),
    ],
)
def test_languages_of_a_twenty_first_round(text: str, expected: set[str]) -> None:
    assert required(text) == expected


def test_a_fallback_of_another_matter_offers_no_alternative_language() -> None:
    text = ("A Chinese contractor has unpaid certificates in Maputo. Could you recommend counsel to negotiate and, failing "
            "that, to litigate before the courts in Maputo? Portuguese is of course essential; no English needed.")
    assert required(text) == {"pt"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a requirement taken back after it
        ("上次说律师一定要会乌兹别克语，更正一下：不用，文件都是俄文的，所以俄语必须。", {"ru"}),
        ("前面写了必须会葡语，后来巴西同事说他们能全程翻译，所以葡语不再是硬性要求，英文可以，会葡语更好。", set()),
        ("Turkish was a must in my first mail. Turkish is no longer required, English is fine.", set()),
        # the market, an institution's working language, another party's lawyer: not the lawyer's requirement
        ("当地律所英语好的不多，律师必须会西语，英语算加分。", {"es"}),
        ("DIFC工作语言为英文，律师英文即可。", set()),
        ("银团律师用英文沟通，我们这边律师懂法语优先。", set()),
        # a bare need of a language, and a requirement that counsel work in it
        ("要当地律所出面谈判。需要阿拉伯语，最好人在吉达。", {"ar"}),
        ("Our CFO requires that counsel brief the board directly in English.", {"en"}),
        ("需要法语翻译件，律师英文沟通即可。", set()),
    ],
)
def test_languages_of_a_twenty_second_round(text: str, expected: set[str]) -> None:
    assert required(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("They must speak Portuguese, and ideally English too.", {"pt"}),
        ("I asked for a French-speaking lawyer, but the hearing is in Flanders. Dutch is the requirement; French is not needed.", {"nl"}),
        ("The Italian works council has to be consulted first; our Milan HR team will handle it.", set()),
        ("律师会葡语+英文最好，but English is a must for the memo.", {"en"}),
        ("语言：英文必须，阿语法语文件律师自己处理。", {"en"}),
        ("律师最好会英文，泰语的沟通当地HR自己搞。", set()),
        ("出庭肯定是越南语，但律师跟我们沟通必须能用英文。", {"en"}),
        ("律师会不会孟加拉语不重要，但所有书面意见必须是英文的。", {"en"}),
        ("律师识泰文就最好，有几个员工代表英文唔系好得。", set()),
        ("语言：土耳其语为必须，英语须达到可独立起草合同的水平。", {"tr", "en"}),
    ],
)
def test_languages_of_a_twenty_third_round(text: str, expected: set[str]) -> None:
    assert required(text) == expected



@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # softened after a change of mind
        ("Portuguese is a must.\n\nUPDATE after call with our GM: English-only counsel is OK. Portuguese would still be nice to have.", set()),
        ("最开始HR说律师必须会土耳其语，后来开会定了：英语就可以，土语有更好。", set()),
        ("一开始我写的是 Thai required，后来问了 HR，当地团队可以帮忙翻译，所以 English is enough。", set()),
        ("同事说律师必须会葡语，其实我们的沟通全是英文，葡语不是硬性要求，有就更好。", set()),
        # a requirement said after a correction, further on than the correction reaches
        ("Urgent: 我们在哥伦比亚的项目——sorry 打错了，是厄瓜多尔，Guayaquil 那个，哥伦比亚的项目去年已经结了——业主已经提起仲裁，"
         "claim 大概 USD 40m，主要是 delay 和 defects。Hearing 全程西班牙语，所以 counsel must be fluent in Spanish。", {"es"}),
        # others' language, a real plus, the deal's working language, a document's 'only', a refusal, our people who cannot read it
        ("Their CEO is Italian and much prefers to speak Italian; a lawyer who can talk to him in Italian would be a real plus. "
         "English is the working language of the deal.", set()),
        ("Arabic is a plus since some of the ministry guidance is Arabic only.", set()),
        ("We can't use anyone who doesn't read Greek: the court papers came this morning.", {"el"}),
        ("我们不要求律师会阿语，但沟通 must be in English，我们品牌部没人看得懂阿语邮件。", {"en"}),
    ],
)
def test_languages_of_a_twenty_fourth_round(text: str, expected: set[str]) -> None:
    assert required(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("All hearings will be in Portuguese, filings included, so the lead lawyer must be fluent; English for HQ would be nice.", {"pt"}),
        ("需要秘鲁律师，必须西班牙语，英文报告也要能写。", {"es", "en"}),
        ("律师必须能直接出越南文的员工通知和解除协议。", {"vi"}),
        ("Advocate must speak English and understand Amharic.", {"en", "am"}),
        ("项目团队必须具备法语和英语工作能力，合同及往来函件均为法英双语。", {"fr", "en"}),
        ("合同是中法双语的，律师最好懂法语。", set()),
    ],
)
def test_languages_of_a_twenty_fifth_round(text: str, expected: set[str]) -> None:
    assert required(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # no requirement, each or all at once, after a correction
        ("律师必须能用葡语开庭，英语无要求。", {"pt"}),
        ("老板：律师要会法语\n老板：说错了，两国都是英语国家，语言不做要求", set()),
        # both required, together
        ("主办律师须法语、英语均能工作。", {"fr", "en"}),
        ("法语、英语均能工作即可。", set()),
        # our own team's language; the other side's lawyer's
        ("与我们沟通用英文即可（我司财务团队英文工作）。", set()),
        ("对方律师一直用法语给我们发函，但我们找的是比利时荷语区的律师，英文沟通就行。", set()),
        # a wish said with 'still', a requirement taken back by the one who set it
        ("Turkish is not required after all; it would still help if someone on the team reads Turkish.", set()),
        ("I said French was mandatory, but our interpreter will attend, so we can consider English-speaking lawyers too. French is still preferred.",
         set()),
    ],
)
def test_languages_of_a_twenty_sixth_round(text: str, expected: set[str]) -> None:
    assert required(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a form's language field softened, taken back or explained by its free text
        ("语言要求：日语\n备注：语言一栏同事填错，律师不一定要会日语（会当然最好），但必须能用英文和我们沟通。", {"en"}),
        ("语言要求：泰语\n备注：语言写泰语是希望，不是硬性条件。", set()),
        ("语言要求：西班牙语\n备注：不是墨西哥的案子，西语要求取消。", set()),
        ("语言要求：法语\n备注：语言填法语是因为对方律师的函都是法语写的，对律师的要求是英文一定要好。", {"en"}),
        # refusing whoever lacks it; a company, not a language; a must beside a bilingual contract
        ("丑话说在前面：不会俄语的就别推了，卷宗全是俄语。", {"ru"}),
        ("Dutch BV of ours is buying 30% of a start-up in Leeds — need UK counsel for the NSI Act mandatory notification.", set()),
        ("老板：找律师吧。俄语必须，合同要中俄双语", {"ru"}),
        # a country's one official language, required or wished; several official languages name none
        ("律师必须会莫桑比克的官方语言，文件都是这个语言。", {"pt"}),
        ("Counsel must work in the official language of Senegal.", {"fr"}),
        ("律师最好会塞内加尔的官方语言。", set()),
        ("律师必须会瑞士的官方语言。", set()),
    ],
)
def test_languages_of_a_twenty_seventh_round(text: str, expected: set[str]) -> None:
    assert required(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("之前跟局里说要找会匈牙利语的律师，后来想想没必要，英文能沟通就行。", set()),
        ("律师会韩文比较好，英文也可以沟通。", set()),
        ("会德语最好，英文也能沟通。", set()),
        ("In my earlier email I said French was required – please disregard, English is fine for us.", set()),
        ("本公司驻厂窗口会越南语，律师以英文或中文沟通即可。", set()),
    ],
)
def test_languages_of_a_twenty_eighth_round(text: str, expected: set[str]) -> None:
    assert required(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("> Need a Polish lawyer for construction claims. Polish required.\nThe claim was settled, so please disregard. "
         "We need Lithuanian counsel now; English is fine.", set()),
        ("All – update. Spanish is no longer a hard requirement, but it would be a plus.", set()),
        # no language requirement at all, said outright
        ("Team全部讲英文，冇语言要求。需要新加坡律师。", set()),
        ("No language requirement; the deal team works in English and the documents are in English only.", set()),
    ],
)
def test_languages_of_a_twenty_ninth_round(text: str, expected: set[str]) -> None:
    assert required(text) == expected
