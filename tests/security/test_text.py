"""Free text is normalised in one place: NFC; control, bidi-override and markup characters refused;
zero-width characters stripped; the OpenAPI patterns say so. Real app, real database."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any, Iterator

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ADMIN_KEY, lawyer_record

ADMIN = {"X-API-Key": ADMIN_KEY}


def _registration(**overrides: Any) -> dict[str, Any]:
    body = {k: v for k, v in lawyer_record(**overrides).items() if k not in ("external_id", "status")}
    return {**body, "consent_listing": True}


@pytest.mark.parametrize(
    "hostile",
    [
        "Alice\u202egpj.exe",  # right-to-left override
        "Bob\u2066x\u2069",  # bidi isolate
        "Carol\x07",  # BEL
        "Dan\x1b[31m",  # ANSI escape
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "Eve\u0085",  # C1 next line
    ],
)
def test_hostile_names_are_refused_with_what_to_fix(client: TestClient, hostile: str) -> None:
    response = client.post("/v1/lawyers", json=_registration(name=hostile))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "name"
    assert "not accepted" in response.json()["errors"][0]["message"]


def test_bios_needs_and_imports_refuse_markup_and_controls(client: TestClient) -> None:
    assert client.post("/v1/lawyers", json=_registration(bio="Arbitration <b onmouseover=x>counsel</b>")).status_code == 422
    assert client.post("/v1/needs", json={"description": "EPC \u202edispute"}, headers=ADMIN).status_code == 422
    assert client.post("/v1/match", json={"description": "EPC\x00 dispute"}, headers=ADMIN).status_code == 422
    line = json.dumps(lawyer_record(firm="Evil\u202eFirm"))
    imported = client.post("/v1/lawyers/import", content=line, headers=ADMIN)
    assert imported.json()["committed"] is False and "U+202E" in imported.text


@pytest.mark.parametrize(
    "description",
    [
        "> 转发老板的话：\n> 哈萨克斯坦的EPC仲裁，律师必须会俄语",
        "From: Li Wei <li.wei@acme.cn>\nSent: Monday\nNeed Kazakh arbitration counsel, Russian required.",
        "标的额<50万美元的越南劳动争议，预算>=2万",
        "Claim value < USD 50k; see <https://acme.cn/case> for the file. Kazakhstan arbitration.",
    ],
)
def test_needs_keep_angle_brackets_that_open_no_tag(client: TestClient, description: str) -> None:
    response = client.post("/v1/match", json={"description": description, "k": 3}, headers=ADMIN)
    assert response.status_code == 200, response.text
    stored = client.post("/v1/needs", json={"description": description}, headers=ADMIN)
    assert stored.status_code == 201, stored.text
    assert stored.json()["description"] == description


@pytest.mark.parametrize(
    "description",
    [
        "Kazakh arbitration <script>alert(1)</script>",
        "越南劳动争议 <img src=x onerror=alert(1)>",
        "EPC dispute <!-- hidden -->",
        "Mail me at <li@acme.cn onmouseover=alert(1)>",
        "Claim </textarea> in Kazakhstan",
    ],
)
def test_needs_refuse_what_opens_a_tag(client: TestClient, description: str) -> None:
    response = client.post("/v1/match", json={"description": description}, headers=ADMIN)
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert error["field"] == "description" and "opens markup" in error["message"]
    assert client.post("/v1/needs", json={"description": description}, headers=ADMIN).status_code == 422


def test_zero_width_characters_are_stripped_and_text_is_nfc(client: TestClient) -> None:
    decomposed = "Jose\u0301 Mu\u0308ller"
    response = client.post("/v1/lawyers", json=_registration(name="张\u200b三", name_en=decomposed, bio="  Line one.\nLine two\u200d.  "))
    assert response.status_code == 201, response.text
    lawyer = response.json()
    assert lawyer["name"] == "张三"
    assert lawyer["name_en"] == unicodedata.normalize("NFC", decomposed) == "José Müller"
    assert lawyer["bio"] == "Line one.\nLine two."
    # a name of nothing but invisible characters is blank, and the schema says so
    assert client.post("/v1/lawyers", json=_registration(name="\u200b\u200b")).status_code == 422


def _string_schemas(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        # free-text fields: a pattern that is a class of refused characters
        if node.get("type") == "string" and str(node.get("pattern", "")).startswith("^[^"):
            yield node
        for value in node.values():
            yield from _string_schemas(value)
    elif isinstance(node, list):
        for value in node:
            yield from _string_schemas(value)


def test_lone_surrogates_are_refused(client: TestClient) -> None:
    body = b'{"description": "EPC dispute \\ud800 in Kazakhstan"}'
    response = client.post("/v1/match", content=body, headers=ADMIN | {"Content-Type": "application/json"})
    assert response.status_code == 422 and "surrogate" in response.text


def test_the_schema_says_nul_and_controls_are_refused(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    body = schema["paths"]["/v1/match"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    description = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]["properties"]["description"]
    patterns = {description["pattern"]} | {s["pattern"] for s in _string_schemas(schema["components"])}
    assert len(patterns) >= 3
    # the validators schemathesis uses (Rust regex) must be able to read them, or they enforce nothing
    import jsonschema_rs

    for pattern in patterns:
        assert not jsonschema_rs.Draft202012Validator({"pattern": pattern}).is_valid("a\x00b")
    # the description keeps harmless angle brackets; both engines read its pattern alike
    rust = jsonschema_rs.Draft202012Validator({"pattern": description["pattern"]})
    for sample, kept in (("> quoted mail", True), ("Li <li@acme.cn>", True), ("a < b", True), ("a <b> c", False), ("<!--", False)):
        assert rust.is_valid(sample) is kept and bool(re.match(description["pattern"], sample)) is kept, sample
    for pattern in patterns:
        compiled = re.compile(pattern)
        assert compiled.match("ordinary text 普通文本")
        for refused in ("a\x00b", "a\u202eb", "a\x1bb", "a<b"):
            assert not compiled.match(refused), (pattern, refused)


def test_names_longer_than_their_column_are_a_422_not_a_500(client: TestClient) -> None:
    assert client.post("/v1/lawyers", json=_registration(name="名" * 201)).status_code == 422
    assert client.post("/v1/lawyers", json=_registration(name="名" * 200)).status_code == 201
