"""Scoring entities (pure Spark transforms): the forest, the rules and the re-ranker, one risk score.

The models are broadcast once and applied per partition with ``mapInPandas``; nothing is collected to the
driver. The score stage (``jobs/score.py``) and the training stage's evaluation both score through here.
"""

from __future__ import annotations

from models.entities import Entity
from models.iforest import score_batches
from models.rules import apply_rules, risk_score, rules_for


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
        yield from score_batches(batches, bmodel.value, key)

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
    where = getattr(
        reranker, "support_", None
    )  # None: a re-ranker fitted before supports reorders everywhere
    support = None
    if learned is not None and where is not None:
        tiers = F.create_map(*[F.lit(x) for t, s in sorted(where.items()) for x in (t, float(s))])
        support = tiers[F.col("evidence_tier")] if where else F.lit(None).cast("double")
    # hard evidence first, strength next, the model (and what verifiers taught) last: models.rules.risk_score
    return scored.withColumn(
        "risk_score",
        F.round(
            risk_score(F.col("evidence_tier"), F.col("rule_score"), F.col("model_score"), learned, support), 6
        ),
    )
