"""The workbench in a real browser (issue #22): headless Chromium from Debian driven by Selenium against the
workbench served by uvicorn over a copy of the demo lake. A verifier logs in, opens a clue, records 查实 with
amounts and sees it in the register; another region's verifier cannot open that clue by its URL; the next
publish counts the outcome in the region's 线索台账."""

from __future__ import annotations

import shutil
import socket
import threading
import time

import pandas as pd
import pytest

from jobs.lake import Lake
from jobs.lake.tables import CLUES

pytestmark = [pytest.mark.spark, pytest.mark.slow, pytest.mark.browser]


def _serve(app):
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            return server, thread, f"http://127.0.0.1:{port}"
        time.sleep(0.1)
    raise RuntimeError("the workbench did not start")


def _browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        opts.add_argument(arg)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)


def _login(driver, base, name, password):
    from selenium.webdriver.common.by import By

    driver.get(f"{base}/login")
    driver.find_element(By.ID, "username").send_keys(name)
    driver.find_element(By.ID, "password").send_keys(password)
    driver.find_element(By.ID, "login").click()
    _wait(driver, lambda d: d.find_elements(By.ID, "logout"))  # a click does not wait for the next page


def _wait(driver, condition, seconds=60):
    """Wait for `condition`; an element of the page being left (stale) or of the page not yet there (missing)
    means "not yet", never a failure: a click that navigates does not wait for the next page."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    ignored = (NoSuchElementException, StaleElementReferenceException)
    return WebDriverWait(driver, seconds, ignored_exceptions=ignored).until(condition)


def test_a_verifier_records_an_outcome_in_the_browser_and_publish_counts_it(demo, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from jobs.cli import main
    from jobs.workbench.accounts import Accounts
    from jobs.workbench.app import create_app

    _, lake_dir, as_of = demo
    lake_dir = shutil.copytree(lake_dir, tmp_path / "lake")  # the shared demo lake stays as it is
    clues = Lake(lake_dir).read_arrow(CLUES).to_pandas()
    clues = clues[(clues.as_of == as_of) & (clues.fund_amount > 100)]
    mine = clues.iloc[0]
    other = next(r for r in sorted(set(clues.admdvs)) if r != mine.admdvs)
    accounts = Accounts(tmp_path / "accounts.db")
    pw_mine, pw_other = accounts.add_user("a", mine.admdvs), accounts.add_user("b", other)
    server, thread, base = _serve(create_app(lake_dir, tmp_path / "accounts.db"))
    driver = _browser()
    try:
        _login(driver, base, "a", pw_mine)
        assert mine.clue_id in driver.find_element(By.ID, "clues").text
        driver.get(f"{base}/clues/{mine.clue_id}")
        assert driver.find_element(By.ID, "status").text == "待核查"
        Select(driver.find_element(By.ID, "f-status")).select_by_visible_text("查实")
        verified = round(float(mine.fund_amount) / 2, 2)
        driver.find_element(By.ID, "f-verified").send_keys(f"{verified:.2f}")
        driver.find_element(By.ID, "f-recovered").send_keys("100")
        # dated within the reported week, so that re-publishing that week counts it (a date input takes its
        # value in the browser's locale format when typed: set it as the form submits it)
        day = driver.find_element(By.NAME, "feedback_date")
        driver.execute_script("arguments[0].value = arguments[1]", day, str(as_of))
        driver.find_element(By.ID, "save").click()
        _wait(driver, lambda d: d.find_element(By.ID, "status").text != "待核查")
        assert driver.find_element(By.ID, "status").text == "查实"
        driver.get(f"{base}/register")
        row = next(
            tr for tr in driver.find_elements(By.CSS_SELECTOR, "#register tr") if mine.clue_id in tr.text
        )
        assert "查实" in row.text and f"{verified:,.2f}" in row.text
        driver.find_element(By.ID, "logout").click()
        _wait(driver, lambda d: d.find_elements(By.ID, "username"))
        _login(driver, base, "b", pw_other)
        driver.get(f"{base}/clues/{mine.clue_id}")  # typed into the address bar
        assert "不属于本地区" in driver.find_element(By.ID, "message").text
        assert mine.clue_id not in driver.page_source.replace(f"/clues/{mine.clue_id}", "")
    finally:
        driver.quit()
        server.should_exit = True
        thread.join(10)
    assert main(["publish", "--lake", str(lake_dir), "--as-of", str(as_of)]) == 0
    book = next((lake_dir / "exports" / str(as_of) / mine.admdvs).glob("*.xlsx"))
    register = pd.read_excel(book, sheet_name="线索台账", dtype=str).set_index("线索编号")
    assert register.loc[mine.clue_id, "核查状态"] == "查实"
    assert float(register.loc[mine.clue_id, "查实金额(元)"]) == pytest.approx(verified)
