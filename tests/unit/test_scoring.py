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
    # construction weighs (0.4 / 0.8) ** 3 = 0.125 of arbitration: covering arbitration alone is
    # the best single area, and 1 / 1.125 of the asked weight for the breadth share
    breadth = 1 / 1.125
    expected = [0.85 + 0.15 * breadth, 0.85 + 0.15 * breadth, scoring.READ_PRACTICE_CREDIT * (0.85 + 0.15 * breadth), 0.0]
    assert parts.practice.tolist() == pytest.approx(expected)
    assert parts.matter.tolist() == [1.0, 0.0, 0.5, 0.0]
    assert parts.language.tolist() == [1.0, 0.0, 0.0, 0.0]
    assert parts.credentials[0] == pytest.approx(0.6) and parts.credentials[2] == 0.0
    assert parts.credentials[3] == pytest.approx(0.6 + 0.4 * 0.4)


def test_a_weaker_reading_earns_far_less_than_the_matter_itself(table: FactTable) -> None:
    need = NeedQuery("tax", practice_areas=(Term("international_arbitration", 0.9, "read"), Term("tax", 0.45, "read")))
    parts = scoring.components(need, table, IDS, np.zeros(4))
    assert scoring.area_weights(need) == {"international_arbitration": 1.0, "tax": 0.125}
    assert parts.practice[3] == pytest.approx(0.85 * 0.125 + 0.15 * 0.125 / 1.125)


def test_primary_area_first_both_areas_best() -> None:
    table = FactTable()
    table.link(lawyer(1, {"KZ"}, declared={"construction_infrastructure"}))
    table.link(lawyer(2, {"KZ"}, declared={"international_arbitration"}))
    table.link(lawyer(3, {"KZ"}, declared={"international_arbitration", "construction_infrastructure"}))
    need = NeedQuery("x", countries=given(["KZ"]), practice_areas=given(["international_arbitration", "construction_infrastructure"]))
    totals = scoring.components(need, table, np.array([1, 2, 3]), np.zeros(3)).totals()
    assert totals[2] > totals[1] > totals[0]


def test_first_tier_is_in_country_with_an_acceptable_area() -> None:
    table = FactTable()
    table.link(lawyer(1, {"KG"}, declared={"international_arbitration"}))  # neighbour, main area
    table.link(lawyer(2, {"KZ"}, declared={"construction_infrastructure"}))  # in country, second area
    table.link(lawyer(3, {"KZ"}, declared={"tax"}))  # in country, no area asked
    need = NeedQuery("x", countries=given(["KZ"]), practice_areas=given(["international_arbitration", "construction_infrastructure"]))
    assert scoring.first_tier(need, table, np.array([1, 2, 3])).tolist() == [False, True, False]
    # the in-country lawyer with a secondary area comes before the neighbour with the main one; the
    # in-country lawyer with no area of the need comes last with the neighbour
    assert scoring.tiers(need, table, np.array([1, 2, 3])).tolist() == [2, 0, 2]
    read = NeedQuery("x", countries=given(["KZ"]), practice_areas=(Term("international_arbitration", 0.9, "read"),
                                                                   Term("construction_infrastructure", 0.5, "read"),
                                                                   Term("tax", 0.3, "read")))
    # construction weighs (0.5/0.9)^3 = 0.17: second tier; tax (0.3/0.9)^3 = 0.04: noise, last
    assert scoring.tiers(read, table, np.array([1, 2, 3])).tolist() == [2, 1, 2]
    # a country read too unsure to count shapes no tier
    unsure = NeedQuery("x", countries=(Term("KZ", 0.3, "read"),), practice_areas=given(["tax"]))
    assert scoring.first_tier(unsure, table, np.array([1, 2, 3])).tolist() == [False, False, True]


def test_a_place_named_beside_the_binding_country_shapes_no_first_tier() -> None:
    table = FactTable()
    table.link(lawyer(1, {"VN"}, declared={"tax"}))
    table.link(lawyer(2, {"SG"}, declared={"tax"}))  # where the holding company sits
    need = NeedQuery("x", countries=(Term("VN", 0.99, "read"), Term("SG", 0.6, "read")), practice_areas=given(["tax"]))
    assert [t.binding for t in need.countries] == [True, False]
    assert scoring.first_tier(need, table, np.array([1, 2])).tolist() == [True, False]
    # where nothing binds, a place read surely enough still leads
    soft = NeedQuery("x", countries=(Term("SG", 0.6, "read"),), practice_areas=given(["tax"]))
    assert scoring.first_tier(soft, table, np.array([1, 2])).tolist() == [False, True]


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


def test_a_country_only_the_bio_names_leads_the_second_tier_not_the_first() -> None:
    table = FactTable()
    table.link(lawyer(1, {"KZ"}, declared={"international_arbitration"}))
    table.link(LawyerFacts(
        id=2, firm_key="f2", years_of_practice=30, talent_pools=(), languages={"zh": "native"},
        declared_countries=frozenset(), office_countries=frozenset({"UZ"}), read_countries=frozenset({"KZ"}),
        declared_practice=frozenset({"international_arbitration"}), read_practice=frozenset(),
    ))
    table.link(lawyer(3, {"KZ"}, declared={"construction_infrastructure"}))
    table.link(lawyer(4, {"KG"}, declared={"international_arbitration"}))
    need = NeedQuery("x", countries=given(["KZ"]), practice_areas=(Term("international_arbitration", 0.9, "read"),
                                                                   Term("construction_infrastructure", 0.5, "read")))
    assert scoring.tiers(need, table, np.array([1, 2, 3, 4])).tolist() == [0, 1, 1, 2]


def test_an_area_only_the_bio_names_leads_the_second_tier_not_the_first() -> None:
    table = FactTable()
    table.link(lawyer(1, {"KZ"}, declared={"international_arbitration"}))
    table.link(lawyer(2, {"KZ"}, read={"international_arbitration"}))  # declared no area: the bio's word only
    table.link(lawyer(3, {"KG"}, declared={"international_arbitration"}))
    need = NeedQuery("x", countries=given(["KZ"]), practice_areas=given(["international_arbitration"]))
    assert scoring.tiers(need, table, np.array([1, 2, 3])).tolist() == [0, 1, 2]
    # without a country, the bio's area still counts for less than a declared one
    anywhere = NeedQuery("x", practice_areas=given(["international_arbitration"]))
    assert scoring.tiers(anywhere, table, np.array([1, 2, 3])).tolist() == [0, 1, 0]


def test_a_country_read_from_the_bio_counts_less_than_a_declared_one() -> None:
    table = FactTable()
    table.link(lawyer(1, {"SG"}, declared={"international_arbitration"}))
    bio_only = LawyerFacts(
        id=2, firm_key="f2", years_of_practice=25, talent_pools=(), languages={"zh": "native"},
        declared_countries=frozenset(), office_countries=frozenset(), read_countries=frozenset({"SG"}),
        declared_practice=frozenset({"international_arbitration"}), read_practice=frozenset(),
    )
    table.link(bio_only)
    offices_only = LawyerFacts(
        id=3, firm_key="f3", years_of_practice=25, talent_pools=(), languages={"zh": "native"},
        declared_countries=frozenset(), office_countries=frozenset({"SG"}), read_countries=frozenset(),
        declared_practice=frozenset({"international_arbitration"}), read_practice=frozenset(),
    )
    table.link(offices_only)
    # an office elsewhere does not make the bio's passing mention of Singapore certain
    office_elsewhere = LawyerFacts(
        id=4, firm_key="f4", years_of_practice=25, talent_pools=(), languages={"zh": "native"},
        declared_countries=frozenset(), office_countries=frozenset({"QA"}), read_countries=frozenset({"SG"}),
        declared_practice=frozenset({"international_arbitration"}), read_practice=frozenset(),
    )
    table.link(office_elsewhere)
    need = NeedQuery("x", countries=(Term("SG", 0.9, "read", "Singapore"),), practice_areas=given(["international_arbitration"]))
    parts = scoring.components(need, table, np.array([1, 2, 3, 4]), np.zeros(4))
    assert parts.country.tolist() == pytest.approx([0.9, 0.9 * scoring.READ_COUNTRY_CREDIT, 0.9, 0.9 * scoring.READ_COUNTRY_CREDIT])
    assert parts.totals()[0] > parts.totals()[1]


def test_a_regional_fallback_is_explained_against_the_target_not_a_seat_named() -> None:
    from service.matching import explain

    neighbour = LawyerFacts(
        id=5, firm_key="f5", years_of_practice=10, talent_pools=(), languages={"ru": "fluent"},
        declared_countries=frozenset({"UZ", "ID"}), office_countries=frozenset(), read_countries=frozenset(),
        declared_practice=frozenset({"international_arbitration"}), read_practice=frozenset(),
    )
    need = NeedQuery("x", countries=(Term("KZ", 0.95, "read", "Kazakhstan"), Term("SG", 0.4, "read", "SIAC")),
                     practice_areas=given(["international_arbitration"]))
    assert need.countries[0].binding and not need.countries[1].binding
    assert explain.agreement(need, neighbour).region_countries == [("UZ", "KZ")]  # not ("ID", "SG")


def test_a_country_only_the_profile_names_is_said_so_in_the_reasons() -> None:
    from service.matching import explain

    bio_only = LawyerFacts(
        id=6, firm_key="f6", years_of_practice=10, talent_pools=(), languages={"ru": "fluent"},
        declared_countries=frozenset(), office_countries=frozenset({"UZ"}), read_countries=frozenset({"KZ"}),
        declared_practice=frozenset({"international_arbitration"}), read_practice=frozenset(),
    )
    need = NeedQuery("x", countries=given(["KZ"]), practice_areas=given(["international_arbitration"]))
    agreed = explain.agreement(need, bio_only)
    assert agreed.matched()["countries"] == ["KZ"] and agreed.countries == [] and agreed.region_countries == []
    reasons = agreed.reasons("en", None, bio_only)
    assert "Profile mentions work in Kazakhstan (not declared as a country served)" in reasons
    assert not any(r.startswith("Serves") for r in reasons)
