"""A whole need read by every reader, the lexicon files the readers ship with, and their fingerprint."""

from __future__ import annotations

import time
from dataclasses import asdict
from importlib.resources import files

from service.matching import reading
from service.matching.profile import reader_fingerprint
from service.matching.reading import Reading, read_countries, read_languages, read_practice_areas
from service.matching.reading.text import load_lexicon
from service.taxonomy import is_country, is_language
from tests.unit._readings import codes


def test_reading_a_chinese_need() -> None:
    text = "我们想收购阿拉木图一家乳制品企业70%的股权，希望律师带队做法律尽职调查，团队里需要有人会俄语。"
    countries, languages, practice = read_countries(text), read_languages(text), read_practice_areas(text)
    assert isinstance(countries[0], Reading)
    assert codes(countries) == ["KZ"]
    assert codes(languages) == ["ru"]
    assert practice[0].code == "outbound_investment"
    assert asdict(countries[0]) == {"code": "KZ", "confidence": countries[0].confidence, "evidence": "阿拉木图"}


def test_reading_an_english_need() -> None:
    text = ("Argentina has opened a dumping investigation into porcelain tiles from China. "
            "We need a team that can answer the questionnaire in Spanish.")
    assert codes(read_countries(text)) == ["AR"]
    assert codes(read_languages(text)) == ["es"]
    assert read_practice_areas(text)[0].code == "trade_remedies"


def _read_all(text: str) -> None:
    read_countries(text)
    read_languages(text)
    read_practice_areas(text)


def test_reading_is_fast() -> None:
    _read_all("")  # builds the regexes, as the first request would
    text = ("我们在哈萨克斯坦总包了一个100兆瓦的风电场项目，业主以工期延误为由扣了约800万美元进度款，"
            "还要求我们承担误期罚款。合同约定在新加坡仲裁，需要做过工程争议、会俄语的律师。") * 2
    start = time.perf_counter()
    for _ in range(50):
        _read_all(text)
    per_need = (time.perf_counter() - start) / 50
    assert per_need < 0.01


# --- the lexicons --------------------------------------------------------------------------------


def test_lexicons_ship_as_package_data() -> None:
    shipped = {entry.name for entry in (files("service.matching.reading") / "lexicons").iterdir()}
    assert {"places.json", "countries.json", "cities.json", "languages.json", "practice.json"} <= shipped


def test_city_aliases_cover_both_scripts_and_are_valid() -> None:
    regions: dict[str, dict[str, str]] = load_lexicon("cities")["regions"]
    city_aliases = {surface: code for region in regions.values() for surface, code in region.items()}
    assert sum(len(region) for region in regions.values()) == len(city_aliases)  # no name twice
    assert 150 <= len(city_aliases) <= 700  # ~300 places, most in both scripts
    for alias, code in city_aliases.items():
        assert is_country(code), alias
    for zh, en, code in [("阿拉木图", "Almaty", "KZ"), ("吉达", "Jeddah", "SA"),
                         ("胡志明市", "Ho Chi Minh City", "VN"), ("桑托斯", "Santos", "BR"),
                         ("新莱昂", "Nuevo León", "MX"), ("亚的斯亚贝巴", "Addis Ababa", "ET")]:
        assert city_aliases[zh] == city_aliases[en] == code


def test_alias_tables_point_at_real_codes() -> None:
    countries = load_lexicon("countries")
    for table in (countries["zh_aliases"], countries["en_aliases"], countries["en_demonyms"]):
        for alias, code in table.items():
            assert is_country(code), alias
    languages = load_lexicon("languages")
    for table in (languages["zh_aliases"], languages["en_aliases"]):
        for alias, code in table.items():
            assert is_language(code), alias


def test_practice_lexicon_names_only_known_areas() -> None:
    from service.taxonomy import PRACTICE_AREAS

    areas: dict[str, dict[str, float]] = load_lexicon("practice")["areas"]
    assert set(areas) == set(PRACTICE_AREAS)
    assert all(0.0 <= weight <= 1.0 for terms in areas.values() for weight in terms.values())


def test_fingerprint_identifies_the_readers() -> None:
    first = reading.fingerprint()
    assert len(first) == 16 and int(first, 16) >= 0
    reading.fingerprint.cache_clear()
    assert reading.fingerprint() == first
    assert reader_fingerprint() == reader_fingerprint()


def test_traditional_characters_are_read_as_simplified_span_for_span() -> None:
    from service.matching.reading.text import in_original, to_simplified

    original = "我們在哈薩克斯坦的工廠被稅務局稽查，需要會俄語的律師 (Almaty)"
    simplified = to_simplified(original)
    assert simplified == "我们在哈萨克斯坦的工厂被税务局稽查，需要会俄语的律师 (Almaty)"
    assert len(simplified) == len(original)
    assert in_original("税务局", simplified, original) == "稅務局"
    assert to_simplified("English only") == "English only"
