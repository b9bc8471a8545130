import numpy as np
import pandas as pd
import pytest

from jobs.publish.report import drift_section
from models.drift import WARN, WATCH, drift_table, psi


def test_psi_is_zero_for_the_same_distribution_and_grows_with_a_shift():
    rng = np.random.default_rng(0)
    before = rng.gamma(2.0, 100.0, 20_000)
    assert psi(before, rng.gamma(2.0, 100.0, 20_000)) < 0.01
    moved = psi(before, rng.gamma(2.0, 130.0, 20_000))
    assert WATCH <= moved < psi(before, rng.gamma(2.0, 200.0, 20_000))
    assert psi(before, []) != psi(before, [])  # NaN without data


def test_psi_handles_counts_with_few_values():
    """Mostly-zero counts (admissions per person) give a handful of bins, not ten equal quantiles."""
    rng = np.random.default_rng(1)
    before = rng.poisson(0.2, 10_000)
    assert psi(before, rng.poisson(0.2, 10_000)) < 0.01
    assert psi(before, rng.poisson(0.6, 10_000)) >= WARN


def test_drift_table_ranks_the_columns_that_moved():
    rng = np.random.default_rng(2)
    before = pd.DataFrame({"a": rng.normal(0, 1, 5000), "b": rng.normal(0, 1, 5000)})
    now = pd.DataFrame({"a": rng.normal(0, 1, 5000), "b": rng.normal(1.5, 1, 5000), "c": 1.0})
    table = drift_table(before, now, ["a", "b", "c"])
    assert list(table.column) == ["b", "a"]  # c is new this week: nothing to compare with
    assert list(table.level) == ["warn", "stable"]
    assert table.median_now.iloc[0] == pytest.approx(1.5, abs=0.1)


def test_the_report_lists_what_moved_in_chinese():
    drift = pd.DataFrame(
        {
            "column": ["risk_score", "n_adm"],
            "psi": [0.31, 0.02],
            "median_before": [0.3, 0.0],
            "median_now": [0.4, 0.0],
            "level": ["warn", "stable"],
            "entity_type": ["psn", "psn"],
        }
    )
    html = drift_section(drift)
    assert "风险分值" in html and "警告" in html and "n_adm" not in html
    assert "首周运行" in drift_section(pd.DataFrame())
    assert "分布稳定" in drift_section(drift.iloc[1:])
