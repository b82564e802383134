"""Array helpers shared by the parts of the index: growth in place, id arrays, ranges, memory."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

import numpy as np

# What memory_bytes counts for a dict entry holding two int objects, roughly.
DICT_ENTRY_BYTES = 100


def grown_size(size: int, need: int) -> int:
    # a 32nd more, not double: the vector matrix is most of the memory at 1M profiles, and growing
    # in place (realloc) costs little more than the new part
    return max(need, size + max(size // 32, 1024))


def resized(array: np.ndarray, length: int) -> np.ndarray:
    """The array with ``length`` rows (new ones zero). In place when it owns its memory: realloc
    grows a large block without a second copy alive. No view of these arrays outlives the lock."""
    if array.flags.owndata and array.flags.c_contiguous and array.base is None:
        array.resize((length,) + array.shape[1:], refcheck=False)
        return array
    grown = np.zeros((length,) + array.shape[1:], dtype=array.dtype)
    keep = min(length, len(array))
    grown[:keep] = array[:keep]
    return grown


def narrowest(values: np.ndarray) -> type[np.signedinteger[Any]]:
    fits = not len(values) or (values.min() >= -(2**31) and values.max() < 2**31)
    return np.int32 if fits else np.int64


def id_array(ids: Iterable[int] | np.ndarray) -> np.ndarray:
    if isinstance(ids, np.ndarray):
        return ids.astype(np.int64, copy=False).reshape(-1)
    ids = ids if isinstance(ids, Collection) else list(ids)
    return np.fromiter((int(i) for i in ids), dtype=np.int64, count=len(ids))


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenated ranges [start, start + count), vectorised."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(counts)
    out: np.ndarray = np.arange(total, dtype=np.int64) + np.repeat(starts - (ends - counts), counts)
    return out


def return_free_memory() -> None:
    """Hand freed heap memory back to the system: glibc keeps the arenas that one-off transients
    (a load's arrays, an IVF build's copies) grew, which showed as ~100 MB of RSS at 1M profiles."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass
