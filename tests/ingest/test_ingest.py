"""Ingest on real files: encodings, lenient types, quarantine with reasons, idempotence, reconciliation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jobs.ingest import IngestError, ingest_landing
from jobs.lake.tables import LEDGER, VALIDATION

pytestmark = pytest.mark.spark

PSN_HEADER = "psn_no,certno,psn_name,gend,brdy,insutype,psn_idet_type,insuplc_admdvs,remark"
PSN_ROWS = [
    "P1,110101199001011234,张三,1,1990-01-01,310,,130322,a",
    "P2,110101198502023456,李四,2,1985/2/2,390,2302,130322,",
    "P3,11010119700303567X,王五,1,19700303,390,,130324,",
    "P4,110101199001011111,赵六,5,1990-01-01,390,,130322,",  # gend not in the code set
    "P5,,钱七,1,1990-01-01,390,,130322,",  # certno missing
    "P6,110101199001012222,孙八,2,1990-13-45,390,,130322,",  # birth date does not parse
]


def _csv(path, header, rows, encoding="utf-8"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))


def _setl_parquet(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    cols = [
        "setl_id",
        "mdtrt_id",
        "psn_no",
        "fixmedins_code",
        "med_type",
        "setl_time",
        "medfee_sumamt",
        "hifp_pay",
        "fund_pay_sumamt",
        "cash_payamt",
        "refd_setl_flag",
    ]
    pq.write_table(
        pa.table({c: pa.array([r[i] for r in rows], pa.string()) for i, c in enumerate(cols)}), path
    )


SETL_ROWS = [
    ("S1", "M1", "P1", "H1", "21", "2025-03-01 10:00:00", "12,345.60", "9000.00", "9000.00", "3345.60", "0"),
    ("S2", "M1", "P1", "H1", "21", "2025/3/2 10:00", "-12,345.60", "-9000.00", "-9000.00", "-3345.60", "1"),
    (
        "S3",
        "M2",
        "P2",
        "H1",
        "11",
        "2025-03-05 09:00:00",
        "100",
        "-50",
        "50",
        "50",
        "0",
    ),  # negative, not refund
]


def _ledger(lake):
    return lake.read_arrow(LEDGER).to_pylist()


def test_gbk_csv_bad_rows_quarantined_with_reasons(spark, lake, tmp_path):
    landing = tmp_path / "landing"
    _csv(landing / "psn" / "psn_2025.csv", PSN_HEADER, PSN_ROWS, encoding="gbk")
    report = ingest_landing(spark, lake, landing)
    bronze = {r.psn_no: r for r in lake.read(spark, "bronze/psn").collect()}
    assert set(bronze) == {"P1", "P2", "P3"}
    assert bronze["P1"].psn_name == "张三"  # GBK decoded, not garbled
    assert bronze["P2"].brdy == dt.date(1985, 2, 2) and bronze["P3"].brdy == dt.date(1970, 3, 3)
    assert bronze["P1"]._extra == {"remark": "a"}  # extra columns kept
    reasons = {r.psn_no: r._reason for r in lake.read(spark, "quarantine/psn").collect()}
    assert "not_in_code_set:gend" in reasons["P4"]
    assert "missing:certno" in reasons["P5"]
    assert "bad_type:brdy" in reasons["P6"]
    raw = {r.psn_no: r.brdy for r in lake.read(spark, "quarantine/psn").collect()}
    assert raw["P6"] == "1990-13-45"  # the raw text is kept, nothing lost
    (f,) = report.files
    assert (f.landed, f.bronze, f.quarantined, f.duplicate) == (6, 3, 3, 0)
    # Great Expectations saw the same failures
    val = {r["reason"]: r for r in lake.read_arrow(VALIDATION).to_pylist()}
    assert val["not_in_code_set:gend"]["unexpected_count"] == 1 and not val["not_in_code_set:gend"]["success"]
    assert val["missing:psn_no"]["success"]


def test_reingest_is_a_no_op_and_corrections_replace_in_silver(spark, lake, tmp_path):
    landing = tmp_path / "landing"
    _csv(landing / "psn" / "a.csv", PSN_HEADER, PSN_ROWS[:3], encoding="utf-8-sig")  # UTF-8 with BOM
    ingest_landing(spark, lake, landing)
    v = lake.version("bronze/psn")
    ingest_landing(spark, lake, landing)  # same files again
    assert lake.version("bronze/psn") == v
    assert lake.read(spark, "bronze/psn").count() == 3
    # a later delivery re-sends P1 unchanged, corrects P2's region, adds P7, and repeats P7 in the same file
    corrected = PSN_ROWS[1].replace(",130322,", ",130324,")
    p7 = "P7,110101199001013333,周九,2,1990-01-01,390,,130322,"
    _csv(landing / "psn" / "b.csv", PSN_HEADER, [PSN_ROWS[0], corrected, p7, p7])
    report = ingest_landing(spark, lake, landing)
    b = next(f for f in report.files if f.file.endswith("b.csv"))
    assert (b.landed, b.bronze, b.quarantined, b.duplicate) == (4, 2, 0, 2)
    assert next(f for f in report.files if f.file.endswith("a.csv")).status == "skipped"
    silver = {r.psn_no: r for r in lake.read(spark, "silver/psn").collect()}
    assert sorted(silver) == ["P1", "P2", "P3", "P7"]
    assert silver["P2"].insuplc_admdvs == "130324"
    # history: the old version is still in bronze (and in earlier Delta versions)
    assert lake.read(spark, "bronze/psn").filter("psn_no = 'P2'").count() == 2
    for row in _ledger(lake):
        assert row["rows_landed"] == row["rows_bronze"] + row["rows_quarantined"] + row["rows_duplicate"]


def test_conflicting_duplicates_in_one_batch_keep_the_last_and_quarantine_the_rest(spark, lake, tmp_path):
    landing = tmp_path / "landing"
    older = PSN_ROWS[0]
    newer = PSN_ROWS[0].replace("张三", "张叁")
    _csv(landing / "psn" / "x.csv", PSN_HEADER, [older, newer])
    report = ingest_landing(spark, lake, landing)
    assert [r.psn_name for r in lake.read(spark, "bronze/psn").collect()] == ["张叁"]
    (q,) = lake.read(spark, "quarantine/psn").collect()
    assert q.psn_name == "张三" and q._reason.startswith("duplicate_key_in_batch")
    assert report.totals() == {"landed": 2, "bronze": 1, "quarantined": 1, "duplicate": 0}


def test_amounts_refunds_and_column_alias(spark, lake, tmp_path):
    landing = tmp_path / "landing"
    _setl_parquet(landing / "setl" / "s.parquet", SETL_ROWS)
    ingest_landing(spark, lake, landing)
    good = {r.setl_id: r for r in lake.read(spark, "bronze/setl").collect()}
    assert good["S1"].medfee_sumamt == Decimal("12345.60") and good["S1"].psn_cash_pay == Decimal("3345.60")
    assert good["S2"].hifp_pay == Decimal("-9000.00") and good["S2"].setl_time == dt.datetime(
        2025, 3, 2, 10, 0
    )
    (bad,) = lake.read(spark, "quarantine/setl").collect()
    assert bad.setl_id == "S3" and "negative_amount_outside_refund:hifp_pay" in bad._reason


def test_unreadable_files_are_rejected_by_name_and_the_rest_lands(spark, lake, tmp_path):
    landing = tmp_path / "landing"
    _csv(landing / "psn" / "ok.csv", PSN_HEADER, PSN_ROWS[:1])
    _csv(
        landing / "psn" / "no_certno.csv",
        PSN_HEADER.replace("certno,", ""),
        ["P9,某,1,1990-01-01,390,,130322,"],
    )
    (landing / "psn" / "empty.csv").write_bytes(b"")
    (landing / "setl").mkdir()
    (landing / "setl" / "cut.parquet").write_bytes(b"PAR1\x00\x01truncated")
    with pytest.raises(IngestError) as err:
        ingest_landing(spark, lake, landing)
    msg = str(err.value)
    assert "no_certno.csv" in msg and "certno" in msg and "table psn" in msg
    assert "empty.csv" in msg and "cut.parquet" in msg and "3 file(s) rejected" in msg
    assert [r.psn_no for r in lake.read(spark, "bronze/psn").collect()] == ["P1"]
    statuses = {r["file"].rsplit("/", 1)[1]: r["status"] for r in _ledger(lake)}
    assert statuses == {
        "ok.csv": "ok",
        "no_certno.csv": "rejected",
        "empty.csv": "rejected",
        "cut.parquet": "rejected",
    }


@pytest.mark.slow
def test_a_csv_extract_of_every_table_lands_completely(spark, lake, tmp_path):
    import pandas as pd

    from jobs.synthetic import generate

    landing = tmp_path / "landing"
    generate(landing, persons=400, seed=3, fmt="csv")
    report = ingest_landing(spark, lake, landing)
    for table in ("psn", "fixmedins", "mdtrt", "setl", "fee_list", "opsp_reg"):
        n = sum(len(pd.read_csv(f, dtype=str, encoding="utf-8-sig")) for f in (landing / table).glob("*.csv"))
        t = report.totals(table)
        assert t["landed"] == n and t["bronze"] == n and t["quarantined"] == 0, (table, t)
        assert lake.read(spark, f"silver/{table}").count() == n


def test_crash_between_bronze_and_quarantine_commits_reruns_to_the_same_counts(
    spark, lake, tmp_path, monkeypatch
):
    """The first run counts rows per file while writing bronze; a re-run whose bronze write is already
    committed counts from the committed tables instead, writes the missing quarantine rows and reconciles."""
    from jobs.lake import Lake

    landing = tmp_path / "landing"
    _csv(landing / "psn" / "psn_2025.csv", PSN_HEADER, PSN_ROWS)
    real_write = Lake.write

    def crash_on_quarantine(self, df, name, *args, **kwargs):
        if name.startswith("quarantine/"):
            raise RuntimeError("killed before the quarantine commit")
        return real_write(self, df, name, *args, **kwargs)

    monkeypatch.setattr(Lake, "write", crash_on_quarantine)
    with pytest.raises(RuntimeError, match="killed"):
        ingest_landing(spark, lake, landing)
    assert lake.exists("bronze/psn") and not lake.exists("quarantine/psn") and not lake.exists(LEDGER)
    monkeypatch.setattr(Lake, "write", real_write)
    report = ingest_landing(spark, lake, landing)
    assert report.totals() == {"landed": 6, "bronze": 3, "quarantined": 3, "duplicate": 0}
    assert lake.read(spark, "bronze/psn").count() == 3 and lake.read(spark, "quarantine/psn").count() == 3
    (row,) = _ledger(lake)
    assert (row["rows_landed"], row["rows_bronze"], row["rows_quarantined"]) == (6, 3, 3)


MDTRT_HEADER = "mdtrt_id,psn_no,fixmedins_code,med_type,begntime,endtime,dise_codg"
SETL_HEADER = "setl_id,mdtrt_id,psn_no,fixmedins_code,med_type,setl_time,medfee_sumamt,hifp_pay,fund_pay_sumamt,cash_payamt,refd_setl_flag"


def test_weekly_deliveries_append_to_silver_and_a_late_refund_renets_its_visit(spark, lake, tmp_path):
    """A week of new visits is appended to silver (it costs the week, not the lake); a settlement for a visit
    silver already holds (here a refund) nets that visit again and merges it into silver/visit. Either way
    silver equals a full rebuild."""
    from features.visits import net_visits

    landing = tmp_path / "landing"

    def deliver(week, mdtrt_rows, setl_rows):
        if mdtrt_rows:
            _csv(landing / "mdtrt" / f"mdtrt_w{week}.csv", MDTRT_HEADER, mdtrt_rows)
        _csv(landing / "setl" / f"setl_w{week}.csv", SETL_HEADER, setl_rows)
        ingest_landing(spark, lake, landing)

    def last_mode(name):
        writes = [c for c in lake.table(name).history() if c["operation"] == "WRITE"]
        return writes[0]["operationParameters"]["mode"]  # newest first

    def rows(df):
        return sorted((r.mdtrt_id, str(r.fund_pay_sumamt), r.n_setl, r.settled) for r in df.collect())

    def full_rebuild():
        return rows(net_visits(lake.read(spark, "silver/mdtrt"), lake.read(spark, "silver/setl")))

    deliver(
        1,
        ["M1,P1,H1,21,2025-03-01 08:00:00,2025-03-05 10:00:00,J18"],
        ["S1,M1,P1,H1,21,2025-03-05 10:00:00,1000,800,800,200,0"],
    )
    deliver(
        2,
        ["M2,P2,H1,11,2025-03-08 09:00:00,2025-03-08 10:00:00,J06"],
        ["S2,M2,P2,H1,11,2025-03-08 10:00:00,100,60,60,40,0"],
    )
    assert [last_mode(f"silver/{t}") for t in ("mdtrt", "setl", "visit")] == ["Append"] * 3
    assert rows(lake.read(spark, "silver/visit")) == full_rebuild()
    assert [r[0] for r in full_rebuild()] == ["M1", "M2"]

    deliver(3, [], ["S3,M1,P1,H1,21,2025-03-10 10:00:00,-1000,-800,-800,-200,1"])  # refund of week 1's stay
    assert last_mode("silver/setl") == "Append"
    assert lake.table("silver/visit").history(1)[0]["operation"] == "MERGE"  # the refunded visit alone
    visits = rows(lake.read(spark, "silver/visit"))
    assert visits == full_rebuild()
    assert visits[0] == ("M1", "0.00", 2, False)  # refunded in full: nothing paid, not a settled visit

    def every_column(df):
        return sorted(tuple(str(v) for v in r) for r in df.select(*sorted(df.columns)).collect())

    rebuilt = net_visits(lake.read(spark, "silver/mdtrt"), lake.read(spark, "silver/setl"))
    silver_visits = lake.read(spark, "silver/visit")
    assert every_column(silver_visits.drop("_changed_in")) == every_column(rebuilt)
    # each row carries the version that wrote it: the re-netted visit the MERGE's, the others their appends'
    changed_in = {r.mdtrt_id: r._changed_in for r in silver_visits.collect()}
    assert changed_in == {"M1": lake.version("silver/visit"), "M2": changed_in["M2"]}
    assert changed_in["M2"] < changed_in["M1"]
    # nothing new landed: silver is left as it is
    version = lake.version("silver/visit")
    ingest_landing(spark, lake, landing)
    assert lake.version("silver/visit") == version


def test_traceability_codes_are_optional_and_a_malformed_code_is_kept_and_counted(spark, lake, tmp_path):
    """An extract without drug_trac_codg and trdn_flag lands unchanged (issue #20); a later delivery with them
    appends its codes to the code ledger, a malformed code included (kept, counted, never used)."""
    from features.trace import code_quality
    from jobs.lake.tables import CODE_SALES
    from jobs.publish import data_quality

    landing = tmp_path / "landing"
    fee_header = "feedetl_sn,mdtrt_id,setl_id,fee_ocur_time,med_list_codg,med_chrgitm_type,cnt,pric,det_item_fee_sumamt"
    _csv(
        landing / "mdtrt" / "mdtrt_w1.csv",
        MDTRT_HEADER,
        ["M1,P1,Y1,41,2025-03-01 08:00:00,2025-03-01 08:10:00,"],
    )
    _csv(landing / "setl" / "setl_w1.csv", SETL_HEADER, ["S1,M1,P1,Y1,41,2025-03-01 08:10:00,60,0,0,60,0"])
    _csv(
        landing / "fee_list" / "fee_w1.csv",
        fee_header,
        ["F1,M1,S1,2025-03-01 08:05:00,XC08CAA001,09,2,30,60"],
    )
    ingest_landing(spark, lake, landing)
    fee = lake.read(spark, "silver/fee_list").collect()
    assert len(fee) == 1 and fee[0].drug_trac_codg is None and fee[0].trdn_flag is None
    assert lake.exists(CODE_SALES) and lake.read(spark, CODE_SALES).count() == 0

    _csv(
        landing / "mdtrt" / "mdtrt_w2.csv",
        MDTRT_HEADER,
        ["M2,P2,Y1,41,2025-03-08 08:00:00,2025-03-08 08:10:00,"],
    )
    _csv(landing / "setl" / "setl_w2.csv", SETL_HEADER, ["S2,M2,P2,Y1,41,2025-03-08 08:10:00,60,0,0,60,0"])
    _csv(
        landing / "fee_list" / "fee_w2.csv",
        fee_header + ",drug_trac_codg,trdn_flag",
        ['F2,M2,S2,2025-03-08 08:05:00,XC08CAA001,09,2,30,60,"80000010000000000001,8000001",0'],
    )
    ingest_landing(spark, lake, landing)
    assert lake.read(spark, "silver/fee_list").count() == 2  # the row with a malformed code is not rejected
    writes = [c for c in lake.table(CODE_SALES).history() if c["operation"] == "WRITE"]
    assert writes[0]["operationParameters"]["mode"] == "Append"  # the week's codes, not the year's
    ledger = {r.drug_trac_codg: r for r in lake.read(spark, CODE_SALES).collect()}
    assert set(ledger) == {"80000010000000000001", "8000001"}
    assert ledger["8000001"].code_ok is False and ledger["80000010000000000001"].psn_no == "P2"
    assert code_quality(lake.read(spark, CODE_SALES))["malformed"] == 1
    page = data_quality.write(lake, dt.date(2025, 3, 8), tmp_path / "out").read_text(encoding="utf-8")
    assert "格式异常" in page and "Y1" in page
