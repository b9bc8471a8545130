"""Deliver a week's exports: each region's folder to that region's outbox, the province reports to the
province's. A region's outbox receives its own files only. Copies land in a temporary folder first and
are renamed into place, so a reader never sees half a delivery; delivering the same week again replaces it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from pathlib import Path

from jobs.lake.files import sha256_of
from jobs.lake.tables import OUTBOX, PROVINCE, week_exports
from jobs.publish.exports import check_published
from jobs.runtime.settings import Settings

log = logging.getLogger(__name__)


def _place(files: list[Path], target: Path) -> None:
    tmp = target.with_name(f".{target.name}.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for f in files:
        shutil.copy2(f, tmp / f.name)
    manifest = {f.name: sha256_of(tmp / f.name) for f in files}
    (tmp / "MANIFEST.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    old = target.with_name(f".{target.name}.old")
    if target.exists():
        target.rename(old)
    tmp.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def deliver(lake_root: Path, outbox: Path, as_of: dt.date) -> dict[str, int]:
    """Copy ``<lake>/exports/<as_of>`` to ``<outbox>/<admdvs>/<as_of>/`` and ``<outbox>/省级/<as_of>/``.

    Returns files delivered per recipient.
    """
    week = week_exports(lake_root, as_of)
    if not week.is_dir():
        raise FileNotFoundError(f"nothing to deliver: {week} does not exist (run `fundwatch publish` first)")
    check_published(week)  # a week whose publish did not complete is not delivered
    out = {}
    for region in sorted(p for p in week.iterdir() if p.is_dir()):
        files = sorted(f for f in region.iterdir() if f.is_file() and not f.name.startswith("."))
        _place(files, Path(outbox) / region.name / as_of.isoformat())
        out[region.name] = len(files)
    files = sorted(f for f in week.iterdir() if f.is_file() and not f.name.startswith("."))
    _place(files, Path(outbox) / PROVINCE / as_of.isoformat())
    out[PROVINCE] = len(files)
    log.info("delivered %s to %s", ", ".join(f"{k}: {v} files" for k, v in out.items()), outbox)
    return out


def run(spark, settings: Settings, as_of: dt.date, outbox: Path | None = None) -> dict[str, int]:
    """The deliver stage: the week's exports of the lake of ``settings`` to ``outbox`` (default ``[publish]
    outbox``, else ``<lake>/outbox``). Needs no Spark: ``spark`` is None from the command line."""
    lake = Path(settings.lake)
    outbox = outbox or (Path(settings.publish.outbox) if settings.publish.outbox else lake / OUTBOX)
    return deliver(lake, outbox, as_of)
