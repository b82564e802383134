"""A fair created through the API with generated participants (seeded): every hard constraint of
the schedule holds, each unplaced must-meet pair's reason is true, the objective is at least
greedy's, and a repair after a cancellation moves no unaffected meeting."""

from __future__ import annotations

import json
import random
from collections import Counter
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.fairs.model import free_slots, generate_slots
from tests.conftest import ADMIN_KEY, lawyer_record

ADMIN = {"X-API-Key": ADMIN_KEY}
DAYS = [
    {"date": "2026-12-08", "start": "09:00", "end": "12:00", "breaks": [{"start": "10:20", "end": "10:40"}]},
    {"date": "2026-12-09", "start": "14:00", "end": "16:00"},
]
COUNTRIES = ["KZ", "UZ", "TH", "VN", "DE"]
PRACTICE = ["international_arbitration", "construction_infrastructure", "intellectual_property", "labor_employment"]
NEEDS = {
    "KZ": "哈萨克斯坦光伏电站EPC合同争议，需要仲裁律师",
    "UZ": "Construction dispute with a contractor in Uzbekistan",
    "TH": "我们的商标在泰国被抢注，需要知识产权律师",
    "VN": "越南工厂裁员，劳动法咨询",
    "DE": "Acquisition of a German machinery company, due diligence",
}


def _window(rng: random.Random) -> list[dict[str, str]]:
    if rng.random() < 0.6:
        return []
    day = rng.choice(DAYS)
    # an end before the start is the same window typed backwards (it may miss the day entirely)
    return [{"date": day["date"], "start": day["start"], "end": rng.choice(["10:00", "11:00", "15:00", day["end"]])}]


def _generate(client: TestClient, rng: random.Random, bureau: dict[str, str]) -> dict[str, Any]:
    records = [
        lawyer_record(countries=rng.sample(COUNTRIES, 2), practice_areas=rng.sample(PRACTICE, 2),
                      languages=[{"code": "zh", "level": "native"}, {"code": "en", "level": "fluent"}])
        for _ in range(8)
    ]
    assert client.post("/v1/lawyers/import", content="\n".join(json.dumps(r) for r in records).encode(), headers=ADMIN).status_code == 200
    enterprises = []
    for n in range(14):
        country = rng.choice(COUNTRIES)
        enterprises.append({"name": f"企业{n}", "need": {"description": NEEDS[country], "countries": [country]},
                            "max_meetings": rng.randint(1, 4), "availability": _window(rng)})
    lawyers = [{"external_id": r["external_id"], "max_meetings": rng.randint(2, 6), "availability": _window(rng)} for r in records]
    body = {"name": "generated", "days": DAYS, "slot_minutes": 20, "tables": 3, "enterprises": enterprises, "lawyers": lawyers}
    response = client.post("/v1/fairs", json=body, headers=bureau)
    assert response.status_code == 201, response.text
    fair = response.json()
    e_ids = [p["id"] for p in fair["participants"] if p["kind"] == "enterprise"]
    l_ids = [p["id"] for p in fair["participants"] if p["kind"] == "lawyer"]
    marks = []
    for e in e_ids:
        for law in rng.sample(l_ids, 3):
            marks.append({"enterprise": e, "lawyer": law, "side": rng.choice(["enterprise", "lawyer"]),
                          "mark": rng.choice(["must", "must", "would", "no_thanks"])})
    assert client.put(f"/v1/fairs/{fair['id']}/interests", json={"marks": marks}, headers=bureau).status_code == 200
    return fair


def _verify(client: TestClient, fair: dict[str, Any], bureau: dict[str, str], report: dict[str, Any]) -> list[dict[str, Any]]:
    url = f"/v1/fairs/{fair['id']}"
    fair = client.get(url, headers=bureau).json()
    meetings = client.get(f"{url}/schedule", headers=bureau).json()["meetings"]
    marks: dict[tuple[int, int], set[str]] = {}
    for m in client.get(f"{url}/interests", headers=bureau).json()["items"]:
        marks.setdefault((m["enterprise"], m["lawyer"]), set()).add(m["mark"])
    people = {p["id"]: p for p in fair["participants"]}
    slots = generate_slots(fair["days"], fair["slot_minutes"])
    free = {pid: free_slots(slots, p["availability"]) for pid, p in people.items()}
    eligible = {}
    for e in (pid for pid, p in people.items() if p["kind"] == "enterprise"):
        items = client.get(f"{url}/recommendations", params={"enterprise": e}, headers=bureau).json()["items"]
        eligible.update({(e, i["lawyer"]): i["eligible"] for i in items})
    busy, per_party, desks = Counter(), Counter(), Counter()
    for m in meetings:
        pair = (m["enterprise"]["id"], m["lawyer"]["id"])
        assert "no_thanks" not in marks.get(pair, set()), "a no-thanks pair meets"
        assert eligible[pair], "a pair a rule excludes meets"
        for p in pair:
            assert m["slot"] in free[p] and not people[p]["cancelled"]
            busy[(p, m["slot"])] += 1
            per_party[p] += 1
        desks[(m["slot"], m["desk"])] += 1
    assert max(busy.values(), default=1) == 1 and max(desks.values(), default=1) == 1, "double booking"
    assert all(n <= people[p]["max_meetings"] for p, n in per_party.items())
    assert all(n <= fair["tables"] for n in Counter(m["slot"] for m in meetings).values())
    assert (report["musts_placed"], report["objective"]) >= (report["greedy_musts_placed"], report["greedy_objective"])
    # every must-meet pair is placed or has a true reason
    placed = {(m["enterprise"]["id"], m["lawyer"]["id"]) for m in meetings}
    reasons = {(u["enterprise"], u["lawyer"]): u["reason"] for u in report["unplaced_musts"]}
    for pair, pair_marks in marks.items():
        if "must" not in pair_marks or pair in placed:
            continue
        reason = reasons[pair]
        e, law = pair
        if reason == "no_thanks":
            assert "no_thanks" in pair_marks
        elif reason == "ineligible":
            assert not eligible[pair]
        elif reason == "cancelled":
            assert people[e]["cancelled"] or people[law]["cancelled"]
        elif reason == "no_common_slot":
            assert not free[e] & free[law]
        elif reason == "enterprise_cap":
            assert per_party[e] == people[e]["max_meetings"]
        elif reason == "lawyer_cap":
            assert per_party[law] == people[law]["max_meetings"]
        else:
            assert reason == "slots_taken"
            for s in free[e] & free[law]:
                assert busy[(e, s)] or busy[(law, s)] or sum(1 for m in meetings if m["slot"] == s) == fair["tables"]
    return meetings


@pytest.mark.parametrize("seed", [1, 2])
def test_a_generated_fair(client: TestClient, seed: int) -> None:
    rng = random.Random(seed)
    response = client.post("/v1/admin/api-keys", json={"name": "b", "role": "bureau", "organisation": "B"}, headers=ADMIN)
    bureau = {"X-API-Key": response.json()["api_key"]}
    fair = _generate(client, rng, bureau)
    report = client.post(f"/v1/fairs/{fair['id']}/schedule", headers=bureau)
    assert report.status_code == 200, report.text
    before = _verify(client, fair, bureau, report.json())
    assert before
    lawyer = before[0]["lawyer"]["id"]
    repaired = client.post(f"/v1/fairs/{fair['id']}/schedule/repair", json={"cancelled": [lawyer]}, headers=bureau)
    assert repaired.status_code == 200, repaired.text
    after = _verify(client, fair, bureau, repaired.json())
    unaffected = [m for m in before if m["lawyer"]["id"] != lawyer]
    assert all(m in after for m in unaffected), "an unaffected meeting moved"
    assert repaired.json()["kept"] == len(unaffected)
