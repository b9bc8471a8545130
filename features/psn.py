"""Per-person features (参保人) over the look-back window.

Counts that feed the isolation forest and the person rules (``models/rules.py``), plus
``evidence_setl_ids``: the settlements behind the hard-evidence counts, listed first in a clue.
"""

from __future__ import annotations

import datetime as dt

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from features.codes import (
    COMMON_CAUSE_DX,
    DRUG_ITEM_TYPES,
    OPSP_MED_TYPE_PREFIX,
    PLANNED_READMISSION_DX,
    common_illness_drug,
    dept_bound,
    dept_inconsistent,
    dept_key,
    drug_atc,
    dx_bound,
    dx_inconsistent,
    is_inpatient,
    is_mild,
    opsp_covered,
    opsp_disease,
    opsp_known_drug,
    starts_with_any,
    urban_district,
)
from features.rings import RING_FEATURES
from features.trace import PERSON_CODE_FEATURES
from features.visits import fully_refunded
from features.windows import WindowInputs, window_inputs

PSN_FEATURES = [
    "n_adm",
    "n_adm_mild",
    "adm_max_same_inst",
    "n_readmit",
    "n_split_adm",
    "split_score",
    "total_los",
    "co_adm_max",
    "co_adm_village_max",
    "co_adm_same_amt_max",
    "co_adm_stays",
    "co_adm_village_stays",
    "amt_peak_stays",
    "n_overlap_stays",
    "n_visits_in_stay",
    "n_in_stay_routine",
    "n_outpatient",
    "n_pharmacy",
    "fund_pay_total",
    "rx_days_supply",
    "rx_supply_ratio",
    "rx_max_drug_days",
    "n_opsp_visits",
    "n_opsp_mismatch",
    "n_opsp_off_disease",
    "n_opsp_common",
    "n_refunded",
    "n_fund_over_fee",
    "n_split_visits",
    "n_acct_round_buys",
    "n_place_conflict",
    "place_conflict_score",
    "n_after_death",
    "n_dx_inconsistent",
    "n_dept_inconsistent",
    *RING_FEATURES,
    *PERSON_CODE_FEATURES,
]


def age_band(age_col):
    return (
        F.when(age_col < 18, "0-17")
        .when(age_col < 45, "18-44")
        .when(age_col < 60, "45-59")
        .when(age_col < 75, "60-74")
        .otherwise("75+")
    )


def _split_admissions(stays: DataFrame, readmit_days: int) -> DataFrame:
    """Stays with ``gap_days`` to the previous discharge and ``split``: a readmission within ``readmit_days``
    at the same institution for the same diagnosis category (ICD-10 3 characters), planned cancer cycles
    excluded (分解住院)."""
    prev = Window.partitionBy("psn_no").orderBy("begntime", "mdtrt_id")
    dx3 = F.substring("dise_codg", 1, 3)
    stays = stays.withColumns(
        {
            "gap_days": F.datediff("adm_date", F.lag("dscg_date").over(prev)),
            "_prev_inst": F.lag("fixmedins_code").over(prev),
            "_prev_dx3": F.lag(dx3).over(prev),
            "_prev_id": F.lag("mdtrt_id").over(prev),
        }
    )
    split = (
        (F.col("gap_days") <= readmit_days)
        & (F.col("fixmedins_code") == F.col("_prev_inst"))
        & (dx3 == F.col("_prev_dx3"))
        & ~starts_with_any(F.col("dise_codg"), PLANNED_READMISSION_DX)
    )
    # how strongly the readmission looks like one stay cut in two: the next day 1.0, the last day of the
    # readmission window near 0; a different full diagnosis code (a complication) weakens it
    closeness = F.greatest(F.lit(1.0) - (F.col("gap_days") - 1) / F.lit(float(readmit_days)), F.lit(0.05))
    same_dx = F.col("dise_codg") == F.lag("dise_codg").over(prev)
    return stays.withColumns(
        {
            "split": F.coalesce(split, F.lit(False)),
            "split_strength": F.when(split, closeness * F.when(same_dx, 1.0).otherwise(0.6)).otherwise(0.0),
        }
    )


def _overlapping_stays(stays: DataFrame) -> DataFrame:
    """(psn_no, mdtrt_id) of stays that overlap a stay of the same person at another institution.

    Overlap is strict (a transfer discharged and admitted on the same day is not one): one person cannot
    lie in two hospitals at once, so one of the two is someone else's stay on this ID (冒名顶替) or a bed
    kept while the patient is elsewhere (挂床).
    """
    a = stays.select("psn_no", "mdtrt_id", "fixmedins_code", "adm_date", "dscg_date")
    b = a.select(*[F.col(c).alias(f"b_{c}") for c in a.columns])
    pairs = a.join(
        b,
        (F.col("psn_no") == F.col("b_psn_no"))
        & (F.col("mdtrt_id") != F.col("b_mdtrt_id"))
        & (F.col("fixmedins_code") != F.col("b_fixmedins_code"))
        & (F.col("b_adm_date") < F.col("dscg_date"))
        & (F.col("adm_date") < F.col("b_dscg_date")),
    )
    return pairs.select("psn_no", "mdtrt_id").distinct()


def _visits_in_stay(visits: DataFrame, stays: DataFrame) -> DataFrame:
    """(psn_no, mdtrt_id) of outpatient or pharmacy settlements dated strictly inside an inpatient stay."""
    # the stays are few (inpatient visits only): broadcast them rather than shuffle every visit
    s = F.broadcast(
        stays.select(
            F.col("psn_no").alias("s_psn_no"),
            F.col("adm_date").alias("s_adm"),
            F.col("dscg_date").alias("s_dscg"),
        )
    )
    o = visits.filter(~F.col("is_inpatient")).select("psn_no", "mdtrt_id", "adm_date")
    inside = o.join(
        s,
        (F.col("psn_no") == F.col("s_psn_no"))
        & (F.col("adm_date") > F.col("s_adm"))
        & (F.col("adm_date") < F.col("s_dscg")),
    )
    return inside.select("psn_no", "mdtrt_id").distinct()


def _routine_in_stay(lines: DataFrame, inside: DataFrame) -> DataFrame:
    """(psn_no, mdtrt_id) of the settlements inside a stay (``inside``) that buy a drug the person buys
    routinely, on at least two other outpatient or pharmacy visits: a relative fetching the patient's own
    medicine looks like bed-blocking (挂床) and is not."""
    drugs = lines.filter(F.col("med_chrgitm_type").isin(*DRUG_ITEM_TYPES)).select(
        "psn_no", "mdtrt_id", "med_list_codg"
    )
    flagged = inside.select("psn_no", "mdtrt_id").withColumn("_in", F.lit(True))
    tagged = drugs.join(flagged, ["psn_no", "mdtrt_id"], "left")
    routine = (
        tagged.filter(F.col("_in").isNull())
        .groupBy("psn_no", "med_list_codg")
        .agg(F.countDistinct("mdtrt_id").alias("_n"))
        .filter("_n >= 2")
        .drop("_n")
    )
    return (
        tagged.filter("_in")
        .join(routine, ["psn_no", "med_list_codg"], "left_semi")
        .select("psn_no", "mdtrt_id")
        .distinct()
    )


def _opsp_misuse(lines: DataFrame, visits: DataFrame, opsp_reg: DataFrame | None) -> dict[str, DataFrame]:
    """(psn_no, mdtrt_id) of chronic-benefit (门诊慢特病) visits that bought a drug none of the person's
    registrations (of any dates) covers (``features.codes.OPSP_DRUGS``), by the count they feed:

    - ``n_opsp_mismatch`` (超范围): another chronic disease's drug;
    - ``n_opsp_off_disease`` (超病种): of those, the visits whose own diagnosis is a disease the person holds no
      registration for (a null diagnosis is not judged);
    - ``n_opsp_common`` (乱开药): a drug for a common, self-limiting illness (``COMMON_ILLNESS_DRUGS``).

    ``lines``: the window's fee lines with their visit's columns (``WindowInputs.lines``); ``visits``: the
    window's visits (their diagnoses)."""
    atc = F.col("atc")
    lines = (
        lines.filter(
            F.col("med_type").startswith(OPSP_MED_TYPE_PREFIX)
            & F.col("med_chrgitm_type").isin(*DRUG_ITEM_TYPES)
        )
        .select("psn_no", "mdtrt_id", "adm_date", drug_atc(F.col("med_list_codg")).alias("atc"))
        .withColumns({"common": common_illness_drug(atc), "chronic": opsp_known_drug(atc) & ~common_illness_drug(atc)})
        .filter(F.col("common") | F.col("chronic"))
    )  # fmt: skip
    reg = None
    if opsp_reg is not None:
        reg = opsp_reg.select(
            F.col("psn_no").alias("r_psn_no"),
            "opsp_dise_code",
            opsp_disease(F.col("opsp_dise_code")).alias("r_disease"),
        )

    def registered(df: DataFrame) -> DataFrame:
        """``df`` left-joined with the person's registrations, whatever their dates: a registration that lapsed
        before its renewal reached the extract (or whose dates were keyed wrong) still names the person's
        disease (a renewal that rewrote the begin date, too). Using the benefit outside the registered dates (超期)
        is not 超病种 or 超范围; no rule reads 超期 yet."""
        return df.join(reg, F.col("psn_no") == F.col("r_psn_no"), "left")

    if reg is None:
        bad = lines
    else:
        ok = F.max(F.coalesce(opsp_covered(F.col("opsp_dise_code"), atc), F.lit(False)))
        bad = (
            registered(lines)
            .groupBy("psn_no", "mdtrt_id", "adm_date", "atc", "common", "chronic")
            .agg(ok.alias("ok"))
            .filter(~F.col("ok"))
        )
    mismatch = bad.filter("chronic").select("psn_no", "mdtrt_id", "adm_date").distinct()
    dx = mismatch.join(visits.select("mdtrt_id", "dise_codg"), "mdtrt_id").filter(
        F.col("dise_codg").isNotNull()
    )
    if reg is None:
        off_disease = dx
    else:
        named = F.coalesce(F.col("r_disease") == opsp_disease(F.col("dise_codg")), F.lit(False))
        off_disease = (
            registered(dx)
            .groupBy("psn_no", "mdtrt_id")
            .agg(F.max(named).alias("named"))
            .filter(~F.col("named"))
        )
    return {
        "n_opsp_mismatch": mismatch.select("psn_no", "mdtrt_id"),
        "n_opsp_off_disease": off_disease.select("psn_no", "mdtrt_id"),
        "n_opsp_common": bad.filter("common").select("psn_no", "mdtrt_id").distinct(),
    }


# A department code is read as the national one (A07 儿科, A05 妇产科 …) unless the institution's own patients
# contradict it: where DEPT_CONFIRM_MIN_PERSONS or more people were seen in that department, at least
# DEPT_CONFIRM_SHARE of them must fit its age or sex. Local code tables reuse national codes for other wards (an
# extract filed adults' fever visits under A07), and there an adult in "A07" is no borrowed card. People, not
# visits: one borrowed card used many times cannot talk its institution out of the rule. A department seen by
# fewer people is presumed national.
DEPT_CONFIRM_SHARE = 0.8
DEPT_CONFIRM_MIN_PERSONS = 20


def _confirmed_dept(bound: DataFrame, misfit: Column) -> DataFrame:
    """``bound``'s visits in a department whose age or sex bound its own patients do not contradict: fewer than
    ``DEPT_CONFIRM_MIN_PERSONS`` people seen there at that institution, or at least ``DEPT_CONFIRM_SHARE`` of them
    fitting. People of unknown sex or birth date are not counted either way."""
    judged = F.col("gend").isin("1", "2") & F.col("brdy").isNotNull()
    rows = bound.filter(dept_bound(F.col("adm_dept_codg"))).withColumn(
        "_dept", dept_key(F.col("adm_dept_codg"))
    )
    people = (
        rows.filter(judged)
        .groupBy("fixmedins_code", "_dept", "psn_no")
        .agg(F.max(F.coalesce(misfit, F.lit(False)).cast("int")).alias("_misfit"))
        .groupBy("fixmedins_code", "_dept")
        .agg(F.count("*").alias("_n"), (1 - F.avg("_misfit")).alias("_share"))
    )
    contradicted = people.filter(
        (F.col("_n") >= DEPT_CONFIRM_MIN_PERSONS) & (F.col("_share") < DEPT_CONFIRM_SHARE)
    ).select("fixmedins_code", "_dept")
    return rows.join(contradicted, ["fixmedins_code", "_dept"], "left_anti")


CONFLICT_MINUTES = 60  # [features] conflict_minutes
# The fund pays a share of a visit's fees, never more. Net of refunds, a visit whose fund payment exceeds its fees
# by more than this (yuan; rounding of the shares stays far below) had its fees refunded while the fund's share
# stayed paid: the fund's money went back to the patient as cash (退费套现).
FUND_OVER_FEE_YUAN = 1.0


# 个人账户套现: a pharmacy purchase of at least ACCT_ROUND_MIN_YUAN paid wholly from the employee's personal account
# at a whole-yuan total. A basket priced item by item (price × quantity, in fen) rarely lands on whole yuan; a sum
# chosen first (goods outside the account's scope billed as a drug, or cash handed back) does.
ACCT_ROUND_MIN_YUAN = 50


def _account_round_buys(visits: DataFrame) -> DataFrame:
    """(psn_no, mdtrt_id) of the pharmacy purchases paid wholly from the personal account at a whole-yuan total."""
    fee = F.col("medfee_sumamt")
    return visits.filter(
        F.col("is_pharmacy")
        & (fee >= ACCT_ROUND_MIN_YUAN)
        & (F.col("acct_pay") >= fee - F.lit(0.005))
        & (fee == F.floor(fee))
    ).select("psn_no", "mdtrt_id")


# 分解就诊/分解处方: an outpatient visit that begins within this many minutes of the same person's previous
# outpatient visit at the same institution (and department, when both are known) is one consultation settled as
# two, each within its per-visit limits. Two departments of one hospital on one morning are not.
SPLIT_VISIT_MINUTES = 30


def _split_visits(visits: DataFrame) -> DataFrame:
    """(psn_no, mdtrt_id) of both visits of each outpatient pair ``SPLIT_VISIT_MINUTES`` apart at one institution
    and department (see above); pharmacy purchases and stays take no part."""
    v = visits.filter(~F.col("is_inpatient") & ~F.col("is_pharmacy")).select(
        "psn_no", "mdtrt_id", "fixmedins_code", "adm_dept_codg", "begntime"
    )
    prev = Window.partitionBy("psn_no", "fixmedins_code").orderBy("begntime", "mdtrt_id")
    v = v.withColumns(
        {
            "_p_id": F.lag("mdtrt_id").over(prev),
            "_p_dept": F.lag("adm_dept_codg").over(prev),
            "_p_time": F.lag("begntime").over(prev),
        }
    )
    gap = F.col("begntime").cast("long") - F.col("_p_time").cast("long")
    pair = v.filter(
        (gap <= SPLIT_VISIT_MINUTES * 60)
        & ~F.coalesce(F.col("adm_dept_codg") != F.col("_p_dept"), F.lit(False))
        & (F.col("_p_id") != F.col("mdtrt_id"))
    )
    return pair.select("psn_no", "mdtrt_id").unionByName(
        pair.select("psn_no", F.col("_p_id").alias("mdtrt_id"))
    )


def _place_conflicts(visits: DataFrame, places: DataFrame, minutes: int) -> DataFrame:
    """(psn_no, mdtrt_id, conflict) of visits that began within ``minutes`` of the person's previous visit, at an
    institution of another county (``fix_blng_admdvs``): one card in two places at once (异地同时就医: a card
    lent or borrowed, 冒名就医). Both visits of a pair are returned; ``conflict`` (on the later one, 0 on the
    earlier) is how strongly the pair says it:

    - closeness in time: 1.0 at the same minute, 0.5 at ``minutes`` apart;
    - × 0.5 when one of them is a pharmacy purchase (a relative fetching medicine on the card is common and
      tolerated; a doctor's visit needs the patient there);
    - × 0.5 when both institutions are districts of one city (neighbours: a referral across the street).

    Inpatient stays take part by their admission time (the visits inside a stay are ``n_visits_in_stay``'s)."""
    p = places.select("fixmedins_code", F.col("fix_blng_admdvs").alias("_county"))
    v = visits.select("psn_no", "mdtrt_id", "fixmedins_code", "begntime", "is_pharmacy").join(
        F.broadcast(p), "fixmedins_code"
    )
    prev = Window.partitionBy("psn_no").orderBy("begntime", "mdtrt_id")
    v = v.withColumns(
        {
            "_p_id": F.lag("mdtrt_id").over(prev),
            "_p_county": F.lag("_county").over(prev),
            "_p_time": F.lag("begntime").over(prev),
            "_p_pharmacy": F.lag("is_pharmacy").over(prev),
        }
    )
    gap = (F.col("begntime").cast("long") - F.col("_p_time").cast("long")) / 60.0
    pair = v.filter(
        (F.col("_county") != F.col("_p_county")) & (gap <= minutes) & (F.col("_p_id") != F.col("mdtrt_id"))
    )
    same_city = (
        urban_district(F.col("_county"))
        & urban_district(F.col("_p_county"))
        & (F.col("_county").substr(1, 4) == F.col("_p_county").substr(1, 4))
    )
    strength = (
        (F.lit(1.0) - gap / F.lit(2.0 * max(minutes, 1)))
        * F.when(F.col("is_pharmacy") | F.col("_p_pharmacy"), 0.5).otherwise(1.0)
        * F.when(same_city, 0.5).otherwise(1.0)
    )
    later = pair.select("psn_no", "mdtrt_id", strength.alias("conflict"))
    earlier = pair.select("psn_no", F.col("_p_id").alias("mdtrt_id"), F.lit(0.0).alias("conflict"))
    return later.unionByName(earlier)


# The figures of a person's own visits and fee lines: they change only when that person's rows in the window
# change, so the weekly run computes them for the people a week touched and carries them over for everyone else
# (``jobs/build_features``). Beside them ``visit_setl_ids`` (their evidence), and in a table of their own each
# person's supply of each drug (``drug_supply``). Everything else in a person's row is recomputed each week: the
# stays' figures (co-admission and amount peaks depend on other people's stays), the supply ratio (against each
# drug's reference), sex- and age-bound diagnoses (on the person's record),
# settlements after death, rings, resold codes, age.
VISIT_FIGURES = [
    "n_outpatient",
    "n_pharmacy",
    "fund_pay_total",
    "rx_days_supply",
    "rx_max_drug_days",
    "n_overlap_stays",
    "n_visits_in_stay",
    "n_in_stay_routine",
    "n_opsp_visits",
    "n_opsp_mismatch",
    "n_opsp_off_disease",
    "n_opsp_common",
    "n_refunded",
    "n_fund_over_fee",
    "n_split_visits",
    "n_acct_round_buys",
    "n_place_conflict",
    "place_conflict_score",
]
VISIT_FIGURE_COLUMNS = ("psn_no", *VISIT_FIGURES, "visit_setl_ids")


def _setl_ids_of(flagged: DataFrame, all_visits: DataFrame, name: str) -> DataFrame:
    """(psn_no, ``name``): the sorted settlements of the flagged visits ((psn_no, mdtrt_id) rows)."""
    return (
        flagged.select("psn_no", "mdtrt_id")
        .distinct()
        .join(all_visits.select("mdtrt_id", "setl_ids"), "mdtrt_id")
        .groupBy("psn_no")
        .agg(F.array_sort(F.array_distinct(F.flatten(F.collect_list("setl_ids")))).alias(name))
    )


def _flag_counts(evidence: dict[str, DataFrame]) -> DataFrame:
    """(psn_no, one count column per kind): the distinct flagged visits of each kind of evidence."""
    flagged = None
    for name, df in evidence.items():
        df = df.select("psn_no", "mdtrt_id").withColumn("_kind", F.lit(name))
        flagged = df if flagged is None else flagged.unionByName(df)
    return flagged.distinct().groupBy("psn_no").pivot("_kind", list(evidence)).count()


# 超量开药: per person and drug bought on SUPPLY_MIN_FILLS days or more, the supply bought before the last purchase
# over the days from the first purchase to the last (the medication possession ratio of pharmacy-claims research:
# 1 when bought as used, 3 when a month's supply is fetched every ten days; the days between are at least
# SUPPLY_MIN_SPAN_DAYS). Two purchases are not yet a habit: a second box for a relative, a lost pack. A drug's
# reference is the median ratio of its buyers when at least SUPPLY_REF_MIN_BUYERS of them exist: where its 周期天数
# is recorded as the pack size or a local dispensing habit, every regular buyer sits above 1, and the person is
# measured against that.
DRUG_SUPPLY_COLUMNS = ("psn_no", "med_list_codg", "n_fills", "days_before_last", "span_days")
SUPPLY_MIN_FILLS = 3
SUPPLY_MIN_SPAN_DAYS = 7
SUPPLY_REF_MIN_BUYERS = 20


def drug_supply(lines: DataFrame) -> DataFrame:
    """``DRUG_SUPPLY_COLUMNS``: one row per person and drug bought outside a stay on ``SUPPLY_MIN_FILLS`` days of
    the window or more (``WindowInputs.lines``; one day's purchases are one fill, so a prescription split into two
    settlements is one). A returned line (negative amount) takes its days back; a day left with none is no fill."""
    days = F.coalesce("prd_days", F.lit(0)) * F.signum("det_item_fee_sumamt")
    fills = (
        lines.filter(F.col("med_chrgitm_type").isin(*DRUG_ITEM_TYPES) & ~is_inpatient(F.col("med_type")))
        .groupBy("psn_no", "med_list_codg", "adm_date")
        .agg(F.sum(days).alias("days"))
        .filter(F.col("days") > 0)  # a day whose purchase was returned (or without 周期天数) is no fill
    )
    return (
        fills.groupBy("psn_no", "med_list_codg")
        .agg(
            F.count("*").alias("n_fills"),
            F.sum("days").alias("_days"),
            F.max_by("days", "adm_date").alias("_last_days"),
            F.datediff(F.max("adm_date"), F.min("adm_date")).alias("span_days"),
        )
        .filter(F.col("n_fills") >= SUPPLY_MIN_FILLS)
        .select(
            "psn_no",
            "med_list_codg",
            F.col("n_fills").cast("int").alias("n_fills"),
            (F.col("_days") - F.col("_last_days")).cast("double").alias("days_before_last"),
            F.col("span_days").cast("int").alias("span_days"),
        )
    )


def supply_ratio(supply: DataFrame) -> DataFrame:
    """(psn_no, rx_supply_ratio): each person's highest ratio, over their drugs, of the supply bought before the
    last purchase to the days it covered, against the drug's reference (``drug_supply``)."""
    s = supply.withColumn(
        "_mpr", F.col("days_before_last") / F.greatest(F.col("span_days"), F.lit(SUPPLY_MIN_SPAN_DAYS))
    )
    ref = (
        s.groupBy("med_list_codg")
        .agg(F.percentile_approx("_mpr", 0.5).alias("_median"), F.count("*").alias("_buyers"))
        .select(
            "med_list_codg",
            F.when(F.col("_buyers") >= SUPPLY_REF_MIN_BUYERS, F.greatest(F.col("_median"), F.lit(1.0)))
            .otherwise(1.0)
            .alias("_ref"),
        )
    )
    return (
        s.join(F.broadcast(ref), "med_list_codg", "left")
        .groupBy("psn_no")
        .agg(F.max(F.col("_mpr") / F.coalesce(F.col("_ref"), F.lit(1.0))).alias("rx_supply_ratio"))
    )


def visit_figures(
    w: WindowInputs,
    readmit_days: int = 15,
    opsp_reg: DataFrame | None = None,
    places: DataFrame | None = None,
    conflict_minutes: int = CONFLICT_MINUTES,
) -> DataFrame:
    """``VISIT_FIGURE_COLUMNS``, one row per person with a visit in ``w`` (settled or refunded): what a person's
    own visits and fee lines say. ``w`` may hold some people only (all of their window rows): each person's
    figures depend on their own rows alone, never on whom else ``w`` holds.

    ``places``: the institutions (fixmedins_code, fix_blng_admdvs), for visits in two counties within
    ``conflict_minutes`` (``_place_conflicts``); None: not judged."""
    v = w.visits
    stays = _split_admissions(w.stays, readmit_days)
    o = v.groupBy("psn_no").agg(
        F.sum((~F.col("is_inpatient") & ~F.col("is_pharmacy")).cast("int")).alias("n_outpatient"),
        F.sum(F.col("is_pharmacy").cast("int")).alias("n_pharmacy"),
        F.sum(F.col("med_type").startswith(OPSP_MED_TYPE_PREFIX).cast("int")).alias("n_opsp_visits"),
        F.sum("fund_pay_sumamt").cast("double").alias("fund_pay_total"),
    )
    drugs = (
        w.lines.filter(F.col("med_chrgitm_type").isin(*DRUG_ITEM_TYPES))
        .groupBy("psn_no", "med_list_codg")
        .agg(F.sum(F.coalesce("prd_days", F.lit(0))).alias("days"))
    )
    rx = drugs.groupBy("psn_no").agg(
        F.sum("days").alias("rx_days_supply"), F.max("days").alias("rx_max_drug_days")
    )
    # hard evidence: each is (psn_no, mdtrt_id) of the visits behind one count
    split = stays.filter("split")
    split_ids = split.select("psn_no", F.col("_prev_id").alias("mdtrt_id")).unionByName(
        split.select("psn_no", "mdtrt_id")
    )
    in_stay = _visits_in_stay(v, stays)
    routine = (
        _routine_in_stay(w.lines, in_stay).groupBy("psn_no").agg(F.count("*").alias("n_in_stay_routine"))
    )
    evidence = {
        "n_overlap_stays": _overlapping_stays(stays),
        "n_visits_in_stay": in_stay,
        **_opsp_misuse(w.lines, v, opsp_reg),
        "n_refunded": w.all_visits.filter(fully_refunded()).select("psn_no", "mdtrt_id"),
        "n_split_visits": _split_visits(v),
        "n_acct_round_buys": _account_round_buys(v),
        # (fees floored at zero: a refund whose original settlement is missing nets negative on both)
        "n_fund_over_fee": w.all_visits.filter(
            F.col("fund_pay_sumamt") > F.greatest(F.col("medfee_sumamt"), F.lit(0)) + FUND_OVER_FEE_YUAN
        ).select("psn_no", "mdtrt_id"),
    }
    conflict_score = None
    if places is not None:
        conflicts = _place_conflicts(v, places, conflict_minutes)
        evidence["n_place_conflict"] = conflicts
        conflict_score = conflicts.groupBy("psn_no").agg(F.sum("conflict").alias("place_conflict_score"))
    flagged = split_ids
    for df in evidence.values():
        flagged = flagged.unionByName(df.select("psn_no", "mdtrt_id"))
    people = (
        w.all_visits.select("psn_no")
        .distinct()
        .join(o, "psn_no", "left")
        .join(rx, "psn_no", "left")
        .join(_flag_counts(evidence), "psn_no", "left")
        .join(routine, "psn_no", "left")
        .join(_setl_ids_of(flagged, w.all_visits, "visit_setl_ids"), "psn_no", "left")
    )
    if conflict_score is not None:
        people = people.join(conflict_score, "psn_no", "left")
    for c in VISIT_FIGURES:  # a count whose evidence was not judged (no places): zero
        if c not in people.columns:
            people = people.withColumn(c, F.lit(0.0))
    counts = [c for c in VISIT_FIGURES if c not in ("fund_pay_total", "place_conflict_score")]
    return (
        people.fillna(0, subset=counts)
        .fillna(0.0, subset=["fund_pay_total", "place_conflict_score"])
        .select(
            "psn_no",
            *[F.col(c).cast("double").alias(c) for c in VISIT_FIGURES],
            F.coalesce("visit_setl_ids", F.array().cast("array<string>")).alias("visit_setl_ids"),
        )
    )


def psn_features(
    psn: DataFrame,
    visits: DataFrame,
    fee_list: DataFrame,
    as_of: dt.date,
    window_days: int = 365,
    readmit_days: int = 15,
    opsp_reg: DataFrame | None = None,
    psn_death: DataFrame | None = None,
    inputs: WindowInputs | None = None,
    rings: DataFrame | None = None,
    codes: DataFrame | None = None,
    own: DataFrame | None = None,
    fixmedins: DataFrame | None = None,
    conflict_minutes: int = CONFLICT_MINUTES,
    supply: DataFrame | None = None,
) -> DataFrame:
    """One row per insured person, every person in ``psn`` (zeros where nothing happened).

    Args:
        psn: silver persons (1101).
        visits: silver/visit (netted visits, see ``features.visits.net_visits``).
        fee_list: silver fee details (5204).
        as_of: last day of the window.
        window_days: look-back length in days.
        readmit_days: a stay starting within this many days of the previous discharge is a readmission
            (分解住院: 15 days is the common rule in the supervision plans).
        opsp_reg: silver chronic-disease registrations (门诊慢特病备案); None: nobody is registered.
        psn_death: silver deaths (optional table); None: no deaths known.
        inputs: ``window_inputs(visits, fee_list, psn, as_of, window_days)`` when the caller built (and
            persisted) them already; they are built here otherwise.
        rings: ring members and their figures (``features.rings.person_rings``: psn_no, ``RING_FEATURES``);
            None: nobody is in a ring.
        codes: persons whose boxes were sold again elsewhere (``features.trace.person_code_features``:
            psn_no, ``PERSON_CODE_FEATURES``, ``code_setl_ids``); None: no codes known.
        own: the people's ``visit_figures`` when the caller has them (the weekly run carries last week's over
            for the people the week did not touch); computed from ``inputs`` otherwise. ``inputs`` then
            serves the stays and the visits the other figures filter (the fee lines are read only for
            ``supply`` when it is not given).
        fixmedins: silver institutions, for visits in two counties at once (``visit_figures``' places) when
            ``own`` is computed here; None: not judged.
        conflict_minutes: visits this close in time, in two counties, are one card in two places.
        supply: the people's ``drug_supply`` when the caller has them (carried over like ``own``); computed from
            ``inputs`` otherwise.
    """
    w = inputs or window_inputs(visits, fee_list, psn, as_of, window_days)
    if own is None:
        own = visit_figures(w, readmit_days, opsp_reg, fixmedins, conflict_minutes)
    v = w.visits
    stays = _split_admissions(w.stays, readmit_days)
    # 同进同出 from one village or household: group members who share the person's village (live_addr)
    stays = stays.withColumn("_co_village", F.greatest(F.col("_co_village_n") - 1, F.lit(0)))
    mild = is_mild(F.col("dise_codg"))
    per_inst = (
        stays.groupBy("psn_no", "fixmedins_code")
        .count()
        .groupBy("psn_no")
        .agg(F.max("count").alias("adm_max_same_inst"))
    )
    s = (
        stays.groupBy("psn_no")
        .agg(
            F.count("*").alias("n_adm"),
            F.sum(mild.cast("int")).alias("n_adm_mild"),
            F.sum((F.col("gap_days") <= readmit_days).cast("int")).alias("n_readmit"),
            F.sum(F.col("split").cast("int")).alias("n_split_adm"),
            F.sum("split_strength").alias("split_score"),
            F.sum("los_days").alias("total_los"),
            F.max(F.col("co_adm_n") - 1).alias("co_adm_max"),
            F.max(F.when(F.col("co_adm_grouped"), F.col("_co_village")).otherwise(0)).alias(
                "co_adm_village_max"
            ),
            F.sum(F.col("co_adm_grouped").cast("int")).alias("co_adm_stays"),
            # with two or more of the person's village, for a condition no contagion, accident or schedule explains
            F.sum(
                (
                    F.col("co_adm_grouped")
                    & (F.col("_co_village") >= 2)
                    & ~starts_with_any(F.col("dise_codg"), COMMON_CAUSE_DX)
                ).cast("int")
            ).alias("co_adm_village_stays"),
            # an equal bill that is the institution's price (单病种) is not the group's
            F.max(
                F.when(F.col("co_adm_grouped") & ~F.col("_co_amt_price"), F.col("_co_amt_n") - 1).otherwise(0)
            ).alias("co_adm_same_amt_max"),
            F.sum(F.col("amt_peak").cast("int")).alias("amt_peak_stays"),
        )
        .join(per_inst, "psn_no", "left")
    )
    age_now = F.floor(F.months_between(F.lit(as_of), F.col("brdy")) / 12).cast("int")
    people = psn.select("psn_no", "gend", "brdy")
    # hard evidence read from the person's record or the deaths: recomputed every week. The few visits with a
    # sex- or age-bound diagnosis or department meet the person's sex and birth date once, for both checks
    dx, dept, gend = F.col("dise_codg"), F.col("adm_dept_codg"), F.col("gend")
    at_visit = F.floor(F.months_between("adm_date", "brdy") / 12)
    bound = v.filter(dx_bound(dx) | dept_bound(dept)).join(people, "psn_no")
    dept_misfit = dept_inconsistent(dept, gend, at_visit, dx)
    evidence = {
        "n_dx_inconsistent": bound.filter(dx_inconsistent(dx, gend, at_visit, dept)).select(
            "psn_no", "mdtrt_id"
        ),
        "n_dept_inconsistent": _confirmed_dept(bound, dept_misfit)
        .filter(dept_misfit)
        .select("psn_no", "mdtrt_id"),
    }
    if psn_death is not None:
        evidence["n_after_death"] = (
            v.join(psn_death.select("psn_no", "death_date"), "psn_no")
            .filter(F.col("adm_date") > F.col("death_date"))
            .select("psn_no", "mdtrt_id")
        )
    flagged = None
    for df in evidence.values():
        flagged = df if flagged is None else flagged.unionByName(df)

    out = (
        psn.select("psn_no", "gend", "insutype", "insuplc_admdvs", "psn_idet_type", age_now.alias("age"))
        .join(s, "psn_no", "left")
        .join(own, "psn_no", "left")
        .join(_flag_counts(evidence), "psn_no", "left")
        .join(_setl_ids_of(flagged, w.all_visits, "_record_ev"), "psn_no", "left")
    )
    if rings is not None:  # ring membership (features.rings.person_rings), else nobody is in a ring
        out = out.join(rings.select("psn_no", *RING_FEATURES), "psn_no", "left")
    else:
        out = out.withColumns({c: F.lit(0.0) for c in RING_FEATURES})
    if codes is not None:  # 倒卖: the settlements of the resold boxes' purchases are evidence too
        out = out.join(codes.withColumnRenamed("code_setl_ids", "_code_ev"), "psn_no", "left")
    else:
        out = out.withColumns({c: F.lit(0.0) for c in PERSON_CODE_FEATURES}).withColumn(
            "_code_ev", F.lit(None).cast("array<string>")
        )
    if "n_after_death" not in evidence:
        out = out.withColumn("n_after_death", F.lit(0))
    no_ids = F.array().cast("array<string>")
    out = out.withColumn(
        "evidence_setl_ids",
        F.array_sort(F.array_distinct(F.concat(*[
            F.coalesce(c, no_ids) for c in ("visit_setl_ids", "_record_ev", "_code_ev")
        ]))),
    )  # fmt: skip
    out = out.join(supply_ratio(drug_supply(w.lines) if supply is None else supply), "psn_no", "left")
    counts_cols = [c for c in PSN_FEATURES if c not in ("fund_pay_total", "rx_supply_ratio")]
    out = out.fillna(0, subset=counts_cols).fillna(0.0, subset=["fund_pay_total", "rx_supply_ratio"])
    return out.select(
        "psn_no",
        "insuplc_admdvs",
        "gend",
        "age",
        age_band(F.col("age")).alias("age_band"),
        "insutype",
        "psn_idet_type",
        *[F.col(c).cast("double").alias(c) for c in PSN_FEATURES],
        "evidence_setl_ids",
        F.lit(as_of).alias("as_of"),
    )
