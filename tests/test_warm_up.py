"""The suite's warm-up process (tests/conftest.py) as the other pytest-xdist worker sees it: a warm-up that ended
without writing its DONE file (killed by a signal: the OOM killer during a fresh clone's compile) must not keep the
other worker waiting up to 15 min per compile and per dynamics test (review of the xdist set-up)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import conftest


@pytest.fixture
def warm_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(conftest, "_warmer", {"directory": tmp_path})
    return tmp_path


def test_the_other_worker_sees_the_warm_up_end_without_its_done_file(warm_dir: Path) -> None:
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1.0)"])
    (warm_dir / "pid").write_text(str(process.pid))
    assert conftest._warm_up_running()
    deadline = time.monotonic() + 30.0
    while conftest._warm_up_running() and time.monotonic() < deadline:  # a zombie (not yet reaped) counts as ended
        time.sleep(0.05)
    assert not conftest._warm_up_running() and not (warm_dir / "done").exists()
    process.wait()
    assert not conftest._warm_up_running()


def test_the_first_worker_writes_done_for_a_warm_up_killed_by_a_signal(warm_dir: Path) -> None:
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    conftest._warmer["process"] = process
    assert conftest._warm_up_running()
    process.kill()
    process.wait()
    assert not conftest._warm_up_running()
    assert (warm_dir / "done").exists()  # what the other worker reads


def test_no_process_id_no_warm_up(warm_dir: Path) -> None:
    assert not conftest._warm_up_running()
