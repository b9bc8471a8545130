"""Lake upkeep: compaction and vacuum change files, never rows, and never make the next ingest start over."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from jobs.ingest import ingest_landing
from jobs.lake import Lake
from jobs.lake.tables import ORPHANS

pytestmark = pytest.mark.spark

PSN = "psn_no,certno,psn_name,gend,brdy,insutype,insuplc_admdvs"
MDTRT = "mdtrt_id,psn_no,fixmedins_code,med_type,begntime,endtime,dise_codg"
SETL = (
    "setl_id,mdtrt_id,psn_no,fixmedins_code,med_type,setl_time,medfee_sumamt,hifp_pay,fund_pay_sumamt,"
    "refd_setl_flag"
)


def _deliver(landing: Path, week: int) -> None:
    """One weekly delivery: a new person, their admission and its settlement (week 2: a settlement whose
    visit never arrives)."""
    day = f"2025-01-{7 * week:02d}"
    files = {
        "psn": f"{PSN}\nP{week},11010119900101{week:04d},张{week},1,1990-01-01,310,130322\n",
        "mdtrt": f"{MDTRT}\nM{week},P{week},H1,21,{day} 08:00,{day} 18:00,J18.900\n",
        "setl": f"{SETL}\nS{week},M{week},P{week},H1,21,{day} 19:00,1000,700,700,0\n"
        + (f"S99,M99,P{week},H1,11,{day} 11:00,200,100,100,0\n" if week == 2 else ""),
    }
    for table, text in files.items():
        path = landing / table / f"{table}_w{week}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _rows(spark, lake: Lake, name: str) -> list:
    """The table's rows without what differs between lakes holding the same data: when and in which batch or
    table version a row was written."""
    df = lake.read(spark, name).drop("_ingested_at", "_batch_id", "_changed_in")
    return sorted(tuple(r) for r in df.collect())


def _newest_data_write(lake: Lake, name: str) -> str:
    commit = lake.last_data_commit(name)
    return f"{commit['operation']}/{(commit.get('operationParameters') or {}).get('mode')}"


def test_vacuum_removes_the_files_of_a_write_that_never_committed_once_they_are_old(spark, lake):
    lake.write(spark.createDataFrame([("k1", 1)], "k string, v int"), "t/crash")
    table = lake.path("t/crash")
    (committed,) = [p for p in table.glob("*.parquet")]
    stray = table / "part-00000-never-committed.c000.snappy.parquet"  # moved in, then the driver died
    stray.write_bytes(committed.read_bytes())
    young = table / "part-00001-still-being-written.c000.snappy.parquet"
    young.write_bytes(committed.read_bytes())
    old = time.time() - 3 * 3600
    os.utime(stray, (old, old))
    removed = lake.vacuum("t/crash", 1)
    assert not stray.exists() and young.exists() and committed.exists()
    assert any("never-committed" in r for r in removed)
    assert [r.k for r in lake.read(spark, "t/crash").collect()] == ["k1"]


def test_compaction_is_invisible_to_data_versions_and_increments(spark, lake):
    schema = "k string, v int"
    for i in range(4):
        lake.write(spark.createDataFrame([(f"k{i}", i)], schema), "t/x")
    synced = lake.data_version("t/x")
    lake.compact("t/x", 1 << 20)
    lake.vacuum("t/x", 0)
    assert len(lake.table("t/x").file_uris()) == 1
    assert lake.data_version("t/x") == synced < lake.version("t/x")  # three commits, no new rows
    assert sorted(r.k for r in lake.read(spark, "t/x").collect()) == ["k0", "k1", "k2", "k3"]
    assert lake.appended_since("t/x", synced) == ([], 0)
    lake.write(spark.createDataFrame([("k9", 9)], schema), "t/x")
    files, n = lake.appended_since("t/x", synced)
    assert n == 1 and [r.k for r in lake.read_files(spark, "t/x", files).collect()] == ["k9"]
    # rows appended, then compacted before the reader saw them: the increment cannot be told apart
    lake.compact("t/x", 1 << 20)
    assert lake.appended_since("t/x", synced) is None


def test_maintain_compacts_vacuums_and_the_next_ingest_stays_incremental(spark, tmp_path):
    from jobs.cli import main

    landing, lake = tmp_path / "landing", Lake(tmp_path / "lake")
    for week in (1, 2, 3):
        _deliver(landing, week)
        ingest_landing(spark, lake, landing, validate_with_gx=False)
    bronze_files = len(lake.table("bronze/psn").file_uris())
    assert bronze_files >= 3
    leftover, fresh = (lake.path("bronze/mdtrt") / "_staging" / n for n in ("killed", "running"))
    for folder in (leftover, fresh):
        folder.mkdir(parents=True)
        (folder / "part-0.parquet").write_bytes(b"half a file")
    two_hours_ago = time.time() - 7200
    os.utime(leftover, (two_hours_ago, two_hours_ago))
    config = tmp_path / "maintain.toml"
    config.write_text(
        "[maintain]\nmin_small_files = 2\nvacuum_retention_hours = 0\nstaging_hours = 1\n", encoding="utf-8"
    )
    before = {name: _rows(spark, lake, name) for name in ("silver/psn", "silver/visit")}

    assert main(["maintain", "--lake", str(lake.root), "--config", str(config)]) == 0

    assert len(lake.table("bronze/psn").file_uris()) == 1
    assert lake.table("bronze/psn").history(3)[-1]["operation"] == "OPTIMIZE"
    # the compacted-away files are deleted: what is on disk is what the table references
    on_disk = sorted(p.name for p in lake.path("bronze/psn").glob("*.parquet"))
    assert on_disk == sorted(Path(u).name for u in lake.table("bronze/psn").file_uris())
    assert not leftover.exists() and fresh.exists()
    assert {name: _rows(spark, lake, name) for name in before} == before

    _deliver(landing, 4)
    ingest_landing(spark, lake, landing, validate_with_gx=False)
    # nothing was rebuilt: each silver table and the visits took the week as an append
    for name in ("silver/psn", "silver/mdtrt", "silver/setl", "silver/visit"):
        assert _newest_data_write(lake, name) == "WRITE/Append", name
    # and the lake holds what one ingest of all four weeks into a fresh lake gives
    reference = Lake(tmp_path / "reference")
    ingest_landing(spark, reference, landing, validate_with_gx=False)
    for name in ("silver/psn", "silver/mdtrt", "silver/setl", "silver/visit"):
        assert _rows(spark, lake, name) == _rows(spark, reference, name), name

    def orphans(x: Lake) -> dict:
        return {r["check"]: (r["rows"], r["sample_keys"]) for r in x.read_arrow(ORPHANS).to_pylist()}

    assert orphans(lake) == orphans(reference)
    assert orphans(lake)["settlement_without_visit"] == (1, ["S99"])
