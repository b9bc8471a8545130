"""Slow imports started ahead of their use, in a background thread of the driver.

shap (publish's explanations of the forest) takes about 7 s to import. Publish first spends longer waiting on
Spark for its candidates, with the driver's Python idle: importing there is free (publish at 1M persons:
61-63 s → 56-58 s). Python's import lock makes the later ``import`` wait for the thread or find the module
loaded. Tried for Great Expectations in ingest and dropped: the first table's batch is written too soon
after the start for the import to hide behind it (no measurable gain)."""

from __future__ import annotations

import contextlib
import importlib
import threading


def _import_quietly(module: str) -> None:
    # a failure is left for the real import to raise, where it names its cause
    with contextlib.suppress(Exception):
        importlib.import_module(module)


def import_ahead(*modules: str) -> None:
    """Start importing ``modules`` in a daemon thread and return at once."""
    threading.Thread(target=lambda: [_import_quietly(m) for m in modules], daemon=True).start()
