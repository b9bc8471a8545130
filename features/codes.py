"""Reference codes the features rely on (national 医疗类别 and 收费项目类别 code tables)."""

from __future__ import annotations

# 医疗类别 (med_type): 21 普通住院, 22 外伤住院, 23 转外诊治住院, 24 急诊转住院, 25 异地住院, 26 单病种住院,
# 2101…2199 local inpatient sub-types, 52 生育住院.
INPATIENT_PREFIXES = ("2",)
INPATIENT_CODES = ("52",)
PHARMACY_MED_TYPES = ("41",)  # 定点药店购药

# 医疗收费项目类别 (med_chrgitm_type)
DRUG_ITEM_TYPES = ("09", "10", "11")  # 西药费, 中药饮片费, 中成药费


def is_inpatient(med_type_col):
    """Spark predicate: the visit is an inpatient stay."""
    from functools import reduce

    conds = [med_type_col.startswith(p) for p in INPATIENT_PREFIXES] + [
        med_type_col == c for c in INPATIENT_CODES
    ]
    return reduce(lambda a, b: a | b, conds)


# Mild conditions that the supervision plans name as typical of unnecessary or fake admissions
# (seeds/002: 腔隙性脑梗死, 颈/腰椎间盘突出 等轻症): ICD-10 prefixes.
MILD_DX_PREFIXES = ("I63.8", "M51.2", "M47.8", "M50", "M54", "I67.8", "J06", "K29")


def is_mild(dise_codg_col):
    """Spark predicate: the main diagnosis is one of the mild conditions above (null → false)."""
    from functools import reduce

    from pyspark.sql import functions as F

    return reduce(
        lambda a, b: a | b, [F.coalesce(dise_codg_col.startswith(p), F.lit(False)) for p in MILD_DX_PREFIXES]
    )
