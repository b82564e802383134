"""The engine ranks every candidate with the vectorised formula and scores only the chosen in
full: both must give the very same number for every lawyer, or the ranking would drift."""

from __future__ import annotations

import json

import numpy as np
import pytest

from embeddings.encoder import Encoder
from service import importing
from service.db import make_engine, make_session_factory, migrate
from service.matching.engine import MatchEngine
from service.matching.understand import mask_places
from tests.integration._integrity import new_catalog
from tests.conftest import DEV_SET
from tests.integration._procs import LAWYERS

NEEDS = DEV_SET / "needs.jsonl"


@pytest.fixture(scope="module")
def engine(encoder: Encoder, tmp_path_factory: pytest.TempPathFactory) -> MatchEngine:
    url = f"sqlite:///{tmp_path_factory.mktemp('scoring') / 'db.sqlite3'}"
    migrate(url)
    factory = make_session_factory(make_engine(url))
    with LAWYERS.open(encoding="utf-8") as lines:
        importing.import_lawyers(factory, lines)
    catalog = new_catalog(encoder)
    catalog.rebuild(factory)
    return MatchEngine(catalog)


def _needs() -> list[dict]:
    if not NEEDS.exists():
        pytest.skip("the dev evaluation set is not beside the repository")
    return [json.loads(line) for line in NEEDS.read_text(encoding="utf-8").splitlines() if line.strip()][:25]


@pytest.mark.parametrize("text_only", [False, True])
def test_vectorised_totals_equal_full_scores(engine: MatchEngine, text_only: bool) -> None:
    catalog = engine.catalog
    ids = np.array(sorted(catalog.lawyers), dtype=np.int64)
    compared = 0
    for need in _needs():
        query = engine.understand(
            need["description"],
            countries=[] if text_only else need.get("countries") or [],
            practice_areas=[] if text_only else need.get("practice_areas") or [],
            languages=[] if text_only else need.get("languages") or [],
        )
        vector = catalog.encoder.encode_queries([mask_places(query.description)])[0]
        hits = catalog.index.scores_for_owners(vector, ids.tolist())
        similarity = np.array([hits[i].score if i in hits else 0.0 for i in ids.tolist()])
        with catalog._lock:
            totals = engine.totals(query, ids, similarity)
            full = [engine._score(query, catalog.lawyers[i], hits.get(i)).score for i in ids.tolist()]
        assert totals.tolist() == full, need["external_id"]
        compared += len(full)
    assert compared > 10_000
