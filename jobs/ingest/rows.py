"""Pure row outcomes of a batch: each row checked against its expectation suite, hashed, and resolved against
the lake (new, duplicate of a stored row, or a correction of one)."""

from __future__ import annotations

import logging

from jobs.ingest.contract import STRING, Table
from jobs.ingest.expectations import failure_predicates

log = logging.getLogger(__name__)

# A batch (or a silver increment) of at most this many keys is looked up in the lake by broadcasting its keys:

# A batch (or a silver increment) of at most this many keys is looked up in the lake by broadcasting its keys:
# the lake's tables are then scanned, not shuffled, so a weekly delivery costs the week, not the years before.
BROADCAST_KEYS = 1_000_000
META_COLS = ["_source_file", "_file_sha256", "_batch_id", "_ingested_at"]


def bronze_schema_cols(table: Table) -> list[str]:
    return table.column_names + ["_extra", *META_COLS, "_row_hash"]


def validate_rows(batch, table: Table, suite: dict, params: dict[str, str] | None = None):
    """Add ``_reason`` (null when the row passes) and ``_row_hash`` to every row of a batch.

    Pure transform: ``batch`` has the typed columns, ``<col>__raw``, ``_extra``, ``_corrupt``,
    ``_file_seq``, ``_row_seq`` and the meta columns. ``params``: the suite's date bounds
    (``jobs.ingest.expectations.suite_parameters``).
    """
    from pyspark.sql import functions as F

    reasons = [F.when(F.col("_corrupt").isNotNull(), F.lit("malformed_csv_row"))]
    for col in table.columns:
        if col.type != STRING:
            raw = F.nullif(F.trim(F.col(f"{col.name}__raw")), F.lit(""))
            reasons.append(F.when(raw.isNotNull() & F.col(col.name).isNull(), F.lit(f"bad_type:{col.name}")))
    for reason, failing in failure_predicates(suite, params):
        reasons.append(F.when(failing, F.lit(reason)))
    for amt in table.signed_by_refund:
        reasons.append(
            F.when(
                (F.col(amt) < 0) & (F.coalesce(F.col("refd_setl_flag"), F.lit("0")) != "1"),
                F.lit(f"negative_amount_outside_refund:{amt}"),
            )
        )
    reason = F.concat_ws("; ", F.filter(F.array(*reasons), lambda x: x.isNotNull()))
    return batch.withColumn("_reason", F.nullif(reason, F.lit(""))).withColumn("_row_hash", row_hash(table))


def row_hash(table: Table):
    """Content hash of a row's contract columns (change detection, not security: md5 is enough)."""
    from pyspark.sql import functions as F

    parts = [F.coalesce(F.col(c).cast("string"), F.lit("\u0000")) for c in table.column_names]
    return F.md5(F.concat_ws("\u001f", *parts))


def has_repeated_keys(df, key: tuple[str, ...]) -> bool:
    """True when some key occurs twice (a shuffle of the key columns only)."""
    return key_stats(df, key)[1]


def key_stats(df, key: tuple[str, ...]) -> tuple[int, bool]:
    """(number of distinct keys, whether some key occurs twice): one shuffle of the key columns."""
    from pyspark.sql import functions as F

    row = df.groupBy(*key).count().agg(F.count("*").alias("n"), F.max("count").alias("most")).first()
    return int(row["n"]), (row["most"] or 0) > 1


def resolve(
    df,
    table: Table,
    bronze=None,
    batch_id: str | None = None,
    repeated_keys: bool = True,
    small_batch: bool = False,
):
    """Tag validated rows with ``_outcome``: bronze, quarantine (failed or superseded) or duplicate.

    Pure transform over ``validate_rows``' output. ``repeated_keys=False`` (no key occurs twice among the
    rows that passed) skips the two window shuffles, which carry every column of the batch.
    ``small_batch=True`` (at most ``BROADCAST_KEYS`` keys) looks the batch's keys up in ``bronze`` by
    broadcasting them, instead of shuffling all of bronze.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    # Among the rows of a key that passed validation, the newest (last file, last row) wins.
    df = df.withColumn("_good", F.col("_reason").isNull())
    if not repeated_keys:
        df = df.withColumn("_copy_no", F.lit(1)).withColumn("_newest_hash", F.col("_row_hash"))
        return _finish(df, table, bronze, batch_id, small_batch)
    newest_first = [F.col("_file_seq").desc(), F.col("_row_seq").desc()]
    by_key = Window.partitionBy(*table.key, "_good").orderBy(*newest_first)
    by_copy = Window.partitionBy(*table.key, "_good", "_row_hash").orderBy(*newest_first)
    df = df.withColumn("_copy_no", F.row_number().over(by_copy)).withColumn(
        "_newest_hash", F.first("_row_hash").over(by_key)
    )
    return _finish(df, table, bronze, batch_id, small_batch)


def _finish(df, table: Table, bronze, batch_id, small_batch: bool = False):
    from pyspark.sql import functions as F

    good = F.col("_good")
    outcome = (
        F.when(~good, F.lit("quarantine"))
        .when(F.col("_copy_no") > 1, F.lit("duplicate"))
        .when(F.col("_row_hash") != F.col("_newest_hash"), F.lit("quarantine"))
        .otherwise(F.lit("bronze"))
    )
    df = df.withColumn("_outcome", outcome).withColumn(
        "_reason",
        F.when(
            (F.col("_outcome") == "quarantine") & F.col("_reason").isNull(),
            F.lit("duplicate_key_in_batch: a later row of this batch has the same key and other values"),
        ).otherwise(F.col("_reason")),
    )
    if bronze is not None:
        # rows this same batch committed before a crash are still this batch's bronze rows
        earlier = bronze.filter(F.col("_batch_id") != F.lit(batch_id)) if batch_id else bronze
        seen = earlier.select(*table.key, "_row_hash")
        if small_batch:  # only this batch's keys matter: scan bronze against them instead of shuffling it
            keys = F.broadcast(df.select(*table.key).distinct())
            seen = seen.join(keys, list(table.key), "left_semi")
        seen = seen.distinct().withColumn("_seen", F.lit(True))
        df = (
            df.join(seen, on=[*table.key, "_row_hash"], how="left")
            .withColumn(
                "_outcome",
                F.when((F.col("_outcome") == "bronze") & F.col("_seen"), F.lit("duplicate")).otherwise(
                    F.col("_outcome")
                ),
            )
            .drop("_seen")
        )
    return df.drop("_copy_no", "_newest_hash", "_good")
