"""The match-query log's cells and its tally: what a query counts in, and counts kept when the
database cannot be written."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from service.analytics.query_log import MAX_TERMS, QueryLog, cells
from service.matching.need import NeedQuery, Term, given


def test_a_query_counts_in_its_binding_countries_and_sure_practice_areas() -> None:
    query = NeedQuery(
        "…",
        countries=(Term("KZ", 0.95, "read"), Term("RU", 0.4, "read")),  # RU is a mere mention
        practice_areas=(Term("international_arbitration", 0.77, "read"), Term("construction_infrastructure", 0.3, "read")),
    )
    assert cells(query, "2026-12") == [("2026-12", "KZ", "international_arbitration")]


def test_nothing_read_counts_once_as_unspecified_and_many_terms_are_capped() -> None:
    assert cells(NeedQuery("…"), "2026-12") == [("2026-12", "", "")]
    many = NeedQuery("…", countries=given(["KZ", "UZ", "KG", "TJ", "TM"]), practice_areas=given(["tax", "antitrust"]))
    counted = cells(many, "2026-12")
    assert len(counted) == MAX_TERMS * 2 and {c for _, c, _ in counted} == {"KZ", "UZ", "KG"}


def test_counts_survive_a_database_that_cannot_be_written() -> None:
    log = QueryLog(flush_seconds=0)
    query = NeedQuery("…", countries=given(["VN"]), practice_areas=given(["labor_employment"]))
    for _ in range(3):
        log.record(query, now=datetime(2026, 12, 6, tzinfo=timezone.utc))
    assert log.pending() == 3 and log.due()
    # a real driver against a port nobody listens on
    engine = create_engine("postgresql+psycopg://postgres@127.0.0.1:9/none", connect_args={"connect_timeout": 1})
    try:
        with pytest.raises(OperationalError):
            log.flush(sessionmaker(engine))
        log.flush_quietly(sessionmaker(engine))  # after an answer is sent: logged, not raised
    finally:
        engine.dispose()
    assert log.pending() == 3  # kept for the next flush
