"""What a match result shows of a lawyer (the card), and the passages it may quote, in one query."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, select

from models import Lawyer, Passage


# What a match result shows of a lawyer, and what decides whether it may still be shown.
CARD_COLUMNS = (
    Lawyer.id, Lawyer.external_id, Lawyer.name, Lawyer.name_en, Lawyer.firm, Lawyer.firm_en, Lawyer.city,
    Lawyer.years_of_practice, Lawyer.countries, Lawyer.offices, Lawyer.practice_areas, Lawyer.languages,
    Lawyer.talent_pools, Lawyer.hourly_rate,
    Lawyer.status, Lawyer.accepting_clients, Lawyer.consent_listing, Lawyer.verification_expires_at,
)


# Built once: a request reads a dozen cards, and building the statement anew cost a third of that.
_CARDS_QUERY = (
    select(*CARD_COLUMNS, Passage.id.label("evidence_id"), Passage.kind.label("evidence_kind"), Passage.text.label("evidence_text"))
    .outerjoin(Passage, and_(Passage.lawyer_id == Lawyer.id, Passage.id.in_(bindparam("passage_ids", expanding=True))))
    .where(Lawyer.id.in_(bindparam("lawyer_ids", expanding=True)))
)


@dataclass(frozen=True)
class Card:
    """A result's card row, and the texts of the passages asked for that still exist."""

    row: Row[Any]
    passages: dict[int, tuple[str, str]]  # passage id -> (kind, text)


def cards(connection: Connection, passages: Mapping[int, Sequence[int]]) -> dict[int, Card]:
    """Lawyer id -> its card and the texts of the passages asked for (the candidates for the
    evidence shown), in one query (plain rows: a request reads a dozen, and ORM objects cost more
    than the query). The join admits only the lawyer's own passages (passage ids are never reused).
    """
    if not passages:
        return {}
    passage_ids = [pid for ids in passages.values() for pid in ids] or [-1]
    rows = connection.execute(_CARDS_QUERY, {"passage_ids": passage_ids, "lawyer_ids": list(passages)})
    out: dict[int, Card] = {}
    for row in rows:
        card = out.setdefault(row.id, Card(row, {}))
        if row.evidence_id is not None:
            card.passages[row.evidence_id] = (row.evidence_kind, row.evidence_text)
    return out
