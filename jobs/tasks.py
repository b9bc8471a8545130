"""What the Airflow DAGs (dags/) are made of: the week a run reports on, and one task per stage, each running one
``fundwatch`` subcommand in the worker and failing loudly on a non-zero result."""

from __future__ import annotations

import datetime as dt


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
