"""What regulators open cannot run, mis-route or half-arrive: formulas, control characters, region folders,
and a week published whole (jobs/publish/exports.py, publish.export, deliver)."""

from __future__ import annotations

import csv
import datetime as dt

import openpyxl
import pandas as pd
import pytest

from jobs.publish import exports
from jobs.publish.clues import EXPORT_COLUMNS, REGISTER_COLUMNS, SETL_COLUMNS, WHY_CODE, WHY_OTHER, export
from jobs.publish.deliver import deliver

AS_OF = dt.date(2026, 1, 8)
HOSTILE = [
    '=HYPERLINK("http://x.example/steal","点我")',
    "=cmd|' /C calc'!A0",
    "+1+2",
    "-3+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]


def _clues(names: list[str], ids: list[str]) -> pd.DataFrame:
    rows = []
    for i, (name, eid) in enumerate(zip(names, ids, strict=True)):
        rows.append(
            {
                "clue_id": f"FW-F-{i:012d}",
                "region_rank": i + 1,
                "entity_type": "fixmedins",
                "entity_type_zh": "定点医药机构",
                "entity_id": eid,
                "entity_name": name,
                "certno_masked": "",
                "admdvs": "130302",
                "risk_score": 0.9,
                "clue_types": "次均费用偏高",
                "issue_kind": "新线索",
                "evidence": "近365天：…",
                "new_evidence": "",
                "fund_amount": 1234.5,
                "n_setl": 2,
                "model_version": "fundwatch_fixmedins/1",
                "due_date": AS_OF + dt.timedelta(days=42),
                "as_of": AS_OF,
                "setl_ids": [f"=S{i}", "S2"],
            }
        )
    return pd.DataFrame(rows)


def _register(clues: pd.DataFrame) -> pd.DataFrame:
    reg = clues[["clue_id", "entity_type", "entity_id", "entity_name", "clue_types", "admdvs"]].copy()
    reg["first_issued"] = reg["last_issued"] = AS_OF
    reg["due_date"] = AS_OF + dt.timedelta(days=42)
    reg["status"], reg["overdue"] = "查实", False
    reg["feedback_date"] = AS_OF
    reg["verified_amt"] = [__import__("decimal").Decimal("12.30")] * len(reg)  # as silver holds them
    reg["recovered_amt"] = [None] * len(reg)
    return reg


def test_no_cell_of_the_workbook_or_the_csv_is_live(tmp_path):
    ids = ["=1+1", "@x", "H3", "-2", "+9", "H6", "H7"]
    clues = _clues(HOSTILE, ids)
    export(clues, _register(clues), tmp_path, AS_OF)
    book = openpyxl.load_workbook(tmp_path / "130302" / f"线索清单_130302_{AS_OF}.xlsx")
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
    sheet = book["线索清单"]
    header = [c.value for c in sheet[1]]
    names = [
        r[header.index(EXPORT_COLUMNS["entity_name"])] for r in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert names == [n.replace("\r", "\n") for n in HOSTILE]  # shown as written, as text (XML reads CR as LF)
    got_ids = [
        r[header.index(EXPORT_COLUMNS["entity_id"])] for r in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert got_ids == ids
    setl = [r[1] for r in book["涉及结算"].iter_rows(min_row=2, values_only=True)]
    assert "=S0" in setl
    # amounts are numbers in every sheet, dates are dates
    ledger = book["线索台账"]
    lh = [c.value for c in ledger[1]]
    amt = ledger.cell(row=2, column=lh.index(REGISTER_COLUMNS["verified_amt"]) + 1)
    assert amt.data_type == "n" and amt.value == pytest.approx(12.3)
    due = sheet.cell(row=2, column=header.index(EXPORT_COLUMNS["due_date"]) + 1)
    assert due.is_date and due.number_format == "yyyy-mm-dd"
    with (tmp_path / "130302" / f"线索清单_130302_{AS_OF}.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert len(rows) == 1 + len(HOSTILE) and {len(r) for r in rows} == {len(EXPORT_COLUMNS)}
    for row in rows[1:]:
        for value in row:
            assert not value.startswith(exports.FORMULA_START), value
    assert [r[rows[0].index(EXPORT_COLUMNS["entity_name"])] for r in rows[1:]] == ["'" + n for n in HOSTILE]


def test_control_characters_do_not_stop_the_workbook(tmp_path):
    clues = _clues(["某某\x0b医院\x00", "卫生院\x1f"], ["H1", "H2"])
    export(clues, _register(clues), tmp_path, AS_OF)
    book = openpyxl.load_workbook(tmp_path / "130302" / f"线索清单_130302_{AS_OF}.xlsx")
    names = [r[4] for r in book["线索清单"].iter_rows(min_row=2, values_only=True)]
    assert names == ["某某\\x0b医院\\x00", "卫生院\\x1f"]


@pytest.mark.parametrize(
    "code", ["130302\n", "130302\r", "130302\u2028", "130302\r\n", "../x", "13030", "１３０３０２"]
)
def test_a_region_folder_is_six_digits_and_nothing_else(tmp_path, code):
    with pytest.raises(ValueError, match="not six digits"):
        exports.region_dir(tmp_path, code)
    assert exports.region_dir(tmp_path, "130302") == tmp_path / "130302"


def test_a_failed_publish_leaves_the_week_as_it_was_and_is_not_delivered(tmp_path):
    lake = tmp_path / "lake"
    ex = lake / "exports"
    with exports.publishing(ex, AS_OF), exports.staged_week(ex, AS_OF) as out:
        (out / "130302").mkdir()
        (out / "130302" / "a.csv").write_text("v1", encoding="utf-8")
    week = ex / AS_OF.isoformat()
    assert (week / "130302" / "a.csv").read_text(encoding="utf-8") == "v1"
    assert deliver(lake, tmp_path / "out", AS_OF) == {"130302": 1, "省级": 0}
    assert not (tmp_path / "out" / "省级" / AS_OF.isoformat() / exports.PUBLISHED).exists()
    # a second publish of the week dies half-way: the first one's files stay whole, and no staging is left
    with pytest.raises(RuntimeError), exports.publishing(ex, AS_OF), exports.staged_week(ex, AS_OF) as out:
        (out / "130302").mkdir()
        (out / "130302" / "a.csv").write_text("v2", encoding="utf-8")
        raise RuntimeError("IllegalCharacterError")
    assert (week / "130302" / "a.csv").read_text(encoding="utf-8") == "v1"
    assert sorted(p.name for p in ex.iterdir()) == [f".{AS_OF}.publishing", AS_OF.isoformat()]
    with pytest.raises(FileNotFoundError, match="did not complete"):
        deliver(lake, tmp_path / "out", AS_OF)
    # a week folder that no publish completed is not delivered either
    (ex / "2026-01-15" / "130302").mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match="not a completed publish"):
        deliver(lake, tmp_path / "out", dt.date(2026, 1, 15))


def test_evidence_puts_hard_evidence_first_with_strength_and_leaves_out_figures_that_say_nothing():
    from jobs.publish.clues import evidence_text
    from models.entities import ENTITIES

    pharmacy = {"cost_per_stay": 0.0, "cost_per_stay__med": 0.0, "cost_per_stay_peer": 0.0,
                "cost_per_stay_peer__med": 0.0, "cost_per_visit": 300.0, "cost_per_visit__med": 100.0,
                "cost_per_visit_peer": 3.0, "cost_per_visit_peer__med": 1.0, "rule_strengths": [("F03", 1.0)]}  # fmt: skip
    text = evidence_text(pharmacy, ENTITIES["fixmedins"], ["F03"], window_days=180)
    assert text.startswith("近180天：【次均费用远超同类机构·疑点，强度1.00】")
    assert "住院" not in text and "300" in text
    person = {"n_dx_inconsistent": 1.0, "n_split_adm": 1.0, "rule_strengths": {"P10": 0.9, "P02": 0.3}}
    text = evidence_text(person, ENTITIES["psn"], ["P02", "P10"])
    assert text.index("诊断与性别/年龄不符·硬证据，强度0.90") < text.index("分解住院·疑点，强度0.30")


def test_a_clue_of_the_model_alone_quotes_what_isolated_the_entity_against_its_peers():
    from jobs.publish.clues import evidence_text
    from models.entities import ENTITIES

    person = {"n_adm": 9.0, "n_adm__med": 1.0, "rx_supply_ratio": 0.0, "rx_supply_ratio__med": 0.0,
              "n_readmit": 3.0, "n_readmit__med": 0.0, "rules_fired": [],
              # strongest first: the supply ratio equals its peers' and says nothing
              "model_reasons": {"rx_supply_ratio": 0.9, "n_adm": 0.5, "n_readmit": 0.2}}  # fmt: skip
    text = evidence_text(person, ENTITIES["psn"], [])
    assert text.startswith("近365天：【模型异常特征】")
    assert text.index("住院次数9次(同类中位数1次)") < text.index("(同类中位数0次)")
    assert "rx_supply_ratio" not in text and "供应" not in text
    # a forest that cannot explain itself: the features furthest above their peers still give a reason
    older = {k: v for k, v in person.items() if k != "model_reasons"}
    assert "住院次数9次(同类中位数1次)" in evidence_text(older, ENTITIES["psn"], [])


def test_the_workbook_is_laid_out_for_a_regulator(tmp_path):
    clues = _clues(["某某医院"] * 3, ["H1", "H2", "H3"])
    clues.loc[0, "evidence"] = "近365天：" + "住院次数12次(同类中位数1次)，" * 8  # a long evidence text
    (path,) = [p for p in export(clues, _register(clues), tmp_path, AS_OF) if p.suffix == ".xlsx"]
    book = openpyxl.load_workbook(path)
    sheet = book["线索清单"]
    header = [c.value for c in sheet[1]]
    assert (
        sheet.freeze_panes == "A2"
        and sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}4"
    )
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$1:$1"
    col = {h: sheet.cell(1, i + 1).column_letter for i, h in enumerate(header)}
    amount = sheet[f"{col[EXPORT_COLUMNS['fund_amount']]}2"]
    assert amount.value == 1234.5 and amount.number_format == exports.MONEY
    due = sheet[f"{col[EXPORT_COLUMNS['due_date']]}2"]
    assert isinstance(due.value, dt.datetime) and due.number_format == "yyyy-mm-dd"
    evidence = col[EXPORT_COLUMNS["evidence"]]
    assert sheet.column_dimensions[evidence].width == exports.MAX_WIDTH + 2
    assert sheet[f"{evidence}2"].alignment.wrap_text
    # a Chinese header is as wide as it is drawn: two columns a character
    assert sheet.column_dimensions[col[EXPORT_COLUMNS["clue_types"]]].width >= 2 * len("次均费用偏高") + 2


def test_code_sales_come_first_in_the_settlements_sheet_and_are_quoted(tmp_path):
    """A clue resting on traceability codes lists each code with every sale of it, first sale first, before the
    clue's other settlements (issue #20); the clue's text quotes the first codes; a hostile drug name stays text."""
    from jobs.publish.codes import CODE_COLUMNS, quoted

    clues = _clues(["某药店"], ["Y1"])
    codes = pd.DataFrame(
        [
            (
                "FW-F-000000000000",
                "SA",
                "80000010000000000001",
                1,
                "2025-03-01 09:00",
                "甲药店",
                "张*",
                "=cmd|'",
                30.0,
            ),
            (
                "FW-F-000000000000",
                "SB",
                "80000010000000000001",
                2,
                "2025-04-01 09:00",
                "某药店",
                "李*",
                "=cmd|'",
                30.0,
            ),
            (
                "FW-F-000000000099",
                "SX",
                "80000010000000000009",
                1,
                "2025-03-01 09:00",
                "他药店",
                "王*",
                "药",
                1.0,
            ),
        ],
        columns=list(CODE_COLUMNS),
    )
    text = quoted(codes, "FW-F-000000000000")
    assert text.startswith("【追溯码销售记录】80000010000000000001：2025-03-01 甲药店 张*")
    assert text.index("甲药店") < text.index("某药店") and "王*" not in text
    export(clues, _register(clues), tmp_path, AS_OF, codes=codes)
    book = openpyxl.load_workbook(tmp_path / "130302" / f"线索清单_130302_{AS_OF}.xlsx")
    rows = list(book["涉及结算"].iter_rows(values_only=True))
    header = rows[0]
    assert header == tuple(SETL_COLUMNS.values())
    col = {name: header.index(SETL_COLUMNS[name]) for name in ("setl_id", "why", "seq", "drug")}
    # the code's sales first (not the other clue's), then the clue's settlements
    assert [r[col["setl_id"]] for r in rows[1:]] == ["SA", "SB", "=S0", "S2"]
    assert [r[col["seq"]] for r in rows[1:3]] == [1, 2] and rows[1][col["drug"]] == "=cmd|'"
    assert [r[col["why"]] for r in rows[1:]] == [WHY_CODE, WHY_CODE, WHY_OTHER, WHY_OTHER]
    assert all(c.data_type != "f" for row in book["涉及结算"].iter_rows() for c in row)
