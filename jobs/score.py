"""Score job: the champion models score every entity, distributed (broadcast model, scalar pandas UDFs)."""

from __future__ import annotations

import datetime as dt
import logging

from jobs.lake import Lake
from jobs.lake.tables import SCORES, features
from jobs.runtime.settings import Settings
from jobs.runtime.tracking import load_champion, load_reranker
from models.entities import ENTITIES
from models.scoring import score_entities

log = logging.getLogger(__name__)


def learned_weights(spark, lake: Lake, as_of: dt.date):
    """Each rule's weight per region after the outcomes verified by ``as_of`` (``models.feedback``), as a
    Spark DataFrame (admdvs, rule_id, weight); None before any clue was verified."""
    from jobs.lake.outcomes import verified_register
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


def run(spark, settings: Settings, as_of: dt.date) -> dict[str, int]:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    lake = Lake(settings.lake)
    counts = {}
    weights = learned_weights(spark, lake, as_of)
    for entity in ENTITIES.values():
        model, version = load_champion(settings, entity)
        rerank, rerank_version = load_reranker(settings, entity)
        if rerank_version:
            version = f"{version}+{rerank_version}"
        feats = lake.read_as_of(spark, features(entity.entity_type), as_of)
        scored = score_entities(
            spark,
            feats,
            entity,
            model,
            settings.rules,
            weights,
            rerank,
            keep=[entity.admdvs, "fund_pay_total"],
        ).withColumnRenamed(entity.admdvs, "admdvs")
        w = Window.partitionBy("entity_type").orderBy(
            F.col("risk_score").desc(), F.col("fund_pay_total").desc(), F.col("entity_id")
        )
        out = (
            scored.withColumn("entity_type", F.lit(entity.entity_type))
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
                "expected_precision",
                "learned_score",
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
