"""Train job: one isolation forest per entity type, tracked and registered in MLflow."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

import pandas as pd

from jobs.entities import ENTITIES, Entity
from jobs.lake import Lake
from jobs.score import read_features, score_entities
from jobs.settings import Settings
from jobs.tracking import configure, run_tags
from models.iforest import fit, model_matrix, r_precision

log = logging.getLogger(__name__)


def evaluate(
    spark, feats, entity: Entity, model, labels: pd.DataFrame, rule_overrides=None
) -> dict[str, float]:
    """Ranking quality against injected labels (generator data only; labels never reach the model)."""
    from pyspark.sql import functions as F

    lab = labels[labels.entity_type == entity.entity_type]
    positives = set(lab.entity_id.astype(str))
    r = len(positives)
    if r == 0:
        return {}
    scored = score_entities(spark, feats, entity, model, rule_overrides)
    top = [
        row.entity_id
        for row in scored.orderBy(F.col("risk_score").desc()).select("entity_id").limit(r).collect()
    ]
    base = [
        row[entity.key]
        for row in feats.orderBy(F.col("fund_pay_total").desc()).select(entity.key).limit(r).collect()
    ]
    metrics = {
        "r_precision": r_precision(top, positives),
        "baseline_fund_r_precision": r_precision(base, positives),
        "n_positive": float(r),
    }
    top_set = set(top)
    for fraud_type, g in lab.groupby("fraud_type"):
        ids = set(g.entity_id.astype(str))
        metrics[f"recall_top_r.{fraud_type}"] = len(ids & top_set) / len(ids)
    return metrics


def run(
    spark, settings: Settings, as_of: dt.date, labels_path: Path | None = None, promote: bool | None = None
):
    """Fit, log and register a model per entity type. ``promote=None``: champion only when none exists."""
    import mlflow
    from mlflow import MlflowClient
    from mlflow.models import infer_signature

    lake = Lake(settings.lake)
    labels = pd.read_csv(labels_path, dtype=str) if labels_path and Path(labels_path).exists() else None
    out = {}
    for entity in ENTITIES.values():
        configure(settings, f"fundwatch-{entity.entity_type}")
        feats = read_features(spark, lake, entity, as_of).cache()
        n = feats.count()
        m = settings.model
        frac = min(1.0, m.max_train_rows / max(n, 1))
        sample = feats.sample(fraction=frac, seed=m.random_state) if frac < 1.0 else feats
        pdf = sample.select(entity.key, *entity.features).toPandas()
        with mlflow.start_run(
            run_name=f"train-{entity.entity_type}-{as_of.isoformat()}", tags=run_tags("train")
        ) as run:
            mlflow.log_params(
                {
                    **settings.as_params(),
                    "as_of": as_of.isoformat(),
                    "entity_type": entity.entity_type,
                    "n_features": len(entity.features),
                }
            )
            mlflow.log_text(json.dumps(list(entity.features), indent=1), "features.json")
            model = fit(pdf, entity.features, m.n_estimators, m.max_samples, m.random_state)
            mlflow.log_metrics({"training_rows": float(len(pdf)), "entities": float(n)})
            if labels is not None:
                metrics = evaluate(spark, feats, entity, model, labels, settings.rules)
                mlflow.log_metrics(metrics)
                out[entity.entity_type] = metrics
            x = model_matrix(pdf.head(5), entity.features)
            info = mlflow.sklearn.log_model(
                model,
                name="model",
                serialization_format="cloudpickle",
                signature=infer_signature(x, -model.score_samples(x)),
                input_example=x,
                registered_model_name=entity.model_name,
            )
            client = MlflowClient()
            version = info.registered_model_version
            client.set_model_version_tag(entity.model_name, version, "features", ",".join(entity.features))
            client.set_model_version_tag(entity.model_name, version, "as_of", as_of.isoformat())
            has_champion = True
            try:
                client.get_model_version_by_alias(entity.model_name, "champion")
            except Exception:
                has_champion = False
            if promote or (promote is None and not has_champion):
                client.set_registered_model_alias(entity.model_name, "champion", version)
            else:
                client.set_registered_model_alias(entity.model_name, "challenger", version)
            log.info(
                "trained %s v%s on %d rows (run %s)", entity.model_name, version, len(pdf), run.info.run_id
            )
        feats.unpersist()
    return out
