"""Reading practice areas: the lexicon, similarity to the areas' descriptions, the directory's vote."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from service.matching.reading import (
    mask_places,
    read_countries,
    read_languages,
    read_need_practice,
    read_practice_areas,
)
from service.matching.reading.practice import NEIGHBOUR_PASSAGES
from tests.unit._readings import codes


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
        ("We run a crypto exchange and need a virtual asset licence in Dubai.", "finance_capital_markets"),
        ("想在香港申请虚拟资产交易平台牌照。", "finance_capital_markets"),
        ("Transfer of a subsoil use contract in Atyrau needs the ministry's waiver.", "energy_resources"),
        ("收购对方持有的探矿权和采矿权。", "energy_resources"),
        ("我们的光伏组件在美国被双反了，要应诉。", "trade_remedies"),
        ("Our plant was picked as a mandatory respondent in the AD/CVD case.", "trade_remedies"),
        ("Compare a regional HQ in a free zone with a mainland company: foreign ownership limits.", "outbound_investment"),
        # payments, funds, consumer authorities, dismissals, investment screening, strategic trade
        ("The former managing director has taken us to the prud'hommes over his dismissal.", "labor_employment"),
        ("董事会要解聘当地总经理，他还有一份劳动合同。", "labor_employment"),
        ("We want a PSP licence from the central bank so our wallet app can take card payments.", "finance_capital_markets"),
        ("想做跨境支付业务，要申请当地的支付机构牌照。", "finance_capital_markets"),
        ("We plan to set up a VCC in Singapore as the platform for our funds.", "finance_capital_markets"),
        ("The regulator says our loot boxes and countdown offers are dark patterns.", "cross_border_ecommerce"),
        ("当地消费者保护机构对我们的APP立案，说自动续费没有提示。", "cross_border_ecommerce"),
        ("The provincial privacy commissioner asks for our privacy impact assessment.", "data_privacy"),
        ("We want a quick view whether a 20% stake and a board seat trigger a mandatory notification under the NSIA.", "outbound_investment"),
        ("想确认这笔投资是否需要向当地申请FDI prior authorisation，以及golden power的风险。", "outbound_investment"),
        ("The sale of the Dutch unit needs the ondernemingsraad's advice first.", "labor_employment"),
        ("Our data centre needs a Strategic Trade permit from MITI for the GPUs.", "export_control_sanctions"),
        ("A competitor's lawyers sent an Abmahnung: our Widerrufsrecht notice and Impressum are incomplete.", "cross_border_ecommerce"),
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
    version = "1"
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


# --- a need's reading, with the directory's vote ---------------------------------------------------


def test_the_nearest_worked_examples_vote() -> None:
    asked: list[tuple[np.ndarray, int]] = []

    def neighbours(vector: np.ndarray, k: int) -> list[tuple[float, str | None]]:
        asked.append((vector, k))
        return [(0.9, "tax"), (0.89, None), (0.88, "tax"), (0.5, "antitrust")]

    text = "We want to start an arbitration in Kazakhstan."
    found = read_need_practice(text, _FakeEncoder(), neighbours)
    # the vote is over the neighbours of the text the passage search encodes: places masked
    assert asked[0][1] == NEIGHBOUR_PASSAGES
    assert np.array_equal(asked[0][0], _FakeEncoder().encode_queries([mask_places(text)])[0])
    by_code = {r.code: r for r in found}
    assert found[0].code == "international_arbitration"  # the need's own words weigh most
    assert by_code["tax"].evidence == "similar matters in the directory"
    assert "antitrust" not in by_code  # far below the nearest passage, its vote is negligible


def test_without_neighbours_the_lexicon_decides() -> None:
    text = "We want to start an arbitration."
    alone = read_practice_areas(text, _FakeEncoder(), similarity_text=mask_places(text))
    found = read_need_practice(text, _FakeEncoder(), lambda vector, k: [])
    assert (found[0].code, found[0].confidence) == (alone[0].code, alone[0].confidence)


def test_the_lawyer_asked_for_names_the_matter() -> None:
    found = read_need_practice("我们在哈萨克斯坦总包了一个EPC风电项目，业主扣了进度款，需要仲裁律师。",
                               _FakeEncoder(), lambda vector, k: [])
    assert found[0].code == "international_arbitration"


def test_a_proceeding_asked_for_keeps_the_matter_it_is_about() -> None:
    def litigation_passages(vector: np.ndarray, k: int) -> list[tuple[float, str | None]]:
        return [(0.9, "cross_border_litigation")] * 10

    text = ("日本客户说我们的模具侵犯他们专利 在东京地方法院起诉我们了 要找日本律师应诉 律师会不会日语无所谓 "
            "关键得会中文 不会中文的就算了")
    found = [r.code for r in read_need_practice(text, _FakeEncoder(), litigation_passages)]
    assert found[:2] == ["cross_border_litigation", "intellectual_property"]
    # an industry named as the setting does not ride along
    wind = read_need_practice("我们在哈萨克斯坦总包了一个EPC风电项目，业主扣了进度款，需要仲裁律师。",
                              _FakeEncoder(), lambda vector, k: [])
    assert wind[0].code == "international_arbitration"


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


def test_a_side_matter_said_by_the_way_does_not_lead() -> None:
    found = {r.code: r.confidence for r in read_need_practice(
        "我们的水泥厂EPC项目要在塔什干注册branch，顺便看下tax registration。", _FakeEncoder(), lambda vector, k: [])}
    also = {r.code: r.confidence for r in read_need_practice(
        "我们的水泥厂EPC项目要在塔什干注册branch，还要看下tax registration。", _FakeEncoder(), lambda vector, k: [])}
    assert max(found, key=found.__getitem__) == "outbound_investment"
    assert found.get("tax", 0.0) < also["tax"]  # "顺便" makes it a side matter, "还要" does not


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a plant or JV going into a Chinese city, and nowhere else, is a foreign investor's
        ("Our parent in Osaka plans a JV with a local partner in Wuxi for battery separators. Need counsel for the JV contract.",
         "inbound_investment"),
        ("德国总部想在合肥再建个新厂，要找律师做项目备案和土地", "inbound_investment"),
        # a Chinese city that is only where we are, or where we built before, leaves the investment outbound
        ("我们公司在青岛，想去越南合资建厂", "outbound_investment"),
        ("我们在苏州建厂的经验不少，现在想在泰国合资设厂", "outbound_investment"),
    ],
)
def test_an_investment_into_a_chinese_city_is_inbound(text: str, expected: str) -> None:
    found = read_need_practice(text, _FakeEncoder(), lambda vector, k: [])
    assert found[0].code == expected


def test_a_project_dispute_keeps_its_industry_just_behind_the_proceeding() -> None:
    text = "摩洛哥那个住房项目业主欠我们工程款快两年了，调解没用，公司决定起诉。有没有能在拉巴特出庭的律师？"
    found = read_need_practice(text, _FakeEncoder(), lambda vector, k: [])
    assert [r.code for r in found[:2]] == ["cross_border_litigation", "construction_infrastructure"]
    assert found[1].confidence >= 0.95 * found[0].confidence  # not a setting far behind the matter


def test_a_project_dispute_asked_without_naming_the_lawyer_keeps_its_industry() -> None:
    text = "突尼斯那个2000套住房项目，业主拖了18个月的工程款，调解也没用。公司准备起诉，有没有能在突尼斯出庭的？"
    found = read_need_practice(text, _FakeEncoder(), lambda vector, k: [])
    assert [r.code for r in found[:2]] == ["cross_border_litigation", "construction_infrastructure"]
    assert found[1].confidence >= 0.95 * found[0].confidence


def test_a_project_dispute_asked_beside_another_question_keeps_its_industry() -> None:
    # the asking clause names the proceeding and something else: the project is still what the dispute is about
    text = ("加纳那个变电站EPC项目，业主已经拖了三期进度款，还扣了我们的履约保函。我们想申请仲裁，"
            "顺带想问下当地的外汇汇出有没有限制。")
    found = read_need_practice(text, _FakeEncoder(), lambda vector, k: [])
    assert "construction_infrastructure" in [r.code for r in found[:2]], found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "…了没有" and "有没有" ask; they do not negate what follows
        ("之前的隐私影响评估做了没有、数据出境要不要申报，想找律师看看。", "data_privacy"),
        ("想问下这批二手设备出口有没有出口管制的问题。", "export_control_sanctions"),
    ],
)
def test_a_yes_no_question_is_not_a_negation(text: str, expected: str) -> None:
    assert read_practice_areas(text)[0].code == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # franchising, e-money and payment licences, consumer lending, the UK's NSI Act
        ("老板：先签沙特的 master franchise，加盟协议里的授权条款要跟上。", "international_trade_contracts"),
        ("Jerry：英国 EMI 的申请下周提交，立陶宛那边也要一个。", "finance_capital_markets"),
        ("CEO：加纳 PSSP license 材料准备到哪了", "finance_capital_markets"),
        ("墨西哥的现金贷APP被CONDUSEF点名了，要找律师应对。", "finance_capital_markets"),
        ("Taking 30% of a chip start-up in Leeds, so the NSI Act notification has to be filed before signing.", "outbound_investment"),
    ],
)
def test_jargon_of_a_twenty_eighth_round(text: str, expected: str) -> None:
    assert read_practice_areas(text)[0].code == expected
