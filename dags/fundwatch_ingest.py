"""
### fundwatch ingest

Daily: ingest whatever landed under `landing` into the lake's bronze, quarantine and silver tables.
Files already ingested (same content hash) are skipped, re-sent rows are not duplicated, and a file
that cannot be read fails the run after the rest of the delivery was ingested (see the ingest ledger
`meta/ingest_ledger`). `clue_feedback` files are ingested here too.

Each table the run changed is announced as an Airflow Asset (`file://<lake>/<layer>/<table>`, through the
alias `fundwatch_lake`), with the Delta version and the rows it added in the event's extra: a table no delivery
touched gets no event. A DAG that must run only once its inputs moved schedules on those Assets (e.g.
`schedule=[Asset("file:///data/lake/silver/setl")]`); the weekly DAG keeps its Monday clock and checks the data
it needs itself (`fresh`), because a week is reported also when a region delivered nothing new.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import AssetAlias, Param, dag, task

from jobs.tasks import default_args  # light: no Spark, MLflow or GX at parse time

LAKE_TABLES = AssetAlias("fundwatch_lake")  # one Asset per lake table an ingest changed


@dag(
    dag_id="fundwatch_ingest",
    schedule="0 1 * * *",
    start_date=pendulum.datetime(2025, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    doc_md=__doc__,
    tags=["fundwatch", "ingest"],
    default_args=default_args(),
    max_active_runs=1,
    params={
        "lake": Param(os.environ.get("FUNDWATCH_LAKE", "lake"), type="string"),
        "landing": Param(os.environ.get("FUNDWATCH_LANDING", "landing"), type="string"),
    },
)
def fundwatch_ingest():
    @task(outlets=[LAKE_TABLES])
    def ingest(params=None, outlet_events=None) -> None:
        from airflow.sdk import Asset

        from jobs.tasks import cli, lake_versions, updated_tables

        before = lake_versions(params["lake"])
        cli("ingest", "--lake", params["lake"], "--landing", params["landing"])
        for table in updated_tables(params["lake"], before):
            outlet_events[LAKE_TABLES].add(Asset(uri=table.pop("uri")), extra=table)

    ingest()


fundwatch_ingest()
