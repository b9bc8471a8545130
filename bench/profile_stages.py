"""Time the steps inside a fundwatch stage: where does ingest (or features) spend its time?

Wraps the main steps of ingest and every Delta write with timers, runs one ``fundwatch`` subcommand in this
process and prints each call and the totals per step. The per-step figures on docs/benchmark.md come from it:

    .venv/bin/python bench/profile_stages.py ingest --landing bench/cache/landing_1000000 --lake /tmp/p1m
    .venv/bin/python bench/profile_stages.py features --lake /tmp/p1m
    .venv/bin/python bench/profile_stages.py score --lake /tmp/p1m --as-of 2026-01-08
    .venv/bin/python bench/profile_stages.py publish --lake /tmp/p1m --as-of 2026-01-08
"""

from __future__ import annotations

import collections
import functools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TOTAL: dict[str, float] = collections.defaultdict(float)
CALLS: collections.Counter = collections.Counter()


def timed(owner, name: str, label: str) -> None:
    fn = getattr(owner, name)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        t0 = time.time()
        try:
            return fn(*args, **kwargs)
        finally:
            dt = time.time() - t0
            TOTAL[label] += dt
            CALLS[label] += 1
            print(f"  [{label}] {dt:.1f}s", flush=True)

    setattr(owner, name, wrapper)


def main(argv: list[str]) -> int:
    import jobs.ingest as ingest
    import jobs.publish.clues as clues
    import jobs.publish.data_quality as data_quality
    import jobs.publish.report as report
    import jobs.score as score
    from jobs import cli
    from jobs.ingest import batch, silver
    from jobs.lake import Lake

    steps = [  # (the module that calls it, its name there)
        (ingest, "ingest_table"),
        (batch, "key_stats"),
        (batch, "_per_file"),
        (batch, "_store_validation"),
        (silver, "check_orphans"),
        (ingest, "build_silver"),
        (score, "learned_weights"),
        (score, "load_champion"),
        (score, "load_reranker"),
        (score, "score_entities"),
        (clues, "_candidates"),
        (clues, "model_reasons"),
        (clues, "_describe"),
        (clues, "code_evidence"),
        (clues, "week_drift"),
        (clues, "ring_sheets"),
        (clues, "settlement_details"),
        (clues, "export"),
        (clues, "tracking_feedback"),
        (data_quality, "write"),
        (report, "write"),
    ]
    for module, step in steps:
        timed(module, step, step)
    timed(Lake, "write", "Lake.write")
    timed(Lake, "write_arrow", "Lake.write_arrow")
    t0 = time.time()
    rc = cli.main(argv)
    print(f"total {time.time() - t0:.1f}s")
    for label, seconds in sorted(TOTAL.items(), key=lambda kv: -kv[1]):
        print(f"{label:24s} {seconds:7.1f}s  calls {CALLS[label]}")
    return rc


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
