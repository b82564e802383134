"""Passage id -> the practice area the passage is a worked example of: the labels the need
reader's neighbour vote counts (see reading of practice areas)."""

from __future__ import annotations

import numpy as np

class PassageLabels:
    """Passage id -> the practice area it is a worked example of, for the engine's neighbour vote.

    A byte per passage id (database ids are dense), a dict for ids beyond that range.
    """

    DENSE_LIMIT = 1 << 27

    def __init__(self) -> None:
        self.names: list[str] = []
        self._code_of: dict[str, int] = {}
        self._dense = np.full(0, -1, dtype=np.int8)
        self._sparse: dict[int, int] = {}

    def clear(self) -> None:
        self.names = []
        self._code_of = {}
        self._dense = np.full(0, -1, dtype=np.int8)
        self._sparse = {}

    def __len__(self) -> int:
        return int(np.count_nonzero(self._dense >= 0)) + len(self._sparse)

    def set(self, passage_id: int, label: str | None) -> None:
        code = -1
        if label is not None:
            code = self._code_of.setdefault(label, len(self._code_of))
            if code == len(self.names):
                self.names.append(label)
        if 0 <= passage_id < self.DENSE_LIMIT:
            if passage_id >= len(self._dense):
                if code < 0:
                    return
                grown = np.full(max(passage_id + 1, 2 * len(self._dense), 1024), -1, dtype=np.int8)
                grown[: len(self._dense)] = self._dense
                self._dense = grown
            self._dense[passage_id] = code
        elif code >= 0:
            self._sparse[passage_id] = code
        else:
            self._sparse.pop(passage_id, None)

    def get(self, passage_id: int) -> str | None:
        if 0 <= passage_id < len(self._dense):
            code = int(self._dense[passage_id])
        else:
            code = self._sparse.get(passage_id, -1)
        return self.names[code] if code >= 0 else None

    def items(self) -> dict[int, str]:
        dense = np.flatnonzero(self._dense >= 0)
        found = {int(pid): self.names[int(self._dense[pid])] for pid in dense}
        return found | {pid: self.names[code] for pid, code in self._sparse.items()}

    def load(self, pairs: np.ndarray, names: list[str]) -> None:
        """Replace every label with (passage id, index into names) pairs."""
        self.clear()
        self.names = list(names)
        self._code_of = {name: i for i, name in enumerate(self.names)}
        pids, codes = pairs[:, 0], pairs[:, 1].astype(np.int8)
        dense = (pids >= 0) & (pids < self.DENSE_LIMIT)
        if dense.any():
            self._dense = np.full(int(pids[dense].max()) + 1, -1, dtype=np.int8)
            self._dense[pids[dense]] = codes[dense]
        self._sparse = dict(zip(pids[~dense].tolist(), codes[~dense].tolist()))

