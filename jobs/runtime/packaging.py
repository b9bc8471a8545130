"""The zip of fundwatch's own packages that ``spark-submit --py-files`` ships to a cluster's executors."""

from __future__ import annotations

import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("jobs", "features", "models")


def build_pyfiles(out: Path) -> Path:
    """Write ``out`` (a zip of jobs/, features/, models/ with jobs/defaults.toml) and return it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for pkg in PACKAGES:
            for f in sorted((ROOT / pkg).rglob("*")):
                if f.suffix in (".py", ".toml") and "__pycache__" not in f.parts:
                    zf.write(f, f.relative_to(ROOT).as_posix())
    return out


if __name__ == "__main__":
    import sys

    print(build_pyfiles(Path(sys.argv[1] if len(sys.argv) > 1 else "dist/fundwatch-pyfiles.zip")))
