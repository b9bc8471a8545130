"""What the Airflow DAGs (dags/) are made of: the week a run reports on, and one task per stage, each running one
``fundwatch`` subcommand in the worker and failing loudly on a non-zero result."""

from __future__ import annotations

import datetime as dt


def _on_failure(context) -> None:
    notify_failure(context)


def default_args(retry_minutes: int = 5, timeout_hours: int = 4) -> dict:
    """What every fundwatch DAG's tasks share: retries, a time limit (a hung Spark job must not hold the week)
    and a failure report (``notify_failure``)."""
    import pendulum

    return {
        "owner": "fundwatch",
        "retries": 2,
        "retry_delay": pendulum.duration(minutes=retry_minutes),
        "execution_timeout": pendulum.duration(hours=timeout_hours),
        "on_failure_callback": _on_failure,
    }


class TaskFailed(RuntimeError):
    pass


def as_of_for(logical_end: dt.datetime | dt.date, override: str | None = None) -> str:
    """The reported week ends the day before the interval's end (a Monday run reports through Sunday)."""
    if override:
        return dt.date.fromisoformat(override).isoformat()
    day = logical_end.date() if isinstance(logical_end, dt.datetime) else logical_end
    return (day - dt.timedelta(days=1)).isoformat()


def cli(*args: str) -> None:
    """Run one ``fundwatch`` subcommand in this process; raise if it fails."""
    from jobs.cli import main

    rc = main(list(args))
    if rc != 0:
        raise TaskFailed(f"fundwatch {' '.join(args)} exited with {rc}")


def as_of_task():
    """The DAGs' first task: the reported week's last day (the ``as_of`` parameter, else the day before the
    data interval's end)."""
    from airflow.sdk import task

    @task(task_id="as_of")
    def as_of(params=None, data_interval_end=None, logical_date=None) -> str:
        return as_of_for(data_interval_end or logical_date, params.get("as_of") or None)

    return as_of


def stage_task(cmd: str, *options: str):
    """A task running ``fundwatch <cmd> --lake <params.lake> --as-of <day> <options>``; it passes ``day`` on, so
    stages chain: ``publish(score(features(day)))``."""
    from airflow.sdk import task

    @task(task_id=cmd)
    def stage(day: str, params=None) -> str:
        cli(cmd, "--lake", params["lake"], "--as-of", day, *options)
        return day

    return stage


MAX_DATA_LAG_DAYS = 3  # $FUNDWATCH_MAX_DATA_LAG_DAYS: the newest settlement may be this much older than as_of


def check_fresh(lake_dir: str, as_of: str, max_lag_days: int | None = None) -> str:
    """Refuse to report a week whose data has not landed: the lake's newest settlement must be within
    ``max_lag_days`` of ``as_of`` (``$FUNDWATCH_MAX_DATA_LAG_DAYS``, default 3). Raises TaskFailed naming both
    dates; returns ``as_of`` so the stages chain after it."""
    import os

    import pyarrow.compute as pc

    from jobs.lake import Lake
    from jobs.lake.tables import silver

    lag = (
        int(os.environ.get("FUNDWATCH_MAX_DATA_LAG_DAYS", MAX_DATA_LAG_DAYS))
        if max_lag_days is None
        else max_lag_days
    )
    lake, day = Lake(lake_dir), dt.date.fromisoformat(as_of)
    newest = None
    if lake.exists(silver("setl")):
        value = pc.max(lake.read_arrow(silver("setl"), ["setl_time"]).column("setl_time")).as_py()
        newest = None if value is None else value.date()
    if newest is None or newest < day - dt.timedelta(days=lag):
        raise TaskFailed(
            f"stale data: the newest settlement in {lake_dir} is {newest or 'none'}, the week to report ends {day} "
            f"(more than {lag} days later): the week's delivery has not landed or its ingest failed; "
            "nothing was published (rerun after fundwatch_ingest succeeds, or set as_of)"
        )
    return as_of


def notify_failure(context: dict) -> None:
    """``on_failure_callback`` of every fundwatch task: POST the failure as JSON to ``$FUNDWATCH_ALERT_WEBHOOK``
    (a chat robot or an alerting gateway); logged when unset. A notification that cannot be sent is logged,
    never raised: it must not hide the task's own failure."""
    import json
    import logging
    import os
    import urllib.request

    log = logging.getLogger("fundwatch.alerts")
    ti = context.get("task_instance") or context.get("ti")
    message = {
        "text": "fundwatch 任务失败",
        "dag_id": getattr(ti, "dag_id", None) or getattr(context.get("dag"), "dag_id", None),
        "task_id": getattr(ti, "task_id", None),
        "run_id": context.get("run_id") or getattr(ti, "run_id", None),
        "try_number": getattr(ti, "try_number", None),
        "error": str(context.get("exception") or ""),
    }
    url = os.environ.get("FUNDWATCH_ALERT_WEBHOOK")
    if not url:
        log.error("task failed (no FUNDWATCH_ALERT_WEBHOOK set): %s", message)
        return
    request = urllib.request.Request(
        url, json.dumps(message, ensure_ascii=False).encode(), {"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
    except OSError as exc:
        log.error("could not send the failure notification to %s: %s (%s)", url, exc, message)


INGESTED_LAYERS = ("bronze", "quarantine", "silver", "meta")  # what an ingest writes


def lake_versions(lake_dir: str) -> dict[str, int]:
    """The Delta version of every table an ingest writes (``INGESTED_LAYERS``); an empty lake has none."""
    from jobs.lake import Lake

    lake = Lake(lake_dir)
    if not lake.root.exists():
        return {}
    return {t: lake.version(t) for t in lake.tables() if t.split("/")[0] in INGESTED_LAYERS}


def updated_tables(lake_dir: str, before: dict[str, int]) -> list[dict]:
    """The tables whose Delta version moved since ``before`` (``lake_versions``), each as ``{"uri", "table",
    "delta_version", "rows_appended"}``: ``uri`` is the table folder's ``file://``; ``rows_appended`` counts the
    rows the new commits appended (a new table: all its rows), None when a commit rewrote the table (silver)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from jobs.lake import Lake

    lake = Lake(lake_dir)
    changed = []
    for table, version in sorted(lake_versions(lake_dir).items()):
        since = before.get(table)
        if version is None or (since is not None and version <= since):
            continue
        if since is None:
            rows = pa.table(lake.table(table).get_add_actions(flatten=True)).column("num_records")
            appended = int(pc.sum(rows).as_py() or 0)
        else:
            increment = lake.appended_since(table, since)
            appended = None if increment is None else increment[1]
        changed.append(
            {
                "uri": lake.path(table).as_uri(),
                "table": table,
                "delta_version": version,
                "rows_appended": appended,
            }
        )
    return changed
