"""The one scoring formula. Every weight lives here; the README explains them.

score = W_COUNTRY   * country     (1 covers a target country; REGION_CREDIT if only its region)
      + W_PRACTICE  * practice    (best confidence of a target practice area the lawyer has)
      + W_MATTER    * matter      (similarity of the need to the lawyer's best passage, rescaled)
      + W_LANGUAGE  * language    (share of softly-read languages the lawyer speaks)
      + W_CREDENTIAL* credentials (years of practice and talent-pool membership)

The country and practice terms decide the tier (right country and practice first, then the
right practice in a neighbouring country), the matter term orders lawyers within a tier and
lifts the lawyer whose own passage describes the very matter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

W_COUNTRY = 0.35
W_PRACTICE = 0.35
W_MATTER = 0.20
W_LANGUAGE = 0.05
W_CREDENTIAL = 0.05

REGION_CREDIT = 0.35
DECLARED_PRACTICE_CREDIT = 1.0
READ_PRACTICE_CREDIT = 0.85  # practice found only in the bio: real, but less certain than a declared field
NO_TARGET_NEUTRAL = 0.5  # when the need names no country/practice, every lawyer gets the same middle credit

# Cosine similarities of sentence encoders cluster in a narrow band; this maps it onto 0..1.
MATTER_FLOOR = 0.15
MATTER_CEILING = 0.65

POOL_CREDIT = {"acla_foreign_related": 0.4, "bri_cross_border": 0.3, "provincial_leading": 0.2}


@dataclass(frozen=True)
class Components:
    country: float
    practice: float
    matter: float
    language: float
    credentials: float

    @property
    def total(self) -> float:
        return (
            W_COUNTRY * self.country
            + W_PRACTICE * self.practice
            + W_MATTER * self.matter
            + W_LANGUAGE * self.language
            + W_CREDENTIAL * self.credentials
        )

    def to_dict(self) -> dict[str, float]:
        return {
            "country": round(self.country, 4),
            "practice": round(self.practice, 4),
            "matter": round(self.matter, 4),
            "language": round(self.language, 4),
            "credentials": round(self.credentials, 4),
        }


def matter_score(similarity: float | np.ndarray) -> np.ndarray:
    """One similarity or an array of them (the engine ranks every candidate at once)."""
    return np.minimum(1.0, np.maximum(0.0, (similarity - MATTER_FLOOR) / (MATTER_CEILING - MATTER_FLOOR)))


def credentials_score(years: int, pools: tuple[str, ...]) -> float:
    seniority = min(1.0, math.log1p(max(years, 0)) / math.log1p(25))
    pool = min(1.0, sum(POOL_CREDIT.get(p, 0.1) for p in pools))
    return 0.6 * seniority + 0.4 * pool
