"""The hard rules, each alone and together, over a fact table of real facts (no database)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import numpy as np
import pytest

from models.base import utcnow
from service.matching import rules
from service.matching.catalog.facts import FactTable
from service.matching.need import NeedQuery, Term, given
from service.matching.profile import LawyerFacts


def facts(lawyer_id: int, *, countries: set[str], languages: dict[str, str], practice: set[str] = frozenset(), firm: str = "") -> LawyerFacts:
    return LawyerFacts(
        id=lawyer_id,
        firm_key=firm or f"firm-{lawyer_id}",
        years_of_practice=10,
        talent_pools=(),
        languages=languages,
        declared_countries=frozenset(countries),
        office_countries=frozenset(),
        read_countries=frozenset(),
        declared_practice=frozenset(practice),
        read_practice=frozenset(),
    )


@pytest.fixture
def table() -> FactTable:
    table = FactTable()
    table.link(facts(1, countries={"KZ"}, languages={"zh": "native", "ru": "fluent"}))
    table.link(facts(2, countries={"KG"}, languages={"zh": "native", "ru": "working"}))  # Central Asia, as KZ
    table.link(facts(3, countries={"KZ"}, languages={"zh": "native", "en": "fluent"}))
    table.link(facts(5, countries={"DE"}, languages={"zh": "native", "ru": "fluent"}))
    return table


def ids(mask: np.ndarray) -> set[int]:
    return set(np.flatnonzero(mask).tolist())


def need(**fields: tuple[Term, ...]) -> NeedQuery:
    return NeedQuery("a need", **fields)


def test_no_need_rule_leaves_everyone_the_catalog_holds(table: FactTable) -> None:
    result = rules.eligibility(need(), table)
    assert ids(result.allowed) == {1, 2, 3, 5}
    assert result.remaining == [("recommendable", 4)]
    assert not result.exact.any()


def test_every_binding_language_is_required(table: FactTable) -> None:
    assert ids(rules.speaks_required_languages(need(languages=given(["ru"])), table)) == {1, 2, 5}
    assert ids(rules.speaks_required_languages(need(languages=given(["ru", "en"])), table)) == set()
    assert rules.speaks_required_languages(need(), table) is None


def test_a_soft_language_reading_filters_nobody(table: FactTable) -> None:
    soft = (Term("ru", rules.HARD_READING_CONFIDENCE - 0.01, "read", "Russian documents"),)
    assert rules.speaks_required_languages(need(languages=soft), table) is None
    sure = (Term("ru", rules.HARD_READING_CONFIDENCE, "read", "must speak Russian"),)
    assert ids(rules.speaks_required_languages(need(languages=sure), table)) == {1, 2, 5}


def test_a_target_country_admits_its_region_and_marks_exact_coverage(table: FactTable) -> None:
    query = need(countries=given(["KZ"]), languages=given(["ru"]))
    assert ids(rules.serves_target_country(query, table)) == {1, 2, 3}
    result = rules.eligibility(query, table)
    assert ids(result.allowed) == {1, 2}
    assert ids(result.exact) == {1}
    assert result.remaining == [("recommendable", 4), ("languages", 3), ("countries", 2)]


def test_an_unlinked_lawyer_is_in_no_mask(table: FactTable) -> None:
    table.unlink(1)
    assert ids(rules.eligibility(need(countries=given(["KZ"])), table).exact) == {3}


def test_standing_verified_listed_unlapsed_and_for_matching_accepting() -> None:
    now = utcnow()
    ok = SimpleNamespace(status="verified", consent_listing=True, accepting_clients=True, verification_expires_at=now + timedelta(days=1))
    assert rules.RECOMMENDABLE.admits(ok, now) and rules.LISTED.admits(ok, now)
    busy = SimpleNamespace(**{**vars(ok), "accepting_clients": False})
    assert rules.LISTED.admits(busy, now) and not rules.RECOMMENDABLE.admits(busy, now)
    for broken in ({"status": "pending"}, {"status": "suspended"}, {"consent_listing": False},
                   {"verification_expires_at": now - timedelta(seconds=1)}):
        lawyer = SimpleNamespace(**{**vars(ok), **broken})
        assert not rules.LISTED.admits(lawyer, now), broken
        assert not rules.RECOMMENDABLE.admits(lawyer, now), broken
    never_lapses = SimpleNamespace(**{**vars(ok), "verification_expires_at": None})
    assert rules.RECOMMENDABLE.admits(never_lapses, now)
