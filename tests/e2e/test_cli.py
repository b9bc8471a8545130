"""The ``fundwatch`` command's exit: the code a scheduler sees, and output that is not lost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    env["PYTHONPATH"] = str(ROOT)
    # stdout is a pipe, so Python buffers it (as under a scheduler): output survives os._exit only if
    # entry() flushes it
    return subprocess.run(
        [sys.executable, "-m", "jobs.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_success_exits_zero_with_all_its_output():
    done = _run("detectors")
    assert done.returncode == 0, done.stderr
    from models.catalogue import render

    assert done.stdout == render() + "\n"  # the whole catalogue (15 kB), not what fitted in a buffer


def test_refused_input_and_usage_errors_exit_two():
    small = _run("generate", "--out", "/nonexistent/never", "--persons", "10")
    assert small.returncode == 2
    assert "at least 200" in small.stderr
    usage = _run("no-such-command")
    assert usage.returncode == 2
    assert "invalid choice" in usage.stderr
