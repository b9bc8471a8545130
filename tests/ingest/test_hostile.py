"""Hostile and careless deliveries (issue #15): every file ingested or named in a rejection, no value of a
row in what people read, implausible values quarantined, and a week that still publishes for every valid
region with nothing lost."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from jobs.ingest import ingest_landing
from jobs.ingest.contract import ADMDVS
from jobs.lake import Lake
from jobs.lake.tables import LEDGER, VALIDATION
from jobs.runtime.settings import IngestSettings

pytestmark = pytest.mark.spark

PSN_HEADER = ["psn_no", "certno", "psn_name", "gend", "brdy", "insutype", "insuplc_admdvs", "live_addr"]
SECRET_CERTNO, SECRET_NAME, SECRET_ADDR = "13030219800101123X", "欧阳秘密", "秘密村九组"
SECRET_ROW = ["PX", SECRET_CERTNO, SECRET_NAME, "1", "1980-01-01", "310", "130302", SECRET_ADDR]


def _csv(
    path: Path, rows: list[list[str]], header: list[str] | None = PSN_HEADER, newline: str = "\n"
) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=newline, quoting=csv.QUOTE_ALL)  # a CR in a value stays in it
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode("utf-8"))
    return path


def _person(psn_no: str, **kw) -> list[str]:
    row = dict(
        zip(
            PSN_HEADER,
            [psn_no, "130302199001011234", "张三", "1", "1990-01-01", "310", "130302", ""],
            strict=True,
        )
    )
    row.update(kw)
    return [row[c] for c in PSN_HEADER]


def _everything_written(lake: Lake) -> str:
    """Every text the pipeline left for people and machines: ledger, validation results, GX files."""
    parts = [lake.read_arrow(LEDGER).to_pandas().to_csv()]
    if lake.exists(VALIDATION):
        parts.append(lake.read_arrow(VALIDATION).to_pandas().to_csv())
    for f in (lake.root / "quality").rglob("*"):
        if f.is_file():
            parts.append(f.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(parts)


@pytest.mark.parametrize("terminator", ["\n", "\r", "\r\n", "\u2028", "\u0085"])
def test_a_region_code_with_a_line_terminator_is_quarantined(spark, lake, tmp_path, terminator):
    assert re.search(ADMDVS, "130302") and not re.search(ADMDVS, "130302" + terminator)
    _csv(
        tmp_path / "l" / "psn" / "p.csv", [_person("P1"), _person("P2", insuplc_admdvs="130302" + terminator)]
    )
    (f,) = ingest_landing(spark, lake, tmp_path / "l", validate_with_gx=False).files
    assert (f.landed, f.bronze, f.quarantined) == (2, 1, 1)
    q = lake.read_arrow("quarantine/psn").to_pandas()
    assert list(q.psn_no) == ["P2"] and q._reason[0] == "bad_format:insuplc_admdvs"


def test_rejections_and_validation_results_quote_no_value(spark, lake, tmp_path):
    landing = tmp_path / "l"
    _csv(landing / "psn" / "no_header.csv", [SECRET_ROW, _person("P2")], header=None)
    # a symlink out of the landing: refused without reading (its first line would be quoted otherwise)
    outside = _csv(tmp_path / "outside" / "secret.csv", [SECRET_ROW], header=None)
    os.symlink(outside, landing / "psn" / "link.csv")
    # rows failing the suite with personal and hostile values: GX keeps counts only
    _csv(
        landing / "psn" / "bad.csv",
        [
            _person("P3", certno="1303021980010112", psn_name=SECRET_NAME, gend="<script>alert(5)</script>"),
            _person("P4", live_addr=SECRET_ADDR),
        ],
    )
    report = ingest_landing(spark, lake, landing, fail_on_reject=False)
    reasons = {Path(f.file).name: f.reason for f in report.rejected}
    assert set(reasons) == {"no_header.csv", "link.csv"}
    assert (
        "required columns missing" in reasons["no_header.csv"]
        and "8 columns found" in reasons["no_header.csv"]
    )
    assert "outside the landing" in reasons["link.csv"]
    text = _everything_written(lake)
    assert "partial_unexpected_list" in text or "unexpected_count" in text  # the validation result is there
    for secret in (SECRET_CERTNO, SECRET_NAME, SECRET_ADDR, "1303021980010112", "<script>alert(5)"):
        assert secret not in text, secret
    from jobs.publish import data_quality

    page = data_quality.write(lake, dt.date(2026, 1, 1), tmp_path / "out").read_text(encoding="utf-8")
    assert "no_header.csv" in page and "link.csv" in page
    for secret in (SECRET_CERTNO, SECRET_NAME, SECRET_ADDR):
        assert secret not in page


def test_every_file_is_ingested_or_named_and_a_renamed_resend_lands(spark, lake, tmp_path):
    landing = tmp_path / "l"
    content = [_person("P1"), _person("P2")]
    for name in ("_x.csv", ".x.csv", "x.csv ", "noext", "p.xlsx"):
        _csv(landing / "psn" / name, content)
    (landing / "psn" / "sub").mkdir()
    report = ingest_landing(spark, lake, landing, fail_on_reject=False)
    assert sorted(Path(f.file).name for f in report.rejected) == sorted(
        ["_x.csv", ".x.csv", "x.csv ", "noext", "p.xlsx", "sub"]
    )
    assert not lake.exists("bronze/psn")
    shutil.copy(landing / "psn" / "_x.csv", landing / "psn" / "x.csv")  # the same content, properly named
    report = ingest_landing(spark, lake, landing, fail_on_reject=False)
    (ok,) = [f for f in report.files if f.status == "ok"]
    assert (Path(ok.file).name, ok.landed, ok.bronze) == ("x.csv", 2, 2)


def test_one_oversized_file_is_rejected_and_the_rest_of_the_delivery_lands(spark, lake, tmp_path):
    landing = tmp_path / "l"
    _csv(landing / "psn" / "a_fine.csv", [_person("P1")])
    _csv(landing / "psn" / "b_huge_field.csv", [_person("P2", live_addr="x" * 3_000_000)])
    _csv(landing / "psn" / "c_wide_row.csv", [_person("P3") + ["1"] * 30_000])
    _csv(landing / "psn" / "d_fine.csv", [_person("P4")])
    report = ingest_landing(spark, lake, landing, fail_on_reject=False)
    reasons = {Path(f.file).name: f.reason for f in report.rejected}
    assert "max_line_bytes" in reasons["b_huge_field.csv"] and "line 2" in reasons["b_huge_field.csv"]
    assert "max_columns" in reasons["c_wide_row.csv"]
    assert sorted(r.psn_no for r in lake.read(spark, "silver/psn").collect()) == ["P1", "P4"]
    # the limits are configuration: a wider limit reads the wide row, as a malformed row kept in quarantine
    limits = IngestSettings(max_columns=40_000)
    report = ingest_landing(spark, lake, landing, fail_on_reject=False, limits=limits)
    wide = next(f for f in report.files if f.file.endswith("c_wide_row.csv"))
    assert (wide.status, wide.landed, wide.quarantined) == ("ok", 1, 1)


def test_a_file_spark_cannot_parse_is_found_and_rejected_and_the_rest_lands(spark, lake, tmp_path):
    # a quoted field over the limit whose lines are each short: only Spark's parser sees it is too long
    landing, limits = tmp_path / "l", IngestSettings(max_line_bytes=10_000)
    _csv(landing / "psn" / "a_fine.csv", [_person("P1")])
    _csv(landing / "psn" / "b_long_quoted.csv", [_person("P2", live_addr=("x" * 99 + "\n") * 200)])
    _csv(landing / "psn" / "c_fine.csv", [_person("P3")])
    report = ingest_landing(spark, lake, landing, fail_on_reject=False, limits=limits)
    (bad,) = report.rejected
    assert Path(bad.file).name == "b_long_quoted.csv" and "max_line_bytes" in bad.reason
    assert sorted(r.psn_no for r in lake.read(spark, "silver/psn").collect()) == ["P1", "P3"]


@pytest.mark.parametrize("endings", [("\r\n", "\n", "\r"), ("\r", "\r", "\r"), ("\n", "\r\n", "\n")])
def test_lf_crlf_and_cr_rows_are_all_rows(spark, lake, tmp_path, endings):
    head, first, second = endings
    text = ",".join(PSN_HEADER) + head + ",".join(_person("P1")) + first + ",".join(_person("P2")) + second
    (tmp_path / "l" / "psn").mkdir(parents=True)
    (tmp_path / "l" / "psn" / "mixed.csv").write_bytes(text.encode("utf-8"))
    (f,) = ingest_landing(spark, lake, tmp_path / "l", validate_with_gx=False).files
    assert (f.status, f.landed, f.bronze, f.quarantined) == ("ok", 2, 2, 0)
    assert not (lake.root / "tmp" / "landing").exists() or not any((lake.root / "tmp" / "landing").iterdir())


def test_implausible_dates_amounts_and_ages_are_quarantined(spark, lake, tmp_path):
    from jobs.build_features import latest_settlement_date

    landing = tmp_path / "l"
    _csv(
        landing / "psn" / "p.csv",
        [_person("P1"), _person("P2", brdy="9999-01-01"), _person("P3", brdy="1880-05-01")],
    )
    setl_header = ["setl_id", "mdtrt_id", "psn_no", "fixmedins_code", "med_type", "setl_time", "medfee_sumamt",
                   "hifp_pay", "fund_pay_sumamt", "refd_setl_flag"]  # fmt: skip
    ok = ["S1", "M1", "P1", "H1", "11", "2025-06-30 10:00:00", "100.00", "60.00", "60.00", "0"]
    future = ["S2", "M2", "P1", "H1", "11", "9999-12-31 10:00:00", "100.00", "60.00", "60.00", "0"]
    huge = ["S3", "M3", "P1", "H1", "11", "2025-06-01 10:00:00", "9,999,999,999,999,999.99", "1", "1", "0"]
    _csv(landing / "setl" / "s.csv", [ok, future, huge], header=setl_header)
    ingest_landing(spark, lake, landing, validate_with_gx=False)
    q = {r.psn_no: r._reason for r in lake.read(spark, "quarantine/psn").collect()}
    assert q == {"P2": "out_of_bounds:brdy", "P3": "out_of_bounds:brdy"}
    qs = {r.setl_id: r._reason for r in lake.read(spark, "quarantine/setl").collect()}
    assert qs == {"S2": "out_of_bounds:setl_time", "S3": "out_of_bounds:medfee_sumamt"}
    assert latest_settlement_date(spark, lake) == dt.date(2025, 6, 30)  # the default as-of ignores them


# -- all of it at once, on a real week ---------------------------------------------------------------
@pytest.mark.slow
def test_a_hostile_delivery_still_publishes_every_valid_region_with_nothing_lost(demo, tmp_path):
    from jobs.cli import main

    demo_landing, demo_lake, as_of = demo
    lake_dir = tmp_path / "lake"
    shutil.copytree(demo_lake, lake_dir)
    lake = Lake(lake_dir)
    clues = lake.read_arrow("gold/clues").to_pandas()
    inst = clues[clues.entity_type == "fixmedins"].sort_values("rank")
    formula_inst, ctrl_inst = inst.entity_id.iloc[0], inst.entity_id.iloc[1]
    fix = pd.read_parquet(demo_landing / "fixmedins")
    fix = fix[fix.fixmedins_code.isin([formula_inst, ctrl_inst])].copy()
    fix["fixmedins_name"] = fix.fixmedins_code.map(
        {formula_inst: '=HYPERLINK("http://x.example/steal","点我")', ctrl_inst: "某\x0b医院"}
    )
    landing = tmp_path / "hostile"
    (landing / "fixmedins").mkdir(parents=True)
    fix.to_csv(landing / "fixmedins" / "renamed.csv", index=False)
    psn = landing / "psn"
    _csv(psn / "no_header.csv", [SECRET_ROW], header=None)
    _csv(psn / "regions.csv", [_person("PN1", insuplc_admdvs="130302\n"), _person("PN2", gend="<script>alert(5)</script>"),
                               _person("PN3", brdy="9999-01-01"), _person("PN4")])  # fmt: skip
    for name in ("_x.csv", ".x.csv", "x.xlsx", "noext", "y.csv "):
        _csv(psn / name, [_person("PH1")])
    (psn / "mixed.csv").write_bytes(
        (
            ",".join(PSN_HEADER) + "\r\n" + ",".join(_person("PM1")) + "\n" + ",".join(_person("PM2")) + "\r"
        ).encode()
    )
    os.symlink(_csv(tmp_path / "elsewhere.csv", [SECRET_ROW], header=None), psn / "link.csv")
    _csv(psn / "huge.csv", [_person("PB1", live_addr="x" * 2_000_000)])
    _csv(psn / "wide.csv", [_person("PB2") + ["1"] * 25_000])
    setl_header = ["setl_id", "mdtrt_id", "psn_no", "fixmedins_code", "med_type", "setl_time", "medfee_sumamt",
                   "hifp_pay", "fund_pay_sumamt", "refd_setl_flag"]  # fmt: skip
    _csv(landing / "setl" / "s.csv", [
        ["SX1", "MX1", "PN4", formula_inst, "11", "9999-12-31 10:00:00", "100", "60", "60", "0"],
        ["SX2", "MX2", "PN4", formula_inst, "11", f"{as_of} 10:00:00", "9,999,999,999,999,999.99", "1", "1", "0"],
    ], header=setl_header)  # fmt: skip
    clue = clues[clues.entity_type == "psn"].iloc[0]
    other = next(a for a in sorted(clues.admdvs.unique()) if a != clue.admdvs)
    fb_header = ["clue_id", "status", "verified_amt", "recovered_amt", "feedback_date", "admdvs"]
    _csv(landing / "clue_feedback" / "f.csv", [
        [clue.clue_id, "查实", "-5", "", str(as_of), clue.admdvs],  # negative: quarantined
        [clue.clue_id, "查实", "1", f"{clue.fund_amount * 3 + 100:,.2f}", str(as_of), clue.admdvs],  # > fund
        [clue.clue_id, "不属实", "", "", str(as_of), other],  # another region's answer
    ], header=fb_header)  # fmt: skip

    assert main(["ingest", "--landing", str(landing), "--lake", str(lake_dir)]) == 2  # rejections named
    assert main(["weekly", "--lake", str(lake_dir)]) == 0  # the default as-of ignores the 9999 settlement

    # nothing lost: every landed file is in the ledger, and every accepted file reconciles
    ledger = lake.read_arrow(LEDGER).to_pandas()
    ledger = ledger[ledger.file.str.startswith(str(landing))]
    landed = {str(p) for t in landing.iterdir() for p in t.iterdir()}
    assert set(ledger.file) == landed
    rejected = set(ledger.file[ledger.status == "rejected"].map(lambda p: Path(p).name))
    assert rejected == {
        "no_header.csv",
        "_x.csv",
        ".x.csv",
        "x.xlsx",
        "noext",
        "y.csv ",
        "link.csv",
        "huge.csv",
        "wide.csv",
    }
    ok = ledger[ledger.status == "ok"]
    assert (ok.rows_landed == ok.rows_bronze + ok.rows_quarantined + ok.rows_duplicate).all()
    assert ok.set_index(ok.file.map(lambda p: Path(p).name)).rows_landed.to_dict() == {
        "renamed.csv": 2, "regions.csv": 4, "mixed.csv": 2, "s.csv": 2, "f.csv": 3}  # fmt: skip

    # the week published for every valid region, and nothing else
    week = lake_dir / "exports" / str(as_of)
    issued = set(lake.read_arrow("gold/clues", filters=[("as_of", "=", as_of)]).column("admdvs").to_pylist())
    folders = {p.name for p in week.iterdir() if p.is_dir()}
    assert folders == issued and all(re.fullmatch(r"[0-9]{6}", f) for f in folders)
    assert not [p for p in (lake_dir / "exports").iterdir() if p.name.startswith(".")]  # no staging left
    names = []
    for book_path in week.glob("*/*.xlsx"):
        book = openpyxl.load_workbook(book_path)
        for ws in book.worksheets:
            for row in ws.iter_rows():
                assert all(c.data_type != "f" for c in row), book_path
        names += [r[4] for r in book["线索清单"].iter_rows(min_row=2, values_only=True)]
    assert '=HYPERLINK("http://x.example/steal","点我")' in names and "某\\x0b医院" in names
    from jobs.publish.deliver import deliver

    assert set(deliver(lake_dir, tmp_path / "outbox", as_of)) == issued | {"省级"}

    # no value of a row in anything people read
    text = _everything_written(lake) + "".join(p.read_text(encoding="utf-8") for p in week.rglob("*.html"))
    for secret in (SECRET_CERTNO, SECRET_NAME, SECRET_ADDR, "<script>alert(5)"):
        assert secret not in text, secret
    province = (week / f"周报_省级_{as_of}.html").read_text(encoding="utf-8")
    assert "非本地区线索" in province and "金额超出线索涉及基金金额" in province
    q = lake.read_arrow("quarantine/clue_feedback").to_pandas()
    assert list(q._reason) == ["out_of_bounds:verified_amt"]
