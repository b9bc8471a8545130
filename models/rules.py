"""Rules with hard evidence, beside the isolation forests.

Each rule answers one pattern of the supervision plans (../shared/seeds), reads only the feature
tables, and has its threshold in one place with the published source. A fired rule becomes a clue
type; the risk score puts entities with fired rules first, ordered by the model within.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F


@dataclass(frozen=True)
class Rule:
    rule_id: str
    entity_type: str  # psn | fixmedins
    clue_type: str  # Chinese name of the pattern, shown to regulators
    condition: str  # Spark SQL over the feature table
    evidence: tuple[str, ...]  # features quoted in the evidence text
    weight: float  # contribution to the rule score (0-1)
    source: str  # where the pattern and threshold come from


RULES: tuple[Rule, ...] = (
    Rule(
        "P01",
        "psn",
        "住院频次高(轻症)",
        "n_adm >= 4 AND n_adm_mild >= 3",
        ("n_adm", "n_adm_mild", "adm_max_same_inst"),
        0.7,
        "seeds/002 筛查住院频次较高；轻症入院(腔隙性脑梗死、颈腰椎病)",
    ),
    Rule(
        "P02",
        "psn",
        "分解住院",
        "n_readmit_15d >= 2",
        ("n_readmit_15d", "n_adm"),
        0.5,
        "seeds/001 DRG 分解住院；15日内再入院",
    ),
    Rule(
        "P03",
        "psn",
        "同进同出/结伴住院",
        "co_adm_stays >= 1 AND amt_peak_stays >= 1",
        ("co_adm_max", "co_adm_stays", "amt_peak_stays"),
        0.7,
        "seeds/002 同进同出、出院报销金额接近",
    ),
    Rule(
        "P04",
        "psn",
        "超量开药/重复购药",
        "rx_supply_ratio >= 2.0",
        ("rx_supply_ratio", "rx_max_drug_days", "n_pharmacy"),
        0.7,
        "seeds/001 超量开药、频繁开药；seeds/004 倒卖药品",
    ),
    Rule(
        "F01",
        "fixmedins",
        "入院时间集中/同进同出",
        "co_adm_groups >= 3 AND co_adm_share >= 0.3",
        ("co_adm_share", "co_adm_groups", "los_cv"),
        0.7,
        "seeds/002 入院时间较为集中、同进同出",
    ),
    Rule(
        "F02",
        "fixmedins",
        "报销金额高度接近",
        "n_adm >= 20 AND amt_peak_share >= 0.3",
        ("amt_peak_share", "cost_per_stay", "n_adm"),
        0.6,
        "seeds/002 出院报销金额接近",
    ),
)


def rules_for(entity_type: str) -> list[Rule]:
    return [r for r in RULES if r.entity_type == entity_type]


def apply_rules(features: DataFrame, entity_type: str) -> DataFrame:
    """Add ``rules_fired`` (array of rule ids) and ``rule_score`` (1 - Π(1 - weight)) to the features."""
    rules = rules_for(entity_type)
    fired = F.array(*[F.when(F.expr(r.condition), F.lit(r.rule_id)) for r in rules]) if rules else F.array()
    keep = F.filter(fired, lambda x: x.isNotNull())
    miss = F.lit(1.0)
    for r in rules:
        miss = miss * F.when(F.expr(r.condition), F.lit(1.0 - r.weight)).otherwise(F.lit(1.0))
    return features.withColumn("rules_fired", keep).withColumn("rule_score", 1.0 - miss)
