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

The stage's parts: ``read`` (one landed file, parsed leniently), ``rows`` (pure row outcomes), ``batch`` (a
table's batch, written and reconciled), ``ledger``, ``silver``, ``orphans``; the contract (``contract``), its
expectation suites (``expectations``) and the refusals of hostile files (``landing``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from jobs.ingest.batch import IngestError, IngestReport, ingest_table
from jobs.ingest.contract import TABLES
from jobs.ingest.orphans import check_orphans
from jobs.ingest.silver import build_silver
from jobs.lake import Lake
from jobs.runtime.settings import IngestSettings, Settings

log = logging.getLogger(__name__)

__all__ = [
    "IngestError",
    "IngestReport",
    "build_silver",
    "check_orphans",
    "ingest_landing",
    "rejection_message",
    "run",
]


def run(
    spark, settings: Settings, landing: Path, validate_with_gx: bool = True, fail_on_reject: bool = True
) -> IngestReport:
    """The ingest stage: every contract table landed under ``landing`` into the lake of ``settings``.

    Raises IngestError naming every rejected file (after ingesting the rest) unless ``fail_on_reject`` is
    False; the report then lists them (``rejection_message``).
    """
    return ingest_landing(
        spark,
        Lake(settings.lake),
        landing,
        validate_with_gx=validate_with_gx,
        fail_on_reject=fail_on_reject,
        limits=settings.ingest,
    )


def ingest_landing(
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
