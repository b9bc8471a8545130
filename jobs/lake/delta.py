"""All Delta Lake I/O of fundwatch.

delta-rs (the ``deltalake`` package) owns the transaction log; Spark computes and writes parquet. A
distributed write goes: Spark writes parquet under ``<table>/_staging/<uuid>/``; the driver moves the
finished files into the table folder (``key=value/part-…`` for partitioned tables); delta-rs commits
exactly those files in one transaction. A crash before the commit leaves the table at its previous
version (the moved files are unreferenced and removed by ``vacuum``). See ../shared/stack.md.

The tables are ordinary Delta tables: Spark with the Delta jars, delta-rs, DuckDB or Polars read them.
Small tables (ledgers, model metadata) are written from Arrow with delta-rs directly.
"""

from __future__ import annotations

import contextlib
import decimal
import fcntl
import json
import math
import os
import shutil
import time
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from deltalake import DeltaTable, write_deltalake
from deltalake.transaction import AddAction, CommitProperties, Transaction

PartitionFilter = tuple[str, str, str | list[str]]
# Commits that move files without changing a table's rows: compaction and vacuum (``fundwatch maintain``).
# Whoever records "I reflect version N of that table" records ``data_version`` and reads past these.
NEUTRAL_OPERATIONS = frozenset({"OPTIMIZE", "VACUUM START", "VACUUM END"})


class _Undescribable(Exception):
    """A column whose range a footer does not give exactly."""


def _stat_value(value, logical: str):
    """A parquet statistic as Delta's stats JSON holds it; _Undescribable when it cannot be said exactly."""
    if isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(timespec="milliseconds") + ("Z" if "isAdjustedToUTC=true" in logical else "")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | int | float):
        value = float(value) if isinstance(value, decimal.Decimal) else value
        if isinstance(value, float) and not math.isfinite(value):
            raise _Undescribable
        return value
    if isinstance(value, str):
        return value
    raise _Undescribable  # bytes, or anything else


def file_stats(footer: pq.FileMetaData) -> dict:
    """Delta's per-file statistics from a parquet footer: ``numRecords`` and, for every top-level column,
    ``minValues`` / ``maxValues`` / ``nullCount`` (a column with no value: its null count only), so that
    readers (delta-rs, DuckDB, Polars, Spark) skip files a filter cannot match.

    All or nothing: when one top-level column cannot be described exactly (a row group without statistics,
    binary values), the file gets ``numRecords`` only. delta-rs's pyarrow reader takes a column missing from
    the statistics of a file that has statistics as "no value can match" and returns no rows for a filter
    on it; nested columns (lists, maps) are left out as delta-rs's own writer leaves them out."""
    n = footer.num_rows
    mins, maxs, nulls = {}, {}, {}
    schema = footer.schema
    try:
        for i in range(footer.num_columns):
            col = schema.column(i)
            if "." in col.path:  # nested (lists, maps, structs): not described, like delta-rs does
                continue
            logical = str(col.logical_type)
            stats = [footer.row_group(g).column(i).statistics for g in range(footer.num_row_groups)]
            if any(s is None or not s.has_null_count for s in stats):
                raise _Undescribable
            nulls[col.name] = int(sum(s.null_count for s in stats))
            if nulls[col.name] == n:
                continue  # no value at all: its null count says so
            with_values = [s for s in stats if s.num_values > 0]  # num_values: the non-null ones
            if any(not s.has_min_max for s in with_values):
                raise _Undescribable
            mins[col.name] = _stat_value(min(s.min for s in with_values), logical)
            maxs[col.name] = _stat_value(max(s.max for s in with_values), logical)
    except (_Undescribable, TypeError):
        return {"numRecords": n}
    return {"numRecords": n, "minValues": mins, "maxValues": maxs, "nullCount": nulls}


class LakeError(RuntimeError):
    """A table is missing or a write does not fit the table."""


def _nullable(schema: pa.Schema) -> pa.Schema:
    # Spark marks some computed columns non-nullable; Delta tables here keep every column nullable so
    # that later writes (and other writers) are never refused for it.
    return pa.schema([f.with_nullable(True) for f in schema])


class Lake:
    """A folder of Delta tables: ``bronze/``, ``quarantine/``, ``silver/``, ``gold/``, ``meta/``."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root).resolve()

    def __repr__(self) -> str:
        return f"Lake({str(self.root)!r})"

    # -- paths and metadata ------------------------------------------------------------------------
    def path(self, name: str) -> Path:
        return self.root / name

    def exists(self, name: str) -> bool:
        return DeltaTable.is_deltatable(str(self.path(name)))

    def table(self, name: str, version: int | None = None) -> DeltaTable:
        if not self.exists(name):
            raise LakeError(
                f"Delta table {name!r} does not exist in {self.root} (run the stage that writes it)"
            )
        return DeltaTable(str(self.path(name)), version=version)

    def version(self, name: str) -> int | None:
        return self.table(name).version() if self.exists(name) else None

    def data_version(self, name: str) -> int | None:
        """Version of the newest commit that changed the table's rows: compaction and vacuum do not count,
        so a table that was only maintained since a reader last synced to it still matches."""
        newest = self.last_data_commit(name)
        return None if newest is None else newest["version"]

    def synced_to(self, name: str, key: str) -> str | None:
        """What a table's newest data commit says it reflects (``key`` in its commit metadata), if known; the
        versions it names are ``data_version``s, so compaction and vacuum leave the sync intact."""
        commit = self.last_data_commit(name)
        value = None if commit is None else commit.get(f"fundwatch.{key}")
        return None if value is None else str(value)

    def max_value(self, name: str, column: str, version: int | None = None):
        """The largest value of ``column`` in a version of a table, from the files' statistics in the Delta log
        (no data is read); None when the table is empty or a file has no statistics for the column (unknown)."""
        adds = pa.table(self.table(name, version).get_add_actions(flatten=True))
        if adds.num_rows == 0 or f"max.{column}" not in adds.column_names:
            return None
        values, rows = adds.column(f"max.{column}"), adds.column("num_records")
        nulls = adds.column(f"null_count.{column}") if f"null_count.{column}" in adds.column_names else None
        for i in range(adds.num_rows):  # a file with values but no max: unknown
            if values[i].as_py() is None and (nulls is None or nulls[i].as_py() != rows[i].as_py()):
                return None
        return pc.max(values).as_py()

    def last_data_commit(self, name: str) -> dict | None:
        """The commit info (history entry, with our ``fundwatch.*`` metadata) of ``data_version``."""
        if not self.exists(name):
            return None
        dt = self.table(name)
        for limit in (8, None):  # maintenance adds three commits at a time; rarely look further back
            for commit in dt.history(limit):
                if commit.get("operation") not in NEUTRAL_OPERATIONS:
                    return commit
        return None

    def committed(self, name: str, app_id: str) -> int | None:
        """Version of the idempotent transaction ``app_id`` recorded in the table, if any."""
        if not self.exists(name):
            return None
        return self.table(name).transaction_version(app_id)

    # -- reads -------------------------------------------------------------------------------------
    def read(self, spark, name: str, version: int | None = None):
        """Read a table snapshot into Spark (distributed: executors read the parquet files)."""
        from pyspark.sql.pandas.types import from_arrow_schema

        dt = self.table(name, version)
        arrow_schema = pa.schema(dt.schema().to_arrow())
        spark_schema = from_arrow_schema(arrow_schema)
        uris = dt.file_uris()
        if not uris:
            return spark.createDataFrame([], spark_schema)
        return spark.read.schema(spark_schema).option("basePath", str(self.path(name))).parquet(*uris)

    def read_as_of(self, spark, name: str, as_of):
        """The ``as_of`` partition of a weekly table (features, scores, clues) into Spark."""
        from pyspark.sql import functions as F

        return self.read(spark, name).filter(F.col("as_of") == F.lit(as_of))

    def appended_since(self, name: str, version: int | None) -> tuple[list[str], int | None] | None:
        """(file URIs, row count or None if unknown) that the commits after ``version`` appended to a table, or
        None when ``version`` is None (the increment is unknown) or the files new since it are not just new rows: a later commit overwrote or deleted,
        or a compaction ran after something was appended (it may have merged new rows into old files).

        Reading those files gives the increment without scanning the table: what a weekly delivery added.
        A compaction or vacuum before any append (``fundwatch maintain`` after a reader synced) is neutral.
        """
        if version is None:
            return None
        dt = self.table(name)
        later = sorted(
            (c for c in dt.history() if c.get("version", -1) > version), key=lambda c: c["version"]
        )
        base, appended = version, False
        for c in later:
            op = c.get("operation")
            if op in NEUTRAL_OPERATIONS:
                if op == "OPTIMIZE":
                    if appended:
                        return None
                    base = c["version"]  # same rows as ``version``, in other files
                continue
            if op != "WRITE" or (c.get("operationParameters") or {}).get("mode") != "Append":
                return None
            appended = True
        if not appended:
            return [], 0
        try:
            old = set(DeltaTable(str(self.path(name)), version=base).file_uris())
        except Exception:  # that version's log entry was cleaned up: the increment is unknown
            return None
        new = [u for u in dt.file_uris() if u not in old]
        adds = pa.table(dt.get_add_actions(flatten=True)).select(["path", "num_records"]).to_pylist()
        rows_of = {a["path"]: a["num_records"] for a in adds}
        root = str(self.path(name))
        counts = [rows_of.get(unquote(os.path.relpath(u.removeprefix("file://"), root))) for u in new]
        return new, (None if None in counts else int(sum(counts)))

    def read_files(self, spark, name: str, uris: Sequence[str]):
        """Some files of a table's current snapshot (e.g. ``appended_since``'s) as a Spark DataFrame."""
        from pyspark.sql.pandas.types import from_arrow_schema

        schema = from_arrow_schema(pa.schema(self.table(name).schema().to_arrow()))
        if not uris:
            return spark.createDataFrame([], schema)
        return spark.read.schema(schema).option("basePath", str(self.path(name))).parquet(*uris)

    def read_arrow(self, name: str, columns: Sequence[str] | None = None, filters=None) -> pa.Table:
        """Read a (small) table into the driver as Arrow."""
        return self.table(name).to_pyarrow_table(columns=list(columns) if columns else None, filters=filters)

    # -- writes ------------------------------------------------------------------------------------
    def write(
        self,
        df,
        name: str,
        mode: str = "append",
        partition_by: Sequence[str] = (),
        replace: Sequence[PartitionFilter] | None = None,
        app_id: str | None = None,
        metadata: dict | None = None,
        retired_columns: Sequence[str] = (),
    ) -> int | None:
        """Write a Spark DataFrame as one Delta commit.

        Args:
            df: Data to write; its schema must match the table's when the table exists.
            name: Table name relative to the lake root, e.g. ``"bronze/setl"``.
            mode: ``"append"`` or ``"overwrite"``.
            partition_by: Partition columns (used when the table is created).
            replace: With ``mode="overwrite"``, only these partitions are replaced, e.g.
                ``[("as_of", "=", "2024-12-29")]``. Without it the whole table is replaced.
            app_id: Idempotency key. When a commit with this key is already in the table the write is
                skipped, so a re-run after a crash never commits the same batch twice.
            metadata: Stored in the commit info (job, run, row counts).
            retired_columns: columns of the table that ``df`` may lack, written as nulls (a derived table whose
                code no longer computes them; the earlier rows keep theirs). Any other missing column is an error.

        Returns:
            The new table version, or ``None`` when skipped because ``app_id`` was already committed.
        """
        if mode not in ("append", "overwrite"):
            raise ValueError(f"mode must be append or overwrite, not {mode!r}")
        if app_id is not None and self.committed(name, app_id) is not None:
            return None
        if self.exists(name):
            df, partition_by = self._conform(df, name, partition_by, retired_columns)
        table_path = self.path(name)
        staging = table_path / "_staging" / uuid.uuid4().hex
        table_path.mkdir(parents=True, exist_ok=True)
        try:
            df.write.mode("errorifexists").partitionBy(*partition_by).parquet(str(staging))
            arrow_schema = _nullable(_arrow_schema(df))
            actions = list(self._adopt(staging, table_path))
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return self._commit(name, actions, arrow_schema, mode, partition_by, replace, app_id, metadata)

    def write_arrow(
        self,
        data: pa.Table,
        name: str,
        mode: str = "append",
        partition_by: Sequence[str] = (),
        replace_predicate: str | None = None,
        app_id: str | None = None,
        metadata: dict | None = None,
    ) -> int | None:
        """Write a small Arrow table from the driver with delta-rs (ledgers, model metadata)."""
        if app_id is not None and self.committed(name, app_id) is not None:
            return None
        if self.exists(name):  # new columns join the table; columns the data lacks are written as nulls
            table_schema = pa.schema(self.table(name).schema().to_arrow())
            extra = [f for f in _nullable(data.schema) if f.name not in table_schema.names]
            if extra:
                self.add_columns(name, extra)
                table_schema = pa.schema(list(table_schema) + extra)
            for f in table_schema:
                if f.name not in data.column_names:
                    data = data.append_column(f, pa.nulls(len(data), f.type))
            data = data.select(table_schema.names)
        props = CommitProperties(
            custom_metadata=_commit_metadata(metadata),
            app_transactions=[Transaction(app_id, 1)] if app_id else None,
        )
        write_deltalake(
            str(self.path(name)),
            data.cast(_nullable(data.schema)),
            mode=mode,
            partition_by=list(partition_by) or None,
            predicate=replace_predicate,
            schema_mode="merge" if mode == "append" else None,
            commit_properties=props,
        )
        return self.version(name)

    def upsert(self, df, name: str, key: str, metadata: dict | None = None) -> int:
        """Replace the rows of an existing table whose ``key`` is in ``df`` by ``df``'s, and add the others: one
        Delta MERGE (delta-rs) that rewrites only the files holding a matched key. For a few rows against a
        large table (a week's corrections): ``df`` is collected to the driver as Arrow."""
        table = self.table(name)
        schema = pa.schema(table.schema().to_arrow())
        data = df.select(*schema.names).toArrow()
        data = pa.table([data.column(f.name).cast(f.type) for f in schema], schema=schema)
        (
            table.merge(
                data,
                predicate=f"t.{key} = s.{key}",
                source_alias="s",
                target_alias="t",
                commit_properties=CommitProperties(custom_metadata=_commit_metadata(metadata)),
            )
            .when_matched_update_all()
            .when_not_matched_insert_all()
            .execute()
        )
        return self.version(name)

    def delete(self, name: str, predicate: str, metadata: dict | None = None) -> int:
        """Delete the rows matching a SQL ``predicate`` (delta-rs), e.g. ``"as_of < '2025-01-05'"``: one commit,
        none when no row matches; the number of rows deleted."""
        metrics = self.table(name).delete(
            predicate, commit_properties=CommitProperties(custom_metadata=_commit_metadata(metadata))
        )
        return int(metrics.get("num_deleted_rows", 0))

    def _conform(self, df, name: str, partition_by: Sequence[str], retired_columns: Sequence[str] = ()):
        """Order the columns as the table has them and use the table's own partitioning."""
        from pyspark.sql import functions as F
        from pyspark.sql.pandas.types import from_arrow_schema

        dt = self.table(name)
        columns = [f.name for f in dt.schema().fields]
        table_partitions = list(dt.metadata().partition_columns)
        if partition_by and list(partition_by) != table_partitions:
            raise LakeError(f"{name!r} is partitioned by {table_partitions}, not {list(partition_by)}")
        missing = [c for c in columns if c not in df.columns]
        extra = [c for c in df.columns if c not in columns]
        retired = [c for c in missing if c in retired_columns]
        if retired:
            types = from_arrow_schema(pa.schema(dt.schema().to_arrow()))
            df = df.withColumns({c: F.lit(None).cast(types[c].dataType) for c in retired})
            missing = [c for c in missing if c not in retired]
        if extra and not missing:  # a newer contract or feature set: the table gains the columns
            self.add_columns(name, [f for f in _nullable(_arrow_schema(df.select(*extra)))])
            columns, extra = columns + extra, []
        if missing or extra:
            raise LakeError(
                f"schema of the data written to {name!r} differs from the table's: "
                f"missing columns {missing}, unexpected columns {extra}"
            )
        return df.select(*columns), table_partitions

    def add_columns(self, name: str, fields: Sequence[pa.Field]) -> None:
        """Add nullable columns to a table (one commit): files written before read them as null."""
        from deltalake.schema import Field

        self.table(name).alter.add_columns(
            [Field.from_arrow(f.with_nullable(True)) for f in fields],
            commit_properties=CommitProperties(custom_metadata=_commit_metadata({"stage": "add_columns"})),
        )

    def _adopt(self, staging: Path, table_path: Path) -> Iterable[AddAction]:
        """Move the parquet files Spark finished into the table folder; describe each for the log."""
        for file in sorted(staging.rglob("*.parquet")):
            rel = file.relative_to(staging)
            partition_values = {}
            for part in rel.parts[:-1]:
                key, _, value = part.partition("=")
                value = unquote(value)
                partition_values[key] = None if value == "__HIVE_DEFAULT_PARTITION__" else value
            footer = pq.read_metadata(file)
            num_records = footer.num_rows
            if num_records == 0:  # Spark writes an empty file for an empty task: nothing to commit
                continue
            target = table_path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(file, target)
            stat = target.stat()
            yield AddAction(
                path=rel.as_posix(),
                size=stat.st_size,
                partition_values=partition_values,
                modification_time=int(stat.st_mtime * 1000),
                data_change=True,
                stats=json.dumps(file_stats(footer)),
            )

    def _commit(self, name, actions, arrow_schema, mode, partition_by, replace, app_id, metadata):
        table_path = str(self.path(name))
        if not self.exists(name):
            DeltaTable.create(
                table_path, schema=arrow_schema, partition_by=list(partition_by) or None, mode="ignore"
            )
        dt = DeltaTable(table_path)
        table_schema = pa.schema(dt.schema().to_arrow())
        if [f.name for f in table_schema] != [f.name for f in arrow_schema] or not all(
            a.type.equals(b.type) for a, b in zip(table_schema, arrow_schema, strict=True)
        ):
            raise LakeError(
                f"schema of the data written to {name!r} differs from the table's:\n"
                f"  table: {table_schema}\n  data:  {arrow_schema}"
            )
        props = CommitProperties(
            custom_metadata=_commit_metadata(metadata),
            app_transactions=[Transaction(app_id, 1)] if app_id else None,
        )
        dt.create_write_transaction(
            actions,
            mode=mode,
            schema=table_schema,
            partition_by=dt.metadata().partition_columns or None,
            partition_filters=list(replace) if replace else None,
            commit_properties=props,
        )
        return DeltaTable(table_path).version()

    @contextlib.contextmanager
    def lock(self, name: str):
        """Exclusive lock on ``name`` across processes (``flock`` on a file under ``<lake>/_locks``).

        Delta commits are atomic on their own; the lock serialises read-decide-commit sequences such as
        "which files are new? → write them → record them in the ledger", so that two ingests started at
        once cannot both decide the same file is new.
        """
        folder = self.root / "_locks"
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / (name.replace("/", "__") + ".lock"), "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # -- maintenance -------------------------------------------------------------------------------
    def compact(self, name: str, target_size: int, max_concurrent_tasks: int | None = None) -> dict:
        """Rewrite the table's small files into files of about ``target_size`` bytes (per partition), in one
        OPTIMIZE commit that changes no rows (delta-rs; runs in this process). Each of the
        ``max_concurrent_tasks`` tasks (delta-rs's default: one per CPU) rewrites one bin of at most about
        ``target_size`` bytes at a time, so memory follows tasks x bin size, not the table's size.
        Returns delta-rs's metrics."""
        return self.table(name).optimize.compact(
            target_size=target_size,
            max_concurrent_tasks=max_concurrent_tasks,
            commit_properties=CommitProperties(custom_metadata=_commit_metadata({"stage": "maintain"})),
        )

    def vacuum(self, name: str, retention_hours: int = 168) -> list[str]:
        """Delete files no snapshot younger than ``retention_hours`` references, and files the log never
        referenced that are older than that: a write that crashed after moving its files into the table and
        before its commit leaves such files (delta-rs's full vacuum; the default only deletes files the log
        marks as removed). Files younger than the retention are kept, so a write in progress is never touched."""
        return self.table(name).vacuum(
            retention_hours=retention_hours, dry_run=False, enforce_retention_duration=False, full=True
        )

    def tables(self) -> list[str]:
        """Names of all Delta tables in the lake."""
        return sorted(p.parent.relative_to(self.root).as_posix() for p in self.root.glob("*/*/_delta_log"))


def _arrow_schema(df) -> pa.Schema:
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(df.schema, timezone="UTC")


def _commit_metadata(metadata: dict | None) -> dict[str, str]:
    meta = {"fundwatch.committed_at": time.strftime("%Y-%m-%dT%H:%M:%S")}
    for key, value in (metadata or {}).items():
        meta[f"fundwatch.{key}"] = (
            value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        )
    return meta
