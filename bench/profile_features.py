"""Time the parts of the features stage on an existing lake: building and caching the window's inputs, then
the person and the institution features (each run to a no-op sink, nothing written), and what the caches hold.

    .venv/bin/python bench/profile_features.py LAKE AS_OF [spark.conf=value ...]

e.g. ``bench/profile_features.py bench/work/size_1000000/lake 2026-01-08 spark.driver.memory=10g``.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv: list[str]) -> int:
    from features.fixmedins import fixmedins_features
    from features.psn import psn_features
    from features.windows import window_inputs
    from jobs.lake import Lake
    from jobs.runtime.spark import get_spark

    lake, as_of = Lake(argv[0]), dt.date.fromisoformat(argv[1])
    spark = get_spark(extra_conf=dict(kv.split("=", 1) for kv in argv[2:]))

    def timed(label: str, df) -> None:
        t0 = time.time()
        df.write.format("noop").mode("overwrite").save()
        print(f"{label:16s} {time.time() - t0:6.1f}s", flush=True)

    def optional(name: str):
        return lake.read(spark, name) if lake.exists(name) else None

    t0 = time.time()
    visits, fees = lake.read(spark, "silver/visit"), lake.read(spark, "silver/fee_list")
    psn = lake.read(spark, "silver/psn")
    w = window_inputs(visits, fees, psn, as_of, 365).persist()
    timed("cache visits", w.all_visits)
    timed("cache stays", w.stays)
    timed("cache lines", w.lines)
    for info in spark.sparkContext._jsc.sc().getRDDStorageInfo():
        print(f"  cached: memory {info.memSize() >> 20} MB, disk {info.diskSize() >> 20} MB, "
              f"{info.numCachedPartitions()}/{info.numPartitions()} partitions")  # fmt: skip
    psn_df = psn_features(
        psn, visits, fees, as_of, opsp_reg=optional("silver/opsp_reg"),
        psn_death=optional("silver/psn_death"), inputs=w,
    )  # fmt: skip
    timed("persons", psn_df)
    timed(
        "institutions",
        fixmedins_features(lake.read(spark, "silver/fixmedins"), psn, visits, fees, as_of, inputs=w),
    )
    print(f"total {time.time() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
