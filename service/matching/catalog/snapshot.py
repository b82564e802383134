"""The lawyers' facts and passage labels as arrays, saved beside the index in a snapshot: a
starting worker reads them instead of re-reading every profile (20 minutes at 10^6).

Distinct values (a firm, a set of countries, a language map) are stored once, as JSON in a
header, and each lawyer's row holds their numbers. The header names the reading code: facts read
by other code are not used (the caller reads the profiles again).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np

from service.matching import scoring
from service.matching.catalog.facts import FactTable
from service.matching.catalog.labels import PassageLabels
from service.matching.profile import Interner, LawyerFacts, reader_fingerprint


def export_facts(table: FactTable, labels: PassageLabels) -> dict[str, np.ndarray]:
    """The arrays of a snapshot's "facts" attachment; the caller holds the catalog lock."""
    numbers: dict[object, int] = {}
    values: list[object] = []

    def number(value: object, as_json: object) -> int:
        key = (type(value).__name__, value if not isinstance(value, dict) else frozenset(value.items()))
        found = numbers.get(key)
        if found is None:
            found = numbers[key] = len(values)
            values.append(as_json)
        return found

    rows = np.array(
        [
            (
                f.id,
                f.years_of_practice,
                number(f.firm_key, f.firm_key),
                number(f.talent_pools, list(f.talent_pools)),
                number(f.languages, sorted(f.languages.items())),
                number(f.declared_countries, sorted(f.declared_countries)),
                number(f.office_countries, sorted(f.office_countries)),
                number(f.read_countries, sorted(f.read_countries)),
                number(f.declared_practice, sorted(f.declared_practice)),
                number(f.read_practice, sorted(f.read_practice)),
                number(f.matters, sorted(f.matters)),
                number(f.adverse, sorted(f.adverse)),
                int(f.at_capacity),
                number(json.dumps(f.track, sort_keys=True), f.track),
            )
            for f in table.lawyers.values()
        ],
        dtype=np.int64,
    ).reshape(-1, 14)
    labelled = labels.items()
    label_names = sorted(set(labelled.values()))
    code = {name: i for i, name in enumerate(label_names)}
    label_rows = np.array([(pid, code[name]) for pid, name in labelled.items()], dtype=np.int64).reshape(-1, 2)
    header = {"reader": reader_fingerprint(), "values": values, "labels": label_names}
    return {"facts": rows, "labels": label_rows, "header": np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)}


def import_facts(arrays: dict[str, np.ndarray], table: FactTable, labels: PassageLabels) -> bool:
    """Fill the (cleared) table and labels from export_facts' arrays; False, leaving them untouched,
    if the facts were read by other reading code. The caller holds the catalog lock. Raises
    KeyError, ValueError, TypeError or IndexError on damaged arrays."""
    header = json.loads(bytes(arrays["header"]).decode())
    if header.get("reader") != reader_fingerprint():
        return False
    intern = Interner()
    raw = header["values"]
    cached: dict[tuple[int, str], Any] = {}

    def value(i: int, kind: str, make: Callable[[Any], Any]) -> Any:
        found = cached.get((i, kind))
        if found is None:
            found = cached[(i, kind)] = make(raw[i])
        return found

    def as_set(item: list[str]) -> frozenset[str]:
        return intern(frozenset(item))

    groups: dict[tuple[int, ...], list[int]] = {}
    table.clear()
    table.intern = intern
    for lawyer_id, years, firm, pools, langs, dc, oc, rc, dp, rp, kinds, adverse, full, track in arrays["facts"].tolist():
        table.lawyers[lawyer_id] = LawyerFacts(
            id=lawyer_id,
            firm_key=value(firm, "str", intern),
            years_of_practice=years,
            talent_pools=value(pools, "tuple", lambda item: intern(tuple(item))),
            languages=value(langs, "languages", lambda item: intern.languages((c, lvl) for c, lvl in item)),
            declared_countries=value(dc, "set", as_set),
            office_countries=value(oc, "set", as_set),
            read_countries=value(rc, "set", as_set),
            declared_practice=value(dp, "set", as_set),
            read_practice=value(rp, "set", as_set),
            matters=value(kinds, "set", as_set),
            adverse=value(adverse, "set", as_set),
            at_capacity=bool(full),
            track=raw[track],
        )
        groups.setdefault((langs, dc, oc, rc, dp, rp, kinds, adverse, full), []).append(lawyer_id)
    credentials: dict[tuple[int, int], float] = {}
    by_lawyer: dict[int, float] = {}
    for facts in table.lawyers.values():
        key = (facts.years_of_practice, id(facts.talent_pools))
        if key not in credentials:
            credentials[key] = scoring.credentials_score(facts.years_of_practice, facts.talent_pools)
        by_lawyer[facts.id] = credentials[key]
    # lawyers with the same sets share their mask keys: one numpy assignment per group
    table.link_many(groups.values(), by_lawyer)
    labels.load(arrays["labels"], header["labels"])
    return True
