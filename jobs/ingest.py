"""Ingest: landed extracts → ``bronze/<table>`` + ``quarantine/<table>``, then ``silver/``.

Per table, the files not yet in the ingest ledger (``meta/ingest_ledger``, keyed by content hash) form
one batch:

1. Whole-file problems (empty file, not parquet, unreadable, required columns missing) reject the
   file: it is recorded in the ledger with the reason and the command exits non-zero at the end.
2. Every other row is kept. Values are parsed leniently ("12,345.60", "2024/1/5", GBK text); a
   value that does not parse, or a row failing the table's expectation suite, goes to
   ``quarantine/<table>`` with its raw text and the reasons.
3. Rows repeating a row already in the lake or in the batch (same key, same content) are counted,
   not stored twice. A row whose key is in the lake with different content is a correction: it is
   appended to bronze (history) and ``silver/`` takes the newest.
4. Every file's ledger row reconciles: landed = bronze + quarantined + duplicate.

Each write is one Delta commit keyed by the batch id, so a re-run after a crash never doubles a row.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import logging
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from jobs.contract import DATE, DECIMAL, INT, SPARK_TYPES, STRING, TABLES, TIMESTAMP, Column, Table
from jobs.lake import Lake
from jobs.landing import normalized_copy, refusal, scan_lines, sha256_of
from jobs.layout import LEDGER, ORPHAN_ROWS, ORPHANS, SCRATCH, VALIDATION
from jobs.quality import failure_predicates, load_suite_dict, summarize, validate
from jobs.settings import IngestSettings

log = logging.getLogger(__name__)

# A batch (or a silver increment) of at most this many keys is looked up in the lake by broadcasting its keys:
# the lake's tables are then scanned, not shuffled, so a weekly delivery costs the week, not the years before.
BROADCAST_KEYS = 1_000_000
META_COLS = ["_source_file", "_file_sha256", "_batch_id", "_ingested_at"]
DATE_FORMATS = ["yyyy-M-d", "yyyy/M/d", "yyyyMMdd", "yyyy.M.d"]
TS_FORMATS = [
    "yyyy-M-d H:m:s",
    "yyyy/M/d H:m:s",
    "yyyy-M-d H:m",
    "yyyy/M/d H:m",
    "yyyyMMddHHmmss",
    "yyyy-M-d'T'H:m:s",
]


class IngestError(RuntimeError):
    """Raised after a batch when files were rejected: names file, table and reason."""


@dataclass
class FileResult:
    table: str
    file: str
    sha256: str
    size: int
    status: str = "ok"  # ok | rejected | skipped (already ingested)
    reason: str = ""
    landed: int = 0
    bronze: int = 0
    quarantined: int = 0
    duplicate: int = 0


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)

    @property
    def rejected(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "rejected"]

    def totals(self, table: str | None = None) -> dict[str, int]:
        sel = [f for f in self.files if table is None or f.table == table]
        return {k: sum(getattr(f, k) for f in sel) for k in ("landed", "bronze", "quarantined", "duplicate")}


# -- files -----------------------------------------------------------------------------------------
def landing_files(landing: Path, table: str) -> list[Path]:
    """Every entry of the table's folder: each is ingested or named in a rejection (``landing.refusal``)."""
    folder = landing / table
    if not folder.is_dir():
        return []
    return sorted(folder.iterdir())


def detect_encoding(path: Path, sample_bytes: int = 1 << 20) -> str:
    """UTF-8 (with or without BOM) when the sample decodes as UTF-8, else GB18030 (a superset of GBK)."""
    with path.open("rb") as fh:
        head = fh.read(sample_bytes)
    if head.startswith(codecs.BOM_UTF8):
        return "UTF-8"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "UTF-8"
    except UnicodeDecodeError:
        return "GB18030"


def normalize_name(name: str) -> str:
    return name.replace("\ufeff", "").strip().lower()


def read_csv_header(path: Path, encoding: str) -> list[str]:
    import csv

    with path.open("r", encoding="utf-8-sig" if encoding == "UTF-8" else encoding, newline="") as fh:
        try:
            return next(csv.reader(fh), [])
        except csv.Error as exc:
            raise ValueError(f"header row cannot be parsed as CSV ({type(exc).__name__})") from exc


def describe_header(found: list[str], table: Table) -> str:
    """The columns a file has, without quoting a value: when the header row is missing, the first line
    is a person's data (ID number, name, address), and this text goes to the ledger and the reports."""
    known = [c for c in found if c in table.column_names or any(c in col.aliases for col in table.columns)]
    other = len(found) - len(known)
    text = f"{len(found)} columns found; contract columns among them: {', '.join(known) or 'none'}"
    if other:
        text += f"; {other} other(s) not shown (is the header row missing?)"
    return text


# -- parsing ---------------------------------------------------------------------------------------
def _parse(raw, col: Column):
    """Typed value of a raw string column (null where it does not parse)."""
    from pyspark.sql import functions as F

    s = F.nullif(F.trim(raw), F.lit(""))
    if col.type == STRING:
        if col.codes and all(len(c) == 2 and c.isdigit() for c in col.codes):
            # Excel drops leading zeros of codes such as 01..14: pad single digits back.
            s = F.when(s.rlike(r"^\d$"), F.lpad(s, 2, "0")).otherwise(s)
        return s
    if col.type == DECIMAL:
        cleaned = F.regexp_replace(s, r"[,\s¥￥]", "")
        return cleaned.try_cast(SPARK_TYPES[DECIMAL])
    if col.type == INT:
        num = F.regexp_replace(s, r"[,\s]", "").try_cast("decimal(18,4)")
        return F.when(num == F.floor(num), num.try_cast("int"))
    if col.type == DATE:
        cands = [F.to_date(s.try_cast("timestamp"))] + [F.try_to_date(s, f) for f in DATE_FORMATS]
        return F.coalesce(*cands)
    if col.type == TIMESTAMP:
        cands = [s.try_cast("timestamp")] + [F.try_to_timestamp(s, F.lit(f)) for f in TS_FORMATS]
        return F.coalesce(*cands)
    raise ValueError(col.type)


def _typed_source(df, col: Column):
    """For parquet columns already typed (numbers, dates, timestamps), cast directly."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import DateType, NumericType, StringType, TimestampNTZType, TimestampType

    dtype = df.schema[col.name].dataType
    if isinstance(dtype, StringType):
        return _parse(F.col(col.name), col)
    if isinstance(dtype, TimestampNTZType):
        src = F.col(col.name).cast("timestamp")  # wall-clock local time, kept as is under UTC session
    elif isinstance(dtype, (TimestampType, DateType, NumericType)):
        src = F.col(col.name)
    else:
        return _parse(F.col(col.name).cast("string"), col)
    if col.type == STRING:
        return _parse(src.cast("string"), col)
    return src.try_cast(SPARK_TYPES[col.type])


def check_csv(path: Path, limits: IngestSettings, staging: Path) -> Path:
    """Refuse a CSV file whose lines Spark could not survive; return the path to read (a copy with LF line
    endings when the file mixes them). Raises ValueError to reject."""
    scan = scan_lines(path)
    if scan.longest > limits.max_line_bytes:
        raise ValueError(
            f"line {scan.longest_at} is {scan.longest:,} bytes long, over the limit of "
            f"{limits.max_line_bytes:,} ([ingest] max_line_bytes)"
        )
    if scan.most_fields > limits.max_columns:
        raise ValueError(
            f"line {scan.most_fields_at} has up to {scan.most_fields:,} fields, over the limit of "
            f"{limits.max_columns:,} ([ingest] max_columns)"
        )
    if scan.mixed_endings:
        log.warning(
            "%s mixes line endings (%d CRLF, %d LF, %d CR): read through a copy with LF endings",
            path.name, scan.crlf, scan.bare_lf, scan.bare_cr,
        )  # fmt: skip
        return normalized_copy(path, staging / path.name)  # one staging folder per table and run
    return path


def open_landed(spark, path: Path, table: Table, limits: IngestSettings, staging: Path):
    """``read_file`` after ``check_csv``'s byte checks (CSV): the one way a landed file is opened."""
    read_path = check_csv(path, limits, staging) if path.suffix.lower() == ".csv" else path
    return read_file(spark, path, table, limits, read_path)


def read_file(
    spark, path: Path, table: Table, limits: IngestSettings | None = None, read_path: Path | None = None
):
    """Read one landed file as (typed columns, raw text columns, extras map). Raises ValueError to reject.

    ``read_path`` is where the bytes are read from when not ``path`` itself (``check_csv``'s copy).
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    limits = limits or IngestSettings()
    read_path = read_path or path
    if path.stat().st_size == 0:
        raise ValueError("empty file (0 bytes)")
    if path.suffix.lower() == ".parquet":
        try:
            pq.read_metadata(path)
        except Exception as exc:  # truncated or not parquet at all
            raise ValueError(f"not a readable parquet file: {exc}") from exc
        df = spark.read.parquet(str(path))
        df = df.toDF(*[normalize_name(c) for c in df.columns])
    else:
        with path.open("rb") as fh:
            if fh.read(4) == b"PAR1":
                raise ValueError("file is parquet but named .csv")
        encoding = detect_encoding(path)
        header = [normalize_name(c) for c in read_csv_header(path, encoding)]
        if not header or header == [""]:
            raise ValueError("no header row")
        if len(set(header)) != len(header):
            raise ValueError(f"duplicate column names in header: {describe_header(header, table)}")
        schema = StructType(
            [StructField(c, StringType()) for c in header] + [StructField("_corrupt", StringType())]
        )
        df = (
            spark.read.option("header", True)
            .option("encoding", encoding)
            .option("mode", "PERMISSIVE")
            .option("columnNameOfCorruptRecord", "_corrupt")
            .option("multiLine", True)
            .option("escape", '"')
            # a longer field errs instead of exhausting memory; more fields than the header: a malformed row
            .option("maxCharsPerColumn", limits.max_line_bytes)
            .option("maxColumns", max(limits.max_columns, len(header)) + 2)
            .schema(schema)
            .csv(str(read_path))
        )
    for col in table.columns:
        for alias in col.aliases:
            if col.name not in df.columns and alias in df.columns:
                df = df.withColumnRenamed(alias, col.name)
    missing = [c for c in table.required if c not in df.columns]
    if missing:
        found = [c for c in df.columns if c != "_corrupt"]
        raise ValueError(f"required columns missing: {', '.join(missing)} ({describe_header(found, table)})")
    for col in table.columns:
        if col.name not in df.columns:
            df = df.withColumn(col.name, F.lit(None).cast("string"))
    if "_corrupt" not in df.columns:
        df = df.withColumn("_corrupt", F.lit(None).cast("string"))
    extras = [c for c in df.columns if c not in table.column_names and c != "_corrupt"]
    extra_map = (
        F.map_from_arrays(
            F.array(*[F.lit(c) for c in extras]), F.array(*[F.col(c).cast("string") for c in extras])
        )
        if extras
        else F.create_map().cast("map<string,string>")
    )
    typed = [_typed_source(df, c).alias(c.name) for c in table.columns]
    raw = [F.col(c.name).cast("string").alias(f"{c.name}__raw") for c in table.columns]
    return df.select(*typed, *raw, extra_map.alias("_extra"), F.col("_corrupt"))


# -- the batch -------------------------------------------------------------------------------------
def bronze_schema_cols(table: Table) -> list[str]:
    return table.column_names + ["_extra", *META_COLS, "_row_hash"]


def validate_rows(batch, table: Table, suite: dict, params: dict[str, str] | None = None):
    """Add ``_reason`` (null when the row passes) and ``_row_hash`` to every row of a batch.

    Pure transform: ``batch`` has the typed columns, ``<col>__raw``, ``_extra``, ``_corrupt``,
    ``_file_seq``, ``_row_seq`` and the meta columns. ``params``: the suite's date bounds
    (``jobs.quality.suite_parameters``).
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


def ingest_table(
    spark,
    lake: Lake,
    landing: Path,
    table: Table,
    validate_with_gx: bool = True,
    limits: IngestSettings | None = None,
) -> list[FileResult]:
    files = landing_files(landing, table.name)
    if not files:
        return []
    limits = limits or IngestSettings()
    params = limits.suite_parameters()
    staging = lake.root / SCRATCH / uuid.uuid4().hex  # copies of files read with mended line endings
    args = (spark, lake, landing, table, files, validate_with_gx, limits, params, staging)
    try:
        try:
            return _ingest_files(*args)
        except Exception:
            # A file Spark cannot parse (a quoted field over max_line_bytes, say) fails the whole batch. Find
            # it by reading each file alone, reject it, and ingest the rest; nothing was committed yet.
            unreadable = _unreadable_files(spark, landing, table, files, limits, staging)
            if not unreadable:
                raise
            return _ingest_files(*args, unreadable=unreadable)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _unreadable_files(spark, landing, table, files, limits, staging) -> dict[str, str]:
    """{path: reason} of the files Spark fails to read on their own (each parsed in full, written nowhere)."""
    bad = {}
    for path in files:
        if refusal(path, landing):
            continue
        try:
            open_landed(spark, path, table, limits, staging).write.format("noop").mode("overwrite").save()
        except ValueError:
            continue  # rejected by the batch's own checks anyway
        except Exception as exc:  # what Spark raised: its text may quote the row, so only its kind is kept
            text = str(exc)
            if "maxCharsPerColumn" in text or "exceeds the maximum number of characters" in text:
                reason = (
                    f"a field is longer than {limits.max_line_bytes:,} characters ([ingest] max_line_bytes)"
                )
            else:
                reason = f"Spark cannot parse the file ({type(exc).__name__})"
            bad[str(path)] = reason
            log.error("REJECTED %s (table %s): %s", path, table.name, reason)
    return bad


def _ingest_files(
    spark, lake, landing, table, files, validate_with_gx, limits, params, staging, unreadable=None
) -> list[FileResult]:
    from pyspark.errors import AnalysisException
    from pyspark.sql import Observation
    from pyspark.sql import functions as F

    done = set()
    if lake.exists(LEDGER):
        led = lake.read_arrow(LEDGER, columns=["table", "sha256", "status"]).to_pylist()
        done = {r["sha256"] for r in led if r["table"] == table.name and r["status"] == "ok"}
    results, frames = [], []
    for seq, path in enumerate(files):
        refused = refusal(path, landing)
        if refused:  # not opened: it may lead outside the landing, or be a folder
            results.append(FileResult(table.name, str(path), "", path.lstat().st_size, "rejected", refused))
            log.error("REJECTED %s (table %s): %s", path, table.name, refused)
            continue
        res = FileResult(table.name, str(path), sha256_of(path), path.stat().st_size)
        results.append(res)
        if res.sha256 in done:
            res.status, res.reason = "skipped", "already ingested (same content hash)"
            continue
        if unreadable and str(path) in unreadable:
            res.status, res.reason = "rejected", unreadable[str(path)]
            continue
        try:
            df = open_landed(spark, path, table, limits, staging)
        except (
            ValueError,
            OSError,
            AnalysisException,
        ) as exc:  # the file's fault; a bug in our code still raises
            res.status, res.reason = "rejected", str(exc).splitlines()[0][:500]
            log.error("REJECTED %s (table %s): %s", path, table.name, res.reason)
            continue
        frames.append(
            df.withColumn("_source_file", F.lit(str(path)))
            .withColumn("_file_sha256", F.lit(res.sha256))
            .withColumn("_file_seq", F.lit(seq))
            .withColumn("_row_seq", F.monotonically_increasing_id())
        )
    todo = [r for r in results if r.status == "ok"]
    if frames:
        batch_id = hashlib.sha256("".join(sorted(r.sha256 for r in todo)).encode()).hexdigest()[:16]
        ingested_at = time.time()
        batch = frames[0]
        for f in frames[1:]:
            batch = batch.unionByName(f)
        batch = batch.withColumn("_batch_id", F.lit(batch_id)).withColumn(
            "_ingested_at", F.lit(ingested_at).cast("timestamp")
        )
        suite = load_suite_dict(table.name)
        bronze = lake.read(spark, f"bronze/{table.name}") if lake.exists(f"bronze/{table.name}") else None
        # no key repeats among all landed rows → none among the valid ones: skip the dedup windows
        n_keys, repeated = key_stats(batch.select(*table.key), table.key)
        # Not cached: the batch carries typed and raw copies of every column, and caching it costs more than
        # validating it again for the quarantine write when rows failed (measured: bench/profile_ingest.py).
        tagged = resolve(
            validate_rows(batch, table, suite, params),
            table,
            bronze,
            batch_id,
            repeated,
            n_keys <= BROADCAST_KEYS,
        )
        # The bronze write also counts every file's rows by outcome (one pass: Spark's observed metrics).
        seq_of = {r.file: seq for seq, r in enumerate(results) if r.status == "ok"}
        observed = Observation(f"ingest_{table.name}_{batch_id}")
        tagged = tagged.observe(observed, *_outcome_counts(seq_of))
        meta = {"batch_id": batch_id, "table": table.name, "files": [r.file for r in todo]}
        written = lake.write(
            tagged.filter("_outcome = 'bronze'").select(*bronze_schema_cols(table)),
            f"bronze/{table.name}",
            app_id=f"ingest:{batch_id}",
            metadata=meta,
        )
        if written is not None:
            counts = observed.get
            per_file = {
                f: (counts[f"landed_{i}"], counts[f"bronze_{i}"], counts[f"quarantine_{i}"])
                for f, i in seq_of.items()
            }
        else:  # committed by an earlier run that crashed: count what that run committed
            per_file = None
        if per_file is None or any(q for _, _, q in per_file.values()):
            # Rows failed: a second pass writes them (with their raw text) to quarantine. Skipped when the
            # bronze pass counted none, which is the common case and saves a whole pass over the batch.
            q = tagged.filter("_outcome = 'quarantine'").select(
                *[F.col(f"{c}__raw").alias(c) for c in table.column_names], "_extra", *META_COLS, "_reason"
            )
            lake.write(q, f"quarantine/{table.name}", app_id=f"ingest:{batch_id}", metadata=meta)
        if per_file is None:
            landed = _per_file(batch)
            stored = _per_file(
                lake.read(spark, f"bronze/{table.name}").filter(F.col("_batch_id") == batch_id)
            )
            quarantined = (
                _per_file(lake.read(spark, f"quarantine/{table.name}").filter(F.col("_batch_id") == batch_id))
                if lake.exists(f"quarantine/{table.name}")
                else {}
            )
            per_file = {
                r.file: (landed.get(r.file, 0), stored.get(r.file, 0), quarantined.get(r.file, 0))
                for r in todo
            }
        # Reconciliation: landed = bronze + quarantined + duplicate (rows already in the lake or the batch).
        for r in todo:
            r.landed, r.bronze, r.quarantined = per_file[r.file]
            r.duplicate = r.landed - r.bronze - r.quarantined
            if r.duplicate < 0:  # cannot happen unless a write lost or invented rows: stop loudly
                raise IngestError(
                    f"reconciliation failed for {r.file}: landed {r.landed} < bronze {r.bronze} "
                    f"+ quarantined {r.quarantined}"
                )
        if validate_with_gx:
            _store_validation(lake, table, suite, batch.select(*table.column_names), batch_id, params)
    _write_ledger(lake, results)
    for r in todo:
        log.info(
            "ingested %s: landed %d = bronze %d + quarantined %d + duplicate %d",
            Path(r.file).name,
            r.landed,
            r.bronze,
            r.quarantined,
            r.duplicate,
        )
    return results


def _outcome_counts(seq_of: dict[str, int]) -> list:
    """Observed metrics of a tagged batch: rows landed, bronze and quarantined per file (by ``_file_seq``)."""
    from pyspark.sql import functions as F

    metrics = []
    for i in seq_of.values():
        in_file = F.col("_file_seq") == i
        metrics += [
            F.count_if(in_file).alias(f"landed_{i}"),
            F.count_if(in_file & (F.col("_outcome") == "bronze")).alias(f"bronze_{i}"),
            F.count_if(in_file & (F.col("_outcome") == "quarantine")).alias(f"quarantine_{i}"),
        ]
    return metrics


def _per_file(df) -> dict[str, int]:
    return {r["_source_file"]: r["count"] for r in df.groupBy("_source_file").count().collect()}


def _store_validation(lake: Lake, table: Table, suite: dict, typed_df, batch_id: str, params) -> None:
    result = validate(typed_df, suite, batch_id, gx_root=lake.root / "quality", params=params)
    rows = summarize(result)
    data = pa.table(
        {
            "table": [table.name] * len(rows),
            "batch_id": [batch_id] * len(rows),
            "validated_at": _utc_now(len(rows)),
            "reason": [r["reason"] for r in rows],
            "expectation": [r["expectation"] for r in rows],
            "success": [r["success"] for r in rows],
            "unexpected_count": pa.array([r["unexpected_count"] for r in rows], pa.int64()),
            "element_count": pa.array([r["element_count"] for r in rows], pa.int64()),
            "result_json": [json.dumps(result, ensure_ascii=False, default=str)] * len(rows),
        }
    )
    lake.write_arrow(data, VALIDATION, app_id=f"validate:{table.name}:{batch_id}")


def _utc_now(n: int) -> pa.Array:
    import datetime as dt

    return pa.array([dt.datetime.now(dt.UTC)] * n, pa.timestamp("us", tz="UTC"))


def _write_ledger(lake: Lake, results: list[FileResult]) -> None:
    rows = [r for r in results if r.status != "skipped"]
    if not rows:
        return
    data = pa.table(
        {
            "table": [r.table for r in rows],
            "file": [r.file for r in rows],
            "sha256": [r.sha256 for r in rows],
            "size_bytes": pa.array([r.size for r in rows], pa.int64()),
            "status": [r.status for r in rows],
            "reason": [r.reason for r in rows],
            "rows_landed": pa.array([r.landed for r in rows], pa.int64()),
            "rows_bronze": pa.array([r.bronze for r in rows], pa.int64()),
            "rows_quarantined": pa.array([r.quarantined for r in rows], pa.int64()),
            "rows_duplicate": pa.array([r.duplicate for r in rows], pa.int64()),
            "ingested_at": _utc_now(len(rows)),
        }
    )
    lake.write_arrow(data, LEDGER)


# (check, child table, child column, parent table, parent column)
ORPHAN_CHECKS = [
    ("settlement_without_visit", "setl", "mdtrt_id", "mdtrt", "mdtrt_id"),
    ("fee_line_without_visit", "fee_list", "mdtrt_id", "mdtrt", "mdtrt_id"),
    ("visit_without_person", "mdtrt", "psn_no", "psn", "psn_no"),
    ("settlement_without_person", "setl", "psn_no", "psn", "psn_no"),
    ("visit_at_unknown_institution", "mdtrt", "fixmedins_code", "fixmedins", "fixmedins_code"),
    ("settlement_at_unknown_institution", "setl", "fixmedins_code", "fixmedins", "fixmedins_code"),
]


def check_orphans(spark, lake: Lake, full: bool = False) -> list[dict]:
    """Rows whose reference never arrived (yet): counted with sample keys in ``meta/orphans``, listed in
    ``meta/orphan_rows``.

    They are kept, not quarantined — the parent may come in a later delivery, and a settlement without
    its visit record still paid out of the fund (``silver/visit`` keeps it, ``has_visit_record`` false).

    Incremental: ``meta/orphans`` records the silver versions it reflects. When silver has only been appended
    to since then, the candidates are the orphans known before plus the rows appended since, and the parent
    table is scanned for their references alone (broadcast); otherwise, or with ``full``, every row is
    checked. Returns the rows of ``meta/orphans``; nothing is done when silver has not changed.
    """
    from pyspark.sql import functions as F

    names = sorted({c[1] for c in ORPHAN_CHECKS} | {c[3] for c in ORPHAN_CHECKS})
    versions = {n: lake.data_version(f"silver/{n}") for n in names}
    label = json.dumps(versions, sort_keys=True)
    synced = _synced_to(lake, ORPHANS, "silver_versions")
    if synced == label and not full:
        return lake.read_arrow(ORPHANS).to_pylist()
    before = json.loads(synced) if synced and not full and lake.exists(ORPHAN_ROWS) else {}
    known = {r["check"]: r["rows"] for r in lake.read_arrow(ORPHANS).to_pylist()} if before else {}
    frames, checks = [], []
    for check, child, ccol, parent, pcol in ORPHAN_CHECKS:
        if versions[child] is None or versions[parent] is None:
            continue
        key = TABLES[child].key[0]
        refs = lake.read(spark, f"silver/{parent}").select(F.col(pcol).alias("ref"))
        new = _appended(lake, f"silver/{child}", before.get(child)) if check in known else None
        if new is not None and _appended(lake, f"silver/{parent}", before.get(parent)) is not None:
            files, n_new = new
            if n_new is not None and n_new + known[check] <= BROADCAST_KEYS:
                earlier = lake.read(spark, ORPHAN_ROWS).filter(F.col("check") == check).select("key", "ref")
                appended = lake.read_files(spark, f"silver/{child}", files)
                # distinct: after a crash between the two orphan commits, the rows overlap the increment
                cand = earlier.unionByName(
                    appended.select(F.col(key).alias("key"), F.col(ccol).alias("ref"))
                ).distinct()
                found = refs.join(F.broadcast(cand.select("ref").distinct()), "ref", "left_semi").distinct()
                frames.append(cand.join(found, "ref", "left_anti").withColumn("check", F.lit(check)))
                checks.append((check, child, ccol, parent))
                continue
        rows = lake.read(spark, f"silver/{child}").select(F.col(key).alias("key"), F.col(ccol).alias("ref"))
        orphans = rows.join(refs.distinct(), "ref", "left_anti")
        frames.append(orphans.withColumn("check", F.lit(check)))
        checks.append((check, child, ccol, parent))
    if not frames:
        return []
    found_all = frames[0]
    for f in frames[1:]:
        found_all = found_all.unionByName(f)
    lake.write(found_all.select("check", "key", "ref"), ORPHAN_ROWS, mode="overwrite")
    stats = {
        r["check"]: r
        for r in lake.read(spark, ORPHAN_ROWS)
        .groupBy("check")
        .agg(F.count("*").alias("n"), F.slice(F.sort_array(F.collect_set("key")), 1, 5).alias("s"))
        .collect()
    }
    rows = []
    for check, child, ccol, parent in checks:
        n, sample = (stats[check]["n"], list(stats[check]["s"] or [])) if check in stats else (0, [])
        rows.append({"check": check, "table": child, "column": ccol, "rows": int(n), "sample_keys": sample})
        if n:
            log.warning(
                "%s: %d row(s) of %s whose %s is not in %s (e.g. %s)",
                check,
                n,
                child,
                ccol,
                parent,
                ", ".join(sample),
            )
    data = pa.table(
        {
            "check": [r["check"] for r in rows],
            "table": [r["table"] for r in rows],
            "column": [r["column"] for r in rows],
            "rows": pa.array([r["rows"] for r in rows], pa.int64()),
            "sample_keys": pa.array([r["sample_keys"] for r in rows], pa.list_(pa.string())),
            "checked_at": _utc_now(len(rows)),
        }
    )
    lake.write_arrow(
        data,
        ORPHANS,
        mode="overwrite" if lake.exists(ORPHANS) else "append",
        metadata={"stage": "orphans", "silver_versions": label},
    )
    return rows


def _appended(lake: Lake, name: str, version: int | None):
    """``Lake.appended_since`` when the version is known, else None (the increment is unknown)."""
    return None if version is None else lake.appended_since(name, version)


def _one_batch(lake: Lake, name: str) -> bool:
    """True when the table's rows were all written by one ingest batch (one WRITE commit with a batch id)."""
    writes = [c for c in lake.table(name).history() if c.get("operation") == "WRITE"]
    return len(writes) == 1 and "fundwatch.batch_id" in writes[0]


def _synced_to(lake: Lake, name: str, key: str) -> str | None:
    """What a table's newest data commit says it reflects (``key`` in its commit metadata), if known; the
    versions it names are ``Lake.data_version``s, so compaction and vacuum leave the sync intact."""
    commit = lake.last_data_commit(name)
    value = None if commit is None else commit.get(f"fundwatch.{key}")
    return None if value is None else str(value)


def _any_key_in(rows, table, key: tuple[str, ...], small: bool = False) -> bool:
    """True when some key of ``rows`` is already in ``table``; ``small`` rows are broadcast (``table`` is then
    scanned, not shuffled)."""
    from pyspark.sql import functions as F

    keys = rows.select(*key)
    return (
        table.select(*key).join(F.broadcast(keys) if small else keys, list(key), "left_semi").limit(1).count()
        > 0
    )


def build_silver(spark, lake: Lake) -> dict[str, int]:
    """Bring silver up to date with bronze: the newest version of every key, contract columns only; plus
    silver/visit (settlements netted into visits).

    Incremental where it can be: each silver table records the bronze version it reflects. A batch whose keys
    are all new is appended (a weekly delivery costs the week, not the lake: the new rows are read from the
    files the batch added, and looked up in silver by broadcasting their keys); a batch correcting earlier
    keys, or a table whose state is unknown, rebuilds the table from bronze. silver/visit likewise appends the
    visits of new ``mdtrt_id``s and is rebuilt when a batch touches a visit it already holds (a late
    settlement or a refund of an earlier visit). Re-running after a crash finishes what is missing, the
    orphan check included.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    appended, rebuilt = {}, set()
    before = {n: lake.data_version(f"silver/{n}") for n in ("mdtrt", "setl")}
    for table in TABLES.values():
        name, target = f"bronze/{table.name}", f"silver/{table.name}"
        if not lake.exists(name):
            continue
        version = lake.data_version(name)
        synced = _synced_to(lake, target, "bronze_version")
        if synced == str(version):
            continue
        meta = {"stage": "silver", "bronze_version": version}
        increment = _appended(lake, name, None if synced is None else int(synced))
        if increment is not None:
            files, n_new = increment
            new = lake.read_files(spark, name, files).select(*table.column_names)
            small = n_new is not None and n_new <= BROADCAST_KEYS
            if not _any_key_in(new, lake.read(spark, target), table.key, small):
                lake.write(new, target, mode="append", metadata=meta)
                appended[table.name] = (new, n_new)
                continue
        bronze = lake.read(spark, name)
        # one batch never repeats a key (ingest resolved them); later batches may correct earlier rows
        if not _one_batch(lake, name) and has_repeated_keys(bronze, table.key):
            # corrections exist: take the newest version of each key
            w = Window.partitionBy(*table.key).orderBy(F.col("_ingested_at").desc(), F.col("_row_hash"))
            bronze = bronze.withColumn("_n", F.row_number().over(w)).filter("_n = 1")
        lake.write(bronze.select(*table.column_names), target, mode="overwrite", metadata=meta)
        rebuilt.add(table.name)
    if lake.exists("silver/mdtrt") and lake.exists("silver/setl"):
        _update_visits(spark, lake, before, appended, rebuilt)
    check_orphans(spark, lake)  # a no-op when silver did not change since the last check
    if not (appended or rebuilt):
        return {}
    return {name: lake.table(name).count() for name in lake.tables() if name.startswith("silver/")}


def _update_visits(spark, lake: Lake, before: dict, appended: dict, rebuilt: set) -> None:
    """silver/visit from silver mdtrt and setl: append new visits or rebuild (see ``build_silver``)."""
    from pyspark.sql import functions as F

    from features.visits import net_visits

    inputs = {n: lake.data_version(f"silver/{n}") for n in ("mdtrt", "setl")}
    label = ",".join(f"{n}:{v}" for n, v in inputs.items())
    synced = _synced_to(lake, "silver/visit", "inputs")
    if synced == label:
        return
    meta = {"stage": "silver", "inputs": label}
    mdtrt, setl = lake.read(spark, "silver/mdtrt"), lake.read(spark, "silver/setl")
    was = ",".join(f"{n}:{v}" for n, v in before.items())
    if synced == was and not ({"mdtrt", "setl"} & rebuilt):
        # only appends since the visits were built: new visits unless a batch touched one already there
        ids = [appended[n][0].select("mdtrt_id") for n in ("mdtrt", "setl") if n in appended]
        sizes = [appended[n][1] for n in ("mdtrt", "setl") if n in appended]
        small = None not in sizes and sum(sizes) <= BROADCAST_KEYS
        touched = ids[0] if len(ids) == 1 else ids[0].unionByName(ids[1])
        touched = touched.filter(F.col("mdtrt_id").isNotNull()).distinct()
        if not _any_key_in(touched, lake.read(spark, "silver/visit"), ("mdtrt_id",), small):
            # every silver row of a visit not yet in silver/visit came in these appends: net them alone
            part = {
                n: appended[n][0] if n in appended else lake.read_files(spark, f"silver/{n}", [])
                for n in ("mdtrt", "setl")
            }
            lake.write(net_visits(part["mdtrt"], part["setl"]), "silver/visit", mode="append", metadata=meta)
            return
    lake.write(net_visits(mdtrt, setl), "silver/visit", mode="overwrite", metadata=meta)


def ingest(
    spark,
    lake: Lake,
    landing: Path,
    tables: list[str] | None = None,
    validate_with_gx: bool = True,
    fail_on_reject: bool = True,
    limits: IngestSettings | None = None,
) -> IngestReport:
    """Ingest every contract table found under ``landing``; bring silver up to date (``build_silver``).

    ``limits``: the ``[ingest]`` settings (plausibility bounds, line and field limits); defaults if None.
    """
    landing = Path(landing)
    if not landing.is_dir():
        raise IngestError(f"landing folder {landing} does not exist")
    report = IngestReport()
    for table in TABLES.values():
        if tables is not None and table.name not in tables:
            continue
        with lake.lock(f"ingest/{table.name}"):
            report.files.extend(ingest_table(spark, lake, landing, table, validate_with_gx, limits))
    unknown = sorted(p.name for p in landing.iterdir() if p.is_dir() and p.name not in TABLES)
    if unknown:
        log.warning("landing folders that are not contract tables were ignored: %s", ", ".join(unknown))
    with lake.lock("silver"):  # nothing to do when silver already reflects bronze
        build_silver(spark, lake)
    if report.rejected and fail_on_reject:
        raise IngestError(rejection_message(report))
    return report


def rejection_message(report: IngestReport) -> str:
    lines = "\n".join(f"  - {Path(f.file).name!r} (table {f.table}): {f.reason}" for f in report.rejected)
    return f"{len(report.rejected)} file(s) rejected; the rest of the delivery was ingested:\n{lines}"
