"""The schedule as files: CSV, XLSX (openpyxl: the whole schedule, then one sheet per desk) and
ICS (icalendar: one event per meeting, times in UTC). All render the rows of ``plan.view``, so
each agrees with the JSON."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime, time, timezone
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from openpyxl import Workbook

COLUMNS = ("slot", "date", "start", "end", "desk", "enterprise_id", "enterprise", "lawyer_id", "lawyer", "score", "must", "reasons")
HEADERS = {
    "en": ("Slot", "Date", "Start", "End", "Desk", "Enterprise id", "Enterprise", "Lawyer id", "Lawyer", "Score", "Must meet", "Reasons"),
    "zh": ("时段", "日期", "开始", "结束", "洽谈桌", "企业编号", "企业", "律师编号", "律师", "匹配分", "必见", "匹配理由"),
}
REASON_SEPARATOR = " | "
# Excel and friends run a cell starting with these as a formula; names come from participants.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA) else value


def flat(row: dict[str, Any]) -> list[Any]:
    return [
        row["slot"], row["date"].isoformat(), row["start"], row["end"], row["desk"], row["enterprise"]["id"],
        _safe(row["enterprise"]["name"]), row["lawyer"]["id"], _safe(row["lawyer"]["name"]), row["score"],
        "yes" if row["must"] else "no", _safe(REASON_SEPARATOR.join(row["reasons"])),
    ]


def to_csv(rows: Sequence[dict[str, Any]], lang: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)  # machine-readable names; the language shows in the reasons
    for row in rows:
        writer.writerow(flat(row))
    # a BOM, so that spreadsheet programs read the Chinese as UTF-8
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows: Sequence[dict[str, Any]], lang: str, desks: Sequence[int]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "日程" if lang == "zh" else "Schedule"
    sheet.append(list(HEADERS[lang]))
    for row in rows:
        sheet.append(flat(row))
    by_desk: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_desk.setdefault(row["desk"], []).append(row)
    for desk in desks:  # per-desk lists, one sheet each
        page = book.create_sheet(f"洽谈桌 {desk}" if lang == "zh" else f"Desk {desk}")
        page.append(list(HEADERS[lang]))
        for row in by_desk.get(desk, []):
            page.append(flat(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _instant(day: Any, clock: str, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.fromisoformat(clock), tzinfo=zone).astimezone(timezone.utc)


def to_ics(rows: Sequence[dict[str, Any]], *, fair_id: int, fair_name: str, zone: str, lang: str) -> bytes:
    tz = ZoneInfo(zone)
    calendar = Calendar()
    calendar.add("prodid", "-//matchmaker//trade fairs//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", fair_name)
    zh = lang == "zh"
    for row in rows:
        event = Event()
        # one meeting, one id: the same pair in the same slot stays the same event across exports
        event.add("uid", f"fair-{fair_id}-slot-{row['slot']}-{row['enterprise']['id']}-{row['lawyer']['id']}@matchmaker")
        event.add("dtstamp", datetime.now(timezone.utc).replace(microsecond=0))
        event.add("dtstart", _instant(row["date"], row["start"], tz))
        event.add("dtend", _instant(row["date"], row["end"], tz))
        who = f"{row['enterprise']['name']} × {row['lawyer']['name']}"
        event.add("summary", f"{fair_name}：{who}" if zh else f"{fair_name}: {who}")
        event.add("location", f"洽谈桌 {row['desk']}" if zh else f"Desk {row['desk']}")
        event.add("description", "\n".join(row["reasons"]))
        calendar.add_component(event)
    return calendar.to_ical()
