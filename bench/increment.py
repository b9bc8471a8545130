"""What one weekly delivery costs to ingest into a lake that already holds the year before it.

``make bench`` lands a whole year on an empty lake (the backfill a province does once). Every week after that
only the new files arrive. This splits a cached benchmark landing into the year minus its last week and that
week (visits that began in the last 7 days, with their settlements and fee lines), ingests the first, then
times ``fundwatch ingest`` of the week alone.

    .venv/bin/python bench/increment.py --persons 100000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import cached_landing, run_stage  # noqa: E402

WEEK_TABLES = ("mdtrt", "setl", "fee_list")  # the rest (persons, institutions, registrations) is in the base


def split(landing: Path, base: Path, week: Path) -> dict[str, int]:
    """Write ``base`` (everything but the last week's visits) and ``week`` (those visits, their settlements
    and fee lines) as landing folders; return the week's row counts."""
    mdtrt = ds.dataset(landing / "mdtrt").to_table(columns=["mdtrt_id", "begntime"])
    last = pc.max(mdtrt["begntime"]).as_py()
    start = pa.scalar(last - dt.timedelta(days=7), mdtrt.schema.field("begntime").type)
    week_ids = pc.filter(mdtrt["mdtrt_id"], pc.greater(mdtrt["begntime"], start))
    counts = {}
    for folder in sorted(p for p in landing.iterdir() if p.is_dir()):
        (base / folder.name).mkdir(parents=True)
        table = ds.dataset(folder).to_table()
        if folder.name not in WEEK_TABLES:
            pq.write_table(table, base / folder.name / f"{folder.name}_base.parquet")
            continue
        in_week = pc.is_in(table["mdtrt_id"], value_set=week_ids.combine_chunks())
        pq.write_table(table.filter(pc.invert(in_week)), base / folder.name / f"{folder.name}_base.parquet")
        (week / folder.name).mkdir(parents=True)
        pq.write_table(table.filter(in_week), week / folder.name / f"{folder.name}_week.parquet")
        counts[folder.name] = int(pc.sum(in_week).as_py())
    return counts


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--persons", type=int, default=100_000)
    p.add_argument("--work", type=Path, default=ROOT / "bench" / "work")
    a = p.parse_args()
    landing = cached_landing(a.persons)
    work = a.work / f"increment_{a.persons}"
    shutil.rmtree(work, ignore_errors=True)
    base, week, lake = work / "landing", work / "week", work / "lake"
    rows = split(landing, base, week)
    print(f"week: {rows}", flush=True)
    first = run_stage(["ingest", "--landing", str(base), "--lake", str(lake)], work / "ingest_base.log")
    print(f"base (year minus a week) ingest: {first}", flush=True)
    for folder in week.iterdir():  # the week's files land beside the earlier ones, as a delivery would
        for f in folder.iterdir():
            shutil.copy2(f, base / folder.name / f.name)
    weekly = run_stage(["ingest", "--landing", str(base), "--lake", str(lake)], work / "ingest_week.log")
    print(f"weekly delivery ingest: {weekly}", flush=True)
    result = {"persons": a.persons, "week_rows": rows, "base_ingest": first, "week_ingest": weekly}
    (work / "result.json").write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
