"""Per-person features (参保人) over the look-back window."""

from __future__ import annotations

import datetime as dt

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from features.codes import DRUG_ITEM_TYPES, is_mild
from features.windows import amount_peaks, co_admission_groups, in_window

PSN_FEATURES = [
    "n_adm",
    "n_adm_mild",
    "adm_max_same_inst",
    "n_readmit_15d",
    "total_los",
    "co_adm_max",
    "co_adm_stays",
    "amt_peak_stays",
    "n_outpatient",
    "n_pharmacy",
    "fund_pay_total",
    "rx_days_supply",
    "rx_supply_ratio",
    "rx_max_drug_days",
]


def age_band(age_col):
    return (
        F.when(age_col < 18, "0-17")
        .when(age_col < 45, "18-44")
        .when(age_col < 60, "45-59")
        .when(age_col < 75, "60-74")
        .otherwise("75+")
    )


def psn_features(
    psn: DataFrame,
    visits: DataFrame,
    fee_list: DataFrame,
    as_of: dt.date,
    window_days: int = 365,
    readmit_days: int = 15,
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
    """
    v = in_window(visits, as_of, window_days)
    stays = co_admission_groups(amount_peaks(v.filter("is_inpatient"), "fixmedins_code"))
    mild = is_mild(F.col("dise_codg"))
    prev = Window.partitionBy("psn_no").orderBy("begntime")
    stays = stays.withColumn("gap_days", F.datediff("adm_date", F.lag("dscg_date").over(prev)))
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
            F.sum((F.col("gap_days") <= readmit_days).cast("int")).alias("n_readmit_15d"),
            F.sum("los_days").alias("total_los"),
            F.max(F.col("co_adm_n") - 1).alias("co_adm_max"),
            F.sum((F.col("co_adm_n") >= 3).cast("int")).alias("co_adm_stays"),
            F.sum(F.col("amt_peak").cast("int")).alias("amt_peak_stays"),
        )
        .join(per_inst, "psn_no", "left")
    )
    o = v.groupBy("psn_no").agg(
        F.sum((~F.col("is_inpatient") & ~F.col("is_pharmacy")).cast("int")).alias("n_outpatient"),
        F.sum(F.col("is_pharmacy").cast("int")).alias("n_pharmacy"),
        F.sum("fund_pay_sumamt").cast("double").alias("fund_pay_total"),
        F.min("adm_date").alias("first_visit"),
    )
    drugs = (
        fee_list.filter(F.col("med_chrgitm_type").isin(*DRUG_ITEM_TYPES))
        .join(v.select("mdtrt_id", "psn_no"), "mdtrt_id")
        .groupBy("psn_no", "med_list_codg")
        .agg(F.sum(F.coalesce("prd_days", F.lit(0))).alias("days"))
    )
    rx = drugs.groupBy("psn_no").agg(
        F.sum("days").alias("rx_days_supply"), F.max("days").alias("rx_max_drug_days")
    )
    age = F.floor(F.months_between(F.lit(as_of), F.col("brdy")) / 12).cast("int")
    out = (
        psn.select("psn_no", "gend", "insutype", "insuplc_admdvs", "psn_idet_type", age.alias("age"))
        .join(s, "psn_no", "left")
        .join(o, "psn_no", "left")
        .join(rx, "psn_no", "left")
    )
    # supply per elapsed day since the first visit in the window (a 30-day supply bought every week → ~4)
    elapsed = F.greatest(F.datediff(F.lit(as_of), F.col("first_visit")) + 1, F.lit(30))
    out = out.withColumn("rx_supply_ratio", F.coalesce(F.col("rx_max_drug_days") / elapsed, F.lit(0.0)))
    counts = [c for c in PSN_FEATURES if c not in ("fund_pay_total", "rx_supply_ratio")]
    out = out.fillna(0, subset=counts).fillna(0.0, subset=["fund_pay_total"])
    return out.select(
        "psn_no",
        "insuplc_admdvs",
        "gend",
        "age",
        age_band(F.col("age")).alias("age_band"),
        "insutype",
        "psn_idet_type",
        *[F.col(c).cast("double").alias(c) for c in PSN_FEATURES],
        F.lit(as_of).alias("as_of"),
    )
