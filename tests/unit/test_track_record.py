"""The track-record term: neutral without history, shrunk toward the prior, moving with evidence."""

from __future__ import annotations

from service.matching import scoring
from service.matching.explain import track_reason


def good(n: int) -> dict[str, float]:
    # n offers, all accepted at once, all closed as solved with five stars
    return {"offers": n, "accepted": n, "speed_sum": 0.95 * n, "rated": n, "rating_sum": float(n), "solved": n, "median_answer_seconds": 180}


def ignored(n: int) -> dict[str, float]:
    return {"offers": n, "accepted": 0, "speed_sum": 0.0}


def test_no_history_is_exactly_neutral() -> None:
    assert scoring.track_record_score(None) == scoring.track_record_score({}) == scoring.TRACK_NEUTRAL
    base = scoring.weighted_total(0.5, 0.5, 0.5, 0.5, 0.5)
    assert scoring.weighted_total(0.5, 0.5, 0.5, 0.5, 0.5, scoring.TRACK_NEUTRAL) == base


def test_more_evidence_moves_further_from_neutral_and_stays_bounded() -> None:
    lifted = [scoring.track_record_score(good(n)) for n in (1, 5, 20, 200)]
    assert lifted == sorted(lifted) and scoring.TRACK_NEUTRAL < lifted[0] < lifted[-1] <= 1.0
    # one good engagement is not worth much: shrinkage keeps it close to neutral
    assert lifted[0] - scoring.TRACK_NEUTRAL < 0.1
    lowered = [scoring.track_record_score(ignored(n)) for n in (1, 5, 20)]
    assert lowered == sorted(lowered, reverse=True) and 0.0 <= lowered[-1] < lowered[0] < scoring.TRACK_NEUTRAL
    # the term moves a score by at most W_TRACK / 2 either way
    assert abs(scoring.W_TRACK * (scoring.track_record_score(good(10_000)) - scoring.TRACK_NEUTRAL)) <= scoring.W_TRACK / 2


def test_the_reason_is_given_when_the_record_lifts_the_score() -> None:
    assert track_reason(None, "en") is None and track_reason(ignored(10), "en") is None
    assert track_reason(good(1), "en") is None  # too little to count
    assert track_reason(good(5), "en") == "Track record: answers in 3 min (median), accepts 100% of requests, rated 5.0/5 over 5 engagements"
    assert track_reason(good(5), "zh") == "响应记录：中位答复时间3分钟，接受率100%，评分5.0（5次委托）"
