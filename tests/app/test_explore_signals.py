"""``spinstack explore`` stopped by a signal: promptly, with the command's one line and exit status 128 + the
signal's number (README: "Every `spinstack` command ... stops on them with one line and exit status 128 +
the signal number"), never a traceback.

Before: a served page's session, numba's kernels and Panel's state made Python's finalization take 3-6 s
after the line, so a service manager's SIGTERM was answered late; Ctrl-C was Panel's own handler's (no line,
exit status 0, ~3.6 s).  Run in the foreground: a background job of a shell ignores SIGINT (and so would the
explorer started from it).
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("panel", reason="panel is not installed (pip install -e '.[app]')")

REPOSITORY = Path(__file__).resolve().parents[2]
SEED_FILE = REPOSITORY / "examples" / "seed-fnf.toml"

pytestmark = pytest.mark.usefixtures("warm_kernels")  # the served page solves: kernels from the cache


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM", "SIGHUP"])  # SIGINT: Ctrl-C (was exit 0 after ~3.6 s)
def test_a_signal_stops_the_served_explorer_at_once_with_one_line(name: str) -> None:
    if name == "SIGINT" and signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        pytest.skip("SIGINT is ignored here (a shell's background job): so would the explorer ignore it")
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "spinstack", "explore", str(SEED_FILE), "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPOSITORY)
    try:
        assert f"http://127.0.0.1:{port}/" in process.stdout.readline()
        deadline = time.monotonic() + 120
        while True:  # a page served: a session with its document, its solves, its figures
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as response:
                    assert response.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        signum = getattr(signal, name)
        start = time.monotonic()
        process.send_signal(signum)
        status = process.wait(timeout=30)
        elapsed = time.monotonic() - start
        error = process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        process.stdout.close()
        process.stderr.close()
    assert status == 128 + signum
    assert error == f"spinstack: error: explore stopped by {name}\n"  # one line, no traceback
    assert elapsed < 1.0, f"exited {elapsed:.2f} s after {name}"
