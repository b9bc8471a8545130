"""DAG integrity (imports, tags, retries) and the weekly DAG run end to end by Airflow's own test runner."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jobs.lake import Lake

pytestmark = pytest.mark.airflow
DAGS = Path(__file__).resolve().parents[2] / "dags"


def _env(home: Path, lake: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
            "PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '')}",
        }
    )
    if lake:
        env["FUNDWATCH_LAKE"] = str(lake)
    return env


def test_dags_import_cleanly_and_follow_conventions(tmp_path, monkeypatch):
    for k, v in _env(tmp_path).items():
        monkeypatch.setenv(k, v)
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS))
    assert bag.import_errors == {}
    assert set(bag.dags) == {p.stem for p in DAGS.glob("fundwatch_*.py")}
    for dag_id, dag in bag.dags.items():
        assert dag.tags and "fundwatch" in dag.tags
        assert dag.catchup is False and dag.doc_md
        for t in dag.tasks:
            assert t.retries >= 2, f"{dag_id}.{t.task_id} needs retries >= 2"
            assert t.execution_timeout is not None, f"{dag_id}.{t.task_id} needs an execution_timeout"
            assert t.on_failure_callback, f"{dag_id}.{t.task_id} must report its failure"
    assert "fresh" in bag.dags["fundwatch_weekly"].task_ids  # no week is published on stale data
    fresh = bag.dags["fundwatch_weekly"].get_task("fresh")  # ... and a late delivery is waited for, 12 h
    assert fresh.retries * fresh.retry_delay.total_seconds() >= 12 * 3600
    # DAG files import nothing heavy at the top: Spark, MLflow and GX load inside the tasks only; of fundwatch,
    # only jobs.tasks (which imports none of them at the top either)
    src = "\n".join(p.read_text() for p in [*DAGS.glob("*.py"), DAGS.parent / "jobs" / "tasks.py"])
    top_level = [ln for ln in src.splitlines() if ln.startswith(("import ", "from "))]
    heavy = ("pyspark", "mlflow", "great_expectations", "features", "models", "from jobs.", "import jobs")
    assert not any(m in ln for ln in top_level for m in heavy if not ln.startswith("from jobs.tasks import"))


@pytest.mark.slow
def test_weekly_dag_runs_end_to_end(demo, tmp_path):
    _, lake_dir, as_of = demo
    home = tmp_path / "airflow"
    home.mkdir()
    env = _env(home, lake_dir)
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    lake = Lake(lake_dir)
    before = lake.version("gold/clues")
    started = time.strftime("%Y-%m-%dT%H:%M:%S")
    logical = (as_of + dt.timedelta(days=1)).isoformat()  # the run reports through the day before
    proc = subprocess.run(
        [sys.executable, "-m", "airflow", "dags", "test", "fundwatch_weekly", logical],
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "maintain" in proc.stdout + proc.stderr  # the last task ran too
    assert lake.version("gold/clues") > before
    history = lake.last_data_commit("gold/clues")
    # the week's clues were last written by this run's publish (the DAG's), not left from the demo's
    assert history["operation"] == "WRITE" and history["fundwatch.committed_at"] >= started
    clues = lake.read_arrow("gold/clues").to_pandas()
    assert (clues.as_of == as_of).all() and len(clues) > 0
    # delivered: each region's outbox holds its own files for the week, with a manifest of checksums
    outbox = lake_dir / "outbox"
    for region in clues.admdvs.unique():
        got = outbox / region / str(as_of)
        names = sorted(p.name for p in got.iterdir())
        assert f"线索清单_{region}_{as_of}.xlsx" in names and f"周报_{region}_{as_of}.html" in names
        assert all(region in n for n in names if n != "MANIFEST.json"), names
        manifest = json.loads((got / "MANIFEST.json").read_text(encoding="utf-8"))
        assert set(manifest) == set(names) - {"MANIFEST.json"}
    assert (outbox / "省级" / str(as_of) / f"周报_省级_{as_of}.html").exists()


@pytest.mark.slow
def test_ingest_dag_announces_an_asset_per_table_it_changed(demo, tmp_path):
    """A delivery of verification outcomes only: the ingest DAG's asset events name the feedback tables (and
    the ingest's own records), with the Delta version and rows appended; the settlement tables it did not
    touch get no event."""
    import shutil
    import sqlite3

    import pandas as pd

    _, demo_lake, _ = demo
    lake_dir = shutil.copytree(demo_lake, tmp_path / "lake")
    clue = Lake(lake_dir).read_arrow("gold/clues").to_pandas().iloc[0]
    landing = tmp_path / "landing"
    (landing / "clue_feedback").mkdir(parents=True)
    answer = {
        "clue_id": clue.clue_id,
        "status": "不属实",
        "feedback_date": str(clue.as_of),
        "admdvs": clue.admdvs,
    }
    pd.DataFrame([answer]).to_csv(landing / "clue_feedback" / "f.csv", index=False)
    home = tmp_path / "airflow"
    home.mkdir()
    env = _env(home, lake_dir) | {"FUNDWATCH_LANDING": str(landing)}
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"], env=env, check=True, capture_output=True
    )
    proc = subprocess.run(
        [sys.executable, "-m", "airflow", "dags", "test", "fundwatch_ingest", "2026-01-01"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    with sqlite3.connect(home / "airflow.db") as db:
        rows = db.execute(
            "select a.uri, e.extra from asset_event e join asset a on a.id = e.asset_id"
        ).fetchall()
    events = {uri: json.loads(extra) for uri, extra in rows}
    assert len(events) == len(rows)  # one event per table
    uri = {
        t: (Path(lake_dir).resolve() / t).as_uri() for t in ("bronze/clue_feedback", "silver/clue_feedback")
    }
    assert events[uri["bronze/clue_feedback"]]["rows_appended"] == 1
    assert events[uri["silver/clue_feedback"]]["table"] == "silver/clue_feedback"
    lake = Lake(lake_dir)
    assert all(e["delta_version"] == lake.version(e["table"]) for e in events.values())
    assert {e["table"] for e in events.values()} <= {
        "bronze/clue_feedback", "silver/clue_feedback", "quarantine/clue_feedback", "meta/ingest_ledger",
        "meta/validation", "meta/orphans", "meta/orphan_rows",
    }  # fmt: skip
    assert not any("setl" in u or "psn" in u for u in events)


def test_weekly_dag_targets_a_cluster_when_a_spark_connection_is_named(tmp_path, monkeypatch):
    for k, v in _env(tmp_path).items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("FUNDWATCH_SPARK_CONN_ID", "spark_cluster")
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS))
    assert bag.import_errors == {}
    dag = bag.dags["fundwatch_weekly"]
    assert {t.task_id for t in dag.tasks} == {"as_of", "fresh", "weekly_on_cluster", "deliver", "maintain"}
    assert dag.get_task("fresh").upstream_task_ids == {"as_of"}  # stale data stops the cluster job too
    assert dag.get_task("weekly_on_cluster").upstream_task_ids == {"fresh"}
    assert dag.get_task("deliver").upstream_task_ids == {"fresh", "weekly_on_cluster"}
    assert dag.get_task("maintain").upstream_task_ids == {"deliver"}
    submit = dag.get_task("weekly_on_cluster")
    assert type(submit).__name__ == "SparkSubmitOperator" and submit.retries >= 2
