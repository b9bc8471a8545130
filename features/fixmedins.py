"""Per-institution features (定点医药机构) over the look-back window."""

from __future__ import annotations

import datetime as dt

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from features.codes import DRUG_ITEM_TYPES, is_mild
from features.windows import amount_peaks, co_admission_groups, in_window

FIXMEDINS_FEATURES = [
    "n_visits",
    "n_patients",
    "n_adm",
    "adm_per_patient",
    "co_adm_share",
    "co_adm_groups",
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
]


def fixmedins_features(
    fixmedins: DataFrame,
    psn: DataFrame,
    visits: DataFrame,
    fee_list: DataFrame,
    as_of: dt.date,
    window_days: int = 365,
) -> DataFrame:
    """One row per designated institution, every institution in ``fixmedins``.

    Args:
        fixmedins: silver institutions.
        psn: silver persons (for patients' age and special-population status).
        visits: silver/visit.
        fee_list: silver fee details.
        as_of: last day of the window.
        window_days: look-back length in days.
    """
    v = in_window(visits, as_of, window_days)
    age = F.floor(F.months_between(F.col("adm_date"), F.col("brdy")) / 12)
    people = psn.select("psn_no", "brdy", "psn_idet_type")
    stays = co_admission_groups(amount_peaks(v.filter("is_inpatient"), "fixmedins_code")).join(
        people, "psn_no", "left"
    )
    mild = is_mild(F.col("dise_codg"))
    groups = (
        stays.filter("co_adm_n >= 3")
        .select("fixmedins_code", "adm_date", "dscg_date")
        .distinct()
        .groupBy("fixmedins_code")
        .agg(F.count("*").alias("co_adm_groups"))
    )
    s = (
        stays.groupBy("fixmedins_code")
        .agg(
            F.count("*").alias("n_adm"),
            F.avg((F.col("co_adm_n") >= 3).cast("double")).alias("co_adm_share"),
            (F.stddev_pop("los_days") / F.avg("los_days")).alias("los_cv"),
            F.avg(F.col("amt_peak").cast("double")).alias("amt_peak_share"),
            F.avg(mild.cast("double")).alias("mild_share"),
            F.avg((age >= 65).cast("double")).alias("elderly_share"),
            F.avg(F.col("psn_idet_type").isNotNull().cast("double")).alias("low_income_share"),
            F.avg(F.col("hifp_pay").cast("double")).alias("cost_per_stay"),
        )
        .join(groups, "fixmedins_code", "left")
    )
    pharm = (
        amount_peaks(v.filter("is_pharmacy"), "fixmedins_code")
        .groupBy("fixmedins_code")
        .agg(F.avg(F.col("amt_peak").cast("double")).alias("pharm_amt_peak_share"))
    )
    a = v.groupBy("fixmedins_code").agg(
        F.count("*").alias("n_visits"),
        F.countDistinct("psn_no").alias("n_patients"),
        F.avg(F.when(~F.col("is_inpatient"), F.col("fund_pay_sumamt").cast("double"))).alias(
            "cost_per_visit"
        ),
        F.sum("fund_pay_sumamt").cast("double").alias("fund_pay_total"),
    )
    rx = (
        fee_list.filter(F.col("med_chrgitm_type").isin(*DRUG_ITEM_TYPES))
        .join(v.select("mdtrt_id", "fixmedins_code", "psn_no"), "mdtrt_id")
        .groupBy("fixmedins_code")
        .agg(
            (F.sum(F.coalesce("prd_days", F.lit(0))) / F.countDistinct("psn_no")).alias("rx_days_per_patient")
        )
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
        .join(rx, "fixmedins_code", "left")
    )
    out = out.withColumn("adm_per_patient", F.col("n_adm") / F.greatest(F.col("n_patients"), F.lit(1)))
    return out.fillna(0.0, subset=FIXMEDINS_FEATURES).select(
        "fixmedins_code",
        "fix_blng_admdvs",
        "fixmedins_type",
        "hosp_lv",
        *[F.col(c).cast("double").alias(c) for c in FIXMEDINS_FEATURES],
        F.lit(as_of).alias("as_of"),
    )
