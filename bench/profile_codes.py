"""Time the traceability-code work (features/trace.py, issue #20) on an existing lake, each step materialised
in turn: the ledger rebuilt from silver/fee_list (what a backfill pays once), a week of fee lines exploded (what
a weekly delivery adds), the repeated sales of the window, and the institution and person figures.

    .venv/bin/python bench/profile_codes.py LAKE AS_OF [SCALE]

``SCALE`` (default 1) repeats the year's ledger that many times under distinct codes (the first digit replaced
by the copy's number), the repeats and returns alike: a province whose people buy more boxes than the
generator's (about 20M codes a year at 1M persons is SCALE ≈ 20M / the ledger's rows).

e.g. after ``make bench`` (``bench/cache/work/size_1000000/lake``), or ``fundwatch generate --out
/tmp/s2/landing --persons 30000 && fundwatch run --landing /tmp/s2/landing --lake /tmp/s2/lake``.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _union(first, rest):
    for df in rest:
        first = first.unionByName(df)
    return first


def main(argv: list[str]) -> int:
    from pyspark.sql import functions as F

    from features import trace
    from jobs.lake import Lake
    from jobs.lake.tables import VISIT, silver
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
    sold = step("resales (the window)", lambda: trace.resales(ledger, visits, as_of, window))
    step("institution figures", lambda: trace.institution_code_features(ledger, sold, as_of, window))
    step("person figures", lambda: trace.person_code_features(sold))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
