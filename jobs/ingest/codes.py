"""The code ledger (``silver/code_sales``): one row per drug traceability code on a fee line (issue #20).

Kept like silver itself: the fee lines silver/fee_list appended since the ledger was last brought up to date
are exploded and appended (a weekly delivery costs its own codes, not the year's); a rebuilt silver/fee_list,
or a ledger of unknown state, rebuilds it. Returns and repeats are netted where the ledger is read
(``features.trace.resales``): the ledger keeps every code as landed, malformed ones included.
"""

from __future__ import annotations

import logging

from features.trace import code_sales
from jobs.ingest.rows import BROADCAST_KEYS
from jobs.lake import Lake
from jobs.lake.tables import CODE_SALES, silver

log = logging.getLogger(__name__)


def update_code_sales(spark, lake: Lake) -> int | None:
    """Bring ``silver/code_sales`` up to date with silver/fee_list; the number of rows appended or written
    (None when it was up to date, or there are no fee lines yet)."""
    from pyspark.sql import functions as F

    fees, visits = silver("fee_list"), silver("mdtrt")
    if not lake.exists(fees) or not lake.exists(visits):
        return None
    version = lake.data_version(fees)
    synced = lake.synced_to(CODE_SALES, "fee_list_version") if lake.exists(CODE_SALES) else None
    if synced == str(version):
        return None
    meta = {"stage": "silver", "fee_list_version": version}
    mdtrt = lake.read(spark, visits)
    increment = lake.appended_since(fees, None if synced is None else int(synced))
    if increment is not None:
        files, n_new = increment
        lines, mode = lake.read_files(spark, fees, files), "append"
        if (
            n_new is not None and n_new <= BROADCAST_KEYS
        ):  # a week's lines: look their visits up, not the year
            ids = lines.select("mdtrt_id").distinct()
            mdtrt = mdtrt.join(F.broadcast(ids), "mdtrt_id", "left_semi")
    else:
        lines, mode = lake.read(spark, fees), "overwrite"
    rows = code_sales(lines, mdtrt).persist()
    n = rows.count()
    lake.write(rows, CODE_SALES, mode=mode, metadata=meta)
    rows.unpersist()
    log.info("code ledger: %s %d code sale(s)", "appended" if mode == "append" else "rebuilt with", n)
    return n
