"""Score job: the champion models score every entity, distributed (broadcast model, mapInPandas)."""

from __future__ import annotations

import datetime as dt
import logging

from jobs.entities import ENTITIES, Entity
from jobs.lake import Lake, LakeError
from jobs.settings import Settings
from models.iforest import score_batches
from models.rules import apply_rules, risk_score, rules_for

log = logging.getLogger(__name__)
SCORES = "gold/entity_scores"


def read_features(spark, lake: Lake, entity: Entity, as_of: dt.date):
    from pyspark.sql import functions as F

    df = lake.read(spark, entity.table).filter(F.col("as_of") == F.lit(as_of))
    return df


def reranker_inputs(features, scores, entity: Entity, keep=()):
    """Per entity: ``entity_id``, the features, ``model_score``, ``evidence_tier`` and ``strength_<rule>`` for
    each of the entity type's rules (0 when it did not fire): what ``models.reranker`` reads. ``features``
    and ``scores`` are keyed by ``entity_id`` (and ``as_of`` when it is in ``keep``)."""
    from pyspark.sql import functions as F

    from models.reranker import strength_columns

    ids = [r.rule_id for r in rules_for(entity.entity_type)]
    keys = ["entity_id", *[c for c in keep if c == "as_of"]]
    strengths = [
        F.coalesce(F.col("rule_strengths")[r], F.lit(0.0)).alias(c)
        for r, c in zip(ids, strength_columns(ids), strict=True)
    ]
    return features.select(*keys, *entity.features).join(
        scores.select(*keys, *[c for c in keep if c not in keys], "model_score", "evidence_tier", *strengths),
        keys,
    )


def score_entities(
    spark, features, entity: Entity, model, rule_overrides=None, rule_weights=None, reranker=None
):
    """entity_id, model_score, rule_score, rules_fired, learned_score, risk_score for every row of ``features``.

    The models are broadcast once and applied per partition; nothing is collected to the driver.
    ``rule_weights``: weights learned from verified clues per region (``learned_weights``), or None.
    ``reranker``: the promoted re-ranker (``load_reranker``), or None: ``learned_score`` is then null.
    """
    from pyspark.sql import functions as F

    from models import reranker as rr

    bmodel = spark.sparkContext.broadcast(model)
    cols = list(entity.features)
    key = entity.key

    def _score(batches):
        yield from score_batches(batches, bmodel.value, cols, key)

    scored = features.select(key, *cols).mapInPandas(_score, "entity_id string, model_score double")
    ruled = apply_rules(features, entity.entity_type, rule_overrides, rule_weights, entity.admdvs).select(
        F.col(key).alias("entity_id"),
        "rules_fired",
        "rule_strengths",
        "evidence_tier",
        "rule_score",
        "expected_precision",
    )
    scored = scored.join(ruled, "entity_id")
    if reranker is None:
        scored = scored.withColumn("learned_score", F.lit(None).cast("double"))
        learned = None
    else:
        brr = spark.sparkContext.broadcast(reranker)
        ids = [r.rule_id for r in rules_for(entity.entity_type)]

        def _learn(batches):
            for pdf in batches:
                p = rr.learned_score(brr.value, pdf, cols, ids)
                yield pdf[["entity_id"]].assign(learned_score=p)

        inputs = reranker_inputs(features.withColumnRenamed(key, "entity_id"), scored, entity)
        scored = scored.join(
            inputs.mapInPandas(_learn, "entity_id string, learned_score double"), "entity_id"
        )
        learned = F.col("learned_score")
    # hard evidence first, strength next, the model (and what verifiers taught) last: models.rules.risk_score
    return scored.withColumn(
        "risk_score",
        F.round(risk_score(F.col("evidence_tier"), F.col("rule_score"), F.col("model_score"), learned), 6),
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


def load_reranker(settings: Settings, entity: Entity):
    """(model, version) of the promoted re-ranker (``models.reranker``), or (None, None) when none was
    promoted or it no longer fits the code's features and rules."""
    import mlflow
    from mlflow import MlflowClient

    from jobs.tracking import configure

    name = f"{entity.model_name}_reranker"
    configure(settings, f"fundwatch-{entity.entity_type}-reranker")
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
    return mlflow.sklearn.load_model(f"models:/{name}/{mv.version}"), f"{name}/{mv.version}"


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
        feats = read_features(spark, lake, entity, as_of)
        scored = score_entities(spark, feats, entity, model, settings.rules, weights, rerank)
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
