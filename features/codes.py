"""Reference codes the features rely on (national 医疗类别 and 收费项目类别 code tables)."""

from __future__ import annotations

# 医疗类别 (med_type): 21 普通住院, 22 外伤住院, 23 转外诊治住院, 24 急诊转住院, 25 异地住院, 26 单病种住院,
# 2101…2199 local inpatient sub-types, 52 生育住院.
INPATIENT_PREFIXES = ("2",)
INPATIENT_CODES = ("52",)
PHARMACY_MED_TYPES = ("41",)  # 定点药店购药

# 医疗收费项目类别 (med_chrgitm_type)
DRUG_ITEM_TYPES = ("09", "10", "11")  # 西药费, 中药饮片费, 中成药费
EXAM_ITEM_TYPES = ("03", "04")  # 检查费, 化验费


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
    return starts_with_any(dise_codg_col, MILD_DX_PREFIXES)


def starts_with_any(col, prefixes):
    """Spark predicate: ``col`` starts with one of ``prefixes`` (false for null).

    One set lookup per prefix length (``substring(col, 1, n) IN (...)``): a chain of ``startswith`` ORs over
    dozens of diagnosis prefixes made an expression too large for Spark's code generation, and the
    diagnosis check alone took 17.6 s over the 6M visits of 1M persons.
    """
    from functools import reduce

    from pyspark.sql import functions as F

    by_len: dict[int, set[str]] = {}
    for p in prefixes:
        by_len.setdefault(len(p), set()).add(p)
    conds = [F.substring(col, 1, n).isin(sorted(ps)) for n, ps in sorted(by_len.items())]
    return F.coalesce(reduce(lambda a, b: a | b, conds), F.lit(False))


# 医疗类别 of the outpatient chronic/special-disease benefit (门诊慢特病); local sub-types start with 14.
OPSP_MED_TYPE_PREFIX = "14"

# Which drugs treat which registered chronic disease (门诊慢特病 用药范围), by ATC class. A western drug's
# national code (医保药品编码) is "X" + its ATC code, e.g. XC08CAA001 苯磺酸氨氯地平片 → C08CA.
# (ICD-10 prefix of opsp_dise_code, disease, ATC prefixes of the drugs the benefit covers for it)
OPSP_DRUGS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("I10", "高血压", ("C02", "C03", "C07", "C08", "C09")),
    ("I11", "高血压性心脏病", ("C02", "C03", "C07", "C08", "C09")),
    ("E10", "1型糖尿病", ("A10",)),
    ("E11", "2型糖尿病", ("A10",)),
    ("I25", "冠心病", ("B01AC", "C01", "C07", "C08", "C10")),
    ("I63", "脑梗死后遗症", ("B01AC", "C10", "N06BX")),
    ("J44", "慢性阻塞性肺病", ("R03",)),
    ("J45", "哮喘", ("R03",)),
    ("N18", "慢性肾脏病", ("B03XA", "V03AE")),
    ("C", "恶性肿瘤门诊治疗", ("L01", "L02", "L04", "A04")),
    ("M05", "类风湿关节炎", ("M01", "L04", "H02")),
    ("G20", "帕金森病", ("N04",)),
    ("F20", "精神分裂症", ("N05", "N06")),
)


def drug_atc(med_list_codg_col):
    """The ATC code inside a western drug's national code (X + ATC), null for other items."""
    from pyspark.sql import functions as F

    return F.when(med_list_codg_col.startswith("X"), F.substring(med_list_codg_col, 2, 5))


def opsp_covered(dise_code_col, atc_col):
    """Spark predicate: the drug (ATC) is within the benefit's drug range for the registered disease."""
    from functools import reduce

    from pyspark.sql import functions as F

    conds = [
        F.coalesce(dise_code_col.startswith(dx), F.lit(False)) & starts_with_any(atc_col, atcs)
        for dx, _, atcs in OPSP_DRUGS
    ]
    return reduce(lambda a, b: a | b, conds)


def opsp_known_drug(atc_col):
    """Spark predicate: the drug is a chronic-disease drug of the reference table (others cannot be judged)."""
    return starts_with_any(atc_col, sorted({a for _, _, atcs in OPSP_DRUGS for a in atcs}))


# Diagnoses that only one sex can have (ICD-10 prefixes): gend 1 male, 2 female (0/9 unknown: not checked).
MALE_ONLY_DX = (
    "N40",
    "N41",
    "N42",
    "N43",
    "N44",
    "N45",
    "N46",
    "N47",
    "N48",
    "N49",
    "N50",
    "N51",
    "C60",
    "C61",
    "C62",
    "C63",
    "D29",
    "D40",
)
FEMALE_ONLY_DX = (
    "O",
    "N70",
    "N71",
    "N72",
    "N73",
    "N74",
    "N75",
    "N76",
    "N77",
    "N80",
    "N81",
    "N82",
    "N83",
    "N84",
    "N85",
    "N86",
    "N87",
    "N88",
    "N89",
    "N90",
    "N91",
    "N92",
    "N93",
    "N94",
    "N95",
    "N96",
    "N97",
    "N98",
    "C51",
    "C52",
    "C53",
    "C54",
    "C55",
    "C56",
    "C57",
    "C58",
    "D25",
    "D26",
    "D27",
    "D39",
)
# Diagnoses bound to an age range: (ICD-10 prefixes, min age, max age, what it is)
AGE_BOUND_DX: tuple[tuple[tuple[str, ...], int, int, str], ...] = (
    (("O",), 12, 55, "妊娠、分娩和产褥期"),
    (("N40",), 35, 120, "前列腺增生"),
    (("P",), 0, 1, "围生期疾病"),
    (("R54",), 60, 120, "老年性衰弱"),
)


def dx_inconsistent(dise_codg_col, gend_col, age_col):
    """Spark predicate: the diagnosis contradicts the person's sex or age (诊断与性别/年龄不符)."""
    from functools import reduce

    from pyspark.sql import functions as F

    conds = [
        (gend_col == "2") & starts_with_any(dise_codg_col, MALE_ONLY_DX),
        (gend_col == "1") & starts_with_any(dise_codg_col, FEMALE_ONLY_DX),
    ] + [starts_with_any(dise_codg_col, pre) & ~age_col.between(lo, hi) for pre, lo, hi, _ in AGE_BOUND_DX]
    return F.coalesce(reduce(lambda a, b: a | b, conds), F.lit(False))


def dx_bound(dise_codg_col):
    """Spark predicate: the diagnosis is bound to a sex or an age range at all (a cheap filter before the
    visits meet the persons' sex and birth date in ``dx_inconsistent``)."""
    prefixes = MALE_ONLY_DX + FEMALE_ONLY_DX + tuple(p for pre, _, _, _ in AGE_BOUND_DX for p in pre)
    return starts_with_any(dise_codg_col, prefixes)


# Diagnoses excluded from split-admission checks: planned readmissions for cancer treatment cycles (放化疗).
PLANNED_READMISSION_DX = ("C", "Z51")
