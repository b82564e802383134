"""The `matchmaker` command end to end: real typer app, real database, real encoder and index.

Settings come from MATCHMAKER_* variables as in production; `get_settings` is cached, so the
cache is cleared around every invocation.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from models import Lawyer, Need
from service.cli import app
from service.evaluation import count_violations, eligible, evaluate, load_qrels, read_trec_run
from service.main import create_app
from service.settings import Settings, get_settings
from tests.conftest import ADMIN_KEY, lawyer_record, started

Invoke = Callable[..., Result]

KZ_NEED = {
    "external_id": "N-KZ",
    "enterprise": "某新能源工程有限公司",
    "description": "我们在哈萨克斯坦的光伏电站EPC合同发生争议，业主拒付工程款，需要会俄语的国际仲裁律师。",
    "countries": ["KZ"],
    "practice_areas": ["international_arbitration"],
    "languages": ["ru"],
}
# The description names no country or language: only the structured fields restrict the answer.
TH_NEED = {
    "external_id": "N-TH",
    "enterprise": "Tea Brand Co.",
    "description": "A local distributor registered our tea brand as a trademark before we did. "
    "We need a lawyer to cancel the squatted registration and recover the mark.",
    "countries": ["TH"],
    "practice_areas": ["intellectual_property"],
    "languages": ["th"],
}


def _directory() -> list[dict[str, Any]]:
    kz_bio = "Represented a Chinese contractor in an ICC arbitration over an EPC contract for a solar plant in Kazakhstan."
    return [
        lawyer_record(external_id="KZ-ARB", firm="草原律师事务所", bio=kz_bio),
        lawyer_record(
            external_id="KZ-ARB2",
            firm="天山律师事务所",
            bio="代表中国企业在阿斯塔纳国际仲裁中心就哈萨克斯坦风电项目工程款争议提起仲裁。",
        ),
        lawyer_record(
            external_id="TH-IP",
            firm="湄南律师事务所",
            countries=["TH"],
            practice_areas=["intellectual_property"],
            languages=[{"code": "zh", "level": "native"}, {"code": "th", "level": "working"}],
            bio="Recovered a squatted trademark in Thailand for a Chinese tea brand and cancelled the bad-faith registration.",
        ),
        lawyer_record(
            external_id="VN-IP",
            firm="红河律师事务所",
            countries=["VN"],
            practice_areas=["intellectual_property"],
            languages=[{"code": "zh", "level": "native"}, {"code": "vi", "level": "fluent"}],
            bio="Cancelled squatted trademark registrations in Vietnam for Chinese consumer brands.",
        ),
        lawyer_record(external_id="KZ-SUSP", status="suspended", bio=kz_bio),
        lawyer_record(external_id="KZ-PEND", status="pending", bio=kz_bio),
        lawyer_record(external_id="KZ-CLOSED", accepting_clients=False, bio=kz_bio),
    ]


def _write_jsonl(path: Path, rows: list[Any]) -> Path:
    """Dicts become JSON lines; strings are written as they are (to plant bad lines)."""
    lines = [row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _flat(text: str) -> str:
    """rich wraps stderr at 80 columns when it is not a terminal; compare with whitespace folded."""
    return " ".join(text.split())


def _parse_run(stdout: str, run_name: str) -> dict[str, list[tuple[str, float]]]:
    """Check the TREC run format line by line and return {need: [(lawyer, score), ...]} by rank."""
    rows: dict[str, list[tuple[int, str, float]]] = {}
    for line in stdout.splitlines():
        if not line.strip():
            continue
        parts = line.split()
        assert len(parts) == 6, line
        need_id, q0, lawyer_id, rank, score, name = parts
        assert q0 == "Q0", line
        assert name == run_name, line
        rows.setdefault(need_id, []).append((int(rank), lawyer_id, float(score)))
    run: dict[str, list[tuple[str, float]]] = {}
    for need_id, entries in rows.items():
        assert [rank for rank, _, _ in entries] == list(range(1, len(entries) + 1)), entries
        assert len({lawyer for _, lawyer, _ in entries}) == len(entries), f"duplicate lawyer for {need_id}"
        run[need_id] = [(lawyer, score) for _, lawyer, score in entries]
    return run


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'cli.sqlite3'}"


def _invoker(data_dir: Path, url: str) -> Invoke:
    runner = CliRunner()
    env = {
        "MATCHMAKER_DATA_DIR": str(data_dir),
        "MATCHMAKER_DATABASE_URL": url,
        "MATCHMAKER_ENVIRONMENT": "test",
        "MATCHMAKER_ADMIN_API_KEY": ADMIN_KEY,
        "MATCHMAKER_EMBEDDING_MODEL": "use-multilingual",
    }

    def invoke(*args: str, ok: bool = True) -> Result:
        get_settings.cache_clear()
        try:
            result = runner.invoke(app, list(args), env=env)
        finally:
            get_settings.cache_clear()
        if ok:
            trace = "".join(traceback.format_exception(*result.exc_info)) if result.exc_info else ""
            assert result.exit_code == 0, f"{args}: exit {result.exit_code}\n{result.output}\n{trace}"
        return result

    return invoke


@pytest.fixture
def cli(data_dir: Path, sqlite_url: str) -> Invoke:
    return _invoker(data_dir, sqlite_url)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "lawyers": _write_jsonl(tmp_path / "lawyers.jsonl", _directory()),
        "needs": _write_jsonl(tmp_path / "needs.jsonl", [KZ_NEED, TH_NEED]),
        "qrels": _write_qrels(tmp_path / "qrels.tsv"),
    }


def _write_qrels(path: Path) -> Path:
    judged = [("N-KZ", "KZ-ARB", 3), ("N-KZ", "KZ-ARB2", 2), ("N-TH", "TH-IP", 3), ("N-TH", "VN-IP", 1)]
    path.write_text("".join(f"{n}\t{lw}\t{g}\n" for n, lw, g in judged), encoding="utf-8")
    return path


def _count(url: str, model: type) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(model)).scalar_one()
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- import


def test_import_lawyers_reports_and_is_idempotent(tmp_path: Path, data_dir: Path, database_url: str) -> None:
    cli = _invoker(data_dir, database_url)
    good = _directory()
    bad_status = lawyer_record(external_id="BAD-STATUS", status="retired")
    rows: list[Any] = [good[0], good[1], "{not json", good[2], bad_status, *good[3:]]
    path = _write_jsonl(tmp_path / "lawyers.jsonl", rows)

    first = _flat(cli("import", "lawyers", str(path)).output)
    assert f"lawyers: {len(good)} created, 0 updated, 0 unchanged, 2 rejected" in first
    assert "line 3 (?): not valid JSON" in first
    assert "line 5 (BAD-STATUS): status" in first
    assert _count(database_url, Lawyer) == len(good)
    assert (data_dir / "index").is_dir() and any((data_dir / "index").iterdir()), "no index snapshot saved"

    second = _flat(cli("import", "lawyers", str(path)).output)
    assert f"lawyers: 0 created, 0 updated, {len(good)} unchanged, 2 rejected" in second
    assert _count(database_url, Lawyer) == len(good)


def test_import_report_prints_user_text_verbatim(tmp_path: Path, cli: Invoke) -> None:
    """Ids and reasons come from the bureau's file; they must not be read as console markup."""
    odd = lawyer_record(external_id="HZ-[/2023]-17", languages=[{"code": "[ru]", "level": "fluent"}])
    path = _write_jsonl(tmp_path / "odd.jsonl", [lawyer_record(), odd])
    result = cli("import", "lawyers", str(path), ok=False)
    assert result.exit_code == 0, result.output + repr(result.exception)
    out = _flat(result.output)
    assert "1 created" in out and "1 rejected" in out
    assert "line 2 (HZ-[/2023]-17):" in out
    assert "'[ru]'" in out


def test_import_needs(tmp_path: Path, cli: Invoke, sqlite_url: str) -> None:
    short = {"external_id": "N-SHORT", "description": "x"}
    path = _write_jsonl(tmp_path / "needs.jsonl", [KZ_NEED, short, TH_NEED])

    first = _flat(cli("import", "needs", str(path), "--organisation", "acme").output)
    assert "needs: 2 created, 0 updated, 0 unchanged, 1 rejected" in first
    assert "line 2 (N-SHORT): description" in first
    assert _count(sqlite_url, Need) == 2

    second = _flat(cli("import", "needs", str(path), "--organisation", "acme").output)
    assert "needs: 0 created" in second and "1 rejected" in second
    assert _count(sqlite_url, Need) == 2


# --------------------------------------------------------------------------- match


def test_match_writes_a_trec_run_of_eligible_lawyers(cli: Invoke, files: dict[str, Path]) -> None:
    records = {r["external_id"]: r for r in (json.loads(line) for line in files["lawyers"].read_text().splitlines())}
    cli("import", "lawyers", str(files["lawyers"]))

    structured = _parse_run(cli("match", "--needs", str(files["needs"]), "--run-name", "mm-s").stdout, "mm-s")
    text_only = _parse_run(
        cli("match", "--needs", str(files["needs"]), "--text-only", "--run-name", "mm-t").stdout, "mm-t"
    )
    for run in (structured, text_only):
        assert set(run) == {"N-KZ", "N-TH"}
        for ranking in run.values():
            assert all(eligible(records[lawyer]) for lawyer, _ in ranking), ranking

    # structured: the need's languages and country bind
    assert structured["N-KZ"][0][0] in {"KZ-ARB", "KZ-ARB2"}
    assert {lw for lw, _ in structured["N-KZ"]} <= {"KZ-ARB", "KZ-ARB2"}
    assert [lw for lw, _ in structured["N-TH"]] == ["TH-IP"]
    # text only: the description alone, which names neither Thailand nor Thai
    assert structured["N-TH"] != text_only["N-TH"]
    assert "VN-IP" in {lw for lw, _ in text_only["N-TH"]}
    assert text_only["N-TH"][0][0] in {"TH-IP", "VN-IP"}

    limited = _parse_run(cli("match", "--needs", str(files["needs"]), "--text-only", "--k", "1").stdout, "matchmaker")
    assert {need: len(r) for need, r in limited.items()} == {"N-KZ": 1, "N-TH": 1}
    assert limited["N-TH"][0][0] == text_only["N-TH"][0][0]

    refused = cli("match", "--needs", str(files["needs"]), "--k", "0", ok=False)
    assert refused.exit_code != 0


def test_match_run_scores_follow_the_ranks(tmp_path: Path, cli: Invoke) -> None:
    """trec_eval orders a run by score, not by the rank column: a diversified ranking must keep
    scores non-increasing or the evaluation reads a different ranking from the one served."""
    same_firm = [lawyer_record(external_id=f"KZ-ONE-{i}", firm="一所律师事务所", firm_en="One Firm") for i in range(5)]
    others = [
        lawyer_record(external_id=f"KZ-OTHER-{i}", firm=f"别所{i}", bio="Advises on Kazakh employment law and work permits.")
        for i in range(3)
    ]
    lawyers = _write_jsonl(tmp_path / "lawyers.jsonl", [*same_firm, *others])
    needs = _write_jsonl(tmp_path / "needs.jsonl", [KZ_NEED])
    cli("import", "lawyers", str(lawyers))
    run = _parse_run(cli("match", "--needs", str(needs)).stdout, "matchmaker")
    ranking = run["N-KZ"]
    assert len(ranking) == 8
    scores = [score for _, score in ranking]
    assert scores == sorted(scores, reverse=True), ranking
    # and diversification did act: no more than three of one firm in the top places
    assert sum(lw.startswith("KZ-ONE") for lw, _ in ranking[:4]) <= 3


def test_match_on_postgresql(tmp_path: Path, data_dir: Path, postgres_server: str, files: dict[str, Path]) -> None:
    cli = _invoker(data_dir, postgres_server)
    try:
        cli("import", "lawyers", str(files["lawyers"]))
        run = _parse_run(cli("match", "--needs", str(files["needs"])).stdout, "matchmaker")
        assert [lw for lw, _ in run["N-TH"]] == ["TH-IP"]
        assert run["N-KZ"][0][0] in {"KZ-ARB", "KZ-ARB2"}
    finally:
        engine = create_engine(postgres_server)
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "TRUNCATE lawyers, passages, profile_changes, needs, api_keys RESTART IDENTITY CASCADE"
            )
        engine.dispose()


# --------------------------------------------------------------------------- eval


def _eval_figures(cli: Invoke, files: dict[str, Path]) -> tuple[str, dict[str, dict[str, Any]]]:
    result = cli(
        "eval", "--lawyers", str(files["lawyers"]), "--needs", str(files["needs"]), "--qrels", str(files["qrels"]), "--json"
    )
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    return "\n".join(lines[:-1]), json.loads(lines[-1])


def test_eval_prints_the_metric_table_for_both_modes(cli: Invoke, files: dict[str, Path]) -> None:
    table, figures = _eval_figures(cli, files)
    header = table.splitlines()[0].split()
    assert header == ["mode", "nDCG@10", "P@5", "R@10", "MRR", "violations", "off-fields"]
    rows = {line.split()[0]: line.split()[1:] for line in table.splitlines()[1:]}
    assert set(rows) == set(figures) == {"structured", "text_only"}
    for mode, values in rows.items():
        f = figures[mode]
        assert [float(v) for v in values[:4]] == pytest.approx([f["ndcg@10"], f["p@5"], f["r@10"], f["mrr"]], abs=1e-4)
        assert int(values[4]) == f["violations"]
        assert int(values[5]) == f["off_fields"]

    # the same lawyers matched through `match` on the configured database give the same figures
    qrels = load_qrels(files["qrels"])
    cli("import", "lawyers", str(files["lawyers"]))
    for mode, flags in (("structured", []), ("text_only", ["--text-only"])):
        run = read_trec_run(cli("match", "--needs", str(files["needs"]), *flags).stdout.splitlines())
        metrics = evaluate(run, qrels)
        assert figures[mode]["ndcg@10"] == pytest.approx(metrics.ndcg10, abs=1e-4)
        assert figures[mode]["mrr"] == pytest.approx(metrics.mrr, abs=1e-4)
    assert figures["structured"]["mrr"] == 1.0  # both needs get a judged lawyer first
    assert figures["structured"]["ndcg@10"] > 0.8
    assert figures["structured"]["violations"] == 0


def test_eval_counts_violations_as_the_benchmark_does(cli: Invoke, files: dict[str, Path]) -> None:
    """The need's languages and countries bind only when they were given (structured mode);
    a text-only run is held to eligibility alone, as in benchmarks/quality.py."""
    _, figures = _eval_figures(cli, files)
    cli("import", "lawyers", str(files["lawyers"]))
    text_only = read_trec_run(cli("match", "--needs", str(files["needs"]), "--text-only").stdout.splitlines())
    lawyers = {r["external_id"]: r for r in map(json.loads, files["lawyers"].read_text().splitlines())}
    needs = {r["external_id"]: r for r in map(json.loads, files["needs"].read_text().splitlines())}
    expected = count_violations(text_only, lawyers, needs, use_structured=False)
    assert expected == 0
    assert figures["text_only"]["violations"] == expected


# --------------------------------------------------------------------------- keys


def test_keys_create_prints_a_working_key(
    tmp_path: Path, cli: Invoke, data_dir: Path, sqlite_url: str, files: dict[str, Path], encoder: Any
) -> None:
    cli("import", "needs", str(files["needs"]), "--organisation", "acme")
    result = cli("keys", "create", "--name", "ops", "--role", "enterprise", "--organisation", "acme")
    key = result.stdout.strip()
    assert key and len(key.split()) == 1 and len(key) >= 20

    other = cli("keys", "create", "--name", "x", "--role", "enterprise", "--organisation", "other").stdout.strip()
    assert other != key

    assert cli("keys", "create", "--name", "x", "--role", "wizard", "--organisation", "o", ok=False).exit_code != 0

    settings = Settings(
        data_dir=data_dir, database_url=sqlite_url, admin_api_key=ADMIN_KEY, load_demo_data=False, environment="test"
    )
    from service.state import Runtime

    with started(create_app(settings, runtime=Runtime.build(settings, encoder=encoder))) as client:
        mine = client.get("/v1/needs", headers={"X-API-Key": key})
        assert mine.status_code == 200, mine.text
        assert {n["external_id"] for n in mine.json()["items"]} == {"N-KZ", "N-TH"}
        theirs = client.get("/v1/needs", headers={"X-API-Key": other})
        assert theirs.status_code == 200 and theirs.json()["total"] == 0
        assert client.get("/v1/needs", headers={"X-API-Key": key + "x"}).status_code == 401
        # an enterprise key is not an administrator's
        assert client.post("/v1/admin/reindex", headers={"X-API-Key": key}).status_code == 403


# --------------------------------------------------------------------------- input files


def _refused(result: Result) -> str:
    """A refusal: exit code 2, no traceback, the output with whitespace folded."""
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return _flat(result.output)


def test_match_reports_every_bad_line_of_the_needs_file(tmp_path: Path, cli: Invoke) -> None:
    no_id = {k: v for k, v in KZ_NEED.items() if k != "external_id"}
    wrong_type = {**TH_NEED, "external_id": "N-LIST", "languages": "th"}
    bad_country = {**TH_NEED, "external_id": "N-XX", "countries": ["XX"]}
    rows: list[Any] = [KZ_NEED, no_id, "{not json", "[1, 2]", wrong_type, bad_country, {**KZ_NEED, "description": "again"}]
    path = _write_jsonl(tmp_path / "needs.jsonl", rows)

    out = _refused(cli("match", "--needs", str(path), ok=False))
    assert f"{path}: line 2: external_id: missing; every record needs this field" in out
    assert f"{path}: line 3: not valid JSON" in out
    assert f"{path}: line 4: a line must be a JSON object" in out
    assert f"{path}: line 5: languages: Input should be a valid list" in out
    assert f"{path}: line 6: countries.0: 'XX' is not an ISO 3166-1 alpha-2 country code" in out
    assert f"{path}: line 7: external_id: 'N-KZ' is already on line 1; make it unique" in out
    assert "line 1:" not in out  # the good line is not reported
    assert not (tmp_path / "data" / "index").exists(), "nothing is loaded before the file is checked"


@pytest.mark.parametrize(
    "command",
    [("import", "lawyers"), ("import", "needs"), ("match", "--needs"), ("eval", "--needs"), ("eval", "--lawyers")],
)
def test_every_command_refuses_an_empty_file(tmp_path: Path, cli: Invoke, command: tuple[str, str], files: dict[str, Path]) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n  \n", encoding="utf-8")
    extra = ["--qrels", str(files["qrels"])] if command[0] == "eval" else []
    out = _refused(cli(*command, str(empty), *extra, ok=False))
    assert f"{empty}: the file holds no records" in out


@pytest.mark.parametrize("command", [("import", "lawyers"), ("import", "needs"), ("match", "--needs"), ("eval", "--qrels")])
def test_every_command_refuses_a_missing_file(tmp_path: Path, cli: Invoke, command: tuple[str, str]) -> None:
    out = _refused(cli(*command, str(tmp_path / "nowhere.jsonl"), ok=False))
    assert "does not exist" in out


def test_an_import_with_no_valid_line_exits_2(tmp_path: Path, cli: Invoke) -> None:
    path = _write_jsonl(tmp_path / "needs.jsonl", [{"external_id": "N-SHORT", "description": "x"}, "{oops"])
    out = _refused(cli("import", "needs", str(path), ok=False))
    assert "needs: 0 created, 0 updated, 0 unchanged, 2 rejected" in out
    assert "line 2 (?): not valid JSON" in out


def test_eval_checks_the_judgments_against_the_other_files(tmp_path: Path, cli: Invoke, files: dict[str, Path]) -> None:
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text("N-KZ\tKZ-ARB\t3\nN-KZ KZ-ARB2\nN-XX\tKZ-ARB\t9\nN-TH\tNOBODY\t1\n", encoding="utf-8")
    out = _refused(cli("eval", "--lawyers", str(files["lawyers"]), "--needs", str(files["needs"]), "--qrels", str(qrels), ok=False))
    assert f"{qrels}: line 2: expected 3 fields (need id, lawyer id, grade), found 2" in out
    assert f"{qrels}: line 3: need 'N-XX' is not in the needs file; grade '9' is not one of 0, 1, 2, 3" in out
    assert f"{qrels}: line 4: lawyer 'NOBODY' is not in the lawyers file" in out
    assert "line 1:" not in out


def test_eval_reports_bad_lawyer_lines_instead_of_skipping_them(tmp_path: Path, cli: Invoke, files: dict[str, Path]) -> None:
    lines = files["lawyers"].read_text(encoding="utf-8").splitlines()
    broken = json.loads(lines[1])
    del broken["license_no"]
    lawyers = _write_jsonl(tmp_path / "lawyers.jsonl", [lines[0], broken, *lines[2:]])
    out = _refused(cli("eval", "--lawyers", str(lawyers), "--needs", str(files["needs"]), "--qrels", str(files["qrels"]), ok=False))
    assert f"{lawyers}: line 2: license_no: missing; every record needs this field" in out


def test_eval_defaults_to_the_development_set_in_the_repository() -> None:
    from service import cli as cli_module

    assert (cli_module.DEV_SET / "needs.jsonl").is_file() and (cli_module.DEV_SET / "qrels.tsv").is_file()
    # the lawyers of the dev set are the bundled demo directory, kept once and linked from eval/dev
    assert (cli_module.DEV_SET / "lawyers.jsonl").resolve() == cli_module.DEMO_LAWYERS.resolve()
