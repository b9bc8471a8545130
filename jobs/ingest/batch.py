"""One table's batch: the landed files not yet in the ledger read, checked and resolved, written to bronze and
quarantine in one commit, and reconciled file by file (landed = bronze + quarantined + duplicate)."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from jobs.ingest.contract import Table
from jobs.ingest.expectations import load_suite_dict, summarize, validate
from jobs.ingest.landing import refusal
from jobs.ingest.ledger import FileResult, utc_now, write_ledger
from jobs.ingest.read import landing_files, open_landed
from jobs.ingest.rows import BROADCAST_KEYS, META_COLS, bronze_schema_cols, key_stats, resolve, validate_rows
from jobs.lake import Lake
from jobs.lake.files import sha256_of
from jobs.lake.tables import GX, LEDGER, SCRATCH, VALIDATION
from jobs.runtime.settings import IngestSettings

log = logging.getLogger(__name__)

# A batch (or a silver increment) of at most this many keys is looked up in the lake by broadcasting its keys:


class IngestError(RuntimeError):
    """Raised after a batch when files were rejected: names file, table and reason."""


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)

    @property
    def rejected(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "rejected"]

    def totals(self, table: str | None = None) -> dict[str, int]:
        sel = [f for f in self.files if table is None or f.table == table]
        return {k: sum(getattr(f, k) for f in sel) for k in ("landed", "bronze", "quarantined", "duplicate")}


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
    write_ledger(lake, results)
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
    result = validate(typed_df, suite, batch_id, gx_root=lake.root / GX, params=params)
    rows = summarize(result)
    data = pa.table(
        {
            "table": [table.name] * len(rows),
            "batch_id": [batch_id] * len(rows),
            "validated_at": utc_now(len(rows)),
            "reason": [r["reason"] for r in rows],
            "expectation": [r["expectation"] for r in rows],
            "success": [r["success"] for r in rows],
            "unexpected_count": pa.array([r["unexpected_count"] for r in rows], pa.int64()),
            "element_count": pa.array([r["element_count"] for r in rows], pa.int64()),
            "result_json": [json.dumps(result, ensure_ascii=False, default=str)] * len(rows),
        }
    )
    lake.write_arrow(data, VALIDATION, app_id=f"validate:{table.name}:{batch_id}")
