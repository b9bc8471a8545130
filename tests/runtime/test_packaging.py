"""The wheel carries what an installed fundwatch needs (issue #18): the contract's expectation suites, the
defaults, the workbench's templates; and the code finds the suites from where the wheel put them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    src = (
        tmp_path_factory.mktemp("src") / "fundwatch"
    )  # built from a copy: the checkout gets no build/ folder
    top = {".venv", ".git", "bench", "lake", "demo"}  # at the top only: jobs/lake is a package

    def skip(folder, names):
        return [n for n in names if n == "__pycache__" or (Path(folder) == ROOT and n in top)]

    shutil.copytree(ROOT, src, ignore=skip)
    uv = Path(sys.executable).parent / "uv"
    subprocess.run(
        [str(uv), "build", "--wheel", "--out-dir", str(out), "-q", str(src)], check=True, timeout=600
    )
    (found,) = out.glob("fundwatch-*.whl")
    return found


def test_the_wheel_carries_suites_defaults_and_templates(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    suites = {
        f"expectations/{t}.json" for t in ("psn", "fixmedins", "mdtrt", "setl", "fee_list", "clue_feedback")
    }
    assert suites <= names
    assert "jobs/defaults.toml" in names and "jobs/workbench/templates/clue.html" in names
    assert not any(n.startswith(("tests/", "bench/", "dags/")) for n in names)


def test_an_installed_wheel_finds_its_own_suites(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)  # what pip puts in site-packages
    code = (
        "from jobs.ingest.expectations import EXPECTATIONS_DIR, load_suite_dict; "
        "print(EXPECTATIONS_DIR); assert load_suite_dict('fee_list')['expectations']"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONPATH": str(site)}
    # -S: no site-packages, so not the editable checkout either; the libraries come from the venv explicitly
    venv_site = next(Path(sys.executable).parent.parent.glob("lib/python3*/site-packages"))
    run = subprocess.run(
        [sys.executable, "-S", "-c", f"import sys; sys.path.append({str(venv_site)!r}); {code}"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == str(site / "expectations")


def test_make_refuses_another_python_and_locks_on_a_fresh_clone(tmp_path):
    """The lock is for CPython 3.11: make says so before installing anything with another interpreter; and
    `make lock` bootstraps its own uv instead of needing an installed venv."""
    fake = tmp_path / "python3"
    fake.write_text("#!/bin/sh\necho 3.13\n")  # answers like a Python 3.13 would to the version probe
    fake.chmod(0o755)
    run = subprocess.run(
        ["make", "-s", "check-python", f"PYTHON={fake}"], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode != 0 and "needs Python 3.11" in run.stdout + run.stderr
    assert subprocess.run(["make", "-s", "check-python"], cwd=ROOT).returncode == 0
    # a fresh clone (no venv): the dry run of `make lock` creates the venv and its uv before resolving
    plan = subprocess.run(
        ["make", "-n", "lock", f"VENV={tmp_path / 'venv'}"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    assert plan.index("-m venv") < plan.index('pip install -q "uv==') < plan.index("uv pip compile")


def _pins(path: Path) -> dict[str, str]:
    lines = path.read_text().splitlines()
    return dict(ln.split("==", 1) for ln in lines if ln and not ln.startswith((" ", "#")) and "==" in ln)


def test_cluster_nodes_get_the_runtime_only_pinned_like_the_venv():
    """requirements-runtime.lock (what `spark-submit` nodes install) holds no test, lint, notebook or bench
    tool, and pins every package it has as the project's venv does."""
    runtime, everything = _pins(ROOT / "requirements-runtime.lock"), _pins(ROOT / "requirements.lock")
    for tool in ("pytest", "ruff", "hypothesis", "selenium", "ipykernel", "jupytext", "duckdb", "nbclient"):
        assert tool not in runtime and tool in everything, tool
    assert {"pyspark", "scikit-learn", "mlflow", "shap", "deltalake"} <= set(runtime)
    assert {k: everything.get(k) for k in runtime} == runtime
