"""Offline ranking evaluation: read runs and judgments, score them, count rule violations.

Pure Python + numpy, no HTTP and no ORM, so the benchmark, the CLI and tests share one
arithmetic. Conventions (those of `spec/exchange-format.md`):

- a run maps a need id to its ranked lawyers, best first; entries may be bare lawyer ids or
  `(lawyer_id, score)` pairs, so the output of a batch match can be scored as it is;
- qrels grades are 1..3, unlisted pairs are grade 0;
- every evaluated need counts in the means; a need with no results scores 0 on every metric.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Any

import numpy as np

from service.matching import rules

Run = Mapping[str, Sequence[Any]]  # need_id -> [lawyer_id | (lawyer_id, score), ...]
Qrels = dict[str, dict[str, int]]
CoversFn = Callable[[Mapping[str, Any], str], bool]

NDCG_K = 10
P_K = 5
R_K = 10


# --------------------------------------------------------------------------- reading / writing


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """One JSON object per non-blank line, UTF-8."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_qrels(path: str | Path) -> Qrels:
    """`need_id <TAB> lawyer_id <TAB> grade` lines -> {need_id: {lawyer_id: grade}}."""
    qrels: Qrels = {}
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) != 3:
                raise ValueError(f"{path}:{number}: expected 3 fields, got {len(parts)}")
            need_id, lawyer_id, grade = parts
            qrels.setdefault(need_id, {})[lawyer_id] = int(grade)
    return qrels


def read_trec_run(path_or_lines: str | Path | Iterable[str]) -> dict[str, list[str]]:
    """A TREC run (`need Q0 lawyer rank score name`) -> {need_id: [lawyer_id, ...]} by rank."""
    if isinstance(path_or_lines, (str, Path)):
        with open(path_or_lines, encoding="utf-8") as handle:
            lines = handle.readlines()
    else:
        lines = list(path_or_lines)
    ranked: dict[str, list[tuple[int, int, str]]] = {}
    for order, line in enumerate(lines):
        parts = line.split()
        if not parts:
            continue
        if len(parts) < 6:
            raise ValueError(f"run line {order + 1}: expected 6 fields, got {len(parts)}")
        need_id, lawyer_id, rank = parts[0], parts[2], int(parts[3])
        # file order breaks rank ties, so a sloppy writer still reads back deterministically
        ranked.setdefault(need_id, []).append((rank, order, lawyer_id))
    return {need: [lawyer for _, _, lawyer in sorted(rows)] for need, rows in ranked.items()}


def write_trec_run(
    run: Mapping[str, Sequence[tuple[str, float]]], run_name: str, stream: IO[str]
) -> None:
    """Write `need_id Q0 lawyer_id rank score run_name` lines, rank from 1 in list order."""
    if not run_name or any(ch.isspace() for ch in run_name):
        raise ValueError("run_name must be one non-empty token")
    for need_id, ranking in run.items():
        for rank, (lawyer_id, score) in enumerate(ranking, 1):
            stream.write(f"{need_id} Q0 {lawyer_id} {rank} {float(score):.6f} {run_name}\n")


# --------------------------------------------------------------------------- metrics


def ranked_ids(ranking: Sequence[Any] | None) -> list[str]:
    """Lawyer ids of a ranking, first occurrence kept (a duplicate cannot earn gain twice)."""
    seen: set[str] = set()
    ids: list[str] = []
    for entry in ranking or ():
        lawyer_id = entry if isinstance(entry, str) else entry[0]
        if lawyer_id not in seen:
            seen.add(lawyer_id)
            ids.append(lawyer_id)
    return ids


def _discounts(k: int) -> np.ndarray:
    return 1.0 / np.log2(np.arange(2, k + 2, dtype=np.float64))


def ndcg_at_k(ids: Sequence[str], judged: Mapping[str, int], k: int = NDCG_K) -> float:
    """Linear gain (= grade), log2 discount; the ideal ranking comes from the judgments."""
    ideal = sorted((g for g in judged.values() if g > 0), reverse=True)[:k]
    if not ideal:
        return 0.0
    gains = np.array([max(judged.get(i, 0), 0) for i in ids[:k]], dtype=np.float64)
    dcg = float(gains @ _discounts(len(gains))) if len(gains) else 0.0
    idcg = float(np.asarray(ideal, dtype=np.float64) @ _discounts(len(ideal)))
    return dcg / idcg


def precision_at_k(ids: Sequence[str], judged: Mapping[str, int], k: int = P_K) -> float:
    return sum(1 for i in ids[:k] if judged.get(i, 0) >= 1) / k


def recall_at_k(ids: Sequence[str], judged: Mapping[str, int], k: int = R_K) -> float:
    relevant = sum(1 for g in judged.values() if g >= 1)
    if not relevant:
        return 0.0
    return sum(1 for i in ids[:k] if judged.get(i, 0) >= 1) / relevant


def reciprocal_rank(ids: Sequence[str], judged: Mapping[str, int]) -> float:
    for rank, lawyer_id in enumerate(ids, 1):
        if judged.get(lawyer_id, 0) >= 1:
            return 1.0 / rank
    return 0.0


@dataclass(frozen=True)
class Metrics:
    ndcg10: float
    p5: float
    r10: float
    mrr: float
    n_needs: int
    per_need_ndcg: dict[str, float] = field(default_factory=dict, repr=False)
    violations: int | None = None

    def as_dict(self, digits: int = 4) -> dict[str, Any]:
        return {
            "ndcg10": round(self.ndcg10, digits),
            "p5": round(self.p5, digits),
            "r10": round(self.r10, digits),
            "mrr": round(self.mrr, digits),
            "violations": self.violations,
            "n_needs": self.n_needs,
        }


def evaluate(
    run: Run,
    qrels: Mapping[str, Mapping[str, int]],
    *,
    need_ids: Iterable[str] | None = None,
    violations: int | None = None,
) -> Metrics:
    """Mean nDCG@10, P@5, R@10 and MRR over the qrels' needs plus `need_ids`.

    Pass the needs file's ids as `need_ids` so that a need nobody can serve (no judged
    lawyer) still counts: it scores 0, as does any need the run left out.
    """
    needs = list(dict.fromkeys([*qrels.keys(), *(need_ids or ())]))
    if not needs:
        raise ValueError("nothing to evaluate: no needs in the qrels or need_ids")
    per_need: dict[str, float] = {}
    p5: list[float] = []
    r10: list[float] = []
    rr: list[float] = []
    for need_id in needs:
        judged = qrels.get(need_id, {})
        ids = ranked_ids(run.get(need_id))
        per_need[need_id] = ndcg_at_k(ids, judged)
        p5.append(precision_at_k(ids, judged))
        r10.append(recall_at_k(ids, judged))
        rr.append(reciprocal_rank(ids, judged))
    return Metrics(
        ndcg10=float(np.mean(list(per_need.values()))),
        p5=float(np.mean(p5)),
        r10=float(np.mean(r10)),
        mrr=float(np.mean(rr)),
        n_needs=len(needs),
        per_need_ndcg=per_need,
        violations=violations,
    )


# --------------------------------------------------------------------------- rule violations


def default_covers(lawyer: Mapping[str, Any], country: str) -> bool:
    """Exact coverage only: the country is served or has an office. No region fallback."""
    return country in (lawyer.get("countries") or ()) or country in (lawyer.get("offices") or ())


def eligible(lawyer: Mapping[str, Any]) -> bool:
    """Whether an exchange record, once imported, may be recommended (``rules.RECOMMENDABLE``).
    An import lists the bureau's lawyers (consent to be listed) and stamps a fresh verification."""
    return rules.RECOMMENDABLE.admits(
        SimpleNamespace(
            status=lawyer.get("status"),
            accepting_clients=bool(lawyer.get("accepting_clients")),
            consent_listing=True,
            verification_expires_at=None,
        )
    )


def lawyer_languages(lawyer: Mapping[str, Any]) -> set[str]:
    return {entry["code"] for entry in lawyer.get("languages") or () if entry.get("code")}


def is_violation(
    lawyer: Mapping[str, Any] | None,
    need: Mapping[str, Any] | None,
    *,
    use_structured: bool,
    covers: CoversFn = default_covers,
) -> bool:
    if lawyer is None or not eligible(lawyer):
        return True  # an unknown id is as bad as an ineligible one
    if not use_structured or need is None:
        return False
    if not set(need.get("languages") or ()) <= lawyer_languages(lawyer):
        return True
    countries = need.get("countries") or ()
    return bool(countries) and not any(covers(lawyer, c) for c in countries)


def count_violations(
    run: Run,
    lawyers: Mapping[str, Mapping[str, Any]],
    needs: Mapping[str, Mapping[str, Any]],
    *,
    use_structured: bool,
    covers: CoversFn = default_covers,
) -> int:
    """Returned lawyers that break a hard rule.

    Always: not verified, or not accepting clients. With `use_structured` (the need's fields
    were given to the system): lacks one of the need's languages, or covers none of its
    countries; `covers` decides coverage and may accept a country of the same region.
    """
    return sum(
        is_violation(
            lawyers.get(lawyer_id), needs.get(need_id), use_structured=use_structured, covers=covers
        )
        for need_id, ranking in run.items()
        for lawyer_id in ranked_ids(ranking)
    )


# --------------------------------------------------------------------------- report

_METRIC_COLUMNS = ("nDCG@10", "P@5", "R@10", "MRR", "viol")


def _cells(metrics: Metrics | None) -> list[str]:
    if metrics is None:
        return ["—"] * len(_METRIC_COLUMNS)
    viol = "—" if metrics.violations is None else str(metrics.violations)
    scores = (metrics.ndcg10, metrics.p5, metrics.r10, metrics.mrr)
    return [*(f"{value:.3f}" for value in scores), viol]


def format_report(
    rows: Sequence[tuple[str, Metrics | None, Metrics | None]], *, plain: bool = False
) -> Any:
    """A table `system | structured (5 columns) | text-only (5 columns)`.

    Returns a rich Table, or a plain-text string when `plain` is set or rich is missing.
    """
    header = ["system"] + [f"S {c}" for c in _METRIC_COLUMNS] + [f"T {c}" for c in _METRIC_COLUMNS]
    body = [[name, *_cells(structured), *_cells(text_only)] for name, structured, text_only in rows]
    if not plain:
        try:
            from rich.table import Table
        except ImportError:  # pragma: no cover - rich is a dependency, but keep the module pure
            plain = True
    if plain:
        widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
        def line(cells: Sequence[str]) -> str:
            first, *rest = zip(cells, widths)
            return "  ".join([first[0].ljust(first[1]), *(c.rjust(w) for c, w in rest)])

        lines = [line(row) for row in [header, *body]]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines) + "\nS = structured fields given, T = text only"
    table = Table(title="Match quality (S = structured fields given, T = text only)")
    table.add_column("system")
    for column in header[1:]:
        table.add_column(column, justify="right")
    for row in body:
        table.add_row(*row)
    return table


def covers_with_region(lawyer: Mapping[str, Any], country: str) -> bool:
    """The service's own coverage rule: the country or a country of its region, declared or named in the bio."""
    from service import taxonomy
    from service.matching.reading import read_countries

    served = set(lawyer.get("countries") or ()) | set(lawyer.get("offices") or ())
    if not lawyer.get("countries"):  # declared countries are authoritative; the bio fills an empty field
        text = " ".join([lawyer.get("bio") or "", *(lawyer.get("cases") or ())])
        served |= {r.code for r in read_countries(text) if r.confidence >= 0.6}
    return any(code == country or taxonomy.same_region(code, country) for code in served)
