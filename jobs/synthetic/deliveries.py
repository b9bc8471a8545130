"""Cut a landed extract into deliveries as they arrive: the year minus its last week, then that week."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

WEEK_TABLES = ("mdtrt", "setl", "fee_list")  # the rest (persons, institutions, registrations) is in the base


def split_last_week(landing: Path, base: Path, week: Path) -> dict[str, int]:
    """Write ``week`` (the last 7 days of the extract: the visits that began then, the settlements made since and
    their fee lines) and ``base`` (everything before) as landing folders; return the week's row counts.

    Cut by time as deliveries are: a stay admitted before the week and settled in it has its visit record in
    the base and its settlement in the week, so the base ends a week before the week's as-of date. File by
    file (a landed file holds at most a million rows): a province's year is never held in memory, only the
    week's identifiers."""

    def ids(table: str, key: str, time_col: str) -> pa.Array:
        """The ``key``s of ``table``'s rows at or after ``start``, one file read at a time."""
        parts = []
        for f in sorted((landing / table).glob("*.parquet")):
            t = pq.read_table(f, columns=[key, time_col])
            parts.append(pc.filter(t[key], pc.greater_equal(t[time_col], start)).combine_chunks())
        return pa.concat_arrays(parts)

    # the week: the last 7 days on which visits began (the generator's year ends there; settlements of the
    # stays still open then follow in the days after, and go with the week)
    visit_files = sorted((landing / "mdtrt").glob("*.parquet"))
    last = max(pc.max(pq.read_table(f, columns=["begntime"])["begntime"]).as_py() for f in visit_files)
    first_day = dt.datetime.combine(last.date() - dt.timedelta(days=6), dt.time())
    start = pa.scalar(first_day, pq.read_schema(visit_files[0]).field("begntime").type)
    visit_ids, setl_ids = ids("mdtrt", "mdtrt_id", "begntime"), ids("setl", "setl_id", "setl_time")
    counts = {}
    for folder in sorted(p for p in landing.iterdir() if p.is_dir()):
        (base / folder.name).mkdir(parents=True)
        if folder.name not in WEEK_TABLES:
            for f in folder.glob("*.parquet"):
                shutil.copy2(f, base / folder.name / f.name)
            continue
        (week / folder.name).mkdir(parents=True)
        counts[folder.name] = 0
        for f in sorted(folder.glob("*.parquet")):
            table = pq.read_table(f)
            if folder.name == "mdtrt":
                mask = pc.is_in(table["mdtrt_id"], value_set=visit_ids)
            elif folder.name == "setl":
                mask = pc.is_in(table["setl_id"], value_set=setl_ids)
            else:  # a fee line goes with its settlement (or its visit, unsettled)
                mask = pc.or_kleene(
                    pc.is_in(table["setl_id"], value_set=setl_ids),
                    pc.and_kleene(
                        pc.is_null(table["setl_id"]), pc.is_in(table["mdtrt_id"], value_set=visit_ids)
                    ),
                )
            mask = pc.fill_null(mask, False)
            pq.write_table(table.filter(pc.invert(mask)), base / folder.name / f"{f.stem}_base.parquet")
            if n := int(pc.sum(mask).as_py() or 0):
                pq.write_table(table.filter(mask), week / folder.name / f"{f.stem}_week.parquet")
            counts[folder.name] += n
    shutil.copy2(landing / "labels.csv", base / "labels.csv")
    return counts
