"""Reference data: practice areas, countries, languages, regions, aliases."""

from __future__ import annotations

import pytest

from service import taxonomy
from service.taxonomy import (
    PRACTICE_AREAS,
    country_name,
    is_country,
    is_language,
    is_practice_area,
    language_name,
    normalise_country,
    region_members,
    region_name,
    region_of,
    same_region,
)


def test_practice_areas_loaded_from_json() -> None:
    assert len(PRACTICE_AREAS) == 19
    arb = PRACTICE_AREAS["international_arbitration"]
    assert arb.zh == "国际仲裁" and arb.en == "International arbitration"
    assert any("ICSID" in c for c in arb.covers)
    assert is_practice_area("trade_remedies")
    assert not is_practice_area("arbitration")


@pytest.mark.parametrize("code", ["KZ", "kz", "GB", "UK", "SAU", "US-NY", "XK"])
def test_is_country_accepts_codes_and_aliases(code: str) -> None:
    assert is_country(code)


@pytest.mark.parametrize("code", ["", "XX", "EU", "ZZZ", None])
def test_is_country_rejects_non_countries(code: str | None) -> None:
    assert not is_country(code)


def test_normalise_country() -> None:
    assert normalise_country("UK") == "GB"
    assert normalise_country("kaz") == "KZ"
    assert normalise_country("US-NY") == "US"
    assert normalise_country("EL") == "GR"


def test_country_names_come_from_cldr() -> None:
    assert country_name("KZ", "zh") == "哈萨克斯坦"
    assert country_name("RU", "zh") == "俄罗斯"
    assert country_name("UK", "zh") == "英国"
    assert country_name("VN", "en") == "Vietnam"
    assert country_name("SA", "zh-CN") == "沙特阿拉伯"


def test_languages() -> None:
    assert is_language("ru") and is_language("AR") and not is_language("xx") and not is_language("")
    assert language_name("ru", "zh") == "俄语"
    assert language_name("pt", "en") == "Portuguese"


def test_regions_are_the_outbound_groupings() -> None:
    assert region_of("KZ") == "central_asia"
    assert region_name("central_asia") == "Central Asia" and region_name("central_asia", "zh") == "中亚"
    assert same_region("KZ", "UZ")
    assert same_region("VN", "TH")
    assert same_region("SA", "AE") and same_region("AE", "TR") and same_region("AE", "IR")
    assert same_region("KE", "NG")  # Sub-Saharan Africa
    assert same_region("MX", "CL")  # Latin America and the Caribbean
    assert same_region("RS", "PL") and same_region("HU", "GR")  # China-CEEC, across M49 sub-regions
    assert same_region("RU", "MN") and same_region("RU", "AZ")  # Russia, Mongolia and the CIS
    assert same_region("US", "JP") and same_region("DE", "GB")  # developed economies
    assert not same_region("KZ", "RU")
    assert not same_region("EG", "SA")
    assert not same_region("AM", "SA")
    assert not same_region("XX", "XX")
    assert set(region_members("Central Asia")) == {"KZ", "KG", "TJ", "TM", "UZ"}
    assert region_members("中亚") == region_members("central_asia")
    assert region_members("nowhere") == ()


def test_every_country_has_one_region() -> None:
    seen: dict[str, str] = {}
    for region, members in taxonomy.REGIONS.items():
        for c in members:
            assert c not in seen, f"{c} in {seen.get(c)} and {region}"
            seen[c] = region
    missing = [c for c in taxonomy.all_countries() if c not in seen]
    assert missing == ["AQ"]  # Antarctica belongs to no region
