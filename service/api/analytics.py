"""Analytics for the bureau: supply and demand by country and practice area, and how fast needs find a lawyer."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BeforeValidator

from models.base import utcnow
from service.analytics import supply_demand
from service.analytics.query_log import month_of
from service.analytics.response_times import response_times as measure
from service.deps import BureauDep, LocaleDep, QueryLogDep, RuntimeDep, SessionDep
from service.errors import Invalid
from service.problems import AUTH_RESPONSES, COMMON_RESPONSES
from service.schemas import supply_demand as schema
from service.schemas.supply_demand import FORMULA, SupplyDemandReport, example
from service.schemas import examples
from service.schemas.response_times import ResponseTimes, WaitFigures
from service.schemas.common import json_response
from service.taxonomy import REGIONS

router = APIRouter(prefix="/v1/analytics", tags=["analytics"], responses={**COMMON_RESPONSES, **AUTH_RESPONSES})

MONTH_PATTERN = r"^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])$"
MAX_MONTHS = 120
GROUPS = tuple(sorted(REGIONS)) + (supply_demand.BELT_AND_ROAD,)
CSV_EXAMPLE = (
    "country,country_name,region,belt_and_road,practice_area,practice_area_name,needs_posted,stored_needs,"
    "match_queries,lawyers_available,lawyers_at_capacity,requests_accepted,unmet_share,gap_score\r\n"
    "KZ,Kazakhstan,central_asia,true,international_arbitration,International arbitration,42,6,36,3,1,4,0.955,40.1\r\n"
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
    `needs² / (needs + lawyers available − lawyers at capacity)`: the needs times the share the supply does not cover;
    `top_gaps` are the highest. Regions and the Belt and Road partner countries are groupings
    (`group` keeps one). Each cell also counts its lawyers at capacity and the requests accepted.
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


def _rfc3339(value: object) -> object:
    # pydantic would also take a number as seconds since 1970; the schema promises a date-time string
    if value is not None and not (isinstance(value, str) and "T" in value.upper()):
        raise ValueError("give a time as RFC 3339, e.g. 2026-11-01T00:00:00Z")
    return value


Instant = Annotated[datetime, BeforeValidator(_rfc3339)]


@router.get(
    "/response-times",
    response_model=ResponseTimes,
    summary="The hour, measured: time from a need's first request to its first acceptance",
    responses={200: examples.answer(examples.RESPONSE_TIMES, "median, 90th percentile and share within the hour")},
)
def response_times(
    session: SessionDep,
    _: BureauDep,
    since: Annotated[Instant | None, Query(description="only needs first sent at or after this time (RFC 3339)")] = None,
    until: Annotated[Instant | None, Query(description="only needs first sent before this time (RFC 3339)")] = None,
) -> ResponseTimes:
    """For each need sent to a lawyer, the time from its first request to its first acceptance, in
    whichever round: the median, the 90th percentile and the share accepted within one hour,
    overall, by target country and by practice area (bureau and administrator keys)."""
    for name, value in (("since", since), ("until", until)):
        if value is not None and value.tzinfo is None:
            raise Invalid(name, "give the time with its offset, e.g. 2026-11-01T00:00:00Z")
    figures = measure(session, since=since, until=until)

    def view(f: object) -> WaitFigures:
        return WaitFigures.model_validate(f)

    return ResponseTimes(
        since=since,
        until=until,
        overall=view(figures["overall"]),
        by_country={k: view(v) for k, v in figures["by_country"].items()},
        by_practice_area={k: view(v) for k, v in figures["by_practice_area"].items()},
    )
