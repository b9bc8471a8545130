"""The verifiers' workbench (jobs/workbench, issue #22) over a small lake: logins and throttling, region isolation
through pages and the API, CSRF, outcomes written to clue_feedback and read back by the register, amounts kept
within the clue, and 20 verifiers saving at once."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pandas as pd
import pyarrow as pa
import pytest
from fastapi.testclient import TestClient

from jobs.lake import Lake, outcomes
from jobs.lake.tables import CLUES, FEEDBACK, silver
from jobs.publish.clues import CLUE_SCHEMA
from jobs.workbench.accounts import MAX_FAILURES, Accounts
from jobs.workbench.app import create_app

AS_OF = dt.date(2026, 1, 8)
TODAY = dt.date(2026, 1, 12)
R1, R2 = "130322", "130324"


def _clue(i: int, region: str, fund: float = 5000.0) -> dict:
    return {
        "clue_id": f"FW-P-{i:012d}", "as_of": AS_OF, "entity_type": "psn", "entity_id": f"P{i}",
        "entity_name": "张*", "certno_masked": "110101********1234", "admdvs": region, "rank": i % 50 + 1,
        "risk_rank": i % 50 + 1, "risk_score": 0.9, "clue_types": "重叠住院(冒名顶替)", "rules_fired": ["P05"],
        "evidence": "近365天：【重叠住院(冒名顶替)·硬证据】…", "issue_kind": "新线索", "new_evidence": "",
        "prior_status": "", "due_date": dt.date(2026, 2, 26), "fund_amount": fund, "n_setl": 1,
        "setl_ids": [f"S{i}"], "evidence_setl_ids": [f"S{i}"], "model_version": "fundwatch_psn/1",
    }  # fmt: skip


@pytest.fixture()
def world(tmp_path):
    lake = Lake(tmp_path / "lake")
    rows = [_clue(i, R1) for i in range(24)] + [_clue(100, R2)]
    lake.write_arrow(pa.Table.from_pylist(rows, schema=CLUE_SCHEMA), CLUES, partition_by=["as_of"])
    lake.write_arrow(
        pa.table({"setl_id": ["S0"], "mdtrt_id": ["M0"], "psn_no": ["P0"], "fixmedins_code": ["H1"],
                  "setl_time": [dt.datetime(2025, 12, 1, 10)], "medfee_sumamt": [6000.0], "fund_pay_sumamt": [5000.0]}),
        silver("setl"),
    )  # fmt: skip
    lake.write_arrow(
        pa.table({"mdtrt_id": ["M0"], "dise_codg": ["I63.800"], "dise_name": ["腔隙性脑梗死"]}),
        silver("mdtrt"),
    )
    lake.write_arrow(pa.table({"psn_no": ["P0"], "psn_name": ["张三丰"]}), silver("psn"))
    lake.write_arrow(
        pa.table({"fixmedins_code": ["H1"], "fixmedins_name": ["某县人民医院"]}), silver("fixmedins")
    )
    accounts = Accounts(tmp_path / "accounts.db")
    pw = {
        name: accounts.add_user(name, region)
        for name, region in (("v1", R1), ("v2", R2), ("prov", "province"))
    }
    app = create_app(lake.root, tmp_path / "accounts.db", today=lambda: TODAY)
    return lake, app, pw


def _login(app, name, password) -> tuple[TestClient, str]:
    client = TestClient(app)
    r = client.post("/login", data={"username": name, "password": password}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get("/clues/FW-P-000000000000" if name != "v2" else "/clues/FW-P-000000000100").text
    return client, re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_login_is_required_throttled_and_pages_are_not_framed(world):
    lake, app, pw = world
    client = TestClient(app)
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"
    assert client.get("/api/clues/FW-P-000000000000").status_code == 401
    for _ in range(MAX_FAILURES):
        assert client.post("/login", data={"username": "v1", "password": "wrong"}).status_code == 401
    # locked now, the right password included
    assert client.post("/login", data={"username": "v1", "password": pw["v1"]}).status_code == 429
    r = TestClient(app).post("/login", data={"username": "v2", "password": pw["v2"]}, follow_redirects=False)
    cookie = r.headers["set-cookie"].lower()
    assert r.status_code == 303 and "httponly" in cookie and "samesite=strict" in cookie
    assert r.headers["x-frame-options"] == "DENY"


def test_a_region_sees_its_own_clues_only_through_pages_and_the_api(world):
    lake, app, pw = world
    v1, csrf = _login(app, "v1", pw["v1"])
    week = v1.get("/").text
    assert "FW-P-000000000000" in week and "FW-P-000000000100" not in week
    page = v1.get("/clues/FW-P-000000000000").text
    assert "某县人民医院" in page and "I63.800" in page and "张*" in page and "张三丰" not in page
    assert v1.get("/clues/FW-P-000000000100").status_code == 404  # typed into the URL
    assert v1.get("/api/clues/FW-P-000000000100").status_code == 404
    r = v1.post(
        "/api/clues/FW-P-000000000100/outcome", json={"status": "查实"}, headers={"X-CSRF-Token": csrf}
    )
    assert r.status_code == 404
    r = v1.post("/clues/FW-P-000000000100/outcome", data={"csrf": csrf, "status": "不属实"})
    assert r.status_code == 404 and not lake.exists(FEEDBACK)
    prov, _ = _login(app, "prov", pw["prov"])
    assert prov.get("/api/clues/FW-P-000000000100").json()["admdvs"] == R2
    assert v1.get("/province").status_code == 403 and prov.get("/province").status_code == 200


def test_an_outcome_needs_the_csrf_token_lands_in_clue_feedback_and_shows_in_the_register(world):
    lake, app, pw = world
    v1, csrf = _login(app, "v1", pw["v1"])
    form = {"status": "查实", "verified_amt": "1,200.50", "recovered_amt": "800", "note": "病历与结算不符"}
    assert v1.post("/clues/FW-P-000000000001/outcome", data=form).status_code == 403  # no token
    assert v1.post("/clues/FW-P-000000000001/outcome", data=form | {"csrf": "forged"}).status_code == 403
    assert not lake.exists(FEEDBACK)
    r = v1.post("/clues/FW-P-000000000001/outcome", data=form | {"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    fb = outcomes.feedback(lake)
    assert len(fb) == 1 and fb.admdvs[0] == R1 and str(fb.verified_amt[0]) == "1200.50"
    bronze = lake.read_arrow("bronze/clue_feedback").to_pylist()[0]
    assert bronze["_source_file"] == "workbench:v1" and dict(bronze["_extra"])["entered_by"] == "v1"
    reg = outcomes.verified_register(lake, TODAY).set_index("clue_id")
    assert reg.status["FW-P-000000000001"] == "查实"
    assert "查实" in v1.get("/register").text
    # a later outcome of the same day and status replaces it in silver; bronze keeps both (the audit trail)
    v1.post("/clues/FW-P-000000000001/outcome", data=form | {"csrf": csrf, "verified_amt": "1300"})
    assert len(outcomes.feedback(lake)) == 1 and str(outcomes.feedback(lake).verified_amt[0]) == "1300.00"
    assert len(lake.read_arrow("bronze/clue_feedback").to_pylist()) == 2


def test_amounts_stay_within_the_clue_unless_confirmed(world):
    lake, app, pw = world
    v1, csrf = _login(app, "v1", pw["v1"])
    over = {"csrf": csrf, "status": "查实", "verified_amt": "9000"}
    r = v1.post("/clues/FW-P-000000000002/outcome", data=over)
    assert r.status_code == 200 and "确认超出" in r.text and not lake.exists(FEEDBACK)
    r = v1.post("/api/clues/FW-P-000000000002/outcome", json={"status": "查实", "verified_amt": "-5"},
                headers={"X-CSRF-Token": csrf})  # fmt: skip
    assert r.status_code == 400
    v1.post("/clues/FW-P-000000000002/outcome", data=over | {"confirm_over": "1"})
    fb = outcomes.feedback(lake)
    assert fb.over_fund_flag[0] == "1" and str(fb.verified_amt[0]) == "9000.00"


def test_twenty_verifiers_saving_at_once_lose_none_and_double_none(world):
    lake, app, pw = world
    v1, csrf = _login(app, "v1", pw["v1"])
    ids = [f"FW-P-{i:012d}" for i in range(4, 24)]
    codes: list[int] = []

    def save(clue_id):
        r = v1.post(f"/api/clues/{clue_id}/outcome", json={"status": "部分查实", "verified_amt": "100"},
                    headers={"X-CSRF-Token": csrf})  # fmt: skip
        codes.append(r.status_code)

    threads = [threading.Thread(target=save, args=(c,)) for c in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [200] * 20
    fb = outcomes.feedback(lake)
    assert sorted(fb.clue_id) == ids  # every one, once
    assert len(pd.DataFrame(lake.read_arrow("bronze/clue_feedback").to_pylist())) == 20


def test_sessions_expire_and_logout_ends_them(tmp_path):
    from jobs.workbench.accounts import SESSION_SECONDS

    accounts = Accounts(tmp_path / "a.db")
    pw = accounts.add_user("v", R1)
    session = accounts.login("v", pw, now=1000.0)
    assert accounts.session(session.token, now=1000.0 + SESSION_SECONDS - 1).region == R1
    assert accounts.session(session.token, now=1000.0 + SESSION_SECONDS + 1) is None
    again = accounts.login("v", pw)
    accounts.logout(again.token)
    assert accounts.session(again.token) is None
    with pytest.raises(ValueError):
        accounts.add_user("x", "13032")  # not a region code


@pytest.mark.spark
@pytest.mark.slow
def test_a_clue_page_shows_the_code_sales_and_the_ring_behind_it(demo, tmp_path):
    """On the demo lake: a trace-code clue lists every sale of its codes, a ring member's clue its ring."""
    _, lake_dir, as_of = demo
    clues = Lake(lake_dir).read_arrow(CLUES).to_pandas()
    clues = clues[clues.as_of == as_of]
    fired = clues.rules_fired.map(set)
    code_clue = clues[fired.map(lambda r: bool(r & {"F06", "F07", "P12"}))].iloc[0]
    ring_clue = clues[fired.map(lambda r: "P11" in r)].iloc[0]
    accounts = Accounts(tmp_path / "accounts.db")
    app = create_app(lake_dir, tmp_path / "accounts.db")
    for clue, section in ((code_clue, "codes"), (ring_clue, "rings")):
        pw = accounts.add_user(f"u{clue.admdvs}{section}", clue.admdvs)
        client = TestClient(app)
        client.post("/login", data={"username": f"u{clue.admdvs}{section}", "password": pw})
        page = client.get(f"/clues/{clue.clue_id}").text
        table = page[page.index(f'<table id="{section}">') :].split("</table>")[0]
        rows = table.count("<tr>") - 1
        if section == "codes":
            assert rows >= 2  # a code sold at least twice
            assert re.search(r"<td>\d{20}</td>", table)  # the codes themselves
        else:
            assert rows >= 1 and "、" in table and "*" in table  # its ring, the members listed, masked
            assert "FW-" not in table and not re.search(r"\d{17}[0-9X]", table)  # no clue ids, no ID numbers


def test_accounts_live_in_any_database_sqlalchemy_reaches(tmp_path):
    """A URL instead of a file puts users and sessions in a server database (here SQLite by URL: the same
    code path as postgresql+psycopg://…); sessions are shared by every process that opens it."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    one, two = Accounts(url), Accounts(url)  # two workbench processes
    pw = one.add_user("v1", R1)
    session = one.login("v1", pw)
    assert two.session(session.token).region == R1  # the other process sees the login
    two.logout(session.token)
    assert one.session(session.token) is None
    assert one.login("v1", "wrong") is None and two.users() == [("v1", R1)]
