"""`make bench`: wall time, throughput and peak memory at 100k and 1M persons, for the backfill and for the
weekly run.

Each size's synthetic year is split into the year minus its last week and that week. The first is ingested
into an empty lake (backfill), features built and models trained; then the week lands and one `fundwatch run`
process (ingest, features, score, publish) is timed: the weekly run the targets are about. Each step is its
own process; a sampler records the peak resident memory of the Python driver and of its JVM (in local mode
the JVM hosts Spark's driver and executors). The reference is DuckDB running the core per-person and
per-institution feature query over the same landing files. Results go to docs/benchmark.md (and
bench/results.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jobs.synthetic.deliveries import split_last_week  # noqa: E402

CACHE = ROOT / "bench" / "cache"
# the weekly run, one `fundwatch run` process: what its log names each stage (ingest logs its landing path)
WEEKLY_PARTS = ["start", "ingest", "features", "score", "publish"]
DEFAULT_OUT = ROOT / "docs" / "benchmark.md"
STATUS_MARK = "<!-- written by hand below this line; bench.py keeps it -->"


class Peak(threading.Thread):
    """Samples peak resident memory, each summed at one instant: the process ``pid`` (``root``), its
    descendants whose name contains ``children`` (``kids``), and any other process on the machine whose
    command line contains ``others`` (``rest``; e.g. a cluster's executors, which are not its children)."""

    def __init__(self, pid: int, children: str = "java", others: str | None = None):
        super().__init__(daemon=True)
        self.pid, self.children, self.others, self.stop = pid, children, others, threading.Event()
        self.root = self.kids = self.rest = 0

    def run(self):
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self.stop.is_set():
            try:
                self.root = max(self.root, root.memory_info().rss)
                kids = root.children(recursive=True)
                self.kids = max(
                    self.kids, sum(c.memory_info().rss for c in kids if self.children in c.name())
                )
                if self.others:
                    rest = sum(
                        p.memory_info().rss
                        for p in psutil.process_iter(["cmdline"])
                        if any(self.others in a for a in p.info["cmdline"] or [])
                    )
                    self.rest = max(self.rest, rest)
            except psutil.Error:
                pass
            time.sleep(0.25)


def sampled(cmd: list[str], log: Path, env: dict[str, str], cwd: Path, **peak) -> tuple[int, float, Peak]:
    """Run ``cmd`` with its output in ``log``, sampling its memory (``Peak(**peak)``): (exit code, seconds,
    the sampler's peaks)."""
    t0 = time.time()
    with log.open("w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=cwd)
        sampler = Peak(proc.pid, **peak)
        sampler.start()
        rc = proc.wait()
        sampler.stop.set()
        sampler.join()
    return rc, time.time() - t0, sampler


def run_stage(args: list[str], log: Path) -> dict:
    """One ``fundwatch`` step as its own process: wall time, peak RSS of the Python driver and of its JVM."""
    env = dict(os.environ, GX_ANALYTICS_ENABLED="false", SPARK_LOCAL_IP="127.0.0.1")
    rc, seconds, peak = sampled([str(ROOT / ".venv" / "bin" / "fundwatch"), *args], log, env, ROOT)
    if rc != 0:
        raise SystemExit(f"fundwatch {' '.join(args)} failed (rc {rc}); see {log}")
    return {
        "seconds": round(seconds, 1),
        "py_rss_mb": round(peak.root / 2**20),
        "jvm_rss_mb": round(peak.kids / 2**20),
    }


def landing_rows(landing: Path) -> dict[str, int]:

    return {
        t.name: sum(pq.read_metadata(f).num_rows for f in t.glob("*.parquet"))
        for t in landing.iterdir()
        if t.is_dir()
    }


DUCKDB_QUERY = """
WITH v AS (
  SELECT m.mdtrt_id, m.psn_no, m.fixmedins_code, m.med_type, CAST(m.begntime AS DATE) AS adm_date,
         CAST(m.endtime AS DATE) AS dscg_date, s.fund
  FROM read_parquet('{l}/mdtrt/*.parquet') m
  JOIN (SELECT mdtrt_id, SUM(fund_pay_sumamt) AS fund FROM read_parquet('{l}/setl/*.parquet') GROUP BY 1) s USING (mdtrt_id)
), stays AS (
  SELECT *, COUNT(*) OVER (PARTITION BY fixmedins_code, adm_date, dscg_date) AS co_adm_n,
         adm_date - LAG(dscg_date) OVER (PARTITION BY psn_no ORDER BY adm_date) AS gap
  FROM v WHERE med_type LIKE '2%'
), rx AS (
  SELECT v.psn_no, SUM(COALESCE(f.prd_days, 0)) AS rx_days
  FROM read_parquet('{l}/fee_list/*.parquet') f JOIN v USING (mdtrt_id) WHERE f.med_chrgitm_type IN ('09','10','11')
  GROUP BY 1
)
SELECT (SELECT COUNT(*) FROM (
          SELECT p.psn_no, COUNT(s.mdtrt_id), SUM(CASE WHEN gap <= 15 THEN 1 ELSE 0 END), MAX(co_adm_n),
                 ANY_VALUE(rx.rx_days)
          FROM read_parquet('{l}/psn/*.parquet') p LEFT JOIN stays s USING (psn_no) LEFT JOIN rx USING (psn_no)
          GROUP BY p.psn_no)) AS persons,
       (SELECT COUNT(*) FROM (
          SELECT fixmedins_code, COUNT(*), AVG(CASE WHEN co_adm_n >= 3 THEN 1 ELSE 0 END), STDDEV_POP(dscg_date - adm_date)
          FROM stays GROUP BY 1)) AS institutions
"""


def duckdb_reference(landing: Path) -> dict:
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads = 2")
    t0 = time.time()
    persons, insts = con.execute(DUCKDB_QUERY.format(l=landing)).fetchone()
    return {"seconds": round(time.time() - t0, 2), "persons": persons, "institutions": insts}


def cached_landing(persons: int, seed: int = 7) -> tuple[Path, dict | None]:
    """The synthetic landing for ``persons`` under bench/cache, regenerated when the generator changed: (the
    landing, the generation's wall time and peak memory, or None when the cache held it). Beyond
    ``jobs.synthetic.prefecture.CHUNK_PERSONS`` the generator writes a province one prefecture at a time."""
    from jobs.synthetic import is_current

    landing = CACHE / f"landing_{persons}"
    if is_current(landing, persons, seed):
        return landing, None
    shutil.rmtree(landing, ignore_errors=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    cmd = [str(ROOT / ".venv" / "bin" / "fundwatch"), "generate", "--out", str(landing), "--persons", str(persons),
           "--seed", str(seed)]  # fmt: skip
    rc, seconds, peak = sampled(cmd, CACHE / f"generate_{persons}.log", dict(os.environ), ROOT)
    if rc != 0:
        raise SystemExit(f"generate failed (rc {rc}); see {CACHE / f'generate_{persons}.log'}")
    print(f"generated {persons} persons in {seconds:.0f}s, peak {peak.root / 2**20:.0f} MB", flush=True)
    return landing, {"seconds": round(seconds, 1), "py_rss_mb": round(peak.root / 2**20), "jvm_rss_mb": 0}


def stage_seconds(log: Path) -> dict[str, float]:
    """Per-stage wall times of one ``fundwatch`` process, from its ``✔ <stage> done in <s>s`` lines."""
    out = {}
    for m in re.finditer(r"✔ (\S+)(?: \S+)* done in ([\d.]+)s", log.read_text(encoding="utf-8")):
        out[m.group(1)] = float(m.group(2))
    return out


def bench_size(persons: int, work: Path, resume: bool = False) -> dict:
    """Backfill the year minus its last week, train, then time the weekly run on the week's delivery.

    Each finished step is recorded in ``<work>/size_<persons>/progress.json``; with ``resume`` a run that stopped
    (a province takes hours) goes on from the first step not recorded there, on the lake as it was left; unless
    the landing had to be generated again (another generator version): then it starts afresh."""
    landing, generated = cached_landing(persons)
    root = work / f"size_{persons}"
    progress = root / "progress.json"
    base, week, lake = root / "landing", root / "week", root / "lake"
    if resume and progress.exists() and generated is None:  # a regenerated landing makes the split stale
        result = json.loads(progress.read_text())
        print(
            f"{persons:>9,d} persons  resuming after {', '.join(result['stages']) or 'the split'}", flush=True
        )
    else:
        shutil.rmtree(root, ignore_errors=True)
        week_rows = split_last_week(landing, base, week)
        result = {"persons": persons, "rows": landing_rows(landing), "week_rows": week_rows, "stages": {}}
        if generated:
            result["stages"]["generate"] = generated
        progress.write_text(json.dumps(result, indent=1))

    def step(name: str, args: list[str]) -> dict:
        if name in result["stages"]:
            return result["stages"][name]
        log = root / f"{name}.log"
        r = run_stage([*args, "--lake", str(lake)], log)
        result["stages"][name] = r
        print(
            f"{persons:>9,d} persons  {name:9s} {r['seconds']:8.1f}s  py {r['py_rss_mb']:>5d} MB  "
            f"jvm {r['jvm_rss_mb']:>5d} MB",
            flush=True,
        )
        if name == "weekly":
            r["parts"] = stage_seconds(log)
        progress.write_text(json.dumps(result, indent=1))
        return r

    step("backfill", ["ingest", "--landing", str(base)])
    step("features", ["features"])
    step("train", ["train", "--labels", str(base / "labels.csv"), "--promote"])
    for folder in week.iterdir():  # the week's files land beside the earlier ones, as a delivery would
        for f in folder.iterdir():
            shutil.copy2(f, base / folder.name / f.name)
    result["weekly_seconds"] = step("weekly", ["run", "--landing", str(base)])["seconds"]
    if "duckdb" not in result:
        result["duckdb"] = duckdb_reference(landing)
        progress.write_text(json.dumps(result, indent=1))
    print(f"{persons:>9,d} persons  duckdb    {result['duckdb']['seconds']:8.2f}s", flush=True)
    return result


def machine() -> str:
    mem = psutil.virtual_memory().total / 2**30
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, {mem:.0f} GiB, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def write_page(results: list[dict], out: Path, command: str) -> None:
    lines = [
        "# Benchmark",
        "",
        f"Machine: {machine()}.",
        "",
        f"Produced by `{command}` on {time.strftime('%Y-%m-%d')}; raw figures beside it (`bench/results.json` for this page). For each "
        "size the synthetic year is split into the year minus its last 7 days and those days (the visits that "
        "began then, with their settlements and fee lines). The year minus a week is ingested into an empty lake "
        "(the backfill a province does once), features are built and the models trained; then the week's files "
        "land beside the others and **the weekly run** is timed: one `fundwatch run` process that ingests the "
        "week, builds the features over the 365-day window, scores and publishes. Each step is its own "
        "process, so every figure includes its start-up; memory is the peak resident set of the Python driver "
        "and of its JVM (local mode: Spark driver and executors).",
        "",
        "| persons | settlements | fee lines | step | wall s | rows/s | driver py MB | JVM MB |",
        "|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    names = {
        "generate": "generate the synthetic year (one prefecture of ≤ 1M persons at a time)",
        "backfill": "backfill ingest (year minus a week)",
        "features": "features (backfill)",
        "train": "train",
        "weekly": "**weekly run** (week's ingest → publish)",
    }
    for r in results:
        n_rows = sum(r["rows"].values())
        for step, s in r["stages"].items():
            lines.append(
                f"| {r['persons']:,} | {r['rows']['setl']:,} | {r['rows']['fee_list']:,} | {names[step]} | "
                f"{s['seconds']:.1f} | {n_rows / s['seconds']:,.0f} | {s['py_rss_mb']:,} | {s['jvm_rss_mb']:,} |"
            )
    lines += [
        "",
        "Inside the weekly run (seconds, from its log; `start` is the Spark session):",
        "",
        "| persons | the week's visits / settlements / fee lines | "
        + " | ".join(WEEKLY_PARTS)
        + " | total |",
        "|---:|---:|" + "---:|" * (len(WEEKLY_PARTS) + 1),
    ]
    for r in results:
        parts, w = r["stages"]["weekly"]["parts"], r["week_rows"]
        lines.append(
            f"| {r['persons']:,} | {w['mdtrt']:,} / {w['setl']:,} / {w['fee_list']:,} | "
            + " | ".join(f"{parts.get(p, 0):.1f}" for p in WEEKLY_PARTS)
            + f" | {r['weekly_seconds']:.1f} |"
        )
    lines += [
        "",
        "| persons | weekly run (s) | DuckDB core feature query (s) | weekly / DuckDB |",
        "|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['persons']:,} | {r['weekly_seconds']:.1f} | {r['duckdb']['seconds']:.2f} | "
            f"{r['weekly_seconds'] / max(r['duckdb']['seconds'], 0.01):.0f}× |"
        )
    if len(results) >= 2:
        a, b = results[0], results[-1]
        ratio = b["weekly_seconds"] / a["weekly_seconds"]
        data = b["persons"] / a["persons"]
        pa_, pb = a["stages"]["weekly"]["parts"], b["stages"]["weekly"]["parts"]
        lines += [
            "",
            f"Scaling: weekly run time({b['persons']:,}) / time({a['persons']:,}) = **{ratio:.1f}** for "
            f"{data:.0f}× the data; inside it: "
            + ", ".join(f"{p} {pb[p] / pa_[p]:.1f}×" for p in WEEKLY_PARTS if pa_.get(p) and pb.get(p))
            + "; backfill steps: "
            + ", ".join(
                f"{s} {b['stages'][s]['seconds'] / a['stages'][s]['seconds']:.1f}×"
                for s in ("backfill", "features", "train")
            )
            + ".",
        ]
    # the hand-written part (status against the targets, what was found) survives a re-run
    notes = ""
    if out.exists() and STATUS_MARK in (old := out.read_text(encoding="utf-8")):
        notes = old[old.index(STATUS_MARK) :]
    out.write_text("\n".join(lines) + "\n\n" + (notes or STATUS_MARK + "\n"), encoding="utf-8")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument(
        "--persons",
        type=int,
        nargs="+",
        default=[100_000, 1_000_000],
        help="sizes to run; above 1,000,000 the synthetic data is a province of 1M-person prefectures",
    )
    p.add_argument("--work", type=Path, default=ROOT / "bench" / "work")
    p.add_argument(
        "--resume",
        action="store_true",
        help="go on from the steps a stopped run recorded (<work>/size_<persons>/progress.json) instead of afresh",
    )
    p.add_argument(
        "--out", type=Path, help="the page (default docs/benchmark.md; docs/benchmark_<sizes>.md for others)"
    )
    a = p.parse_args()
    default_sizes = a.persons == [100_000, 1_000_000]
    a.out = a.out or (DEFAULT_OUT if default_sizes else DEFAULT_OUT.with_name(
        "benchmark_" + "_".join(map(str, a.persons)) + ".md"))  # fmt: skip
    a.work.mkdir(parents=True, exist_ok=True)
    results = [bench_size(n, a.work, a.resume) for n in a.persons]
    # the raw figures sit beside the page: the committed ones only for the committed page
    raw = ROOT / "bench" / "results.json" if a.out == DEFAULT_OUT else a.out.with_suffix(".json")
    raw.write_text(json.dumps(results, indent=1))
    write_page(
        results,
        a.out,
        "make bench" if default_sizes else "make bench PERSONS=" + " ".join(map(str, a.persons)),
    )
    print(f"wrote {a.out}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
