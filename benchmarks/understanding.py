"""How well the service reads real-world needs: places, languages, practice areas, and the top 5.

    python benchmarks/understanding.py [--data benchmarks/data/understanding.jsonl] [--split dev]
                                        [--misses] [--json]

Each line of the data file is a need written the way legal desks and enterprise managers write
(zh, en, mixed zh/en, and zh-Hant: traditional characters, as Hong Kong and Taiwan desks write),
with the reading a good paralegal would give it:

  countries   the target countries, the set that must bind ("EU", "ASEAN", ... stand for the
              members of a bloc of ``service/matching/reading/lexicons/blocs.json``)
  places      other places named, with their role (origin, registration, law, seat, mention)
  languages   the working languages that must bind; ``wished``: those that should only rank
  primary     the practice area the lawyer acts on first; ``acceptable``: other right areas
  split       ``dev`` (look at the misses while improving) or ``holdout`` (look at the totals only)

Per split it prints: countries read exactly (the binding set equals the expected set), needs where
a non-target place bound, binding-language precision and recall (over needs' binding sets),
the primary area among the first two read, and, from the real engine over the demo directory
(imported into a throw-away database, vectors cached in ``~/.cache/matchmaker/vectors``), top-5
fit: the share of the first 5 results that serve a target country (or a member of it, for a
bloc), have the primary or an acceptable area, and speak every expected binding language (the
countries and areas a lawyer declares); "of fit", the same over what the directory can give (for
each need, at most as many as the lawyers who fit); and the number of empty answers where a
fitting lawyer exists. ``--misses`` lists the dev split's
misses (never the holdout's). The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from service import importing  # noqa: E402
from service.evaluation import eligible, lawyer_languages, read_jsonl  # noqa: E402
from service.evaluation.runs import throwaway_settings  # noqa: E402
from service.matching.reading.text import load_lexicon  # noqa: E402
from service.settings import Settings  # noqa: E402
from service.state import Runtime  # noqa: E402

DATA = REPO / "benchmarks" / "data" / "understanding.jsonl"
DEMO = REPO / "service" / "demo_data" / "lawyers.jsonl"
CACHE = Path.home() / ".cache" / "matchmaker" / "vectors"
K = 5


def expand(codes: Sequence[str]) -> set[str]:
    """Country codes, with a bloc's name standing for its members."""
    blocs: dict[str, Any] = load_lexicon("blocs")["blocs"] if _has_blocs() else {}
    out: set[str] = set()
    for code in codes:
        out |= set(blocs[code]["members"]) if code in blocs else {code}
    return out


def _has_blocs() -> bool:
    try:
        load_lexicon("blocs")
    except FileNotFoundError:
        return False
    return True


def _fits(lawyer: dict[str, Any], targets: set[str], areas: set[str], languages: set[str]) -> bool:
    served = set(lawyer.get("countries") or ()) | set(lawyer.get("offices") or ())
    return (
        (not targets or bool(served & targets))
        and bool(set(lawyer.get("practice_areas") or ()) & areas)
        and languages <= lawyer_languages(lawyer)
    )


def _pct(n: int, d: int) -> float:
    return round(100.0 * n / d, 1) if d else 0.0


def measure(needs: list[dict[str, Any]], runtime: Runtime, lawyers: dict[str, dict[str, Any]],
            misses: bool) -> dict[str, dict[str, Any]]:
    engine = runtime.matcher
    recommendable = [lw for lw in lawyers.values() if eligible(lw)]
    by_split: dict[str, dict[str, Any]] = {}
    for need in needs:
        split = need.get("split", "dev")
        s = by_split.setdefault(split, {"needs": 0, "countries_exact": 0, "nontarget_bound": 0, "lang_tp": 0,
                                        "lang_fp": 0, "lang_fn": 0, "primary_top2": 0, "fit": 0, "shown": 0, "attainable": 0,
                                        "empty_with_eligible": 0})
        s["needs"] += 1
        query = engine.understand(need["text"])
        targets = expand(need["countries"])
        bound = set(query.binding_countries)
        langs = set(need.get("languages") or ())
        bound_langs = set(query.binding_languages)
        areas_read = [t.code for t in query.practice_areas]
        problems = []
        if bound == targets:
            s["countries_exact"] += 1
        else:
            problems.append(f"countries {sorted(bound)} != {sorted(targets)}")
        if bound - targets:
            s["nontarget_bound"] += 1
        s["lang_tp"] += len(bound_langs & langs)
        s["lang_fp"] += len(bound_langs - langs)
        s["lang_fn"] += len(langs - bound_langs)
        if bound_langs != langs:
            problems.append(f"languages {sorted(bound_langs)} != {sorted(langs)}")
        if need["primary"] in areas_read[:2]:
            s["primary_top2"] += 1
        else:
            problems.append(f"primary {need['primary']} not in {areas_read[:2]}")
        fit_areas = {need["primary"], *need.get("acceptable", ())}
        outcome = engine.match(query, K)
        ids = [m.external_id for m in outcome.matches]
        fits = [_fits(lawyers[i], targets, fit_areas, langs) for i in ids if i in lawyers]
        s["fit"] += sum(fits)
        s["shown"] += K
        available = sum(_fits(lw, targets, fit_areas, langs) for lw in recommendable)
        s["attainable"] += min(K, available)
        if not ids and available:
            s["empty_with_eligible"] += 1
            problems.append("empty answer although eligible lawyers exist")
        if sum(fits) < min(K, available):
            problems.append(f"top-5 fit {sum(fits)}/{K} ({available} fitting lawyers in the directory)")
        if misses and split == "dev" and problems:
            print(f"{need['id']}: {need['text'][:90]}", file=sys.stderr)
            for p in problems:
                print(f"    {p}", file=sys.stderr)
    report = {}
    for split, s in by_split.items():
        tp, fp, fn = s["lang_tp"], s["lang_fp"], s["lang_fn"]
        report[split] = {
            "needs": s["needs"],
            "countries_exact_pct": _pct(s["countries_exact"], s["needs"]),
            "nontarget_bound_needs": s["nontarget_bound"],
            "language_precision": round(tp / (tp + fp), 3) if tp + fp else 1.0,
            "language_recall": round(tp / (tp + fn), 3) if tp + fn else 1.0,
            "primary_top2_pct": _pct(s["primary_top2"], s["needs"]),
            "top5_fit_pct": _pct(s["fit"], s["shown"]),
            "top5_fit_attainable_pct": _pct(s["fit"], s["attainable"]),
            "empty_with_eligible": s["empty_with_eligible"],
        }
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--lawyers", type=Path, default=DEMO)
    parser.add_argument("--split", choices=["dev", "holdout"], help="only this split")
    parser.add_argument("--misses", action="store_true", help="list the dev split's misses on stderr")
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    needs = [n for n in read_jsonl(args.data) if not args.split or n.get("split", "dev") == args.split]
    lawyers = {lw["external_id"]: lw for lw in read_jsonl(args.lawyers)}
    started = time.perf_counter()
    CACHE.mkdir(parents=True, exist_ok=True)
    with throwaway_settings(Settings(vector_cache_dir=CACHE)) as scratch:
        runtime = Runtime.build(scratch, bulk=True)
        try:
            with args.lawyers.open("rb") as handle:
                importing.import_lawyers(runtime.sessions, handle)
            runtime.load_index()
            report = measure(needs, runtime, lawyers, args.misses)
        finally:
            runtime.engine.dispose()
    if not args.json:
        print(f"{'split':8} {'needs':>5} {'countries':>9} {'non-target':>10} {'lang P':>6} {'lang R':>6} "
              f"{'primary@2':>9} {'top5 fit':>8} {'of fit':>7} {'empty':>5}")
        for split in sorted(report):
            r = report[split]
            print(f"{split:8} {r['needs']:>5} {r['countries_exact_pct']:>8.1f}% {r['nontarget_bound_needs']:>10} "
                  f"{r['language_precision']:>6.3f} {r['language_recall']:>6.3f} {r['primary_top2_pct']:>8.1f}% "
                  f"{r['top5_fit_pct']:>7.1f}% {r['top5_fit_attainable_pct']:>6.1f}% {r['empty_with_eligible']:>5}")
        print(f"({time.perf_counter() - started:.0f} s)")
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
