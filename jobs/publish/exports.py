"""Files that regulators open: cells that can never run, region folders that are regions, weeks that are
published whole or not at all.

* A text cell never becomes a formula. Landed text reaches the workbooks (institution names, IDs), and a
  value such as ``=HYPERLINK("http://…","点我")`` or ``=cmd|' /C calc'!A0`` would be live in Excel. In XLSX every
  text cell is written as a string cell (openpyxl data type ``s``), whatever it starts with; in CSV a text
  cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR gets the OWASP prefix ``'``.
* Control characters that XLSX cannot hold (a vertical tab in a name made openpyxl raise after half the
  regions were written) are shown as ``\\x0b``-style escapes.
* A region's folder is named by a six-digit region code and nothing else.
* A week is written into a staging folder and swapped into ``exports/<as_of>`` when every file is there
  (``staged_week``); ``deliver`` refuses a week whose publish did not finish (``check_published``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import html
import json
import math
import re
import shutil
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # the characters XLSX cannot hold

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
REGION = re.compile(r"[0-9]{6}")
PUBLISHED = ".published.json"  # written last into a finished week; dot-files are not delivered


def clean_text(value: str) -> str:
    """Text with the control characters XLSX cannot hold shown as escapes (``\\x0b``)."""
    return ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", value)


def csv_cell(value: object) -> object:
    """A CSV cell that a spreadsheet will not evaluate: text starting like a formula gets a ``'`` prefix."""
    if isinstance(value, str):
        value = clean_text(value)
        return "'" + value if value.startswith(FORMULA_START) else value
    return value


def region_dir(folder: Path, admdvs: object) -> Path:
    """``folder/<admdvs>``, refusing anything but six ASCII digits (a code ending in a line break passed a
    ``^\\d{6}$`` check once and made a folder nobody reads)."""
    code = str(admdvs)
    if not REGION.fullmatch(code):
        raise ValueError(f"refusing to write a region folder for region code {code!r}: not six digits")
    return folder / code


def write_csv(df: pd.DataFrame, path: Path) -> Path:
    """UTF-8 with BOM (Excel opens it as UTF-8), CRLF rows, every text cell made inert (``csv_cell``)."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(csv_cell)
    # CRLF rows: the csv module then quotes any field holding a CR or an LF (with "\n" rows, a lone CR
    # inside a name went out unquoted and split the row in Excel)
    out.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return path


def _xlsx_value(value: object) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, (list, tuple, set, dict)):
        return clean_text(", ".join(map(str, value)) if not isinstance(value, dict) else json.dumps(value))
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


MAX_WIDTH = 60  # characters: a wider column wraps its text
MONEY = "#,##0.00"  # columns whose header names an amount (金额, 元)


def _width(value: object) -> int:
    """Display width of a cell: a CJK character takes two columns."""
    text = value.isoformat() if isinstance(value, dt.date) else str(value if value is not None else "")
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def write_xlsx(
    path: Path, sheets: dict[str, pd.DataFrame], choices: dict[str, dict[str, Sequence[str]]] | None = None
) -> Path:
    """One workbook, a sheet per frame, laid out for a regulator: text cells are strings (never formulas),
    numbers numbers, dates dates (shown ``yyyy-mm-dd``), amounts with thousands separators; the header row
    frozen and filterable, columns as wide as their content (long text wrapped), printed landscape, one page
    wide. ``choices``: sheet → column → the values its cells may take, offered as a drop-down list (Excel's
    data validation; other values are refused as they are typed)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    wb.remove(wb.active)
    for name, df in sheets.items():
        ws = wb.create_sheet(title=name)
        ws.append([str(c) for c in df.columns])
        for header in ws[1]:
            header.data_type = "s"
            header.font = Font(bold=True)
        widths = [_width(c) for c in df.columns]
        money = [("金额" in str(c) or "(元)" in str(c)) for c in df.columns]
        for r, row in enumerate(df.itertuples(index=False, name=None), start=2):
            for c, raw in enumerate(row, start=1):
                value = _xlsx_value(raw)
                cell = ws.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # openpyxl made text starting with "=" a formula: undo it
                elif isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(value, int | float) and money[c - 1]:
                    cell.number_format = MONEY
                widths[c - 1] = max(widths[c - 1], _width(value))
        for c, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(c)].width = min(w, MAX_WIDTH) + 2
            if w > MAX_WIDTH:
                for (cell,) in ws.iter_rows(min_row=2, min_col=c, max_col=c):
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.freeze_panes = "A2"
        if len(df.columns):
            ws.auto_filter.ref = f"A1:{get_column_letter(len(df.columns))}{max(len(df) + 1, 1)}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = "1:1"
        for column, allowed in (choices or {}).get(name, {}).items():
            if column not in df.columns or not len(df):
                continue
            letter = get_column_letter(list(df.columns).index(column) + 1)
            dv = DataValidation(type="list", formula1='"' + ",".join(allowed) + '"', allow_blank=True)
            dv.error, dv.errorTitle = "请从下拉列表中选择：" + "、".join(allowed), str(column)
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{len(df) + 1}")
    wb.save(path)
    return path


# -- a week published whole --------------------------------------------------------------------------
def _started(exports: Path, as_of: dt.date | str) -> Path:
    return exports / f".{as_of if isinstance(as_of, str) else as_of.isoformat()}.publishing"


@contextlib.contextmanager
def publishing(exports: Path, as_of: dt.date) -> Iterator[None]:
    """Marks a week's publish as under way for as long as it runs (gold/clues, then the files): a crash
    leaves the mark, and ``deliver`` refuses the week until a publish completes."""
    exports.mkdir(parents=True, exist_ok=True)
    mark = _started(exports, as_of)
    mark.write_text(time.strftime("%Y-%m-%dT%H:%M:%S"), encoding="utf-8")
    yield
    mark.unlink(missing_ok=True)


@contextlib.contextmanager
def staged_week(exports: Path, as_of: dt.date, summary: dict | None = None) -> Iterator[Path]:
    """A staging folder to write the week's files into; on success it replaces ``exports/<as_of>`` in one
    rename (after a ``PUBLISHED`` marker is written into it). On failure the staging folder is removed and
    the week's previous files, if any, stay as they were."""
    exports.mkdir(parents=True, exist_ok=True)
    stage = exports / f".{as_of.isoformat()}.staging-{uuid.uuid4().hex[:8]}"
    stage.mkdir()
    try:
        yield stage
        (stage / PUBLISHED).write_text(
            json.dumps(
                {
                    "as_of": as_of.isoformat(),
                    "published_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
                    **(summary or {}),
                },
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
        final = exports / as_of.isoformat()
        old = exports / f".{as_of.isoformat()}.old-{uuid.uuid4().hex[:8]}"
        if final.exists():
            final.rename(old)
        stage.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def check_published(week: Path) -> None:
    """Raise FileNotFoundError unless ``week`` (``exports/<as_of>``) holds a completed publish."""
    as_of = week.name
    started = _started(week.parent, as_of)
    if started.exists():
        raise FileNotFoundError(
            f"the publish of {as_of} started at {started.read_text(encoding='utf-8')} did not complete: "
            f"run `fundwatch publish --as-of {as_of}` again before delivering"
        )
    if not (week / PUBLISHED).exists():
        raise FileNotFoundError(
            f"{week} is not a completed publish (no {PUBLISHED}): run `fundwatch publish --as-of {as_of}`"
        )


# The HTML pages (weekly and data-quality reports) share one look and one way of writing a table.
HTML_CSS = """body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px}
th{background:#f0f3f7}h1{font-size:22px}h2{font-size:17px;margin-top:1.6em}.bad{color:#b00020}"""


def html_table(df: pd.DataFrame, empty: str) -> str:
    """A table of a report page (escaped); ``empty`` said instead when there are no rows."""
    if df.empty:
        return f"<p>{html.escape(empty)}</p>"
    return df.to_html(index=False, escape=True, border=0)
