"""What the reader tests share."""

from __future__ import annotations

from service.matching.reading import Reading


def codes(readings: list[Reading], at_least: float = 0.0) -> list[str]:
    return [r.code for r in readings if r.confidence >= at_least]
