"""A full verification cycle on real files: week 1 issues clues, feedback arrives through ingest, week 2
neither repeats dismissed clues nor loses confirmed ones, and the exports and reports show it."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from jobs.lake import Lake

pytestmark = [pytest.mark.spark, pytest.mark.slow]


@pytest.fixture(scope="module")
def cycle(demo, tmp_path_factory):
    from jobs.cli import main

    landing, demo_lake, week1 = demo
    root = tmp_path_factory.mktemp("cycle")
    lake_dir = root / "lake"
    shutil.copytree(demo_lake, lake_dir)  # the demo lake stays as other tests expect it
    lake = Lake(lake_dir)
    w1 = lake.read_arrow("gold/clues").to_pandas()
    psn = w1[w1.entity_type == "psn"].sort_values("risk_score", ascending=False)
    dismissed, confirmed, checking = psn.clue_id.iloc[0], psn.clue_id.iloc[1], psn.clue_id.iloc[2]
    feedback_dir = root / "feedback" / "clue_feedback"
    feedback_dir.mkdir(parents=True)
    region, fund = w1.set_index("clue_id").admdvs, w1.set_index("clue_id").fund_amount
    # amounts as a region writes them (thousands separators), within the clue's fund amount
    verified, recovered = round(fund[confirmed] * 0.6, 2), round(fund[confirmed] * 0.4, 2)
    other = next(a for a in sorted(w1.admdvs.unique()) if a != region[confirmed])
    pd.DataFrame(
        [
            (checking, "核查中", "", "", week1 + dt.timedelta(days=2), "已约谈", region[checking]),
            (dismissed, "核查中", "", "", week1 + dt.timedelta(days=2), "", region[dismissed]),
            (dismissed, "不属实", "", "", week1 + dt.timedelta(days=5), "系真实住院", region[dismissed]),
            (
                confirmed,
                "查实",
                f"{verified:,.2f}",
                f"{recovered}",
                week1 + dt.timedelta(days=6),
                "已追回部分",
                region[confirmed],
            ),
            ("FW-P-000000000000", "查实", "1", "1", week1 + dt.timedelta(days=6), "编号录入错误", other),
            # another region cannot close this region's clue: refused, listed for the province
            (confirmed, "不属实", "", "", week1 + dt.timedelta(days=7), "越权反馈", other),
        ],
        columns=["clue_id", "status", "verified_amt", "recovered_amt", "feedback_date", "note", "admdvs"],
    ).to_csv(feedback_dir / "feedback_week1.csv", index=False, encoding="utf-8-sig")
    assert main(["ingest", "--landing", str(root / "feedback"), "--lake", str(lake_dir)]) == 0
    week2 = week1 + dt.timedelta(days=7)
    # week 2 runs as the operators run it, so that its whole log can be checked for personal data
    proc = subprocess.run(
        [sys.executable, "-m", "jobs.cli", "weekly", "--lake", str(lake_dir), "--as-of", str(week2)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    ids = {
        "dismissed": dismissed,
        "confirmed": confirmed,
        "checking": checking,
        "amounts": (verified, recovered),
    }
    (root / "week2.log").write_text(proc.stdout + proc.stderr, encoding="utf-8")
    return landing, lake_dir, week1, week2, ids


def test_the_weekly_log_holds_no_personal_data(cycle):
    landing, lake_dir, _, _, _ = cycle
    log = (lake_dir.parent / "week2.log").read_text(encoding="utf-8")
    assert "published" in log  # the log is there
    psn = pd.read_parquet(landing / "psn")
    for values in (psn.certno, psn.psn_name[psn.psn_name.str.len() >= 3], psn.live_addr):
        assert not any(v in log for v in values)


def test_week2_does_not_repeat_dismissed_or_unchanged_clues(cycle):
    _, lake_dir, week1, week2, ids = cycle
    clues = Lake(lake_dir).read_arrow("gold/clues").to_pandas()
    w1, w2 = clues[clues.as_of == week1], clues[clues.as_of == week2]
    assert len(w2) > 0
    by_id = w1.set_index("clue_id")
    dismissed_entity = by_id.entity_id[ids["dismissed"]]
    again = w2[w2.entity_id == dismissed_entity]
    # a dismissed entity comes back only with new evidence, as a new clue that names the earlier outcome
    assert again.empty or (again.issue_kind.iloc[0] == "再次下发" and "不属实" in again.new_evidence.iloc[0])
    repeated = w2[w2.entity_id.isin(w1.entity_id)]
    assert (repeated.issue_kind != "新线索").all() and (repeated.new_evidence.str.len() > 0).all()
    # held-back entities leave room: regions still get their full list where enough entities exist
    per_region = w2[w2.entity_type == "psn"].groupby("admdvs").size()
    assert set(per_region.index) == set(w1.admdvs[w1.entity_type == "psn"]) and (per_region == 30).all()
    assert (w2.due_date > week2).all()


def test_confirmed_clues_stay_in_the_register_with_their_amounts(cycle):
    _, lake_dir, week1, week2, ids = cycle
    clues = Lake(lake_dir).read_arrow("gold/clues").to_pandas()
    region = clues.set_index("clue_id").admdvs[ids["confirmed"]]
    book = pd.read_excel(
        lake_dir / "exports" / str(week2) / region / f"线索清单_{region}_{week2}.xlsx",
        sheet_name=None,
        dtype=str,
    )
    ledger = book["线索台账"].set_index("线索编号")
    assert ledger.loc[ids["confirmed"], "核查状态"] == "查实"
    verified, recovered = ids["amounts"]
    assert float(ledger.loc[ids["confirmed"], "查实金额(元)"]) == pytest.approx(verified)
    assert float(ledger.loc[ids["confirmed"], "追回金额(元)"]) == pytest.approx(recovered)
    if ids["dismissed"] in ledger.index:
        assert ledger.loc[ids["dismissed"], "核查状态"] == "不属实"
    summary = dict(zip(book["汇总"]["项目"], book["汇总"]["数值"], strict=True))
    assert int(summary["累计线索 查实"]) >= 1
    # the report shows the outcomes
    report = (lake_dir / "exports" / str(week2) / region / f"周报_{region}_{week2}.html").read_text(
        encoding="utf-8"
    )
    assert "核查结果" in report and "查实" in report and f"{verified:,.2f}" in report
    province = (lake_dir / "exports" / str(week2) / f"周报_省级_{week2}.html").read_text(encoding="utf-8")
    assert "按地区" in province and "data:image/png" not in province
    # charts are SVG with their Chinese labels as text (the reader's fonts draw them), not paths or boxes
    svg = province[province.index("<svg") : province.index("</svg>")]
    assert "<text" in svg and "风险分值" in svg
    assert "未采纳的核查反馈" in province and "FW-P-000000000000" in province
    assert "线索编号未下发" in province and "非本地区线索" in province


def test_feedback_precision_is_tracked_in_mlflow(cycle):
    from mlflow import MlflowClient

    _, lake_dir, _, week2, _ = cycle
    client = MlflowClient(tracking_uri=f"sqlite:///{lake_dir.resolve() / 'mlflow' / 'mlflow.db'}")
    exp = client.get_experiment_by_name("fundwatch-feedback")
    runs = client.search_runs([exp.experiment_id], filter_string=f"params.as_of = '{week2}'")
    m = runs[0].data.metrics
    assert m["verified_clues"] == 2 and m["precision"] == 0.5  # one 查实, one 不属实; 核查中 is not closed
    assert any(k.startswith("precision.model.fundwatch_psn/") for k in m)


def test_week2_exports_are_masked_and_hold_only_their_region(cycle):
    landing, lake_dir, _, week2, _ = cycle
    psn = pd.read_parquet(landing / "psn")
    certnos, names = set(psn.certno), set(psn.psn_name[psn.psn_name.str.len() >= 3])
    folder = lake_dir / "exports" / str(week2)
    regions = [p for p in folder.iterdir() if p.is_dir()]
    assert regions
    for region in regions:
        for path in region.iterdir():
            if path.suffix == ".xlsx":
                sheets = pd.read_excel(path, sheet_name=None, dtype=str)
                text = "\n".join(df.to_csv(index=False) for df in sheets.values())
                for sheet in ("线索清单", "线索台账"):
                    col = "医保区划" if sheet == "线索清单" else None
                    if col and len(sheets[sheet]):
                        assert (sheets[sheet][col] == region.name).all()
                ids = sheets["线索清单"]["证件号码"].dropna()
                assert ids.map(lambda s: re.fullmatch(r"\d{6}\*{8}[0-9X]{4}", s) is not None).all()
            else:
                text = path.read_text(encoding="utf-8-sig")
            assert not any(c in text for c in certnos), f"unmasked ID number in {path}"
            assert not any(n in text for n in names), f"unmasked name in {path}"
    # the register holds only the region's own clues
    clues = Lake(lake_dir).read_arrow("gold/clues").to_pandas()
    for region in regions:
        book = pd.read_excel(next(region.glob("*.xlsx")), sheet_name="线索台账", dtype=str)
        own = set(clues.clue_id[clues.admdvs == region.name])
        assert set(book["线索编号"]) <= own


def test_training_compares_challenger_and_champion_on_verified_outcomes(cycle):
    from mlflow import MlflowClient

    from jobs.cli import main

    _, lake_dir, _, week2, _ = cycle
    uri = f"sqlite:///{lake_dir.resolve() / 'mlflow' / 'mlflow.db'}"
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    before = client.get_model_version_by_alias("fundwatch_psn", "champion").version
    assert main(["train", "--lake", str(lake_dir), "--as-of", str(week2), "--promote-if-better"]) == 0
    exp = client.get_experiment_by_name("fundwatch-psn")
    run = client.search_runs([exp.experiment_id], order_by=["attributes.start_time DESC"], max_results=1)[0]
    new_auc, champ_auc = run.data.metrics["feedback_auc"], run.data.metrics["champion_feedback_auc"]
    assert 0.0 <= new_auc <= 1.0 and 0.0 <= champ_auc <= 1.0
    assert run.data.tags["champion_compared"] == f"fundwatch_psn/{before}"
    champion = client.get_model_version_by_alias("fundwatch_psn", "champion")
    assert (champion.run_id == run.info.run_id) == (new_auc >= champ_auc)
    # institutions have no verified outcomes of both kinds: the new model stays challenger
    fix = client.get_model_version_by_alias("fundwatch_fixmedins", "challenger")
    assert client.get_model_version_by_alias("fundwatch_fixmedins", "champion").version != fix.version
