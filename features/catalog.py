"""Chinese labels and units of every feature, for evidence text and the detector catalogue."""

from __future__ import annotations

# name: (label, unit, decimals)
LABELS: dict[str, tuple[str, str, int]] = {
    "n_adm": ("住院次数", "次", 0),
    "n_adm_mild": ("轻症住院次数", "次", 0),
    "adm_max_same_inst": ("同一机构最多住院次数", "次", 0),
    "n_readmit": ("出院后短期内(readmit_days，默认15天)再入院次数", "次", 0),
    "total_los": ("住院总天数", "天", 0),
    "co_adm_max": ("同期(前后1日内)入出院的其他患者最多", "人", 0),
    "co_adm_village_max": ("同期入出院的同村/同户其他患者最多", "人", 0),
    "co_adm_same_amt_max": ("同期入出院且报销金额相近(约1%内)的其他患者最多", "人", 0),
    "co_adm_stays": ("同进同出(≥3人)住院次数", "次", 0),
    "amt_peak_stays": ("报销金额与他人高度接近的住院次数", "次", 0),
    "n_outpatient": ("门诊次数", "次", 0),
    "n_pharmacy": ("药店购药次数", "次", 0),
    "fund_pay_total": ("基金支付总额", "元", 2),
    "rx_days_supply": ("药品总供应天数", "天", 0),
    "rx_supply_ratio": ("单一药品供应天数/经过天数", "倍", 2),
    "rx_max_drug_days": ("单一药品最多供应天数", "天", 0),
    "n_visits": ("就诊人次", "人次", 0),
    "n_patients": ("就诊人数", "人", 0),
    "adm_per_patient": ("人均住院次数", "次", 2),
    "co_adm_share": ("同期入院且同期出院(≥3人)的住院占比", "", 2),
    "co_adm_groups": ("同进同出群组数", "组", 0),
    "co_adm_mild_share": ("同进同出住院中轻症占比", "", 2),
    "los_cv": ("住院天数变异系数", "", 2),
    "amt_peak_share": ("报销金额高度集中的住院占比", "", 2),
    "mild_share": ("轻症住院占比", "", 2),
    "elderly_share": ("65岁以上患者住院占比", "", 2),
    "low_income_share": ("特殊人群(特困/低保/脱贫)住院占比", "", 2),
    "cost_per_stay": ("次均住院统筹支付", "元", 2),
    "cost_per_visit": ("次均门诊/购药基金支付", "元", 2),
    "rx_days_per_patient": ("人均药品供应天数", "天", 0),
    "pharm_amt_peak_share": ("购药金额高度集中占比", "", 2),
    "ring_size": ("所在团伙人数(反复同进同出的群组)", "人", 0),
    "ring_episodes": ("团伙成员同进同出次数", "次", 0),
    "ring_institutions": ("团伙同进同出涉及机构数", "家", 0),
    "ring_strength": ("团伙证据强度(反复、跨机构、轻症)", "分", 2),
    "n_split_adm": ("出院后短期内同机构同类诊断再入院次数", "次", 0),
    "split_score": ("分解住院证据强度(间隔越短越强)", "分", 2),
    "n_overlap_stays": ("与他院住院时间重叠的住院次数", "次", 0),
    "n_visits_in_stay": ("住院期间门诊/购药结算次数", "次", 0),
    "n_in_stay_routine": ("其中购买本人常用药次数", "次", 0),
    "n_opsp_visits": ("门诊慢特病就诊/购药次数", "次", 0),
    "n_opsp_mismatch": ("慢特病结算购买其他慢性病药品次数(超范围)", "次", 0),
    "n_opsp_off_disease": ("慢特病结算诊断为未备案病种次数(超病种)", "次", 0),
    "n_opsp_common": ("慢特病结算购买感冒、腹痛等常见病药品次数(乱开药)", "次", 0),
    "n_refunded": ("全额退费的门诊/购药次数", "次", 0),
    "n_after_death": ("死亡日期后结算次数", "次", 0),
    "n_dx_inconsistent": ("诊断与性别/年龄不符次数", "次", 0),
    "adm_rate": ("住院人次占就诊人次比例", "", 2),
    "exam_share": ("检查化验费占比", "", 2),
    "drug_share": ("药品费占比", "", 2),
    "cost_per_stay_peer": ("次均住院统筹支付为同类机构中位数的", "倍", 2),
    "cost_per_visit_peer": ("次均门诊/购药基金支付为同类机构中位数的", "倍", 2),
    "adm_rate_peer": ("住院率为同类机构中位数的", "倍", 2),
    "swipe_groups": ("约一小时内多人购买同一药品且金额相同的组数", "组", 0),
    "swipe_share": ("疑似空刷购药占比", "", 2),
    "refund_share": ("全额退费的门诊/购药占比", "", 2),
    "boxes_resold": ("本人购买后又在他处售给他人的药盒数(追溯码)", "盒", 0),
    "boxes_resold_shops": ("这些药盒再次售出的机构数", "家", 0),
    "boxes_resold_drugs": ("这些药盒涉及药品种数", "种", 0),
    "code_sales": ("整盒销售追溯码数", "个", 0),
    "code_self_resold": ("本机构已售追溯码再次销售次数(一码多销)", "次", 0),
    "code_self_codes": ("其中涉及追溯码数", "个", 0),
    "code_self_share": ("一码多销占整盒销售比例", "", 2),
    "code_max_sales": ("单个追溯码在本机构最多销售次数", "次", 0),
    "code_reflow": ("销售他处已售追溯码次数(回流药)", "次", 0),
    "code_reflow_codes": ("其中涉及追溯码数", "个", 0),
    "code_reflow_sources": ("这些追溯码首次售出的其他机构数", "家", 0),
    "code_reflow_days": ("距首次售出天数(中位数)", "天", 0),
}


def fmt(name: str, value: float | None) -> str:
    label, unit, dec = LABELS[name]
    if value is None:
        value = 0.0
    if unit == "" and dec == 2:  # shares as percentages
        return f"{value * 100:.0f}%"
    return f"{value:,.{dec}f}{unit}"
