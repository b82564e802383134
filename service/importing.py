"""Bulk import in the exchange format: idempotent upserts on external_id, a bad line never stops the rest."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from service.errors import ServiceError
from service.repositories import lawyers as lawyer_repo
from service.repositories import needs as need_repo
from service.schemas.lawyer import ImportRejection, ImportSummary, LawyerRecord
from service.schemas.need import NeedRecord

BATCH = 200
Progress = Callable[[int], None]


def describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(p) for p in item.get("loc", ())) or "record"
        parts.append(f"{where}: {item.get('msg', 'invalid')}")
    return "; ".join(parts)


def _parse(lines: Iterable[str | bytes], model: type, summary: ImportSummary) -> Iterator[tuple[int, Any]]:
    for number, raw in enumerate(lines, start=1):
        text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
        text = text.strip().lstrip("\ufeff")
        if not text:
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            summary.rejected.append(ImportRejection(line=number, external_id=None, reason=f"not valid JSON: {exc.msg}"))
            continue
        if not isinstance(data, dict):
            summary.rejected.append(ImportRejection(line=number, external_id=None, reason="a line must be a JSON object"))
            continue
        external_id = data.get("external_id") if isinstance(data.get("external_id"), str) else None
        try:
            yield number, model.model_validate(data)
        except ValidationError as exc:
            summary.rejected.append(ImportRejection(line=number, external_id=external_id, reason=describe(exc)))


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
    summary.rejected.append(ImportRejection(line=number, external_id=external_id, reason=reason))


def import_lawyers(
    factory: sessionmaker[Session], lines: Iterable[str | bytes], *, progress: Progress | None = None
) -> ImportSummary:
    summary = ImportSummary()
    for batch in _batches(_parse(lines, LawyerRecord, summary), BATCH):
        with factory() as session, session.begin():
            existing = lawyer_repo.by_external_ids(session, [record.external_id for _, record in batch])
            for number, record in batch:
                values = record.model_dump(mode="json", exclude={"external_id"})
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
        if progress:
            progress(len(batch))
    summary.rejected.sort(key=lambda r: r.line)
    return summary


def import_needs(
    factory: sessionmaker[Session],
    lines: Iterable[str | bytes],
    *,
    organisation: str | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    summary = ImportSummary()
    for batch in _batches(_parse(lines, NeedRecord, summary), BATCH):
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
    summary.rejected.sort(key=lambda r: r.line)
    return summary
