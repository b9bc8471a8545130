"""`make bench`: wall time, throughput and peak memory per stage at 100k and 1M persons.

Each stage runs as its own `fundwatch` process on a fresh lake; a sampler records the peak resident memory
of the Python driver and of its JVM (in local mode the JVM hosts Spark's driver and executors). The
reference is DuckDB running the core per-person and per-institution feature query over the same landing
files. Results go to docs/benchmark.md (and bench/results.json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / "cache"
STAGES = ["ingest", "features", "train", "score", "publish"]
STATUS_MARK = "<!-- written by hand below this line; bench.py keeps it -->"
WEEKLY = ["ingest", "features", "score", "publish"]


class Peak(threading.Thread):
    """Samples the RSS of a process tree: the Python driver and the (Java) rest, separately."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.py, self.jvm, self.stop = pid, 0, 0, threading.Event()

    def run(self):
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self.stop.is_set():
            try:
                self.py = max(self.py, root.memory_info().rss)
                jvm = sum(c.memory_info().rss for c in root.children(recursive=True) if "java" in c.name())
                self.jvm = max(self.jvm, jvm)
            except psutil.Error:
                pass
            time.sleep(0.25)


def run_stage(args: list[str], log: Path) -> dict:
    env = dict(os.environ, GX_ANALYTICS_ENABLED="false", SPARK_LOCAL_IP="127.0.0.1")
    t0 = time.time()
    with log.open("w") as fh:
        proc = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "fundwatch"), *args],
            stdout=fh,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=ROOT,
        )
        peak = Peak(proc.pid)
        peak.start()
        rc = proc.wait()
        peak.stop.set()
        peak.join()
    if rc != 0:
        raise SystemExit(f"fundwatch {' '.join(args)} failed (rc {rc}); see {log}")
    return {
        "seconds": round(time.time() - t0, 1),
        "py_rss_mb": round(peak.py / 2**20),
        "jvm_rss_mb": round(peak.jvm / 2**20),
    }


def landing_rows(landing: Path) -> dict[str, int]:
    import pyarrow.parquet as pq

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


def cached_landing(persons: int, seed: int = 7) -> Path:
    """The synthetic landing for ``persons`` under bench/cache, regenerated when the generator changed."""
    from jobs.generate import is_current

    landing = CACHE / f"landing_{persons}"
    if not is_current(landing, persons, seed):
        shutil.rmtree(landing, ignore_errors=True)
        t0 = time.time()
        subprocess.run(
            [str(ROOT / ".venv" / "bin" / "fundwatch"), "generate", "--out", str(landing),
             "--persons", str(persons), "--seed", str(seed)],
            check=True,
            cwd=ROOT,
        )  # fmt: skip
        print(f"generated {persons} persons in {time.time() - t0:.0f}s", flush=True)
    return landing


def bench_size(persons: int, work: Path) -> dict:
    landing = cached_landing(persons)
    rows = landing_rows(landing)
    lake = work / f"lake_{persons}"
    shutil.rmtree(lake, ignore_errors=True)
    result = {"persons": persons, "rows": rows, "stages": {}}
    for stage in STAGES:
        args = [stage, "--lake", str(lake)]
        if stage == "ingest":
            args += ["--landing", str(landing)]
        if stage == "train":
            args += ["--labels", str(landing / "labels.csv"), "--promote"]
        r = run_stage(args, work / f"{persons}_{stage}.log")
        result["stages"][stage] = r
        print(
            f"{persons:>9,d} persons  {stage:9s} {r['seconds']:8.1f}s  py {r['py_rss_mb']:>5d} MB  "
            f"jvm {r['jvm_rss_mb']:>5d} MB",
            flush=True,
        )
    result["weekly_seconds"] = round(sum(result["stages"][s]["seconds"] for s in WEEKLY), 1)
    result["duckdb"] = duckdb_reference(landing)
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
        f"Produced by `{command}` on "
        f"{time.strftime('%Y-%m-%d')}; raw figures in `bench/results.json`. Each stage is a separate "
        "`fundwatch` process on a fresh lake (so every figure includes ~8 s of Spark start-up); memory is the "
        "peak resident set of the Python driver and of its JVM (local mode: Spark driver and executors).",
        "",
    ]
    lines += [
        "| persons | settlements | fee lines | stage | wall s | rows/s | driver py MB | JVM MB |",
        "|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in results:
        n_rows = sum(r["rows"].values())
        for stage, s in r["stages"].items():
            lines.append(
                f"| {r['persons']:,} | {r['rows']['setl']:,} | {r['rows']['fee_list']:,} | {stage} | "
                f"{s['seconds']:.1f} | {n_rows / s['seconds']:,.0f} | {s['py_rss_mb']:,} | {s['jvm_rss_mb']:,} |"
            )
    lines += [
        "",
        "| persons | weekly run (ingest→publish, s) | DuckDB core feature query (s) | weekly / DuckDB |",
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
        lines += [
            "",
            f"Scaling: weekly run time({b['persons']:,}) / time({a['persons']:,}) = **{ratio:.1f}** for "
            f"{data:.0f}× the data; per stage: "
            + ", ".join(f"{s} {b['stages'][s]['seconds'] / a['stages'][s]['seconds']:.1f}×" for s in STAGES)
            + ".",
        ]
    # the hand-written part (status against the targets, what was found) survives a re-run
    notes = ""
    if out.exists() and STATUS_MARK in (old := out.read_text(encoding="utf-8")):
        notes = old[old.index(STATUS_MARK) :]
    out.write_text("\n".join(lines) + "\n\n" + (notes or STATUS_MARK + "\n"), encoding="utf-8")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--persons", type=int, nargs="+", default=[100_000, 1_000_000])
    p.add_argument("--work", type=Path, default=ROOT / "bench" / "work")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "benchmark.md")
    a = p.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    results = [bench_size(n, a.work) for n in a.persons]
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=1))
    write_page(
        results,
        a.out,
        "make bench"
        if a.persons == [100_000, 1_000_000]
        else "python bench/bench.py --persons " + " ".join(map(str, a.persons)),
    )
    print(f"wrote {a.out}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
