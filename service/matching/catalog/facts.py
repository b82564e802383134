"""The facts of every lawyer a worker may recommend, and boolean masks over lawyer ids.

A mask per (kind, code) some lawyer holds: "country", "region", "language", "practice",
("declared", "practice") for lawyers whose areas are declared rather than read, ("read", country)
for a country served only because the bio names it (not declared, no office there), and ("*", "*")
for every lawyer held. The rules and the score combine them with numpy: a 10^5-member set
intersection costs milliseconds, a mask AND microseconds, and a million lawyers in Python sets
would cost hundreds of megabytes. Callers hold the catalog's lock; the arrays are shared:
combine them, never modify them.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from service import taxonomy
from service.matching import rules, scoring
from service.matching.profile import Interner, LawyerFacts

Key = tuple[str, str]
EVERYONE: Key = ("*", "*")
DECLARED_PRACTICE: Key = ("declared", "practice")
READ_COUNTRY = "read"  # ("read", code): the country is served on the bio's word only
MATTER = scoring.MATTER_MASK  # ("matter", "tax/transfer_pricing"): the profile shows the lawyer handling that type


def mask_keys(facts: LawyerFacts) -> list[Key]:
    """The masks a lawyer belongs to: what the rules and the score may ask about."""
    keys = [EVERYONE]
    countries = facts.countries
    keys += [("country", code) for code in countries]
    keys += [("region", region) for region in facts.regions]
    keys += [("language", code) for code in facts.languages]
    keys += [("practice", code) for code in facts.practice_areas]
    keys += [(MATTER, key) for key in facts.matters]
    if facts.declared_practice:
        keys.append(DECLARED_PRACTICE)
    keys += [(READ_COUNTRY, code) for code in countries - facts.declared_countries - facts.office_countries]
    keys += [(rules.ADVERSE, party) for party in facts.adverse]
    if facts.at_capacity:
        keys.append(rules.AT_CAPACITY)
    return keys


class FactTable:
    """Lawyer facts by id, their masks, and each lawyer's credentials component of the score."""

    def __init__(self) -> None:
        self.lawyers: dict[int, LawyerFacts] = {}
        self.intern = Interner()
        self.credentials = np.zeros(0)
        # each lawyer's track-record term of the score (neutral where nobody is)
        self.track_record = np.zeros(0)
        self._capacity = 0
        self._masks: dict[Key, np.ndarray] = {}

    def __len__(self) -> int:
        return len(self.lawyers)

    # ---- reads ---------------------------------------------------------------------------

    def mask(self, kind: str, code: str) -> np.ndarray:
        """Lawyers holding this code; all False when nobody does."""
        found = self._masks.get((kind, code))
        if found is None:
            return np.zeros(self._capacity, dtype=bool)
        return found

    def everyone(self) -> np.ndarray:
        return self.mask(*EVERYONE)

    def any_mask(self, kind: str, codes: Iterable[str]) -> np.ndarray:
        found = np.zeros(self._capacity, dtype=bool)
        for code in codes:
            mask = self._masks.get((kind, code))
            if mask is not None:
                found |= mask
        return found

    def counts(self, kind: str, within: np.ndarray) -> list[tuple[str, int]]:
        """Codes of this kind held by the lawyers of ``within``, with how many hold each, most
        common first (then by code): what a rule set aside would have to offer instead."""
        found = [(code, int(np.count_nonzero(mask & within))) for (k, code), mask in self._masks.items() if k == kind]
        return sorted(((code, n) for code, n in found if n), key=lambda item: (-item[1], item[0]))

    def region_mask(self, countries: Iterable[str]) -> np.ndarray:
        """Lawyers serving some country of the regions these countries belong to."""
        return self.any_mask("region", {r for r in (taxonomy.region_of(c) for c in countries) if r})

    # ---- writes --------------------------------------------------------------------------

    def link(self, facts: LawyerFacts) -> None:
        self.lawyers[facts.id] = facts
        self._reserve(facts.id)
        self._set_bits(mask_keys(facts), facts.id, True)
        self.credentials[facts.id] = scoring.credentials_score(facts.years_of_practice, facts.talent_pools)
        self.track_record[facts.id] = scoring.track_record_score(facts.track)

    def link_many(self, groups: Iterable[list[int]], credentials: dict[int, float]) -> None:
        """Set the masks of lawyers already in ``lawyers``, a group of lawyers with equal sets at a
        time (one numpy assignment per group), and their credentials as computed."""
        if self.lawyers:
            self._reserve(max(self.lawyers))
        for ids in groups:
            self._set_bits(mask_keys(self.lawyers[ids[0]]), np.asarray(ids, dtype=np.int64), True)
        for lawyer_id, value in credentials.items():
            self.credentials[lawyer_id] = value
        for lawyer_id in self.lawyers:
            track = self.lawyers[lawyer_id].track
            if track:
                self.track_record[lawyer_id] = scoring.track_record_score(track)

    def unlink(self, lawyer_id: int) -> LawyerFacts | None:
        facts = self.lawyers.pop(lawyer_id, None)
        if facts is not None:
            self._set_bits(mask_keys(facts), lawyer_id, False)
        return facts

    def clear(self) -> None:
        self.lawyers.clear()
        self._masks.clear()
        self._capacity = 0
        self.credentials = np.zeros(0)
        self.track_record = np.zeros(0)
        self.intern = Interner()

    def _set_bits(self, keys: Iterable[Key], lawyer_ids: int | np.ndarray, value: bool) -> None:
        for key in keys:
            mask = self._masks.get(key)
            if mask is None:
                if not value:
                    continue
                mask = self._masks[key] = np.zeros(self._capacity, dtype=bool)
            mask[lawyer_ids] = value

    def _reserve(self, lawyer_id: int) -> None:
        if lawyer_id < self._capacity:
            return
        capacity = max(lawyer_id + 1, 2 * self._capacity, 1024)
        for key, old in self._masks.items():
            grown = np.zeros(capacity, dtype=bool)
            grown[: len(old)] = old
            self._masks[key] = grown
        credentials = np.zeros(capacity)
        credentials[: len(self.credentials)] = self.credentials
        self.credentials = credentials
        track = np.full(capacity, scoring.TRACK_NEUTRAL)
        track[: len(self.track_record)] = self.track_record
        self.track_record = track
        self._capacity = capacity
