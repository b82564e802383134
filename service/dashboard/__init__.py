"""The bureau's dashboard: one page and its assets (vanilla JS, SVG, no build step, no CDN), and
the reference labels it shows, built from the service's taxonomy."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

from service import taxonomy
from service.analytics.supply_demand import BELT_AND_ROAD, group_name
from service.matching.explain import POOLS

# Only these names are served: a name maps to a file, never a path to the file system.
ASSETS = {"index.html": "text/html; charset=utf-8", "app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}


def asset(name: str) -> bytes:
    return (resources.files(__package__) / "static" / name).read_bytes()


@lru_cache(maxsize=1)
def reference_labels() -> dict[str, Any]:
    """Codes and their zh / en names for the page's filters: countries, regions, practice areas,
    languages, talent pools."""
    def both(name: Any, code: str) -> dict[str, str]:
        return {"code": code, "zh": name(code, "zh"), "en": name(code, "en")}

    countries = [both(taxonomy.country_name, c) for c in taxonomy.all_countries() if len(c) == 2]
    languages = [both(taxonomy.language_name, c) for c in taxonomy.all_languages()]
    return {
        "countries": sorted(countries, key=lambda c: c["en"]),
        "regions": [both(taxonomy.region_name, r) for r in sorted(taxonomy.REGIONS)] + [both(group_name, BELT_AND_ROAD)],
        "practice_areas": [{"code": a.code, "zh": a.zh, "en": a.en} for a in taxonomy.PRACTICE_AREAS.values()],
        "languages": sorted(languages, key=lambda c: c["en"]),
        "talent_pools": [{"code": code, "zh": POOLS["zh"][code], "en": POOLS["en"][code]} for code in POOLS["en"]],
    }
