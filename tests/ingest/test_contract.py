"""The expectation suites on disk are the contract's, and every expectation has a row-level translation."""

from __future__ import annotations

import json

import pytest

from jobs.ingest.contract import TABLES
from jobs.ingest.expectations import EXPECTATIONS_DIR, failure_predicates, suite_dict


@pytest.mark.parametrize("table", sorted(TABLES))
def test_suite_file_matches_contract(table):
    on_disk = json.loads((EXPECTATIONS_DIR / f"{table}.json").read_text(encoding="utf-8"))
    assert on_disk == suite_dict(TABLES[table]), "run `fundwatch expectations` and commit the result"


@pytest.mark.spark
@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_expectation_translates_to_a_row_predicate(spark, table):
    suite = suite_dict(TABLES[table])
    preds = failure_predicates(suite)
    assert len(preds) == len(suite["expectations"])
    assert all(reason for reason, _ in preds)


def test_required_columns_follow_the_contract_readme():
    # a few fixed points of ../shared/contract/README.md
    assert TABLES["setl"].column("psn_cash_pay").aliases == ("cash_payamt",)
    assert TABLES["fee_list"].key == ("feedetl_sn",)
    assert "psn_no" not in TABLES["fee_list"].column_names
    assert TABLES["opsp_reg"].key == ("psn_no", "opsp_dise_code", "begndate")
    assert set(TABLES["psn"].required) == {
        "psn_no",
        "certno",
        "psn_name",
        "gend",
        "brdy",
        "insutype",
        "insuplc_admdvs",
    }
