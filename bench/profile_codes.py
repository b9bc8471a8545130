"""Time the traceability-code work (features/trace.py, issue #20) on an existing lake, each step materialised
in turn: the ledger rebuilt from silver/fee_list (what a backfill pays once), a week of fee lines exploded (what
a weekly delivery adds); then the job's own step (``jobs.build_features.write_code_resales``: repeated sales,
institution and person figures) on a scratch lake (``SCRATCH``, default beside LAKE) holding that ledger: the
first week groups the whole window, the next week (after the week's ledger rows were appended) looks only at the
codes that can have changed (``features.trace.resale_candidates``), and is checked against the whole window.

    .venv/bin/python bench/profile_codes.py LAKE AS_OF [SCALE [SCRATCH]]

``SCALE`` (default 1) repeats the year's ledger that many times under distinct codes (the first digit replaced
by the copy's number), the repeats and returns alike: a province whose people buy more boxes than the
generator's (about 20M codes a year at 1M persons is SCALE ≈ 20M / the ledger's rows).

e.g. after ``make bench`` (``bench/cache/work/size_1000000/lake``), or ``fundwatch generate --out
/tmp/s2/landing --persons 30000 && fundwatch run --landing /tmp/s2/landing --lake /tmp/s2/lake``.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _union(first, rest):
    for df in rest:
        first = first.unionByName(df)
    return first


def _figures(pair):
    """Materialise the institution and person figures of ``write_code_resales`` (what the features use)."""
    inst, psn = pair
    return inst.unionByName(psn.select("code_setl_ids"), allowMissingColumns=True)


def main(argv: list[str]) -> int:
    from pyspark.sql import functions as F

    from features import trace
    from jobs.build_features import write_code_resales
    from jobs.lake import Lake
    from jobs.lake.tables import CODE_RESALES, CODE_SALES, VISIT, silver
    from jobs.runtime.settings import load_settings
    from jobs.runtime.spark import get_spark

    lake, as_of = Lake(argv[0]), dt.date.fromisoformat(argv[1])
    window = load_settings(lake=argv[0]).features.window_days
    spark = get_spark("local[2]")
    fees, mdtrt, visits = (
        lake.read(spark, silver("fee_list")),
        lake.read(spark, silver("mdtrt")),
        lake.read(spark, VISIT),
    )

    def step(label, make):
        t = time.time()
        df = make().localCheckpoint()
        print(f"{label:28s} {df.count():>11,d} rows {time.time() - t:6.1f}s", flush=True)
        return df

    ledger = step("ledger (the year)", lambda: trace.code_sales(fees, mdtrt))
    scale = int(argv[2]) if len(argv) > 2 else 1
    if scale > 1:
        copies = [
            ledger.withColumn("drug_trac_codg", F.concat(F.lit(str(k)), F.substring("drug_trac_codg", 2, 99)))
            for k in range(1, scale)
        ]
        ledger = step(f"ledger ×{scale}", lambda: _union(ledger, copies))
    week = fees.filter(F.col("fee_ocur_time") > F.lit(as_of - dt.timedelta(days=7)))
    step("ledger (a week's lines)", lambda: trace.code_sales(week, mdtrt))
    # the job itself (jobs.build_features.write_code_resales) on a scratch lake holding that ledger in two commits:
    # the year through last week, then the week's delivery; the first week groups the whole window, the next
    # looks at the codes that can have changed
    since = as_of - dt.timedelta(days=7)
    scratch = Lake(Path(argv[3]) if len(argv) > 3 else Path(lake.root).parent / "profile_codes_lake")
    shutil.rmtree(scratch.root, ignore_errors=True)
    t = time.time()
    before = F.col("sale_time") < F.lit(since + dt.timedelta(days=1))
    scratch.write(ledger.filter(before), CODE_SALES, mode="overwrite")
    print(f"{'ledger written (the year)':28s} {'':>11s}      {time.time() - t:6.1f}s", flush=True)
    settings = load_settings(lake=str(scratch.root))
    step(
        "code resales (first week)",
        lambda: _figures(write_code_resales(spark, scratch, settings, since, visits)),
    )
    scratch.write(ledger.filter(~before), CODE_SALES, mode="append")  # the week's delivery
    step(
        "code resales (the next week)",
        lambda: _figures(write_code_resales(spark, scratch, settings, as_of, visits)),
    )
    whole = trace.resales(scratch.read(spark, CODE_SALES), visits, as_of, window)
    weekly = scratch.read(spark, CODE_RESALES).filter(F.col("as_of") == F.lit(as_of))
    assert whole.count() == weekly.count(), "the weekly path must give the whole window's resales"
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
