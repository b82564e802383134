"""Which owners a search may return: given as owner ids or as a boolean mask over owner ids."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from embeddings.index.arrays import id_array
from embeddings.index.ids import IdMap

# Below this many allowed owners, their passages are scored directly; above, the best rows are
# scored first and their passages gathered per owner.
_GATHER_OWNERS = 2_000
# ...and also directly when the allowed owners' passages are fewer than this share of the rows:
# scoring them costs less than widening a row search until enough of them turn up.
_DIRECT_SHARE = 1 / 8

Allowed = Collection[int] | np.ndarray


@dataclass(slots=True)
class OwnerFilter:
    """Allowed owners, as present in the index: their ids (few, or with few passages: scored
    directly) or a mask over the dense owner-id range."""

    count: int  # allowed owners present
    passages: int  # their passages
    ids: np.ndarray | None = None  # the owners themselves (scored directly), or
    mask: np.ndarray | None = None  # a mask over the dense owner-id range
    extra: np.ndarray | None = None  # plus allowed owners outside that range (rare)
    dense: bool = True  # every owner of the index is inside the mask's range

    def admits(self, owners: np.ndarray) -> np.ndarray:
        """Which of these owner ids (of passages in the index) a mask filter allows."""
        assert self.mask is not None
        if self.dense:
            ok: np.ndarray = self.mask[owners]
            return ok
        inside = (owners >= 0) & (owners < len(self.mask))
        ok = np.zeros(len(owners), dtype=bool)
        ok[inside] = self.mask[owners[inside]]
        if self.extra is not None and len(self.extra):
            ok |= np.isin(owners, self.extra)
        return ok


def owner_filter(owners: IdMap, allowed: Allowed | None, rows: int) -> OwnerFilter | None:
    """The allowed owners present in ``owners`` (owner -> first slot, passage count): as ids when
    they (or their passages, against ``rows`` distinct vectors) are few, else as a mask."""
    if allowed is None:
        return None
    counts = owners.fields[1]  # passages per owner id, 0 when absent
    if isinstance(allowed, np.ndarray) and allowed.dtype == bool:
        given = allowed.reshape(-1)
        if np.count_nonzero(given) <= _GATHER_OWNERS:
            return _ids_filter(owners, np.flatnonzero(given))
        # owners not present have no passages: the mask needs no masking of its own
        if len(given) >= len(counts):
            mask = given[: len(counts)]
        else:
            mask = np.zeros(len(counts), dtype=bool)
            mask[: len(given)] = given
        extra = [o for o in owners.sparse if 0 <= o < len(given) and given[o]]
    else:
        ids = np.unique(id_array(allowed))
        if len(ids) <= _GATHER_OWNERS:
            return _ids_filter(owners, ids)
        mask = np.zeros(len(counts), dtype=bool)
        mask[ids[(ids >= 0) & (ids < len(counts))]] = True
        outside = ids[(ids < 0) | (ids >= len(counts))].tolist()
        extra = [o for o in outside if o in owners.sparse]
    allowed_counts = counts[mask]
    count = int(np.count_nonzero(allowed_counts)) + len(extra)
    passages = int(allowed_counts.sum()) + sum(owners.sparse[o][1] for o in extra)
    extra_ids = np.asarray(extra, dtype=np.int64)
    if passages <= rows * _DIRECT_SHARE:
        ids = np.concatenate([np.flatnonzero(mask & (counts > 0)), extra_ids])
        return OwnerFilter(count, passages, ids=ids)
    return OwnerFilter(count, passages, mask=mask, extra=extra_ids, dense=not owners.sparse)


def _ids_filter(owners: IdMap, ids: np.ndarray) -> OwnerFilter:
    runs = owners.get(ids)
    present = runs[:, 0] >= 0
    return OwnerFilter(int(present.sum()), int(runs[present, 1].sum()), ids=ids[present])
