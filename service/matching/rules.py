"""Every hard rule: who may ever be recommended, and who may be for this need. Never broken.

Two kinds of rule, each written once here:

- **Standing** (verified, verification not lapsed, consenting to be listed, accepting clients): a
  predicate over a stored lawyer. The catalog holds only lawyers who meet ``RECOMMENDABLE`` and
  drops a result whose card no longer does; the directory lists those who meet ``LISTED``
  (the repository turns the rule's requirements into SQL); the evaluation counts a break as a
  violation.
- **Need rules** (every required language; a target country served, or one of its region): each a
  function of the need and the catalog's facts that yields a boolean mask over lawyer ids, or
  None when the need does not invoke it. ``eligibility`` ANDs them in order and records how many
  lawyers each left, so an empty answer can say which rule emptied it. A new rule is one function
  here, added to ``NEED_RULES``, plus its test.

A reading from free text becomes binding (a need rule) only when sure (``binds``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from models.lawyer import LawyerStatus, verification_lapsed

if TYPE_CHECKING:
    from service.matching.need import NeedQuery, Term

# A reading from free text becomes a hard rule only when this sure; below it, it ranks softly.
HARD_READING_CONFIDENCE = 0.75


# ---- standing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StandingRule:
    """Column values a lawyer must hold, and whether the verification must still be running.

    Declared as data so that one definition serves a Python check (``admits``) and the SQL the
    directory's repository builds from ``required`` and ``unlapsed``.
    """

    name: str
    required: Mapping[str, Any]
    unlapsed: bool = True

    def admits(self, lawyer: Any, now: datetime | None = None) -> bool:
        """Whether a lawyer (a model object, a result's card row, anything with these attributes)
        meets the rule now."""
        return all(getattr(lawyer, column) == value for column, value in self.required.items()) and not (
            self.unlapsed and verification_lapsed(lawyer.verification_expires_at, now)
        )


# The directory: a verified lawyer who consents to being listed, verification running.
LISTED = StandingRule("listed", {"status": LawyerStatus.verified.value, "consent_listing": True})
# Matching: listed, and accepting new clients.
RECOMMENDABLE = StandingRule("recommendable", {**LISTED.required, "accepting_clients": True})


# ---- need rules ----------------------------------------------------------------------------


def binds(term: Term) -> bool:
    """A field the caller filled always binds; a reading binds only when sure."""
    return term.source == "given" or term.confidence >= HARD_READING_CONFIDENCE


class Facts(Protocol):
    """The masks rules read (``catalog.facts.FactTable``): boolean arrays over lawyer ids."""

    def everyone(self) -> np.ndarray: ...

    def mask(self, kind: str, code: str) -> np.ndarray: ...

    def any_mask(self, kind: str, codes: Iterable[str]) -> np.ndarray: ...

    def region_mask(self, countries: Iterable[str]) -> np.ndarray: ...

    def counts(self, kind: str, within: np.ndarray) -> list[tuple[str, int]]: ...


NeedRule = Callable[["NeedQuery", Facts], "np.ndarray | None"]


def speaks_required_languages(need: NeedQuery, facts: Facts) -> np.ndarray | None:
    """Every binding language of the need is one the lawyer works in."""
    if not need.binding_languages:
        return None
    spoken = facts.everyone()
    for code in need.binding_languages:
        spoken = spoken & facts.mask("language", code)
    return spoken


def serves_target_country(need: NeedQuery, facts: Facts) -> np.ndarray | None:
    """The lawyer serves a binding country, or a country of the same region (ranked lower)."""
    if not need.binding_countries:
        return None
    served: np.ndarray = facts.any_mask("country", need.binding_countries) | facts.region_mask(need.binding_countries)
    return served


def has_capacity(need: NeedQuery, facts: Facts) -> np.ndarray | None:
    """The lawyer has room for one more engagement (below their declared maximum of open ones).

    Availability reaches the engine through the change feed, like any fact: the transaction that
    opens or ends an engagement updates the lawyer's ``at_capacity`` column and, when it flips,
    appends a profile change, so every worker's facts hold it within a feed poll and a match pays
    no query for it (a per-match query would cost a round trip on every match for a rare state).
    The offer itself re-checks the row in its transaction. None when nobody is at capacity."""
    full = facts.mask(*AT_CAPACITY)
    if not full.any():
        return None
    free: np.ndarray = facts.everyone() & ~full
    return free


def not_conflicted(need: NeedQuery, facts: Facts) -> np.ndarray | None:
    """No counterparty of the need is a party the lawyer declared they cannot act against
    (names compared by ``party_key``: case, width, spacing and legal-form suffixes aside)."""
    if not need.counterparties:
        return None
    conflicted = facts.any_mask(ADVERSE, need.counterparties)
    free: np.ndarray = facts.everyone() & ~conflicted
    return free


NEED_RULES: tuple[tuple[str, NeedRule], ...] = (
    ("languages", speaks_required_languages),
    ("countries", serves_target_country),
    ("capacity", has_capacity),
    ("conflicts", not_conflicted),
)


# ---- conflicts: party names -----------------------------------------------------------------

# the mask key of lawyers at capacity, and the kind of masks of declared adverse parties
AT_CAPACITY = ("capacity", "full")
ADVERSE = "adverse"

# Legal forms dropped from the end of a name, so "Kazakh Grid Co., Ltd." meets "KAZAKH GRID":
# Latin ones as whole words, Chinese ones as the name's ending (Chinese has no spaces).
_LATIN_FORMS = frozenset(
    "co ltd limited company llc llp plc inc incorporated corporation corp gmbh ag sa sas srl bv nv jsc ojsc pjsc too ao ooo".split()
)
_CHINESE_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "公司")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def party_key(name: str) -> str:
    """A party's name as compared for conflicts: NFKC (full-width letters and digits become
    ASCII), case-folded, without spaces or punctuation, and without a trailing legal form. The
    lawyer lists each spelling they want caught (zh and en); each is compared this way."""
    words = _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", name).casefold()).split()
    while len(words) > 1 and words[-1] in _LATIN_FORMS:
        words.pop()
    key = "".join(words)
    for form in _CHINESE_FORMS:
        if key.endswith(form) and len(key) > len(form):
            key = key[: -len(form)]
            break
    return key


def party_keys(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k for k in (party_key(n) for n in names) if k))


@dataclass
class Eligibility:
    """Who the rules allow for a need, and among them who serves a binding country itself."""

    allowed: np.ndarray
    exact: np.ndarray
    # after the standing rule and then each need rule that applied: (rule, lawyers left)
    remaining: list[tuple[str, int]] = field(default_factory=list)
    # each rule that applied, with the lawyers it admits on its own
    admitted_by: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return int(np.count_nonzero(self.allowed))

    def excluded_by(self, lawyer_id: int) -> str | None:
        """The first rule (in order) that excludes this lawyer, or None if every rule admits them."""
        for name, mask in self.admitted_by.items():
            if not (0 <= lawyer_id < len(mask) and mask[lawyer_id]):
                return name
        return None


def eligibility(need: NeedQuery, facts: Facts, rules: Iterable[tuple[str, NeedRule]] = NEED_RULES) -> Eligibility:
    """AND of the standing rule (every lawyer the catalog holds meets it) and the need rules.
    The caller holds the catalog's lock."""
    allowed = facts.everyone()
    remaining = [(RECOMMENDABLE.name, int(np.count_nonzero(allowed)))]
    admitted_by = {RECOMMENDABLE.name: allowed}
    for name, rule in rules:
        mask = rule(need, facts)
        if mask is not None:
            admitted_by[name] = mask
            allowed = allowed & mask
            remaining.append((name, int(np.count_nonzero(allowed))))
    if need.binding_countries:
        exact = facts.any_mask("country", need.binding_countries) & allowed
    else:
        exact = np.zeros(len(allowed), dtype=bool)
    return Eligibility(allowed, exact, remaining, admitted_by)


# ---- when nobody is left -------------------------------------------------------------------

# What a need rule asks for, as the kind of fact its lawyers hold (to say what they offer instead).
_RULE_FACT = {"languages": "language", "countries": "country"}


@dataclass(frozen=True)
class Relaxation:
    """What setting one need rule aside would give, when the rules together leave nobody."""

    dropped: str  # the need rule set aside
    lawyers: int  # how many lawyers the other rules then allow
    in_target_countries: int  # of them, how many serve a binding country itself
    # what they hold in place of the rule's requirement, most common first (counted among those
    # serving a target country when there are any)
    instead: list[tuple[str, int]]


def emptied_by(eligibility: Eligibility) -> str | None:
    """The first rule (in order) after which nobody was left."""
    return next((name for name, left in eligibility.remaining if left == 0), None)


def relaxations(need: NeedQuery, facts: Facts, eligibility: Eligibility, *, alternatives: int = 3) -> list[Relaxation]:
    """For each need rule that applied, what the other rules alone would allow."""
    applied = [name for name in eligibility.admitted_by if name != RECOMMENDABLE.name]
    out = []
    for dropped in applied:
        allowed = facts.everyone()
        for name in applied:
            if name != dropped:
                allowed = allowed & eligibility.admitted_by[name]
        exact = allowed & facts.any_mask("country", need.binding_countries) if need.binding_countries else allowed
        kind = _RULE_FACT.get(dropped)
        # what they offer, counted among those in a target country when there are any
        among = exact if need.binding_countries and exact.any() else allowed
        instead = facts.counts(kind, among)[:alternatives] if kind else []
        out.append(Relaxation(dropped, int(np.count_nonzero(allowed)), int(np.count_nonzero(exact)), instead))
    return out
