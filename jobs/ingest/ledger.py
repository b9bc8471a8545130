"""The ingest ledger (``meta/ingest_ledger``): one row per landed file, keyed by content hash, with its outcome."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pyarrow as pa

from jobs.lake import Lake
from jobs.lake.tables import LEDGER

log = logging.getLogger(__name__)


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


# A batch (or a silver increment) of at most this many keys is looked up in the lake by broadcasting its keys:


def utc_now(n: int) -> pa.Array:
    import datetime as dt

    return pa.array([dt.datetime.now(dt.UTC)] * n, pa.timestamp("us", tz="UTC"))


def write_ledger(lake: Lake, results: list[FileResult]) -> None:
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
            "ingested_at": utc_now(len(rows)),
        }
    )
    lake.write_arrow(data, LEDGER)


# (check, child table, child column, parent table, parent column)
