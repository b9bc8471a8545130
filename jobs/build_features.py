"""Features job: silver → gold/features_psn and gold/features_fixmedins for one as-of date."""

from __future__ import annotations

import datetime as dt
import logging

from features.fixmedins import fixmedins_features
from features.psn import psn_features
from features.windows import window_inputs
from jobs.lake import Lake, LakeError
from jobs.lake.tables import FEATURES_FIXMEDINS, FEATURES_PSN, VISIT, silver
from jobs.runtime.settings import Settings

log = logging.getLogger(__name__)


def latest_settlement_date(spark, lake: Lake) -> dt.date:
    from pyspark.sql import functions as F

    if not lake.exists(silver("setl")):
        raise LakeError("no settlements in the lake yet: run `fundwatch ingest --landing DIR` first")
    value = lake.read(spark, silver("setl")).agg(F.max("setl_time")).first()[0]
    if value is None:
        raise LakeError("silver/setl is empty: nothing to report on")
    return value.date()


def run(spark, settings: Settings, as_of: dt.date) -> dict[str, int]:
    lake = Lake(settings.lake)
    for t in ("psn", "fixmedins", "visit", "fee_list"):
        if not lake.exists(silver(t)):
            raise LakeError(f"silver/{t} is missing: ingest a delivery with the {t} table first")
    psn = lake.read(spark, silver("psn"))
    fix = lake.read(spark, silver("fixmedins"))
    visits = lake.read(spark, VISIT)
    fees = lake.read(spark, silver("fee_list"))
    # optional tables: a delivery without them has nobody registered / no deaths known
    opsp = lake.read(spark, silver("opsp_reg")) if lake.exists(silver("opsp_reg")) else None
    death = lake.read(spark, silver("psn_death")) if lake.exists(silver("psn_death")) else None
    f = settings.features
    # the window's visits, stays and fee lines are read by both feature sets: build them once, keep them
    inputs = window_inputs(visits, fees, psn, as_of, f.window_days, f.co_adm_tolerance_days).persist()
    out = {
        FEATURES_PSN: psn_features(
            psn, visits, fees, as_of, f.window_days, f.readmit_days, opsp, death, inputs=inputs
        ),
        FEATURES_FIXMEDINS: fixmedins_features(
            fix,
            psn,
            visits,
            fees,
            as_of,
            f.window_days,
            inputs=inputs,
            swipe_tolerance_minutes=f.swipe_tolerance_minutes,
        ),
    }
    counts = {}
    for name, df in out.items():
        lake.write(
            df,
            name,
            mode="overwrite",
            partition_by=["as_of"],
            replace=[("as_of", "=", as_of.isoformat())],
            metadata={"stage": "features", "as_of": as_of.isoformat()},
        )
        counts[name] = lake.table(name).count()
        log.info("wrote %s for as_of %s", name, as_of)
    inputs.unpersist()
    return counts
