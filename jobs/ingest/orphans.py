"""Orphan checks: rows of silver whose parent (the visit of a settlement, the settlement of a fee line, …) is
not in the lake, counted and listed for the data-quality page."""

from __future__ import annotations

import json
import logging

import pyarrow as pa

from jobs.ingest.contract import TABLES
from jobs.ingest.ledger import utc_now
from jobs.ingest.rows import BROADCAST_KEYS
from jobs.lake import Lake
from jobs.lake.tables import ORPHAN_ROWS, ORPHANS

log = logging.getLogger(__name__)

# A batch (or a silver increment) of at most this many keys is looked up in the lake by broadcasting its keys:

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
    synced = lake.synced_to(ORPHANS, "silver_versions")
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
        new = lake.appended_since(f"silver/{child}", before.get(child)) if check in known else None
        if new is not None and lake.appended_since(f"silver/{parent}", before.get(parent)) is not None:
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
            "checked_at": utc_now(len(rows)),
        }
    )
    lake.write_arrow(
        data,
        ORPHANS,
        mode="overwrite" if lake.exists(ORPHANS) else "append",
        metadata={"stage": "orphans", "silver_versions": label},
    )
    return rows
