"""/dashboard: the commerce bureau's page, served from the package (no CDN, no build step).

The page holds no secret: the bureau pastes its key, which the page keeps in sessionStorage (gone
when the tab closes) and sends only to this origin's API. The headers below make that safe to do:
a Content-Security-Policy that runs this origin's script alone (no inline script, no eval, no other
host to send a key to), no framing, no referrer.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse, Response

from service import dashboard
from service.errors import NotFound

router = APIRouter(include_in_schema=False)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


@router.get("/dashboard")
async def page() -> Response:
    return Response(dashboard.asset("index.html"), media_type=dashboard.ASSETS["index.html"], headers=SECURITY_HEADERS)


@router.get("/dashboard/labels.json")
async def labels() -> JSONResponse:
    return JSONResponse(dashboard.reference_labels(), headers={**SECURITY_HEADERS, "Cache-Control": "public, max-age=3600"})


@router.get("/dashboard/assets/{name}")
async def asset(name: Annotated[str, Path(max_length=32)]) -> Response:
    media_type = dashboard.ASSETS.get(name)
    if media_type is None or name == "index.html":
        raise NotFound("no such dashboard asset")
    return Response(dashboard.asset(name), media_type=media_type, headers=SECURITY_HEADERS)
