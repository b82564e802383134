from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from models.base import utcnow
from service.analytics import supply_demand
from service.analytics.query_log import month_of
from service.deps import BureauDep, LocaleDep, QueryLogDep, RuntimeDep, SessionDep
from service.problems import AUTH_RESPONSES, COMMON_RESPONSES
from service.schemas import supply_demand as schema
from service.schemas.supply_demand import FORMULA, SupplyDemandReport, example
from service.schemas.common import json_response
from service.taxonomy import REGIONS

router = APIRouter(prefix="/v1/analytics", tags=["analytics"], responses={**COMMON_RESPONSES, **AUTH_RESPONSES})

MONTH_PATTERN = r"^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])$"
MAX_MONTHS = 120
GROUPS = tuple(sorted(REGIONS)) + (supply_demand.BELT_AND_ROAD,)
CSV_EXAMPLE = (
    "country,country_name,region,belt_and_road,practice_area,practice_area_name,needs_posted,stored_needs,"
    "match_queries,lawyers_available,lawyers_at_capacity,requests_accepted,unmet_share,gap_score\r\n"
    "KZ,Kazakhstan,central_asia,true,international_arbitration,International arbitration,42,6,36,3,,,0.933,39.2\r\n"
)


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: ("" if v is None else str(v).lower() if isinstance(v, bool) else v) for k, v in row.items()})
    return out.getvalue()


@router.get(
    "/supply-demand",
    response_model=SupplyDemandReport,
    summary="Supply and demand by country x practice area and by month, with the top gaps (bureau, admin)",
    responses={
        200: {
            "description": "the report (JSON), or one of its tables as CSV",
            "content": {"application/json": {"example": example()}, "text/csv": {"schema": {"type": "string"}, "example": CSV_EXAMPLE}},
        }
    },
)
def supply_and_demand(
    _: BureauDep,
    session: SessionDep,
    runtime: RuntimeDep,
    query_log: QueryLogDep,
    locale: LocaleDep,
    until: Annotated[str | None, Query(pattern=MONTH_PATTERN, description="last month, YYYY-MM (default: this month, UTC)")] = None,
    months: Annotated[int, Query(ge=1, le=MAX_MONTHS, description="how many months, ending with until")] = 12,
    group: Annotated[
        Literal[GROUPS] | None,  # type: ignore[valid-type]  # a Literal built from the taxonomy's region codes
        Query(description="only the countries of this region, or belt_and_road"),
    ] = None,
    top: Annotated[int, Query(ge=1, le=100, description="how many top gaps")] = 10,
    format: Annotated[Literal["json", "csv"], Query(description="json: the whole report; csv: one table")] = "json",
    table: Annotated[Literal["cells", "months", "groups"], Query(description="the table a CSV holds")] = "cells",
) -> Response:
    """Needs posted (stored needs and match queries, counted without their text) against the
    lawyers who can take them, by country x practice area and by month, for the `months` months
    ending with `until` (default: the twelve months to this one, UTC). Each cell has a gap score,
    `needs² / (needs + lawyers available)`: the needs times the share the supply does not cover;
    `top_gaps` are the highest. Regions and the Belt and Road partner countries are groupings
    (`group` keeps one). Lawyers at capacity and requests accepted are null until recorded.
    `format=csv` gives the `table` chosen (cells, months or groups) with the same columns as the JSON."""
    last = until or month_of(utcnow())
    first = supply_demand.months_back(last, months)
    period = supply_demand.Period(first, last)
    query_log.flush(runtime.sessions)  # this process's latest queries count too
    report = supply_demand.build(session, period, locale=locale)
    cells = supply_demand.cell_rows(report, group=group)
    if format == "csv":
        rows = {"cells": cells, "months": supply_demand.month_rows(report), "groups": supply_demand.group_rows(report)}[table]
        models: dict[str, type[schema.Figures]] = {"cells": schema.Cell, "months": schema.Month, "groups": schema.Group}
        model = models[table]
        # names first, figures after, as the JSON reads
        figures = list(schema.Figures.model_fields)
        columns = [c for c in model.model_fields if c not in figures] + figures
        filename = f"supply-demand-{table}-{first}-{last}.csv"
        return Response(
            _csv(rows, columns),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    answer = SupplyDemandReport.model_validate(
        {
            "generated_at": utcnow(),
            "first_month": first,
            "last_month": last,
            "lang": locale,
            "formula": FORMULA,
            "capacity_known": report.capacity_known,
            "requests_known": report.requests_known,
            "top_gaps": [c for c in cells if c["gap_score"] > 0][:top],
            "cells": cells,
            "months": supply_demand.month_rows(report),
            "groups": [g for g in supply_demand.group_rows(report) if group is None or g["group"] == group],
            "unspecified": {"country": report.unspecified["country"], "practice_area": report.unspecified["practice_area"]},
        }
    )
    return json_response(answer)
