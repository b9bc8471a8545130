"""Scoring entities (pure Spark transforms): the forest, the rules and the re-ranker, one risk score.

The models are broadcast once and applied batch by batch with scalar pandas UDFs; nothing is collected to
the driver. The score stage (``jobs/score.py``) and the training stage's evaluation both score through here.
"""

from __future__ import annotations

import pandas as pd

from models.entities import Entity
from models.rules import apply_rules, risk_score, rules_for


def strength_inputs(entity: Entity) -> list:
    """``strength_<rule>`` for each of the entity type's rules, from ``rule_strengths`` (0 when it did not fire):
    the re-ranker's inputs beside the features (``models.reranker.inputs``)."""
    from pyspark.sql import functions as F

    from models.reranker import strength_columns

    ids = [r.rule_id for r in rules_for(entity.entity_type)]
    return [
        F.coalesce(F.col("rule_strengths")[r], F.lit(0.0)).alias(c)
        for r, c in zip(ids, strength_columns(ids), strict=True)
    ]


def reranker_inputs(features, scores, entity: Entity, keep=()):
    """Per entity: ``entity_id``, the features, ``model_score``, ``evidence_tier`` and ``strength_<rule>`` for
    each of the entity type's rules (0 when it did not fire): what ``models.reranker`` reads. ``features``
    and ``scores`` are keyed by ``entity_id`` (and ``as_of`` when it is in ``keep``)."""
    keys = ["entity_id", *[c for c in keep if c == "as_of"]]
    strengths = strength_inputs(entity)
    return features.select(*keys, *entity.features).join(
        scores.select(*keys, *[c for c in keep if c not in keys], "model_score", "evidence_tier", *strengths),
        keys,
    )


def score_entities(
    spark, features, entity: Entity, model, rule_overrides=None, rule_weights=None, reranker=None, keep=()
):
    """entity_id, model_score, rule_score, rules_fired, learned_score, risk_score for every row of ``features``
    (and the columns of ``features`` named in ``keep``).

    The models are broadcast once and applied batch by batch as scalar pandas UDFs beside the rules, row by
    row: no join, no shuffle, nothing collected to the driver.
    ``rule_weights``: weights learned from verified clues per region (``learned_weights``), or None.
    ``reranker``: the promoted re-ranker (``load_reranker``), or None: ``learned_score`` is then null.
    """
    from pyspark.sql import functions as F
    from pyspark.sql.functions import pandas_udf

    from models import reranker as rr

    bmodel = spark.sparkContext.broadcast(model)
    cols = list(entity.features)

    @pandas_udf("double")
    def _forest(rows: pd.DataFrame) -> pd.Series:
        return pd.Series(bmodel.value.predict(rows))

    ruled = apply_rules(features, entity.entity_type, rule_overrides, rule_weights, entity.admdvs)
    scored = ruled.select(
        F.col(entity.key).alias("entity_id"),
        *keep,
        _forest(F.struct(*cols)).alias("model_score"),
        "rules_fired",
        "rule_strengths",
        "evidence_tier",
        "rule_score",
        "expected_precision",
        *[c for c in cols if c not in keep],
    )
    if reranker is None:
        scored = scored.withColumn("learned_score", F.lit(None).cast("double"))
        learned = None
    else:
        brr = spark.sparkContext.broadcast(reranker)
        ids = [r.rule_id for r in rules_for(entity.entity_type)]

        @pandas_udf("double")
        def _learn(rows: pd.DataFrame) -> pd.Series:
            return pd.Series(rr.learned_score(brr.value, rows, cols, ids))

        scored = scored.withColumn(
            "learned_score", _learn(F.struct(*cols, "model_score", "evidence_tier", *strength_inputs(entity)))
        )
        learned = F.col("learned_score")
    scored = scored.drop(*[c for c in cols if c not in keep])
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
