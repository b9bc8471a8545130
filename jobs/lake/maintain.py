"""Lake upkeep: compact the small files weekly deliveries leave, delete files nothing references any more.

Every weekly delivery appends a few files of 1-2 MB to each bronze and silver table (at 1M persons), every
ingested file one small file to the ledgers: after a year a table is hundreds of small files, and every
read pays per file. ``maintain`` (``fundwatch maintain``; the weekly DAG runs it after delivering):

- **compacts** each table that has ``min_small_files`` or more files under half ``target_file_mb`` in one
  partition: delta-rs rewrites them into files of about ``target_file_mb`` in an OPTIMIZE commit that
  changes no rows, ``max_concurrent_tasks`` bins at a time (memory follows that, not the table's size).
  Readers that recorded a version (silver of bronze, the visits and orphan checks of silver) compare
  ``Lake.data_version``s, so a compaction neither makes the next ingest rebuild anything nor turns an
  incremental step into a full one;
- **vacuums**: deletes the files compacted away, overwritten or orphaned by a crash once no snapshot younger
  than ``vacuum_retention_hours`` references them (time travel reaches back that far, and a job that
  listed a table's files before a compaction can still read them);
- **removes staging leftovers**: ``<table>/_staging/<write>`` folders of writes killed before their commit,
  once older than ``staging_hours``.

It holds every ingest lock and the silver lock while it works, so no ingest can interleave. Gold tables are
written by features/score/publish without a lock: if one of those commits meanwhile, delta-rs refuses the
compaction and the table is left for next week.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import time
from dataclasses import dataclass

import pyarrow as pa
from deltalake.exceptions import CommitFailedError

from jobs.ingest.contract import TABLES
from jobs.lake import Lake
from jobs.lake.tables import SCRATCH, exports_root
from jobs.runtime.settings import MaintainSettings, Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Upkeep:
    """What ``maintain`` did to one table."""

    table: str
    files_before: int
    files_after: int
    compacted: bool
    vacuumed: int  # files deleted
    staging_removed: int  # leftover staging folders deleted
    seconds: float
    skipped: str = ""  # why the compaction was skipped (a concurrent commit)


def small_file_groups(lake: Lake, name: str, below: int) -> int:
    """The most files under ``below`` bytes that one partition of the table holds (all of it if unpartitioned)."""
    adds = pa.table(lake.table(name).get_add_actions(flatten=True))
    parts = [c for c in adds.column_names if c.startswith("partition.")]
    adds = adds.select(["size_bytes", *parts]).to_pandas()
    small = adds[adds["size_bytes"] < below]
    if small.empty:
        return 0
    return int(small.groupby(parts, dropna=False).size().max()) if parts else len(small)


def _remove_old(folders, older_than_hours: float) -> int:
    """Delete the given folders last modified more than ``older_than_hours`` ago; how many were deleted."""
    cutoff, removed = time.time() - older_than_hours * 3600, 0
    for folder in folders:
        if folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def _remove_staging(lake: Lake, name: str, older_than_hours: float) -> int:
    staging = lake.path(name) / "_staging"
    if not staging.is_dir():
        return 0
    removed = _remove_old(list(staging.iterdir()), older_than_hours)
    with contextlib.suppress(OSError):
        staging.rmdir()  # only when empty
    return removed


def remove_leftovers(lake: Lake, older_than_hours: float) -> int:
    """Leftovers of killed runs outside the tables: ingest's copies of landed files with mended line
    endings (``tmp/landing/<run>``) and publish's staging and replaced week folders (``exports/.<as_of>.*``)."""
    folders = list((lake.root / SCRATCH).glob("*")) + [
        p
        for p in exports_root(lake.root).glob(".*")
        if p.is_dir() and (".staging-" in p.name or ".old-" in p.name)
    ]
    return _remove_old(folders, older_than_hours)


@contextlib.contextmanager
def _all_ingest_locks(lake: Lake):
    # the order ingest takes them in (one table at a time, then silver): no deadlock
    with contextlib.ExitStack() as stack:
        for table in TABLES:
            stack.enter_context(lake.lock(f"ingest/{table}"))
        stack.enter_context(lake.lock("silver"))
        yield


def maintain(lake: Lake, settings: MaintainSettings) -> list[Upkeep]:
    """Compact, vacuum and clear staging leftovers in every table of ``lake``; one ``Upkeep`` per table."""
    target = settings.target_file_mb * 1024 * 1024
    done = []
    with _all_ingest_locks(lake):
        for name in lake.tables():
            t0 = time.time()
            before = len(lake.table(name).file_uris())
            compacted, skipped = False, ""
            if small_file_groups(lake, name, target // 2) >= settings.min_small_files:
                try:
                    lake.compact(name, target, settings.max_concurrent_tasks)
                    compacted = True
                except CommitFailedError as exc:  # a gold table written meanwhile: next week
                    skipped = f"a concurrent commit: {exc}"
                    log.warning("%s: compaction skipped (%s)", name, skipped)
            vacuumed = len(lake.vacuum(name, settings.vacuum_retention_hours))
            staged = _remove_staging(lake, name, settings.staging_hours)
            up = Upkeep(
                name,
                before,
                len(lake.table(name).file_uris()),
                compacted,
                vacuumed,
                staged,
                time.time() - t0,
                skipped,
            )
            if compacted or vacuumed or staged:
                log.info(
                    "%-26s files %5d -> %5d%s, %d deleted, %d staging leftover(s) (%.1fs)",
                    name,
                    up.files_before,
                    up.files_after,
                    " (compacted)" if compacted else "",
                    vacuumed,
                    staged,
                    up.seconds,
                )
            done.append(up)
        left = remove_leftovers(lake, settings.staging_hours)
        if left:
            log.info("%d leftover folder(s) of killed ingest or publish runs removed", left)
    return done


def run(spark, settings: Settings) -> list[Upkeep]:
    """The maintain stage: ``maintain`` on the lake of ``settings`` with its ``[maintain]`` section. Needs no
    Spark (delta-rs only): ``spark`` is None from the command line."""
    return maintain(Lake(settings.lake), settings.maintain)
