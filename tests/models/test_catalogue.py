"""The detector catalogue is generated from the code and must match the committed page."""

from __future__ import annotations

from pathlib import Path

from models.catalogue import render
from models.rules import RULES

PAGE = Path(__file__).resolve().parents[2] / "docs" / "detectors.md"


def test_committed_catalogue_matches_the_code():
    assert PAGE.read_text(encoding="utf-8") == render(), "run `make detectors` and commit docs/detectors.md"


def test_catalogue_lists_every_rule_with_threshold_and_source():
    text = render()
    for r in RULES:
        assert f"## {r.rule_id} {r.clue_type}" in text
        assert r.sql() in text and r.source in text
        assert r.params, f"{r.rule_id} has no configurable threshold"
