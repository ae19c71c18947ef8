"""Memory of the explorer's server as browser sessions come and go: it levels off.

Run on demand (not part of the tests; tests/app/test_app_server.py checks that no App or
Explorer outlives its session):

    python benchmarks/explorer_sessions.py                  # 8 batches of 10 websocket sessions
    python benchmarks/explorer_sessions.py --batches 4 --per-batch 20 --http

The server (:func:`spinstack.app.server.make_server`, what ``spinstack explore`` runs) runs
in a thread of this process with sessions discarded 0.2 s after their last connection
(Bokeh's default is 15 s, checked every 17 s).  Each batch opens sessions from a separate
process (``bokeh.client.pull_session``: a websocket session, as a browser's; or ``--http``:
page loads only), closes them, waits for the server to discard them and prints, for this
process: RSS, the App/Explorer objects alive and the object types that grew by more than
``--show`` since the last batch.  What grows then is the server's, not the client's.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

CLIENT = """
import sys
import panel  # registers Panel's Bokeh models, which the client must decode
from bokeh.client import pull_session
for _ in range(int(sys.argv[2])):
    pull_session(url=sys.argv[1]).close()
"""


def rss_megabytes() -> float:
    """This process's resident memory now (Linux /proc; psutil elsewhere)."""
    statm = Path("/proc/self/statm")
    if statm.exists():
        return int(statm.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    import psutil

    return psutil.Process().memory_info().rss / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=8)
    parser.add_argument("--per-batch", type=int, default=10)
    parser.add_argument("--http", action="store_true", help="page loads (no websocket) instead of sessions")
    parser.add_argument("--show", type=int, default=5, help="print object types that grew by more than this")
    options = parser.parse_args()

    from tornado.ioloop import IOLoop

    from spinstack.app.explorer import App, Explorer
    from spinstack.app.server import listen_port, make_server

    port = listen_port()
    holder: dict[str, Any] = {}
    ready = threading.Event()

    def run() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        loop = IOLoop.current()
        holder["server"] = make_server(None, "presets", port, loop=loop, check_unused_sessions_milliseconds=200,
                                       unused_session_lifetime_milliseconds=200)
        holder["server"].start()
        ready.set()
        loop.start()

    threading.Thread(target=run, daemon=True).start()
    ready.wait(120)
    server, url = holder["server"], f"http://127.0.0.1:{port}/"

    def census() -> collections.Counter[str]:
        gc.collect()
        return collections.Counter(f"{getattr(type(o), '__module__', '?')}.{type(o).__qualname__}"
                                   for o in gc.get_objects())

    before = census()
    print(f"RSS {rss_megabytes():.1f} MB before any session")
    for batch in range(1, options.batches + 1):
        if options.http:
            for _ in range(options.per_batch):
                with urllib.request.urlopen(url, timeout=120) as response:
                    response.read()
        else:
            subprocess.run([sys.executable, "-c", CLIENT, url, str(options.per_batch)], check=True)
        deadline = time.monotonic() + 60
        while server.get_sessions("/") and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # the discard's clean-up runs on the server's loop
        now = census()
        ours = sum(now[f"{cls.__module__}.{cls.__qualname__}"] for cls in (App, Explorer))
        print(f"after {batch * options.per_batch:4d} sessions: RSS {rss_megabytes():6.1f} MB, "
              f"App+Explorer alive {ours}, sessions open {len(server.get_sessions('/'))}, "
              f"objects {sum(now.values())}", flush=True)
        grown = sorted(((name, now[name] - before[name]) for name in now if now[name] - before[name] > options.show),
                       key=lambda item: -item[1])
        if grown:
            print("    grew:", ", ".join(f"{name} +{count}" for name, count in grown[:8]))
        before = now
    # what may still grow: asyncio keeps cancelled timers (websocket pings) in its heap until they fall due
    pending = [o for o in gc.get_objects() if isinstance(o, asyncio.TimerHandle)]
    print(f"asyncio timer handles pending: {len(pending)} ({sum(h.cancelled() for h in pending)} cancelled)")


if __name__ == "__main__":
    main()
