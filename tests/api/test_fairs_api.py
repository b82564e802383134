"""Trade fairs through the API, on the real engine and database: create, mark, recommend,
schedule, export, repair; the checks of issue 16."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from typing import Any

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from openpyxl import load_workbook

from service.fairs.model import free_slots, generate_slots
from tests.conftest import ADMIN_KEY, lawyer_record

ADMIN = {"X-API-Key": ADMIN_KEY}
DAY = "2026-12-08"
DAYS = [{"date": DAY, "start": "09:00", "end": "12:00", "breaks": [{"start": "10:30", "end": "10:45"}]}]


def _key(client: TestClient, role: str, organisation: str) -> dict[str, str]:
    response = client.post("/v1/admin/api-keys", json={"name": "k", "role": role, "organisation": organisation}, headers=ADMIN)
    assert response.status_code == 201, response.text
    return {"X-API-Key": response.json()["api_key"]}


def _import(client: TestClient, records: list[dict[str, Any]]) -> dict[str, int]:
    body = "\n".join(json.dumps(r) for r in records).encode()
    assert client.post("/v1/lawyers/import", content=body, headers=ADMIN).json()["created"] == len(records)
    items = client.get("/v1/lawyers", params={"limit": 100}, headers=ADMIN).json()["items"]
    return {i["external_id"]: i["id"] for i in items}


LAWYERS = [
    lawyer_record(external_id="KZ-1"),
    lawyer_record(external_id="KZ-2", bio="Arbitration of construction disputes in Central Asia, Almaty and Astana."),
    lawyer_record(external_id="KZ-3", practice_areas=["construction_infrastructure"]),
    lawyer_record(external_id="TH-1", countries=["TH"], practice_areas=["intellectual_property"], languages=[{"code": "zh", "level": "native"}, {"code": "th", "level": "fluent"}],
                  bio="Trademark squatting cases and IP enforcement in Thailand."),
    lawyer_record(external_id="PENDING", status="pending"),
]
ENTERPRISES = [
    {"name": "新疆光能", "need": {"description": "哈萨克斯坦光伏电站EPC合同争议，需要会俄语的仲裁律师", "countries": ["KZ"]}, "max_meetings": 3},
    {"name": "Sino Build", "need": {"description": "EPC contract dispute in Kazakhstan, arbitration", "countries": ["KZ"]}, "max_meetings": 2,
     "availability": [{"date": DAY, "start": "09:00", "end": "10:00"}]},
    {"name": "泰国品牌", "need": {"description": "我们的商标在泰国被抢注", "countries": ["TH"]}, "max_meetings": 2},
    {"name": "Steppe Mining", "need": {"description": "Mining licence arbitration in Kazakhstan", "countries": ["KZ"]}, "max_meetings": 3},
]


@pytest.fixture
def bureau(client: TestClient) -> dict[str, str]:
    return _key(client, "bureau", "Urumqi Commerce Bureau")


@pytest.fixture
def fair(client: TestClient, bureau: dict[str, str]) -> dict[str, Any]:
    ids = _import(client, LAWYERS)
    lawyers = [
        {"lawyer_id": ids["KZ-1"], "max_meetings": 4},
        {"external_id": "KZ-2", "max_meetings": 3, "availability": [{"date": DAY, "start": "09:40", "end": "12:00"}]},
        {"lawyer_id": ids["KZ-3"], "max_meetings": 4},
        {"lawyer_id": ids["TH-1"], "max_meetings": 4},
        {"lawyer_id": ids["PENDING"], "max_meetings": 4},
    ]
    body = {"name": "中国—中亚洽谈会", "days": DAYS, "slot_minutes": 20, "tables": 2, "enterprises": ENTERPRISES, "lawyers": lawyers}
    response = client.post("/v1/fairs", json=body, headers=bureau)
    assert response.status_code == 201, response.text
    return response.json()


def _ids(fair: dict[str, Any]) -> tuple[list[int], list[int]]:
    return ([p["id"] for p in fair["participants"] if p["kind"] == "enterprise"],
            [p["id"] for p in fair["participants"] if p["kind"] == "lawyer"])


def test_a_fair_is_created_with_its_slots(client: TestClient, fair: dict[str, Any], bureau: dict[str, str]) -> None:
    # 09:00-10:30 is 4 slots of 20 min (the 4th ends 10:20), the break, then 10:45-12:00 is 3
    assert [(s["start"], s["end"]) for s in fair["slots"]] == [
        ("09:00", "09:20"), ("09:20", "09:40"), ("09:40", "10:00"), ("10:00", "10:20"),
        ("10:45", "11:05"), ("11:05", "11:25"), ("11:25", "11:45")]
    assert [p["name"] for p in fair["participants"] if p["kind"] == "enterprise"] == [e["name"] for e in ENTERPRISES]
    assert client.get(f"/v1/fairs/{fair['id']}", headers=bureau).json() == fair
    assert client.get("/v1/fairs", headers=bureau).json()["total"] == 1


@pytest.mark.parametrize(
    ("change", "status", "fix"),
    [
        ({"lawyers": [{"lawyer_id": 999999}]}, 404, "lawyers[0].lawyer_id"),
        ({"lawyers": [{"external_id": "nobody"}]}, 404, "lawyers[0].external_id"),
        ({"enterprises": [{"name": "x", "need_id": 999}]}, 404, "enterprises[0].need_id"),
        ({"enterprises": [{"name": "x"}]}, 422, "enterprises.0"),
        ({"enterprises": [{"name": "x", "need_id": 1, "need": {"description": "需要律师"}}]}, 422, "enterprises.0"),
        ({"days": [{"date": DAY, "start": "09:00", "end": "09:10"}]}, 409, "no 20-minute slot fits"),
        ({"days": DAYS + DAYS}, 409, "given more than once"),
        ({"enterprises": [{"name": "x", "need": {"description": "需要律师"}, "availability": [{"date": "2027-01-01", "start": "09:00", "end": "10:00"}]}]},
         409, "enterprises[0].availability"),
        ({"timezone": "Mars/Olympus"}, 422, "timezone"),
        ({"tables": 0}, 422, "tables"),
    ],
)
def test_bad_fairs_are_refused_with_what_to_fix(client: TestClient, bureau: dict[str, str], change: dict[str, Any], status: int, fix: str) -> None:
    body = {"name": "f", "days": DAYS, "slot_minutes": 20, "tables": 2, **change}
    response = client.post("/v1/fairs", json=body, headers=bureau)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert fix in problem["detail"] or any(e["field"].startswith(fix) for e in problem.get("errors", [])), problem
    assert client.get("/v1/fairs", headers=bureau).json()["total"] == 0  # nothing half-written


def test_spans_typed_backwards_are_the_same_span(client: TestClient, bureau: dict[str, str]) -> None:
    body = {"name": "f", "days": [{"date": DAY, "start": "10:00", "end": "09:00"}], "slot_minutes": 30, "tables": 1}
    fair = client.post("/v1/fairs", json=body, headers=bureau).json()
    assert [(s["start"], s["end"]) for s in fair["slots"]] == [("09:00", "09:30"), ("09:30", "10:00")]


def test_recommendations_come_from_the_engine_with_its_rules(client: TestClient, fair: dict[str, Any], bureau: dict[str, str]) -> None:
    enterprises, lawyers = _ids(fair)
    answer = client.get(f"/v1/fairs/{fair['id']}/recommendations", params={"enterprise": enterprises[0], "lang": "zh"}, headers=bureau)
    assert answer.status_code == 200, answer.text
    items = {i["lawyer"]: i for i in answer.json()["items"]}
    assert set(items) == set(lawyers)
    # the need asks for Russian, which the Thai IP lawyer lacks; the pending lawyer is never recommendable
    assert items[lawyers[3]]["excluded_by"] == "languages" and items[lawyers[3]]["weight"] is None
    assert items[lawyers[4]]["excluded_by"] == "recommendable"
    assert all(items[i]["eligible"] and items[i]["score"] > 0 and items[i]["reasons"] for i in lawyers[:3])
    assert any("哈萨克斯坦" in r for r in items[lawyers[0]]["reasons"])
    # the same score as the engine gives through /v1/match
    match = client.post("/v1/match", json={**ENTERPRISES[0]["need"], "k": 10}, headers=bureau).json()["results"]
    scores = {r["lawyer"]["id"]: r["score"] for r in match}
    by_lawyer = {i["lawyer_id"]: i["score"] for i in items.values() if i["score"] is not None}
    assert by_lawyer.keys() == scores.keys()
    assert all(abs(by_lawyer[k] - scores[k]) < 1e-3 for k in scores)
    ranked = [i["lawyer"] for i in answer.json()["items"]]
    assert ranked[-2:] == sorted(ranked[-2:]) and set(ranked[-2:]) == {lawyers[3], lawyers[4]}


def _check(fair: dict[str, Any], meetings: list[dict[str, Any]], forbidden: set[tuple[int, int]]) -> None:
    slots = generate_slots(fair["days"], fair["slot_minutes"])
    people = {p["id"]: p for p in fair["participants"]}
    taken = Counter()
    for m in meetings:
        e, law = m["enterprise"]["id"], m["lawyer"]["id"]
        assert (e, law) not in forbidden
        for p in (e, law):
            taken[(p, m["slot"])] += 1
            assert m["slot"] in free_slots(slots, people[p]["availability"])
            assert not people[p]["cancelled"]
        taken[("desk", m["slot"], m["desk"])] += 1
        assert 1 <= m["desk"] <= fair["tables"]
    assert max(taken.values(), default=1) == 1, "double-booked"
    count = Counter([m["enterprise"]["id"] for m in meetings] + [m["lawyer"]["id"] for m in meetings])
    assert all(n <= people[p]["max_meetings"] for p, n in count.items())


def test_schedule_respects_marks_rules_caps_and_windows(client: TestClient, fair: dict[str, Any], bureau: dict[str, str]) -> None:
    enterprises, lawyers = _ids(fair)
    e0, e1, e2, e3 = enterprises
    marks = [
        {"enterprise": e0, "lawyer": lawyers[0], "side": "enterprise", "mark": "must"},
        {"enterprise": e0, "lawyer": lawyers[0], "side": "lawyer", "mark": "would"},
        {"enterprise": e3, "lawyer": lawyers[0], "side": "lawyer", "mark": "no_thanks"},
        {"enterprise": e3, "lawyer": lawyers[0], "side": "enterprise", "mark": "must"},  # no thanks wins
        {"enterprise": e2, "lawyer": lawyers[3], "side": "enterprise", "mark": "must"},
        {"enterprise": e2, "lawyer": lawyers[0], "side": "enterprise", "mark": "must"},  # excluded by the country rule
        {"enterprise": e1, "lawyer": lawyers[1], "side": "enterprise", "mark": "must"},  # e1 free 9-10, KZ-2 from 9:40: one slot
    ]
    response = client.put(f"/v1/fairs/{fair['id']}/interests", json={"marks": marks}, headers=bureau)
    assert response.status_code == 200 and len(response.json()["items"]) == len(marks)
    report = client.post(f"/v1/fairs/{fair['id']}/schedule", headers=bureau)
    assert report.status_code == 200, report.text
    report = report.json()
    assert (report["musts_placed"], report["objective"]) >= (report["greedy_musts_placed"], report["greedy_objective"])
    unplaced = {(u["enterprise"], u["lawyer"]): u["reason"] for u in report["unplaced_musts"]}
    assert unplaced == {(e3, lawyers[0]): "no_thanks", (e2, lawyers[0]): "ineligible"}
    view = client.get(f"/v1/fairs/{fair['id']}/schedule", params={"lang": "en"}, headers=bureau).json()
    meetings = view["meetings"]
    assert len(meetings) == report["meetings"] > 0
    pairs = {(m["enterprise"]["id"], m["lawyer"]["id"]) for m in meetings}
    assert {(e0, lawyers[0]), (e2, lawyers[3]), (e1, lawyers[1])} <= pairs
    forbidden = {(e3, lawyers[0])} | {(e, lawyers[4]) for e in enterprises} | {(e, lawyers[3]) for e in (e0, e1, e3)} | {(e2, law) for law in lawyers[:3]}
    _check(fair, meetings, forbidden)
    assert all(m["reasons"] for m in meetings)


def _scheduled(client: TestClient, fair: dict[str, Any], bureau: dict[str, str]) -> list[dict[str, Any]]:
    assert client.post(f"/v1/fairs/{fair['id']}/schedule", headers=bureau).status_code == 200
    return client.get(f"/v1/fairs/{fair['id']}/schedule", headers=bureau).json()["meetings"]


def test_exports_parse_and_agree_with_the_json(client: TestClient, fair: dict[str, Any], bureau: dict[str, str]) -> None:
    meetings = _scheduled(client, fair, bureau)
    url = f"/v1/fairs/{fair['id']}/schedule"
    key = [(m["slot"], m["desk"], m["enterprise"]["id"], m["lawyer"]["id"]) for m in meetings]

    answer = client.get(url, params={"format": "csv"}, headers=bureau)
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert [(int(r["slot"]), int(r["desk"]), int(r["enterprise_id"]), int(r["lawyer_id"])) for r in rows] == key
    assert [r["reasons"].split(" | ") for r in rows] == [m["reasons"] for m in meetings]

    answer = client.get(url, params={"format": "xlsx"}, headers=bureau)
    book = load_workbook(io.BytesIO(answer.content))
    sheet = list(book.worksheets[0].iter_rows(values_only=True))[1:]
    assert [(r[0], r[4], r[5], r[7]) for r in sheet] == key
    desks = {ws.title: list(ws.iter_rows(values_only=True))[1:] for ws in book.worksheets[1:]}
    assert sum(len(v) for v in desks.values()) == len(meetings)
    assert all(r[4] == int(title.split()[-1]) for title, v in desks.items() for r in v)

    enterprise = meetings[0]["enterprise"]["id"]
    agenda = [m for m in meetings if enterprise in (m["enterprise"]["id"], m["lawyer"]["id"])]
    assert client.get(url, params={"participant": enterprise}, headers=bureau).json()["meetings"] == agenda
    answer = client.get(url, params={"format": "ics", "participant": enterprise, "lang": "zh"}, headers=bureau)
    assert answer.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(answer.content).walk("VEVENT")
    assert len(events) == len(agenda)
    for event, m in zip(sorted(events, key=lambda e: e.decoded("dtstart")), agenda):
        start = event.decoded("dtstart")
        assert start.astimezone().utcoffset() is not None
        # Asia/Shanghai is UTC+8
        assert (start.hour + 8) % 24 == int(m["start"][:2]) and start.minute == int(m["start"][3:])
        assert str(event["location"]) == f"洽谈桌 {m['desk']}"
        assert str(event["description"]) == "\n".join(client.get(url, params={"participant": enterprise, "lang": "zh"}, headers=bureau)
                                                        .json()["meetings"][agenda.index(m)]["reasons"])
    desk_one = client.get(url, params={"desk": 1}, headers=bureau).json()["meetings"]
    assert desk_one == [m for m in meetings if m["desk"] == 1]


def test_repair_moves_no_unaffected_meeting(client: TestClient, fair: dict[str, Any], bureau: dict[str, str]) -> None:
    enterprises, lawyers = _ids(fair)
    assert client.post(f"/v1/fairs/{fair['id']}/schedule/repair", json={"cancelled": [lawyers[0]]}, headers=bureau).status_code == 409
    before = _scheduled(client, fair, bureau)
    cancelled = lawyers[0]
    late = enterprises[2]
    changes = {"cancelled": [cancelled], "late_arrivals": [{"participant": late, "date": DAY, "arrives": "10:45"}]}
    report = client.post(f"/v1/fairs/{fair['id']}/schedule/repair", json=changes, headers=bureau)
    assert report.status_code == 200, report.text
    report = report.json()
    after = client.get(f"/v1/fairs/{fair['id']}/schedule", headers=bureau).json()["meetings"]
    affected = [m for m in before if m["lawyer"]["id"] == cancelled or (m["enterprise"]["id"] == late and m["slot"] < 4)]
    unaffected = [m for m in before if m not in affected]
    assert affected and report["removed"] == len(affected) and report["kept"] == len(unaffected)
    for m in unaffected:
        assert m in after  # same slot, same desk, same pair
    assert all(cancelled != m["lawyer"]["id"] for m in after)
    assert all(m["slot"] >= 4 for m in after if m["enterprise"]["id"] == late)
    fresh = client.get(f"/v1/fairs/{fair['id']}", headers=bureau).json()
    _check(fresh, after, set())
    assert report["added"] == len(after) - len(unaffected)


def test_only_the_fairs_organisation_and_admins(client: TestClient, fair: dict[str, Any], bureau: dict[str, str]) -> None:
    other = _key(client, "bureau", "Another Bureau")
    enterprise = _key(client, "enterprise", "Urumqi Commerce Bureau")  # same organisation, not an organiser
    url = f"/v1/fairs/{fair['id']}"
    assert client.get(url, headers=other).status_code == 404
    assert client.get(url, headers=enterprise).status_code == 403
    assert client.get(url, headers=ADMIN).status_code == 200
    assert client.get("/v1/fairs", headers=other).json()["total"] == 0
    assert client.delete(url, headers=other).status_code == 404
    assert client.delete(url, headers=bureau).status_code == 204
    assert client.get(url, headers=bureau).status_code == 404


def test_repair_drops_the_meetings_of_a_lawyer_suspended_since(client: TestClient, fair: dict[str, Any], bureau: dict[str, str]) -> None:
    before = _scheduled(client, fair, bureau)
    lawyer = before[0]["lawyer"]
    registered = next(p["lawyer_id"] for p in fair["participants"] if p["id"] == lawyer["id"])
    assert client.post(f"/v1/lawyers/{registered}/suspend", json={"reason": "licence lapsed"}, headers=ADMIN).status_code == 200
    report = client.post(f"/v1/fairs/{fair['id']}/schedule/repair", json={}, headers=bureau).json()
    after = client.get(f"/v1/fairs/{fair['id']}/schedule", headers=bureau).json()["meetings"]
    assert all(m["lawyer"]["id"] != lawyer["id"] for m in after)
    assert all(m in after for m in before if m["lawyer"]["id"] != lawyer["id"])
    assert report["removed"] == sum(m["lawyer"]["id"] == lawyer["id"] for m in before)


def test_model_examples_are_valid() -> None:
    from service.schemas import fair as schemas

    for model in (schemas.FairCreate, schemas.FairPublic, schemas.FairPage, schemas.InterestUpdate, schemas.InterestList,
                  schemas.Recommendations, schemas.RepairRequest, schemas.ScheduleReportOut, schemas.ScheduleView):
        for example in model.model_json_schema()["examples"]:
            model.model_validate(example)


def test_participants_are_added_and_lawyers_join_from_an_exchange_list(client: TestClient, bureau: dict[str, str]) -> None:
    ids = _import(client, LAWYERS)
    body = {"name": "f", "days": DAYS, "slot_minutes": 20, "tables": 2, "enterprises": ENTERPRISES[:1]}
    fair = client.post("/v1/fairs", json=body, headers=bureau).json()
    url = f"/v1/fairs/{fair['id']}"
    lines = [json.dumps(LAWYERS[0]), "{not json", json.dumps(lawyer_record(external_id="NOT-IN-DIRECTORY")), json.dumps(LAWYERS[1])]
    answer = client.post(f"{url}/lawyers/import", content="\n".join(lines).encode(), headers=bureau)
    assert answer.status_code == 200, answer.text
    assert answer.json()["joined"] == 2 and answer.json()["already"] == 0
    assert [(r["line"], r["external_id"]) for r in answer.json()["rejected"]] == [(2, None), (3, "NOT-IN-DIRECTORY")]
    again = client.post(f"{url}/lawyers/import", content=lines[0].encode(), headers=bureau).json()
    assert again == {"joined": 0, "already": 1, "rejected": []}
    assert client.get("/v1/lawyers", params={"limit": 100}, headers=ADMIN).json()["total"] == len(LAWYERS)  # the directory is unchanged
    added = client.post(f"{url}/participants", json={"enterprises": ENTERPRISES[1:2], "lawyers": [{"lawyer_id": ids["KZ-3"]}]}, headers=bureau)
    assert added.status_code == 200, added.text
    kinds = Counter(p["kind"] for p in added.json()["participants"])
    assert kinds == {"enterprise": 2, "lawyer": 3}
    duplicate = client.post(f"{url}/participants", json={"lawyers": [{"external_id": "KZ-1"}]}, headers=bureau)
    assert duplicate.status_code == 409 and "already" in duplicate.json()["detail"]
    off_days = {"enterprises": [{**ENTERPRISES[0], "availability": [{"date": "2027-01-01", "start": "09:00", "end": "10:00"}]}]}
    assert client.post(f"{url}/participants", json=off_days, headers=bureau).status_code == 409
    assert client.post(f"{url}/lawyers/import", content=b"", headers=bureau).status_code == 422
    assert len(client.get(url, headers=bureau).json()["participants"]) == 5  # refused requests wrote nothing


def test_a_fair_too_large_to_schedule_in_one_request_is_refused() -> None:
    from service.errors import Conflict
    from service.fairs.plan import check_size

    check_size(300, 150)  # the scale
    check_size(1000, 200)
    for enterprises, lawyers in ((1000, 201), (1001, 1), (1, 501)):
        with pytest.raises(Conflict, match="split it"):
            check_size(enterprises, lawyers)


def test_the_database_refuses_a_double_booking(client: TestClient, fair: dict[str, Any], bureau: dict[str, str], runtime: Any) -> None:
    from sqlalchemy.exc import IntegrityError

    from models import FairMeeting

    enterprises, lawyers = _ids(fair)
    base = {"fair_id": fair["id"], "score": 0.5, "weight": 50, "must": False, "reasons": {}}
    clashes = [
        ({"enterprise_id": enterprises[0], "lawyer_id": lawyers[0], "slot": 0, "desk": 1},
         {"enterprise_id": enterprises[1], "lawyer_id": lawyers[1], "slot": 0, "desk": 1}),  # one desk, two meetings
        ({"enterprise_id": enterprises[0], "lawyer_id": lawyers[0], "slot": 0, "desk": 1},
         {"enterprise_id": enterprises[0], "lawyer_id": lawyers[1], "slot": 0, "desk": 2}),  # an enterprise in two places
        ({"enterprise_id": enterprises[0], "lawyer_id": lawyers[0], "slot": 0, "desk": 1},
         {"enterprise_id": enterprises[1], "lawyer_id": lawyers[0], "slot": 0, "desk": 2}),  # a lawyer in two places
    ]
    for first, second in clashes:
        with runtime.sessions() as session:
            session.add(FairMeeting(**base, **first))
            session.flush()
            session.add(FairMeeting(**base, **second))
            with pytest.raises(IntegrityError):
                session.flush()
            session.rollback()
