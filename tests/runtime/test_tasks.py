"""What the DAGs' tasks do beside the stages (jobs/tasks.py, issue #18): refuse a week whose data has not landed,
and send a task's failure to the configured webhook (a local fake here)."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import SimpleNamespace

import pyarrow as pa
import pytest

from jobs.lake import Lake
from jobs.lake.tables import silver
from jobs.tasks import TaskFailed, check_fresh, notify_failure


def test_a_week_whose_settlements_have_not_landed_is_refused(tmp_path):
    lake = Lake(tmp_path / "lake")
    with pytest.raises(TaskFailed, match="newest settlement .* is none"):
        check_fresh(str(lake.root), "2026-01-11")  # nothing ingested at all
    lake.write_arrow(
        pa.table({"setl_time": [dt.datetime(2026, 1, 4, 10), dt.datetime(2026, 1, 10, 23)]}), silver("setl")
    )
    assert check_fresh(str(lake.root), "2026-01-11") == "2026-01-11"  # Saturday's settlements are in
    with pytest.raises(TaskFailed, match="is 2026-01-10, the week to report ends 2026-01-18"):
        check_fresh(str(lake.root), "2026-01-18")  # last week's data again: nothing is published
    assert check_fresh(str(lake.root), "2026-01-18", max_lag_days=8) == "2026-01-18"


def test_a_failure_is_posted_to_the_webhook_and_a_dead_webhook_is_only_logged(monkeypatch, caplog):
    received = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.handle_request, daemon=True).start()
    ti = SimpleNamespace(
        dag_id="fundwatch_weekly", task_id="fresh", run_id="scheduled__2026-01-12", try_number=3
    )
    context = {"task_instance": ti, "exception": TaskFailed("stale data: …")}
    monkeypatch.setenv("FUNDWATCH_ALERT_WEBHOOK", f"http://127.0.0.1:{server.server_address[1]}/hook")
    notify_failure(context)
    server.server_close()
    assert received == [
        {"text": "fundwatch 任务失败", "dag_id": "fundwatch_weekly", "task_id": "fresh",
         "run_id": "scheduled__2026-01-12", "try_number": 3, "error": "stale data: …"}
    ]  # fmt: skip
    monkeypatch.setenv("FUNDWATCH_ALERT_WEBHOOK", "http://127.0.0.1:9/nobody-listens")
    notify_failure(context)  # does not raise
    assert "could not send the failure notification" in caplog.text
