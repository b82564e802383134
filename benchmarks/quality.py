"""Match quality of the service beside four simple peers, on an evaluation set.

    python benchmarks/quality.py [--data-dir eval/dev] [--json]      (pip install -e ".[bench]" first)

The peers live here, self-contained (numpy, rank_bm25, jieba, the bundled encoder), so the
figures do not move when the service changes:

  a. directory   verified + accepting + country + practice + languages, by seniority  (S only)
  b. bm25        BM25 over the whole profile, jieba tokens                            (S and T)
  c. embedding   cosine between the need and one vector per profile                   (S and T)
  d. filter+emb  hard rules (verified, accepting, languages, country) then cosine     (S only)
  d+.            d plus a practice-area filter; a diagnostic row, not one of the four

Why d+: one USE vector per profile averages every matter the bio mentions (the encoder mean-
pools its tokens; it does not truncate), so within the ~40 lawyers left by country and
language filters the cosine barely separates practice areas: d measures ~0.55 nDCG@10
against the issue's 0.75, and d+ ~0.74. Best-sentence (max over bio sentences) cosine
changes little either way (0.42 without, 0.74 with the practice filter).

S = the need's countries / practice areas / languages are given; T = its description only.
Peers b and c drop only ineligible lawyers (no peer ever returns an ineligible lawyer).
The service's rows come from `service.evaluation.runs.run_modes` when it is importable.
The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from service.evaluation import (
    CoversFn,
    Metrics,
    count_violations,
    default_covers,
    eligible,
    evaluate,
    format_report,
    lawyer_languages,
    load_qrels,
    read_jsonl,
)

K = 10
STRUCTURED, TEXT_ONLY = "structured", "text_only"
MODES = (STRUCTURED, TEXT_ONLY)
SERVICE = "matchmaker (this service)"
REPO = Path(__file__).resolve().parents[1]
PRACTICE_AREAS = REPO / "service" / "practice_areas.json"

Lawyer = dict[str, Any]
Need = dict[str, Any]
Ranking = list[tuple[str, float]]
Run = dict[str, Ranking]


# --------------------------------------------------------------------------- labels and texts


@lru_cache(maxsize=1)
def _locales() -> tuple[Any, Any]:
    from babel import Locale

    return Locale("zh"), Locale("en")


@lru_cache(maxsize=1)
def _practice_labels() -> dict[str, tuple[str, str]]:
    areas = json.loads(PRACTICE_AREAS.read_text(encoding="utf-8"))["areas"]
    return {a["code"]: (a["zh"], a["en"]) for a in areas}


def _country_labels(code: str) -> list[str]:
    zh, en = _locales()
    return [label for label in (zh.territories.get(code), en.territories.get(code)) if label]


def _language_labels(code: str) -> list[str]:
    zh, en = _locales()
    return [label for label in (zh.languages.get(code), en.languages.get(code)) if label]


def need_query(need: Need, mode: str) -> str:
    """Text-only: the description. Structured: plus the zh/en labels of the need's fields."""
    if mode == TEXT_ONLY:
        return need["description"]
    labels: list[str] = []
    for code in need.get("countries") or ():
        labels += _country_labels(code)
    for code in need.get("practice_areas") or ():
        labels += list(_practice_labels().get(code, ()))
    for code in need.get("languages") or ():
        labels += _language_labels(code)
    return " ".join([need["description"], *labels])


def profile_text(lawyer: Lawyer) -> str:
    """The whole profile as one text: names, firm, city, bio, cases, fields as zh/en labels."""
    parts: list[str] = [
        lawyer.get(key) or "" for key in ("name", "name_en", "firm", "firm_en", "city")
    ]
    parts.append(lawyer.get("bio") or "")
    parts += lawyer.get("cases") or []
    for code in [*(lawyer.get("countries") or ()), *(lawyer.get("offices") or ())]:
        parts += _country_labels(code)
    for code in lawyer.get("practice_areas") or ():
        parts += list(_practice_labels().get(code, ()))
    for code in sorted(lawyer_languages(lawyer)):
        parts += _language_labels(code)
    return " ".join(p for p in parts if p)


# --------------------------------------------------------------------------- the peers


def _top_k(ids: Sequence[str], scores: np.ndarray, mask: np.ndarray, k: int = K) -> Ranking:
    """Best k among the masked lawyers; ties broken by external id for determinism."""
    candidates = np.flatnonzero(mask)
    if not len(candidates):
        return []
    order = sorted(candidates, key=lambda i: (-float(scores[i]), ids[i]))[:k]
    return [(ids[i], float(scores[i])) for i in order]


class Peers:
    def __init__(self, lawyers: list[Lawyer], needs: list[Need]) -> None:
        self.lawyers = lawyers
        self.needs = needs
        self.ids = [lw["external_id"] for lw in lawyers]
        self.eligible = np.array([eligible(lw) for lw in lawyers])
        self._languages = [lawyer_languages(lw) for lw in lawyers]
        self._texts = [profile_text(lw) for lw in lawyers]
        self._bm25: Any = None
        self._encoder: Any = None
        self._doc_vectors: np.ndarray | None = None
        self.timings: dict[str, float] = {}

    # hard-rule masks, shared by a and d
    def _country_mask(self, need: Need) -> np.ndarray:
        countries = need.get("countries") or ()
        if not countries:
            return np.ones(len(self.lawyers), dtype=bool)
        return np.array([any(default_covers(lw, c) for c in countries) for lw in self.lawyers])

    def _language_mask(self, need: Need) -> np.ndarray:
        required = set(need.get("languages") or ())
        return np.array([required <= langs for langs in self._languages])

    def _practice_mask(self, need: Need) -> np.ndarray:
        wanted = set(need.get("practice_areas") or ())
        if not wanted:
            return np.ones(len(self.lawyers), dtype=bool)
        return np.array([bool(wanted & set(lw.get("practice_areas") or ())) for lw in self.lawyers])

    # a. the directory filter
    def directory(self) -> Run:
        seniority = np.array([float(lw.get("years_of_practice") or 0) for lw in self.lawyers])
        run: Run = {}
        for need in self.needs:
            mask = self.eligible & self._country_mask(need) & self._language_mask(need)
            mask &= self._practice_mask(need)
            run[need["external_id"]] = _top_k(self.ids, seniority, mask)
        return run

    # b. BM25
    @staticmethod
    def tokenize(text: str) -> list[str]:
        import jieba

        jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter goes to stderr
        return [t for t in jieba.lcut(text.lower()) if t.strip() and any(ch.isalnum() for ch in t)]

    def bm25(self, mode: str) -> Run:
        if self._bm25 is None:
            from rank_bm25 import BM25Okapi

            started = time.perf_counter()
            self._bm25 = BM25Okapi([self.tokenize(t) for t in self._texts])
            self.timings["bm25_index_s"] = time.perf_counter() - started
        run: Run = {}
        for need in self.needs:
            scores = self._bm25.get_scores(self.tokenize(need_query(need, mode)))
            run[need["external_id"]] = _top_k(self.ids, scores, self.eligible)
        return run

    # c. and d. embeddings
    def _vectors(self) -> np.ndarray:
        if self._doc_vectors is None:
            from embeddings.encoder import load_encoder

            started = time.perf_counter()
            self._encoder = load_encoder()
            self._doc_vectors = self._encoder.encode_documents(self._texts)
            self.timings["encode_profiles_s"] = time.perf_counter() - started
        return self._doc_vectors

    def _cosines(self, mode: str) -> np.ndarray:
        docs = self._vectors()
        queries = self._encoder.encode_queries([need_query(n, mode) for n in self.needs])
        return queries @ docs.T

    def embedding(self, mode: str) -> Run:
        scores = self._cosines(mode)
        return {
            need["external_id"]: _top_k(self.ids, scores[i], self.eligible)
            for i, need in enumerate(self.needs)
        }

    def filtered_embedding(self, *, practice: bool = False) -> Run:
        scores = self._cosines(STRUCTURED)
        run: Run = {}
        for i, need in enumerate(self.needs):
            mask = self.eligible & self._country_mask(need) & self._language_mask(need)
            if practice:
                mask &= self._practice_mask(need)
            run[need["external_id"]] = _top_k(self.ids, scores[i], mask)
        return run


def peer_builders(peers: Peers) -> dict[str, dict[str, Callable[[], Run]]]:
    """Every peer row of the table: name -> {mode: a function computing its run}.

    A mode a peer does not apply to is absent. The tests call this too, so the guard they keep
    measures the same peers as the printed table.
    """
    return {
        "a. directory filter (seniority)": {STRUCTURED: peers.directory},
        "b. BM25 (jieba)": {
            STRUCTURED: lambda: peers.bm25(STRUCTURED),
            TEXT_ONLY: lambda: peers.bm25(TEXT_ONLY),
        },
        "c. embedding cosine": {
            STRUCTURED: lambda: peers.embedding(STRUCTURED),
            TEXT_ONLY: lambda: peers.embedding(TEXT_ONLY),
        },
        "d. hard filters + embedding": {STRUCTURED: peers.filtered_embedding},
        # Not one of the four: d with a practice-area filter too. The 0.75 for d is
        # reproduced only this way; d as specified measures ~0.55 (see the module docstring).
        "d+. d + practice filter": {STRUCTURED: lambda: peers.filtered_embedding(practice=True)},
    }


# --------------------------------------------------------------------------- the service


def service_runs(lawyers_path: Path, needs_path: Path) -> dict[str, Run] | str:
    """The service's own runs, or the reason they are unavailable."""
    try:
        from service.evaluation.runs import run_modes
    except ImportError as exc:
        return f"service.evaluation.runs.run_modes is not importable ({exc})"
    return run_modes(lawyers_path, needs_path, k=K)


def service_covers() -> tuple[CoversFn, str]:
    """Coverage for the violation count: the service's own rule (declared countries and offices
    are authoritative, countries named in the bio fill an empty field; a country of the same
    region counts, so a grade-1 neighbour is not a violation). Exact coverage without it."""
    try:
        from service.evaluation import covers_with_region
    except ImportError:
        return default_covers, "exact country/office coverage (service unavailable)"
    return covers_with_region, "declared (or, when empty, bio-read) countries/offices, or the same region (service.taxonomy.REGIONS)"


# --------------------------------------------------------------------------- main

Figures = dict[str, dict[str, Metrics | None]]


def _judged_mean(metrics: Metrics, qrels: dict[str, dict[str, int]]) -> float:
    return float(np.mean([metrics.per_need_ndcg[n] for n in qrels]))


def _margins(figures: Figures) -> tuple[dict[str, float | None], dict[str, str | None]]:
    """Service nDCG@10 minus the best peer's, per mode, and which peer that was."""
    margins: dict[str, float | None] = {}
    best: dict[str, str | None] = {}
    for mode in (STRUCTURED, TEXT_ONLY):
        peers = {
            name: m.ndcg10
            for name, by_mode in figures.items()
            if name != SERVICE and (m := by_mode[mode]) is not None
        }
        best[mode] = max(peers, key=peers.__getitem__) if peers else None
        own = figures.get(SERVICE, {}).get(mode)
        top = best[mode]
        margins[mode] = None if own is None or top is None else own.ndcg10 - peers[top]
    return margins, best


def _print_report(
    figures: Figures,
    qrels: dict[str, dict[str, int]],
    notes: list[str],
) -> None:
    rows = [(name, m[STRUCTURED], m[TEXT_ONLY]) for name, m in figures.items()]
    try:
        from rich.console import Console
    except ImportError:
        print(format_report(rows, plain=True))
    else:
        console = Console()
        console.width = max(console.width, 150)  # 11 columns: do not squeeze them into a pipe
        console.print(format_report(rows))
    judged = "; ".join(
        name.split(" ")[0]
        + " "
        + "/".join(f"{_judged_mean(m, qrels):.3f}" for m in by_mode.values() if m)
        for name, by_mode in figures.items()
    )
    print(f"nDCG@10 over the {len(qrels)} judged needs only (trec_eval's convention): {judged}")
    for note in notes:
        print(note)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Match quality of the service beside four peers.")
    parser.add_argument(
        "--data-dir", type=Path, default=REPO / "eval" / "dev", help="lawyers.jsonl, needs.jsonl, qrels.tsv (default: eval/dev)"
    )
    parser.add_argument("--json", action="store_true", help="print only the JSON line")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    lawyers_path, needs_path = args.data_dir / "lawyers.jsonl", args.data_dir / "needs.jsonl"
    lawyers = read_jsonl(lawyers_path)
    needs = read_jsonl(needs_path)
    qrels = load_qrels(args.data_dir / "qrels.tsv")
    by_lawyer = {lw["external_id"]: lw for lw in lawyers}
    by_need = {n["external_id"]: n for n in needs}
    covers, covers_note = service_covers()

    def score(run: Run, mode: str) -> Metrics:
        structured = mode == STRUCTURED
        viol = count_violations(run, by_lawyer, by_need, use_structured=structured, covers=covers)
        return evaluate(run, qrels, need_ids=list(by_need), violations=viol)

    peers = Peers(lawyers, needs)
    figures: Figures = {
        name: {mode: score(build(), mode) if (build := modes.get(mode)) else None for mode in MODES}
        for name, modes in peer_builders(peers).items()
    }

    notes = [
        f"{len(needs)} needs ({len(qrels)} with judgments; the others score 0), "
        f"{len(lawyers)} lawyers",
        f"violations counted with {covers_note}",
    ]
    service_started = time.perf_counter()
    runs = service_runs(lawyers_path, needs_path)
    service_s = time.perf_counter() - service_started
    service_note = runs if isinstance(runs, str) else None
    if isinstance(runs, str):
        notes.append(f"service row unavailable: {runs}")
    else:
        figures[SERVICE] = {mode: score(runs[mode], mode) if mode in runs else None
                            for mode in MODES}
        notes.append(f"service batch run: {service_s:.1f} s")
    margins, best = _margins(figures)
    for mode, margin in margins.items():
        if margin is not None:
            notes.append(f"service margin over the best peer, {mode}: {margin:+.3f} nDCG@10 "
                         f"(vs {best[mode]})")
    elapsed = time.perf_counter() - started
    timings = ", ".join(f"{k} {v:.1f}" for k, v in peers.timings.items())
    notes.append(f"timings: {timings}, total {elapsed:.1f} s")

    if not args.json:
        _print_report(figures, qrels, notes)
    summary = {
        "data_dir": str(args.data_dir),
        "needs": len(needs),
        "lawyers": len(lawyers),
        "figures": {
            name: {
                mode: None if m is None
                else {**m.as_dict(), "ndcg10_judged": round(_judged_mean(m, qrels), 4)}
                for mode, m in by_mode.items()
            }
            for name, by_mode in figures.items()
        },
        "service_margin_ndcg10": {
            k: None if v is None else round(v, 4) for k, v in margins.items()
        },
        "best_peer": best,
        "service_unavailable": service_note,
        "elapsed_s": round(elapsed, 1),
    }
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
