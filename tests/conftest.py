"""Shared fixtures: one Spark session for the whole test run (conventions.md #5)."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")


@pytest.fixture(scope="session")
def spark():
    from jobs.runtime.spark import get_spark

    session = get_spark(
        "local[2]",
        app_name="fundwatch-tests",
        extra_conf={
            "spark.sql.shuffle.partitions": "2",
            "spark.default.parallelism": "2",
            # One psn_features query plans to ~1 GB of live Catalyst trees and needs more at its peak: a 2 GB
            # heap ran out in CI (test_features, Java heap space). 4 GB is the local default of jobs/runtime/spark.
            "spark.driver.memory": "4g",
        },
    )
    yield session
    session.stop()


@pytest.fixture()
def lake(tmp_path):
    from jobs.lake import Lake

    return Lake(tmp_path / "lake")


@pytest.fixture(scope="session")
def demo(tmp_path_factory, spark):
    """A small generated prefecture run once through the whole pipeline: (landing, lake, as_of)."""
    from jobs.cli import main
    from jobs.synthetic import generate

    root = tmp_path_factory.mktemp("demo")
    landing, lake = root / "landing", root / "lake"
    generate(landing, persons=2500, seed=11)
    assert main(["run", "--landing", str(landing), "--lake", str(lake)]) == 0
    from jobs.lake import Lake

    as_of = Lake(lake).read_arrow("gold/entity_scores", columns=["as_of"]).column("as_of")[0].as_py()
    return landing, lake, as_of
