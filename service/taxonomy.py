"""Reference data: practice areas, countries, languages and regions.

Country and language names come from babel (CLDR) and pycountry; this module adds only what
those libraries do not carry: the regions Chinese outbound work groups countries into (Central
Asia, ASEAN, Central and Eastern Europe, ...; see REGIONS). The names people write that the
libraries lack (沙特, UAE, Kazakh, 阿拉木图, 阿语) are word lists of the readers, in
``service/matching/reading/lexicons/``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pycountry
from babel import Locale

_AREAS_FILE = Path(__file__).with_name("practice_areas.json")


@dataclass(frozen=True)
class PracticeArea:
    code: str
    zh: str
    en: str
    covers: tuple[str, ...]

    def label(self, locale: str = "en") -> str:
        return self.zh if locale.startswith("zh") else self.en


def _load_areas() -> dict[str, PracticeArea]:
    raw = json.loads(_AREAS_FILE.read_text(encoding="utf-8"))
    return {
        a["code"]: PracticeArea(a["code"], a["zh"], a["en"], tuple(a.get("covers", ())))
        for a in raw["areas"]
    }


PRACTICE_AREAS: dict[str, PracticeArea] = _load_areas()


# The talent pools of the exchange format (spec/exchange-format.md): the national foreign-related
# lawyer pool, the Belt and Road cross-border pool, provincial leading talent. A code outside
# these is refused, never credited.
TALENT_POOLS = ("acla_foreign_related", "bri_cross_border", "provincial_leading")


def is_practice_area(code: str) -> bool:
    return code in PRACTICE_AREAS


# ---------------------------------------------------------------------------------------------
# Countries

# Codes outside ISO 3166-1 that people and the EU use for real countries.
_CODE_ALIASES = {"UK": "GB", "EL": "GR", "XK": "XK"}
# Kosovo has no ISO code but CLDR names it and lawyers serve it.
_EXTRA_COUNTRIES = {"XK"}


@lru_cache(maxsize=1)
def _alpha2() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries) | _EXTRA_COUNTRIES


@lru_cache(maxsize=1)
def _alpha3() -> dict[str, str]:
    return {c.alpha_3: c.alpha_2 for c in pycountry.countries}


def normalise_country(code: str | None) -> str | None:
    """An ISO 3166-1 alpha-2 code for an alpha-2, alpha-3 or common alias code, else None.

    A subdivision suffix (``US-NY``) is dropped: the country is ``US``.
    """
    if not code:
        return None
    c = code.strip().upper().split("-", 1)[0]
    if c in _CODE_ALIASES:
        return _CODE_ALIASES[c]
    if len(c) == 2 and c in _alpha2():
        return c
    if len(c) == 3:
        return _alpha3().get(c)
    return None


def is_country(code: str | None) -> bool:
    """True for an ISO 3166-1 alpha-2 code (case-insensitive) or a known alias such as UK."""
    return normalise_country(code) is not None


def _locale(locale: str) -> Locale:
    return Locale.parse("zh_Hans" if locale.startswith("zh") else locale.replace("-", "_"))


@lru_cache(maxsize=8)
def territory_names(locale: str) -> dict[str, str]:
    """CLDR's names of countries and regions in ``locale``, by code (shared: do not mutate)."""
    return dict(_locale(locale).territories)


def country_name(code: str, locale: str = "en") -> str:
    """The country's name in ``locale`` (CLDR short form: 俄罗斯, Russia); the code if unknown."""
    c = normalise_country(code) or code
    name = territory_names(locale).get(c)
    if name:
        return name
    country = pycountry.countries.get(alpha_2=c)
    return str(getattr(country, "common_name", None) or getattr(country, "name", c))


def all_countries() -> list[str]:
    return sorted(_alpha2())


# ---------------------------------------------------------------------------------------------
# Languages


@lru_cache(maxsize=1)
def _alpha2_languages() -> frozenset[str]:
    return frozenset(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2"))


def is_language(code: str | None) -> bool:
    """True for an ISO 639-1 code."""
    if not code:
        return False
    return code.strip().lower() in _alpha2_languages()


@lru_cache(maxsize=8)
def language_names(locale: str) -> dict[str, str]:
    """CLDR's names of languages in ``locale``, by code (shared: do not mutate)."""
    return dict(_locale(locale).languages)


def language_name(code: str, locale: str = "en") -> str:
    c = code.strip().lower()
    name = language_names(locale).get(c)
    if name:
        return name
    lang = pycountry.languages.get(alpha_2=c)
    return getattr(lang, "name", c)


def all_languages() -> list[str]:
    return sorted(_alpha2_languages())


# ---------------------------------------------------------------------------------------------
# Regions, for "a neighbouring country of the same region": the groupings Chinese outbound
# investment and the Belt and Road work in (商务部/一带一路 reporting): the five Central Asian
# states, ASEAN, South Asia, West Asia and the Gulf, Central and Eastern Europe (the China-CEEC
# 17), Russia with Mongolia and the CIS, the developed economies (North America, Western
# Europe, Japan, Korea, Australia, New Zealand), and, where those say nothing, the UN M49
# sub-regions (Northern Africa, Sub-Saharan Africa, Latin America, the Pacific islands).
# The M49 sub-regions alone split what a going-out enterprise sees as one market (Serbia and
# Poland are "Southern" and "Eastern" Europe) and join what it does not (Armenia with Saudi Arabia).
_SUB_SAHARAN = (
    "BJ", "BF", "CV", "CI", "GM", "GH", "GN", "GW", "LR", "ML", "MR", "NE", "NG", "SH", "SN",
    "SL", "TG",  # Western Africa
    "BI", "KM", "DJ", "ER", "ET", "KE", "MG", "MW", "MU", "YT", "MZ", "RE", "RW", "SC", "SO",
    "SS", "TZ", "UG", "ZM", "ZW", "IO", "TF",  # Eastern Africa
    "AO", "CM", "CF", "TD", "CG", "CD", "GQ", "GA", "ST",  # Middle Africa
    "BW", "SZ", "LS", "NA", "ZA",  # Southern Africa
)
_LATIN_AMERICA = (
    "AI", "AG", "AW", "BS", "BB", "BQ", "VG", "KY", "CU", "CW", "DM", "DO", "GD", "GP", "HT",
    "JM", "MQ", "MS", "PR", "BL", "KN", "LC", "MF", "VC", "SX", "TT", "TC", "VI",  # Caribbean
    "BZ", "CR", "SV", "GT", "HN", "MX", "NI", "PA",  # Central America
    "AR", "BO", "BR", "CL", "CO", "EC", "FK", "GF", "GY", "PY", "PE", "SR", "UY", "VE", "BV",
    "GS",  # South America
)
REGIONS: dict[str, tuple[str, ...]] = {
    "central_asia": ("KZ", "KG", "TJ", "TM", "UZ"),
    "southeast_asia": ("BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN"),
    "south_asia": ("AF", "BD", "BT", "IN", "MV", "NP", "PK", "LK"),
    "west_asia": ("AE", "BH", "IL", "IQ", "IR", "JO", "KW", "LB", "OM", "PS", "QA", "SA", "SY", "TR", "YE"),
    "north_africa": ("DZ", "EG", "LY", "MA", "SD", "TN", "EH"),
    "sub_saharan_africa": _SUB_SAHARAN,
    "latin_america": _LATIN_AMERICA,
    "central_eastern_europe": ("AL", "BA", "BG", "CZ", "EE", "GR", "HR", "HU", "LT", "LV", "ME", "MK", "PL",
                               "RO", "RS", "SI", "SK", "XK"),
    "russia_cis": ("AM", "AZ", "BY", "GE", "MD", "MN", "RU", "UA"),
    "developed": ("AD", "AT", "AU", "BE", "BM", "CA", "CH", "CY", "DE", "DK", "ES", "FI", "FO", "FR", "GB",
                  "GG", "GI", "GL", "IE", "IM", "IS", "IT", "JE", "JP", "KR", "LI", "LU", "MC", "MT", "NL",
                  "NO", "NZ", "PM", "PT", "SE", "SM", "US", "VA", "AX", "SJ"),
    "east_asia": ("CN", "HK", "KP", "MO", "TW"),
    "pacific_islands": ("FJ", "NC", "PG", "SB", "VU", "GU", "KI", "MH", "FM", "NR", "MP", "PW", "UM", "AS",
                        "CK", "PF", "NU", "PN", "WS", "TK", "TO", "TV", "WF", "NF", "CX", "CC", "HM"),
}
REGION_NAMES: dict[str, tuple[str, str]] = {  # code -> (en, zh)
    "central_asia": ("Central Asia", "中亚"),
    "southeast_asia": ("South-East Asia", "东南亚"),
    "south_asia": ("South Asia", "南亚"),
    "west_asia": ("West Asia and the Gulf", "西亚"),
    "north_africa": ("North Africa", "北非"),
    "sub_saharan_africa": ("Sub-Saharan Africa", "撒哈拉以南非洲"),
    "latin_america": ("Latin America and the Caribbean", "拉丁美洲和加勒比"),
    "central_eastern_europe": ("Central and Eastern Europe", "中东欧"),
    "russia_cis": ("Russia, Mongolia and the CIS", "俄罗斯、蒙古及独联体"),
    "developed": ("developed economies", "发达经济体"),
    "east_asia": ("East Asia", "东亚"),
    "pacific_islands": ("Pacific islands", "太平洋岛国"),
}
_REGION_OF: dict[str, str] = {c: r for r, members in REGIONS.items() for c in members}


@lru_cache(maxsize=4096)  # scoring asks for every served country of every candidate
def region_of(country: str) -> str | None:
    """The region code ("central_asia", "central_eastern_europe") of a country."""
    c = normalise_country(country)
    return _REGION_OF.get(c) if c else None


def region_name(region: str, locale: str = "en") -> str:
    en, zh = REGION_NAMES.get(region, (region, region))
    return zh if locale == "zh" else en


def same_region(a: str, b: str) -> bool:
    ra = region_of(a)
    return ra is not None and ra == region_of(b)


def region_members(region: str) -> tuple[str, ...]:
    """Members of a region given by its code, or by its English or Chinese name."""
    if region in REGIONS:
        return REGIONS[region]
    for code, names in REGION_NAMES.items():
        if region.lower() in (n.lower() for n in names):
            return REGIONS[code]
    return ()
