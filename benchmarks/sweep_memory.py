"""Peak memory and time of a large sweep streamed to disk: peak memory follows the block, not the sweep.

Run on demand (not part of the tests):

    python benchmarks/sweep_memory.py                        # 1e6 points, default chunk size
    python benchmarks/sweep_memory.py --points 1e8 --variables g1,g2 --out /tmp/big.nc
    python benchmarks/sweep_memory.py --table                # several sizes and chunk sizes, one process each

The sweep is the seed stack (examples/seed-fnf.toml) over theta x p2 on a
square grid of about ``--points`` configurations.  Each measurement runs in a
fresh process, so its peak RSS (``resource.getrusage``, ``ru_maxrss``) is its own;
the RSS after importing everything (numpy, xarray, h5netcdf) is printed as the
baseline.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "seed-fnf.toml"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # kB on Linux


def measure(points: float, chunk_size: int, out: str, variables: list[str] | None) -> dict:
    import numpy as np
    import h5netcdf  # noqa: F401 - imported before the baseline is taken
    import xarray  # noqa: F401

    import spinstack as ss

    side = max(1, round(math.sqrt(points)))
    stack = ss.load_stack(SEED)
    baseline = _rss_mb()
    start = time.perf_counter()
    result = ss.sweep(stack, {"theta": np.linspace(0.0, 180.0, side), "materials.F2.p": np.linspace(0.01, 0.99, side)},
                      chunk_size=chunk_size, out=out, variables=variables)
    elapsed = time.perf_counter() - start
    result.close()
    size = os.path.getsize(out) if os.path.isfile(out) else sum(p.stat().st_size for p in Path(out).rglob("*") if p.is_file())
    return {"points": side * side, "chunk_size": chunk_size, "seconds": round(elapsed, 2),
            "microseconds_per_point": round(1e6 * elapsed / (side * side), 2), "baseline_rss_mb": round(baseline, 1),
            "peak_rss_mb": round(_rss_mb(), 1), "file_mb": round(size / 1e6, 1)}


def _child(points: float, chunk_size: int, variables: str | None) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, __file__, "--points", str(points), "--chunk-size", str(chunk_size), "--json",
                   "--out", os.path.join(folder, "sweep.nc")]
        if variables:
            command += ["--variables", variables]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=float, default=1e6)
    parser.add_argument("--chunk-size", type=int, default=200_000)
    parser.add_argument("--variables", help="comma-separated variables to store (default: all)")
    parser.add_argument("--out", help="output file (.nc or .zarr); default: a temporary .nc")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--table", action="store_true", help="several sizes and chunk sizes, one process each")
    arguments = parser.parse_args()
    if arguments.table:
        print(f"{'points':>10} {'chunk':>8} {'seconds':>8} {'us/pt':>6} {'base MB':>8} {'peak MB':>8} {'file MB':>8}")
        for points, chunk in ((1e5, 50_000), (1e6, 50_000), (4e6, 50_000), (1e6, 200_000), (4e6, 200_000),
                              (1e6, 800_000)):
            row = _child(points, chunk, arguments.variables)
            print(f"{row['points']:>10} {row['chunk_size']:>8} {row['seconds']:>8} {row['microseconds_per_point']:>6} "
                  f"{row['baseline_rss_mb']:>8} {row['peak_rss_mb']:>8} {row['file_mb']:>8}", flush=True)
        return
    variables = arguments.variables.split(",") if arguments.variables else None
    if arguments.out:
        row = measure(arguments.points, arguments.chunk_size, arguments.out, variables)
    else:
        with tempfile.TemporaryDirectory() as folder:
            row = measure(arguments.points, arguments.chunk_size, os.path.join(folder, "sweep.nc"), variables)
    print(json.dumps(row) if arguments.json else "\n".join(f"{k}: {v}" for k, v in row.items()))


if __name__ == "__main__":
    main()
