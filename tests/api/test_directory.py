"""The public directory: filters, labels in zh and en, keyset pages, CSV and XLSX exports that
agree with the JSON, and no contact data in any format."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from service import directory
from service.settings import Settings
from tests.conftest import ADMIN_KEY, all_keys, lawyer_record, make_settings

ADMIN = {"X-API-Key": ADMIN_KEY}
CONTACT_KEYS = {"email", "phone", "license_no", "management_token_hash"}
SECRET_EMAIL = "private.line@example.org"
SECRET_PHONE = "+86 139 8765 4321"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url, directory_rate_limit_per_minute=1000, directory_export_rate_limit_per_minute=1000)


@pytest.fixture
def lawyers(client: TestClient) -> dict[str, dict[str, Any]]:
    records = {
        "kz": lawyer_record(countries=["KZ"], city="上海", talent_pools=["acla_foreign_related"], email=SECRET_EMAIL, phone=SECRET_PHONE,
                            bio=f"Arbitration in Almaty. Write to {SECRET_EMAIL} or call {SECRET_PHONE}."),
        "uz": lawyer_record(countries=["UZ"], practice_areas=["energy_resources"], city="Beijing"),
        "th": lawyer_record(countries=["TH"], practice_areas=["intellectual_property"], city="北京",
                            languages=[{"code": "zh", "level": "native"}, {"code": "th", "level": "working"}],
                            firm_en="=HYPERLINK(\"http://evil.example\",\"click\")"),
        "de": lawyer_record(countries=["DE"], practice_areas=["antitrust"], languages=[{"code": "de", "level": "fluent"}]),
        "suspended": lawyer_record(countries=["KZ"], status="suspended"),
        "pending": lawyer_record(countries=["KZ"], status="pending"),
        "closed": lawyer_record(countries=["KZ"], accepting_clients=False),  # listed, though not taking clients
    }
    body = "\n".join(json.dumps(r, ensure_ascii=False) for r in records.values()).encode()
    assert client.post("/v1/lawyers/import", content=body, headers=ADMIN).json()["created"] == len(records)
    everyone = client.get("/v1/lawyers", params={"limit": 100}, headers=ADMIN).json()["items"]
    by_external = {item["external_id"]: item["id"] for item in everyone}
    return {name: {**record, "id": by_external[record["external_id"]]} for name, record in records.items()}


def _ids(answer: Any) -> set[int]:
    return {item["id"] for item in answer.json()["items"]}


def _all_pages(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    items, after = [], 0
    while True:
        page = client.get("/v1/lawyers", params={**params, "after": after, "limit": 2}).json()
        items += page["items"]
        if page["next_after"] is None:
            return items
        after = page["next_after"]


def test_public_without_a_key_listed_only(client: TestClient, lawyers: dict[str, dict[str, Any]]) -> None:
    answer = client.get("/v1/lawyers")
    assert answer.status_code == 200
    listed = {lawyers[n]["id"] for n in ("kz", "uz", "th", "de", "closed")}
    assert _ids(answer) == listed and answer.json()["total"] == 5
    # a key sent is checked: a wrong one is refused, not taken for anonymous
    assert client.get("/v1/lawyers", headers={"X-API-Key": "wrong"}).status_code == 401
    # administrators still see every profile
    assert lawyers["pending"]["id"] in _ids(client.get("/v1/lawyers", params={"status": "pending"}, headers=ADMIN))
    assert _ids(client.get("/v1/lawyers", params={"status": "pending"})) == set()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"country": "KZ"}, {"kz", "closed"}),
        ({"region": "central_asia"}, {"kz", "uz", "closed"}),
        ({"practice_area": "intellectual_property"}, {"th"}),
        ({"language": "th"}, {"th"}),
        ({"language": "de"}, {"de"}),
        ({"city": "beijing"}, {"uz"}),
        ({"city": "北京"}, {"th"}),
        ({"talent_pool": "acla_foreign_related"}, {"kz"}),
        ({"region": "central_asia", "practice_area": "energy_resources"}, {"uz"}),
        ({"region": "central_asia", "country": "UZ"}, {"uz"}),
        ({"region": "central_asia", "country": "TH"}, set()),  # Thailand is not of Central Asia
        ({"verified_since": str(date.today() - timedelta(days=1))}, {"kz", "uz", "th", "de", "closed"}),
        ({"verified_since": str(date.today() + timedelta(days=2))}, set()),
    ],
)
def test_filters(client: TestClient, lawyers: dict[str, dict[str, Any]], params: dict[str, str], expected: set[str]) -> None:
    answer = client.get("/v1/lawyers", params=params)
    assert answer.status_code == 200, answer.text
    assert _ids(answer) == {lawyers[n]["id"] for n in expected}
    assert answer.json()["total"] == len(expected)


def test_bad_filters_say_what_to_fix(client: TestClient) -> None:
    for params in ({"country": "XX"}, {"region": "atlantis"}, {"language": "klingon"}, {"practice_area": "piracy"},
                   {"verified_since": "yesterday"}, {"format": "pdf"}, {"lang": "fr"}, {"talent_pool": "A B"}):
        answer = client.get("/v1/lawyers", params=params)
        assert answer.status_code == 422, params
        assert next(iter(params)) in answer.json()["detail"], params


def test_labels_in_chinese_and_english(client: TestClient, lawyers: dict[str, dict[str, Any]]) -> None:
    zh = client.get("/v1/lawyers", params={"country": "TH", "lang": "zh"}).json()
    labels = zh["items"][0]["labels"]
    assert zh["lang"] == "zh" and labels["countries"] == ["泰国"] and labels["practice_areas"] == ["涉外知识产权"]
    assert labels["languages"] == ["中文（母语）", "泰语（工作语言）"] and labels["regions"] == ["东南亚"]
    en = client.get("/v1/lawyers", params={"country": "TH"}, headers={"Accept-Language": "en-GB,en;q=0.9"}).json()
    assert en["items"][0]["labels"]["countries"] == ["Thailand"] and en["items"][0]["labels"]["practice_areas"] == ["Foreign-related intellectual property"]
    by_header = client.get("/v1/lawyers", params={"country": "TH"}, headers={"Accept-Language": "zh-CN,zh;q=0.9"}).json()
    assert by_header["lang"] == "zh" and by_header["items"][0]["labels"]["countries"] == ["泰国"]


def test_keyset_pages_are_stable_while_the_directory_changes(client: TestClient, lawyers: dict[str, dict[str, Any]]) -> None:
    everyone = _all_pages(client)
    ids = [item["id"] for item in everyone]
    assert ids == sorted(ids) and len(ids) == len(set(ids)) == 5
    first = client.get("/v1/lawyers", params={"limit": 2}).json()
    # a lawyer of the first page leaves before the second page is read: nobody is skipped
    assert client.delete(f"/v1/lawyers/{first['items'][0]['id']}", headers=ADMIN).status_code == 204
    second = client.get("/v1/lawyers", params={"limit": 2, "after": first["next_after"]}).json()
    assert [item["id"] for item in second["items"]] == ids[2:4]


def test_exports_parse_and_agree_with_the_json(client: TestClient, lawyers: dict[str, dict[str, Any]]) -> None:
    for lang in ("zh", "en"):
        expected = [directory.export_row(item) for item in _all_pages(client, lang=lang)]
        answer = client.get("/v1/lawyers", params={"format": "csv", "lang": lang})
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
        workbook = load_workbook(io.BytesIO(client.get("/v1/lawyers", params={"format": "xlsx", "lang": lang}).content))
        sheet = workbook.active
        header, *cells = [[("" if v is None else str(v)) for v in row] for row in sheet.iter_rows(values_only=True)]
        assert tuple(header) == tuple(rows[0].keys()) == directory.EXPORT_COLUMNS
        assert len(rows) == len(cells) == len(expected) == 5
        for row, cell_row, item in zip(rows, cells, expected, strict=True):
            for column in directory.EXPORT_COLUMNS:
                value = item[column]
                # CSV cells that would be formulas keep a leading apostrophe
                assert row[column] == (("'" + value) if value.startswith("=") else value), column
                assert cell_row[directory.EXPORT_COLUMNS.index(column)] == value, column
    # the JSON's own values are in the export
    th = next(item for item in _all_pages(client, lang="zh") if item["id"] == lawyers["th"]["id"])
    row = directory.export_row(th)
    assert row["country_names"] == "泰国" and row["languages"] == "zh; th" and row["practice_areas"] == "intellectual_property"


def test_a_formula_in_a_name_is_never_run(client: TestClient, lawyers: dict[str, dict[str, Any]]) -> None:
    params = {"country": "TH"}
    text = client.get("/v1/lawyers", params={**params, "format": "csv"}).content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    sheet = load_workbook(io.BytesIO(client.get("/v1/lawyers", params={**params, "format": "xlsx"}).content)).active
    cell = sheet.cell(row=2, column=directory.EXPORT_COLUMNS.index("firm_en") + 1)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_no_contact_data_in_any_format(client: TestClient, lawyers: dict[str, dict[str, Any]]) -> None:
    secrets_ = {SECRET_EMAIL, SECRET_PHONE, "8765", *(r["license_no"] for r in lawyers.values()), *(r["email"] for r in lawyers.values())}
    answers = {
        "json": client.get("/v1/lawyers", params={"limit": 100}),
        "json, admin": client.get("/v1/lawyers", params={"limit": 100}, headers=ADMIN),
        "csv": client.get("/v1/lawyers", params={"format": "csv"}),
        "xlsx": client.get("/v1/lawyers", params={"format": "xlsx"}),
    }
    for lang in ("zh", "en"):
        answers[f"json {lang}"] = client.get("/v1/lawyers", params={"lang": lang, "country": "KZ"})
    for what, answer in answers.items():
        assert answer.status_code == 200, what
        if what.startswith("json"):
            assert not all_keys(answer.json()) & CONTACT_KEYS, what
            text = answer.text
        elif what == "csv":
            text = answer.content.decode("utf-8-sig")
        else:
            sheet = load_workbook(io.BytesIO(answer.content)).active
            text = "\n".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
        assert not any(secret in text for secret in secrets_), what
    kz = next(item for item in answers["json"].json()["items"] if item["id"] == lawyers["kz"]["id"])
    assert kz["bio"] == f"Arbitration in Almaty. Write to {directory.REDACTED} or call {directory.REDACTED}."


def test_anonymous_readers_and_exports_are_budgeted(tmp_path: Path, database_url: str, runtime: Any) -> None:
    from service.main import create_app
    from tests.conftest import started

    settings = make_settings(tmp_path, database_url, directory_rate_limit_per_minute=3, directory_export_rate_limit_per_minute=1)
    with started(create_app(settings, runtime=runtime)) as client:
        assert [client.get("/v1/lawyers").status_code for _ in range(4)] == [200, 200, 200, 429]
        limited = client.get("/v1/lawyers")
        assert limited.headers["content-type"].startswith("application/problem+json") and int(limited.headers["Retry-After"]) >= 1
        # a key has its own budget, and exports a smaller one of their own
        assert client.get("/v1/lawyers", headers=ADMIN).status_code == 200
        assert [client.get("/v1/lawyers", params={"format": "csv"}, headers=ADMIN).status_code for _ in range(2)] == [200, 429]


def test_exports_are_capped(tmp_path: Path, database_url: str, runtime: Any) -> None:
    from service.main import create_app
    from tests.conftest import started

    # the routes read the runtime's settings (the app's limiters, the app's own)
    runtime.settings = runtime.settings.model_copy(update={"directory_export_max_rows": 2})
    with started(create_app(runtime.settings, runtime=runtime)) as client:
        body = "\n".join(json.dumps(lawyer_record()) for _ in range(3)).encode()
        client.post("/v1/lawyers/import", content=body, headers=ADMIN)
        first = client.get("/v1/lawyers", params={"format": "csv"})
        assert first.headers["X-Rows"] == "2" and "X-Next-After" in first.headers
        rest = client.get("/v1/lawyers", params={"format": "csv", "after": first.headers["X-Next-After"]})
        assert rest.headers["X-Rows"] == "1" and "X-Next-After" not in rest.headers
