"""Rules with hard evidence, beside the isolation forests: every detector of the supervision playbook.

Each rule answers one pattern of the supervision plans (../shared/seeds), reads only the feature
tables, and keeps its thresholds as named parameters whose defaults are the published (or, where the
plans name no figure, the documented) values. Configuration overrides them (``[rules.P02]
min_split = 2`` in a ``--config`` file); ``docs/detectors.md`` is generated from this module
(``fundwatch detectors``). A fired rule becomes a clue type.

Evidence is graded, not a bit. Each rule has a kind: **hard** evidence is a documented impossibility or
violation that a verifier can confirm from the records alone (one person in two hospitals at once, a
settlement after death, a childbirth billed on a man's card, a chronic-disease benefit spent on another
disease's drugs); **soft** evidence is a circumstantial pattern that legitimate care also produces (a
readmission days after discharge, a purchase during a stay, people admitted together). Each rule also yields
a **strength** in [0, 1] from its own evidence (a readmission the next day is strong, one twelve days later
weak). The risk score (``risk_score``) puts hard evidence first, strength next, the model last.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

HARD, SOFT = "hard", "soft"


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
    kind: str = "soft"  # HARD: a documented impossibility or violation; SOFT: a circumstantial pattern
    # Spark SQL over the feature table, in [0, 1] where the rule fires (clipped): how strong this entity's
    # evidence is; {name} stands for a threshold
    strength: str = "1.0"
    strength_doc: str = ""  # the strength in words, for the catalogue

    def sql(self, overrides: Mapping[str, float] | None = None) -> str:
        """The condition with thresholds filled in: defaults, then ``overrides``."""
        overrides = dict(overrides or {})
        unknown = set(overrides) - set(self.params)
        if unknown:
            raise ValueError(
                f"rule {self.rule_id} has no threshold {sorted(unknown)}; it has {sorted(self.params)}"
            )
        return self.condition.format(**{**self.params, **overrides})

    def strength_sql(self, overrides: Mapping[str, float] | None = None) -> str:
        return self.strength.format(**{**self.params, **dict(overrides or {})})


RULES: tuple[Rule, ...] = (
    Rule(
        "P01",
        "psn",
        "住院频次高(轻症)",
        "n_adm >= {min_adm} AND n_adm_mild >= {min_mild}",
        ("n_adm", "n_adm_mild", "adm_max_same_inst"),
        0.6,
        "seeds/002 筛查住院频次较高；轻症入院(腔隙性脑梗死、颈腰椎病)。阈值为本项目设定",
        {"min_adm": 4, "min_mild": 3},
        "诱导住院、虚假住院",
        kind=SOFT,
        strength="0.4 + 0.1 * (n_adm_mild - {min_mild}) + 0.05 * GREATEST(adm_max_same_inst - 3, 0)",
        strength_doc="0.4 at the threshold, +0.1 per further mild admission, +0.05 per admission beyond 3 at one institution",
    ),
    Rule(
        "P02",
        "psn",
        "分解住院",
        "n_split_adm >= {min_split}",
        ("n_split_adm", "n_readmit", "n_adm"),
        0.5,
        "seeds/000、seeds/001 分解住院；出院15日内同一机构同类诊断再入院(15日见 [features] readmit_days)，"
        "肿瘤放化疗周期除外",
        {"min_split": 1},
        "分解住院(一次住院拆成多次结算)",
        kind=SOFT,
        strength="split_score",
        strength_doc="per split readmission 1 − (gap days − 1) / readmit_days (the next day 1.0, the 15th day 0.07), ×0.6 when the full diagnosis code differs; summed over the person's split readmissions",
    ),
    Rule(
        "P03",
        "psn",
        "同进同出/结伴住院",
        "co_adm_stays >= {min_group_stays} AND (co_adm_same_amt_max >= {min_same_amt} "
        "OR co_adm_village_stays >= {min_village_stays})",
        ("co_adm_max", "co_adm_village_max", "co_adm_same_amt_max", "co_adm_stays", "co_adm_village_stays"),
        0.7,
        "seeds/002 同进同出、出院报销金额接近；前后1日内入院且出院≥3人为一组(超出该机构偶然水平，或同村、或金额相近)，"
        "且其中≥2人报销金额相差约1%以内；该机构全年常收的金额(单病种等打包价，features/windows.PRICE_MIN_OTHERS)不算相近；"
        "或与≥2名同村者反复(≥2次)同进同出、且病种无共同病因(传染病、急性呼吸道感染、外伤中毒、放化疗，"
        "features/codes.COMMON_CAUSE_DX)",
        {"min_group_stays": 1, "min_same_amt": 2, "min_village_stays": 2},
        "组织、招揽参保人虚假住院",
        kind=SOFT,
        strength="0.3 + 0.04 * LEAST(co_adm_max, 10) + 0.2 * CAST(co_adm_village_max >= 2 AS INT) + 0.2 * CAST(co_adm_same_amt_max >= 2 AS INT) + 0.2 * (co_adm_stays - 1)",
        strength_doc="0.3, +0.04 per co-admitted person (up to 10), +0.2 when ≥ 2 of them live in the person's village, +0.2 when ≥ 2 were billed within about 1% of the person, "
        "+0.2 per further co-admitted stay",
    ),
    Rule(
        "P04",
        "psn",
        "超量开药/重复购药",
        "rx_supply_ratio >= {min_supply_ratio}",
        ("rx_supply_ratio", "rx_max_drug_days", "n_pharmacy"),
        0.7,
        "seeds/001 超量开药、频繁开药；seeds/004 倒卖药品、乱开药。单一药品末次购药前的供应天数超过首末次购药间隔2倍"
        "(药品持有率 MPR)，并与本地该药常规购药者的中位数相比(周期天数按包装量登记等本地习惯不算超量，"
        "features/psn.supply_ratio)",
        {"min_supply_ratio": 2.0},
        "超量开药、前次药品未用完即再次购药、倒卖药品",
        kind=SOFT,
        strength="(rx_supply_ratio - 1) / 2",
        strength_doc="supply ratio 2 → 0.5, 3 → 1.0",
    ),
    Rule(
        "P05",
        "psn",
        "重叠住院(冒名顶替)",
        "n_overlap_stays >= {min_overlap}",
        ("n_overlap_stays", "n_adm"),
        0.95,
        "seeds/000、seeds/002 冒名顶替住院、挂床住院：同一人同时在两家机构住院",
        {"min_overlap": 1},
        "冒名顶替、挂床住院",
        kind=HARD,
        strength="0.8 + 0.1 * n_overlap_stays",
        strength_doc="0.9 for one overlapping stay, 1.0 from two",
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
        kind=SOFT,
        strength="0.4 * (n_visits_in_stay - n_in_stay_routine) + 0.1 * n_in_stay_routine",
        strength_doc="0.4 per outpatient visit or pharmacy purchase inside a stay, 0.1 per purchase of a drug the person buys routinely outside stays (a relative fetching the patient's own medicine)",
    ),
    Rule(
        "P07",
        "psn",
        "慢特病超范围用药",
        "n_opsp_mismatch >= {min_mismatch}",
        ("n_opsp_mismatch", "n_opsp_visits"),
        0.3,
        "seeds/004 门诊慢特病 超范围：用药与备案病种不符(参照 features/codes.OPSP_DRUGS)。多病共存者在主病种下"
        "配齐全部慢性病用药，或本地慢特病目录宽于参照表时，多数慢病患者都会出现，故按本地区普遍程度降低强度；"
        "硬证据(超病种结算、常见病用药)另由 P13、P14 判定，本规则权重低",
        {"min_mismatch": 2, "practice_share": 0.2},
        "慢特病待遇超范围使用、为他人购药",
        kind=SOFT,
        strength="(0.6 + 0.1 * n_opsp_mismatch) * GREATEST(0.05, 1 - "
        "SUM(CAST(n_opsp_mismatch >= {min_mismatch} AS DOUBLE)) OVER (PARTITION BY insuplc_admdvs) "
        "/ GREATEST(SUM(CAST(n_opsp_visits > 0 AS DOUBLE)) OVER (PARTITION BY insuplc_admdvs), 1) / {practice_share})",
        strength_doc="0.8 at two visits, 1.0 from four; × how exceptional it is in the person's region: "
        "1 − (share of the region's chronic-benefit patients on whom the rule fires) / practice_share, at least 0.05. "
        "Where a fifth of them buy other chronic drugs on their registration, that is the region's dispensing practice "
        "(multimorbid patients' whole regimen on one registration, or a local drug list wider than the reference "
        "table), not one person's evidence",
    ),
    Rule(
        "P08",
        "psn",
        "购药后退费(套现)",
        "n_refunded >= {min_refunded}",
        ("n_refunded", "n_pharmacy", "n_outpatient"),
        0.8,
        "seeds/004 多次购药后退费、开具检查检验项目后退费套取现金",
        {"min_refunded": 3},
        "退费套现",
        kind=SOFT,
        strength="0.3 + 0.2 * (n_refunded - {min_refunded})",
        strength_doc="0.3 at the threshold, +0.2 per further refund (returns for real reasons rarely reach three)",
    ),
    Rule(
        "P17",
        "psn",
        "退费未退回统筹基金(套现)",
        "n_fund_over_fee >= {min_visits}",
        ("n_fund_over_fee", "n_refunded", "fund_pay_total"),
        0.95,
        "seeds/004 退费套取现金；contract 5203 refd_setl_flag：退费冲销原结算。扣除退费后基金支付仍大于医疗费总额"
        "(features/psn.FUND_OVER_FEE_YUAN，默认1元)，即费用已退而统筹部分未退回、转为现金",
        {"min_visits": 1},
        "退费套现、套取统筹基金",
        kind=HARD,
        strength="0.8 + 0.1 * n_fund_over_fee",
        strength_doc="0.9 for one such visit, 1.0 from two: the fund cannot pay more than the fees, so its share "
        "left as cash",
    ),
    Rule(
        "P18",
        "psn",
        "分解就诊(频繁门诊)",
        "n_split_visits >= {min_visits}",
        ("n_split_visits", "n_outpatient"),
        0.8,
        "seeds/README 频繁门诊；seeds/002 分解收费。同一人在同一机构同一科室30分钟内(features/psn.SPLIT_VISIT_MINUTES)"
        "连续两次以上门诊结算，即一次诊疗拆成多次结算；反复出现(默认≥6次，约3次拆分)才计",
        {"min_visits": 6},
        "分解处方、分解收费、虚增门诊人次",
        kind=SOFT,
        strength="0.4 + 0.05 * (n_split_visits - {min_visits})",
        strength_doc="0.4 at six visits in such pairs (three consultations split), +0.05 per further visit; one "
        "split is a second prescription forgotten, again and again is the way the clinic bills",
    ),
    Rule(
        "P19",
        "psn",
        "个人账户套现(整数金额购药)",
        "n_acct_round_buys >= {min_buys}",
        ("n_acct_round_buys", "n_pharmacy"),
        0.6,
        "seeds/002 定点药店销售个人账户支付范围外物品；职工个人账户在药店全额支付、金额为整数元(≥50元，"
        "features/psn.ACCT_ROUND_MIN_YUAN)的购药反复出现(默认≥4次)：先定金额、后配商品或退现",
        {"min_buys": 4},
        "个人账户套现、药店串换非医保物品",
        kind=SOFT,
        strength="0.3 + 0.1 * (n_acct_round_buys - {min_buys})",
        strength_doc="0.3 at four such purchases, +0.1 per further one; a whole-yuan total happens to one purchase in "
        "a hundred by chance, four in a year to a card whose sums were chosen",
    ),
    Rule(
        "P09",
        "psn",
        "死亡后发生结算",
        "n_after_death >= {min_after_death}",
        ("n_after_death", "fund_pay_total"),
        1.0,
        "seeds/000 伪造患者信息结算；contract psn_death(民政/公安死亡信息)：死亡日期后的结算",
        {"min_after_death": 1},
        "冒用已故人员身份",
        kind=HARD,
        strength="1.0",
        strength_doc="1.0: the holder was dead",
    ),
    Rule(
        "P10",
        "psn",
        "诊断与性别/年龄不符",
        "n_dx_inconsistent >= {min_inconsistent}",
        ("n_dx_inconsistent",),
        0.95,
        "seeds/001 诊断与患者性别年龄不符(参照 features/codes.MALE_ONLY_DX、FEMALE_ONLY_DX、AGE_BOUND_DX)",
        {"min_inconsistent": 1},
        "虚构诊疗、冒用身份",
        kind=HARD,
        strength="0.8 + 0.1 * n_dx_inconsistent",
        strength_doc="0.9 for one such visit, 1.0 from two",
    ),
    Rule(
        "P11",
        "psn",
        "团伙住院(反复结伴、跨机构)",
        "ring_strength >= {min_strength} AND ring_episodes >= {min_episodes}",
        ("ring_size", "ring_episodes", "ring_institutions", "ring_strength"),
        0.8,
        "seeds/003 团伙化、组织化、链条化欺诈骗保；同一批人反复同进同出(前后1日内入出院)、在多家机构间流动、轻症为主",
        {"min_strength": 0.6, "min_episodes": 3},
        "职业骗保团伙组织参保人在多家机构虚假住院",
        kind=SOFT,
        strength="ring_strength",
        strength_doc="the group's strength (features/rings.ring_strength): 0.4 × occasions together beyond the first "
        "(full at four), + 0.3 when they moved between institutions, + 0.3 × the share of mild diagnoses; × size / 5 "
        "for groups of fewer than five",
    ),
    Rule(
        "P12",
        "psn",
        "药品倒卖(追溯码再次售出)",
        "boxes_resold >= {min_boxes}",
        ("boxes_resold", "boxes_resold_shops", "boxes_resold_drugs", "n_pharmacy"),
        0.9,
        "seeds/003、seeds/004 倒卖药品、回流药；国家医保局“一盒一码、一码一销”：本人医保购买的整盒药品，"
        "追溯码其后又在其他机构售给他人(退费退货的不计，拆零不计)",
        {"min_boxes": 2},
        "参保人医保购药后倒卖，药品回流再次销售",
        kind=SOFT,
        strength="0.5 + 0.1 * (boxes_resold - {min_boxes}) + 0.15 * (boxes_resold_shops - 1)",
        strength_doc="0.5 at two boxes, +0.1 per further box, +0.15 per further institution where they reappeared",
    ),
    Rule(
        "P13",
        "psn",
        "慢特病超病种结算",
        "n_opsp_off_disease >= {min_visits}",
        ("n_opsp_off_disease", "n_opsp_mismatch", "n_opsp_visits"),
        0.9,
        "seeds/004 门诊慢特病 超病种、假病情：以慢特病待遇结算未备案病种的诊疗购药(就诊诊断本身不属于本人任何备案病种(不论备案起止日期)，"
        "且所购药品不在备案病种用药范围内)",
        {"min_visits": 2},
        "慢特病待遇超病种使用、虚构病种、为他人购药",
        kind=HARD,
        strength="0.6 + 0.1 * n_opsp_off_disease",
        strength_doc="0.8 at two visits, 1.0 from four",
    ),
    Rule(
        "P14",
        "psn",
        "慢特病乱开药(常见病用药)",
        "n_opsp_common >= {min_visits}",
        ("n_opsp_common", "n_opsp_visits"),
        0.85,
        "seeds/004 乱开药：利用门诊大病待遇购买流感、腹痛等常见病药品(参照 features/codes.COMMON_ILLNESS_DRUGS，"
        "本人备案病种用药范围内的不计)",
        {"min_visits": 2},
        "慢特病待遇购买常见病药品、违规用药",
        kind=HARD,
        strength="0.6 + 0.1 * n_opsp_common",
        strength_doc="0.8 at two visits, 1.0 from four",
    ),
    Rule(
        "P15",
        "psn",
        "冒名就医(就诊科室与年龄/性别不符)",
        "n_dept_inconsistent >= {min_visits}",
        ("n_dept_inconsistent", "n_outpatient", "n_adm"),
        0.9,
        "seeds/002 杜绝冒名就诊、冒名住院；国家医保科室代码(A07儿科、A08小儿外科、A09儿童保健科收治0-17岁；A05妇产科、"
        "A06妇女保健科12岁起只收治女性，features/codes.AGE_BOUND_DEPT、SEX_BOUND_DEPT)：成人卡在儿科就诊即他人(多为子女)"
        "使用本人医保卡。该机构该科室就诊者达20人且其中符合年龄/性别者不足80%时(features/psn.DEPT_CONFIRM_SHARE)，"
        "视为地方科室代码表把国家代码另作他用(如成人发热门诊记作A07)，该机构该科室不据此判冒名；按人数而非人次计",
        {"min_visits": 1},
        "冒名就医、借用他人医保卡",
        kind=HARD,
        strength="0.7 + 0.1 * n_dept_inconsistent",
        strength_doc="0.8 for one such visit, +0.1 per further one (1.0 from three)",
    ),
    Rule(
        "P16",
        "psn",
        "异地同时就医(借卡/冒名)",
        "place_conflict_score >= {min_score}",
        ("n_place_conflict", "place_conflict_score", "n_outpatient", "n_pharmacy"),
        0.85,
        "seeds/002 杜绝冒名就诊；同一参保人同一时段在不同地点就医：一张卡在两个县区的机构相隔不足 conflict_minutes"
        "(默认60分钟)就诊或购药，一人不能同时身处两地",
        {"min_score": 1.0},
        "借卡、冒名就医",
        kind=SOFT,
        strength="place_conflict_score",
        strength_doc="per pair of visits (features.psn._place_conflicts) 1.0 at the same minute, 0.5 at conflict_minutes apart, "
        "halved when one is a pharmacy purchase (a relative fetching medicine) and when both places are districts of one city "
        "(neighbours); summed over the person's pairs",
    ),
    Rule(
        "F01",
        "fixmedins",
        "入院时间集中/同进同出",
        "co_adm_groups >= {min_groups} AND co_adm_share >= {min_share}",
        ("co_adm_share", "co_adm_groups", "co_adm_mild_share"),
        0.7,
        "seeds/002 入院时间较为集中、同进同出；seeds/003 轻症入院、虚假住院",
        {"min_groups": 3, "min_share": 0.3},
        "虚假住院、诱导住院",
        kind=SOFT,
        strength="(co_adm_share + 0.05 * co_adm_groups) * (0.5 + 0.5 * co_adm_mild_share)",
        strength_doc="share of stays in co-admitted groups, +0.05 per group; halved when none of the grouped stays "
        "was for a mild condition (a family hurt together, an outbreak in a nursing home), in full when all were",
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
        kind=SOFT,
        strength="1.5 * amt_peak_share",
        strength_doc="1.5 × share of stays at a peak amount",
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
        kind=SOFT,
        strength="(GREATEST(COALESCE(cost_per_stay_peer, 0), COALESCE(cost_per_visit_peer, 0)) - 1) / 2",
        strength_doc="ratio to the peer median 2 → 0.5, 3 → 1.0",
    ),
    Rule(
        "F04",
        "fixmedins",
        "药店空刷/倒卖药品",
        "swipe_groups >= {min_groups}",
        ("swipe_groups", "swipe_share", "pharm_amt_peak_share", "refund_share"),
        0.8,
        "seeds/003 药店空刷医保卡；seeds/004 倒卖药品。前后半小时内(swipe_tolerance_minutes)≥5人购买同一药品且金额相同为一组",
        {"min_groups": 2},
        "空刷医保卡、倒卖药品",
        kind=SOFT,
        strength="0.4 + 0.1 * swipe_groups",
        strength_doc="0.6 at two groups, +0.1 per further group",
    ),
    Rule(
        "F08",
        "fixmedins",
        "药店集中刷卡套现(整数金额)",
        "round_swipe_groups >= {min_groups}",
        ("round_swipe_groups", "swipe_groups", "refund_share", "n_visits"),
        0.8,
        "seeds/003 药店空刷医保卡、套取医保基金：前后半小时内(swipe_tolerance_minutes)≥5张不同医保卡各结算一笔整数金额"
        "(≥50元且为10元整倍数，features/fixmedins.ROUND_TOTAL_YUAN)为一组；药价精确到分，成批的整数金额是刷卡人定的数",
        {"min_groups": 2},
        "空刷医保卡、套现",
        kind=SOFT,
        strength="0.4 + 0.1 * round_swipe_groups",
        strength_doc="0.6 at two groups, +0.1 per further group",
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
        kind=SOFT,
        strength="(adm_rate_peer - 1) / 3 * (0.5 + COALESCE(mild_share, 0))",
        strength_doc="ratio to the peer median 2 → 0.33, 4 → 1.0; × (0.5 + share of admissions for a mild condition): "
        "mild cases admitted (轻症入院) are the mark of induced admission, so ×1.5 when all are mild, ×1 at half, "
        "×0.5 when none (a hospital whose serious cases come to it)",
    ),
    Rule(
        "F06",
        "fixmedins",
        "一码多销(追溯码重复销售)",
        "code_self_resold >= {min_resold} AND code_max_sales >= {min_max_sales}",
        ("code_self_resold", "code_self_codes", "code_max_sales", "code_self_share", "code_sales"),
        0.9,
        "国家医保局药品追溯码“一码一销”；seeds/003 空刷、seeds/004 串换药品：本机构已整盒售出的追溯码再次销售"
        "(退费退货、同一就诊内重复、拆零、住院分剂量不计)，且至少一个追溯码售出≥3次(收银误扫同一盒只重复一次)。"
        "公开案例：一码结算8次、60次",
        {"min_resold": 3, "min_max_sales": 3},
        "虚构药品销售、空刷医保卡、串换药品",
        kind=HARD,
        strength="0.6 + 0.02 * (code_self_resold - {min_resold}) + 2 * code_self_share",
        strength_doc="0.6 at the threshold, +0.02 per further repeated sale, +2 × the repeats' share of its code sales",
    ),
    Rule(
        "F07",
        "fixmedins",
        "销售他处已售药品(回流药)",
        "code_reflow_codes >= {min_codes}",
        ("code_reflow_codes", "code_reflow_sources", "code_reflow_days", "code_sales"),
        0.9,
        "国家医保局药品追溯码“一码一销”；seeds/003、seeds/004 倒卖药品、回流药：追溯码首次在其他机构整盒售出后，"
        "又由本机构售出(后售出者为疑点，首次售出者不是)",
        {"min_codes": 3},
        "收购、销售回流药品",
        kind=HARD,
        strength="0.6 + 0.02 * (code_reflow_codes - {min_codes}) + 0.1 * (code_reflow_sources - 1)",
        strength_doc="0.6 at the threshold, +0.02 per further code, +0.1 per further institution that sold them first",
    ),
)
RULE_BY_ID = {r.rule_id: r for r in RULES}


def ring_reported(strength, episodes, overrides: Mapping[str, float] | None = None):
    """Whether the ring rule P11 reports a group (``gold/rings``): its ``strength`` and ``episodes`` at P11's
    thresholds (``overrides``: ``[rules.P11]`` of the configuration). The same condition P11 puts on each
    member's ``ring_strength`` and ``ring_episodes``; Spark columns or pandas Series alike."""
    p = {**RULE_BY_ID["P11"].params, **(overrides or {})}
    return (strength >= p["min_strength"]) & (episodes >= p["min_episodes"])


# Clues that no rule names (the model's score alone) are learned like a rule, one per entity type
# (``model_only``): their prior precision is a guess worth PRIOR_STRENGTH verifications (models.feedback),
# above the default floor ([publish] min_expected_precision), so regions are sent some until their outcomes
# say what such clues are worth there.
MODEL_ONLY = "M"
MODEL_ONLY_WEIGHT = 0.3


def model_only(entity_type: str) -> str:
    """The pseudo-rule id of model-only clues on ``entity_type`` (``M_psn``, ``M_fixmedins``)."""
    return f"{MODEL_ONLY}_{entity_type}"


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
    features: DataFrame,
    entity_type: str,
    overrides: Mapping[str, Mapping[str, float]] | None = None,
    weights: DataFrame | None = None,
    region_col: str | None = None,
) -> DataFrame:
    """Add the rules' verdicts to the features.

    Adds ``rules_fired`` (array of rule ids), ``rule_strengths`` (rule id → strength in [0, 1] of the rules
    that fired), ``evidence_tier`` (2: hard evidence, 1: soft only, 0: none), ``rule_score``: the
    evidence of the entity's highest tier, 1 − Π(1 − weight × strength) over that tier's fired rules, and
    ``expected_precision``: an estimate of how often verifiers would confirm a clue on the entity, the
    ``rule_score`` where a rule fired (weights are learned as precisions, ``models.feedback``, and strength
    scales them) and the model-only weight of the entity type (``model_only``) where none did. Publish
    issues no clue below ``[publish] min_expected_precision``.

    Args:
        overrides: rule id → threshold name → value (``Settings.rules``); the rest keep their defaults.
        weights: learned weights (admdvs, rule_id, weight: ``models.feedback.rule_weights``); a rule without
            one in the entity's region (``region_col``) keeps its documented weight.
    """
    check_overrides(overrides)
    rules = rules_for(entity_type)
    alone = model_only(entity_type)
    weight = {r.rule_id: F.lit(r.weight) for r in rules} | {alone: F.lit(MODEL_ONLY_WEIGHT)}
    if weights is not None and region_col is not None and rules:
        ids = [r.rule_id for r in rules] + [alone]
        per_region = (
            weights.filter(F.col("rule_id").isin(ids))
            .groupBy(F.col("admdvs").alias("_w_region"))
            .pivot("rule_id", ids)
            .agg(F.first("weight"))
            .withColumnsRenamed({rid: f"_w_{rid}" for rid in ids})
        )
        features = features.join(F.broadcast(per_region), F.col(region_col) == F.col("_w_region"), "left")
        weight = {rid: F.coalesce(F.col(f"_w_{rid}"), w) for rid, w in weight.items()}
    over = overrides or {}
    conds = {r.rule_id: F.coalesce(F.expr(r.sql(over.get(r.rule_id))), F.lit(False)) for r in rules}
    strength = {
        r.rule_id: F.least(F.greatest(F.coalesce(F.expr(r.strength_sql(over.get(r.rule_id))), F.lit(0.0)), F.lit(0.0)), F.lit(1.0))
        for r in rules
    }  # fmt: skip
    fired = F.array(*[F.when(c, F.lit(rid)) for rid, c in conds.items()]) if rules else F.array()
    keep = F.filter(fired, lambda x: x.isNotNull())
    pairs = [
        F.when(conds[r.rule_id], F.struct(F.lit(r.rule_id).alias("k"), strength[r.rule_id].alias("v")))
        for r in rules
    ]
    strengths = (
        F.map_from_entries(F.filter(F.array(*pairs), lambda x: x.isNotNull()))
        if rules
        else F.create_map().cast("map<string,double>")
    )  # fmt: skip
    any_hard = F.lit(False)
    for r in rules:
        if r.kind == HARD:
            any_hard = any_hard | conds[r.rule_id]
    any_fired = F.size(keep) > 0
    tier = F.when(any_hard, F.lit(2)).when(any_fired, F.lit(1)).otherwise(F.lit(0))
    miss = F.lit(1.0)
    for r in rules:
        in_tier = conds[r.rule_id] & (F.lit(r.kind == HARD) | ~any_hard)
        miss = miss * F.when(in_tier, 1.0 - weight[r.rule_id] * strength[r.rule_id]).otherwise(F.lit(1.0))
    out = features.withColumns(
        {
            "rules_fired": keep,
            "rule_strengths": strengths,
            "evidence_tier": tier,
            "rule_score": 1.0 - miss,
            "expected_precision": F.when(any_fired, 1.0 - miss).otherwise(weight[alone]),
        }
    )
    return out.drop(*[c for c in out.columns if c.startswith("_w_")])


LEARNED_WEIGHT = 0.5  # share of the within-tier order a promoted re-ranker takes (models.reranker)


def _where(cond, a, b):
    """``a`` where ``cond`` holds, else ``b`` (also where ``cond`` is null or NaN): Spark columns or numpy."""
    if isinstance(cond, Column):
        return F.when(cond, a).otherwise(b)
    import numpy as np

    return np.where(cond, a, b)


def risk_score(evidence_tier, rule_score, model_score, learned_score=None, support=None):
    """Hard evidence first, its strength next, the model last: (tier + 0.8 × rule_score + 0.2 × model) / 3.

    Every entity with hard evidence ranks above every entity with soft evidence only, and those above the
    entities no rule names; within a tier, the evidence's weighted strength orders, and the isolation
    forest's score (in (0, 1]) breaks near-ties and orders the entities without evidence.

    With a re-ranker learned from verified outcomes (``learned_score``, a probability; ``models.reranker``),
    the within-tier order is ``LEARNED_WEIGHT`` of its probability and the rest of the above: the tiers stay.
    ``support`` (per entity; null or NaN where none) confines it to where it learned: the within-tier score
    above which the verified entities it was fitted on lay (``models.reranker.support``). Entities of a tier
    below it, or of a tier it saw too few outcomes of, keep the order of their evidence, and the re-ranked
    ones stay above them: a re-ranker fitted on the top of the list does not reorder the depths it never saw.
    Works on Spark columns and on numpy arrays alike.
    """
    base = within_score(rule_score, model_score)
    if learned_score is None:
        return (evidence_tier + base) / 3.0
    if support is None:
        return (evidence_tier + (1 - LEARNED_WEIGHT) * base + LEARNED_WEIGHT * learned_score) / 3.0
    room = 1.0 - support
    room = F.greatest(room, F.lit(1e-9)) if isinstance(room, Column) else room.clip(1e-9)
    blend = (1 - LEARNED_WEIGHT) * (base - support) / room + LEARNED_WEIGHT * learned_score
    return (evidence_tier + _where(base >= support, support + room * blend, base)) / 3.0


def within_score(rule_score, model_score):
    """The order within an evidence tier before any re-ranker: the evidence's weighted strength, then the model."""
    return 0.8 * rule_score + 0.2 * model_score
