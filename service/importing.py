"""Bulk import in the exchange format: idempotent upserts on external_id.

Two modes. `atomic` (the HTTP import): one transaction for the whole request, rolled back if any
line is rejected, so a bad line leaves nothing half-written. Otherwise (the CLI, for files of
millions of lines): each batch of BATCH lines is its own transaction and a bad line never stops
the rest; the same file imported again resumes where an interruption left it. Either way the
rejections reported are the first REPORTED_REJECTIONS (by line) plus a total, and memory is
bounded by a batch, not by the file.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from models import Lawyer
from models.lawyer import licence_key
from service.errors import ServiceError
from service.repositories import lawyers as lawyer_repo
from service.repositories import needs as need_repo
from service.schemas.lawyer import ImportRejection, ImportSummary, LawyerRecord
from service.schemas.need import NeedRecord

BATCH = 200
# an import of 3 million bad lines answers a hundred reasons and the count, not 236 MB of them
REPORTED_REJECTIONS = 100
Progress = Callable[[int], None]
# Tables a lawyer import writes. Their planner statistics are refreshed as the import grows them.
IMPORT_TABLES = ("lawyers", "passages", "profile_changes", "audit_events")
# Statistics are refreshed when the lawyers table has doubled since the last refresh (from this size).
ANALYZE_FROM_ROWS = 1000


def _what_to_fix(item: Mapping[str, Any]) -> str:
    if item.get("type") == "missing":
        return "missing; every record needs this field"
    # pydantic prefixes the messages of our own validators, which already say what to fix
    return str(item.get("msg", "invalid")).removeprefix("Value error, ")


def describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(p) for p in item.get("loc", ())) or "record"
        parts.append(f"{where}: {_what_to_fix(item)}")
    return "; ".join(parts)


def parse_lines(lines: Iterable[str | bytes], model: type[BaseModel], summary: ImportSummary) -> Iterator[tuple[int, Any]]:
    """(line number, record) for each valid line; each bad line is counted in `summary`."""
    for number, raw in enumerate(lines, start=1):
        if isinstance(raw, bytes):
            try:
                text = raw.decode("utf-8")  # refused, not replaced: U+FFFD must never be stored for a name
            except UnicodeDecodeError as exc:
                _reject(summary, number, None, f"not valid UTF-8 (byte {exc.start + 1} of the line); save the file as UTF-8")
                continue
        else:
            text = raw
        text = text.strip().lstrip("\ufeff")
        if not text:
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            _reject(summary, number, None, f"not valid JSON: {exc.msg}")
            continue
        except RecursionError:  # a hostile "[[[[...]]]]": the parser's stack, not ours, gives out
            _reject(summary, number, None, "JSON nested too deeply; a record is a flat object of the exchange format")
            continue
        except ValueError as exc:  # e.g. an integer of more digits than Python converts
            _reject(summary, number, None, f"not readable JSON: {exc}")
            continue
        if not isinstance(data, dict):
            _reject(summary, number, None, "a line must be a JSON object")
            continue
        external_id = data.get("external_id") if isinstance(data.get("external_id"), str) else None
        try:
            yield number, model.model_validate(data)
        except ValidationError as exc:
            _reject(summary, number, external_id, describe(exc))
        except RecursionError:
            _reject(summary, number, external_id, "a field is nested too deeply")


def _batches(items: Iterator[tuple[int, Any]], size: int) -> Iterator[list[tuple[int, Any]]]:
    batch: list[tuple[int, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _count(summary: ImportSummary, outcome: str) -> None:
    setattr(summary, outcome, getattr(summary, outcome) + 1)


def _reject(summary: ImportSummary, number: int, external_id: str | None, reason: str) -> None:
    """Count the rejection; keep it if it is among the first REPORTED_REJECTIONS by line number."""
    summary.rejected_total += 1
    kept = summary.rejected
    if len(kept) >= REPORTED_REJECTIONS and number > kept[-1].line:
        return  # the common case (lines arrive in order): O(1)
    bisect.insort(kept, ImportRejection(line=number, external_id=external_id, reason=reason), key=lambda r: r.line)
    del kept[REPORTED_REJECTIONS:]


def _new_records(
    session: Session, batch: list[tuple[int, Any]], existing: dict[str, Lawyer]
) -> tuple[list[tuple[int, Any]], list[tuple[int, Any]]]:
    """Split a batch into records that can be inserted in bulk and the rest.

    Bulk: new external ids, first of their id and licence in the batch, licence not taken.
    Everything else (updates, repeats, conflicts) goes through the per-record path, which
    decides and reports exactly as before.
    """
    taken = lawyer_repo.licences_taken(session, {record.license_no for _, record in batch})
    keys = {number: licence_key(record.license_no) for number, record in batch}
    bulk: list[tuple[int, Any]] = []
    rest: list[tuple[int, Any]] = []
    seen_ids: set[str] = set()
    seen_licences: set[str] = set()
    for number, record in batch:
        fresh = (
            record.external_id not in existing
            and record.external_id not in seen_ids
            and keys[number] not in taken
            and keys[number] not in seen_licences
        )
        seen_ids.add(record.external_id)
        seen_licences.add(keys[number])
        (bulk if fresh else rest).append((number, record))
    return bulk, rest


def _create_fresh(session: Session, records: list[tuple[int, Any]], summary: ImportSummary) -> dict[str, Lawyer]:
    """Create new lawyers that passed the pre-checks in a few statements, under one savepoint
    instead of one each, through the repository so audit, consent and verification stamps stay its own."""
    values = []
    for _, record in records:
        row = record.model_dump(mode="json", exclude={"external_id"})
        row["external_id"] = record.external_id
        values.append(row)
    created = lawyer_repo.create_many(session, values)
    summary.created += len(created)
    return {lawyer.external_id: lawyer for lawyer in created if lawyer.external_id}


class _Statistics:
    """Keeps PostgreSQL's planner statistics in step with a table that a bulk import is growing.

    psycopg prepares a statement after five executions; PostgreSQL then caches a generic plan for
    it, made with the statistics of that moment, and keeps it until the table's statistics change.
    With autovacuum off (or lagging behind a fast import), a plan made while `lawyers` was nearly
    empty (a sequential scan evaluating the 200-parameter IN list row by row) stayed in use as the
    table grew: each batch's lookups by external id and licence number cost O(table) and the import
    slowed quadratically (0.1 s per lookup at 20k rows, 0.3 s at 40k). ANALYZE each time the table
    has doubled gives the planner true sizes and invalidates the cached plans, so they are re-made
    as index scans. A no-op on other databases.
    """

    def __init__(self, session: Session) -> None:
        self.enabled = session.get_bind().dialect.name == "postgresql"
        # The planner's own row estimate (no count(*) over a big table per API import); -1, never
        # analyzed, counts as empty. Plans made for the table as it is now are fine, so a small
        # import into a big table (one record over the API) never analyzes.
        estimate = session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'lawyers'")) if self.enabled else 0
        self.rows = max(0, int(estimate or 0))
        self.analyzed_at = self.rows

    def grew(self, session: Session, added: int) -> None:
        if not self.enabled:
            return
        self.rows += added
        if self.rows >= max(ANALYZE_FROM_ROWS, 2 * self.analyzed_at, self.analyzed_at + ANALYZE_FROM_ROWS):
            session.execute(text(f"ANALYZE {', '.join(IMPORT_TABLES)}"))
            self.analyzed_at = self.rows


def _import_batch(
    session: Session, batch: list[tuple[int, Any]], summary: ImportSummary, statistics: _Statistics
) -> None:
    created_before = summary.created
    existing = lawyer_repo.by_external_ids(session, [record.external_id for _, record in batch])
    bulk, rest = _new_records(session, batch, existing)
    if bulk:
        try:
            with session.begin_nested():
                existing |= _create_fresh(session, bulk, summary)
        except (ServiceError, IntegrityError):  # a concurrent writer took an id or licence: go one by one
            rest = sorted(rest + bulk, key=lambda item: item[0])
    for number, record in rest:
        # a lawyer's own capacity and conflicts survive a re-import that does not state them
        kept = {"max_open_engagements", "adverse_parties"} - record.model_fields_set
        values = record.model_dump(mode="json", exclude={"external_id", *kept})
        values["external_id"] = record.external_id
        try:
            # a savepoint per record: one conflict rolls back that record only
            with session.begin_nested():
                outcome, lawyer = lawyer_repo.upsert_record(session, values, existing.get(record.external_id))
        except (ServiceError, IntegrityError) as exc:
            reason = exc.detail if isinstance(exc, ServiceError) else "conflicts with an existing lawyer (license_no)"
            _reject(summary, number, record.external_id, reason)
            continue
        existing[record.external_id] = lawyer  # the same id later in this batch updates it
        _count(summary, outcome)
    if summary.created > created_before:
        statistics.grew(session, summary.created - created_before)


def import_lawyers(
    factory: sessionmaker[Session],
    lines: Iterable[str | bytes],
    *,
    progress: Progress | None = None,
    atomic: bool = False,
) -> ImportSummary:
    """Upsert every valid line; new lawyers go in bulk, the rest one by one with a savepoint each.

    atomic: one transaction for everything, rolled back (and nothing counted as written) when any
    line is rejected. Otherwise each batch is a transaction: resumable, as every write is an
    upsert on external_id, so after an interruption the same file is imported again.
    """
    summary = ImportSummary()
    with factory() as session:
        statistics = _Statistics(session)
    batches = _batches(parse_lines(lines, LawyerRecord, summary), BATCH)
    if not atomic:
        for batch in batches:
            with factory() as session, session.begin():
                _import_batch(session, batch, summary, statistics)
            if progress:
                progress(len(batch))
        return summary
    with factory() as session:
        try:
            for batch in batches:
                if summary.rejected_total:
                    continue  # all will be rolled back: only read on, to report every bad line
                _import_batch(session, batch, summary, statistics)
                session.flush()
                session.expunge_all()  # memory bounded by the batch: written rows are not kept
                if progress:
                    progress(len(batch))
            if summary.rejected_total:
                session.rollback()
                summary.committed = False
                summary.created = summary.updated = summary.unchanged = 0
                session.info.pop("profile_changed", None)
            else:
                session.commit()
        except BaseException:
            session.rollback()
            raise
    return summary


def import_needs(
    factory: sessionmaker[Session],
    lines: Iterable[str | bytes],
    *,
    organisation: str | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    summary = ImportSummary()
    for batch in _batches(parse_lines(lines, NeedRecord, summary), BATCH):
        with factory() as session, session.begin():
            for number, record in batch:
                try:
                    with session.begin_nested():
                        outcome = need_repo.upsert_record(
                            session, record.model_dump(mode="json"), organisation=organisation
                        )
                except (ServiceError, IntegrityError) as exc:
                    reason = exc.detail if isinstance(exc, ServiceError) else "conflicts with an existing need"
                    _reject(summary, number, record.external_id, reason)
                    continue
                _count(summary, outcome)
        if progress:
            progress(len(batch))
    return summary
