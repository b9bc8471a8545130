"""MLflow: a sqlite tracking store and artifact folder inside the lake, one experiment per model."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from jobs.settings import Settings


def configure(settings: Settings, experiment: str):
    """Point MLflow at the lake's store and select (creating if needed) ``experiment``."""
    import mlflow

    root = Path(settings.lake).resolve() / "mlflow"
    root.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(settings.mlflow_uri)
    mlflow.set_registry_uri(settings.mlflow_uri)
    if mlflow.get_experiment_by_name(experiment) is None:
        mlflow.create_experiment(experiment, artifact_location=(root / "artifacts" / experiment).as_uri())
    return mlflow.set_experiment(experiment)


def git_sha() -> str:
    try:
        return (
            subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"],
                capture_output=True,
                text=True,
                timeout=5,
                cwd=Path(__file__).parent,
            ).stdout.strip()
            or "unknown"
        )
    except Exception:
        return "unknown"


def run_tags(job: str) -> dict[str, str]:
    tags = {"fundwatch.job": job, "git_sha": git_sha()}
    if os.environ.get("AIRFLOW_CTX_DAG_RUN_ID"):
        tags["airflow_run_id"] = os.environ["AIRFLOW_CTX_DAG_RUN_ID"]
    return tags
