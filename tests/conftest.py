"""Shared fixtures: one Spark session for the whole test run (conventions.md #5)."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")


@pytest.fixture(scope="session")
def spark():
    from jobs.spark import get_spark

    session = get_spark(
        "local[2]",
        app_name="fundwatch-tests",
        extra_conf={"spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2", "spark.driver.memory": "2g"},
    )
    yield session
    session.stop()


@pytest.fixture()
def lake(tmp_path):
    from jobs.lake import Lake

    return Lake(tmp_path / "lake")
