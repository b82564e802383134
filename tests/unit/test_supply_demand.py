"""The supply-and-demand arithmetic: the gap score, months and periods, the groupings."""

from __future__ import annotations

from datetime import datetime, timezone

import pycountry

from service.analytics.supply_demand import Period, belt_and_road_countries, gap_score, groups_of, months_back, unmet_share


def test_the_gap_grows_with_demand_and_falls_with_supply() -> None:
    assert gap_score(0, 0) == 0.0 and gap_score(0, 5) == 0.0
    assert gap_score(4, 0) == 4.0 and unmet_share(4, 0) == 1.0
    assert gap_score(40, 2) == 38.095 and gap_score(1, 2) == 0.333
    assert gap_score(40, 2) > gap_score(1, 0)  # volume counts: 40 needs and 2 lawyers above 1 need and none
    for needs in (1, 5, 50):
        gaps = [gap_score(needs, lawyers) for lawyers in range(10)]
        assert gaps == sorted(gaps, reverse=True) and gap_score(needs + 1, 3) > gap_score(needs, 3)
    assert gap_score(3, -2) == gap_score(3, 0)  # more at capacity than available is no supply, not negative


def test_months_across_a_year_end() -> None:
    assert months_back("2026-01", 12) == "2025-02" and months_back("2026-12", 1) == "2026-12"
    period = Period("2025-11", "2026-02")
    assert period.months == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert period.start == datetime(2025, 11, 1, tzinfo=timezone.utc) and period.end == datetime(2026, 3, 1, tzinfo=timezone.utc)
    assert Period("2026-12", "2026-12").end == datetime(2027, 1, 1, tzinfo=timezone.utc)


def test_groupings() -> None:
    partners = belt_and_road_countries()
    assert len(partners) >= 140 and all(pycountry.countries.get(alpha_2=c) for c in partners)
    assert {"KZ", "VN", "SA", "HU", "NZ", "CL"} <= partners and not {"IT", "US", "JP", "IN", "DE"} & partners
    assert groups_of("KZ") == ("central_asia", "belt_and_road") and groups_of("US") == ("developed",)
