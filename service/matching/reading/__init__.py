"""Reading a need (or a profile) typed in Chinese or English: countries, languages, practice areas.

General readers built from library data (babel/pycountry names through ``service.taxonomy``),
the word lists in ``lexicons/`` and, for practice areas, similarity to the areas' descriptions
when an encoder is given. Each reader returns ``Reading``s, most confident first, with a
confidence in 0..1 whose conventions its module describes.
"""

from __future__ import annotations

import hashlib
import inspect
from functools import lru_cache
from importlib.resources import files

from service import taxonomy
from service.matching.reading.languages import read_languages
from service.matching.reading.places import mask_places, read_countries
from service.matching.reading.roles import Place, read_places, read_target_countries, resolve
from service.matching.reading.practice import (
    LabelledNeighbours,
    area_similarities,
    read_need_practice,
    read_practice_areas,
    requested_practice_areas,
)
from service.matching.reading.text import Reading

__all__ = [
    "LabelledNeighbours",
    "Place",
    "Reading",
    "area_similarities",
    "fingerprint",
    "mask_places",
    "read_countries",
    "read_languages",
    "read_need_practice",
    "read_places",
    "read_practice_areas",
    "read_target_countries",
    "requested_practice_areas",
    "resolve",
]


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """Identifies what the readers read, so that readings saved by other code are not reused.

    Hashes the source of every module of this package and of ``service.taxonomy``, every lexicon
    file, and the practice areas' descriptions (taxonomy's JSON) that similarity reads.
    """
    package = files(__name__)
    sources = sorted((e for e in package.iterdir() if e.name.endswith(".py")), key=lambda e: e.name)
    lexicons = sorted((e for e in (package / "lexicons").iterdir() if e.name.endswith(".json")),
                      key=lambda e: e.name)
    digest = hashlib.sha256()
    for entry in [*sources, *lexicons, files("service") / "practice_areas.json"]:
        digest.update(entry.name.encode())
        digest.update(entry.read_bytes())
    digest.update(inspect.getsource(taxonomy).encode())
    return digest.hexdigest()[:16]
