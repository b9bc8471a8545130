"""Entry points the Airflow DAGs call: one call per task, failing loudly on a non-zero result."""

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
