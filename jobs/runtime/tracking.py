"""MLflow: a sqlite tracking store and artifact folder inside the lake, one experiment per model."""

from __future__ import annotations

import logging
import os
import subprocess
from pathlib import Path

from jobs.lake import LakeError
from jobs.lake.tables import MLFLOW
from jobs.runtime.settings import Settings
from models.entities import Entity
from models.iforest import ARTIFACT
from models.rules import rules_for

log = logging.getLogger(__name__)


def use_lake(settings: Settings) -> None:
    """Point MLflow's tracking and registry at the lake's store. Both: MLflow keeps them apart, and passes
    them to child processes through the environment, so a registry left pointing at another lake (a test's
    copy, a notebook's kernel started from such a process) would resolve ``@champion`` there."""
    import mlflow

    mlflow.set_tracking_uri(settings.mlflow_uri)
    mlflow.set_registry_uri(settings.mlflow_uri)


def configure(settings: Settings, experiment: str):
    """Point MLflow at the lake's store and select (creating if needed) ``experiment``."""
    import mlflow

    root = Path(settings.lake).resolve() / MLFLOW
    root.mkdir(parents=True, exist_ok=True)
    use_lake(settings)
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


def run_tags(job: str, settings: Settings | None = None, as_of=None) -> dict[str, str]:
    """Tags of a run: the job, the code (git sha), and which lake and week it was about."""
    tags = {"fundwatch.job": job, "git_sha": git_sha()}
    if settings is not None:
        tags["fundwatch.lake"] = str(Path(settings.lake).resolve())
    if as_of is not None:
        tags["fundwatch.as_of"] = str(as_of)
    if os.environ.get("AIRFLOW_CTX_DAG_RUN_ID"):
        tags["airflow_run_id"] = os.environ["AIRFLOW_CTX_DAG_RUN_ID"]
    return tags


# The model registry: which version scores the week.


def register(
    model, name: str, artifact: str, x, y, tags: dict[str, str], trusted=(), metrics=None, dataset=None
) -> str:
    """Log a fitted scikit-learn ``model`` to the active MLflow run (skops, loadable with the scikit-learn
    types skops trusts plus ``trusted``; with the signature and an example from its inputs ``x`` and outputs
    ``y``), register it as a new version of ``name`` and tag that version (what it was trained on, so scoring
    can tell whether it still fits the code). ``metrics`` are logged tied to the logged model (and to
    ``dataset``, what they were measured on), so the registry shows them with the version. Returns the version.
    """
    import mlflow
    from mlflow import MlflowClient
    from mlflow.models import infer_signature

    info = mlflow.sklearn.log_model(
        model,
        name=artifact,
        serialization_format="skops",
        skops_trusted_types=list(trusted),
        signature=infer_signature(x, y),
        input_example=x,
        registered_model_name=name,
    )
    version = info.registered_model_version
    if metrics:
        mlflow.log_metrics(metrics, model_id=info.model_id, dataset=dataset)
    client = MlflowClient()
    for key, value in tags.items():
        client.set_model_version_tag(name, version, key, value)
    return version


def champion_version(settings: Settings, entity: Entity):
    """The registered champion's model version; LakeError when there is none or it no longer fits the code."""
    from mlflow import MlflowClient

    configure(settings, f"fundwatch-{entity.entity_type}")
    try:
        mv = MlflowClient().get_model_version_by_alias(entity.model_name, "champion")
    except Exception as exc:
        raise LakeError(
            f"no champion model {entity.model_name!r} in {settings.mlflow_uri}: run `fundwatch train`"
        ) from exc
    features = tuple(mv.tags.get("features", "").split(","))
    if features != entity.features:
        raise LakeError(
            f"champion {entity.model_name} v{mv.version} was trained on features {features}, "
            f"the code now builds {entity.features}: retrain with `fundwatch train`"
        )
    if mv.tags.get("artifact") != ARTIFACT:
        raise LakeError(
            f"champion {entity.model_name} v{mv.version} is a bare forest registered before the whole model "
            f"({ARTIFACT}) was: retrain with `fundwatch train`"
        )
    return mv


# Registered versions loaded in this process: a version's artifact never changes, and the weekly run reads the
# champion twice (score, then publish's explanations: ~3 s each at 1M persons). Keyed by registry, name, version
# and the version's run and creation time, so a registry re-created at the same path is never confused with it.
_LOADED: dict[tuple, object] = {}


def load_version(name: str, version: str | int):
    """The registered model ``name`` version ``version`` (loaded once per process)."""
    import mlflow
    from mlflow import MlflowClient

    mv = MlflowClient().get_model_version(name, str(version))
    key = (mlflow.get_registry_uri(), name, str(version), mv.run_id, mv.creation_timestamp)
    if key not in _LOADED:
        _LOADED[key] = mlflow.sklearn.load_model(f"models:/{name}/{version}")
    return _LOADED[key]


def load_champion(settings: Settings, entity: Entity):
    """(model, version) of the registered champion."""
    mv = champion_version(settings, entity)
    return load_version(entity.model_name, mv.version), f"{entity.model_name}/{mv.version}"


def load_scorer(settings: Settings, entity: Entity, model_version: str):
    """The forest that scored a week, from the ``model_version`` its scores carry ("name/version", maybe
    "+reranker/version"), when it is a whole model (``models.iforest.RiskForest``) that can explain itself;
    None for a bare forest registered by older code or a version the registry no longer has."""
    from models.iforest import RiskForest

    name, _, version = str(model_version).split("+")[0].partition("/")
    if name != entity.model_name or not version:
        return None
    configure(settings, f"fundwatch-{entity.entity_type}")
    try:
        model = load_version(name, version)
    except Exception as exc:  # a bare forest pickled by older code, or a deleted version
        log.warning(
            "%s v%s cannot explain its scores (%s): clues quote standout features", name, version, exc
        )
        return None
    return model if isinstance(model, RiskForest) else None


def load_reranker(settings: Settings, entity: Entity):
    """(model, version) of the promoted re-ranker (``models.reranker``), or (None, None) when none was
    promoted or it no longer fits the code's features and rules."""
    from mlflow import MlflowClient

    name = entity.reranker_name
    configure(settings, entity.reranker_experiment)
    try:
        mv = MlflowClient().get_model_version_by_alias(name, "champion")
    except Exception:
        return None, None
    rules = ",".join(r.rule_id for r in rules_for(entity.entity_type))
    if mv.tags.get("features") != ",".join(entity.features) or mv.tags.get("rules") != rules:
        log.warning(
            "%s v%s was trained on other features or rules: not used until retrained", name, mv.version
        )
        return None, None
    return load_version(name, mv.version), f"{name}/{mv.version}"


def has_champions(settings: Settings, entities) -> bool:
    """Whether every entity type has a champion that fits the code (``champion_version``)."""
    try:
        for e in entities:
            champion_version(settings, e)
        return True
    except LakeError:
        return False
