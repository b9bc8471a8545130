"""The synthetic prefecture follows the contract, at any size, and its labels name real entities."""

from __future__ import annotations

import pytest

from jobs.ingest.contract import TABLES
from jobs.synthetic import GenConfig, Generator, generate


@pytest.mark.parametrize("persons,seed", [(200, 1), (257, 3), (400, 2), (1500, 7)])
def test_generated_tables_follow_the_contract(persons, seed):
    t = Generator(GenConfig(persons=persons, seed=seed)).run()
    for name, table in TABLES.items():
        if name in t:
            assert set(table.required) <= set(t[name].columns), name
            assert not t[name][list(table.key)].duplicated().any(), name
            for col in table.required:
                assert t[name][col].notna().all(), (name, col)
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    for certno in t["psn"].certno:
        assert (
            "10X98765432"[sum(int(d) * w for d, w in zip(certno[:17], weights, strict=True)) % 11]
            == certno[17]
        )
    labels = t["labels"]
    assert set(labels[labels.entity_type == "psn"].entity_id) <= set(t["psn"].psn_no)
    assert set(labels[labels.entity_type == "fixmedins"].entity_id) <= set(t["fixmedins"].fixmedins_code)
    assert {"frequent_admission", "heavy_prescription", "clustered_admissions", "similar_amounts"} <= set(
        labels.fraud_type
    )
    refunds = t["setl"][t["setl"].refd_setl_flag == "1"]
    assert (refunds.medfee_sumamt <= 0).all()
    assert set(refunds.mdtrt_id) <= set(t["mdtrt"].mdtrt_id)


def test_too_small_a_prefecture_is_refused_clearly(tmp_path):
    with pytest.raises(ValueError, match="at least 200"):
        generate(tmp_path, persons=50)
