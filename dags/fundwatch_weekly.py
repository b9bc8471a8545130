"""
### fundwatch weekly clue run

Every Monday: build the features of the week that ended on Sunday, score every insured person and
institution with the champion models, and publish the ranked clue lists per region
(`<lake>/gold/clues`, `<lake>/exports/<as_of>/<admdvs>/`).

Parameters: `lake` (default `$FUNDWATCH_LAKE` or `./lake`), `as_of` (override the reported day).
Set the Airflow Variable or env `FUNDWATCH_SPARK_MASTER` to run Spark on a cluster.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import Param, dag, task

DEFAULT_ARGS = {"owner": "fundwatch", "retries": 2, "retry_delay": pendulum.duration(minutes=5)}


@dag(
    dag_id="fundwatch_weekly",
    schedule="0 2 * * 1",
    start_date=pendulum.datetime(2025, 1, 6, tz="Asia/Shanghai"),
    catchup=False,
    doc_md=__doc__,
    tags=["fundwatch", "weekly", "clues"],
    default_args=DEFAULT_ARGS,
    max_active_runs=1,
    params={
        "lake": Param(os.environ.get("FUNDWATCH_LAKE", "lake"), type="string"),
        "as_of": Param("", type="string", description="YYYY-MM-DD; empty = the day before the interval end"),
    },
)
def fundwatch_weekly():
    @task
    def as_of(params=None, data_interval_end=None, logical_date=None) -> str:
        from jobs.tasks import as_of_for

        return as_of_for(data_interval_end or logical_date, params.get("as_of") or None)

    @task
    def features(day: str, params=None) -> str:
        from jobs.tasks import cli

        cli("features", "--lake", params["lake"], "--as-of", day)
        return day

    @task
    def score(day: str, params=None) -> str:
        from jobs.tasks import cli

        cli("score", "--lake", params["lake"], "--as-of", day)
        return day

    @task
    def publish(day: str, params=None) -> str:
        from jobs.tasks import cli

        cli("publish", "--lake", params["lake"], "--as-of", day)
        return day

    publish(score(features(as_of())))


fundwatch_weekly()
