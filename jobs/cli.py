"""The ``fundwatch`` command line."""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    # Run as a file (spark-submit jobs/cli.py …): Python put this folder first on sys.path, where our
    # modules (tracking.py, settings.py, …) would shadow libraries' own imports. Import jobs.* as a package.
    _here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _here]

import argparse
import contextlib
import datetime as dt
import logging
import time
import traceback
from pathlib import Path
from typing import NoReturn

log = logging.getLogger("fundwatch")


def _date(s: str) -> dt.date:
    try:
        return dt.date.fromisoformat(s)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"--as-of takes YYYY-MM-DD, not {s!r}") from exc


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lake", help="lake folder (default ./lake or $FUNDWATCH_LAKE)")
    common.add_argument(
        "--as-of", type=_date, help="last day of the reported week (default: latest settlement date)"
    )
    common.add_argument("--config", help="TOML file overriding jobs/defaults.toml")
    common.add_argument("--master", help="Spark master (default local[2]; ignored under spark-submit)")
    common.add_argument("-v", "--verbose", action="store_true")
    p = argparse.ArgumentParser(
        prog="fundwatch", description="Medical-insurance fund fraud screening pipeline."
    )
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate", parents=[common], help="write a synthetic landing zone + labels.csv")
    g.add_argument("--out", required=True, type=Path)
    g.add_argument("--persons", type=int, default=20_000)
    g.add_argument("--seed", type=int, default=7)
    g.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    g.add_argument(
        "--chunk-persons",
        type=int,
        help="more persons than this (default 1,000,000) make a province, generated one prefecture at a time",
    )
    i = sub.add_parser("ingest", parents=[common], help="landing files → bronze/quarantine/silver")
    i.add_argument("--landing", required=True, type=Path)
    i.add_argument(
        "--no-gx", action="store_true", help="skip the Great Expectations run (quarantine still applies)"
    )
    sub.add_parser("features", parents=[common], help="silver → gold/features_*")
    t = sub.add_parser("train", parents=[common], help="fit, log and register the isolation forests")
    t.add_argument("--labels", type=Path, help="labels.csv of generated data, for ranking metrics only")
    t.add_argument("--promote", action="store_true", help="make the new models champion")
    t.add_argument(
        "--promote-if-better",
        action="store_true",
        help="make a new model champion only if its AUC on verified clue outcomes is at least the champion's",
    )
    sub.add_parser("score", parents=[common], help="champion models → gold/entity_scores")
    sub.add_parser("publish", parents=[common], help="gold/clues and per-region exports")
    sub.add_parser("weekly", parents=[common], help="features, score, publish (the weekly DAG in one job)")
    r = sub.add_parser(
        "run", parents=[common], help="ingest, features, train (if no champion), score, publish"
    )
    r.add_argument("--landing", required=True, type=Path)
    r.add_argument(
        "--retrain", action="store_true", help="train and promote new models even if a champion exists"
    )
    sub.add_parser(
        "maintain",
        parents=[common],
        help="compact small files, vacuum unreferenced ones, clear crashed writes' staging ([maintain])",
    )
    sub.add_parser("expectations", help="regenerate expectations/*.json from the contract")
    dl = sub.add_parser("deliver", parents=[common], help="copy the week's exports to each region's outbox")
    dl.add_argument("--outbox", type=Path, help="default: [publish] outbox, or <lake>/outbox")
    sv = sub.add_parser(
        "serve", parents=[common], help="the verifiers' workbench (核查工作台) in the browser"
    )
    sv.add_argument("--host", default="127.0.0.1")
    sv.add_argument("--port", type=int, default=8000)
    sv.add_argument(
        "--db", help="accounts database: a file (SQLite, default <lake>/workbench/accounts.db) or a URL"
    )
    u = sub.add_parser("users", parents=[common], help="workbench accounts: add one, or list them")
    u.add_argument(
        "action", choices=["add", "list", "demo"], help="demo: one account per region of the clues"
    )
    u.add_argument("--name")
    u.add_argument("--region", help="six-digit admdvs, or 'province'")
    u.add_argument(
        "--db", help="accounts database: a file (SQLite, default <lake>/workbench/accounts.db) or a URL"
    )
    d = sub.add_parser("detectors", help="write the detector catalogue (docs/detectors.md) from the rules")
    d.add_argument("--out", type=Path, help="file to write (default: print)")
    return p


class _Stage:
    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        self.t0 = time.time()
        log.info("▶ %s …", self.name)
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            log.info("✔ %s done in %.1fs", self.name, time.time() - self.t0)


def _has_champions(settings) -> bool:
    from jobs.runtime.tracking import has_champions
    from models.entities import ENTITIES

    return has_champions(settings, ENTITIES.values())


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if getattr(args, "verbose", False) else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        force=True,  # under spark-submit a root handler already exists; progress must still be visible
    )
    for noisy in ("py4j", "mlflow", "alembic", "great_expectations", "urllib3", "matplotlib"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    if args.cmd == "expectations":
        from jobs.ingest.expectations import write_suites

        for path in write_suites():
            print(path)
        return 0
    if args.cmd == "detectors":
        from models.catalogue import render

        text = render()
        if args.out:
            args.out.write_text(text, encoding="utf-8")
            print(args.out)
        else:
            print(text)
        return 0
    if args.cmd == "generate":
        from jobs.synthetic import generate
        from jobs.synthetic.prefecture import CHUNK_PERSONS

        try:
            with _Stage(f"generate {args.persons} persons → {args.out}"):
                counts = generate(
                    args.out,
                    persons=args.persons,
                    seed=args.seed,
                    fmt=args.format,
                    chunk_persons=args.chunk_persons or CHUNK_PERSONS,
                )
        except ValueError as exc:
            log.error("%s", exc)
            return 2
        for k, v in counts.items():
            print(f"  {k:10s} {v:>10,d} rows")
        return 0

    from jobs.ingest import IngestError
    from jobs.lake import LakeError
    from jobs.runtime.settings import load_settings

    try:
        settings = load_settings(args.config, args.lake)
    except (ValueError, FileNotFoundError) as exc:  # SettingsError, an unknown rule, a missing --config file
        log.error("%s", exc)
        return 2
    if args.cmd == "maintain":  # delta-rs only: no Spark
        from jobs.lake import maintain

        with _Stage(f"maintain {settings.lake}"):
            done = maintain.run(None, settings)
        before, after = sum(u.files_before for u in done), sum(u.files_after for u in done)
        print(
            f"{len(done)} tables: {sum(u.compacted for u in done)} compacted, data files {before} -> {after}, "
            f"{sum(u.vacuumed for u in done)} unreferenced file(s) deleted, "
            f"{sum(u.staging_removed for u in done)} staging leftover(s) removed"
        )
        return 0  # a skipped compaction (a gold table written meanwhile) is logged and retried next week
    if args.cmd in ("serve", "users"):
        return _workbench(args, settings)
    if args.cmd == "deliver":
        from jobs.publish import deliver

        if args.as_of is None:
            log.error("deliver needs --as-of (the week whose exports to deliver)")
            return 2
        try:
            deliver.run(None, settings, args.as_of, args.outbox)
        except FileNotFoundError as exc:
            log.error("%s", exc)
            return 2
        return 0
    try:
        return _run_stages(args, settings)
    except (IngestError, LakeError, FileNotFoundError) as exc:
        log.error("%s", exc)
        return 2


def _workbench(args, settings) -> int:
    """``serve`` the workbench, or manage its ``users`` (passwords are printed once, never stored in clear)."""
    from jobs.workbench.accounts import Accounts
    from jobs.workbench.app import create_app, default_db

    db = args.db or default_db(settings.lake)
    if args.cmd == "serve":
        import uvicorn

        shown = db
        if "://" in str(db):  # a database URL may carry a password: never in the log
            from sqlalchemy.engine import make_url

            shown = make_url(str(db)).render_as_string(hide_password=True)
        log.info(
            "workbench on http://%s:%d (lake %s, accounts %s)", args.host, args.port, settings.lake, shown
        )
        uvicorn.run(create_app(settings.lake, db), host=args.host, port=args.port, log_level="info")
        return 0
    accounts = Accounts(db)
    if args.action == "list":
        for name, region in accounts.users():
            print(f"{region}\t{name}")
        return 0
    if args.action == "add":
        if not (args.name and args.region):
            log.error("users add needs --name and --region")
            return 2
        try:
            print(f"{args.name}\t{args.region}\t{accounts.add_user(args.name, args.region)}")
        except ValueError as exc:
            log.error("%s", exc)
            return 2
        return 0
    from jobs.lake import Lake
    from jobs.lake.outcomes import clue_history

    regions = sorted(set(clue_history(Lake(settings.lake)).get("admdvs", [])))
    for name, region in [("province", "province"), *[(f"r{r}", r) for r in regions]]:
        print(f"{name}\t{region}\t{accounts.add_user(name, region)}")
    return 0


def _run_stages(args, settings) -> int:
    from jobs import build_features, ingest, publish, score, train
    from jobs.lake import Lake
    from jobs.runtime.spark import get_spark

    lake = Lake(settings.lake)
    lake.root.mkdir(parents=True, exist_ok=True)
    with _Stage("start Spark"):
        spark = get_spark(
            args.master or settings.spark.master or None,
            extra_conf={"spark.sql.shuffle.partitions": str(settings.spark.shuffle_partitions)},
        )
    cmd = args.cmd
    if cmd in ("ingest", "run"):
        with _Stage(f"ingest {args.landing}"):
            report = ingest.run(
                spark,
                settings,
                args.landing,
                validate_with_gx=not getattr(args, "no_gx", False),
                fail_on_reject=cmd == "ingest",  # `run` goes on to publish what did land, then exits 2
            )
        for table in sorted({f.table for f in report.files}):
            t = report.totals(table)
            log.info(
                "  %-10s landed %d = bronze %d + quarantined %d + duplicate %d",
                table,
                t["landed"],
                t["bronze"],
                t["quarantined"],
                t["duplicate"],
            )
        if cmd == "ingest":
            return 0
    as_of = args.as_of or build_features.latest_settlement_date(spark, lake)
    log.info("as-of date: %s", as_of)
    if cmd in ("features", "run", "weekly"):
        with _Stage("features"):
            build_features.run(spark, settings, as_of)
    if cmd == "train" or (cmd == "run" and (args.retrain or not _has_champions(settings))):
        labels = getattr(args, "labels", None)
        if labels is None and cmd == "run" and (args.landing / "labels.csv").exists():
            labels = args.landing / "labels.csv"
        with _Stage("train"):
            metrics = train.run(
                spark,
                settings,
                as_of,
                labels,
                promote=train.ALWAYS
                if cmd == "run" or args.promote
                else (train.IF_BETTER if args.promote_if_better else train.IF_NONE),
            )
        for et, m in metrics.items():
            log.info("  %s: %s", et, ", ".join(f"{k}={v:.3f}" for k, v in sorted(m.items())))
    if cmd in ("score", "run", "weekly"):
        with _Stage("score"):
            score.run(spark, settings, as_of)
    if cmd in ("publish", "run", "weekly"):
        with _Stage("publish"):
            out = publish.run(spark, settings, as_of)
        print(
            f"\nclues:   {out['clues']} for {out['regions']} regions  → {lake.root / 'exports' / as_of.isoformat()}"
        )
        print(f"lake:    {lake.root}  (tables: {', '.join(lake.tables())})")
        print(f"mlflow:  {settings.mlflow_uri}  (make mlflow-ui)")
    if cmd == "run" and report.rejected:
        log.error("%s", ingest.rejection_message(report))
        return 2
    return 0


def entry(argv: list[str] | None = None) -> NoReturn:
    """The ``fundwatch`` command (also ``python -m jobs.cli`` and ``spark-submit jobs/cli.py``).

    Runs :func:`main`, stops Spark and ends an open MLflow run, flushes the output, then leaves with
    ``os._exit``: when the interpreter tears itself down after the work is done, a native thread pool
    (Arrow C++, delta-rs) can still abort the process with "terminate called without an active exception"
    (apache/arrow#34314, delta-io/delta-rs#2184), turning a finished run into exit code -6 that a scheduler
    retries. ``main`` itself returns normally, so Airflow tasks and tests can call it in-process.
    """
    rc = 1
    try:
        rc = main(argv)
    except SystemExit as exc:  # argparse: --help, usage errors
        rc = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
    except KeyboardInterrupt:
        rc = 130
    except BaseException:
        traceback.print_exc()
        rc = 1
    finally:
        _shutdown(failed=rc != 0)
    os._exit(rc)


def _shutdown(failed: bool) -> None:
    """What interpreter exit would do for us and that ``os._exit`` skips: end MLflow's run, stop Spark, flush."""
    try:
        if "mlflow" in sys.modules:
            import mlflow

            if mlflow.active_run() is not None:
                mlflow.end_run(status="FAILED" if failed else "FINISHED")
        if "pyspark" in sys.modules:
            from pyspark.sql import SparkSession

            active = SparkSession.getActiveSession()
            if active is not None:
                active.stop()
    except Exception:  # never let the clean-up hide the run's own exit code
        log.warning("clean-up at exit failed", exc_info=True)
    finally:
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a closed pipe
                stream.flush()


if __name__ == "__main__":
    entry()
