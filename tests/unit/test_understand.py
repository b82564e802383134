"""Reading countries, languages and practice areas from a need typed in Chinese or English."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import pytest

from service.matching.understand import (
    Reading,
    Understanding,
    mask_places,
    read_countries,
    read_languages,
    read_practice_areas,
    understand,
    warm_up,
)


def codes(readings: list[Reading], at_least: float = 0.0) -> list[str]:
    return [r.code for r in readings if r.confidence >= at_least]


# --- countries ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我们想在哈萨克斯坦投资建厂。", "KZ"),
        ("越南的工厂要裁员。", "VN"),
        ("沙特的项目需要律师。", "SA"),
        ("阿联酋一家贸易公司欠我们货款。", "AE"),
        ("印尼的镍矿许可证快到期了。", "ID"),
        ("We are the contractor on a road project in Tanzania.", "TZ"),
        ("Our customer in Azerbaijan refused to pay.", "AZ"),
        ("We hold a mining permit in the DRC.", "CD"),
        ("A dispute with the UAE distributor.", "AE"),
        ("a distributor in Türkiye", "TR"),
        ("a distributor in Turkey", "TR"),
    ],
)
def test_reads_explicit_country(text: str, expected: str) -> None:
    found = read_countries(text)
    assert found and found[0].code == expected
    assert found[0].confidence >= 0.9


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我们想收购阿拉木图一家乳制品企业。", "KZ"),
        ("我们刚中标吉达一个输水管线项目。", "SA"),
        ("我们在胡志明市郊区的鞋厂要裁员。", "VN"),
        ("迪拜的客户拖欠货款。", "AE"),
        ("散货船在桑托斯港被扣押。", "BR"),
        ("准备在墨西哥新莱昂州设厂。", "MX"),
        ("Workers at our factory outside Phnom Penh walked out.", "KH"),
        ("A warehouse near Lagos was flooded.", "NG"),
    ],
)
def test_reads_country_through_a_city(text: str, expected: str) -> None:
    assert codes(read_countries(text))[:1] == [expected]


def test_reads_demonyms() -> None:
    assert codes(read_countries("We ship parts to a Kazakh distributor.")) == ["KZ"]
    assert codes(read_countries("A Saudi client wants to end the dealership.")) == ["SA"]
    assert codes(read_countries("We are a Thai fruit processing group.")) == ["TH"]
    assert codes(read_countries("The Vietnamese tax authority audited us.")) == ["VN"]


def test_home_country_is_never_a_target() -> None:
    assert read_countries("我们是一家中国企业，想找律师。") == []
    assert read_countries("We are a Chinese state-owned company.") == []
    assert codes(read_countries("我们是一家中国企业，在越南设厂，国内母公司提供担保。")) == ["VN"]
    assert codes(read_countries("A Chinese state-owned company builds a port in Pakistan.")) == ["PK"]
    # A Hong Kong holding company or a Hong Kong seat is not the target when one is named.
    assert codes(read_countries("Our Hong Kong holding company owns the plant in Kenya.")) == ["KE"]
    assert codes(read_countries("菲律宾客户拖欠货款，合同约定在香港仲裁。")) == ["PH"]


def test_hong_kong_alone_is_a_weak_reading() -> None:
    found = read_countries("我们准备在香港联交所上市。")
    assert codes(found) == ["HK"] and found[0].confidence <= 0.5


def test_negated_country_is_not_read() -> None:
    assert codes(read_countries("项目在柬埔寨，不是在越南。")) == ["KH"]
    assert codes(read_countries("The plant is in Cambodia, not in Vietnam.")) == ["KH"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("尼日利亚的客户", ["NG"]),
        ("尼日尔的铀矿", ["NE"]),
        ("a buyer in Nigeria", ["NG"]),
        ("a uranium mine in Niger", ["NE"]),
        ("南非对进口钢板发起保障措施调查", ["ZA"]),
        ("非洲市场很大", []),
        ("几内亚比绍的腰果", ["GW"]),
        ("赤道几内亚的油田", ["GQ"]),
        ("巴布亚新几内亚的矿", ["PG"]),
        ("几内亚的铝土矿", ["GN"]),
        ("a project in Papua New Guinea", ["PG"]),
        ("a bauxite mine in Guinea", ["GN"]),
        ("刚果（金）的铜钴矿", ["CD"]),
        ("刚果（布）的港口", ["CG"]),
        ("南苏丹的油田", ["SS"]),
        ("货物经印度洋运输", []),
    ],
)
def test_longest_match_wins(text: str, expected: list[str]) -> None:
    assert codes(read_countries(text)) == expected


def test_language_names_are_not_countries() -> None:
    assert read_countries("需要会葡萄牙语的律师") == []
    assert read_countries("We need a lawyer fluent in Portuguese.") == []
    assert codes(read_countries("需要会葡萄牙语的律师处理巴西的项目")) == ["BR"]


def test_forum_and_law_mentions_are_weaker() -> None:
    found = {r.code: r.confidence for r in read_countries(
        "我们在哈萨克斯坦总包了一个风电项目，合同约定在新加坡仲裁。")}
    assert found["KZ"] >= 0.9 and found["SG"] < 0.9
    found = {r.code: r.confidence for r in read_countries(
        "We ship to Kazakhstan; the bank cites EU and US sanctions.")}
    assert found["KZ"] >= 0.9 and found["US"] < 0.9


def test_conventions_named_after_places_are_not_places() -> None:
    assert read_countries("Enforced a CIETAC award in Indonesia under the New York Convention")[0].code == "ID"
    assert codes(read_countries("under the New York Convention")) == []
    assert codes(read_countries("通过马德里国际注册指定南非")) == ["ZA"]


def test_mask_places() -> None:
    assert mask_places("我们想在哈萨克斯坦阿拉木图收购一家公司") == "我们想在某国某地收购一家公司"
    masked = mask_places("A Kazakh distributor in Almaty, Kazakhstan")
    assert "Kazakh" not in masked and "Almaty" not in masked
    assert masked == "A foreign distributor in the city, the country"
    assert mask_places("需要会俄语") == "需要会俄语"


# --- languages -------------------------------------------------------------------------------


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
        ("最好懂西语。", "es"),
        ("We need French-speaking counsel.", "fr"),
        ("The lawyer must be fluent in Portuguese.", "pt"),
        ("Our counsel must speak Russian.", "ru"),
        ("We need a Spanish-speaking lawyer.", "es"),
        ("当地政府文件多是阿拉伯语，律师需要能看懂。", "ar"),
    ],
)
def test_reads_required_language(text: str, expected: str) -> None:
    found = read_languages(text)
    assert codes(found) == [expected]
    assert found[0].confidence >= 0.8


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


# --- practice areas ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("合同约定在新加坡仲裁，我们想启动仲裁。", "international_arbitration"),
        ("土耳其对我们出口的涤纶长丝发起了反倾销调查。", "trade_remedies"),
        ("South Africa opened a safeguard investigation into steel imports.", "trade_remedies"),
        ("我们的最大客户被列入了实体清单。", "export_control_sanctions"),
        ("Our bank cites OFAC sanctions and asks for end-user statements.", "export_control_sanctions"),
        ("我们的商标被当地公司抢注了。", "intellectual_property"),
        ("The importer registered our trademark in its own name.", "intellectual_property"),
        ("业主在FIDIC黄皮书基础上大改了合同。", "construction_infrastructure"),
        ("We need help with an extension of time claim under the FIDIC Red Book.", "construction_infrastructure"),
        ("我们计划开发一个光伏电站。", "energy_resources"),
        ("工厂准备裁员，工会要求提高补偿。", "labor_employment"),
        ("We need work permits for 200 engineers.", "labor_employment"),
        ("税务局认为我们的转让定价不合理。", "tax"),
        ("The tax authority says we have a permanent establishment.", "tax"),
        ("散货船被扣押，涉及提单纠纷。", "maritime_logistics"),
        ("The owner refuses our off-hire deduction under the charter.", "maritime_logistics"),
        ("我们在亚马逊上开的店铺被封了。", "cross_border_ecommerce"),
        ("Our marketplace seller accounts were suspended.", "cross_border_ecommerce"),
        ("员工个人信息要传回国内总部，涉及数据出境。", "data_privacy"),
        ("We need a DPIA under the GDPR.", "data_privacy"),
        ("交易可能需要向当地竞争管理局进行经营者集中申报。", "antitrust"),
        ("CADE opened a price-fixing probe and we consider leniency.", "antitrust"),
        ("开证行以单据不符为由拒付信用证。", "international_trade_contracts"),
        ("We want to terminate our exclusive dealer agreement.", "international_trade_contracts"),
        ("想把境外投资备案和发改委的手续理顺。", "outbound_investment"),
        ("We plan a joint venture and need due diligence on the target.", "outbound_investment"),
        ("银行要求母公司提供担保并设立抵押，我们要贷款。", "finance_capital_markets"),
        ("The supplier filed for bankruptcy and the administrator runs a sale.", "restructuring_insolvency"),
        ("A foreign investor wants to set up a WFOE; is the sector on the negative list?", "inbound_investment"),
        ("子公司员工举报项目经理收取回扣，需要内部调查。", "compliance_anticorruption"),
        ("We face FCPA exposure for facilitation payments.", "compliance_anticorruption"),
        ("对方在当地法院起诉了我们，法院已经排期开庭。", "cross_border_litigation"),
        ("We need to freeze the debtor's bank accounts before we sue.", "cross_border_litigation"),
    ],
)
def test_reads_practice_area_by_lexicon(text: str, expected: str) -> None:
    found = read_practice_areas(text)
    assert found and found[0].code == expected, found
    assert found[0].evidence


def test_several_areas_can_be_read() -> None:
    found = codes(read_practice_areas(
        "我们在哈萨克斯坦总包了一个EPC项目，业主扣了进度款，合同约定仲裁，想提起仲裁索赔。"))
    assert {"construction_infrastructure", "international_arbitration"} <= set(found)


def test_areas_far_below_the_best_are_dropped() -> None:
    found = read_practice_areas("反倾销调查问卷，数据很多。", margin=0.35)
    best = found[0].confidence
    assert all(r.confidence >= best - 0.35 for r in found)
    assert found[0].code == "trade_remedies"


def test_nothing_read_from_empty_text() -> None:
    assert read_practice_areas("") == []
    assert read_countries("") == [] and read_languages("") == []


class _FakeEncoder:
    """Puts every text mentioning 'ship' near the maritime descriptions, for the arithmetic."""

    name = "fake"
    dim = 4

    def _vec(self, text: str) -> np.ndarray:
        low = text.lower()
        v = np.array([1.0 if ("ship" in low or "cargo" in low or "海事" in text or "maritime" in low) else 0.0,
                      0.2, 0.1 * (len(text) % 3), 0.05])
        return v / np.linalg.norm(v)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._vec(t) for t in texts]).astype(np.float32)

    encode_documents = encode_queries


def test_similarity_can_carry_an_area_without_lexicon_terms() -> None:
    text = "Our ship cannot leave."
    without = {r.code for r in read_practice_areas(text)}
    with_enc = read_practice_areas(text, encoder=_FakeEncoder())
    assert "maritime_logistics" in {r.code for r in with_enc}
    assert with_enc[0].code == "maritime_logistics"
    assert len(without) <= 1


@pytest.fixture(scope="module")
def encoder():  # type: ignore[no-untyped-def]
    from embeddings.encoder import load_encoder

    return load_encoder()


def test_real_encoder_agrees_with_lexicon(encoder) -> None:  # type: ignore[no-untyped-def]
    found = read_practice_areas("土耳其贸易部对我们出口的涤纶长丝发起了倾销调查，要求在37天内答完问卷。", encoder)
    assert found[0].code == "trade_remedies" and found[0].confidence >= 0.9
    found = read_practice_areas(
        "We time-chartered a Supramax; the owner threatens a lien on the cargo at the discharge port.",
        encoder)
    assert found[0].code == "maritime_logistics"


def test_real_encoder_reads_a_need_without_keywords(encoder) -> None:  # type: ignore[no-untyped-def]
    found = read_practice_areas("the vessel ran aground and the hull was damaged", encoder)
    assert "maritime_logistics" in codes(found)


# --- the whole reading ---------------------------------------------------------------------------


def test_understand_a_chinese_need() -> None:
    u = understand("我们想收购阿拉木图一家乳制品企业70%的股权，希望律师带队做法律尽职调查，团队里需要有人会俄语。")
    assert isinstance(u, Understanding)
    assert codes(u.countries) == ["KZ"]
    assert codes(u.languages) == ["ru"]
    assert u.practice_areas[0].code == "outbound_investment"
    d = u.to_dict()
    assert d["countries"][0] == {"code": "KZ", "confidence": u.countries[0].confidence, "evidence": "阿拉木图"}


def test_understand_an_english_need() -> None:
    u = understand("Argentina has opened a dumping investigation into porcelain tiles from China. "
                   "We need a team that can answer the questionnaire in Spanish.")
    assert codes(u.countries) == ["AR"]
    assert codes(u.languages) == ["es"]
    assert u.practice_areas[0].code == "trade_remedies"


def test_reading_is_fast() -> None:
    warm_up()
    text = ("我们在哈萨克斯坦总包了一个100兆瓦的风电场项目，业主以工期延误为由扣了约800万美元进度款，"
            "还要求我们承担误期罚款。合同约定在新加坡仲裁，需要做过工程争议、会俄语的律师。") * 2
    start = time.perf_counter()
    for _ in range(50):
        understand(text)
    per_need = (time.perf_counter() - start) / 50
    assert per_need < 0.01
