"""Visits with their settlements netted: the fact table every feature starts from."""

from __future__ import annotations

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from features.codes import PHARMACY_MED_TYPES, is_inpatient

AMOUNTS = ["medfee_sumamt", "fulamt_ownpay_amt", "hifp_pay", "fund_pay_sumamt", "acct_pay", "psn_cash_pay"]


def fully_refunded():
    """Spark predicate on net visits: every settlement of the visit was reversed by a refund (退费)."""
    return ~F.col("settled") & (F.col("n_refund") > 0)


def net_visits(mdtrt: DataFrame, setl: DataFrame) -> DataFrame:
    """One row per visit with amounts summed over its settlements, refunds (negative) included.

    A refund (``refd_setl_flag = 1``) carries negative amounts and reverses an earlier settlement of the
    same visit, so the sum is what the fund finally paid. A settlement whose visit record never arrived
    still makes a visit (times from the settlement) so no fund payment is lost; ``has_visit_record``
    tells them apart.

    Args:
        mdtrt: silver visits (5201).
        setl: silver settlements (5203).
    """
    s = setl.groupBy("mdtrt_id").agg(
        *[F.sum(a).alias(a) for a in AMOUNTS],
        F.count("setl_id").alias("n_setl"),
        F.sum(F.when(F.col("refd_setl_flag") == "1", 1).otherwise(0)).alias("n_refund"),
        F.array_sort(F.collect_list("setl_id")).alias("setl_ids"),
        F.min("setl_time").alias("first_setl_time"),
        F.max("setl_time").alias("last_setl_time"),
        F.first("psn_no", ignorenulls=True).alias("setl_psn_no"),
        F.first("fixmedins_code", ignorenulls=True).alias("setl_fixmedins_code"),
        F.first("med_type", ignorenulls=True).alias("setl_med_type"),
    )
    v = mdtrt.withColumn("_has_visit", F.lit(True)).join(s, "mdtrt_id", "full_outer")
    v = v.select(
        "mdtrt_id",
        F.coalesce("psn_no", "setl_psn_no").alias("psn_no"),
        F.coalesce("fixmedins_code", "setl_fixmedins_code").alias("fixmedins_code"),
        F.coalesce("med_type", "setl_med_type").alias("med_type"),
        F.coalesce("begntime", "first_setl_time").alias("begntime"),
        F.coalesce("endtime", "last_setl_time").alias("endtime"),
        "dise_codg",
        "dise_name",
        "adm_dept_codg",
        "atddr_no",
        *[F.coalesce(F.col(a), F.lit(0)).cast("decimal(18,2)").alias(a) for a in AMOUNTS],
        F.coalesce("n_setl", F.lit(0)).cast("int").alias("n_setl"),
        F.coalesce("n_refund", F.lit(0)).cast("int").alias("n_refund"),
        F.coalesce("setl_ids", F.array().cast("array<string>")).alias("setl_ids"),
        "last_setl_time",
        F.coalesce("_has_visit", F.lit(False)).alias("has_visit_record"),
    )
    inpatient = is_inpatient(F.col("med_type"))
    return v.withColumns(
        {
            "is_inpatient": inpatient,
            "is_pharmacy": F.col("med_type").isin(*PHARMACY_MED_TYPES),
            "adm_date": F.to_date("begntime"),
            "dscg_date": F.to_date("endtime"),
            # length of stay in days, counted the usual way (discharge day not counted, minimum 1)
            "los_days": F.when(inpatient, F.greatest(F.datediff("endtime", "begntime"), F.lit(1))).cast(
                "int"
            ),
            # a visit whose settlements were all reversed paid nothing: it is not a visit for the features
            "settled": ((F.col("n_setl") - F.col("n_refund")) > F.col("n_refund"))
            | (F.abs(F.col("fund_pay_sumamt")) >= 0.01),
        }
    )
