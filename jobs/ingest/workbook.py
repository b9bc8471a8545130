"""Feedback returned in the workbook itself (issue #18): the 核查反馈 sheet of a region's 线索清单 workbook,
filled in Excel and landed in ``clue_feedback/`` as ``.xlsx``, is read into a CSV copy with the contract's
column names, so that it goes through the same checks, suites and quarantine as a CSV delivery.

A workbook is hostile input like any landed file: its parts are size-checked before anything is parsed
(a zip bomb expands to gigabytes), its XML is parsed with defusedxml (openpyxl uses it when installed:
entity-expansion attacks are refused), formulas are never evaluated (cached values only), and a cell longer
than a CSV line may be rejects the file. Rows whose 核查状态 is empty are clues not answered yet: skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import zipfile
from pathlib import Path

from jobs.ingest.contract import Table
from jobs.runtime.settings import IngestSettings

log = logging.getLogger(__name__)

FEEDBACK_SHEET = "核查反馈"
MAX_UNPACKED_BYTES = 256 * 1024 * 1024  # all parts of one workbook, uncompressed
MAX_RATIO = 200  # uncompressed / compressed of any part: more is a bomb, not a spreadsheet


def header_names(table: Table) -> dict[str, str]:
    """Header text → contract column: the national name, its aliases, and the Chinese label (with or without
    a unit such as "(元)"), as the workbook's 核查反馈 sheet writes them."""
    names = {}
    for col in table.columns:
        for text in (col.name, *col.aliases, col.label):
            names[text.strip().lower()] = col.name
    return names


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _check_parts(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            parts = z.infolist()
    except zipfile.BadZipFile as exc:
        raise ValueError(f"not a readable .xlsx workbook ({exc})") from exc
    total = sum(p.file_size for p in parts)
    if total > MAX_UNPACKED_BYTES:
        raise ValueError(f"workbook unpacks to {total:,} bytes (limit {MAX_UNPACKED_BYTES:,}): not read")
    for p in parts:
        if p.file_size > 1_000_000 and p.file_size > MAX_RATIO * max(p.compress_size, 1):
            raise ValueError(
                f"workbook part {p.filename!r} is compressed {p.file_size // max(p.compress_size, 1)}:1: not read"
            )


def xlsx_to_csv(path: Path, table: Table, staging: Path, limits: IngestSettings) -> Path:
    """The feedback sheet of ``path`` as a UTF-8 CSV in ``staging`` with contract column names (unknown
    headers kept as they are: they become the row's extras). Raises ValueError to reject the file."""
    from openpyxl import load_workbook

    _check_parts(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a damaged or disguised file
        raise ValueError(f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from exc
    try:
        if FEEDBACK_SHEET in wb.sheetnames:
            ws = wb[FEEDBACK_SHEET]
        elif len(wb.sheetnames) == 1:
            ws = wb[wb.sheetnames[0]]
        else:
            raise ValueError(f"no sheet named {FEEDBACK_SHEET} among {len(wb.sheetnames)} sheets")
        rows = ws.iter_rows(values_only=True)
        header = [_text(v) for v in next(rows, ())]
        names = header_names(table)
        columns = [
            names.get(h.lower(), names.get(h.replace("（", "(").split("(")[0].strip().lower(), h))
            for h in header
        ]
        status = columns.index("status") if "status" in columns else None
        out = staging / (path.name + ".csv")  # beside, never over, a landed CSV's staged copy
        staging.mkdir(parents=True, exist_ok=True)
        kept = skipped = 0
        with out.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(columns)
            for raw in rows:
                cells = [_text(v) for v in raw[: len(columns)]]
                if not any(cells):
                    continue
                if status is not None and (status >= len(cells) or not cells[status]):
                    skipped += 1  # a clue not answered yet
                    continue
                if max(len(c.encode()) for c in cells) > limits.max_line_bytes:
                    raise ValueError(f"a cell longer than {limits.max_line_bytes:,} bytes: not read")
                writer.writerow(cells + [""] * (len(columns) - len(cells)))
                kept += 1
    finally:
        wb.close()
    log.info("%s: %d answered row(s) read from %s, %d not answered yet", path.name, kept, ws.title, skipped)
    return out
