"""Per-institution features (定点医药机构) over the look-back window.

Institutions are judged against their peers: the same type and hospital level in the same city
(``PEERS``); ``*_peer`` features are the institution's value over its peers' median.
"""

from __future__ import annotations

import datetime as dt
from functools import reduce

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from features.codes import DRUG_ITEM_TYPES, EXAM_ITEM_TYPES, is_mild
from features.trace import INSTITUTION_CODE_FEATURES
from features.visits import fully_refunded
from features.windows import WindowInputs, amount_peak_share, window_inputs

FIXMEDINS_FEATURES = [
    "n_visits",
    "n_patients",
    "n_adm",
    "adm_per_patient",
    "co_adm_share",
    "co_adm_groups",
    "co_adm_mild_share",
    "los_cv",
    "amt_peak_share",
    "mild_share",
    "elderly_share",
    "low_income_share",
    "cost_per_stay",
    "cost_per_visit",
    "fund_pay_total",
    "rx_days_per_patient",
    "pharm_amt_peak_share",
    "adm_rate",
    "exam_share",
    "drug_share",
    "cost_per_stay_peer",
    "cost_per_visit_peer",
    "adm_rate_peer",
    "swipe_groups",
    "swipe_share",
    "round_swipe_groups",
    "refund_share",
    *INSTITUTION_CODE_FEATURES,
]
# Like is compared with like: type (医院/药店), hospital level and city (first 4 digits of the region code).
PEERS = ("fixmedins_type", "hosp_lv", "city")
PEER_RATIOS = {
    "cost_per_stay": "cost_per_stay_peer",
    "cost_per_visit": "cost_per_visit_peer",
    "adm_rate": "adm_rate_peer",
}
# 空刷/倒卖: at least this many different people buying the same drug for the same amount at one pharmacy
# within about an hour of each other make a swipe group.
SWIPE_MIN_PERSONS = 5
SWIPE_BUCKET_MINUTES = 10
SWIPE_TOLERANCE_MINUTES = 30  # [features] swipe_tolerance_minutes
# 空刷套现: a purchase whose total is a whole multiple of ROUND_TOTAL_YUAN (from ROUND_MIN_YUAN up) is a sum
# chosen by the one swiping, not the price of what was bought (drug prices run to the fen)
ROUND_TOTAL_YUAN = 10
ROUND_MIN_YUAN = 50
MAX_EVIDENCE_SETL = 500  # settlements kept per institution as evidence (the clue lists the first ones)


def fixmedins_features(
    fixmedins: DataFrame,
    psn: DataFrame,
    visits: DataFrame,
    fee_list: DataFrame,
    as_of: dt.date,
    window_days: int = 365,
    inputs: WindowInputs | None = None,
    swipe_tolerance_minutes: int = SWIPE_TOLERANCE_MINUTES,
    codes: DataFrame | None = None,
    patients: DataFrame | None = None,
    buys: DataFrame | None = None,
) -> DataFrame:
    """One row per designated institution, every institution in ``fixmedins``.

    Args:
        fixmedins: silver institutions.
        psn: silver persons (for patients' age and special-population status).
        visits: silver/visit.
        fee_list: silver fee details.
        as_of: last day of the window.
        window_days: look-back length in days.
        inputs: ``window_inputs(visits, fee_list, psn, as_of, window_days)`` when the caller built (and
            persisted) them already; they are built here otherwise.
        swipe_tolerance_minutes: purchases this many minutes apart still count as one swipe group.
        codes: the institutions' traceability-code figures (``features.trace.institution_code_features``);
            None: no codes known (zeros).
        patients: ``patient_figures`` when the caller has them (the weekly run carries last week's over for
            the people the week did not touch); computed from ``inputs`` otherwise.
        buys: ``pharmacy_buys`` likewise (the swipe groups' input); ``inputs.lines`` otherwise.
    """
    w = inputs or window_inputs(visits, fee_list, psn, as_of, window_days)
    v = w.visits
    age = F.floor(F.months_between(F.col("adm_date"), F.col("brdy")) / 12)
    stays = w.stays  # with the patients' birth date and special-population type
    mild = is_mild(F.col("dise_codg"))
    # a group admitted over consecutive days (co_adm_tolerance_days) is one group: count runs of dates
    days = stays.filter("co_adm_grouped").select("fixmedins_code", "adm_date").distinct()
    prev = F.lag("adm_date").over(Window.partitionBy("fixmedins_code").orderBy("adm_date"))
    groups = (
        days.withColumn("_new", F.coalesce(F.datediff("adm_date", prev) > 1, F.lit(True)))
        .groupBy("fixmedins_code")
        .agg(F.sum(F.col("_new").cast("int")).alias("co_adm_groups"))
    )
    s = (
        stays.groupBy("fixmedins_code")
        .agg(
            F.count("*").alias("n_adm"),
            F.avg(F.col("co_adm_grouped").cast("double")).alias("co_adm_share"),
            # what the groups came in for: recruited groups are admitted for mild conditions (轻症入院), a
            # family hurt together or an outbreak in a nursing home for what happened to them
            F.avg(F.when(F.col("co_adm_grouped"), mild.cast("double"))).alias("co_adm_mild_share"),
            (F.stddev_pop("los_days") / F.avg("los_days")).alias("los_cv"),
            F.avg(F.col("amt_peak").cast("double")).alias("amt_peak_share"),
            F.avg(mild.cast("double")).alias("mild_share"),
            F.avg((age >= 65).cast("double")).alias("elderly_share"),
            F.avg(F.col("psn_idet_type").isNotNull().cast("double")).alias("low_income_share"),
            F.avg(F.col("hifp_pay").cast("double")).alias("cost_per_stay"),
            F.flatten(
                F.collect_list(F.when(F.col("co_adm_grouped") | F.col("amt_peak"), F.col("setl_ids")))
            ).alias("_stay_ev"),
        )
        .join(groups, "fixmedins_code", "left")
    )
    pharm = amount_peak_share(v.filter("is_pharmacy"), "fixmedins_code").withColumnRenamed(
        "amt_peak_share", "pharm_amt_peak_share"
    )
    if patients is None:
        patients = patient_figures(w)
    a = patients.groupBy("fixmedins_code").agg(
        F.sum("_n").alias("n_visits"),
        F.count(F.when(F.col("_n") > 0, F.col("psn_no"))).alias("n_patients"),  # patients with a visit
        (F.sum("_op_sum") / F.sum("_op_n")).cast("double").alias("cost_per_visit"),
        F.sum("_fund").cast("double").alias("fund_pay_total"),
        (F.sum("_days") / F.count(F.when(F.col("_has_drug"), F.col("psn_no")))).alias("rx_days_per_patient"),
        (F.sum("_exam") / F.sum("_amt")).cast("double").alias("exam_share"),
        (F.sum("_drug") / F.sum("_amt")).cast("double").alias("drug_share"),
        (F.sum("_refunded") / F.sum("_nonin")).alias("refund_share"),
    )
    swipes = swipe_groups(w.lines if buys is None else buys, swipe_tolerance_minutes)
    sw = swipes.groupBy("fixmedins_code").agg(
        F.count("*").alias("swipe_groups"),
        F.sum("n_purchases").alias("_swiped"),
        F.flatten(F.collect_list("setl_ids")).alias("_swipe_ev"),
    )
    rounds = swipe_groups(round_total_buys(v), swipe_tolerance_minutes)
    rsw = rounds.groupBy("fixmedins_code").agg(
        F.count("*").alias("round_swipe_groups"),
        F.flatten(F.collect_list("setl_ids")).alias("_round_ev"),
    )
    out = (
        fixmedins.select(
            "fixmedins_code",
            "fixmedins_type",
            F.coalesce("hosp_lv", F.lit("无")).alias("hosp_lv"),
            "fix_blng_admdvs",
        )
        .join(a, "fixmedins_code", "left")
        .join(s, "fixmedins_code", "left")
        .join(pharm, "fixmedins_code", "left")
        .join(sw, "fixmedins_code", "left")
        .join(rsw, "fixmedins_code", "left")
    )
    if codes is not None:
        out = out.join(codes, "fixmedins_code", "left")
    else:
        out = out.withColumns({c: F.lit(0.0) for c in INSTITUTION_CODE_FEATURES}).withColumn(
            "code_setl_ids", F.array().cast("array<string>")
        )
    out = out.withColumns(
        {
            "adm_per_patient": F.col("n_adm") / F.greatest(F.col("n_patients"), F.lit(1)),
            "adm_rate": F.coalesce(F.col("n_adm"), F.lit(0)) / F.greatest(F.col("n_visits"), F.lit(1)),
            "swipe_share": F.coalesce(F.col("_swiped"), F.lit(0)) / F.greatest(F.col("n_visits"), F.lit(1)),
            "city": F.concat(F.substring("fix_blng_admdvs", 1, 4), F.lit("00")),
            # the settlements behind the hard evidence: swipe groups, co-admitted groups, template amounts
            "evidence_setl_ids": F.slice(
                F.array_sort(
                    F.array_distinct(
                        F.concat(
                            F.coalesce("_swipe_ev", F.array().cast("array<string>")),
                            F.coalesce("_round_ev", F.array().cast("array<string>")),
                            F.coalesce("_stay_ev", F.array().cast("array<string>")),
                            F.coalesce("code_setl_ids", F.array().cast("array<string>")),
                        )
                    )
                ),
                1,
                MAX_EVIDENCE_SETL,
            ),
        }
    )
    out = with_peer_ratios(
        out.fillna(0.0, subset=[c for c in FIXMEDINS_FEATURES if c not in PEER_RATIOS.values()])
    )
    return out.select(
        "fixmedins_code",
        "fix_blng_admdvs",
        "fixmedins_type",
        "hosp_lv",
        "city",
        *[F.col(c).cast("double").alias(c) for c in FIXMEDINS_FEATURES],
        "evidence_setl_ids",
        F.lit(as_of).alias("as_of"),
    )


# What one patient's own visits and fee lines add to an institution's figures, per (fixmedins_code, psn_no):
# visits, outpatient fund and its visits, fund, drug days and whether any drug, exam / drug / all fee amounts,
# non-inpatient visits and those refunded in full. Like ``features.psn.visit_figures`` they change only when
# that person's window rows change, so the weekly run carries them over for the people a week did not touch.
PATIENT_FIGURE_COLUMNS = (
    "fixmedins_code", "psn_no", "_n", "_op_sum", "_op_n", "_fund", "_days", "_has_drug", "_exam", "_drug",
    "_amt", "_nonin", "_refunded",
)  # fmt: skip


def patient_figures(w: WindowInputs) -> DataFrame:
    """``PATIENT_FIGURE_COLUMNS``: one row per institution and patient with a visit there in ``w`` (settled or
    refunded). ``w`` may hold some people only: each row depends on that person's rows alone. Sums of money
    stay decimal (exact in any order: carried-over and recomputed rows add up to the same)."""
    outpatient_fund = F.when(~F.col("is_inpatient"), F.col("fund_pay_sumamt"))
    pair = ["fixmedins_code", "psn_no"]
    visits = w.visits.groupBy(*pair).agg(
        F.count("*").alias("_n"),
        F.sum(outpatient_fund).alias("_op_sum"),
        F.count(outpatient_fund).alias("_op_n"),
        F.sum("fund_pay_sumamt").alias("_fund"),
    )
    is_drug = F.col("med_chrgitm_type").isin(*DRUG_ITEM_TYPES)
    amt = F.col("det_item_fee_sumamt")
    lines = w.lines.groupBy(*pair).agg(
        F.sum(F.when(is_drug, F.coalesce("prd_days", F.lit(0)))).alias("_days"),
        F.max(is_drug).alias("_has_drug"),
        F.sum(F.when(F.col("med_chrgitm_type").isin(*EXAM_ITEM_TYPES), amt)).alias("_exam"),
        F.sum(F.when(is_drug, amt)).alias("_drug"),
        F.sum(amt).alias("_amt"),
    )
    refunds = (
        w.all_visits.filter(~F.col("is_inpatient"))
        .groupBy(*pair)
        .agg(F.count("*").alias("_nonin"), F.sum(fully_refunded().cast("int")).alias("_refunded"))
    )
    return (
        visits.join(lines, pair, "full_outer")
        .join(refunds, pair, "full_outer")
        .select(*PATIENT_FIGURE_COLUMNS)
    )


# The swipe groups' input: pharmacy purchases of drugs (``swipe_groups`` reads no other fee lines).
BUY_COLUMNS = ("fixmedins_code", "psn_no", "med_list_codg", "det_item_fee_sumamt", "begntime", "setl_ids")


def pharmacy_buys(lines: DataFrame) -> DataFrame:
    """``BUY_COLUMNS`` of the drug lines of pharmacy visits (``WindowInputs.lines``), with their visit's
    ``is_pharmacy`` and ``med_chrgitm_type`` for ``swipe_groups``."""
    return lines.filter(
        F.col("is_pharmacy")
        & F.col("med_chrgitm_type").isin(*DRUG_ITEM_TYPES)
        & F.col("det_item_fee_sumamt").isNotNull()
    ).select(*BUY_COLUMNS)


def round_total_buys(visits: DataFrame) -> DataFrame:
    """``BUY_COLUMNS`` of the pharmacy purchases whose total is a round sum (``ROUND_TOTAL_YUAN``), all as one
    item: ``swipe_groups`` over them finds bursts of different cards each paying a round sum (空刷套现: cards
    collected and swiped in a batch, for sums chosen to be paid out, whatever the drugs on the receipt)."""
    total = F.col("medfee_sumamt")
    return visits.filter(
        F.col("is_pharmacy") & (total >= ROUND_MIN_YUAN) & (total % ROUND_TOTAL_YUAN == 0)
    ).select(
        "fixmedins_code",
        "psn_no",
        F.lit("*").alias("med_list_codg"),
        F.lit(None).cast("decimal(18,2)").alias("det_item_fee_sumamt"),
        "begntime",
        "setl_ids",
    )


def with_peer_ratios(out: DataFrame) -> DataFrame:
    """Add ``<feature>_peer`` = value / median of the peers (``PEERS``) that have the activity at all.

    An institution without peers (alone in its group) or without the activity gets 1.0: no evidence either way.
    """
    med = out.groupBy(*PEERS).agg(
        *[F.percentile_approx(F.when(F.col(c) > 0, F.col(c)), 0.5).alias(f"_{c}_med") for c in PEER_RATIOS]
    )
    out = out.join(med, list(PEERS), "left")
    for c, name in PEER_RATIOS.items():
        ratio = F.when((F.col(c) > 0) & (F.col(f"_{c}_med") > 0), F.col(c) / F.col(f"_{c}_med"))
        out = out.withColumn(name, F.coalesce(ratio, F.lit(1.0)))
    return out


def swipe_groups(lines: DataFrame, tolerance_minutes: int = SWIPE_TOLERANCE_MINUTES) -> DataFrame:
    """Pharmacy purchases of one drug for one amount by >= ``SWIPE_MIN_PERSONS`` people close in time
    (空刷/倒卖药品): one row per group with its first moment (``hour``, to the 10 minutes) and its settlements.

    Purchases are counted per ``SWIPE_BUCKET_MINUTES``; a bucket whose count, with the buckets within
    ``tolerance_minutes`` of it, reaches ``SWIPE_MIN_PERSONS`` is a candidate (30 minutes: a window of 70),
    and candidates close enough to share a neighbour chain into one group (a card run from 14:57 to 15:02 is
    one group, not two halves of a clock hour).

    ``lines``: the window's fee lines with their visit's columns (``WindowInputs.lines``), or their
    ``pharmacy_buys``."""
    tol = max(int(tolerance_minutes) // SWIPE_BUCKET_MINUTES, 0)
    if "is_pharmacy" in lines.columns:
        lines = pharmacy_buys(lines)
    buys = lines.withColumn("_h", F.floor(F.unix_timestamp("begntime") / (60 * SWIPE_BUCKET_MINUTES)))
    item = ["fixmedins_code", "med_list_codg", "det_item_fee_sumamt"]
    # A group of n people holds at least n purchases: plain counts per bucket find the few candidates,
    # and only their purchases are counted by person and gathered with their settlements.
    near = Window.partitionBy(*item).orderBy("_h").rangeBetween(-tol, tol)
    buckets = (
        buys.groupBy(*item, "_h")
        .count()
        .withColumn("_near", F.sum("count").over(near))
        .filter(F.col("_near") >= SWIPE_MIN_PERSONS)
    )
    prev = F.lag("_h").over(Window.partitionBy(*item).orderBy("_h"))
    # buckets within the tolerance of a candidate belong to its group too (they made its count)
    runs = (
        buckets.withColumn("_new", F.coalesce(F.col("_h") - prev > 2 * tol, F.lit(True)))
        .withColumn(
            "_run",
            F.sum(F.col("_new").cast("int")).over(
                Window.partitionBy(*item).orderBy("_h").rowsBetween(Window.unboundedPreceding, 0)
            ),
        )
        .groupBy(*item, "_run")
        .agg(F.min("_h").alias("_first"), F.max("_h").alias("_last"))
        .select(*[F.col(c).alias(f"_c_{c}") for c in item], "_first", "_last")
    )
    same_item = reduce(lambda a, b: a & b, [F.col(c).eqNullSafe(F.col(f"_c_{c}")) for c in item])
    in_run = F.col("_h").between(F.col("_first") - tol, F.col("_last") + tol)
    return (
        buys.join(F.broadcast(runs), same_item & in_run)
        .groupBy(*item, "_first")
        .agg(
            F.countDistinct("psn_no").alias("n_persons"),
            F.count("*").alias("n_purchases"),
            F.flatten(F.collect_list("setl_ids")).alias("setl_ids"),
        )
        .filter(F.col("n_persons") >= SWIPE_MIN_PERSONS)
        .select(
            "fixmedins_code",
            F.timestamp_seconds(F.col("_first") * 60 * SWIPE_BUCKET_MINUTES).alias("hour"),
            "med_list_codg",
            "det_item_fee_sumamt",
            "n_persons",
            "n_purchases",
            "setl_ids",
        )
    )
