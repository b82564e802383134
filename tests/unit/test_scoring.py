"""The formula's terms on hand-made facts: what each component gives, and that the one-lawyer
view is the arrays' own numbers."""

from __future__ import annotations

import numpy as np
import pytest

from service.matching import scoring
from service.matching.catalog.facts import FactTable
from service.matching.need import NeedQuery, Term, given
from service.matching.profile import LawyerFacts


def lawyer(lawyer_id: int, countries: set[str], declared: set[str] = frozenset(), read: set[str] = frozenset(),
           languages: dict[str, str] | None = None, years: int = 25, pools: tuple[str, ...] = ()) -> LawyerFacts:
    return LawyerFacts(
        id=lawyer_id, firm_key=f"f{lawyer_id}", years_of_practice=years, talent_pools=pools,
        languages=languages or {"zh": "native"}, declared_countries=frozenset(countries),
        office_countries=frozenset(), read_countries=frozenset(), declared_practice=frozenset(declared),
        read_practice=frozenset(read),
    )


@pytest.fixture
def table() -> FactTable:
    table = FactTable()
    table.link(lawyer(1, {"KZ"}, declared={"international_arbitration"}, languages={"zh": "native", "ru": "fluent"}))
    table.link(lawyer(2, {"KG"}, declared={"international_arbitration"}))  # same region as KZ
    table.link(lawyer(3, {"KZ"}, read={"international_arbitration"}, years=0))  # area read from the bio only
    table.link(lawyer(4, {"BR"}, declared={"tax"}, pools=("acla_foreign_related",)))
    return table


IDS = np.array([1, 2, 3, 4])


def test_each_term(table: FactTable) -> None:
    need = NeedQuery(
        "EPC arbitration in Kazakhstan",
        countries=(Term("KZ", 0.9, "read", "Kazakhstan"),),
        practice_areas=(Term("international_arbitration", 0.8, "read"), Term("construction_infrastructure", 0.4, "read")),
        languages=(Term("ru", 0.6, "read", "Russian documents"),),
    )
    parts = scoring.components(need, table, IDS, np.array([0.65, 0.15, 0.40, 0.0]))
    assert parts.country.tolist() == [0.9, scoring.REGION_CREDIT * 0.9, 0.9, 0.0]
    assert parts.practice.tolist() == [1.0, 1.0, scoring.READ_PRACTICE_CREDIT, 0.0]
    assert parts.matter.tolist() == [1.0, 0.0, 0.5, 0.0]
    assert parts.language.tolist() == [1.0, 0.0, 0.0, 0.0]
    assert parts.credentials[0] == pytest.approx(0.6) and parts.credentials[2] == 0.0
    assert parts.credentials[3] == pytest.approx(0.6 + 0.4 * 0.4)


def test_a_secondary_area_earns_in_proportion_to_its_reading(table: FactTable) -> None:
    need = NeedQuery("tax", practice_areas=(Term("international_arbitration", 0.9, "read"), Term("tax", 0.45, "read")))
    parts = scoring.components(need, table, IDS, np.zeros(4))
    assert parts.practice[3] == pytest.approx(0.5)


def test_a_need_without_countries_or_areas_gives_everyone_the_middle(table: FactTable) -> None:
    parts = scoring.components(NeedQuery("help"), table, IDS, np.zeros(4))
    assert set(parts.country.tolist()) == {scoring.NO_TARGET_NEUTRAL}
    assert set(parts.practice.tolist()) == {scoring.NO_TARGET_NEUTRAL}
    assert set(parts.language.tolist()) == {1.0}


def test_one_lawyers_components_are_the_arrays_numbers(table: FactTable) -> None:
    need = NeedQuery("x", countries=given(["KZ"]), practice_areas=given(["international_arbitration"]))
    parts = scoring.components(need, table, IDS, np.array([0.5, 0.3, 0.2, 0.1]))
    totals = parts.totals()
    for position in range(len(IDS)):
        assert parts.of(position).total == totals[position]
    assert np.argmax(totals) == 0
