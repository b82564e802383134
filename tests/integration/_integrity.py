"""What "the index agrees with the database" means, written once for the fault tests.

A catalog serves exactly what a clean rebuild serves when it holds the same lawyers with the
same facts, the same passages with the same vectors, and so answers every search the same way.
Eligibility is read from the database by SQL of its own, not by the catalog's rule.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from embeddings.encoder import Encoder
from models import Lawyer, Passage
from service.matching.catalog import Catalog, VectorCache

# Needs that reach most of the demo pool: arbitration, trade, investment, data, IP.
QUERIES = (
    "Our EPC contract for a solar plant in Kazakhstan is in ICC arbitration; we need counsel.",
    "我们在哈萨克斯坦的光伏电站EPC合同发生争议，需要会俄语的仲裁律师",
    "Anti-dumping investigation by the European Commission into our steel exports.",
    "A trademark squatted in Thailand before our launch; we need it cancelled.",
    "Personal data of employees in Türkiye: localisation and monitoring rules.",
)

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
        lawyers = session.scalars(select(Lawyer).where(Lawyer.status == "verified", Lawyer.accepting_clients.is_(True))).all()
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
        [(hit.owner_id, hit.passage_id, round(hit.score, 4)) for hit in catalog.index.best_by_owner(q, 25)]
        for q in queries
    ]
    return {
        "lawyers": dict(catalog.lawyers),
        "passage_labels": catalog.labels.items(),
        "index": indexed(catalog),
        "searches": searches,
    }


def assert_same(actual: Catalog, expected: Catalog, encoder: Encoder, what: str = "catalog") -> None:
    got, want = fingerprint(actual, encoder), fingerprint(expected, encoder)
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
