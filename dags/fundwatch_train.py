"""
### fundwatch training

Monthly: fit new isolation forests on the latest features and register them in MLflow as
`challenger`. Each new model and the current champion are evaluated on the verified outcomes of issued
clues (ROC AUC of the risk score, 查实 vs 不属实; logged as `feedback_auc` / `champion_feedback_auc`).
Promotion to `champion` is a reviewed decision by default: run `fundwatch train --promote` or set the alias
in MLflow's UI. With the parameter `promote` = `if_better`, the new model becomes champion when it does at
least as well as the champion on those outcomes.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import Param, dag, task

from jobs.tasks import default_args  # light: no Spark, MLflow or GX at parse time


@dag(
    dag_id="fundwatch_train",
    schedule="0 3 1 * *",
    start_date=pendulum.datetime(2025, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    doc_md=__doc__,
    tags=["fundwatch", "training", "mlflow"],
    default_args=default_args(retry_minutes=10),
    max_active_runs=1,
    params={
        "lake": Param(os.environ.get("FUNDWATCH_LAKE", "lake"), type="string"),
        "as_of": Param("", type="string"),
        "promote": Param(
            "no", enum=["no", "if_better"], description="promote when better on verified outcomes"
        ),
    },
)
def fundwatch_train():
    from jobs.tasks import as_of_task, stage_task  # light: the stages load inside the tasks

    @task
    def train(day: str, params=None) -> None:
        from jobs.tasks import cli

        extra = ["--promote-if-better"] if params.get("promote") == "if_better" else []
        cli("train", "--lake", params["lake"], "--as-of", day, *extra)

    train(stage_task("features")(as_of_task()()))


fundwatch_train()
