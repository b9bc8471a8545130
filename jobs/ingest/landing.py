"""What is in a landing folder, before Spark reads it: which entries can be read, and what each file's
lines look like.

Everything here works on bytes and names, so that a hostile or careless delivery is named in a rejection
instead of being skipped in silence or stopping the run:

* Spark skips files whose names start with ``_`` or ``.``; such a file would be recorded as ingested with
  0 rows, and the same content re-sent under a proper name would then be skipped as already ingested. They
  are refused, as are unknown extensions, sub-folders and symbolic links that lead out of the landing.
* A CSV line longer than ``max_line_bytes`` (one giant field exhausts the JVM's memory) or with more fields
  than ``max_columns`` (Spark's parser stops the whole job) rejects its file, and only that file.
* Lines may end in LF, CRLF or CR; Spark's CSV reader recognises one kind per file, so a file that mixes
  them is read through a copy with every line ending made LF (``normalized_copy``).

Messages name files, line numbers and limits, never a value from a row: the first line of a file without
its header row is a person's data.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

READABLE = (".csv", ".parquet")
WORKBOOK_TABLES = (
    "clue_feedback",
)  # .xlsx too: regions return the workbook's 核查反馈 sheet (ingest/workbook.py)
CHUNK = 1 << 24  # 16 MiB of a file at a time


def refusal(path: Path, landing: Path) -> str | None:
    """Why an entry of a table folder cannot be ingested, or None when it can be read."""
    name = path.name
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return "symbolic link to nothing (or a loop): not read"
        if not target.is_relative_to(landing.resolve()):
            return "symbolic link pointing outside the landing zone: refused"
    if path.is_dir():
        return "a folder inside a table folder is not read: land files directly in the table's folder"
    if not path.is_file():
        return "not a regular file: not read"
    if name.startswith((".", "_")):
        return "file name starts with '.' or '_' (hidden to Spark, which would skip it): rename it and land it again"
    if name.lower().endswith(".xlsx") and path.parent.name in WORKBOOK_TABLES:
        return None
    if not name.lower().endswith(READABLE):
        extra = " (.xlsx only for clue_feedback)" if name.lower().endswith(".xlsx") else ""
        return f"unsupported file type (name must end in .csv or .parquet exactly{extra}): {name!r}"
    return None


@dataclass(frozen=True)
class LineScan:
    """What a byte scan of a CSV file found: its longest line and most fields, and its line endings."""

    lines: int
    longest: int  # bytes, terminator excluded
    longest_at: int  # 1-based line number
    most_fields: int  # commas + 1 on one physical line: an upper bound (quoted commas count too)
    most_fields_at: int
    crlf: int
    bare_lf: int
    bare_cr: int

    @property
    def mixed_endings(self) -> bool:
        """True when Spark would misread the lines: a lone CR anywhere, or CRLF beside lone LF."""
        return self.bare_cr > 0 or (self.crlf > 0 and self.bare_lf > 0)


def scan_lines(path: Path, chunk: int = CHUNK) -> LineScan:
    """One pass over the file's bytes (numpy, about a gigabyte a second): lengths, fields, line endings.

    CR, LF and CRLF each end a line. Works for UTF-8 and GB18030 alike (neither uses the bytes of ``,``,
    CR or LF inside a multi-byte character).
    """
    found = {"lines": 0, "longest": 0, "longest_at": 0, "most_fields": 0, "most_fields_at": 0}
    crlf = bare_lf = bare_cr = 0
    pending_len = pending_commas = 0  # bytes and commas of the line not yet ended
    prev_cr = False  # the previous chunk ended in a CR whose meaning the next byte decides

    def ended(lengths: np.ndarray, commas: np.ndarray) -> None:
        if not len(lengths):
            return
        i, j = int(lengths.argmax()), int(commas.argmax())
        if lengths[i] > found["longest"] or not found["longest_at"]:
            found["longest"], found["longest_at"] = int(lengths[i]), found["lines"] + i + 1
        if commas[j] + 1 > found["most_fields"]:
            found["most_fields"], found["most_fields_at"] = int(commas[j]) + 1, found["lines"] + j + 1
        found["lines"] += len(lengths)

    with path.open("rb") as fh:
        while True:
            buf = np.frombuffer(fh.read(chunk), dtype=np.uint8)
            if not len(buf):
                break
            is_cr, is_lf = buf == 13, buf == 10
            if prev_cr and not is_lf[0]:  # the CR that ended the last chunk was a line end of its own
                bare_cr += 1
                ended(np.array([pending_len - 1]), np.array([pending_commas]))
                pending_len = pending_commas = 0
            after_cr = np.empty(len(buf), bool)
            after_cr[0] = prev_cr
            after_cr[1:] = is_cr[:-1]
            before_lf = np.zeros(len(buf), bool)
            before_lf[:-1] = is_lf[1:]
            lone_cr = is_cr & ~before_lf
            lone_cr[-1] = False  # undecided until the next chunk
            crlf += int((is_lf & after_cr).sum())
            bare_lf += int((is_lf & ~after_cr).sum())
            bare_cr += int(lone_cr.sum())
            ends = np.flatnonzero(is_lf | lone_cr)
            cum = np.concatenate([[0], np.cumsum(buf == 44)])
            if len(ends):
                starts = np.concatenate([[0], ends[:-1] + 1])
                lengths = ends - starts - (is_lf[ends] & after_cr[ends])  # a CRLF line without its CR
                commas = cum[ends] - cum[starts]
                lengths[0] += pending_len
                commas[0] += pending_commas
                ended(lengths, commas)
                pending_len, pending_commas = len(buf) - int(ends[-1]) - 1, int(cum[-1] - cum[ends[-1] + 1])
            else:
                pending_len, pending_commas = pending_len + len(buf), pending_commas + int(cum[-1])
            prev_cr = bool(is_cr[-1])
    if prev_cr:  # the file ends in a lone CR
        bare_cr += 1
        ended(np.array([pending_len - 1]), np.array([pending_commas]))
    elif pending_len:  # a last line without a terminator
        ended(np.array([pending_len]), np.array([pending_commas]))
    return LineScan(crlf=crlf, bare_lf=bare_lf, bare_cr=bare_cr, **found)


def normalized_copy(path: Path, dest: Path, chunk: int = CHUNK) -> Path:
    """Copy ``path`` to ``dest`` with every CRLF and lone CR made LF; returns ``dest``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    carry = b""
    with path.open("rb") as src, dest.open("wb") as out:
        while True:
            data = src.read(chunk)
            if not data:
                break
            data = carry + data
            carry = b""
            if data.endswith(b"\r"):  # may be the CR of a CRLF split across chunks
                data, carry = data[:-1], b"\r"
            out.write(data.replace(b"\r\n", b"\n").replace(b"\r", b"\n"))
        if carry:
            out.write(b"\n")
    os.utime(dest, None)
    return dest
