"""Time each step of ingesting one table, in one process: where does ingest spend its time?

.venv/bin/python bench/profile_ingest.py bench/cache/landing_100000 mdtrt
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pyspark.sql import functions as F  # noqa: E402

from jobs.ingest import expectations, read, rows  # noqa: E402
from jobs.ingest.contract import TABLES  # noqa: E402
from jobs.lake import Lake  # noqa: E402
from jobs.runtime.spark import get_spark  # noqa: E402


def timed(label, fn):
    t0 = time.time()
    out = fn()
    print(f"{label:32s} {time.time() - t0:6.1f}s", flush=True)
    return out


def main(landing: Path, table_name: str) -> None:
    spark = get_spark()
    table = TABLES[table_name]
    lake = Lake(tempfile.mkdtemp(prefix="fundwatch-profile-"))
    (path,) = read.landing_files(landing, table_name)[:1]
    batch = (
        read.read_file(spark, path, table)
        .withColumn("_source_file", F.lit(str(path)))
        .withColumn("_file_sha256", F.lit("x"))
        .withColumn("_file_seq", F.lit(0))
        .withColumn("_row_seq", F.monotonically_increasing_id())
        .withColumn("_batch_id", F.lit("b"))
        .withColumn("_ingested_at", F.current_timestamp())
    )
    suite = expectations.load_suite_dict(table_name)
    timed("read + count", batch.count)
    repeated = timed(
        "repeated keys (key column only)", lambda: rows.has_repeated_keys(batch.select(*table.key), table.key)
    )
    tagged = rows.resolve(rows.validate_rows(batch, table, suite), table, None, "b", repeated)
    timed("validate + resolve (count)", lambda: tagged.filter("_outcome = 'bronze'").count())
    timed("validate + resolve + persist", lambda: tagged.persist().groupBy("_outcome").count().collect())
    tagged.unpersist()
    timed(
        "bronze write (uncached)",
        lambda: lake.write(
            tagged.filter("_outcome = 'bronze'").select(*rows.bronze_schema_cols(table)),
            f"bronze/{table_name}",
        ),
    )
    timed(
        "GX validate, first in process",
        lambda: batch._store_validation(lake, table, suite, batch.select(*table.column_names), "b1"),
    )
    timed(
        "GX validate, again",
        lambda: batch._store_validation(lake, table, suite, batch.select(*table.column_names), "b2"),
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "mdtrt")
