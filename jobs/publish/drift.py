"""The week's drift against the week before (``models.drift``): the forest's inputs per entity type and the
risk score, read from the lake. The province's weekly report lists what moved; the drift notebook plots it.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from jobs.lake import Lake
from jobs.lake.tables import SCORES, features
from models.drift import drift_table
from models.entities import ENTITIES

SAMPLE_ROWS = 200_000  # per week and entity type: PSI on deciles needs no more


def previous_week(lake: Lake, name: str, as_of: dt.date) -> dt.date | None:
    """The newest ``as_of`` partition of a weekly table before ``as_of`` (from the Delta log, no data read)."""
    if not lake.exists(name):
        return None
    weeks = {dt.date.fromisoformat(p["as_of"]) for p in lake.table(name).partitions() if p.get("as_of")}
    earlier = [w for w in weeks if w < as_of]
    return max(earlier) if earlier else None


def _week(spark, lake: Lake, name: str, week: dt.date, columns: list[str], where=None) -> pd.DataFrame:
    from pyspark.sql import functions as F

    df = lake.read_as_of(spark, name, week)
    if where is not None:
        df = df.filter(where)
    n = df.count()
    if n > SAMPLE_ROWS:
        df = df.sample(fraction=SAMPLE_ROWS / n, seed=7)
    return df.select(*[F.col(c).cast("double") for c in columns]).toPandas()


def week_drift(spark, lake: Lake, as_of: dt.date) -> pd.DataFrame:
    """entity_type, column, psi, median_before, median_now, level (``models.drift.drift_table``) of every
    feature of the forest and of ``risk_score``, ``as_of`` against the week before; empty in a first week."""
    from pyspark.sql import functions as F

    frames = []
    for entity in ENTITIES.values():
        name = features(entity.entity_type)
        before = previous_week(lake, name, as_of)
        if before is None:
            continue
        cols = list(entity.features)
        table = drift_table(
            _week(spark, lake, name, before, cols), _week(spark, lake, name, as_of, cols), cols
        )
        if previous_week(lake, SCORES, as_of) == before:
            mine = F.col("entity_type") == entity.entity_type
            table = pd.concat(
                [
                    drift_table(
                        _week(spark, lake, SCORES, before, ["risk_score"], mine),
                        _week(spark, lake, SCORES, as_of, ["risk_score"], mine),
                        ["risk_score"],
                    ),
                    table,
                ],
                ignore_index=True,
            )
        frames.append(table.assign(entity_type=entity.entity_type, before=before))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
