"""
### fundwatch weekly clue run

Every Monday: build the features of the week that ended on Sunday, score every insured person and
institution with the champion models, and publish the ranked clue lists per region
(`<lake>/gold/clues`, `<lake>/exports/<as_of>/<admdvs>/`: workbook, CSV and weekly report per region),
then deliver them: each region's files to `<outbox>/<admdvs>/<as_of>/`, the province reports to
`<outbox>/省级/<as_of>/` (`[publish] outbox` in the config, default `<lake>/outbox`). Verification
feedback (`clue_feedback` files) is ingested by `fundwatch_ingest` like any other table.

Parameters: `lake` (default `$FUNDWATCH_LAKE` or `./lake`), `as_of` (override the reported day).

Where Spark runs: by default each task runs local Spark in the worker. With the environment variable
`FUNDWATCH_SPARK_CONN_ID` naming an Airflow Spark connection (e.g. `spark://master:7077`), the week runs
as one `spark-submit` of `jobs/cli.py weekly` on that cluster, with fundwatch's packages shipped as
`--py-files` (`FUNDWATCH_PYFILES`, built by `python -m jobs.runtime.packaging`). The lake must be on storage
every node sees.

Before anything is built, `fresh` refuses a week whose data has not landed: if the lake's newest settlement is
more than `$FUNDWATCH_MAX_DATA_LAG_DAYS` (3) days older than the week's last day (a late delivery, a failed
ingest), it tries again every 30 minutes for `$FUNDWATCH_DATA_WAIT_HOURS` (12), then fails the run with both
dates named; nothing is published from last week's data. Every task has an `execution_timeout`, and
a failure is POSTed as JSON to `$FUNDWATCH_ALERT_WEBHOOK` when it is set (`jobs.tasks.notify_failure`).

Last, `maintain` compacts the small files the week's deliveries added and deletes files no snapshot of the
last 30 days references (`[maintain]` in the config); it runs in the worker (delta-rs, no Spark) and waits
for any ingest to finish.
"""

from __future__ import annotations

import os
from pathlib import Path

import pendulum
from airflow.sdk import Param, dag, task

from jobs.tasks import default_args  # light: no Spark, MLflow or GX at parse time

REPO = Path(__file__).resolve().parent.parent
SPARK_CONN_ID = os.environ.get("FUNDWATCH_SPARK_CONN_ID", "")
WAIT_HOURS = int(os.environ.get("FUNDWATCH_DATA_WAIT_HOURS", "12"))  # how long `fresh` waits for late data


@dag(
    dag_id="fundwatch_weekly",
    schedule="0 2 * * 1",
    start_date=pendulum.datetime(2025, 1, 6, tz="Asia/Shanghai"),
    catchup=False,
    doc_md=__doc__,
    tags=["fundwatch", "weekly", "clues"],
    default_args=default_args(),
    max_active_runs=1,
    params={
        "lake": Param(os.environ.get("FUNDWATCH_LAKE", "lake"), type="string"),
        "as_of": Param("", type="string", description="YYYY-MM-DD; empty = the day before the interval end"),
    },
)
def fundwatch_weekly():
    from jobs.tasks import as_of_task, stage_task  # light: the stages load inside the tasks

    features, score, publish, deliver = (stage_task(c) for c in ("features", "score", "publish", "deliver"))

    @task
    def maintain(params=None) -> None:
        """Lake upkeep after the week is delivered (it is not about one day: every table, every file)."""
        from jobs.tasks import cli

        cli("maintain", "--lake", params["lake"])

    @task(retries=WAIT_HOURS * 2, retry_delay=pendulum.duration(minutes=30))
    def fresh(day: str, params=None) -> str:
        """Refuse to report a week whose settlements have not landed (``jobs.tasks.check_fresh``); tried again
        every half hour for ``$FUNDWATCH_DATA_WAIT_HOURS`` (12): a delivery a few hours late is waited for, a
        week still missing by then fails the run (and the failure is sent, ``jobs.tasks.notify_failure``)."""
        from jobs.tasks import check_fresh

        return check_fresh(params["lake"], day)

    day = fresh(as_of_task()())
    if SPARK_CONN_ID:
        from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

        on_cluster = SparkSubmitOperator(
            task_id="weekly_on_cluster",
            conn_id=SPARK_CONN_ID,
            application=str(REPO / "jobs" / "cli.py"),
            py_files=os.environ.get("FUNDWATCH_PYFILES", str(REPO / "dist" / "fundwatch-pyfiles.zip")),
            application_args=["weekly", "--lake", "{{ params.lake }}", "--as-of", day],
            name="fundwatch-weekly",
        )
        delivered = deliver(day)
        on_cluster >> delivered
    else:
        delivered = deliver(publish(score(features(day))))
    delivered >> maintain()


fundwatch_weekly()
