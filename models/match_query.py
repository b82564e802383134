"""How many match queries named each country x practice area, by month: counts only, never the text."""

from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class MatchQueryCount(Base):
    """One cell of the match-query log. Neither the need's text nor who asked is kept: the bureau
    studies demand by place and field, and a count cannot leak an enterprise's matter."""

    __tablename__ = "match_query_counts"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-12", UTC
    # "" when the query named no country (or no practice area) that could be read with confidence
    country: Mapped[str] = mapped_column(String(8), primary_key=True)
    practice_area: Mapped[str] = mapped_column(String(64), primary_key=True)
    queries: Mapped[int] = mapped_column(Integer, default=0)
