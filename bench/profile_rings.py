"""Time the steps of the ring search (features/rings.py) on an existing lake, each materialised in turn:
the pairs of stays together, the edges, connected components, Leiden communities, the groups' figures.

    .venv/bin/python bench/profile_rings.py LAKE AS_OF

e.g. ``bench/profile_rings.py /tmp/s2/lake 2026-01-07`` after ``fundwatch generate --out /tmp/s2/landing
--persons 30000 --seed 123`` and ``fundwatch run --landing /tmp/s2/landing --lake /tmp/s2/lake``.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv: list[str]) -> int:
    from features import rings
    from features.windows import window_inputs
    from jobs.lake import Lake
    from jobs.lake.tables import VISIT, silver
    from jobs.runtime.settings import load_settings
    from jobs.runtime.spark import get_spark

    lake, as_of = Lake(argv[0]), dt.date.fromisoformat(argv[1])
    f = load_settings(lake=argv[0]).features
    spark = get_spark("local[2]")
    psn, fix = lake.read(spark, silver("psn")), lake.read(spark, silver("fixmedins"))
    inputs = window_inputs(
        lake.read(spark, VISIT), lake.read(spark, silver("fee_list")), psn, as_of, f.window_days,
        f.co_adm_tolerance_days,
    ).persist()  # fmt: skip
    stays = rings.ring_stays(inputs.stays, psn, fix).persist()
    print(f"stays {stays.count()}")

    def step(label, make):
        t = time.time()
        df = make().localCheckpoint()
        print(f"{label:12s} {df.count():>9,d} rows {time.time() - t:6.1f}s", flush=True)
        return df

    pairs = step("pairs", lambda: rings.pair_stays(stays, f.co_adm_tolerance_days, f.ring_crowd_cap))
    edges = step("edges", lambda: rings.ring_edges(pairs, f.ring_min_episodes))
    comps = step("components", lambda: rings.connected_components(edges))
    groups = step("communities", lambda: rings.communities(edges, comps))
    t = time.time()
    local = rings.local_communities(edges.select("a", "b", "episodes").toPandas())
    print(
        f"{'on driver':12s} {len(local):>9,d} rows {time.time() - t:6.1f}s  (steps 3-4, used below)",
        flush=True,
    )
    groups = local
    t = time.time()
    found, _ = rings.ring_groups(pairs, groups, stays, f.co_adm_tolerance_days)
    print(f"{'groups':12s} {len(found):>9,d} rows {time.time() - t:6.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
