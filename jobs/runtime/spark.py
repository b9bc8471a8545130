"""The one place a Spark session is made.

Local Spark (``local[2]``) is the default. Under ``spark-submit`` the master and resources come from
spark-submit and are not overridden here, so the same job code runs on a cluster unchanged.
"""

from __future__ import annotations

import os
import sys

from pyspark.sql import SparkSession

# Settings every fundwatch session needs, whatever the master. Why each one:
BASE_CONF: dict[str, str] = {
    # Times in the contract are local wall-clock times without a zone: keep them as they are.
    "spark.sql.session.timeZone": "UTC",
    # delta-rs reads the parquet files Spark writes; micros is the Delta timestamp unit.
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    # Partition values like month=2024-01 or admdvs=130322 must stay strings.
    "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    # Chinese extracts come in GBK/GB18030; Spark 4 only allows the UTF/ISO charsets without this.
    "spark.sql.legacy.javaCharsets": "true",
    "spark.sql.adaptive.enabled": "true",
    "spark.ui.showConsoleProgress": "false",
}

LOCAL_CONF: dict[str, str] = {
    "spark.default.parallelism": "4",
    "spark.driver.memory": "4g",
    "spark.ui.enabled": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
}


def launched_by_spark_submit() -> bool:
    """True when this Python process was started by spark-submit (which owns master and resources)."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def get_spark(
    master: str | None = None, app_name: str = "fundwatch", extra_conf: dict | None = None
) -> SparkSession:
    """Return the process-wide Spark session, creating it on first use.

    Args:
        master: Spark master URL. ``None`` means ``local[2]`` unless launched by spark-submit.
        app_name: Spark application name.
        extra_conf: Additional Spark settings (applied on creation only).

    The master and the shuffle partitions come from ``Settings.spark`` (``load_settings``, which also reads
    ``FUNDWATCH_SPARK_MASTER``); callers without settings get its defaults.
    """
    from jobs.runtime.settings import SparkSettings

    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    # Python workers must use this interpreter (the venv), not whatever python3 is on the PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = SparkSession.builder.appName(app_name)
    conf = dict(BASE_CONF) | {"spark.sql.shuffle.partitions": str(SparkSettings().shuffle_partitions)}
    if not launched_by_spark_submit():
        master = master or "local[2]"
        builder = builder.master(master)
        if master.startswith("local"):
            conf.update(LOCAL_CONF)
    conf.update(extra_conf or {})
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
