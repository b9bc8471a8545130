"""Nothing lost: hostile and careless deliveries, crashes and concurrent runs, on real files."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobs.ingest import check_orphans, ingest_landing
from jobs.lake import Lake
from jobs.lake.tables import LEDGER, ORPHAN_ROWS, ORPHANS

pytestmark = pytest.mark.spark
ROOT = Path(__file__).resolve().parents[2]

MDTRT_HEADER = "mdtrt_id,psn_no,fixmedins_code,med_type,begntime,endtime,dise_codg"
PSN_HEADER = "psn_no,certno,psn_name,gend,brdy,insutype,insuplc_admdvs"


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def test_header_only_file_lands_zero_rows(spark, lake, tmp_path):
    _write(tmp_path / "l" / "psn" / "h.csv", PSN_HEADER + "\n")
    (f,) = ingest_landing(spark, lake, tmp_path / "l").files
    assert (f.status, f.landed, f.bronze, f.quarantined) == ("ok", 0, 0, 0)
    assert lake.read_arrow(LEDGER).to_pylist()[0]["status"] == "ok"


def test_end_before_start_blanks_and_slash_dates(spark, lake, tmp_path):
    rows = [
        "M1,P1,H1,21,2025/1/5 8:00,2025/1/9 10:30,J18.900",  # fine, slash dates
        "M2,P1,H1,21,2025-01-09 08:00:00,2025-01-05 08:00:00,J18.900",  # ends before it starts
        "M3,,H1,21,2025-01-09 08:00:00,2025-01-10 08:00:00,J18.900",  # blank required psn_no
        "M4,P1,H1,21,   ,2025-01-10 08:00:00,J18.900",  # blank begntime
    ]
    _write(tmp_path / "l" / "mdtrt" / "m.csv", "\n".join([MDTRT_HEADER, *rows]) + "\n")
    ingest_landing(spark, lake, tmp_path / "l")
    assert [r.mdtrt_id for r in lake.read(spark, "bronze/mdtrt").collect()] == ["M1"]
    reasons = {r.mdtrt_id: r._reason for r in lake.read(spark, "quarantine/mdtrt").collect()}
    assert reasons["M2"] == "endtime_before_begntime"
    assert reasons["M3"] == "missing:psn_no"
    assert reasons["M4"] == "missing:begntime"


def test_parquet_named_csv_and_csv_named_parquet_are_rejected(spark, lake, tmp_path):
    src = _write(tmp_path / "x.csv", PSN_HEADER + "\nP1,110101199001011234,张三,1,1990-01-01,310,130322\n")
    import pyarrow.csv as pacsv

    pq.write_table(pacsv.read_csv(src), tmp_path / "real.parquet")
    (tmp_path / "l" / "psn").mkdir(parents=True)
    (tmp_path / "real.parquet").rename(tmp_path / "l" / "psn" / "looks_like.csv")
    _write(tmp_path / "l" / "psn" / "text.parquet", src.read_text())
    report = ingest_landing(spark, lake, tmp_path / "l", fail_on_reject=False)
    reasons = {Path(f.file).name: f.reason for f in report.rejected}
    assert "parquet but named .csv" in reasons["looks_like.csv"]
    assert "not a readable parquet file" in reasons["text.parquet"]


def test_orphans_are_kept_and_reported(spark, lake, tmp_path):
    _write(
        tmp_path / "l" / "psn" / "p.csv",
        PSN_HEADER + "\nP1,110101199001011234,张三,1,1990-01-01,310,130322\n",
    )
    _write(
        tmp_path / "l" / "mdtrt" / "m.csv",
        MDTRT_HEADER + "\nM1,P1,H1,21,2025-01-05 08:00,2025-01-09 10:30,\n",
    )
    _write(
        tmp_path / "l" / "setl" / "s.csv",
        "setl_id,mdtrt_id,psn_no,fixmedins_code,med_type,setl_time,medfee_sumamt,hifp_pay,fund_pay_sumamt,refd_setl_flag\n"
        "S1,M1,P1,H1,21,2025-01-09 11:00,1000,700,700,0\n"
        "S2,M404,P9,H1,11,2025-01-10 11:00,200,100,100,0\n",  # visit and person never arrived
    )
    ingest_landing(spark, lake, tmp_path / "l")
    orphans = {r["check"]: r for r in lake.read_arrow(ORPHANS).to_pylist()}
    assert orphans["settlement_without_visit"]["rows"] == 1
    assert orphans["settlement_without_visit"]["sample_keys"] == ["S2"]
    assert orphans["settlement_without_person"]["rows"] == 1
    visits = {r.mdtrt_id: r for r in lake.read(spark, "silver/visit").collect()}
    assert not visits["M404"].has_visit_record and float(visits["M404"].fund_pay_sumamt) == 100.0


def test_orphans_are_checked_incrementally_and_resolved_by_a_later_delivery(spark, lake, tmp_path):
    setl_header = (
        "setl_id,mdtrt_id,psn_no,fixmedins_code,med_type,setl_time,medfee_sumamt,hifp_pay,fund_pay_sumamt,"
        "refd_setl_flag\n"
    )
    _write(
        tmp_path / "l" / "psn" / "p.csv",
        PSN_HEADER + "\nP1,110101199001011234,张三,1,1990-01-01,310,130322\n",
    )
    _write(
        tmp_path / "l" / "mdtrt" / "m1.csv",
        MDTRT_HEADER + "\nM1,P1,H1,21,2025-01-05 08:00,2025-01-09 10:30,\n",
    )
    _write(
        tmp_path / "l" / "setl" / "s1.csv",
        setl_header
        + "S1,M1,P1,H1,21,2025-01-09 11:00,1000,700,700,0\nS2,M2,P1,H1,11,2025-01-10 11:00,200,100,100,0\n",
    )
    ingest_landing(spark, lake, tmp_path / "l")
    orphans = {r["check"]: r for r in lake.read_arrow(ORPHANS).to_pylist()}
    assert (
        orphans["settlement_without_visit"]["rows"],
        orphans["settlement_without_visit"]["sample_keys"],
    ) == (
        1,
        ["S2"],
    )
    # next week: the late visit record of S2 arrives, and a new settlement without its visit
    _write(
        tmp_path / "l" / "mdtrt" / "m2.csv",
        MDTRT_HEADER + "\nM2,P1,H1,11,2025-01-10 09:00,2025-01-10 10:00,\n",
    )
    _write(tmp_path / "l" / "setl" / "s2.csv", setl_header + "S3,M3,P1,H1,11,2025-01-17 11:00,50,20,20,0\n")
    ingest_landing(spark, lake, tmp_path / "l")
    assert lake.table(ORPHANS).history(1)[0]["fundwatch.silver_versions"]  # it records what it reflects
    incremental = {r["check"]: (r["rows"], r["sample_keys"]) for r in lake.read_arrow(ORPHANS).to_pylist()}
    assert incremental["settlement_without_visit"] == (1, ["S3"])
    assert sorted(lake.read_arrow(ORPHAN_ROWS).to_pylist(), key=str) == [
        {"check": "settlement_without_visit", "key": "S3", "ref": "M3"}
    ]
    full = {r["check"]: (r["rows"], r["sample_keys"]) for r in check_orphans(spark, lake, full=True)}
    assert incremental == full


def test_appended_since_gives_the_increment_or_none_after_an_overwrite(spark, lake):
    df = spark.createDataFrame([("a", 1), ("b", 2)], "k string, v int")
    lake.write(df, "t/x")
    v1 = lake.version("t/x")
    lake.write(spark.createDataFrame([("c", 3)], "k string, v int"), "t/x")
    files, rows = lake.appended_since("t/x", v1)
    assert rows == 1 and [r.k for r in lake.read_files(spark, "t/x", files).collect()] == ["c"]
    assert lake.appended_since("t/x", lake.version("t/x")) == ([], 0)
    lake.write(df, "t/x", mode="overwrite")
    assert lake.appended_since("t/x", v1) is None


def test_corrected_row_keeps_its_history_through_time_travel(spark, lake, tmp_path):
    row = "P1,110101199001011234,张三,1,1990-01-01,310,130322"
    _write(tmp_path / "l" / "psn" / "a.csv", PSN_HEADER + "\n" + row + "\n")
    ingest_landing(spark, lake, tmp_path / "l")
    first = lake.version("silver/psn")
    _write(tmp_path / "l" / "psn" / "b.csv", PSN_HEADER + "\n" + row.replace("130322", "130324") + "\n")
    ingest_landing(spark, lake, tmp_path / "l")
    assert lake.read(spark, "silver/psn").first().insuplc_admdvs == "130324"
    assert lake.read(spark, "silver/psn", version=first).first().insuplc_admdvs == "130322"


# -- real processes ---------------------------------------------------------------------------------
def _cli(*args: str) -> subprocess.Popen:
    env = dict(os.environ, GX_ANALYTICS_ENABLED="false", SPARK_LOCAL_IP="127.0.0.1", PYTHONPATH=str(ROOT))
    return subprocess.Popen(
        [sys.executable, "-m", "jobs.cli", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _landing_rows(landing: Path) -> dict[str, int]:
    return {
        t.name: sum(pq.read_metadata(f).num_rows for f in t.glob("*.parquet"))
        for t in landing.iterdir()
        if t.is_dir()
    }


def _assert_complete_and_not_doubled(lake: Lake, landing: Path):
    ledger = lake.read_arrow(LEDGER).to_pandas()
    ok = ledger[ledger.status == "ok"]
    assert not ok.duplicated(["table", "sha256"]).any(), "a file was ingested twice"
    for table, n in _landing_rows(landing).items():
        t = ok[ok.table == table]
        assert t.rows_landed.sum() == n, table
        assert (t.rows_landed == t.rows_bronze + t.rows_quarantined + t.rows_duplicate).all()
        bronze = lake.read_arrow(f"bronze/{table}").to_pandas()
        assert len(bronze) == t.rows_bronze.sum(), table
        from jobs.ingest.contract import TABLES

        assert not bronze.duplicated(list(TABLES[table].key) + ["_row_hash"]).any(), table


@pytest.fixture(scope="module")
def small_landing(tmp_path_factory):
    from jobs.synthetic import generate

    landing = tmp_path_factory.mktemp("faults") / "landing"
    generate(landing, persons=3000, seed=5)
    (landing / "labels.csv").unlink()
    return landing


@pytest.mark.slow
def test_killed_mid_write_leaves_tables_at_a_version_and_rerun_completes(small_landing, tmp_path):
    lake_dir = tmp_path / "lake"
    proc = _cli("ingest", "--landing", str(small_landing), "--lake", str(lake_dir), "--no-gx")
    staging = lake_dir / "bronze" / "mdtrt" / "_staging"
    deadline = time.time() + 600
    while time.time() < deadline and proc.poll() is None:
        if staging.exists() and any(staging.rglob("*.parquet")):
            break
        time.sleep(0.02)
    assert proc.poll() is None, "ingest finished before it could be killed:\n" + proc.stdout.read()[-2000:]
    os.killpg(proc.pid, signal.SIGKILL)  # the Python driver and its JVM, mid-write of bronze/mdtrt
    proc.wait()
    lake = Lake(lake_dir)
    # every table is at a committed version: readable, and mdtrt holds none of the killed batch
    assert not lake.exists("bronze/mdtrt") or lake.table("bronze/mdtrt").count() == 0
    assert lake.table("bronze/psn").count() == _landing_rows(small_landing)["psn"]
    rerun = _cli("ingest", "--landing", str(small_landing), "--lake", str(lake_dir), "--no-gx")
    out, _ = rerun.communicate(timeout=900)
    assert rerun.returncode == 0, out[-3000:]
    _assert_complete_and_not_doubled(lake, small_landing)


@pytest.mark.slow
def test_two_ingests_at_once_neither_corrupt_nor_double(small_landing, tmp_path):
    lake_dir = tmp_path / "lake"
    procs = [
        _cli("ingest", "--landing", str(small_landing), "--lake", str(lake_dir), "--no-gx") for _ in range(2)
    ]
    outs = [p.communicate(timeout=1200)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], "\n".join(o[-2000:] for o in outs)
    _assert_complete_and_not_doubled(Lake(lake_dir), small_landing)


# -- property: whatever the rows, landed = bronze + quarantine + duplicate, and re-ingest is a no-op ------
FIELD = st.one_of(
    st.sampled_from(
        ["", " ", "1", "2", "9", "310", "130322", "1990-01-01", "1990/1/1", "12,345.60", "NULL", "张三"]
    ),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00")
        | st.sampled_from([",", '"', "\n", "'", "，"]),
        max_size=12,
    ),
)
ROW = st.tuples(st.sampled_from(["P1", "P2", "P3", "", "P 4"]), FIELD, FIELD, FIELD, FIELD, FIELD, FIELD)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, min_size=1, max_size=12))
def test_malformed_csv_rows_are_never_lost_or_doubled(spark, rows):
    with tempfile.TemporaryDirectory() as tmp:
        landing, lake = Path(tmp) / "l", Lake(Path(tmp) / "lake")
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(PSN_HEADER.split(","))
        writer.writerows(rows)
        _write(landing / "psn" / "fuzz.csv", buf.getvalue())
        (f,) = ingest_landing(spark, lake, landing, validate_with_gx=False).files
        assert f.status == "ok"
        assert f.landed == len(rows)
        assert f.landed == f.bronze + f.quarantined + f.duplicate
        bronze = lake.read_arrow("bronze/psn").to_pandas()
        assert len(bronze) == f.bronze and bronze.psn_no.is_unique
        if lake.exists("quarantine/psn"):
            q = lake.read_arrow("quarantine/psn").to_pandas()
            assert len(q) == f.quarantined and q._reason.str.len().gt(0).all()
        version = lake.version("bronze/psn")
        ingest_landing(spark, lake, landing, validate_with_gx=False)
        assert lake.version("bronze/psn") == version
