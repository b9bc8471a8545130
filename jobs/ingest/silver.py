"""Silver: the newest version of every row of bronze, kept incrementally (appends, or a rebuild where a
correction arrived), and silver/visit joined from mdtrt and setl."""

from __future__ import annotations

import logging

from jobs.ingest.codes import update_code_sales
from jobs.ingest.contract import TABLES
from jobs.ingest.orphans import check_orphans
from jobs.ingest.rows import BROADCAST_KEYS, has_repeated_keys
from jobs.lake import Lake
from jobs.lake.tables import CHANGED_IN, VISIT

log = logging.getLogger(__name__)

# A batch (or a silver increment) of at most this many keys is looked up in the lake by broadcasting its keys:


def _one_batch(lake: Lake, name: str) -> bool:
    """True when the table's rows were all written by one ingest batch (one WRITE commit with a batch id)."""
    writes = [c for c in lake.table(name).history() if c.get("operation") == "WRITE"]
    return len(writes) == 1 and "fundwatch.batch_id" in writes[0]


def _any_key_in(rows, table, key: tuple[str, ...], small: bool = False) -> bool:
    """True when some key of ``rows`` is already in ``table``; ``small`` rows are broadcast (``table`` is then
    scanned, not shuffled)."""
    from pyspark.sql import functions as F

    keys = rows.select(*key)
    return (
        table.select(*key).join(F.broadcast(keys) if small else keys, list(key), "left_semi").limit(1).count()
        > 0
    )


def build_silver(spark, lake: Lake) -> dict[str, int]:
    """Bring silver up to date with bronze: the newest version of every key, contract columns only; plus
    silver/visit (settlements netted into visits).

    Incremental where it can be: each silver table records the bronze version it reflects. A batch whose keys
    are all new is appended (a weekly delivery costs the week, not the lake: the new rows are read from the
    files the batch added, and looked up in silver by broadcasting their keys); a batch correcting earlier
    keys, or a table whose state is unknown, rebuilds the table from bronze. silver/visit likewise appends the
    visits of new ``mdtrt_id``s and is rebuilt when a batch touches a visit it already holds (a late
    settlement or a refund of an earlier visit). Re-running after a crash finishes what is missing, the
    orphan check included.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    appended, rebuilt = {}, set()
    before = {n: lake.data_version(f"silver/{n}") for n in ("mdtrt", "setl")}
    for table in TABLES.values():
        name, target = f"bronze/{table.name}", f"silver/{table.name}"
        if not lake.exists(name):
            continue
        version = lake.data_version(name)
        synced = lake.synced_to(target, "bronze_version")
        if synced == str(version):
            continue
        meta = {"stage": "silver", "bronze_version": version}
        increment = lake.appended_since(name, None if synced is None else int(synced))
        if increment is not None:
            files, n_new = increment
            new = lake.read_files(spark, name, files).select(*table.column_names)
            small = n_new is not None and n_new <= BROADCAST_KEYS
            if not _any_key_in(new, lake.read(spark, target), table.key, small):
                lake.write(new, target, mode="append", metadata=meta)
                appended[table.name] = (new, n_new)
                continue
        bronze = lake.read(spark, name)
        # one batch never repeats a key (ingest resolved them); later batches may correct earlier rows
        if not _one_batch(lake, name) and has_repeated_keys(bronze, table.key):
            # corrections exist: take the newest version of each key
            w = Window.partitionBy(*table.key).orderBy(F.col("_ingested_at").desc(), F.col("_row_hash"))
            bronze = bronze.withColumn("_n", F.row_number().over(w)).filter("_n = 1")
        lake.write(bronze.select(*table.column_names), target, mode="overwrite", metadata=meta)
        rebuilt.add(table.name)
    if lake.exists("silver/mdtrt") and lake.exists("silver/setl"):
        _update_visits(spark, lake, before, appended, rebuilt)
    check_orphans(spark, lake)  # a no-op when silver did not change since the last check
    update_code_sales(spark, lake)  # the code ledger follows silver/fee_list (a no-op when it does)
    if not (appended or rebuilt):
        return {}
    return {name: lake.table(name).count() for name in lake.tables() if name.startswith("silver/")}


def _update_visits(spark, lake: Lake, before: dict, appended: dict, rebuilt: set) -> None:
    """silver/visit from silver mdtrt and setl: append new visits or rebuild (see ``build_silver``)."""
    from pyspark.sql import functions as F

    from features.visits import net_visits as net

    inputs = {n: lake.data_version(f"silver/{n}") for n in ("mdtrt", "setl")}
    label = ",".join(f"{n}:{v}" for n, v in inputs.items())
    synced = lake.synced_to("silver/visit", "inputs")
    if synced == label:
        return
    meta = {"stage": "silver", "inputs": label}
    mdtrt, setl = lake.read(spark, "silver/mdtrt"), lake.read(spark, "silver/setl")
    was = ",".join(f"{n}:{v}" for n, v in before.items())
    stamped = lake.exists(VISIT) and CHANGED_IN in lake.read(spark, VISIT).columns
    # every row this commit writes carries its version: the features of the next week recompute the people
    # whose visits changed since the version they last read (``jobs.build_features.touched_people``)
    version = lake.version(VISIT)

    def net_visits(m, s):
        return net(m, s).withColumn(CHANGED_IN, F.lit(0 if version is None else version + 1).cast("long"))

    if synced == was and stamped and not ({"mdtrt", "setl"} & rebuilt):
        # only appends since the visits were built: new visits unless a batch touched one already there
        ids = [appended[n][0].select("mdtrt_id") for n in ("mdtrt", "setl") if n in appended]
        sizes = [appended[n][1] for n in ("mdtrt", "setl") if n in appended]
        small = None not in sizes and sum(sizes) <= BROADCAST_KEYS
        touched = ids[0] if len(ids) == 1 else ids[0].unionByName(ids[1])
        touched = touched.filter(F.col("mdtrt_id").isNotNull()).distinct()
        if not _any_key_in(touched, lake.read(spark, "silver/visit"), ("mdtrt_id",), small):
            # every silver row of a visit not yet in silver/visit came in these appends: net them alone
            part = {
                n: appended[n][0] if n in appended else lake.read_files(spark, f"silver/{n}", [])
                for n in ("mdtrt", "setl")
            }
            lake.write(net_visits(part["mdtrt"], part["setl"]), "silver/visit", mode="append", metadata=meta)
            return
        if small:
            # some appends touch visits already netted (a stay settled the week after its admission, a refund
            # of an earlier week): net the touched visits again from all their rows, and merge them in
            ids = F.broadcast(touched)
            again = net_visits(
                mdtrt.join(ids, "mdtrt_id", "left_semi"), setl.join(ids, "mdtrt_id", "left_semi")
            )
            lake.upsert(again, "silver/visit", "mdtrt_id", metadata=meta)
            return
    # rebuilt: every row is new to the features, and a table written before the stamp existed gets it
    lake.write(net_visits(mdtrt, setl), "silver/visit", mode="overwrite", metadata=meta)
