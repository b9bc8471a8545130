"""A real standalone Spark cluster on loopback, from the pip-installed Spark: a master and its workers.

For trying the cluster path on one machine, the cluster test and the cluster benchmark. Production clusters
are started by their own tooling; the jobs only need their ``spark://`` URL (README, "On a Spark cluster").

    with standalone_cluster(tmp / "spark", workers=2, cores=1, memory="2g") as (url, env):
        subprocess.run([spark_submit(env), "--master", url, ...], env=env)
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def spark_submit(env: dict[str, str]) -> str:
    return str(Path(env["SPARK_HOME"]) / "bin" / "spark-submit")


@contextlib.contextmanager
def standalone_cluster(
    folder: Path, workers: int = 2, cores: int = 1, memory: str = "2g", timeout: float = 120
) -> Iterator[tuple[str, dict[str, str]]]:
    """Start a master and ``workers`` workers (``cores`` and ``memory`` each) on 127.0.0.1; yield the master
    URL and the environment to run ``spark-submit`` with; stop them all on exit. Logs go under ``folder``."""
    home = spark_home()
    env = dict(
        os.environ,
        SPARK_HOME=str(home),
        SPARK_LOCAL_IP="127.0.0.1",
        PYSPARK_PYTHON=sys.executable,
        SPARK_LOG_DIR=str(folder / "logs"),
        SPARK_WORKER_DIR=str(folder / "work"),
    )
    port, ui = _free_port(), _free_port()
    url = f"spark://127.0.0.1:{port}"
    cls = str(home / "bin" / "spark-class")

    def start(*args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [cls, *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    master = ["org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port)]
    procs = [start(*master, "--webui-port", str(ui))]
    worker = ["org.apache.spark.deploy.worker.Worker", url, "--host", "127.0.0.1"]
    for _ in range(workers):
        procs.append(
            start(*worker, "--cores", str(cores), "--memory", memory, "--webui-port", str(_free_port()))
        )
    try:
        deadline, alive = time.time() + timeout, 0
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{ui}/json/", timeout=2) as r:
                    alive = json.load(r).get("aliveworkers", 0)
            except (OSError, ValueError):  # not listening yet, or an empty page while starting
                alive = 0
            if alive == workers:
                break
            time.sleep(1)
        if alive != workers:
            raise RuntimeError(
                f"the standalone cluster did not come up with {workers} workers ({alive} alive)"
            )
        yield url, env
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
