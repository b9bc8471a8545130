"""What a year of weekly deliveries' small files costs, and what ``fundwatch maintain`` costs and gives back.

    .venv/bin/python bench/profile_maintain.py LAKE AS_OF [--files 260] [--maintain-only] [--config FILE]

LAKE is changed: pass a copy (e.g. ``cp -r bench/work/size_1000000/lake /tmp/m1m``). Its bronze and silver
tables of visits, settlements, fee lines and persons are rewritten as ``--files`` files each: the layout a
year of weekly deliveries leaves (52 weeks x 4-7 files of 1-2 MB per table at 1M persons, see
docs/benchmark.md). The rewrite is an overwrite, so the lake's silver no longer records the bronze it
reflects: do not ingest into the copy afterwards. Then, each as its own ``fundwatch`` process with its peak
memory sampled: ``features`` on the fragmented lake, ``maintain`` (with ``--config``, e.g. another
``[maintain] max_concurrent_tasks``), ``features`` again; ``--maintain-only`` skips the two ``features``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))  # `bench` is bench/bench.py, as in bench/detection.py

TABLES = [f"{layer}/{t}" for layer in ("bronze", "silver") for t in ("psn", "mdtrt", "setl", "fee_list")]
TABLES.append("silver/visit")


def fragment(lake_dir: Path, files: int) -> None:
    from jobs.lake import Lake
    from jobs.runtime.spark import get_spark

    lake, spark = Lake(lake_dir), get_spark()
    for name in TABLES:
        t0 = time.time()
        df = lake.read(spark, name).repartition(files)
        lake.write(df, name, mode="overwrite")
        lake.vacuum(name, 0)  # only the fragmented files stay on disk
        print(
            f"  {name:18s} -> {len(lake.table(name).file_uris())} files ({time.time() - t0:.0f}s)", flush=True
        )
    spark.stop()


def main(argv: list[str]) -> int:
    from bench import run_stage
    from jobs.lake import Lake

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("lake", type=Path)
    p.add_argument("as_of")
    p.add_argument("--files", type=int, default=260)
    p.add_argument("--maintain-only", action="store_true", help="time maintain alone, not features around it")
    p.add_argument(
        "--config", type=Path, help="TOML passed to maintain (e.g. [maintain] max_concurrent_tasks)"
    )
    a = p.parse_args(argv)
    lake = Lake(a.lake)

    def count() -> int:
        return sum(len(lake.table(n).file_uris()) for n in lake.tables())

    print(f"fragmenting {len(TABLES)} tables into {a.files} files each …", flush=True)
    fragment(a.lake, a.files)
    logs = a.lake.parent / f"{a.lake.name}_logs"
    logs.mkdir(exist_ok=True)
    maintain = ["maintain", *(["--config", str(a.config)] if a.config else [])]
    steps = [
        ("features (fragmented)", ["features", "--as-of", a.as_of]),
        ("maintain", maintain),
        ("features (compacted)", ["features", "--as-of", a.as_of]),
    ]
    if a.maintain_only:
        steps = [("maintain", maintain)]
    print(f"{'step':24s} {'wall s':>7s} {'py MB':>6s} {'JVM MB':>7s} {'data files':>11s}")
    for label, args in steps:
        before = count()
        r = run_stage([*args, "--lake", str(a.lake)], logs / f"{args[0]}.log")
        print(
            f"{label:24s} {r['seconds']:7.1f} {r['py_rss_mb']:6d} {r['jvm_rss_mb']:7d} {before:>5d} -> {count()}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
