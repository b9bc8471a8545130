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
# (ICD-10 prefixes of opsp_dise_code, disease, ATC prefixes of the drugs the benefit covers for it). A visit's
# diagnosis and a registration name the same disease when they fall in one entry (I63 脑梗死 and I69.3 its
# sequelae are one 病种), else when their first three characters agree.
OPSP_DRUGS: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = (
    (("I10", "I11"), "高血压(含高血压性心脏病)", ("C02", "C03", "C07", "C08", "C09")),
    (("E10", "E11"), "糖尿病", ("A10",)),
    (("I25",), "冠心病", ("B01AC", "C01", "C07", "C08", "C10")),
    (("I63", "I69"), "脑梗死(含后遗症)", ("B01AC", "C10", "N06BX", "N07XX")),
    (
        ("J44", "J45"),
        "慢性阻塞性肺病、哮喘",
        ("R03", "R05", "J01"),
    ),  # expectorants and antibiotics for exacerbations
    (("N18",), "慢性肾脏病", ("B03XA", "V03AE")),
    (("C",), "恶性肿瘤门诊治疗", ("L01", "L02", "L04", "A04")),
    (("M05",), "类风湿关节炎", ("M01", "L04", "H02")),
    (("G20",), "帕金森病", ("N04",)),
    (("F20",), "精神分裂症", ("N05", "N06")),
)

# Drugs for common, self-limiting illness (常见病用药: colds and flu, coughs, sore throats, stomach upsets and
# diarrhoea, aches, skin and eye infections), by ATC class: seeds/004 item 7 (乱开药) names buying them with the
# chronic-disease benefit (“购买流感、腹痛等常见病药品”). Classes a chronic disease's own regimen needs are not here
# (proton-pump inhibitors protect the stomach of patients on aspirin; antivirals treat hepatitis B); a class
# that one registration does cover (an NSAID for 类风湿关节炎) is judged by that registration.
COMMON_ILLNESS_DRUGS: tuple[tuple[str, str], ...] = (
    ("J01", "全身用抗菌药"),
    ("J05AH", "神经氨酸酶抑制剂(流感)"),
    ("R01", "鼻部用药"),
    ("R02", "咽喉用药"),
    ("R05", "镇咳祛痰及感冒药"),
    ("R06", "全身用抗组胺药"),
    ("N02BE", "对乙酰氨基酚及复方感冒药"),
    ("M01A", "非甾体抗炎药"),
    ("M02A", "外用关节肌肉痛药"),
    ("A02A", "抗酸药"),
    ("A03", "胃肠解痉药"),
    ("A07", "止泻药、肠道抗感染药"),
    ("D01", "皮肤用抗真菌药"),
    ("D06", "皮肤用抗生素"),
    ("S01A", "眼用抗感染药"),
    ("G01", "妇科抗感染药"),
)


def drug_atc(med_list_codg_col):
    """The ATC code inside a western drug's national code (X + ATC), null for other items."""
    from pyspark.sql import functions as F

    return F.when(med_list_codg_col.startswith("X"), F.substring(med_list_codg_col, 2, 5))


def opsp_disease(code_col):
    """Spark column: the disease an ICD-10 code names for the chronic-disease benefit, comparable between a visit's
    diagnosis and a registration's ``opsp_dise_code``: the ``OPSP_DRUGS`` entry it falls in (its first prefix),
    else its first three characters (null for null)."""
    from pyspark.sql import functions as F

    out = F.substring(code_col, 1, 3)
    for prefixes, _, _ in reversed(OPSP_DRUGS):
        out = F.when(starts_with_any(code_col, prefixes), F.lit(prefixes[0])).otherwise(out)
    return out


def opsp_covered(dise_code_col, atc_col):
    """Spark predicate: the drug (ATC) is within the benefit's drug range for the registered disease."""
    from functools import reduce

    conds = [
        starts_with_any(dise_code_col, dxs) & starts_with_any(atc_col, atcs) for dxs, _, atcs in OPSP_DRUGS
    ]
    return reduce(lambda a, b: a | b, conds)


def opsp_known_drug(atc_col):
    """Spark predicate: the drug is a chronic-disease drug of the reference table (others cannot be judged)."""
    return starts_with_any(atc_col, sorted({a for _, _, atcs in OPSP_DRUGS for a in atcs}))


def common_illness_drug(atc_col):
    """Spark predicate: the drug treats a common, self-limiting illness (``COMMON_ILLNESS_DRUGS``)."""
    return starts_with_any(atc_col, [a for a, _ in COMMON_ILLNESS_DRUGS])


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
# (Z32-Z37, Z39: pregnancy tests and states, antenatal supervision and screening, delivery outcome, postpartum care:
# the ICD-10 sex edits list them with chapter O)
PREGNANCY_Z_DX = ("Z32", "Z33", "Z34", "Z35", "Z36", "Z37", "Z39")
FEMALE_ONLY_DX = (
    "O",
    *PREGNANCY_Z_DX,
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
    (("O", *PREGNANCY_Z_DX), 12, 55, "妊娠、分娩和产褥期(含产前检查)"),
    # menopausal and perimenopausal disorders (N95, postmenopausal bleeding among them) before 35: premature
    # ovarian insufficiency is coded E28.3, and menopause before 35 is rarer than one woman in three hundred
    (("N95",), 35, 120, "绝经期及围绝经期疾病"),
    (("N40",), 35, 120, "前列腺增生"),
    (("P",), 0, 1, "围生期疾病"),
    (("R54",), 60, 120, "老年性衰弱"),
)


# A newborn's care is settled on the mother's card until the baby is insured (新生儿随母结算, in most provinces
# for the first months): a perinatal diagnosis (P, Z38 liveborn) or a neonatal department (A07.01 新生儿专业) on
# the card of a woman of childbearing age is her baby's, not someone else's care.
NEWBORN_DX = ("P", "Z38")
NEWBORN_DEPT = ("A07.01",)
MOTHER_AGES = (14, 55)


def newborn_with_mother(dise_codg_col, dept_col, gend_col, age_col):
    """Spark predicate: a newborn's care on its mother's card (``NEWBORN_DX``, ``NEWBORN_DEPT``, ``MOTHER_AGES``)."""
    from pyspark.sql import functions as F

    newborn = starts_with_any(dise_codg_col, NEWBORN_DX) | starts_with_any(dept_col, NEWBORN_DEPT)
    return F.coalesce(newborn & (gend_col == "2") & age_col.between(*MOTHER_AGES), F.lit(False))


def dx_inconsistent(dise_codg_col, gend_col, age_col, dept_col=None):
    """Spark predicate: the diagnosis contradicts the person's sex or age (诊断与性别/年龄不符); a newborn's care
    on its mother's card is not (``newborn_with_mother``)."""
    from functools import reduce

    from pyspark.sql import functions as F

    if dept_col is None:
        dept_col = F.lit(None).cast("string")
    conds = [
        (gend_col == "2") & starts_with_any(dise_codg_col, MALE_ONLY_DX),
        (gend_col == "1") & starts_with_any(dise_codg_col, FEMALE_ONLY_DX),
    ] + [starts_with_any(dise_codg_col, pre) & ~age_col.between(lo, hi) for pre, lo, hi, _ in AGE_BOUND_DX]
    mother = newborn_with_mother(dise_codg_col, dept_col, gend_col, age_col)
    return F.coalesce(reduce(lambda a, b: a | b, conds), F.lit(False)) & ~mother


def dx_bound(dise_codg_col):
    """Spark predicate: the diagnosis is bound to a sex or an age range at all (a cheap filter before the
    visits meet the persons' sex and birth date in ``dx_inconsistent``)."""
    prefixes = MALE_ONLY_DX + FEMALE_ONLY_DX + tuple(p for pre, _, _, _ in AGE_BOUND_DX for p in pre)
    return starts_with_any(dise_codg_col, prefixes)


# Departments bound to an age or a sex (national department codes of the 医保 code standard, 科室代码: A07 儿科,
# A08 小儿外科, A09 儿童保健科, A05 妇产科, A06 妇女保健科). A visit there on a card whose holder cannot be its
# patient is someone else's care on that card (冒名就医: a child seen on a parent's card). Local codes that are
# not the national ones match nothing and are not judged.
AGE_BOUND_DEPT: tuple[tuple[tuple[str, ...], int, int, str], ...] = ((("A07", "A08", "A09"), 0, 17, "儿科"),)
# (department prefixes, the sex it serves, the age from which that holds: newborns lie in obstetric wards)
SEX_BOUND_DEPT: tuple[tuple[tuple[str, ...], str, int, str], ...] = (
    (("A05", "A06"), "2", 12, "妇产科、妇女保健科"),
)


# Every department prefix bound to an age range or a sex, in the order dept_key tries them
BOUND_DEPT_PREFIXES = tuple(p for pre, *_ in AGE_BOUND_DEPT + SEX_BOUND_DEPT for p in pre)


def dept_bound(dept_col):
    """Spark predicate: the visit's department serves one age range or one sex (a cheap filter)."""
    return starts_with_any(dept_col, BOUND_DEPT_PREFIXES)


def dept_key(dept_col):
    """Spark column: the bound department prefix (``AGE_BOUND_DEPT``, ``SEX_BOUND_DEPT``) the code starts with,
    null for other departments."""
    from pyspark.sql import functions as F

    return F.coalesce(*[F.when(dept_col.startswith(p), F.lit(p)) for p in BOUND_DEPT_PREFIXES])


def dept_inconsistent(dept_col, gend_col, age_col, dise_codg_col=None):
    """Spark predicate: the department cannot have treated the card's holder (their age or sex): 就诊科室与
    年龄/性别不符. An unknown sex (0/9) or a null department is not judged, nor a newborn's care on its mother's
    card (``newborn_with_mother``)."""
    from functools import reduce

    from pyspark.sql import functions as F

    # older than the department serves (a visit dated before birth is a date error, not someone else's care)
    conds = [starts_with_any(dept_col, pre) & (age_col > hi) for pre, _, hi, _ in AGE_BOUND_DEPT] + [
        starts_with_any(dept_col, pre) & gend_col.isin("1", "2") & (gend_col != sex) & (age_col >= from_age)
        for pre, sex, from_age, _ in SEX_BOUND_DEPT
    ]
    if dise_codg_col is None:
        dise_codg_col = F.lit(None).cast("string")
    mother = newborn_with_mother(dise_codg_col, dept_col, gend_col, age_col)
    return F.coalesce(reduce(lambda a, b: a | b, conds), F.lit(False)) & ~mother


def urban_district(admdvs_col):
    """Spark predicate: the 6-digit division is a city district (市辖区: its last two digits 01-20, GB/T 2260);
    two districts of one city are neighbours, two counties usually are not."""
    return admdvs_col.substr(5, 2).cast("int").between(1, 20)


# Diagnoses excluded from split-admission checks: planned readmissions for cancer treatment cycles (放化疗).
PLANNED_READMISSION_DX = ("C", "Z51")

# Diagnoses that explain why several people of one village are admitted together: a contagion (infectious diseases
# A00-B99, influenza and acute respiratory infections J00-J22), a common exposure (injuries and poisonings S00-T98:
# a road accident, a village banquet) or a treatment schedule (a chemotherapy cohort). A group that comes back
# together for anything else (lumbar discs, lacunar infarcts, hypertension) has no shared cause but a recruiter.
COMMON_CAUSE_DX = ("A", "B", "J0", "J10", "J11", "J12", "J13", "J14", "J15", "J16", "J17", "J18", "J20", "J21",
                   "J22", "S", "T", *PLANNED_READMISSION_DX)  # fmt: skip
