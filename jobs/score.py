"""Score job: the champion models score every entity, distributed (broadcast model, mapInPandas)."""

from __future__ import annotations

import datetime as dt
import logging

from jobs.entities import ENTITIES, Entity
from jobs.lake import Lake, LakeError
from jobs.settings import Settings
from models.iforest import score_batches
from models.rules import apply_rules, risk_score

log = logging.getLogger(__name__)
SCORES = "gold/entity_scores"


def read_features(spark, lake: Lake, entity: Entity, as_of: dt.date):
    from pyspark.sql import functions as F

    df = lake.read(spark, entity.table).filter(F.col("as_of") == F.lit(as_of))
    return df


def score_entities(spark, features, entity: Entity, model, rule_overrides=None, rule_weights=None):
    """entity_id, model_score, rule_score, rules_fired, risk_score for every row of ``features``.

    The model is broadcast once and applied per partition; nothing is collected to the driver.
    ``rule_weights``: weights learned from verified clues per region (``learned_weights``), or None.
    """
    from pyspark.sql import functions as F

    bmodel = spark.sparkContext.broadcast(model)
    cols = list(entity.features)
    key = entity.key

    def _score(batches):
        yield from score_batches(batches, bmodel.value, cols, key)

    scored = features.select(key, *cols).mapInPandas(_score, "entity_id string, model_score double")
    ruled = apply_rules(features, entity.entity_type, rule_overrides, rule_weights, entity.admdvs).select(
        F.col(key).alias("entity_id"), "rules_fired", "rule_strengths", "evidence_tier", "rule_score"
    )
    # hard evidence first, strength next, the model last (models.rules.risk_score)
    return scored.join(ruled, "entity_id").withColumn(
        "risk_score",
        F.round(risk_score(F.col("evidence_tier"), F.col("rule_score"), F.col("model_score")), 6),
    )


def learned_weights(spark, lake: Lake, as_of: dt.date):
    """Each rule's weight per region after the outcomes verified by ``as_of`` (``models.feedback``), as a
    Spark DataFrame (admdvs, rule_id, weight); None before any clue was verified."""
    from jobs.publish import verified_register  # publish owns gold/clues (and imports this module)
    from models.feedback import rule_weights
    from models.rules import RULES

    weights = rule_weights(verified_register(lake, as_of), RULES)
    if weights.empty:
        return None
    log.info(
        "rule weights learned from %d verified clue outcome(s)",
        int(weights.confirmed.sum() + weights.dismissed.sum()),
    )
    return spark.createDataFrame(weights[["admdvs", "rule_id", "weight"]])


def champion_version(settings: Settings, entity: Entity):
    """The registered champion's model version; LakeError when there is none or it no longer fits the code."""
    from mlflow import MlflowClient

    from jobs.tracking import configure

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
    return mv


def load_champion(settings: Settings, entity: Entity):
    """(model, version) of the registered champion."""
    import mlflow

    mv = champion_version(settings, entity)
    model = mlflow.sklearn.load_model(f"models:/{entity.model_name}/{mv.version}")
    return model, f"{entity.model_name}/{mv.version}"


def run(spark, settings: Settings, as_of: dt.date) -> dict[str, int]:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    lake = Lake(settings.lake)
    counts = {}
    weights = learned_weights(spark, lake, as_of)
    for entity in ENTITIES.values():
        model, version = load_champion(settings, entity)
        feats = read_features(spark, lake, entity, as_of)
        scored = score_entities(spark, feats, entity, model, settings.rules, weights)
        ctx = feats.select(
            F.col(entity.key).alias("entity_id"), F.col(entity.admdvs).alias("admdvs"), "fund_pay_total"
        )
        w = Window.partitionBy("entity_type").orderBy(
            F.col("risk_score").desc(), F.col("fund_pay_total").desc(), F.col("entity_id")
        )
        out = (
            scored.join(ctx, "entity_id")
            .withColumn("entity_type", F.lit(entity.entity_type))
            .withColumn("rank", F.row_number().over(w))
            .select(
                F.lit(as_of).alias("as_of"),
                "entity_type",
                "entity_id",
                "risk_score",
                "rank",
                F.lit(version).alias("model_version"),
                "admdvs",
                "model_score",
                "rule_score",
                "rules_fired",
                "rule_strengths",
                "evidence_tier",
                "fund_pay_total",
            )
        )
        lake.write(
            out,
            SCORES,
            mode="overwrite",
            partition_by=["as_of", "entity_type"],
            replace=[("as_of", "=", as_of.isoformat()), ("entity_type", "=", entity.entity_type)],
            metadata={"stage": "score", "as_of": as_of.isoformat(), "model_version": version},
        )
        counts[entity.entity_type] = feats.count()
        log.info("scored %d %s with %s", counts[entity.entity_type], entity.entity_type, version)
    return counts
