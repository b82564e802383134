"""Property: after any sequence of create / update / verify / suspend / delete through the API, the
lawyers in the index are exactly the eligible lawyers in the database (on the serving worker and
on a second worker that follows the feed), and no deleted or suspended lawyer is ever matched.

MATCHMAKER_LONG_FAULT_TESTS=1 runs many more sequences.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from embeddings.encoder import Encoder
from models import Lawyer, Passage
from service.main import create_app
from service.settings import Settings
from service.state import Runtime
from tests.conftest import ADMIN_KEY, lawyer_record, started
from tests.integration._integrity import assert_agrees_with_database, new_catalog
from tests.integration._procs import LONG

HEADERS = {"X-API-Key": ADMIN_KEY}
NEED = {"description": "Our EPC contract for a solar plant in Kazakhstan is in ICC arbitration; we need counsel.", "countries": ["KZ"], "k": 50}
BIOS = (
    "Represented a Chinese contractor in an ICC arbitration over an EPC contract for a solar plant in Kazakhstan.",
    "Advised a state-owned enterprise on a hydropower concession in Kazakhstan and its arbitration clause.",
    "Handled customs and anti-dumping questions for steel exporters.",
    "",  # no passages at all
)


def _record(n: int, status: str, accepting: bool, bio: str) -> dict:
    # a firm of its own, so that diversification never hides an eligible lawyer
    return lawyer_record(
        status=status, accepting_clients=accepting, bio=bio or "Commercial lawyer.", firm=f"独立律师事务所{n}", firm_en=f"Solo Firm {n}"
    )


class Lifecycle(RuleBasedStateMachine):
    client: TestClient
    runtime: Runtime
    encoder: Encoder
    checks = 0

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[int] = []
        self.gone: set[int] = set()  # deleted or suspended: must never be matched
        self.follower = new_catalog(self.encoder)  # a second worker that only follows the feed
        self.follower.rebuild(self.runtime.sessions)
        self.n = 0

    def _ok(self, response, *codes: int) -> None:  # type: ignore[no-untyped-def]
        assert response.status_code in (codes or (200,)), response.text

    @rule(status=st.sampled_from(["verified", "pending", "suspended"]), accepting=st.booleans(), bio=st.sampled_from(BIOS))
    def create(self, status: str, accepting: bool, bio: str) -> None:
        self.n += 1
        record = _record(self.n, status, accepting, bio)
        response = self.client.post(
            "/v1/lawyers/import", content=json.dumps(record) + "\n", headers=HEADERS | {"Content-Type": "application/x-ndjson"}
        )
        self._ok(response)
        assert response.json()["created"] == 1, response.text
        with self.runtime.sessions() as session:
            new_id = session.scalar(select(Lawyer.id).where(Lawyer.external_id == record["external_id"]))
        self.ids.append(new_id)
        if status == "suspended":
            self.gone.add(new_id)

    @rule(data=st.data(), change=st.sampled_from(["bio", "accepting_on", "accepting_off", "countries", "name"]))
    def update(self, data: st.DataObject, change: str) -> None:
        if not self.ids:
            return
        lawyer_id = data.draw(st.sampled_from(self.ids))
        body = {
            "bio": {"bio": data.draw(st.sampled_from(BIOS)) or "Commercial lawyer."},
            "accepting_on": {"accepting_clients": True},
            "accepting_off": {"accepting_clients": False},
            "countries": {"countries": data.draw(st.sampled_from([["KZ"], ["KZ", "UZ"], ["VN"]]))},
            "name": {"name": f"改名律师{lawyer_id}-{self.n}"},  # identity: back to review
        }[change]
        self._ok(self.client.patch(f"/v1/lawyers/{lawyer_id}", json=body, headers=HEADERS))

    @rule(data=st.data())
    def verify(self, data: st.DataObject) -> None:
        if not self.ids:
            return
        lawyer_id = data.draw(st.sampled_from(self.ids))
        self._ok(self.client.post(f"/v1/lawyers/{lawyer_id}/verify", json={}, headers=HEADERS))
        self.gone.discard(lawyer_id)

    @rule(data=st.data())
    def suspend(self, data: st.DataObject) -> None:
        if not self.ids:
            return
        lawyer_id = data.draw(st.sampled_from(self.ids))
        self._ok(self.client.post(f"/v1/lawyers/{lawyer_id}/suspend", json={"reason": "property test"}, headers=HEADERS))
        self.gone.add(lawyer_id)

    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        if not self.ids:
            return
        lawyer_id = data.draw(st.sampled_from(self.ids))
        self._ok(self.client.delete(f"/v1/lawyers/{lawyer_id}", headers=HEADERS), 204)
        self.ids.remove(lawyer_id)
        self.gone.add(lawyer_id)

    @invariant()
    def index_is_exactly_the_eligible_lawyers(self) -> None:
        Lifecycle.checks += 1
        assert_agrees_with_database(self.runtime.catalog, self.runtime.sessions, "serving worker")
        self.follower.follow(self.runtime.sessions)
        assert_agrees_with_database(self.follower, self.runtime.sessions, "following worker")

    @invariant()
    def no_deleted_or_suspended_lawyer_is_matched(self) -> None:
        response = self.client.post("/v1/match", json=NEED, headers=HEADERS)
        self._ok(response)
        returned = {m["lawyer"]["id"] for m in response.json()["results"]}
        assert not returned & self.gone, f"matched deleted or suspended lawyers {sorted(returned & self.gone)}"
        assert returned <= set(self.runtime.catalog.lawyers)


def test_index_follows_any_sequence_of_profile_changes(settings: Settings, runtime: Runtime, encoder: Encoder) -> None:
    # one caller drives thousands of requests: the rate limits (tested elsewhere) must not answer them
    settings = settings.model_copy(update={"rate_limit_per_minute": 10**6, "registration_rate_limit_per_minute": 10**6})
    with started(create_app(settings, runtime=runtime)) as client:
        Lifecycle.client = client
        Lifecycle.runtime = runtime
        Lifecycle.encoder = encoder
        Lifecycle.checks = 0
        run_state_machine_as_test(Lifecycle, settings=settings_for_run())
        print(f"{Lifecycle.checks} states checked")
        assert Lifecycle.checks >= settings_for_run().max_examples * 3, "the machine hardly ran"
        # and a restart from the snapshot written at the end agrees as well
        runtime.catalog.save(settings.index_dir)
        restarted = new_catalog(encoder)
        assert restarted.load_or_rebuild(runtime.sessions, settings.index_dir) == "loaded"
        assert_agrees_with_database(restarted, runtime.sessions, "restarted worker")


def settings_for_run() -> settings:
    return settings(
        max_examples=200 if LONG else 20,
        stateful_step_count=30 if LONG else 12,
        deadline=None,
        derandomize=not LONG,
        suppress_health_check=list(HealthCheck),
        database=None,
    )


def test_a_withdrawn_consent_takes_the_lawyer_out_of_matching(client: TestClient, runtime: Runtime) -> None:
    body = {k: v for k, v in lawyer_record().items() if k not in ("external_id", "status")} | {"consent_listing": True}
    registered = client.post("/v1/lawyers", json=body)
    assert registered.status_code == 201, registered.text
    lawyer_id, token = registered.json()["id"], registered.json()["management_token"]
    assert client.post(f"/v1/lawyers/{lawyer_id}/verify", json={}, headers=HEADERS).status_code == 200
    assert lawyer_id in runtime.catalog.lawyers
    withdrawn = client.put("/v1/lawyers/me/consent", json={"listing": False}, headers={"Authorization": f"Bearer {token}"})
    assert withdrawn.status_code == 200, withdrawn.text
    matched = {m["lawyer"]["id"] for m in client.post("/v1/match", json=NEED, headers=HEADERS).json()["results"]}
    assert lawyer_id not in matched
    assert_agrees_with_database(runtime.catalog, runtime.sessions)


LONG_BIO = " ".join(f"Advised on matter number {i} of a Kazakh solar EPC contract." for i in range(1, 7))


def test_a_follower_replays_passages_replaced_in_any_order(client: TestClient, runtime: Runtime, encoder: Encoder) -> None:
    """The newest passages are dropped, then another lawyer's bio is rewritten: on SQLite without
    AUTOINCREMENT the rewritten bio took the dropped passages' ids, and a worker replaying the feed
    (first lawyer first, as it first appears) held one passage id for two lawyers and refused."""
    ids = []
    for n in range(2):
        response = client.post(
            "/v1/lawyers/import", content=json.dumps(_record(n, "verified", True, LONG_BIO)) + "\n",
            headers=HEADERS | {"Content-Type": "application/x-ndjson"},
        )
        assert response.json()["created"] == 1, response.text
        with runtime.sessions() as session:
            ids.append(session.scalar(select(Lawyer.id).order_by(Lawyer.id.desc()).limit(1)))
    first, newest = ids
    follower = new_catalog(encoder)
    follower.rebuild(runtime.sessions)
    with runtime.sessions() as session:
        dropped = set(session.scalars(select(Passage.id).where(Passage.lawyer_id == newest)))
    assert client.patch(f"/v1/lawyers/{first}", json={"accepting_clients": False}, headers=HEADERS).status_code == 200
    assert client.patch(f"/v1/lawyers/{newest}", json={"bio": "Commercial lawyer"}, headers=HEADERS).status_code == 200
    rewritten = LONG_BIO.replace("matter", "case")
    assert client.patch(f"/v1/lawyers/{first}", json={"bio": rewritten, "accepting_clients": True}, headers=HEADERS).status_code == 200
    follower.follow(runtime.sessions)
    assert_agrees_with_database(follower, runtime.sessions, "following worker")
    with runtime.sessions() as session:
        reused = dropped & set(session.scalars(select(Passage.id)))
    assert not reused, f"passage ids {sorted(reused)} were handed out again"
