"""Shared pieces of the feature transforms: the look-back window and amount-peak detection."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

# The fee-line columns the features read (the window's fee lines are the largest input: carry no more).
FEE_LINE_COLUMNS = ("mdtrt_id", "med_list_codg", "med_chrgitm_type", "det_item_fee_sumamt", "prd_days")

# The visit columns the features read: the window's visits are cached with these alone (all of silver/visit's
# columns made caching them take twice as long at 1M persons).
VISIT_COLUMNS = (
    "mdtrt_id",
    "psn_no",
    "fixmedins_code",
    "med_type",
    "begntime",
    "adm_date",
    "dscg_date",
    "dise_codg",
    "adm_dept_codg",
    "los_days",
    "is_inpatient",
    "is_pharmacy",
    "settled",
    "n_refund",
    "medfee_sumamt",
    "hifp_pay",
    "fund_pay_sumamt",
    "acct_pay",
    "setl_ids",
)

# Width of an amount bin on a log scale (0.5%) and the neighbourhood a bin is compared with (±20 bins ≈ ±10%).
AMOUNT_BIN = 0.005
AMOUNT_NEIGHBOURHOOD = 20


def window_start(as_of: dt.date, window_days: int) -> dt.date:
    """First day of the look-back window of ``window_days`` ending on ``as_of`` (inclusive)."""
    return as_of - dt.timedelta(days=window_days - 1)


def in_window(visits: DataFrame, as_of: dt.date, window_days: int, settled_only: bool = True) -> DataFrame:
    """Visits that began within ``window_days`` ending on ``as_of`` (inclusive); settled ones only unless
    ``settled_only`` is False (refund checks need the visits whose settlements were all reversed)."""
    start = window_start(as_of, window_days)
    began = F.col("adm_date").between(F.lit(start), F.lit(as_of))
    return visits.filter(F.col("settled") & began if settled_only else began)


def _peak_bins(stays: DataFrame, entity: str, amount: str) -> tuple[DataFrame, DataFrame]:
    """(``stays`` with ``amt_bin``, one row per entity and bin with ``amt_bin_n`` and ``amt_peak``)."""
    binned = stays.withColumn(
        "amt_bin", F.when(F.col(amount) > 0, F.floor(F.log(F.col(amount)) / F.log(F.lit(1 + AMOUNT_BIN))))
    )
    counts = (
        binned.filter(F.col("amt_bin").isNotNull())
        .groupBy(entity, "amt_bin")
        .agg(F.count("*").alias("amt_bin_n"))
    )
    w = (
        Window.partitionBy(entity)
        .orderBy("amt_bin")
        .rangeBetween(-AMOUNT_NEIGHBOURHOOD, AMOUNT_NEIGHBOURHOOD)
    )
    counts = counts.withColumn("amt_hood_n", F.sum("amt_bin_n").over(w))
    # a peak: at least 3 stays in the bin and 4x the average bin of its neighbourhood
    counts = counts.withColumn(
        "amt_peak",
        (F.col("amt_bin_n") >= 3)
        & (F.col("amt_bin_n") * (2 * AMOUNT_NEIGHBOURHOOD + 1) >= 4 * F.col("amt_hood_n")),
    )
    return binned, counts


def amount_peaks(stays: DataFrame, entity: str, amount: str = "hifp_pay") -> DataFrame:
    """Flag stays whose amount sits in a sharp peak of the entity's amount distribution.

    Template billing (the same package amount for many patients) shows as one narrow amount bin holding
    far more stays than the bins around it. Comparing a bin with its own neighbourhood, instead of
    counting near-equal amounts, keeps large institutions (many stays, dense amounts) from looking
    suspicious for their size alone.

    Returns ``stays`` with ``amt_bin_n`` (stays in the same 0.5% bin) and ``amt_peak`` (boolean).
    """
    binned, counts = _peak_bins(stays, entity, amount)
    return binned.join(
        counts.select(entity, "amt_bin", "amt_bin_n", "amt_peak"), [entity, "amt_bin"], "left"
    ).fillna({"amt_bin_n": 0, "amt_peak": False})


def amount_peak_share(rows: DataFrame, entity: str, amount: str = "hifp_pay") -> DataFrame:
    """(entity, ``amt_peak_share``): the share of an entity's rows flagged by ``amount_peaks``, from the bin
    counts alone (the rows are not joined back to their bins)."""
    _, counts = _peak_bins(rows, entity, amount)
    peaks = counts.groupBy(entity).agg(F.sum(F.when(F.col("amt_peak"), F.col("amt_bin_n"))).alias("_peak_n"))
    return (
        rows.groupBy(entity)
        .agg(F.count("*").alias("_n"))
        .join(peaks, entity, "left")
        .select(entity, (F.coalesce("_peak_n", F.lit(0)) / F.col("_n")).alias("amt_peak_share"))
    )


def village_of(live_addr_col):
    """The village or community part of an address (up to 村/社区/小区/街道), null when there is none."""
    v = F.regexp_extract(live_addr_col, r"^(.*?(村|社区|小区|街道))", 1)
    return F.when(v != "", v)


CO_ADM_TOLERANCE_DAYS = 1  # [features] co_adm_tolerance_days


def shifted(stays: DataFrame, tolerance_days: int) -> DataFrame:
    """``stays`` (with ``adm_date``, ``dscg_date``) once per admission and discharge date within
    ``tolerance_days`` of its own: ``_adm`` and ``_dscg``, to join exactly on another stay's dates (同进同出
    within a tolerance as an equi-join: the work grows with the stays, never with the square of a ward)."""
    span = range(-tolerance_days, tolerance_days + 1)
    return (
        stays.withColumn(
            "_shift", F.explode(F.array(*[F.array(F.lit(a), F.lit(d)) for a in span for d in span]))
        )
        .withColumns(
            {
                "_adm": F.date_add("adm_date", F.col("_shift")[0]),
                "_dscg": F.date_add("dscg_date", F.col("_shift")[1]),
            }
        )
        .drop("_shift")
    )


def co_admitted(stays: DataFrame, tolerance_days: int = CO_ADM_TOLERANCE_DAYS) -> DataFrame:
    """Add how many stays at the same institution were admitted within ``tolerance_days`` of the stay's
    admission and discharged within ``tolerance_days`` of its discharge, the stay itself included (同进同出;
    recruiters bring a group in over a day or two, not all on one date): ``co_adm_n`` of any patients,
    ``_co_village_n`` of patients from the stay's village (``_village``; 0 without one) and ``_co_amt_n`` of
    stays billed within about 1% of it (two 0.5% ``amt_bin``s), and ``_co_amt_price`` where that amount may be the
    institution's price (its ``amt_bin_n`` counts far more stays in the window than the group's:
    ``PRICE_MIN_OTHERS``): the person's equal bill then says nothing of them (P03), while the institution's
    groups still count (F01: recruited groups billed one template look the same).

    Stays are first counted per cell (institution, admission day, discharge day, village, amount bin); each
    cell then adds the counts of the cells within the tolerance, in one join on exact keys. The work grows
    with the number of cells, never with the square of a busy hospital's admissions.
    """
    cell = ["fixmedins_code", "adm_date", "dscg_date", "_v", "_b"]
    # no village / no amount: a key of its own (joins need non-null keys), never anyone's companion
    stays = stays.withColumns(
        {
            "_v": F.coalesce(F.col("_village"), F.lit("")),
            "_b": F.coalesce(F.floor(F.col("amt_bin") / 2), F.lit(-1)),
        }
    )
    cells = stays.groupBy(*cell).agg(F.count("*").alias("_n"))
    probe = shifted(cells.select(*cell), tolerance_days)
    other = cells.select(
        "fixmedins_code",
        F.col("adm_date").alias("_adm"),
        F.col("dscg_date").alias("_dscg"),
        F.col("_v").alias("_o_v"),
        F.col("_b").alias("_o_b"),
        "_n",
    )
    near = (
        probe.join(other, ["fixmedins_code", "_adm", "_dscg"])
        .groupBy(*cell)
        .agg(
            F.sum("_n").alias("co_adm_n"),
            F.sum(F.when((F.col("_o_v") == F.col("_v")) & (F.col("_v") != ""), F.col("_n"))).alias(
                "_co_village_n"
            ),
            F.sum(F.when((F.col("_o_b") == F.col("_b")) & (F.col("_b") >= 0), F.col("_n"))).alias(
                "_co_amt_n"
            ),
        )
    )
    counts = ("co_adm_n", "_co_village_n", "_co_amt_n")
    out = (
        stays.join(near, cell, "left")
        .withColumns({c: F.coalesce(F.col(c), F.lit(0)).cast("long") for c in counts})
        .drop("_v", "_b")
    )
    # an amount the institution bills on other days too may be its price (a 单病种 package: a cataract day's
    # patients all pay 3,800): the person shares it with whoever else had that treatment, not with a group
    price = F.lit(False)
    if "amt_bin_n" in stays.columns:
        price = F.coalesce(F.col("amt_bin_n") >= 2 * F.col("_co_amt_n") + PRICE_MIN_OTHERS, F.lit(False))
    return out.withColumn("_co_amt_price", price)


# An amount bin holding this many more of the institution's stays than twice the group's is a price
PRICE_MIN_OTHERS = 3


CO_ADM_MIN_GROUP = 3


def grouped_beyond_chance(stays: DataFrame) -> DataFrame:
    """Add ``co_adm_grouped``: the stay came and went with a group that chance does not explain.

    A busy hospital admits many patients each day, and some leave together by chance: counted within a day's
    tolerance, most of a large hospital's stays have company. A stay counts as grouped when its group holds
    at least ``CO_ADM_MIN_GROUP`` patients and either more than twice the institution's median group size
    (the chance level of that hospital), or ``CO_ADM_MIN_GROUP`` of them from one village (``_co_village_n``)
    or with bills within about 1% of each other (``_co_amt_n``): what recruited groups share and strangers
    on a busy ward do not.
    """
    base = stays.groupBy("fixmedins_code").agg(F.percentile_approx("co_adm_n", 0.5).alias("_co_base"))
    beyond_chance = F.col("co_adm_n") >= 2 * F.col("_co_base") + 1
    together = (F.col("_co_village_n") >= CO_ADM_MIN_GROUP) | (F.col("_co_amt_n") >= CO_ADM_MIN_GROUP)
    return (
        stays.join(F.broadcast(base), "fixmedins_code", "left")
        .withColumn("co_adm_grouped", (F.col("co_adm_n") >= CO_ADM_MIN_GROUP) & (beyond_chance | together))
        .drop("_co_base")
    )


@dataclass(frozen=True)
class WindowInputs:
    """What the person and the institution features both start from, built once per as-of date.

    ``visits``: settled visits that began in the window (``VISIT_COLUMNS``). ``all_visits``: the same with
    fully refunded ones.
    ``stays``: the inpatient visits with their co-admission group size (``co_adm_n``; ``_co_village_n`` among
    people of the patient's village; ``co_adm_grouped`` when beyond the institution's chance) and amount peak (per institution), and the patient's sex, birth date,
    special-population type and village (``_village``).
    ``lines``: fee lines of the window's visits (``FEE_LINE_COLUMNS``) with the visit's person, institution,
    type and start (``setl_ids`` kept for pharmacy visits only, the swipe evidence).

    The features job persists these; each is otherwise recomputed by every feature that reads it (the fee
    lines are the largest table: joining them once instead of four times is most of the saving).
    """

    visits: DataFrame
    all_visits: DataFrame
    stays: DataFrame
    lines: DataFrame

    def persist(self) -> WindowInputs:
        """Keep the window's visits (settled ones are a filter over them), stays and fee lines."""
        all_visits = self.all_visits.persist()
        return WindowInputs(
            all_visits.filter("settled"), all_visits, self.stays.persist(), self.lines.persist()
        )

    def unpersist(self) -> None:
        for df in (self.all_visits, self.stays, self.lines):
            df.unpersist()

    def of(self, people: DataFrame) -> WindowInputs:
        """The same inputs for some people only (``people``: psn_no, a few hundred thousand at most: they
        are broadcast)."""
        keep = F.broadcast(people.select("psn_no"))
        return WindowInputs(*[df.join(keep, "psn_no", "left_semi") for df in (
            self.visits, self.all_visits, self.stays, self.lines
        )])  # fmt: skip

    def lines_of(self, people: DataFrame) -> WindowInputs:
        """Everyone's visits and stays, the fee lines of some people only (see ``of``)."""
        keep = F.broadcast(people.select("psn_no"))
        return WindowInputs(
            self.visits, self.all_visits, self.stays, self.lines.join(keep, "psn_no", "left_semi")
        )


def window_inputs(
    visits: DataFrame,
    fee_list: DataFrame,
    psn: DataFrame,
    as_of: dt.date,
    window_days: int,
    co_adm_tolerance_days: int = CO_ADM_TOLERANCE_DAYS,
) -> WindowInputs:
    """The window's visits, stays and fee lines (see ``WindowInputs``); ``psn``: silver persons.

    ``co_adm_tolerance_days``: admissions and discharges this many days apart still count as together.
    """
    all_visits = in_window(visits, as_of, window_days, settled_only=False).select(*VISIT_COLUMNS)
    v = all_visits.filter("settled")
    # the patients' attributes the stay features read, joined once here rather than in every feature
    people = psn.select(
        "psn_no", "gend", "brdy", "psn_idet_type", village_of(F.col("live_addr")).alias("_village")
    )
    stays = amount_peaks(v.filter("is_inpatient"), "fixmedins_code").join(people, "psn_no", "left")
    # group sizes at the institution, of the person's own village and of near-equal bills (同进同出)
    stays = grouped_beyond_chance(co_admitted(stays, co_adm_tolerance_days))
    lines = fee_list.select(*FEE_LINE_COLUMNS).join(
        v.select(
            "mdtrt_id",
            "psn_no",
            "fixmedins_code",
            "med_type",
            "begntime",
            "adm_date",
            "is_pharmacy",
            F.when(F.col("is_pharmacy"), F.col("setl_ids")).alias("setl_ids"),
        ),
        "mdtrt_id",
    )
    return WindowInputs(v, all_visits, stays, lines)
