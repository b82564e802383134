"""Supply and demand for the bureau: real needs, real match queries through the real engine, real
lawyers; the query log keeps counts and never the text."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, select

from models import MatchQueryCount
from models.base import utcnow
from service.analytics import supply_demand
from service.analytics.query_log import month_of
from service.settings import Settings
from tests.conftest import ADMIN_KEY, lawyer_record, make_settings
from tests.engagement._world import build_world

ADMIN = {"X-API-Key": ADMIN_KEY}
URL = "/v1/analytics/supply-demand"
VN_NEED = "我们在越南的鞋厂需要处理集体劳动争议和裁员"


@pytest.fixture
def settings(tmp_path: Any, database_url: str) -> Settings:
    # every query is written at once, so the test sees what another process would see
    return make_settings(tmp_path, database_url, query_log_flush_seconds=0)


def _key(client: TestClient, role: str, organisation: str) -> dict[str, str]:
    response = client.post("/v1/admin/api-keys", json={"name": role, "role": role, "organisation": organisation}, headers=ADMIN)
    assert response.status_code == 201, response.text
    return {"X-API-Key": response.json()["api_key"]}


@pytest.fixture
def world(client: TestClient) -> dict[str, dict[str, str]]:
    records = [
        lawyer_record(countries=["KZ"], practice_areas=["international_arbitration"]),
        lawyer_record(countries=["KZ", "UZ"], practice_areas=["international_arbitration", "energy_resources"]),
        lawyer_record(countries=["KZ"], practice_areas=["international_arbitration"], status="suspended"),
        lawyer_record(countries=["TH"], practice_areas=["intellectual_property"], bio="Recovered a squatted trademark in Thailand."),
    ]
    body = "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()
    assert client.post("/v1/lawyers/import", content=body, headers=ADMIN).json()["created"] == 4
    enterprise = _key(client, "enterprise", "Acme")
    needs = [
        {"description": "哈萨克斯坦光伏EPC合同仲裁", "countries": ["KZ"], "practice_areas": ["international_arbitration"]},
        {"description": VN_NEED, "countries": ["VN"], "practice_areas": ["labor_employment"]},
        # fields left empty: read from the text, as a match query's would be
        {"description": "Our trademark was squatted in Thailand by a local distributor"},
    ]
    for need in needs:
        assert client.post("/v1/needs", json=need, headers=enterprise).status_code == 201
    for _ in range(3):  # the same need asked three times: three queries of demand
        answer = client.post("/v1/match", json={"description": VN_NEED, "countries": ["VN"], "practice_areas": ["labor_employment"]}, headers=enterprise)
        assert answer.status_code == 200
    return {"enterprise": enterprise, "bureau": _key(client, "bureau", "Shanghai Commerce Bureau")}


def _cell(report: dict[str, Any], country: str, area: str) -> dict[str, Any]:
    found = [c for c in report["cells"] if c["country"] == country and c["practice_area"] == area]
    assert len(found) == 1, (country, area)
    return found[0]


def test_demand_and_supply_by_cell_with_the_gap(client: TestClient, world: dict[str, dict[str, str]]) -> None:
    response = client.get(URL, headers=world["bureau"])
    assert response.status_code == 200, response.text
    report = response.json()
    vn = _cell(report, "VN", "labor_employment")
    assert (vn["stored_needs"], vn["match_queries"], vn["needs_posted"], vn["lawyers_available"]) == (1, 3, 4, 0)
    assert vn["gap_score"] == 4.0 and vn["unmet_share"] == 1.0
    kz = _cell(report, "KZ", "international_arbitration")
    # the suspended lawyer is not supply
    assert (kz["needs_posted"], kz["lawyers_available"]) == (1, 2)
    assert kz["gap_score"] == supply_demand.gap_score(1, 2) == 0.333
    # supply without demand is reported, with no gap
    uz = _cell(report, "UZ", "energy_resources")
    assert (uz["needs_posted"], uz["lawyers_available"], uz["gap_score"]) == (0, 1, 0.0)
    assert report["top_gaps"][0]["country"] == "VN" and all(c["gap_score"] > 0 for c in report["top_gaps"])
    assert [c["gap_score"] for c in report["cells"]] == sorted((c["gap_score"] for c in report["cells"]), reverse=True)
    # capacity and accepted requests are recorded: nobody is at capacity, nothing accepted yet
    assert vn["lawyers_at_capacity"] == 0 and vn["requests_accepted"] == 0 and report["capacity_known"] is True
    # the month's trend holds every need and query of the month
    this_month = [m for m in report["months"] if m["month"] == month_of(utcnow())]
    assert len(report["months"]) == 12 and this_month[0]["needs_posted"] == 6 and this_month[0]["match_queries"] == 3
    th = _cell(report, "TH", "intellectual_property")
    assert (th["stored_needs"], th["lawyers_available"]) == (1, 1) and report["unspecified"] == {"country": 0, "practice_area": 0}
    assert {m["lawyers_available"] for m in report["months"]} == {3}  # today's supply, set against each month
    groups = {g["group"]: g for g in report["groups"]}
    assert groups["belt_and_road"]["needs_posted"] == 6 and groups["belt_and_road"]["lawyers_available"] == 3
    assert groups["southeast_asia"]["gap_score"] > groups["central_asia"]["gap_score"]


def test_names_in_chinese_and_groupings(client: TestClient, world: dict[str, dict[str, str]]) -> None:
    report = client.get(URL, params={"lang": "zh", "group": "central_asia"}, headers=world["bureau"]).json()
    assert {c["country"] for c in report["cells"]} == {"KZ", "UZ"}
    kz = _cell(report, "KZ", "international_arbitration")
    assert kz["country_name"] == "哈萨克斯坦" and kz["practice_area_name"] == "国际仲裁" and kz["belt_and_road"] is True
    assert [g["name"] for g in report["groups"]] == ["中亚"]
    english = client.get(URL, headers={**world["bureau"], "Accept-Language": "fr;q=0.9, en;q=0.8"}).json()
    assert _cell(english, "KZ", "international_arbitration")["country_name"] == "Kazakhstan"
    chinese = client.get(URL, headers={**world["bureau"], "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}).json()
    assert chinese["lang"] == "zh"


def test_csv_agrees_with_the_json(client: TestClient, world: dict[str, dict[str, str]]) -> None:
    report = client.get(URL, headers=world["bureau"]).json()
    for table in ("cells", "months", "groups"):
        response = client.get(URL, params={"format": "csv", "table": table}, headers=world["bureau"])
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert len(rows) == len(report[table]) > 0
        for row, item in zip(rows, report[table], strict=True):
            assert set(row) == set(item)
            for key, value in item.items():
                expected = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
                assert row[key] == expected, (table, key)


def test_who_may_read_it_and_bad_periods(client: TestClient, world: dict[str, dict[str, str]]) -> None:
    assert client.get(URL).status_code == 401
    assert client.get(URL, headers=world["enterprise"]).status_code == 403
    assert client.get(URL, headers=ADMIN).status_code == 200
    bad = client.get(URL, params={"months": 121}, headers=world["bureau"])
    assert bad.status_code == 422 and "months" in bad.json()["detail"]
    assert client.get(URL, params={"until": "2026-13"}, headers=world["bureau"]).status_code == 422
    old = client.get(URL, params={"until": "2020-12", "months": 120}, headers=world["bureau"]).json()
    assert (old["first_month"], old["last_month"], len(old["months"])) == ("2011-01", "2020-12", 120)
    assert all(c["needs_posted"] == 0 for c in old["cells"]) and old["top_gaps"] == []


def test_the_query_log_holds_counts_not_text(client: TestClient, world: dict[str, dict[str, str]], settings: Settings) -> None:
    engine = create_engine(settings.resolved_database_url)
    try:
        columns = {c["name"] for c in inspect(engine).get_columns("match_query_counts")}
        assert columns == {"month", "country", "practice_area", "queries"}
        with engine.connect() as connection:
            rows = connection.execute(select(MatchQueryCount.__table__)).all()
    finally:
        engine.dispose()
    assert [(r.country, r.practice_area, r.queries) for r in rows] == [("VN", "labor_employment", 3)]
    assert not any("越南" in str(value) or "鞋厂" in str(value) for row in rows for value in row)


def test_queries_are_counted_in_memory_until_flushed(tmp_path: Any, database_url: str, runtime: Any) -> None:
    """With the default flush interval a query costs a dict update; the report flushes first."""
    from service.main import create_app
    from tests.conftest import started

    app = create_app(make_settings(tmp_path, database_url), runtime=runtime)
    with started(app) as client:
        client.post("/v1/lawyers/import", content=json.dumps(lawyer_record()).encode(), headers=ADMIN)
        for _ in range(2):
            client.post("/v1/match", json={"description": "EPC arbitration in Kazakhstan", "countries": ["KZ"], "practice_areas": ["international_arbitration"]}, headers=ADMIN)
        assert app.state.query_log.pending() == 2
        cell = _cell(client.get(URL, headers=ADMIN).json(), "KZ", "international_arbitration")
        assert cell["match_queries"] == 2 and app.state.query_log.pending() == 0


def test_an_accepted_request_and_a_lawyer_at_capacity_count(client: TestClient) -> None:
    world = build_world(client, lawyers=2, max_open_engagements=1)
    need_id = world.need()
    sent = client.post(f"/v1/needs/{need_id}/requests", json={"lawyer_ids": [world.lawyers[0]]}, headers=world.enterprise)
    assert sent.status_code == 201, sent.text
    request_id = sent.json()["items"][0]["id"]
    assert client.post(f"/v1/requests/{request_id}/accept", headers=world.tokens[world.lawyers[0]]).status_code == 200
    report = client.get(URL, headers=ADMIN).json()
    kz = _cell(report, "KZ", "international_arbitration")
    # the first lawyer took the engagement: at capacity (one open of one), still counted as supply
    assert (kz["lawyers_available"], kz["lawyers_at_capacity"], kz["requests_accepted"]) == (2, 1, 1)
    assert kz["needs_posted"] == 1 and kz["gap_score"] == supply_demand.gap_score(1, 1)
    this_month = [m for m in report["months"] if m["month"] == month_of(utcnow())][0]
    assert this_month["requests_accepted"] == 1
