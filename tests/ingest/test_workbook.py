"""Feedback in the workbook itself (issue #18): the 核查反馈 sheet regions fill in Excel and return as .xlsx."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from jobs.ingest.contract import TABLES
from jobs.ingest.workbook import FEEDBACK_SHEET, xlsx_to_csv
from jobs.runtime.settings import IngestSettings

FEEDBACK = TABLES["clue_feedback"]


def _book(
    path, rows, header=("线索编号", "核查状态", "查实金额(元)", "反馈日期", "备注"), title=FEEDBACK_SHEET
):
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    wb.create_sheet("汇总")
    wb.save(path)
    return path


def test_the_sheet_is_read_by_its_chinese_headers_and_unanswered_rows_are_skipped(tmp_path):
    path = _book(tmp_path / "f.xlsx", [
        ("C1", "查实", 1234.5, dt.datetime(2026, 1, 9), "已追回"),
        ("C2", None, None, None, None),  # not answered yet
        ("C3", "不属实", None, dt.date(2026, 1, 10), "=HYPERLINK(\"http://x\")"),  # typed text, never evaluated
        (None, None, None, None, None),
    ])  # fmt: skip
    out = pd.read_csv(xlsx_to_csv(path, FEEDBACK, tmp_path / "staging", IngestSettings()), dtype=str)
    assert list(out.columns) == ["clue_id", "status", "verified_amt", "feedback_date", "note"]
    assert list(out.clue_id) == ["C1", "C3"]
    assert list(out.verified_amt.fillna("")) == ["1234.5", ""]
    assert list(out.feedback_date) == ["2026-01-09", "2026-01-10"]


def test_a_formula_cell_gives_no_value_and_a_bomb_or_a_disguised_file_is_refused(tmp_path):
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML  # openpyxl parses the workbook's XML with defusedxml: entity expansion is refused
    wb = Workbook()
    ws = wb.active
    ws.title = FEEDBACK_SHEET
    ws.append(["线索编号", "核查状态", "反馈日期"])
    ws.append(["C1", "查实", "=TODAY()"])  # a live formula: its value was never computed, nothing is read
    wb.save(tmp_path / "formula.xlsx")
    out = pd.read_csv(
        xlsx_to_csv(tmp_path / "formula.xlsx", FEEDBACK, tmp_path / "s", IngestSettings()), dtype=str
    )
    assert out.feedback_date.isna().all()

    (tmp_path / "fake.xlsx").write_text("clue_id,status\nC1,查实\n")
    with pytest.raises(ValueError, match="not a readable .xlsx"):
        xlsx_to_csv(tmp_path / "fake.xlsx", FEEDBACK, tmp_path / "s", IngestSettings())
    with zipfile.ZipFile(tmp_path / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * 50_000_000)
    with pytest.raises(ValueError, match="compressed"):
        xlsx_to_csv(tmp_path / "bomb.xlsx", FEEDBACK, tmp_path / "s", IngestSettings())
    _book(tmp_path / "two.xlsx", [("C1", "查实")], title="Sheet")
    with pytest.raises(ValueError, match="no sheet named 核查反馈"):
        xlsx_to_csv(tmp_path / "two.xlsx", FEEDBACK, tmp_path / "s", IngestSettings())


@pytest.mark.spark
@pytest.mark.slow
def test_a_region_answers_in_its_workbook_and_the_next_publish_counts_it(demo, tmp_path):
    from jobs.cli import main
    from jobs.lake import Lake
    from jobs.lake.tables import CLUES

    _, demo_lake, as_of = demo
    lake_dir = shutil.copytree(demo_lake, tmp_path / "lake")
    clues = Lake(lake_dir).read_arrow(CLUES).to_pandas()
    clues = clues[clues.as_of == as_of]
    admdvs = clues.admdvs.value_counts().index[0]
    mine = clues[clues.admdvs == admdvs].set_index("clue_id")
    (book,) = (lake_dir / "exports" / str(as_of) / admdvs).glob("线索清单_*.xlsx")
    wb = load_workbook(book)
    ws = wb[FEEDBACK_SHEET]
    header = [c.value for c in ws[1]]
    col = {h: i + 1 for i, h in enumerate(header)}
    ids = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]
    assert set(ids) == set(mine.index)  # every open clue of the region, nothing of another region's
    assert {ws.cell(r, col["反馈地区医保区划"]).value for r in range(2, ws.max_row + 1)} == {admdvs}
    (dv,) = [d for d in ws.data_validations.dataValidation if "查实" in d.formula1]
    assert dv.type == "list" and str(dv.sqref).startswith(
        f"{book and ws.cell(2, col['核查状态']).column_letter}2"
    )

    confirmed, dismissed, undated = ids[0], ids[1], ids[2]
    verified = round(float(mine.fund_amount[confirmed]) / 2, 2)
    ws.cell(2, col["核查状态"], "查实")
    ws.cell(2, col["查实金额(元)"], verified)
    ws.cell(2, col["反馈日期"], as_of)
    ws.cell(3, col["核查状态"], "不属实")
    ws.cell(3, col["反馈日期"], as_of)
    ws.cell(4, col["核查状态"], "查实")  # no date: quarantined, named
    landing = tmp_path / "landing" / "clue_feedback"
    landing.mkdir(parents=True)
    wb.save(landing / f"核查反馈_{admdvs}.xlsx")
    assert main(["ingest", "--landing", str(landing.parent), "--lake", str(lake_dir)]) == 0

    lake = Lake(lake_dir)
    silver = lake.read_arrow("silver/clue_feedback").to_pandas().set_index("clue_id")
    assert silver.status.to_dict() == {confirmed: "查实", dismissed: "不属实"}
    assert float(silver.verified_amt[confirmed]) == pytest.approx(verified)
    q = lake.read_arrow("quarantine/clue_feedback").to_pandas()
    assert list(q.clue_id) == [undated] and "missing:feedback_date" in q._reason.iloc[0]

    assert main(["publish", "--lake", str(lake_dir), "--as-of", str(as_of)]) == 0
    register = pd.read_excel(book, sheet_name="线索台账", dtype=str).set_index("线索编号")
    assert register.loc[confirmed, "核查状态"] == "查实" and register.loc[dismissed, "核查状态"] == "不属实"
    reopened = pd.read_excel(book, sheet_name=FEEDBACK_SHEET, dtype=str)
    assert confirmed not in set(reopened["线索编号"]) and undated in set(reopened["线索编号"])
