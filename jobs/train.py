"""Train job: one isolation forest per entity type, tracked and registered in MLflow."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

import pandas as pd

from jobs.entities import ENTITIES, Entity
from jobs.lake import Lake, LakeError
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


def verified_outcomes(lake: Lake, as_of: dt.date) -> pd.DataFrame:
    """Entity labels from the verification loop (clue_feedback on issued clues), known on ``as_of``."""
    from jobs import lifecycle
    from jobs.publish import verified_register

    return lifecycle.feedback_labels(verified_register(lake, as_of))


def feedback_auc(
    spark, feats, entity: Entity, model, outcomes: pd.DataFrame, rule_overrides=None
) -> float | None:
    """ROC AUC of the risk score between confirmed (查实) and dismissed (不属实) entities; None without both."""
    from pyspark.sql import functions as F
    from sklearn.metrics import roc_auc_score

    lab = outcomes[outcomes.entity_type == entity.entity_type]
    if lab.confirmed.nunique() < 2:
        return None
    ids = lab.entity_id.tolist()
    scored = score_entities(spark, feats.filter(F.col(entity.key).isin(ids)), entity, model, rule_overrides)
    risk = scored.select("entity_id", "risk_score").toPandas().merge(lab, on="entity_id")
    if risk.confirmed.nunique() < 2:
        return None
    return float(roc_auc_score(risk.confirmed, risk.risk_score))


def run(
    spark,
    settings: Settings,
    as_of: dt.date,
    labels_path: Path | None = None,
    promote: bool | str | None = None,
):
    """Fit, log and register a model per entity type.

    ``promote``: True makes the new model champion; None only when there is no champion yet;
    ``"if_better"`` when its ROC AUC on verified clue outcomes (查实 vs 不属实) is at least the champion's
    (without outcomes of both kinds it stays challenger).
    """
    import mlflow
    from mlflow import MlflowClient
    from mlflow.models import infer_signature

    lake = Lake(settings.lake)
    labels = pd.read_csv(labels_path, dtype=str) if labels_path and Path(labels_path).exists() else None
    outcomes = verified_outcomes(lake, as_of)
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
            better = None
            auc = feedback_auc(spark, feats, entity, model, outcomes, settings.rules)
            if auc is not None:
                mlflow.log_metric("feedback_auc", auc)
                out.setdefault(entity.entity_type, {})["feedback_auc"] = auc
                try:
                    from jobs.score import load_champion

                    champ, champ_version = load_champion(settings, entity)
                    champ_auc = feedback_auc(spark, feats, entity, champ, outcomes, settings.rules)
                    mlflow.log_metric("champion_feedback_auc", champ_auc)
                    mlflow.set_tag("champion_compared", champ_version)
                    better = auc >= champ_auc
                    log.info(
                        "%s: feedback AUC %.3f vs champion %s %.3f",
                        entity.model_name,
                        auc,
                        champ_version,
                        champ_auc,
                    )
                except LakeError:
                    better = True
            client.set_model_version_tag(entity.model_name, version, "features", ",".join(entity.features))
            client.set_model_version_tag(entity.model_name, version, "as_of", as_of.isoformat())
            has_champion = True
            try:
                client.get_model_version_by_alias(entity.model_name, "champion")
            except Exception:
                has_champion = False
            if (
                promote is True
                or (promote is None and not has_champion)
                or (promote == "if_better" and better)
            ):
                client.set_registered_model_alias(entity.model_name, "champion", version)
            else:
                client.set_registered_model_alias(entity.model_name, "challenger", version)
            log.info(
                "trained %s v%s on %d rows (run %s)", entity.model_name, version, len(pdf), run.info.run_id
            )
        feats.unpersist()
    return out
