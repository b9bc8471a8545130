"""Train job: one isolation forest per entity type, tracked and registered in MLflow."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

import pandas as pd

from jobs.lake import Lake, LakeError
from jobs.lake.outcomes import verified_entities
from jobs.lake.tables import SCORES, features
from jobs.runtime.settings import Settings
from jobs.runtime.tracking import configure, has_champions, load_champion, register, run_tags
from models import reranker
from models.entities import ENTITIES, Entity
from models.iforest import ARTIFACT, TRUSTED_TYPES, fit, r_precision
from models.rules import rules_for
from models.scoring import reranker_inputs, score_entities

log = logging.getLogger(__name__)


def training_input(lake: Lake, entity: Entity, pdf: pd.DataFrame, as_of: dt.date):
    """What a forest was trained on, as an MLflow dataset: the sampled rows' features, read from the
    feature table at its Delta version (path and version), named by table and week."""
    import mlflow
    from mlflow.data.delta_dataset_source import DeltaDatasetSource

    name = features(entity.entity_type)
    source = DeltaDatasetSource(path=str(lake.path(name).resolve()), delta_table_version=lake.version(name))
    return mlflow.data.from_pandas(
        pdf[list(entity.features)], source=source, name=f"{name}@{as_of.isoformat()}"
    )


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


def outcome_table(spark, lake: Lake, entity: Entity, outcomes: pd.DataFrame) -> pd.DataFrame:
    """The verified entities of ``entity``'s type with what the ranking knew in the week their clue was
    issued: its features, the forest's score, each rule's strength, the tier and the risk score."""
    from pyspark.sql import functions as F

    lab = outcomes[outcomes.entity_type == entity.entity_type]
    if lab.empty or not lake.exists(SCORES):
        return pd.DataFrame()
    weeks = sorted({d.isoformat() for d in lab.issued})
    keys = spark.createDataFrame(
        pd.DataFrame(
            {
                "entity_id": lab.entity_id,
                "as_of": [d.isoformat() for d in lab.issued],
                "confirmed": lab.confirmed.astype(int),
            }
        )  # fmt: skip
    ).withColumn("as_of", F.to_date("as_of"))
    scores = lake.read(spark, SCORES).filter(
        (F.col("entity_type") == entity.entity_type) & F.col("as_of").isin(weeks)
    )
    feats = lake.read(spark, features(entity.entity_type)).filter(F.col("as_of").isin(weeks))
    rows = reranker_inputs(
        feats.withColumnRenamed(entity.key, "entity_id"),
        scores,
        entity,
        ("as_of", "risk_score", "rule_score"),
    ).join(keys, ["entity_id", "as_of"])
    return rows.toPandas().rename(columns={"as_of": "issued"})


def train_reranker(spark, lake: Lake, settings: Settings, entity: Entity, as_of: dt.date, outcomes) -> dict:
    """Fit the re-ranker on the outcomes verified by ``as_of`` and register it; champion only when the
    time-split backtest ranks the later outcomes better than the scores that issued them."""
    import mlflow
    from mlflow import MlflowClient

    rule_ids = [r.rule_id for r in rules_for(entity.entity_type)]
    df = outcome_table(spark, lake, entity, outcomes)
    name = entity.reranker_name
    if df.empty or not reranker.enough(df):
        log.info("%s: %d verified outcome(s), too few to learn from yet", name, len(df))
        return {"outcomes": float(len(df))}
    configure(settings, entity.reranker_experiment)
    with mlflow.start_run(
        run_name=f"rerank-{entity.entity_type}-{as_of.isoformat()}", tags=run_tags("rerank", settings, as_of)
    ):
        bt = reranker.backtest(df, entity.features, rule_ids, settings.model.random_state)
        metrics = {"outcomes": float(len(df)), "confirmed": float(df.confirmed.sum())}
        if bt is not None:
            metrics |= {"backtest_precision_at_k": bt.candidate, "backtest_champion_precision_at_k": bt.champion,
                        "backtest_k": float(bt.k), "backtest_train": float(bt.n_train), "backtest_test": float(bt.n_test)}  # fmt: skip
            mlflow.set_tag("backtest_cut", bt.cut)
        mlflow.log_params(
            {"as_of": as_of.isoformat(), "entity_type": entity.entity_type, "rules": ",".join(rule_ids)}
        )
        mlflow.log_metrics(metrics)
        model = reranker.fit(df, entity.features, rule_ids, settings.model.random_state)
        x = reranker.inputs(df.head(5), entity.features, rule_ids)
        support = ",".join(f"{t}:{v:.4f}" for t, v in sorted(model.support_.items()))
        tags = {"features": ",".join(entity.features), "rules": ",".join(rule_ids), "support": support}
        version = register(model, name, "reranker", x, model.predict_proba(x)[:, 1], tags)
        client = MlflowClient()
        promote = bt is not None and bt.better
        client.set_registered_model_alias(name, "champion" if promote else "challenger", version)
        log.info(
            "%s v%s on %d outcomes: backtest precision in the top k %s → %s",
            name,
            version,
            len(df),
            "n/a" if bt is None else f"{bt.candidate:.3f} vs {bt.champion:.3f} (k={bt.k})",
            "champion" if promote else "challenger",
        )
    return metrics


# When a newly trained forest becomes champion (``run``'s ``promote``).
ALWAYS = "always"  # fundwatch train --promote, and fundwatch run when it trains
IF_BETTER = "if_better"  # --promote-if-better: its AUC on verified outcomes at least the champion's
IF_NONE = "if_none"  # otherwise: only when there is no champion (that fits the code) yet
PROMOTE = (ALWAYS, IF_BETTER, IF_NONE)


def run(
    spark,
    settings: Settings,
    as_of: dt.date,
    labels_path: Path | None = None,
    promote: str = IF_NONE,
):
    """Fit, log and register a model per entity type.

    ``promote`` (one of ``PROMOTE``): ``ALWAYS`` makes the new model champion; ``IF_NONE`` only when there is
    no champion yet; ``IF_BETTER`` when its ROC AUC on verified clue outcomes (查实 vs 不属实) is at least the
    champion's (without outcomes of both kinds it stays challenger).
    """
    if promote not in PROMOTE:
        raise ValueError(f"promote must be one of {PROMOTE}, not {promote!r}")
    import mlflow
    from mlflow import MlflowClient

    lake = Lake(settings.lake)
    labels = pd.read_csv(labels_path, dtype=str) if labels_path and Path(labels_path).exists() else None
    outcomes = verified_entities(lake, as_of)
    out = {}
    for entity in ENTITIES.values():
        configure(settings, f"fundwatch-{entity.entity_type}")
        feats = lake.read_as_of(spark, features(entity.entity_type), as_of).cache()
        n = feats.count()
        m = settings.model
        frac = min(1.0, m.max_train_rows / max(n, 1))
        sample = feats.sample(fraction=frac, seed=m.random_state) if frac < 1.0 else feats
        pdf = sample.select(entity.key, *entity.features).toPandas()
        with mlflow.start_run(
            run_name=f"train-{entity.entity_type}-{as_of.isoformat()}",
            tags=run_tags("train", settings, as_of),
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
            dataset = training_input(lake, entity, pdf, as_of)
            mlflow.log_input(dataset, context="training")
            model = fit(pdf, entity.features, m.n_estimators, m.max_samples, m.random_state)
            mlflow.log_metrics({"training_rows": float(len(pdf)), "entities": float(n)})
            # what the model is judged by, logged tied to the model version (the registry shows them)
            metrics = (
                evaluate(spark, feats, entity, model, labels, settings.rules) if labels is not None else {}
            )
            auc = feedback_auc(spark, feats, entity, model, outcomes, settings.rules)
            if auc is not None:
                metrics["feedback_auc"] = auc
            if metrics:
                out[entity.entity_type] = dict(metrics)
            x = pdf.head(5)[list(entity.features)]
            tags = {"features": ",".join(entity.features), "as_of": as_of.isoformat(), "artifact": ARTIFACT}
            version = register(
                model, entity.model_name, "model", x, model.predict(x), tags, TRUSTED_TYPES, metrics, dataset
            )
            client = MlflowClient()
            better = None
            if auc is not None:
                try:
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
            if (
                promote == ALWAYS
                or (promote == IF_NONE and not has_champions(settings, [entity]))
                or (promote == IF_BETTER and better)
            ):
                client.set_registered_model_alias(entity.model_name, "champion", version)
            else:
                client.set_registered_model_alias(entity.model_name, "challenger", version)
            log.info(
                "trained %s v%s on %d rows (run %s)", entity.model_name, version, len(pdf), run.info.run_id
            )
        feats.unpersist()
        out.setdefault(entity.entity_type, {}).update(
            {
                f"reranker.{k}": v
                for k, v in train_reranker(spark, lake, settings, entity, as_of, outcomes).items()
            }
        )
    return out
