"""The OpenAPI document is complete, its examples are true, and /docs works with no network.

Every operation has a summary, a description, an example request (when it has a body) and an
example answer; every example is validated by the very model the route declares; the match
answer's fields are all described. The documentation pages reference no host but this one.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from service.api import admin, analytics, fairs, health, lawyers, matches, needs, requests, webhooks
from service.main import create_app
from service.schemas import examples
from service.schemas.health import NotReady
from service.schemas.lawyer import LawyerRecord
from service.schemas.match import MatchResponse
from service.settings import Settings

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    # the document is built from the routes alone: no database, no start-up
    return create_app(Settings(environment="test", load_demo_data=False)).openapi()


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _has_example(document: dict[str, Any], media: dict[str, Any]) -> bool:
    return bool(media.get("example") is not None or media.get("examples") or _resolve(document, media.get("schema", {})).get("examples"))


def test_every_operation_has_summary_description_and_examples(document: dict[str, Any]) -> None:
    missing = []
    operations = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            operations += 1
            where = f"{method.upper()} {path}"
            for key in ("summary", "description"):
                if not operation.get(key, "").strip():
                    missing.append(f"{where}: no {key}")
            body = operation.get("requestBody")
            if body is not None:
                for media_type, media in body["content"].items():
                    if not _has_example(document, media):
                        missing.append(f"{where}: no example request ({media_type})")
            answered = sorted(code for code in operation["responses"] if code.startswith("2"))
            if not answered:
                missing.append(f"{where}: no success answer documented")
            for code in answered:
                content = operation["responses"][code].get("content")
                if code == "204":
                    assert not content, f"{where}: a 204 has no body"
                    continue
                if not content or not any(_has_example(document, media) for media in content.values()):
                    missing.append(f"{where}: no example answer ({code})")
    assert operations >= 27
    assert not missing, "\n".join(missing)


def test_every_v1_operation_documents_the_loading_503(document: dict[str, Any]) -> None:
    undocumented = [
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        if path.startswith("/v1")
        for method, operation in item.items()
        if method in METHODS and "503" not in operation["responses"]
    ]
    assert not undocumented


def _described(document: dict[str, Any], schema: dict[str, Any], seen: set[str], where: str) -> list[str]:
    """Every property reachable from `schema` without a description."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen.add(name)
        return _described(document, _resolve(document, schema), seen, name)
    missing = []
    for key, child in schema.get("properties", {}).items():
        if not child.get("description") and not _resolve(document, child).get("description"):
            missing.append(f"{where}.{key}")
        missing += _described(document, child, seen, f"{where}.{key}")
    for nested in ("items", "anyOf", "oneOf", "allOf"):
        value = schema.get(nested)
        for child in value if isinstance(value, list) else [value] if value else []:
            missing += _described(document, child, seen, where)
    return missing


@pytest.mark.parametrize("model", ["MatchResponse", "Readiness", "MatchRequest", "SupplyDemandReport"])
def test_every_field_of_the_main_answers_is_described(document: dict[str, Any], model: str) -> None:
    missing = _described(document, {"$ref": f"#/components/schemas/{model}"}, set(), model)
    assert not missing, missing


def _routes() -> list[APIRoute]:
    routers = (admin.router, analytics.router, fairs.router, health.router, lawyers.router, matches.router, needs.router, requests.router, webhooks.router)
    return [route for router in routers for route in router.routes if isinstance(route, APIRoute) and route.include_in_schema]


def test_every_example_is_valid_for_its_model() -> None:
    checked = 0
    for route in _routes():
        for param in route.dependant.body_params:
            for name, example in (param.field_info.openapi_examples or {}).items():
                TypeAdapter(param.field_info.annotation).validate_python(example["value"])
                checked += 1
        for code, answer in route.responses.items():
            example = answer.get("content", {}).get("application/json", {}).get("example")
            if example is None:
                continue
            model = route.response_model if str(code).startswith("2") else answer.get("model")
            assert model is not None, f"{route.path} {code}: an example with no model to check it"
            TypeAdapter(model).validate_python(example)
            checked += 1
        ndjson = (route.openapi_extra or {}).get("requestBody", {}).get("content", {}).get("application/x-ndjson")
        if ndjson:
            for line in ndjson["example"].splitlines():
                LawyerRecord.model_validate(json.loads(line))
                checked += 1
    assert checked >= 30


def test_the_match_example_is_what_the_service_answers() -> None:
    assert MatchResponse.model_validate(examples.MATCH_RESPONSE).model_dump(mode="json") == examples.MATCH_RESPONSE
    # the readiness 503 is a problem+json, documented (and so checked) apart from the models of application/json
    NotReady.model_validate(examples.LOADING)


# --------------------------------------------------------------------------- /docs and /redoc offline

ASSET = re.compile(r"""(?:src|href)=["']([^"']+)["']""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_everything_from_this_server(client: TestClient, page: str) -> None:
    html = client.get(page)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html.text, re.IGNORECASE), "a page references another host"
    references = ASSET.findall(html.text)
    assert len(references) >= 2, references
    for url in references:
        assert url.startswith("/"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 1000, url
    assert client.get("/openapi.json").status_code == 200


def test_swagger_ui_sends_nothing_to_the_public_validator(client: TestClient) -> None:
    assert '"validatorUrl": null' in client.get("/docs").text


@pytest.mark.parametrize(
    "path",
    ["/docs/assets/index.html", "/docs/assets/..%2F..%2Fmain.py", "/docs/assets/%2Fetc%2Fpasswd", "/docs/assets/core.py", "/docs/assets/"],
)
def test_only_the_named_assets_are_served(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 404, (path, answer.status_code)
    assert answer.headers["content-type"].startswith("application/problem+json")
