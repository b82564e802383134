"""Metric arithmetic on tiny hand-computed examples."""

from __future__ import annotations

import io
import math
from pathlib import Path

import pytest

from service.evaluation import (
    Metrics,
    count_violations,
    evaluate,
    format_report,
    load_qrels,
    read_jsonl,
    read_trec_run,
    write_trec_run,
)

LOG2_3 = math.log2(3)
LOG2_4 = 2.0


def test_ndcg_uses_linear_grades_and_the_ideal_from_the_qrels() -> None:
    qrels = {"n1": {"a": 3, "b": 2, "c": 1}}
    # returned: b (2) at rank 1, x (0) at rank 2, a (3) at rank 3; c is missed
    dcg = 2 / 1 + 0 + 3 / LOG2_4
    idcg = 3 / 1 + 2 / LOG2_3 + 1 / LOG2_4
    metrics = evaluate({"n1": ["b", "x", "a"]}, qrels)
    assert metrics.ndcg10 == pytest.approx(dcg / idcg)
    assert metrics.per_need_ndcg == {"n1": pytest.approx(dcg / idcg)}


def test_perfect_ranking_scores_one_and_accepts_scored_pairs() -> None:
    qrels = {"n1": {"a": 3, "b": 2, "c": 1}}
    metrics = evaluate({"n1": [("a", 0.9), ("b", 0.8), ("c", 0.7)]}, qrels)
    assert metrics.ndcg10 == pytest.approx(1.0)
    assert metrics.mrr == 1.0
    assert metrics.r10 == 1.0
    assert metrics.p5 == pytest.approx(3 / 5)


def test_ndcg_counts_only_the_first_ten_and_ideal_is_cut_at_ten() -> None:
    judged = {f"r{i}": 1 for i in range(12)}
    run = {"n1": [f"x{i}" for i in range(10)] + ["r0"]}  # relevant only at rank 11
    assert evaluate(run, {"n1": judged}).ndcg10 == 0.0
    top_ten = {"n1": [f"r{i}" for i in range(10)]}
    assert evaluate(top_ten, {"n1": judged}).ndcg10 == pytest.approx(1.0)


def test_empty_and_missing_rankings_score_zero_and_still_count() -> None:
    qrels = {"n1": {"a": 1}, "n2": {"b": 2}}
    metrics = evaluate({"n1": ["a"], "n2": []}, qrels)
    assert metrics.n_needs == 2
    assert metrics.ndcg10 == pytest.approx(0.5)
    assert metrics.mrr == pytest.approx(0.5)
    missing = evaluate({"n1": ["a"]}, qrels)
    assert missing.ndcg10 == pytest.approx(0.5)
    assert evaluate({}, qrels).ndcg10 == 0.0


def test_need_without_judgments_counts_when_named() -> None:
    qrels = {"n1": {"a": 1}}
    metrics = evaluate({"n1": ["a"], "n2": ["a"]}, qrels, need_ids=["n1", "n2"])
    assert metrics.n_needs == 2
    assert metrics.ndcg10 == pytest.approx(0.5)
    assert metrics.r10 == pytest.approx(0.5)


def test_mrr_takes_the_first_lawyer_of_grade_one_or_more() -> None:
    qrels = {"n1": {"c": 1, "d": 3}, "n2": {"z": 2}}
    metrics = evaluate({"n1": ["a", "b", "c", "d"], "n2": ["y"]}, qrels)
    assert metrics.mrr == pytest.approx((1 / 3 + 0) / 2)


def test_precision_at_5_and_recall_at_10() -> None:
    relevant = {f"r{i}": 1 + i % 3 for i in range(8)}
    ranking = ["r0", "x0", "r1", "x1", "x2", "r2", "x3", "x4", "x5", "r3", "r4"]
    metrics = evaluate({"n1": ranking}, {"n1": {**relevant, "x0": 0}})
    assert metrics.p5 == pytest.approx(2 / 5)  # r0, r1 in the top five
    assert metrics.r10 == pytest.approx(4 / 8)  # r0..r3 in the top ten; r4 is at rank 11


def test_duplicates_do_not_earn_gain_twice() -> None:
    qrels = {"n1": {"a": 3}}
    assert evaluate({"n1": ["a", "a", "a"]}, qrels).p5 == pytest.approx(1 / 5)


LAWYERS = {
    "ok": {"status": "verified", "accepting_clients": True, "countries": ["KZ"], "offices": [],
           "languages": [{"code": "zh", "level": "native"}, {"code": "ru", "level": "working"}]},
    "office": {"status": "verified", "accepting_clients": True, "countries": [], "offices": ["KZ"],
               "languages": [{"code": "ru", "level": "working"}]},
    "pending": {"status": "pending", "accepting_clients": True, "countries": ["KZ"], "offices": [],
                "languages": [{"code": "ru", "level": "fluent"}]},
    "busy": {"status": "verified", "accepting_clients": False, "countries": ["KZ"], "offices": [],
             "languages": [{"code": "ru", "level": "fluent"}]},
    "no_ru": {"status": "verified", "accepting_clients": True, "countries": ["KZ"], "offices": [],
              "languages": [{"code": "en", "level": "fluent"}]},
    "uzbek": {"status": "verified", "accepting_clients": True, "countries": ["UZ"], "offices": [],
              "languages": [{"code": "ru", "level": "fluent"}]},
}
NEEDS = {"n1": {"countries": ["KZ"], "languages": ["ru"]}}


def test_violations_structured_and_text_only() -> None:
    run = {"n1": [(lid, 1.0) for lid in LAWYERS] + [("ghost", 0.1)]}
    # structured: pending, busy, no_ru (language), uzbek (country), ghost (unknown)
    assert count_violations(run, LAWYERS, NEEDS, use_structured=True) == 5
    # text only: only eligibility counts (and the unknown id)
    assert count_violations(run, LAWYERS, NEEDS, use_structured=False) == 3


def test_violations_accept_a_region_aware_covers() -> None:
    central_asia = {"KZ", "UZ", "KG"}

    def covers(lawyer: dict, country: str) -> bool:
        served = set(lawyer["countries"]) | set(lawyer["offices"])
        return country in served or (country in central_asia and bool(served & central_asia))

    run = {"n1": ["uzbek", "ok"]}
    assert count_violations(run, LAWYERS, NEEDS, use_structured=True) == 1
    assert count_violations(run, LAWYERS, NEEDS, use_structured=True, covers=covers) == 0


def test_need_without_countries_or_languages_checks_eligibility_only() -> None:
    needs = {"n1": {"countries": [], "languages": []}}
    run = {"n1": ["uzbek", "no_ru", "busy"]}
    assert count_violations(run, LAWYERS, needs, use_structured=True) == 1


def test_trec_run_round_trip() -> None:
    run = {"A-1": [("L-2", 0.91), ("L-1", 0.5)], "A-2": [("L-3", 1.0)]}
    stream = io.StringIO()
    write_trec_run(run, "mm", stream)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "A-1 Q0 L-2 1 0.910000 mm"
    assert lines[2] == "A-2 Q0 L-3 1 1.000000 mm"
    assert read_trec_run(lines) == {"A-1": ["L-2", "L-1"], "A-2": ["L-3"]}


def test_read_trec_run_orders_by_rank_and_reads_files(tmp_path: Path) -> None:
    path = tmp_path / "run.tsv"
    path.write_text("A-1\tQ0\tL-9\t2\t0.1\tx\nA-1\tQ0\tL-8\t1\t0.2\tx\n", encoding="utf-8")
    assert read_trec_run(path) == {"A-1": ["L-8", "L-9"]}
    with pytest.raises(ValueError):
        write_trec_run({}, "two words", io.StringIO())


def test_load_qrels_and_jsonl(tmp_path: Path) -> None:
    (tmp_path / "q.tsv").write_text("A-1\tL-1\t3\nA-1\tL-2\t1\n\nA-2\tL-1\t2\n", encoding="utf-8")
    assert load_qrels(tmp_path / "q.tsv") == {"A-1": {"L-1": 3, "L-2": 1}, "A-2": {"L-1": 2}}
    (tmp_path / "x.jsonl").write_text('{"a": "甲"}\n\n{"a": 2}\n', encoding="utf-8")
    assert read_jsonl(tmp_path / "x.jsonl") == [{"a": "甲"}, {"a": 2}]


def test_format_report_plain_and_rich() -> None:
    metrics = Metrics(ndcg10=0.5, p5=0.4, r10=0.3, mrr=0.75, n_needs=2, violations=0)
    text = format_report([("peer", metrics, None)], plain=True)
    assert "peer" in text and "0.500" in text and "0.750" in text and "—" in text
    table = format_report([("peer", metrics, None)])
    assert table.row_count == 1 and len(table.columns) == 11
