"""The CLI's input files, checked whole before any work starts.

Every problem is reported as one line: the line number, the field, and what to fix. The needs
and lawyers files are read with the exchange-format records (schemas.need.NeedRecord,
schemas.lawyer.LawyerRecord) through the importer's own parser, so the CLI and the import
accept exactly the same lines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from service.importing import parse_lines
from service.schemas.lawyer import ImportSummary, LawyerRecord
from service.schemas.need import NeedRecord

GRADES = range(0, 4)


class BadInput(Exception):
    """A file that cannot be used as it is; `problems` holds one line per problem."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        super().__init__(f"{path}: {len(problems)} problem(s)")
        self.path = path
        self.problems = problems


def _records(path: Path, model: type[BaseModel]) -> list[tuple[int, Any]]:
    summary = ImportSummary()
    with path.open("rb") as handle:
        records = list(parse_lines(handle, model, summary))
    problems = [(r.line, f"line {r.line}: {r.reason}") for r in summary.rejected]
    first_seen: dict[str, int] = {}
    for number, record in records:
        earlier = first_seen.setdefault(record.external_id, number)
        if earlier != number:
            problems.append((number, f"line {number}: external_id: {record.external_id!r} is already on line {earlier}; make it unique"))
    if not records and not problems:
        problems.append((0, "the file holds no records; write one JSON object a line (see the README)"))
    if problems:
        more = summary.rejected_total - len(summary.rejected)
        raise BadInput(path, [text for _, text in sorted(problems)] + ([f"... and {more} more bad lines"] if more > 0 else []))
    return records


def read_needs(path: Path) -> list[NeedRecord]:
    """The needs of a needs file (JSON Lines; README, 'The needs file'), or BadInput."""
    return [record for _, record in _records(path, NeedRecord)]


def check_lawyers(path: Path) -> set[str]:
    """The external ids of a lawyers file in the exchange format, or BadInput."""
    return {record.external_id for _, record in _records(path, LawyerRecord)}


def check_qrels(path: Path, need_ids: set[str], lawyer_ids: set[str]) -> None:
    """`need_id <TAB> lawyer_id <TAB> grade` lines naming needs and lawyers of the other files, or BadInput."""
    problems: list[str] = []
    judged = 0
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            fields = line.split()
            if not fields:
                continue
            judged += 1
            if len(fields) != 3:
                problems.append(f"line {number}: expected 3 fields (need id, lawyer id, grade), found {len(fields)}")
                continue
            need_id, lawyer_id, grade = fields
            wrong = []
            if need_id not in need_ids:
                wrong.append(f"need {need_id!r} is not in the needs file")
            if lawyer_id not in lawyer_ids:
                wrong.append(f"lawyer {lawyer_id!r} is not in the lawyers file")
            if not grade.isdigit() or int(grade) not in GRADES:
                wrong.append(f"grade {grade!r} is not one of 0, 1, 2, 3")
            if wrong:
                problems.append(f"line {number}: {'; '.join(wrong)}")
    if not judged and not problems:
        problems.append("the file holds no judgments; write one `need_id<TAB>lawyer_id<TAB>grade` a line")
    if problems:
        raise BadInput(path, problems)
