"""The `matchmaker` command."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console

from service.input_files import BadInput, check_lawyers, check_qrels, read_needs
from service.settings import get_settings

if TYPE_CHECKING:  # the runtime is imported when a command needs it: --help stays quick
    from service.schemas.lawyer import ImportSummary
    from service.state import Runtime

app = typer.Typer(help="Matchmaker: verified foreign-related lawyers for going-out enterprises.", no_args_is_help=True)
import_app = typer.Typer(help="Import the bureau's exchange files (JSON Lines).", no_args_is_help=True)
keys_app = typer.Typer(help="Manage API keys.", no_args_is_help=True)
webhooks_app = typer.Typer(help="Webhook deliveries.", no_args_is_help=True)
app.add_typer(import_app, name="import")
app.add_typer(keys_app, name="keys")
app.add_typer(webhooks_app, name="webhooks")
err = Console(stderr=True)
# The public development set kept with the repository (eval/README.md); absent from an installed package.
DEV_SET = Path(__file__).resolve().parent.parent / "eval" / "dev"
DEMO_LAWYERS = Path(__file__).resolve().parent / "demo_data" / "lawyers.jsonl"
BAD_INPUT = 2  # the exit code of a usage error, as typer's own


def _refuse(bad: BadInput) -> NoReturn:
    """One line per problem on stderr, `file:line: field: what to fix`, and exit 2."""
    for problem in bad.problems:
        # the problem quotes the file's own text, which must not be read as rich markup
        err.print(f"{bad.path}: {problem}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(BAD_INPUT)


def _runtime(run_migrations: bool = True, *, bulk: bool = False) -> Runtime:
    from service.state import Runtime

    return Runtime.build(get_settings(), run_migrations=run_migrations, bulk=bulk)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
    graceful_timeout: Annotated[
        float, typer.Option(help="on SIGTERM, seconds to let requests in flight finish before closing them")
    ] = 6.0,
) -> None:
    """Start the API server (migrates the database and loads the index first).

    On SIGTERM it stops accepting connections, lets requests in flight finish (at most
    --graceful-timeout seconds), saves the index snapshot and exits: within 10 s by default.
    """
    import uvicorn
    from pydantic import ValidationError

    try:  # refuse a bad configuration here, with what to set, before uvicorn imports the app
        get_settings()
    except ValidationError as error:
        for item in error.errors():
            err.print(f"configuration: {str(item['msg']).removeprefix('Value error, ')}", markup=False, soft_wrap=True)
        raise typer.Exit(BAD_INPUT) from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(
        "service.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        server_header=False,  # no "server: uvicorn" banner telling a prober what to try
        # the app reads X-Forwarded-For from MATCHMAKER_TRUSTED_PROXIES only (service.http_guard);
        # uvicorn's own handling would believe any process on 127.0.0.1
        proxy_headers=False,
        timeout_graceful_shutdown=graceful_timeout,  # type: ignore[arg-type]  # uvicorn waits on any number; its annotation says int
    )


@app.command()
def migrate(revision: Annotated[str, typer.Argument(help="target revision")] = "head") -> None:
    """Apply the database migrations."""
    from service.db import migrate as run

    url = get_settings().resolved_database_url
    run(url, revision)
    err.print(f"[green]migrated[/] {make_safe(url)} to {revision}")


def make_safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _print_summary(summary: ImportSummary, what: str) -> None:
    err.print(
        f"{what}: [green]{summary.created} created[/], {summary.updated} updated, "
        f"{summary.unchanged} unchanged, [red]{summary.rejected_total} rejected[/]"
    )
    for rejection in summary.rejected[:50]:
        # the reason quotes the file's own text, which must not be read as rich markup
        err.print(f"  line {rejection.line} ({rejection.external_id or '?'}): {rejection.reason}", markup=False)
    if summary.rejected_total > 50:
        err.print(f"  … and {summary.rejected_total - 50} more")


def _refuse_empty(path: Path) -> None:
    with path.open("rb") as handle:
        if not any(line.strip() for line in handle):
            _refuse(BadInput(path, ["the file holds no records; write one JSON object a line (see the README)"]))


def _nothing_imported(summary: ImportSummary) -> bool:
    return bool(summary.rejected) and not (summary.created or summary.updated or summary.unchanged)


def _progress_bar(path: Path, label: str) -> Any:
    from tqdm import tqdm

    total = sum(1 for _ in path.open("rb"))
    bar = tqdm(total=total, desc=label, unit="line", file=sys.stderr, disable=None)
    return bar


@import_app.command("lawyers")
def import_lawyers(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="lawyers.jsonl")]) -> None:
    """Upsert lawyers on external_id, then bring the index up to date.

    A bad line is reported (line, field, what to fix) and the others are imported; the exit
    code is 2 when the file is empty or no line could be imported."""
    from service import importing

    _refuse_empty(file)
    runtime = _runtime(bulk=True)
    bar = _progress_bar(file, "lawyers")
    with file.open("rb") as handle:
        summary = importing.import_lawyers(runtime.sessions, handle, progress=bar.update)
    bar.close()
    _print_summary(summary, "lawyers")
    if _nothing_imported(summary):
        runtime.engine.dispose()
        raise typer.Exit(BAD_INPUT)
    err.print("indexing…")
    runtime.load_index()
    runtime.catalog.save(runtime.settings.index_dir)
    runtime.engine.dispose()


@import_app.command("needs")
def import_needs(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="needs.jsonl")],
    organisation: Annotated[str | None, typer.Option(help="owning organisation")] = None,
) -> None:
    """Upsert enterprise needs on external_id (the needs file of the README).

    A bad line is reported (line, field, what to fix) and the others are imported; the exit
    code is 2 when the file is empty or no line could be imported."""
    from service import importing

    _refuse_empty(file)
    runtime = _runtime()
    bar = _progress_bar(file, "needs")
    with file.open("rb") as handle:
        summary = importing.import_needs(runtime.sessions, handle, organisation=organisation, progress=bar.update)
    bar.close()
    _print_summary(summary, "needs")
    runtime.engine.dispose()
    if _nothing_imported(summary):
        raise typer.Exit(BAD_INPUT)


@app.command()
def match(
    needs: Annotated[Path, typer.Option("--needs", exists=True, dir_okay=False, help="needs.jsonl")],
    text_only: Annotated[bool, typer.Option("--text-only", help="use the description alone")] = False,
    k: Annotated[int, typer.Option("--k", min=1, max=50, help="lawyers per need")] = 10,
    run_name: Annotated[str, typer.Option("--run-name", help="last column of the TREC run")] = "matchmaker",
) -> None:
    """Match every need of a file against the configured database; TREC run on stdout.

    The file is checked first: each bad line is reported (line, field, what to fix), exit code 2."""
    from service.evaluation import write_trec_run
    from service.matching.batch import match_needs

    try:
        records = read_needs(needs)
    except BadInput as bad:
        _refuse(bad)
    runtime = _runtime()
    runtime.load_index()
    run = match_needs(runtime.matcher, [record.model_dump(mode="json") for record in records], text_only=text_only, k=k)
    write_trec_run(run, run_name, sys.stdout)
    runtime.engine.dispose()


@app.command("eval")
def evaluate(
    lawyers: Annotated[
        Path, typer.Option("--lawyers", exists=True, dir_okay=False, help="lawyers.jsonl, exchange format (default: the bundled demo directory)")
    ] = DEMO_LAWYERS,
    needs: Annotated[
        Path, typer.Option("--needs", exists=True, dir_okay=False, help="needs.jsonl (default: eval/dev of the repository)")
    ] = DEV_SET / "needs.jsonl",
    qrels: Annotated[
        Path, typer.Option("--qrels", exists=True, dir_okay=False, help="qrels.tsv (default: eval/dev of the repository)")
    ] = DEV_SET / "qrels.tsv",
    k: Annotated[int, typer.Option("--k", min=1, max=50)] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON line too")] = False,
    per_need: Annotated[bool, typer.Option("--per-need", help="list every need's nDCG@10 on stderr")] = False,
) -> None:
    """Import into a throw-away database, match in both modes, print nDCG@10, P@5, R@10, MRR, violations.

    Without options: the development set (the bundled demo directory, eval/dev's needs and
    judgments). The three files are checked first; each bad line is reported, exit code 2."""
    from service.evaluation import covers_with_region, count_violations, evaluate as score, load_qrels, read_jsonl
    from service.evaluation.runs import run_modes

    try:
        lawyer_ids = check_lawyers(lawyers)
        need_ids = {record.external_id for record in read_needs(needs)}
        check_qrels(qrels, need_ids, lawyer_ids)
    except BadInput as bad:
        _refuse(bad)

    runs = run_modes(lawyers, needs, k=k, settings=get_settings())
    judged = load_qrels(qrels)
    lawyer_rows = {row["external_id"]: row for row in read_jsonl(lawyers)}
    need_rows = {row["external_id"]: row for row in read_jsonl(needs)}
    figures = {}
    for mode, run in runs.items():
        ranking = {n: [lid for lid, _ in hits] for n, hits in run.items()}
        metrics = score(ranking, judged)
        structured = mode == "structured"
        figures[mode] = {
            "ndcg@10": round(metrics.ndcg10, 4),
            "p@5": round(metrics.p5, 4),
            "r@10": round(metrics.r10, 4),
            "mrr": round(metrics.mrr, 4),
            # hard rules over what the mode was given: eligibility always, the need's fields when given
            "violations": count_violations(
                ranking, lawyer_rows, need_rows, use_structured=structured, covers=covers_with_region
            ),
            # diagnostic for text-only: returned lawyers outside the need's true languages or countries
            "off_fields": count_violations(
                ranking, lawyer_rows, need_rows, use_structured=True, covers=covers_with_region
            ),
        }
        if per_need:
            for need_id, value in sorted(metrics.per_need_ndcg.items(), key=lambda item: item[1]):
                err.print(f"  {mode} {need_id} nDCG@10={value:.3f}")
    out = Console()
    out.print(f"{'mode':<12} {'nDCG@10':>8} {'P@5':>7} {'R@10':>7} {'MRR':>7} {'violations':>11} {'off-fields':>11}")
    for mode, f in figures.items():
        out.print(
            f"{mode:<12} {f['ndcg@10']:>8.4f} {f['p@5']:>7.4f} {f['r@10']:>7.4f} {f['mrr']:>7.4f} "
            f"{f['violations']:>11} {f['off_fields']:>11}"
        )
    if as_json:
        print(json.dumps(figures))


@app.command()
def sweep(
    loop: Annotated[bool, typer.Option(help="keep sweeping until stopped (SIGTERM or Ctrl-C), following the directory")] = False,
    interval: Annotated[float, typer.Option(min=0.05, help="seconds between sweeps with --loop")] = 5.0,
) -> None:
    """Expire the consultation requests whose deadline passed, and offer each need to the next
    best lawyer. Safe beside running servers and other sweepers: each deadline is acted on once."""
    import signal
    import threading

    from service.engagement import requests, sla

    runtime = _runtime()
    runtime.load_index()
    policy = requests.Policy.of(runtime.settings)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    total = 0
    try:
        while True:
            total += sla.sweep(runtime.sessions, runtime.matcher, policy, stop=stop.is_set)
            if not loop or stop.wait(interval):
                break
            runtime.sync()
    except KeyboardInterrupt:
        pass
    finally:
        runtime.engine.dispose()
    err.print(f"{total} expired request(s) handled")


@app.command()
def reindex() -> None:
    """Rebuild the vector index from the database and save a snapshot."""
    runtime = _runtime(bulk=True)
    runtime.catalog.rebuild(runtime.sessions)
    runtime.catalog.save(runtime.settings.index_dir)
    err.print(f"indexed {len(runtime.catalog)} lawyers, {len(runtime.catalog.index)} passages")
    runtime.engine.dispose()


@app.command()
def prune(
    older_than_days: Annotated[
        int | None, typer.Option(min=1, help="days a registration may stay pending (default MATCHMAKER_PRUNE_PENDING_AFTER_DAYS)")
    ] = None,
) -> None:
    """Remove self-registrations still pending (never verified) after N days; each is audited."""
    from datetime import timedelta

    from models.base import utcnow
    from service.db import make_engine, make_session_factory, migrate as run_migrations, transaction
    from service.repositories import lawyers as lawyer_repo

    settings = get_settings()
    days = older_than_days or settings.prune_pending_after_days
    url = settings.resolved_database_url
    run_migrations(url)
    engine = make_engine(url)
    before = utcnow() - timedelta(days=days)
    removed = 0
    factory = make_session_factory(engine)
    while True:  # in batches: a transaction each, memory bounded
        with transaction(factory) as session:
            stale = lawyer_repo.stale_registrations(session, before, limit=500)
            for lawyer in stale:
                lawyer_repo.delete(session, lawyer, actor="prune", reason=f"registration pending for over {days} days")
        removed += len(stale)
        if len(stale) < 500:
            break
    engine.dispose()
    err.print(f"pruned {removed} registration(s) pending for over {days} days")


@keys_app.command("create")
def create_key(
    name: Annotated[str, typer.Option(help="who the key is for")],
    role: Annotated[str, typer.Option(help="admin, bureau or enterprise")],
    organisation: Annotated[str, typer.Option(help="owning organisation")],
) -> None:
    """Create an API key; the key is printed once."""
    from service.db import transaction
    from service.repositories import api_keys

    if role not in ("admin", "bureau", "enterprise"):
        raise typer.BadParameter("role must be admin, bureau or enterprise")
    runtime_settings = get_settings()
    from service.db import make_engine, make_session_factory, migrate as run_migrations

    url = runtime_settings.resolved_database_url
    run_migrations(url)
    engine = make_engine(url)
    from service.errors import ServiceError

    try:
        with transaction(make_session_factory(engine)) as session:
            _, plain = api_keys.create(session, name=name, role=role, organisation=organisation)
    except ServiceError as error:
        err.print(error.detail, markup=False)
        raise typer.Exit(BAD_INPUT) from None
    print(plain)
    engine.dispose()


@webhooks_app.command("deliver")
def deliver_webhooks(
    until_idle: Annotated[
        bool, typer.Option("--until-idle", help="exit once nothing is due now (retries due later are left)")
    ] = False,
) -> None:
    """Deliver webhooks: fan new events out to the subscriptions and send what is due, until
    SIGTERM or Ctrl-C (or, with --until-idle, until nothing is due). Any number may run beside
    the API processes: each delivery is claimed by one. Needs no encoder or index."""
    import signal
    import threading

    from service.db import make_engine, make_session_factory, migrate as run_migrations
    from service.engagement.dispatch import Dispatcher

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    url = settings.resolved_database_url
    run_migrations(url)
    engine = make_engine(url)
    dispatcher = Dispatcher(make_session_factory(engine), settings)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    try:
        if until_idle:
            dispatcher.run_until_idle()
        else:
            err.print("delivering webhooks; Ctrl-C stops")
            dispatcher.run(stop)
    finally:
        dispatcher.close()
        engine.dispose()
    err.print(f"{dispatcher.attempted} deliveries attempted, {dispatcher.succeeded} succeeded")


if __name__ == "__main__":
    app()
