"""The score shown with each result is the formula's total of the components shown with it, and
the order of the results is the formula's order (firm diversity aside): one code path ranks and
explains, so they cannot drift apart."""

from __future__ import annotations

import json

import numpy as np
import pytest

from embeddings.encoder import Encoder
from service import importing
from service.db import make_engine, make_session_factory, migrate
from service.matching import rules, scoring
from service.matching.diversify import RANK_SCORE_STEP
from service.matching.engine import MatchEngine
from service.matching.profile import encoded_text
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
    return MatchEngine(catalog, max_per_firm=50)  # no diversity cap: the order is the formula's alone


def _needs() -> list[dict]:
    if not NEEDS.exists():
        pytest.skip("the dev evaluation set is not beside the repository")
    return [json.loads(line) for line in NEEDS.read_text(encoding="utf-8").splitlines() if line.strip()][:25]


@pytest.mark.parametrize("text_only", [False, True])
def test_results_show_the_formula_of_their_components(engine: MatchEngine, text_only: bool) -> None:
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
        outcome = engine.match(query, k=10)
        assert outcome.matches, need["external_id"]
        # every lawyer scored afresh, without the engine's shortlists
        vector = catalog.encoder.encode_queries([encoded_text(query.description)])[0]
        hits = catalog.index.scores_for_owners(vector, ids.tolist())
        similarity = np.array([hits[i].score if i in hits else 0.0 for i in ids.tolist()])
        with catalog.reading() as facts:
            everyone = scoring.components(query, facts, ids, similarity)
            allowed = rules.eligibility(query, facts).allowed[ids]
            tier = scoring.tiers(query, facts, ids)
            assert np.array_equal(tier == 0, scoring.first_tier(query, facts, ids))
        totals = everyone.totals()
        position = {lawyer_id: i for i, lawyer_id in enumerate(ids.tolist())}
        # sort keys: a better tier (lower number) first, then a higher total
        keys = [(-int(tier[position[m.lawyer.id]]), m.components.total) for m in outcome.matches]
        changed_tier = False
        for rank, match in enumerate(outcome.matches):
            assert match.components == everyone.of(position[match.lawyer.id]), need["external_id"]
            # tiers come in order
            changed_tier |= rank > 0 and keys[rank][0] != keys[rank - 1][0]
            assert rank == 0 or keys[rank][0] <= keys[rank - 1][0], need["external_id"]
            # scores fall with rank and never exceed the total of the components shown
            assert match.score <= match.components.total + 1e-12, need["external_id"]
            assert rank == 0 or match.score < outcome.matches[rank - 1].score, need["external_id"]
            if not changed_tier:
                # before a tier changes, the score shown is the total (less a step per tie, see fall_with_rank)
                assert match.components.total - match.score <= rank * RANK_SCORE_STEP + 1e-12, need["external_id"]
        # and no eligible lawyer left out ranks above the last one shown (tier first, then total)
        shown = np.isin(ids, [m.lawyer.id for m in outcome.matches])
        lowest_tier, lowest_total = min(keys)
        above = (-tier > lowest_tier) | ((-tier == lowest_tier) & (totals > lowest_total))
        assert not np.any(allowed & ~shown & above), need["external_id"]
        compared += len(outcome.matches)
    assert compared >= 200
