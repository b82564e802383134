"""Capacity and conflicts as hard rules over real fact tables (no database)."""

from __future__ import annotations

import numpy as np
import pytest

from service.matching import rules
from service.matching.catalog.facts import FactTable
from service.matching.need import NeedQuery, given
from service.matching.profile import LawyerFacts


def facts(lawyer_id: int, *, adverse: tuple[str, ...] = (), full: bool = False) -> LawyerFacts:
    return LawyerFacts(
        id=lawyer_id, firm_key=f"firm-{lawyer_id}", years_of_practice=10, talent_pools=(), languages={"zh": "native"},
        declared_countries=frozenset({"KZ"}), office_countries=frozenset(), read_countries=frozenset(),
        declared_practice=frozenset(), read_practice=frozenset(),
        adverse=frozenset(rules.party_keys(adverse)), at_capacity=full,
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Kazakh Grid Co., Ltd.", "KAZAKH  GRID"),
        ("ＫＡＺＡＫＨ　Ｇｒｉｄ", "kazakh grid"),  # full-width letters and space
        ("哈萨克电网有限公司", "哈萨克电网"),
        ("Samruk-Kazyna JSC", "samruk kazyna"),
        ("Almaty Power LLC", "ALMATY-POWER"),
    ],
)
def test_party_names_compare_case_width_space_and_legal_form_insensitively(a: str, b: str) -> None:
    assert rules.party_key(a) == rules.party_key(b)


@pytest.mark.parametrize(("a", "b"), [("Tesco", "Tes"), ("Kazakh Grid", "Kazakh Gas"), ("哈萨克电网", "哈萨克电力")])
def test_different_parties_stay_different(a: str, b: str) -> None:
    assert rules.party_key(a) != rules.party_key(b)


def _table() -> FactTable:
    table = FactTable()
    table.link(facts(1, adverse=("哈萨克电网有限公司", "Kazakh Grid Co., Ltd.")))
    table.link(facts(2, full=True))
    table.link(facts(3))
    return table


def test_a_conflicted_lawyer_is_excluded_whichever_spelling_the_need_uses() -> None:
    table = _table()
    for spelling in ("KAZAKH GRID", "哈萨克电网", "ｋａｚａｋｈ ｇｒｉｄ ltd"):
        need = NeedQuery("d", countries=given(["KZ"]), counterparties=rules.party_keys([spelling]))
        result = rules.eligibility(need, table)
        assert np.flatnonzero(result.allowed).tolist() == [3], spelling
        assert result.excluded_by(1) == "conflicts" and result.excluded_by(2) == "capacity"
    # a need without that counterparty leaves lawyer 1 in
    other = NeedQuery("d", countries=given(["KZ"]), counterparties=rules.party_keys(["Almaty Power"]))
    assert np.flatnonzero(rules.eligibility(other, table).allowed).tolist() == [1, 3]


def test_capacity_applies_only_when_someone_is_full() -> None:
    table = FactTable()
    table.link(facts(1))
    need = NeedQuery("d", countries=given(["KZ"]))
    assert [name for name, _ in rules.eligibility(need, table).remaining] == ["recommendable", "countries"]
    table.unlink(1)
    table.link(facts(1, full=True))
    assert rules.eligibility(need, table).count == 0
    assert rules.eligibility(need, table).remaining[-1] == ("capacity", 0)
