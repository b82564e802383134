"""What "the index agrees with the database" means, written once for the fault tests.

A catalog serves exactly what a clean rebuild serves when it holds the same lawyers with the
same facts, the same passages with the same vectors, and so answers every search the same way.
Eligibility is read from the database by SQL of its own, not by the catalog's rule.

"The same vectors" is up to the encoder's own noise: the bundled encoder's output for a text
depends on what else is in its batch by about 2e-7 per component, so a passage encoded during an
import and the same text encoded again during a replay may score 1e-7 apart, and lawyers whose
passages are word for word the same may swap places. Searches are therefore compared score by
score within SCORE_NOISE, and owners within each group of scores that close.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from embeddings.encoder import Encoder
from models import Lawyer, LawyerStatus, Passage
from service.matching.catalog import Catalog, VectorCache

# Needs that reach most of the demo pool: arbitration, trade, investment, data, IP.
QUERIES = (
    "Our EPC contract for a solar plant in Kazakhstan is in ICC arbitration; we need counsel.",
    "我们在哈萨克斯坦的光伏电站EPC合同发生争议，需要会俄语的仲裁律师",
    "Anti-dumping investigation by the European Commission into our steel exports.",
    "A trademark squatted in Thailand before our launch; we need it cancelled.",
    "Personal data of employees in Türkiye: localisation and monitoring rules.",
)

# Far above the encoder's batch noise (~1e-7 on a cosine), far below any real difference.
SCORE_NOISE = 1e-5

_shared_caches: dict[str, VectorCache] = {}


def shared_cache(encoder: Encoder) -> VectorCache:
    """One in-memory vector cache per encoder for the whole test session: clean rebuilds stay cheap."""
    key = f"{encoder.name}@{encoder.version}"
    if key not in _shared_caches:
        _shared_caches[key] = VectorCache(key, encoder.dim, None, max_items=500_000)
    return _shared_caches[key]


def new_catalog(encoder: Encoder) -> Catalog:
    return Catalog(encoder, shared_cache(encoder))


def clean_rebuild(encoder: Encoder, factory: sessionmaker[Session]) -> Catalog:
    catalog = new_catalog(encoder)
    catalog.rebuild(factory)
    return catalog


def eligible_in_database(factory: sessionmaker[Session]) -> dict[int, list[int]]:
    """Lawyers that may be recommended (verified, accepting clients, listed, not lapsed) -> their passage ids."""
    now = datetime.now(timezone.utc)
    with factory() as session:
        lawyers = session.scalars(select(Lawyer).where(Lawyer.status == LawyerStatus.verified, Lawyer.accepting_clients.is_(True))).all()
        ids = [
            lawyer.id
            for lawyer in lawyers
            if getattr(lawyer, "consent_listing", True) is not False
            and not (hasattr(lawyer, "verification_expired") and lawyer.verification_expired(now))
        ]
        passages: dict[int, list[int]] = {i: [] for i in ids}
        if ids:
            for lawyer_id, passage_id in session.execute(
                select(Passage.lawyer_id, Passage.id).where(Passage.lawyer_id.in_(ids)).order_by(Passage.id)
            ):
                passages[lawyer_id].append(passage_id)
    return passages


def indexed(catalog: Catalog) -> dict[int, list[int]]:
    """Owner -> passage ids, as the vector index holds them (not the catalog's facts)."""
    dim = catalog.index.dim
    total = len(catalog.index)
    out: dict[int, list[int]] = {}
    if total:
        for pid, owner, _ in catalog.index.nearest(np.ones(dim, dtype=np.float32) / np.sqrt(dim), total):
            out.setdefault(owner, []).append(pid)
    return {owner: sorted(pids) for owner, pids in out.items()}


def fingerprint(catalog: Catalog, encoder: Encoder) -> dict[str, Any]:
    """Everything a request can observe of a catalog, in comparable form."""
    queries = encoder.encode_queries(list(QUERIES))
    searches = [
        [(hit.owner_id, hit.passage_id, hit.score) for hit in catalog.index.best_by_owner(q, 25)] for q in queries
    ]
    return {
        "lawyers": dict(catalog.lawyers),
        "passage_labels": catalog.labels.items(),
        "index": indexed(catalog),
        "searches": searches,
    }


def search_differences(got: list[tuple[int, int, float]], want: list[tuple[int, int, float]]) -> list[str]:
    """How two best-by-owner result lists differ beyond encoder noise (empty when they agree).

    Scores must agree rank by rank, and each owner's score with its expected score, so an owner
    may only change places with owners scoring within SCORE_NOISE of it, or enter at the cut in
    place of one. Passage ids are not compared: an owner with the same sentence twice may be
    found by either, and the "index" fingerprint compares every owner's passages exactly.
    """
    problems = []
    if len(got) != len(want):
        return [f"{len(got)} results, {len(want)} expected"]
    for rank, ((_, _, g), (_, _, w)) in enumerate(zip(got, want)):
        if abs(g - w) > SCORE_NOISE:
            problems.append(f"rank {rank}: score {g:.6f}, expected {w:.6f}")
    wanted = {owner: score for owner, _, score in want}
    cut = want[-1][2] if want else 0.0
    for owner, _, score in got:
        if owner in wanted:
            want_score = wanted[owner]
            if abs(score - want_score) > SCORE_NOISE:
                problems.append(f"owner {owner}: score {score:.6f}, expected {want_score:.6f}")
        elif score < cut - SCORE_NOISE or score > cut + SCORE_NOISE:
            problems.append(f"owner {owner} ({score:.6f}) is not among the expected results")
    return problems


def assert_same(actual: Catalog, expected: Catalog, encoder: Encoder, what: str = "catalog") -> None:
    got, want = fingerprint(actual, encoder), fingerprint(expected, encoder)
    for query, got_hits, want_hits in zip(QUERIES, got.pop("searches"), want.pop("searches")):
        problems = search_differences(got_hits, want_hits)
        assert not problems, f"{what}: search {query[:40]!r} differs from a clean rebuild: {problems[:5]}"
    for key in want:
        if got[key] != want[key]:
            if key in ("lawyers", "index"):
                missing = sorted(set(want[key]) - set(got[key]))[:10]
                extra = sorted(set(got[key]) - set(want[key]))[:10]
                differ = sorted(k for k in set(got[key]) & set(want[key]) if got[key][k] != want[key][k])[:10]
                raise AssertionError(f"{what}: {key} differ: missing {missing}, extra {extra}, different {differ}")
            raise AssertionError(f"{what}: {key} differ from a clean rebuild")


def assert_agrees_with_database(catalog: Catalog, factory: sessionmaker[Session], what: str = "catalog") -> None:
    eligible = eligible_in_database(factory)
    held = indexed(catalog)
    assert set(catalog.lawyers) == set(eligible), (
        f"{what}: lawyers held {sorted(set(catalog.lawyers) ^ set(eligible))[:10]} disagree with the database"
    )
    # a lawyer whose every passage is empty holds no vectors; every other eligible lawyer is searchable
    expected = {lawyer: pids for lawyer, pids in eligible.items() if pids}
    assert held == expected, f"{what}: index owners/passages disagree with the database: " + str(
        sorted(set(held) ^ set(expected))[:10] or [k for k in expected if held.get(k) != expected[k]][:10]
    )


def snapshot_dirs(index_dir: Path) -> list[Path]:
    return sorted(p for p in index_dir.parent.glob(f".{index_dir.name}.*") if p.is_dir() and not p.is_symlink())
