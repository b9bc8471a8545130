"""Reading one landed file: its folder, encoding and header, lenient parsing of every value into the
contract's types (the raw text kept beside), oversized lines and fields refused before Spark reads them."""

from __future__ import annotations

import codecs
import logging
from pathlib import Path

import pyarrow.parquet as pq

from jobs.ingest.contract import DATE, DECIMAL, INT, SPARK_TYPES, STRING, TIMESTAMP, Column, Table
from jobs.ingest.landing import normalized_copy, scan_lines
from jobs.ingest.workbook import xlsx_to_csv
from jobs.runtime.settings import IngestSettings

log = logging.getLogger(__name__)

# A batch (or a silver increment) of at most this many keys is looked up in the lake by broadcasting its keys:


DATE_FORMATS = ["yyyy-M-d", "yyyy/M/d", "yyyyMMdd", "yyyy.M.d"]
TS_FORMATS = [
    "yyyy-M-d H:m:s",
    "yyyy/M/d H:m:s",
    "yyyy-M-d H:m",
    "yyyy/M/d H:m",
    "yyyyMMddHHmmss",
    "yyyy-M-d'T'H:m:s",
]


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
    """``read_file`` after ``check_csv``'s byte checks (CSV; a feedback workbook is read as the CSV of its
    核查反馈 sheet, ``jobs.ingest.workbook``): the one way a landed file is opened."""
    if path.suffix.lower() == ".xlsx":
        path = xlsx_to_csv(path, table, staging / "xlsx", limits)
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
