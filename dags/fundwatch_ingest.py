"""
### fundwatch ingest

Daily: ingest whatever landed under `landing` into the lake's bronze, quarantine and silver tables.
Files already ingested (same content hash) are skipped, re-sent rows are not duplicated, and a file
that cannot be read fails the run after the rest of the delivery was ingested (see the ingest ledger
`meta/ingest_ledger`). `clue_feedback` files are ingested here too.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import Param, dag, task


def _on_failure(context) -> None:
    from jobs.tasks import notify_failure  # light; jobs loads inside the callback only

    notify_failure(context)


# every task: retried, stopped when it overruns (a hung Spark job must not hold the week), and reported on failure
DEFAULT_ARGS = {
    "owner": "fundwatch",
    "retries": 2,
    "retry_delay": pendulum.duration(minutes=5),
    "execution_timeout": pendulum.duration(hours=4),
    "on_failure_callback": _on_failure,
}


@dag(
    dag_id="fundwatch_ingest",
    schedule="0 1 * * *",
    start_date=pendulum.datetime(2025, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    doc_md=__doc__,
    tags=["fundwatch", "ingest"],
    default_args=DEFAULT_ARGS,
    max_active_runs=1,
    params={
        "lake": Param(os.environ.get("FUNDWATCH_LAKE", "lake"), type="string"),
        "landing": Param(os.environ.get("FUNDWATCH_LANDING", "landing"), type="string"),
    },
)
def fundwatch_ingest():
    @task
    def ingest(params=None) -> None:
        from jobs.tasks import cli

        cli("ingest", "--lake", params["lake"], "--landing", params["landing"])

    ingest()


fundwatch_ingest()
