"""A matter the writer puts off ("这个不急", "but that can wait") or says is handled already
("仲裁那块我们已经有团队了") counts far less for the practice areas than the matter asked for now."""

from __future__ import annotations

import numpy as np
import pytest

from embeddings.encoder import Encoder
from service.matching.reading import practice, read_need_practice
from service.matching.reading.practice import DEFERRED_WEIGHT, asked_practice_areas, requested_practice_areas


def _scores(text: str) -> dict[str, float]:
    """The lexicon evidence of each area (read_practice_areas drops what falls under 0.25)."""
    return {code: score for code, (score, _) in practice._lexicon_scores(text).items()}


def _no_directory(vector: np.ndarray, k: int) -> list[tuple[float, str | None]]:
    return []


@pytest.mark.parametrize(
    ("text", "deferred"),
    [
        ("需要开罗的律师帮我们审PPA和政府担保函。顺便说一下，项目公司有几个本地员工闹劳动仲裁，这个不急，先别管。",
         "labor_employment"),
        ("需要当地税务律师应对常设机构的补税。另外分公司后面可能要裁一批本地员工，那个以后再说。", "labor_employment"),
        ("先要搞公司设立和BOI优惠申请。后面厂房的施工总包合同也会要律师看，但那是第二步。", "construction_infrastructure"),
        ("We need counsel to review the PPA with the grid company. Two local staff filed a labour claim, but that can wait.",
         "labor_employment"),
        ("We need counsel to review the PPA with the grid company. The layoffs at the plant are not urgent for now.",
         "labor_employment"),
        ("We need counsel to review the PPA with the grid company. There is also a VAT refund stuck, we'll deal with that later.",
         "tax"),
    ],
)
def test_a_deferred_matter_counts_less_but_still_counts(text: str, deferred: str) -> None:
    found = _scores(text)
    assert 0.0 < found.get(deferred, 0.0) <= DEFERRED_WEIGHT + 0.05, found
    assert max(found, key=found.__getitem__) != deferred


def test_the_deferred_area_is_not_the_one_asked_or_requested() -> None:
    text = "先要搞公司设立和BOI优惠申请。后面厂房的施工总包合同也会要律师看，但那是第二步。"
    assert "construction_infrastructure" not in requested_practice_areas(text)
    text = "领导意思仲裁先不急，先要当地律师帮我们按20.1条把索赔通知和EOT申请弄出来。"
    assert "international_arbitration" not in asked_practice_areas(text)
    assert "construction_infrastructure" in asked_practice_areas(text)


def test_labour_arbitration_is_a_labour_matter() -> None:
    found = _scores("本地员工闹劳动仲裁")
    assert "labor_employment" in found and "international_arbitration" not in found


@pytest.mark.parametrize(
    ("text", "covered", "kept"),
    [
        # the area named where the writer says it is covered is put off wherever it is named
        ("是个road project的EPC，现在有个delay claim。合同是Ivorian law，ICC arbitration seat在Paris，"
         "但arbitration那块我们已经有Paris的team了，local counsel主要是帮我们prepare notice of claim。",
         "international_arbitration", "construction_infrastructure"),
        ("We need an EU product compliance lawyer for the recall procedure on our marketplace listings. "
         "VAT/OSS is handled by our tax agent.", "tax", "cross_border_ecommerce"),
        ("要收购当地一家水泥厂100%股权，需要律师做尽职调查。反垄断申报我们已经找了当地的律所。", "antitrust",
         "outbound_investment"),
        ("我们要审PPA。项目公司的税务结构，我们的税务顾问已经在看了。", "tax", "energy_resources"),
    ],
)
def test_a_matter_already_in_other_hands_counts_less(text: str, covered: str, kept: str) -> None:
    found = _scores(text)
    assert found.get(covered, 0.0) <= DEFERRED_WEIGHT + 0.05 < found[kept], found


def test_a_team_on_site_is_no_cover() -> None:
    assert _scores("我们已经有施工团队在现场，需要律师处理工期索赔。")["construction_infrastructure"] >= 0.9


def test_the_other_side_having_lawyers_is_no_cover() -> None:
    assert _scores("对方已经请了律师起诉我们，我们需要应诉。")["cross_border_litigation"] >= 0.9
    text = "The claimant already has a big firm suing us in court."
    assert _scores(text)["cross_border_litigation"] == _scores(text.replace("already has a big firm ", ""))[
        "cross_border_litigation"]


def test_an_area_asked_for_elsewhere_is_not_put_off() -> None:
    # "tax" is asked for in the first clause; only the VAT clause is in other hands
    asked = "We need a Saudi tax lawyer for the objection to the assessment."
    assert _scores(f"{asked} The VAT refund is handled by our agent.")["tax"] >= _scores(asked)["tax"]


def test_a_negated_matter_still_counts_nothing() -> None:
    assert "cross_border_litigation" not in _scores("不需要诉讼，只要做反腐合规审查，这个不急")


def test_the_need_reading_puts_the_deferred_matter_last(encoder: Encoder) -> None:
    text = ("埃及那边500MW风电，跟EETC的购电协议(PPA)下个月要谈最终稿，需要开罗的律师帮我们审PPA和政府担保函。"
            "顺便说一下，项目公司有几个本地员工闹劳动仲裁，这个不急，先别管。")
    found = [r.code for r in read_need_practice(text, encoder, _no_directory)]
    assert found[0] == "energy_resources"
    assert "labor_employment" not in found[:1] and "international_arbitration" not in found[:2]


def test_an_area_in_other_hands_in_one_place_and_asked_for_in_another_counts_in_full() -> None:
    text = ("我们正在收购一家德国公司，目标公司在土耳其、巴西和南非有子公司。德国和欧盟层面的经营者集中申报已经交给法兰克福的律所了。"
            "现在需要土耳其、巴西、南非三地的反垄断申报分析。")
    assert _scores(text)["antitrust"] > 0.9


@pytest.mark.parametrize(
    ("text", "deferred"),
    [
        ("需孟加拉国律师向达卡高等法院申请禁令阻止保函兑付。仲裁部分由集团法务部另行委托，不在本次需求范围内。",
         "international_arbitration"),
        ("We need counsel to get the injunction against the bond call. The arbitration itself is handled separately.",
         "international_arbitration"),
    ],
)
def test_a_matter_handed_elsewhere_or_out_of_scope_counts_less(text: str, deferred: str) -> None:
    found = _scores(text)
    assert 0.0 < found.get(deferred, 0.0) <= DEFERRED_WEIGHT + 0.05, found


def test_the_union_of_a_bloc_is_no_trade_union() -> None:
    assert "labor_employment" not in _scores("The investigation is run by the Commission for the Union as a whole.")
    assert "labor_employment" in _scores("The union called a strike at the plant.")


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("摩洛哥丹吉尔设汽配厂需要什么许可?", "outbound_investment"),
        ("想去墨西哥建个电池工厂", "outbound_investment"),
        ("tanzania TRA VAT assessment objection", "tax"),
        ("Tunisia INPDP authorisation for CCTV at our plant", "data_privacy"),
    ],
)
def test_words_of_an_eighth_round(text: str, area: str) -> None:
    found = _scores(text)
    assert max(found, key=found.__getitem__) == area, found


def test_a_plant_not_set_up_is_no_investment() -> None:
    assert "outbound_investment" not in _scores("我们不打算在越南设厂，只是出口")


@pytest.mark.parametrize(
    ("text", "deferred"),
    [
        ("要先准备工期延长和索赔资料、回总包的函，现在还没到仲裁那一步。", "international_arbitration"),
        ("Advise on whether the permit cancellation was lawful. Investment treaty arbitration is not on the table.",
         "international_arbitration"),
        ("Need Mongolian counsel on the price formula. Our Singapore counsel will run the arbitration if it comes to that.",
         "international_arbitration"),
    ],
)
def test_a_later_stage_counts_less(text: str, deferred: str) -> None:
    found = _scores(text)
    assert 0.0 < found.get(deferred, 0.0) <= DEFERRED_WEIGHT + 0.05, found


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("EUIPO opposition against our EUTM application, need EU TM counsel", "intellectual_property"),
        ("MACC questioned two of our staff under section 17A", "compliance_anticorruption"),
        ("national security review under the Investment Canada Act for our stake in a lithium explorer", "outbound_investment"),
        ("adopt the ASEAN Model Contractual Clauses for intra-group transfers of employee data", "data_privacy"),
        ("萨尔塔的盐湖项目想申请RIGI，准备申请材料", "outbound_investment"),
    ],
)
def test_words_of_a_fourteenth_round(text: str, area: str) -> None:
    found = _scores(text)
    assert max(found, key=found.__getitem__) == area, found


def test_an_industry_the_asking_sentence_names_stays_beside_the_action(encoder: Encoder) -> None:
    text = "我们是光伏EPC的分包，总包以工期延误为由兑付了我们的履约保函，想找律师看看怎么反制、要不要向法院申请禁令。"
    found = [r.code for r in read_need_practice(text, encoder, _no_directory)]
    assert found[:2] and "construction_infrastructure" in found[:2], found
    # ... while an industry told only as the background is still the setting of the matter asked for
    text = "我们在秘鲁有个铜矿。现在想依据双边投资协定对秘鲁政府提起ICSID仲裁，请推荐仲裁律师。"
    found = [r.code for r in read_need_practice(text, encoder, _no_directory)]
    assert found[0] == "international_arbitration", found


def test_an_investor_taking_a_stake_in_us_is_inbound(encoder: Encoder) -> None:
    text = "那个迪拜的投资人想入股我们公司百分之十五，要做外资变更备案，找国内律师就行"
    found = [r.code for r in read_need_practice(text, encoder, _no_directory)]
    assert found[0] == "inbound_investment", found


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("ADGM的律师做基金架构、FSRA牌照和基金管理人设立", "finance_capital_markets"),
        ("selling cross-border into Korea via Coupang and our own Cafe24 store", "cross_border_ecommerce"),
        ("The KC certification for children's products was issued to our former importer", "compliance_anticorruption"),
    ],
)
def test_words_of_a_fifteenth_round(text: str, area: str) -> None:
    found = _scores(text)
    assert max(found, key=found.__getitem__) == area, found


def test_a_fund_leading_our_series_b_is_inbound(encoder: Encoder) -> None:
    text = "阿布扎比一家基金准备领投我们B轮，要求我们这边出中国法意见：外资准入负面清单、要不要做安全审查。找国内律所做就可以。"
    found = [r.code for r in read_need_practice(text, encoder, _no_directory)]
    assert found[0] == "inbound_investment", found
