"""Rules with hard evidence, beside the isolation forests: every detector of the supervision playbook.

Each rule answers one pattern of the supervision plans (../shared/seeds), reads only the feature
tables, and keeps its thresholds as named parameters whose defaults are the published (or, where the
plans name no figure, the documented) values. Configuration overrides them (``[rules.P02]
min_split = 2`` in a ``--config`` file); ``docs/detectors.md`` is generated from this module
(``fundwatch detectors``). A fired rule becomes a clue type; the risk score puts entities with fired
rules first, ordered by the model within.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pyspark.sql import DataFrame
from pyspark.sql import functions as F


@dataclass(frozen=True)
class Rule:
    rule_id: str
    entity_type: str  # psn | fixmedins
    clue_type: str  # Chinese name of the pattern, shown to regulators
    condition: str  # Spark SQL over the feature table; {name} stands for a threshold in ``params``
    evidence: tuple[str, ...]  # features quoted, with the peer median, in the evidence text
    weight: float  # contribution to the rule score (0-1)
    source: str  # where the pattern and the threshold come from
    params: Mapping[str, float] = field(default_factory=dict)  # threshold name → default
    answers: str = ""  # the fraud it points at, for the catalogue

    def sql(self, overrides: Mapping[str, float] | None = None) -> str:
        """The condition with thresholds filled in: defaults, then ``overrides``."""
        overrides = dict(overrides or {})
        unknown = set(overrides) - set(self.params)
        if unknown:
            raise ValueError(
                f"rule {self.rule_id} has no threshold {sorted(unknown)}; it has {sorted(self.params)}"
            )
        return self.condition.format(**{**self.params, **overrides})


RULES: tuple[Rule, ...] = (
    Rule(
        "P01",
        "psn",
        "住院频次高(轻症)",
        "n_adm >= {min_adm} AND n_adm_mild >= {min_mild}",
        ("n_adm", "n_adm_mild", "adm_max_same_inst"),
        0.7,
        "seeds/002 筛查住院频次较高；轻症入院(腔隙性脑梗死、颈腰椎病)。阈值为本项目设定",
        {"min_adm": 4, "min_mild": 3},
        "诱导住院、虚假住院",
    ),
    Rule(
        "P02",
        "psn",
        "分解住院",
        "n_split_adm >= {min_split}",
        ("n_split_adm", "n_readmit_15d", "n_adm"),
        0.6,
        "seeds/000、seeds/001 分解住院；出院15日内同一机构同类诊断再入院(15日见 [features] readmit_days)，"
        "肿瘤放化疗周期除外",
        {"min_split": 1},
        "分解住院(一次住院拆成多次结算)",
    ),
    Rule(
        "P03",
        "psn",
        "同进同出/结伴住院",
        "co_adm_stays >= {min_group_stays} AND amt_peak_stays >= {min_peak_stays}",
        ("co_adm_max", "co_adm_village_max", "co_adm_stays", "amt_peak_stays"),
        0.7,
        "seeds/002 同进同出、出院报销金额接近；同日入出院≥3人为一组",
        {"min_group_stays": 1, "min_peak_stays": 1},
        "组织、招揽参保人虚假住院",
    ),
    Rule(
        "P04",
        "psn",
        "超量开药/重复购药",
        "rx_supply_ratio >= {min_supply_ratio}",
        ("rx_supply_ratio", "rx_max_drug_days", "n_pharmacy"),
        0.7,
        "seeds/001 超量开药、频繁开药；seeds/004 倒卖药品、乱开药。单一药品供应天数超过经过天数2倍",
        {"min_supply_ratio": 2.0},
        "超量开药、前次药品未用完即再次购药、倒卖药品",
    ),
    Rule(
        "P05",
        "psn",
        "重叠住院(冒名顶替)",
        "n_overlap_stays >= {min_overlap}",
        ("n_overlap_stays", "n_adm"),
        0.8,
        "seeds/000、seeds/002 冒名顶替住院、挂床住院：同一人同时在两家机构住院",
        {"min_overlap": 1},
        "冒名顶替、挂床住院",
    ),
    Rule(
        "P06",
        "psn",
        "住院期间门诊/购药(挂床)",
        "n_visits_in_stay >= {min_visits}",
        ("n_visits_in_stay", "n_adm"),
        0.6,
        "seeds/002 挂床住院(患者不在院)；住院期间另有门诊或药店结算≥2次",
        {"min_visits": 2},
        "挂床住院、冒用身份",
    ),
    Rule(
        "P07",
        "psn",
        "慢特病超范围用药",
        "n_opsp_mismatch >= {min_mismatch}",
        ("n_opsp_mismatch", "n_outpatient"),
        0.6,
        "seeds/004 门诊慢特病 超范围、假病情；用药与备案病种不符(参照 features/codes.OPSP_DRUGS)",
        {"min_mismatch": 2},
        "慢特病待遇超范围使用、为他人购药",
    ),
    Rule(
        "P08",
        "psn",
        "购药后退费(套现)",
        "n_refunded >= {min_refunded}",
        ("n_refunded", "n_pharmacy", "n_outpatient"),
        0.6,
        "seeds/004 多次购药后退费、开具检查检验项目后退费套取现金",
        {"min_refunded": 3},
        "退费套现",
    ),
    Rule(
        "P09",
        "psn",
        "死亡后发生结算",
        "n_after_death >= {min_after_death}",
        ("n_after_death", "fund_pay_total"),
        0.9,
        "seeds/000 伪造患者信息结算；contract psn_death(民政/公安死亡信息)：死亡日期后的结算",
        {"min_after_death": 1},
        "冒用已故人员身份",
    ),
    Rule(
        "P10",
        "psn",
        "诊断与性别/年龄不符",
        "n_dx_inconsistent >= {min_inconsistent}",
        ("n_dx_inconsistent",),
        0.6,
        "seeds/001 诊断与患者性别年龄不符(参照 features/codes.MALE_ONLY_DX、FEMALE_ONLY_DX、AGE_BOUND_DX)",
        {"min_inconsistent": 1},
        "虚构诊疗、冒用身份",
    ),
    Rule(
        "F01",
        "fixmedins",
        "入院时间集中/同进同出",
        "co_adm_groups >= {min_groups} AND co_adm_share >= {min_share}",
        ("co_adm_share", "co_adm_groups", "los_cv"),
        0.7,
        "seeds/002 入院时间较为集中、同进同出",
        {"min_groups": 3, "min_share": 0.3},
        "虚假住院、诱导住院",
    ),
    Rule(
        "F02",
        "fixmedins",
        "报销金额高度接近",
        "n_adm >= {min_adm} AND amt_peak_share >= {min_share}",
        ("amt_peak_share", "cost_per_stay", "n_adm"),
        0.6,
        "seeds/002 出院报销金额接近；seeds/000 套餐式治疗",
        {"min_adm": 20, "min_share": 0.3},
        "套餐式收费、虚假住院",
    ),
    Rule(
        "F03",
        "fixmedins",
        "次均费用远超同类机构",
        "(n_adm >= {min_adm} AND cost_per_stay_peer >= {min_ratio}) "
        "OR (n_visits >= {min_visits} AND cost_per_visit_peer >= {min_ratio})",
        ("cost_per_stay", "cost_per_stay_peer", "cost_per_visit", "cost_per_visit_peer"),
        0.6,
        "seeds/002 住院均次费用异常、超标准收费、过度诊疗；同类型同级别同城市机构中位数的2倍",
        {"min_adm": 20, "min_visits": 100, "min_ratio": 2.0},
        "超标准收费、过度诊疗、串换项目",
    ),
    Rule(
        "F04",
        "fixmedins",
        "药店空刷/倒卖药品",
        "swipe_groups >= {min_groups}",
        ("swipe_groups", "swipe_share", "pharm_amt_peak_share", "refund_share"),
        0.8,
        "seeds/003 药店空刷医保卡；seeds/004 倒卖药品。同一小时内≥5人购买同一药品且金额相同为一组",
        {"min_groups": 2},
        "空刷医保卡、倒卖药品",
    ),
    Rule(
        "F05",
        "fixmedins",
        "住院率远超同类机构",
        "n_adm >= {min_adm} AND adm_rate_peer >= {min_ratio}",
        ("adm_rate", "adm_rate_peer", "adm_per_patient", "mild_share"),
        0.6,
        "seeds/002 住院率高、门诊转住院、诱导住院；同类机构中位数的2倍",
        {"min_adm": 30, "min_ratio": 2.0},
        "诱导住院、门诊转住院",
    ),
)
RULE_BY_ID = {r.rule_id: r for r in RULES}


def rules_for(entity_type: str) -> list[Rule]:
    return [r for r in RULES if r.entity_type == entity_type]


def check_overrides(overrides: Mapping[str, Mapping[str, float]] | None) -> None:
    """Raise ValueError for an unknown rule id or threshold name in configuration."""
    for rid, values in (overrides or {}).items():
        if rid not in RULE_BY_ID:
            raise ValueError(
                f"[rules.{rid}] in the configuration: no such rule; rules are {sorted(RULE_BY_ID)}"
            )
        RULE_BY_ID[rid].sql(values)


def apply_rules(
    features: DataFrame, entity_type: str, overrides: Mapping[str, Mapping[str, float]] | None = None
) -> DataFrame:
    """Add ``rules_fired`` (array of rule ids) and ``rule_score`` (1 - Π(1 - weight)) to the features.

    Args:
        overrides: rule id → threshold name → value (``Settings.rules``); the rest keep their defaults.
    """
    check_overrides(overrides)
    rules = rules_for(entity_type)
    conds = {
        r.rule_id: F.coalesce(F.expr(r.sql((overrides or {}).get(r.rule_id))), F.lit(False)) for r in rules
    }
    fired = F.array(*[F.when(c, F.lit(rid)) for rid, c in conds.items()]) if rules else F.array()
    keep = F.filter(fired, lambda x: x.isNotNull())
    miss = F.lit(1.0)
    for r in rules:
        miss = miss * F.when(conds[r.rule_id], F.lit(1.0 - r.weight)).otherwise(F.lit(1.0))
    return features.withColumn("rules_fired", keep).withColumn("rule_score", 1.0 - miss)
