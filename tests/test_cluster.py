"""The weekly job on a real standalone Spark cluster (master + 2 workers on loopback) via spark-submit.

Scores computed on the cluster must equal the local-mode scores of the same lake and week.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from jobs.lake import Lake
from jobs.packaging import ROOT, build_pyfiles

pytestmark = [pytest.mark.cluster, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def cluster(tmp_path):
    import pyspark

    spark_home = Path(pyspark.__file__).parent
    env = dict(
        os.environ,
        SPARK_HOME=str(spark_home),
        SPARK_LOCAL_IP="127.0.0.1",
        PYSPARK_PYTHON=sys.executable,
        SPARK_LOG_DIR=str(tmp_path / "logs"),
        SPARK_WORKER_DIR=str(tmp_path / "work"),
    )
    port, ui = _free_port(), _free_port()
    url = f"spark://127.0.0.1:{port}"
    cls = str(spark_home / "bin" / "spark-class")
    procs = [
        subprocess.Popen(
            [
                cls,
                "org.apache.spark.deploy.master.Master",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--webui-port",
                str(ui),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    ]
    for _ in range(2):
        procs.append(
            subprocess.Popen(
                [
                    cls,
                    "org.apache.spark.deploy.worker.Worker",
                    url,
                    "--host",
                    "127.0.0.1",
                    "--cores",
                    "1",
                    "--memory",
                    "2g",
                    "--webui-port",
                    str(_free_port()),
                ],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
    try:
        deadline = time.time() + 120
        alive = 0
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{ui}/json/", timeout=2) as r:
                    alive = json.load(r).get("aliveworkers", 0)
            except (OSError, ValueError):  # not listening yet, or an empty page while starting
                alive = 0
            if alive == 2:
                break
            time.sleep(1)
        assert alive == 2, "the standalone cluster did not come up with 2 workers"
        yield url, env
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


def test_weekly_job_on_a_cluster_matches_local_mode(demo, cluster, tmp_path):
    url, env = cluster
    _, local_lake_dir, as_of = demo
    lake_dir = tmp_path / "lake"
    shutil.copytree(local_lake_dir, lake_dir)
    pyfiles = build_pyfiles(tmp_path / "fundwatch-pyfiles.zip")
    submit = Path(env["SPARK_HOME"]) / "bin" / "spark-submit"
    cmd = [
        str(submit),
        "--master",
        url,
        "--deploy-mode",
        "client",
        "--py-files",
        str(pyfiles),
        "--conf",
        f"spark.pyspark.python={sys.executable}",
        "--conf",
        "spark.executor.memory=1g",
        "--conf",
        "spark.sql.shuffle.partitions=4",
        str(ROOT / "jobs" / "cli.py"),
        "weekly",
        "--lake",
        str(lake_dir),
        "--as-of",
        str(as_of),
    ]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1200, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "publish done" in proc.stdout + proc.stderr  # progress is visible under spark-submit
    cols = ["entity_type", "entity_id", "risk_score", "rank"]
    local = Lake(local_lake_dir).read_arrow("gold/entity_scores", columns=cols).to_pandas()
    remote = Lake(lake_dir).read_arrow("gold/entity_scores", columns=cols).to_pandas()
    merged = local.merge(remote, on=["entity_type", "entity_id"], suffixes=("_local", "_cluster"))
    assert len(merged) == len(local) == len(remote)
    assert (merged.risk_score_local - merged.risk_score_cluster).abs().max() < 1e-9
    assert (merged.rank_local == merged.rank_cluster).all()
    # the cluster really ran the job (the scores table was rewritten there)
    assert Lake(lake_dir).version("gold/entity_scores") > Lake(local_lake_dir).version("gold/entity_scores")
