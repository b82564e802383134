"""The FAISS index of profile passages, keyed by database ids, with an owner per passage.

Passage ids are the database's; the owner of a passage is the lawyer it describes. Searches
answer per owner (a lawyer's best passage), pre-filtered to the owners that passed the hard
rules. The index is derived data: a snapshot that cannot be trusted is refused on load and
the caller rebuilds from the database.

    passage_index  PassageIndex: the public face, its lock, updates carried to the parts below
    rows           the distinct vectors: hashing and de-duplication, reference counts, free rows
    slots          the passages in owner runs, the passage and owner id maps, compaction
    ids            IdMap: integer ids -> records, in arrays indexed by id (a dict beyond)
    row_slots      row -> live slots (CSR), to gather the passages of the best rows
    scores         exact inner products, kept per query
    filters        the allowed owners of a search: ids or a mask
    search         best by owner, nearest passages, scores for owners (OwnerHit)
    ivf            the IVF over the rows: candidates, rows pending, flushes, drops
    build          training and filling a new IVF in a thread
    persistence    snapshots on disk: files, manifest, checksums, atomic swaps
"""

import faiss

from embeddings.index.passage_index import PassageIndex
from embeddings.index.persistence import (
    FORMAT_VERSION,
    IDS_FILE,
    INDEX_FILE,
    IVF_FILE,
    MANIFEST_FILE,
)
from embeddings.index.search import OwnerHit

__all__ = [
    "FORMAT_VERSION",
    "IDS_FILE",
    "INDEX_FILE",
    "IVF_FILE",
    "MANIFEST_FILE",
    "OwnerHit",
    "PassageIndex",
]

# Two OpenMP threads made a single exact query 2x slower on a 2-core machine; we scale with
# processes instead.
faiss.omp_set_num_threads(1)
