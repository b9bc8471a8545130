"""Files at rest in and beside the lake: how one is recognised (landed files in the ledger, delivered files in
their manifests)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def sha256_of(path: Path) -> str:
    """The file's SHA-256 (hex), read in 1 MiB chunks: how a re-sent file is recognised."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
