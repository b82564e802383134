"""Reading countries and places from a need typed in Chinese or English."""

from __future__ import annotations

import pytest

from service.matching.reading import mask_places, read_countries
from tests.unit._readings import codes


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


def test_a_profile_does_not_serve_where_a_client_is_listed_or_paid() -> None:
    assert codes(read_countries("Advised a Chinese company listed in the US on its acquisition in Vietnam")) == ["VN"]
    assert codes(read_countries("Recovered US-dollar notes held by a bank in Angola")) == ["AO"]
    assert codes(read_countries("为美国纳斯达克上市公司处理越南工厂的劳动争议")) == ["VN"]
    assert codes(read_countries("Represented a Singapore-registered fund buying a mine in Australia")) == ["AU"]
