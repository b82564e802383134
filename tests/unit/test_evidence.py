"""Which of a result's passages is quoted as its evidence."""

from __future__ import annotations

from service.matching import explain
from service.matching.need import NeedQuery, given


def _need(description: str, countries: list[str]) -> NeedQuery:
    return NeedQuery(description, countries=given(countries), locale=explain.caller_locale(description))


def test_a_matter_beats_an_award_line_of_higher_similarity() -> None:
    need = _need("labour lawyer for a strike at our factory in Vietnam", ["VN"])
    award = (1, 0.50, "Named an outstanding foreign-related labour lawyer by a provincial bar association.")
    matter = (2, 0.45, "Advised a Chinese garment maker on collective dismissals at its factory in Vietnam.")
    assert explain.best_evidence(need, [award, matter]) == 2


def test_the_callers_language_and_the_target_place_decide_near_ties() -> None:
    need = _need("我们在越南的工厂工人罢工，需要劳动法律师", ["VN"])
    english = (1, 0.46, "Advised a Chinese garment maker on collective dismissals at its factory in Vietnam.")
    chinese = (2, 0.44, "为中资服装企业处理越南工厂的集体停工。")
    elsewhere = (3, 0.47, "为中资企业处理泰国工厂的集体停工。")
    assert explain.best_evidence(need, [english, chinese, elsewhere]) == 2


def test_a_far_stronger_match_is_kept_and_ties_go_to_the_lower_id() -> None:
    need = _need("arbitration in Kazakhstan", ["KZ"])
    assert explain.best_evidence(need, [(5, 0.70, "ICC arbitration for a contractor."), (4, 0.40, "Arbitration in Kazakhstan.")]) == 5
    assert explain.best_evidence(need, [(9, 0.5, "Same words."), (8, 0.5, "Same words.")]) == 8


def test_a_passage_about_the_lawyer_is_never_quoted_as_a_matter() -> None:
    need = _need("我们在沙特的炼化项目业主不签验收证书，需要会阿拉伯语的律师", ["SA"])
    award = (1, 0.60, "荣获所在省份优秀涉外律师称号，多次受邀在行业论坛发表主旨演讲。")
    pro_bono = (2, 0.55, "长期参与公益法律服务，为小微外贸企业提供免费法律咨询。")
    matter = (3, 0.30, "代表中资承包商处理沙特业主拒签验收证书的争议。")
    assert explain.best_evidence(need, [award, pro_bono, matter]) == 3
    assert explain.best_evidence(need, [award, pro_bono]) is None


def test_a_sentence_of_the_needs_very_type_of_matter_is_quoted_first() -> None:
    need = _need("越南税务局说我们给母公司的加工费定价太低，要补税", ["VN"])
    treaty = (1, 0.52, "曾就越南税务机关拒绝给予协定待遇的问题，为某汽车制造企业启动相互协商程序。")
    transfer_pricing = (2, 0.44, "Defended a Chinese electronics company in a transfer pricing audit in Vietnam.")
    assert explain.best_evidence(need, [treaty, transfer_pricing]) == 1
    assert explain.best_evidence(need, [treaty, transfer_pricing], of_the_matter={2}) == 2
