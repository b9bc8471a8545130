"""Drug traceability codes (药品追溯码): one box, one sale (issue #20).

Every box of medicine sold on insurance has its code scanned at settlement (``fee_list.drug_trac_codg``,
comma-separated). A box's code should be sold once; a code sold again exposes what the supervision plans
hunt (seeds/003, 004: 倒卖药品, 串换药品, 空刷):

- an institution re-selling the codes of boxes it already sold, to bill drugs it never dispensed (一码多销);
- an institution selling codes first sold elsewhere: boxes bought on insurance, sold back and sold again
  (回流药; the later seller is the suspect, not the first);
- a person whose boxes reappear in other people's purchases at other shops (倒卖).

Not suspicious, and not counted: a split sale (``trdn_flag`` 1: part of a box, the box's code on several
lines), inpatient doses (every drug line of an inpatient stay is taken as doses from the ward's boxes), a box
returned and sold again (a sale whose visit was refunded, or whose line was reversed, gives the box back),
the same code twice within one visit (a re-settlement repeats the visit's lines).

``code_sales`` makes the ledger (``silver/code_sales``, one row per code on a fee line); ``resales`` finds
the repeated sales of the window (weekly, over the codes ``resale_candidates`` names: last week's, this week's
and the late arrivals); ``institution_code_features`` and ``person_code_features`` count them.
"""

from __future__ import annotations

import datetime as dt

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from features.codes import is_inpatient
from features.windows import window_start

# 码上放心: 20 digits beginning with 8; imported drugs: a GS1 element string opening with AI 01 and the GTIN
# (14 digits), then further elements (batch, expiry, serial) of letters and digits. Anything else is kept in
# the ledger and counted on the quality page, never used to accuse (a placeholder such as 20 zeros repeats).
CODE_PATTERN = r"^(8[0-9]{19}|01[0-9]{14}[0-9A-Za-z]{0,60})$"

INSTITUTION_CODE_FEATURES = [
    "code_sales",
    "code_self_resold",
    "code_self_codes",
    "code_self_share",
    "code_max_sales",
    "code_reflow",
    "code_reflow_codes",
    "code_reflow_sources",
    "code_reflow_days",
]
PERSON_CODE_FEATURES = ["boxes_resold", "boxes_resold_shops", "boxes_resold_drugs"]

FIRST, SELF, REFLOW = "first", "self", "reflow"


def code_sales(fee_list: DataFrame, mdtrt: DataFrame) -> DataFrame:
    """The ledger rows of some fee lines: one per code a line carries: the code, ``code_ok`` (of the shape of
    ``CODE_PATTERN``), the line, visit, settlement, person, institution, time, drug, ``split``, ``sign``, ``amount``.

    ``fee_list``: silver fee lines (lines without codes give nothing; an extract without the columns gives
    nothing); ``mdtrt``: silver visits, for the person, institution and visit type (a line whose visit has not
    arrived keeps them null). ``split``: ``trdn_flag`` 1, or any line of an inpatient stay (doses from a
    ward's box); ``sign``: -1 on a reversed line (negative ``cnt``); ``amount``: the line's amount over its codes.
    """
    if "drug_trac_codg" not in fee_list.columns:
        fee_list = fee_list.withColumn("drug_trac_codg", F.lit(None).cast("string"))
    if "trdn_flag" not in fee_list.columns:
        fee_list = fee_list.withColumn("trdn_flag", F.lit(None).cast("string"))
    lines = fee_list.filter(F.length(F.trim("drug_trac_codg")) > 0).select(
        "feedetl_sn",
        "mdtrt_id",
        "setl_id",
        "fee_ocur_time",
        "med_list_codg",
        "hilist_name",
        "cnt",
        "det_item_fee_sumamt",
        F.trim("trdn_flag").alias("trdn_flag"),
        F.filter(
            F.transform(F.split("drug_trac_codg", "[,，;；\\s]+"), lambda c: F.trim(c)),
            lambda c: F.length(c) > 0,
        ).alias("_codes"),
    )
    visits = mdtrt.select("mdtrt_id", "psn_no", "fixmedins_code", "med_type")
    rows = lines.join(visits, "mdtrt_id", "left").select(
        "*", F.posexplode("_codes").alias("_pos", "drug_trac_codg")
    )
    flag = F.coalesce(F.col("trdn_flag"), F.lit(""))
    # an inpatient's drug lines are doses from the ward's boxes, whatever the flag says (systems that flag
    # them 0 are common): a ward's box is legitimately on several patients' lines
    inpatient = F.coalesce(is_inpatient(F.col("med_type")), F.lit(False))
    return rows.select(
        "drug_trac_codg",
        F.col("drug_trac_codg").rlike(CODE_PATTERN).alias("code_ok"),
        "feedetl_sn",
        "mdtrt_id",
        "setl_id",
        "psn_no",
        "fixmedins_code",
        F.col("fee_ocur_time").alias("sale_time"),
        "med_list_codg",
        "hilist_name",
        ((flag == "1") | inpatient).alias("split"),
        F.when(F.col("cnt") < 0, F.lit(-1)).otherwise(F.lit(1)).alias("sign"),
        (F.col("det_item_fee_sumamt") / F.size("_codes")).cast("decimal(18,2)").alias("amount"),
    )


def _whole_boxes(ledger: DataFrame, as_of: dt.date, window_days: int) -> DataFrame:
    """The ledger's well-formed whole-box codes sold within the window."""
    start = window_start(as_of, window_days)
    return ledger.filter(
        F.col("code_ok")
        & ~F.col("split")
        & (F.col("sale_time") >= F.lit(start))
        & (F.col("sale_time") < F.lit(as_of + dt.timedelta(days=1)))
    )


def resale_candidates(
    ledger: DataFrame,
    previous: DataFrame,
    since: dt.date,
    as_of: dt.date,
    arrived: DataFrame | None,
    sold_since_arrived: bool = False,
) -> DataFrame:
    """The codes whose repeated sales in the window ending ``as_of`` can differ from those of the window ending
    ``since`` (an earlier week, same window length): the codes sold more than once then (``previous``: that
    week's ``resales``; a sale leaving the window or a late refund may end them), the codes sold after ``since``
    (a new sale may repeat an old one) and the codes of the ledger rows that arrived since that week was computed
    (``arrived``, whatever their sale time: late deliveries and reversed lines). Any other code's sales in the new
    window are a subset of its sales in the old one, where it was sold once at most: it is not a resale now either.
    ``resales(…, codes=resale_candidates(…))`` is then the same as ``resales(…)``, without grouping the
    window's every code.

    ``sold_since_arrived``: the ledger held no sale after ``since`` when that week was computed, so every sale
    since is among ``arrived`` (the usual week: known from the ledger's file statistics); the ledger is then
    not scanned for them."""
    parts = [previous] + ([arrived] if arrived is not None else [])
    if not sold_since_arrived or arrived is None:
        parts.append(
            ledger.filter(
                (F.col("sale_time") >= F.lit(since + dt.timedelta(days=1)))
                & (F.col("sale_time") < F.lit(as_of + dt.timedelta(days=1)))
            )
        )
    codes = parts[0].select("drug_trac_codg")
    for part in parts[1:]:
        codes = codes.unionByName(part.select("drug_trac_codg"))
    return codes.distinct()


def resales(
    ledger: DataFrame, visits: DataFrame, as_of: dt.date, window_days: int, codes: DataFrame | None = None
) -> DataFrame:
    """Every sale of the codes sold more than once within the window, whole boxes net of returns.

    A sale is a code on a visit: the visit's lines net (a reversed line gives the box back) and the visit
    settled (a visit whose settlements were all refunded sold nothing). Splits (``split``), malformed codes and
    lines without a person or institution are left out. Sales of a code are ordered by time: ``seq`` 1 is the
    first; a later sale is ``self`` when the institution sold the code before, ``reflow`` when it was first sold
    elsewhere. ``resold_elsewhere``: the code's next sale went to another person at another institution (the
    buyer's box reappeared). Columns: drug_trac_codg, seq, n_sales, kind, mdtrt_id, setl_id, psn_no,
    fixmedins_code, sale_time, med_list_codg, hilist_name, amount, first_fixmedins_code, days_since_first,
    next_fixmedins_code, resold_elsewhere.

    ``visits``: silver/visit (its ``settled``). ``codes``: only these codes (``resale_candidates``; broadcast, so
    the window's ledger is filtered where it is read instead of grouped by code).
    """
    whole = _whole_boxes(ledger, as_of, window_days).filter(
        F.col("psn_no").isNotNull() & F.col("fixmedins_code").isNotNull()
    )
    if codes is not None:
        whole = whole.join(F.broadcast(codes), "drug_trac_codg", "left_semi")
    # the few codes on two visits or more: one shuffle of (code, visit) over the window, then the rest on them
    repeated = (
        whole.filter(F.col("sign") > 0)
        .groupBy("drug_trac_codg")
        .agg(F.min("mdtrt_id").alias("_a"), F.max("mdtrt_id").alias("_b"))
        .filter(F.col("_a") != F.col("_b"))
        .select("drug_trac_codg")
    )
    per_visit = (
        whole.join(repeated, "drug_trac_codg", "left_semi")
        .groupBy("drug_trac_codg", "mdtrt_id")
        .agg(
            F.sum("sign").alias("_net"),
            F.min(F.when(F.col("sign") > 0, F.col("sale_time"))).alias("sale_time"),
            F.first("setl_id", ignorenulls=True).alias("setl_id"),
            F.first("psn_no").alias("psn_no"),
            F.first("fixmedins_code").alias("fixmedins_code"),
            F.first("med_list_codg").alias("med_list_codg"),
            F.first("hilist_name", ignorenulls=True).alias("hilist_name"),
            F.max("amount").alias("amount"),
        )
        .filter(F.col("_net") > 0)
        .join(visits.filter("settled").select("mdtrt_id"), "mdtrt_id", "left_semi")
    )
    by_code = Window.partitionBy("drug_trac_codg")
    order = by_code.orderBy("sale_time", "mdtrt_id")
    sales = per_visit.withColumns(
        {
            "seq": F.row_number().over(order),
            "n_sales": F.count("*").over(by_code),
            "first_fixmedins_code": F.first("fixmedins_code").over(order),
            "_first_time": F.min("sale_time").over(by_code),
            "next_fixmedins_code": F.lead("fixmedins_code").over(order),
            "_next_psn": F.lead("psn_no").over(order),
        }
    ).filter(F.col("n_sales") >= 2)
    sold_here_before = F.min("seq").over(Window.partitionBy("drug_trac_codg", "fixmedins_code")) < F.col(
        "seq"
    )
    return (
        sales.select(
            "drug_trac_codg",
            "seq",
            "n_sales",
            F.when(F.col("seq") == 1, F.lit(FIRST))
            .when(sold_here_before, F.lit(SELF))
            .otherwise(F.lit(REFLOW))
            .alias("kind"),
            "mdtrt_id",
            "setl_id",
            "psn_no",
            "fixmedins_code",
            "sale_time",
            "med_list_codg",
            "hilist_name",
            "amount",
            "first_fixmedins_code",
            (F.unix_timestamp("sale_time") - F.unix_timestamp("_first_time")).alias("_secs"),
            "next_fixmedins_code",
            (
                F.col("next_fixmedins_code").isNotNull()
                & (F.col("next_fixmedins_code") != F.col("fixmedins_code"))
                & (F.col("_next_psn") != F.col("psn_no"))
            ).alias("resold_elsewhere"),
        )
        .withColumn("days_since_first", (F.col("_secs") / 86400.0).cast("double"))
        .drop("_secs")
    )


def institution_code_features(
    ledger: DataFrame, sold_again: DataFrame, as_of: dt.date, window_days: int
) -> DataFrame:
    """Per institution (``INSTITUTION_CODE_FEATURES``): its whole-box code sales in the window
    (``code_sales``); sales of codes it had sold before (``code_self_resold``, over ``code_self_codes``
    codes; ``code_self_share`` of its sales; ``code_max_sales``: most sales of one code there); sales of codes
    first sold elsewhere (``code_reflow``, ``code_reflow_codes`` codes from ``code_reflow_sources`` other
    institutions, ``code_reflow_days`` the median days since their first sale); and ``code_setl_ids``, the
    settlements of those sales. ``sold_again``: ``resales``' rows."""
    sales = (
        _whole_boxes(ledger, as_of, window_days)
        .filter(F.col("sign") > 0)
        .groupBy("fixmedins_code")
        .agg(F.count("*").alias("code_sales"))
    )
    is_self, is_reflow = F.col("kind") == SELF, F.col("kind") == REFLOW
    per_code = sold_again.groupBy("fixmedins_code", "drug_trac_codg").agg(F.count("*").alias("_n"))
    counts = sold_again.groupBy("fixmedins_code").agg(
        F.count(F.when(is_self, 1)).alias("code_self_resold"),
        F.count_distinct(F.when(is_self, F.col("drug_trac_codg"))).alias("code_self_codes"),
        F.count(F.when(is_reflow, 1)).alias("code_reflow"),
        F.count_distinct(F.when(is_reflow, F.col("drug_trac_codg"))).alias("code_reflow_codes"),
        F.count_distinct(F.when(is_reflow, F.col("first_fixmedins_code"))).alias("code_reflow_sources"),
        F.percentile_approx(F.when(is_reflow, F.col("days_since_first")), 0.5).alias("code_reflow_days"),
        F.array_sort(F.collect_set(F.when(is_self | is_reflow, F.col("setl_id")))).alias("code_setl_ids"),
    )
    most = per_code.groupBy("fixmedins_code").agg(F.max("_n").alias("code_max_sales"))
    out = sales.join(counts, "fixmedins_code", "full_outer").join(most, "fixmedins_code", "left")
    out = out.fillna(0, subset=[c for c in INSTITUTION_CODE_FEATURES if c not in ("code_self_share",)])
    return out.withColumn(
        "code_self_share", F.col("code_self_resold") / F.greatest(F.col("code_sales"), F.lit(1))
    ).select(
        "fixmedins_code",
        *[F.col(c).cast("double").alias(c) for c in INSTITUTION_CODE_FEATURES],
        F.coalesce("code_setl_ids", F.array().cast("array<string>")).alias("code_setl_ids"),
    )


def person_code_features(sold_again: DataFrame) -> DataFrame:
    """Per person whose boxes reappeared in other people's purchases at other institutions
    (``PERSON_CODE_FEATURES``): how many boxes, at how many institutions, of how many drugs; and
    ``code_setl_ids``, the settlements of the person's purchases of them. ``sold_again``: ``resales``' rows."""
    gone = sold_again.filter("resold_elsewhere")
    return gone.groupBy("psn_no").agg(
        F.count_distinct("drug_trac_codg").cast("double").alias("boxes_resold"),
        F.count_distinct("next_fixmedins_code").cast("double").alias("boxes_resold_shops"),
        F.count_distinct("med_list_codg").cast("double").alias("boxes_resold_drugs"),
        F.array_sort(F.collect_set("setl_id")).alias("code_setl_ids"),
    )


def code_quality(ledger: DataFrame) -> dict[str, int]:
    """Figures for the quality page: codes in the ledger, of a malformed shape, and split sales."""
    row = ledger.agg(
        F.count("*").alias("codes"),
        F.count(F.when(~F.col("code_ok"), 1)).alias("malformed"),
        F.count(F.when(F.col("split"), 1)).alias("split"),
    ).first()
    return {k: int(row[k] or 0) for k in ("codes", "malformed", "split")}
