"""Notebooks run on a real (small) lake: stored as jupytext scripts, executed as notebooks here."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.py"))
# what each notebook must leave behind: a figure it saves and a line it prints
EXPECTED = {
    "explore_scores": ("tiers_by_region.png", "entities scored"),
    "draw_ring": ("ring.png", "occasions"),
    "challenger": ("challenger_vs_champion.png", "labels_top_k_overlap"),
    "explain_entity": ("explanation.png", "top features"),
    "drift": ("drift_psi.png", "PSI against training"),
}
# notebooks that write to the lake (the challenger registers a model) get a copy of the shared demo lake
WRITES = {"challenger"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes(path, demo, tmp_path, monkeypatch):
    import jupytext
    from nbclient import NotebookClient

    landing, lake_dir, _ = demo
    if path.stem in WRITES:
        lake_dir = shutil.copytree(lake_dir, tmp_path / "lake")
    monkeypatch.setenv("FUNDWATCH_LAKE", str(lake_dir))
    monkeypatch.setenv("FUNDWATCH_LABELS", str(landing / "labels.csv"))
    monkeypatch.setenv("FUNDWATCH_NOTEBOOK_OUT", str(tmp_path))
    nb = jupytext.read(path)
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    figure, line = EXPECTED[path.stem]
    assert (tmp_path / figure).stat().st_size > 1000
    outputs = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    assert line in outputs


def test_every_notebook_says_what_it_leaves_behind():
    assert NOTEBOOKS and {p.stem for p in NOTEBOOKS} == set(EXPECTED)
