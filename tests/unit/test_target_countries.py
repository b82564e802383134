"""Which of the countries a need names it is about: origin, sole mention, coordination."""

from __future__ import annotations

import pytest

from service.matching.reading import read_target_countries
from service.matching.rules import HARD_READING_CONFIDENCE


def binding(text: str) -> set[str]:
    return {r.code for r in read_target_countries(text) if r.confidence >= HARD_READING_CONFIDENCE}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我们是美国上市公司，安哥拉子公司向海关人员支付过加急费，需要律师评估风险。", {"AO"}),
        ("We are a Thai fruit processing group planning a plant in the Guangxi pilot free trade zone.", {"TH"}),
        ("We need counsel for disputes in Kazakhstan and Uzbekistan.", {"KZ", "UZ"}),
        ("我们在哈萨克斯坦、乌兹别克斯坦和吉尔吉斯斯坦都有项目，需要劳动用工律师。", {"KZ", "UZ", "KG"}),
        (
            "We ship spare parts to a distributor in Kazakhstan. Our bank cites sanctions on re-exports to Russia.",
            {"KZ"},
        ),
        ("印度商务部对我们出口的铝箔发起了反补贴调查。", {"IN"}),
        ("我们是一家中国企业，想在越南设厂。", {"VN"}),
        ("The plant is not in Vietnam but in Cambodia.", {"KH"}),
    ],
)
def test_binding_targets(text: str, expected: set[str]) -> None:
    assert binding(text) == expected


def test_secondary_mentions_stay_soft() -> None:
    readings = {r.code: r.confidence for r in read_target_countries(
        "We ship spare parts to a distributor in Kazakhstan. Our bank cites sanctions on re-exports to Russia."
    )}
    assert readings["KZ"] >= HARD_READING_CONFIDENCE
    assert 0 < readings["RU"] < HARD_READING_CONFIDENCE


def test_no_country_reads_nothing() -> None:
    assert read_target_countries("We need a trademark lawyer.") == []
