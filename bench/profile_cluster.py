"""The weekly job (features, score, publish) on a loopback standalone cluster, with the driver's memory apart.

    .venv/bin/python bench/profile_cluster.py LAKE AS_OF [--driver-memory 1g] [--executor-memory 8g]

Starts a master and two workers of one core each (``jobs.runtime.standalone``), runs ``spark-submit jobs/cli.py
weekly`` in client mode on LAKE (it writes that week's gold partitions: use a copy of a benchmark lake), and
samples the resident memory of the driver (the spark-submit JVM and the Python process it starts) apart
from the executors'. In local mode one JVM is driver and executors at once; here the driver's figure is
what collecting to the driver would inflate.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))  # `bench` is bench/bench.py, as in bench/detection.py


def main(argv: list[str]) -> int:
    from bench import sampled
    from jobs.runtime.packaging import build_pyfiles
    from jobs.runtime.standalone import spark_submit, standalone_cluster

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("lake", type=Path)
    p.add_argument("as_of")
    p.add_argument("--driver-memory", default="1g")
    p.add_argument("--executor-memory", default="8g")
    a = p.parse_args(argv)
    work = a.lake.parent / f"{a.lake.name}_cluster"
    work.mkdir(exist_ok=True)
    pyfiles = build_pyfiles(work / "fundwatch-pyfiles.zip")
    worker_memory = f"{int(a.executor_memory.rstrip('g')) + 1}g"
    with standalone_cluster(work / "spark", workers=2, cores=1, memory=worker_memory) as (url, env):
        cmd = [
            spark_submit(env), "--master", url, "--deploy-mode", "client", "--py-files", str(pyfiles),
            "--driver-memory", a.driver_memory, "--conf", f"spark.executor.memory={a.executor_memory}",
            "--conf", f"spark.pyspark.python={sys.executable}",
            str(ROOT / "jobs" / "cli.py"), "weekly", "--lake", str(a.lake), "--as-of", a.as_of,
        ]  # fmt: skip
        log = work / "weekly.log"
        # the spark-submit JVM is the driver; the Python driver is its child; executors are the workers'
        rc, wall, peak = sampled(
            cmd, log, env, work, children="python", others="CoarseGrainedExecutorBackend"
        )
    if rc != 0:
        print(f"spark-submit failed (rc {rc}); see {log}")
        return 1
    mb = 2**20
    print(
        f"weekly on 2 workers x 1 core: {wall:.1f}s; driver JVM ({a.driver_memory} heap) peak "
        f"{peak.root // mb} MB, driver Python {peak.kids // mb} MB, "
        f"executors together {peak.rest // mb} MB (log {log})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
