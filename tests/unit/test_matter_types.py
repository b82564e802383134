"""Matter types: the kinds of work within a practice area, read from profile sentences and needs,
and what they change in the score and the reasons."""

from __future__ import annotations

import json
from types import SimpleNamespace

import numpy as np
import pytest

from service import taxonomy
from service.matching import explain, scoring
from service.matching.catalog.facts import FactTable
from service.matching.need import NeedQuery, Term
from service.matching.profile import LawyerFacts, read_profile
from service.matching.reading.matters import matter_name, passage_matters, read_matters, read_need_matters
from service.matching.reading.text import load_lexicon


def test_every_area_has_a_type_for_each_of_its_covers() -> None:
    areas = load_lexicon("matters")["areas"]
    assert set(areas) == set(taxonomy.PRACTICE_AREAS)
    for code, area in taxonomy.PRACTICE_AREAS.items():
        assert [entry["covers"] for entry in areas[code].values()] == list(area.covers)
        assert all(entry["zh"] and len(entry["terms"]) >= 5 for entry in areas[code].values()), code


@pytest.mark.parametrize(
    ("sentence", "area", "expected"),
    [
        ("Defended a Chinese chemicals company in a transfer pricing audit in Myanmar, supporting its comparable set.", "tax", "tax/transfer_pricing"),
        ("曾就波兰税务机关以主要目的测试拒绝给予协定待遇的问题，为某电子企业启动相互协商程序。", "tax", "tax/treaties"),
        ("就中方技术人员在马来西亚提供现场服务是否构成服务型常设机构，出具税务分析意见。", "tax", "tax/pe_withholding"),
        ("Represented a Chinese private buyer in a competitive auction for a family-owned business, negotiating locked-box pricing.",
         "outbound_investment", "outbound_investment/acquisitions"),
        ("协助中国船东应对船舶在缅甸港口被扣押，通过提供担保在数日内使船舶获释。", "maritime_logistics", "maritime_logistics/ship_arrest_charter"),
        ("Challenged a refusal by an issuing bank to honour a letter of credit over alleged discrepancies, relying on UCP 600.",
         "international_trade_contracts", "international_trade_contracts/lc_payment"),
        ("为格鲁吉亚项目审阅投标保函、预付款保函及履约保函格式。", "construction_infrastructure", "construction_infrastructure/tendering_bonds"),
    ],
)
def test_profile_sentences_name_their_type(sentence: str, area: str, expected: str) -> None:
    assert [r.code for r in passage_matters(sentence, [area])][:1] == [expected]


def test_a_sentence_is_read_only_for_the_lawyers_own_areas() -> None:
    sentence = "Defended a Chinese company in a transfer pricing audit and drafted its distribution agreements."
    assert {r.code for r in passage_matters(sentence, ["tax"])} == {"tax/transfer_pricing"}
    assert "tax/transfer_pricing" not in {r.code for r in passage_matters(sentence, ["international_trade_contracts"])}


def test_a_negated_kind_of_work_is_not_read() -> None:
    assert "antitrust/merger_filing" not in {r.code for r in read_matters("not a merger filing, a cartel investigation", ["antitrust"])}


def test_the_directory_votes_where_the_need_has_no_words_for_its_type() -> None:
    need = "越南税务局检查后认为我们的关联方价格偏低，要补缴企业所得税"  # no transfer-pricing term of its own
    neighbours = [(0.62, "tax/transfer_pricing"), (0.60, "tax/transfer_pricing"), (0.55, "tax/treaties"), (0.58, "tax")]
    read = read_need_matters(need, "tax", neighbours)
    assert read[0].code == "tax/transfer_pricing"
    assert read_need_matters(need, "tax", []) == []  # its words alone name no type
    assert read_need_matters(need, "tax", [(0.6, "tax"), (0.5, None)]) == []  # a sentence labelled with the area only


def test_words_and_votes_agree_on_the_surest_type() -> None:
    read = read_need_matters("印尼子公司分红的预提税能否按税收协定降到10%，需要税收居民身份证明", "tax",
                             [(0.6, "tax/treaties"), (0.58, "tax/pe_withholding")])
    assert read[0].code == "tax/treaties"


class _Passage(SimpleNamespace):
    pass


def _profile(areas: list[str], sentences: list[str]) -> SimpleNamespace:
    return SimpleNamespace(
        id=7, firm="f", firm_en=None, years_of_practice=10, talent_pools=[], languages=[{"code": "zh", "level": "native"}],
        countries=["VN"], offices=[], practice_areas=areas, adverse_parties=[], at_capacity=False, track_record={},
        passages=[_Passage(id=100 + i, text=t) for i, t in enumerate(sentences)],
    )


def test_a_profile_holds_the_types_of_its_own_areas_and_labels_its_sentences_with_them() -> None:
    facts, labels = read_profile(_profile(["tax"], [
        "Defended a Chinese electronics company in a transfer pricing audit in Vietnam, supporting its arm's length range.",
        "Registered trademarks for a tea brand across ASEAN.",  # not one of the lawyer's areas
        "Holds a PhD in international law.",
    ]))
    assert facts.matters == frozenset({"tax/transfer_pricing"})
    assert labels[100] == "tax/transfer_pricing"
    assert labels[102] is None


def _lawyer(lawyer_id: int, matters: frozenset[str]) -> LawyerFacts:
    return LawyerFacts(
        id=lawyer_id, firm_key=f"f{lawyer_id}", years_of_practice=10, talent_pools=(), languages={"zh": "native"},
        declared_countries=frozenset({"VN"}), office_countries=frozenset(), read_countries=frozenset(),
        declared_practice=frozenset({"tax"}), read_practice=frozenset(), matters=matters,
    )


def test_the_lawyer_who_handled_the_very_type_of_matter_earns_more_of_the_matter_term() -> None:
    table = FactTable()
    table.link(_lawyer(1, frozenset({"tax/transfer_pricing"})))
    table.link(_lawyer(2, frozenset({"tax/treaties"})))
    table.link(_lawyer(3, frozenset()))
    need = NeedQuery("transfer pricing audit in Vietnam", practice_areas=(Term("tax", 1.0, "given"),),
                     matters=(Term("tax/transfer_pricing", 0.8, "read"), Term("tax/treaties", 0.2, "read")))
    similarity = np.array([0.40, 0.45, 0.45])  # the other two's closest sentences are a little closer
    matter = scoring.components(need, table, np.array([1, 2, 3]), similarity).matter
    assert matter[0] > matter[1] > matter[2]
    close = scoring.matter_score(similarity)
    assert matter[0] == pytest.approx((1 - scoring.MATTER_TYPE_SHARE) * close[0] + scoring.MATTER_TYPE_SHARE)
    # without a type read, the term is the similarity alone
    plain = scoring.components(NeedQuery("tax", practice_areas=need.practice_areas), table, np.array([1, 2, 3]), similarity).matter
    assert plain.tolist() == pytest.approx(close.tolist())


def test_an_unsure_type_counts_less() -> None:
    table = FactTable()
    table.link(_lawyer(1, frozenset({"tax/transfer_pricing"})))
    table.link(_lawyer(2, frozenset()))
    ids, similarity = np.array([1, 2]), np.array([0.4, 0.4])
    sure = NeedQuery("tp", matters=(Term("tax/transfer_pricing", 0.9, "read"),))
    unsure = NeedQuery("tp", matters=(Term("tax/transfer_pricing", 0.3, "read"),))
    gap_sure = np.diff(scoring.components(sure, table, ids, similarity).matter)[0]
    gap_unsure = np.diff(scoring.components(unsure, table, ids, similarity).matter)[0]
    assert gap_sure < gap_unsure < 0


@pytest.mark.parametrize(("locale", "said"), [("en", "Has handled this kind of matter: transfer pricing"), ("zh", "办理过同类事务：转让定价")])
def test_the_reasons_say_the_kind_of_work_handled(locale: str, said: str) -> None:
    need = NeedQuery("tp", practice_areas=(Term("tax", 1.0, "given"),),
                     matters=(Term("tax/transfer_pricing", 0.8, "read"), Term("tax/treaties", 0.1, "read")))
    lawyer = _lawyer(1, frozenset({"tax/transfer_pricing", "tax/treaties"}))
    agreement = explain.agreement(need, lawyer)
    assert agreement.matters == ["tax/transfer_pricing"]  # a type read far less surely is not said
    assert said in agreement.reasons(locale, None, lawyer)
    assert agreement.matched()["matter_types"] == ["tax/transfer_pricing"]
    assert matter_name("tax/transfer_pricing", locale) in said


def test_the_matter_lexicon_is_valid_json_with_weights_in_range() -> None:
    areas = load_lexicon("matters")["areas"]
    weights = [w for area in areas.values() for entry in area.values() for w in entry["terms"].values()]
    assert weights and all(0.0 <= w <= 1.0 for w in weights)
    json.dumps(areas)  # plain data


def test_a_need_reads_the_types_of_every_area_that_could_lead_it() -> None:
    from service.matching.engine import MatchEngine

    text = "柬埔寨的BOT电站，特许经营协议里的电价调整机制有争议"
    areas = (Term("energy_resources", 0.7, "read"), Term("construction_infrastructure", 0.6, "read"), Term("tax", 0.2, "read"))
    found = {t.code: t.confidence for t in MatchEngine._read_matters(text, areas, [])}
    assert "construction_infrastructure/ppp_concession" in found  # the second area's kind of work
    assert found["construction_infrastructure/ppp_concession"] < 0.95  # weighed by its area's weight
    assert not any(code.startswith("tax/") for code in found)  # an area too weak to lead


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kenya Revenue Authority says our engineers' 5-month stay created a taxable presence", "tax/pe_withholding"),
        ("越南的竞争局说我们和另外两家企业约定了价格，要罚款", "antitrust/cartel"),
        ("do we need competition clearance before closing the acquisition?", "antitrust/merger_filing"),
    ],
)
def test_need_words_for_kinds_of_work(text: str, expected: str) -> None:
    assert read_matters(text)[0].code == expected
