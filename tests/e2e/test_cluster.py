"""The weekly job on a real standalone Spark cluster (master + 2 workers on loopback) via spark-submit.

Scores computed on the cluster must equal the local-mode scores of the same lake and week.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from jobs.lake import Lake
from jobs.runtime.packaging import ROOT, build_pyfiles
from jobs.runtime.standalone import spark_submit, standalone_cluster

pytestmark = [pytest.mark.cluster, pytest.mark.slow]


@pytest.fixture()
def cluster(tmp_path):
    with standalone_cluster(tmp_path / "spark", workers=2, cores=1, memory="2g") as (url, env):
        yield url, env


def test_weekly_job_on_a_cluster_matches_local_mode(demo, cluster, tmp_path):
    url, env = cluster
    _, local_lake_dir, as_of = demo
    lake_dir = tmp_path / "lake"
    shutil.copytree(local_lake_dir, lake_dir)
    pyfiles = build_pyfiles(tmp_path / "fundwatch-pyfiles.zip")
    cmd = [
        spark_submit(env),
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
