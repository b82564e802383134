"""The bureau's published directory: labels in zh / en, the flat columns of its exports (CSV and
XLSX), and the scrubbing that keeps contact data out of what anyone can download.

Contact fields (email, phone, licence number) are never read into an entry. A lawyer's own
free text may still hold them ("write to me at ..."), so bio and cases are scrubbed of e-mail
addresses and long digit runs before they are published.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any

from models.base import as_utc
from service import taxonomy
from service.matching.explain import LEVELS, POOLS

# an e-mail address; a run of 7 or more digits (phones, licence numbers), spaces or dashes between
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_DIGITS = re.compile(r"\+?\d(?:[\s\-()]*\d){6,}")
REDACTED = "[…]"


def scrub(text: str) -> str:
    return _DIGITS.sub(REDACTED, _EMAIL.sub(REDACTED, text))


def _names(codes: Iterable[str], name: Any, locale: str) -> list[str]:
    return [name(code, locale) for code in codes]


def _area(code: str, locale: str) -> str:
    area = taxonomy.PRACTICE_AREAS.get(code)
    return area.label(locale) if area else code


def _pool(code: str, locale: str) -> str:
    return POOLS["zh" if locale == "zh" else "en"].get(code, code)


def _language(skill: dict[str, str], locale: str) -> str:
    level = LEVELS["zh" if locale == "zh" else "en"].get(skill.get("level", ""), "")
    name = taxonomy.language_name(skill["code"], locale)
    return f"{name}（{level}）" if locale == "zh" and level else f"{name} ({level})" if level else name


def labels(lawyer: Any, locale: str) -> dict[str, list[str]]:
    """The names of a lawyer's codes in ``locale`` (zh or en), list by list, in the codes' order."""
    regions = list(dict.fromkeys(r for r in (taxonomy.region_of(c) for c in lawyer.countries) if r))
    return {
        "countries": _names(lawyer.countries, taxonomy.country_name, locale),
        "regions": [taxonomy.region_name(r, locale) for r in regions],
        "offices": _names(lawyer.offices, taxonomy.country_name, locale),
        "practice_areas": _names(lawyer.practice_areas, _area, locale),
        "languages": [_language(skill, locale) for skill in lawyer.languages],
        "talent_pools": _names(lawyer.talent_pools, _pool, locale),
    }


# The columns of both exports, in order: everything of an entry but the free text (bio and cases,
# up to 200,000 characters, which a spreadsheet cell cannot hold); lists joined with "; ".
EXPORT_COLUMNS: tuple[str, ...] = (
    "id", "external_id", "name", "name_en", "firm", "firm_en", "city", "years_of_practice",
    "countries", "country_names", "regions", "offices", "practice_areas", "practice_area_names",
    "languages", "language_names", "talent_pools", "talent_pool_names", "bar_admissions",
    "accepting_clients", "status", "verified_at", "last_verified_at", "verification_expires_at",
)
SEPARATOR = "; "


def _iso(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return as_utc(moment).astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def export_row(entry: dict[str, Any]) -> dict[str, str]:
    """An entry of the JSON directory (its `model_dump(mode="json")`) as the exports' columns."""
    names = entry["labels"]
    joined = SEPARATOR.join
    return {
        "id": str(entry["id"]),
        "external_id": entry["external_id"] or "",
        "name": entry["name"],
        "name_en": entry["name_en"] or "",
        "firm": entry["firm"] or "",
        "firm_en": entry["firm_en"] or "",
        "city": entry["city"] or "",
        "years_of_practice": str(entry["years_of_practice"]),
        "countries": joined(entry["countries"]),
        "country_names": joined(names["countries"]),
        "regions": joined(names["regions"]),
        "offices": joined(entry["offices"]),
        "practice_areas": joined(entry["practice_areas"]),
        "practice_area_names": joined(names["practice_areas"]),
        "languages": joined(skill["code"] for skill in entry["languages"]),
        "language_names": joined(names["languages"]),
        "talent_pools": joined(entry["talent_pools"]),
        "talent_pool_names": joined(names["talent_pools"]),
        "bar_admissions": joined(entry["bar_admissions"]),
        "accepting_clients": "true" if entry["accepting_clients"] else "false",
        "status": entry["status"],
        "verified_at": entry["verified_at"] or "",
        "last_verified_at": entry["last_verified_at"] or "",
        "verification_expires_at": entry["verification_expires_at"] or "",
    }


def inert(value: str) -> str:
    """A cell a spreadsheet will not run: text starting = + - @ (or a tab or return) would be read
    as a formula (CSV injection), so it gets a leading apostrophe, as OWASP advises."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(rows: Sequence[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        writer.writerow([inert(row[c]) for c in EXPORT_COLUMNS])
    # with a byte-order mark, so that Excel opens the Chinese names as UTF-8
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows: Sequence[dict[str, str]], *, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import TYPE_STRING

    # write-only: rows are streamed to the file, a third of the time of a workbook held in memory
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    sheet.append(list(EXPORT_COLUMNS))
    for row in rows:
        cells = []
        for column in EXPORT_COLUMNS:
            cell = WriteOnlyCell(sheet, value=row[column])
            cell.data_type = TYPE_STRING  # text, never a formula: openpyxl would store "=..." as one
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
