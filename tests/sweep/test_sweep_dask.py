"""Sweeps on a real dask.distributed LocalCluster (2 worker processes on loopback): the same numbers as in-process.

The reference is the default in-process numpy sweep (spinstack.sweep without Dask);
equality is bit for bit: every block is the same batched solve wherever it runs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

xr = pytest.importorskip("xarray")
pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")

import spinstack as ss  # noqa: E402
from spinstack._sweep.runners import active_client  # noqa: E402
from spinstack.sweeps import open_sweep  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed-fnf.toml"
GRID = {"theta": np.linspace(0.0, 180.0, 19), "layers[1].thickness": np.linspace(0.5, 4.0, 8),
        ("materials.F1.p", "materials.F2.p"): (np.array([0.3, 0.5, 0.7]), np.array([0.7, 0.5, -0.2]))}


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  host="127.0.0.1") as local:
        yield local


@pytest.fixture
def client(cluster):
    """A default client for one test only: the tests of scheduler= must not find one left by another test."""
    with distributed.Client(cluster) as connected:
        yield connected
    assert active_client() is None


@pytest.fixture
def no_default_client():
    """scheduler= must work with no default client anywhere (a sweep's own client is not made the default)."""
    assert active_client() is None
    yield
    assert active_client() is None


@pytest.fixture(scope="module")
def seed() -> ss.Stack:
    return ss.load_stack(SEED)


@pytest.fixture(scope="module")
def reference(seed):
    return ss.sweep(seed, GRID)


def test_lazy_dataset_computes_on_the_cluster(client, seed, reference):
    lazy = ss.sweep(seed, GRID, dask=True, chunk_size=100)  # 5 blocks of 4 x 8 x 3
    assert type(lazy.g2.data).__module__.startswith("dask") and lazy.g2.data.chunks[0] == (4, 4, 4, 4, 3)
    with distributed.get_task_stream(client) as tasks:
        computed = lazy.compute()
    workers = {task["worker"] for task in tasks.data}
    assert workers and workers <= set(client.scheduler_info()["workers"])  # it ran on the cluster's workers
    xr.testing.assert_identical(computed, reference)


def test_scheduler_address_runs_there_and_streams_back(cluster, no_default_client, seed, reference, tmp_path):
    in_memory = ss.sweep(seed, GRID, scheduler=cluster.scheduler_address, chunk_size=50)
    xr.testing.assert_identical(in_memory, reference)
    target = tmp_path / "cluster.nc"
    with ss.sweep(seed, GRID, scheduler=cluster.scheduler_address, chunk_size=50, out=target) as streamed:
        xr.testing.assert_identical(streamed.load(), reference)
    assert [p.name for p in tmp_path.iterdir()] == ["cluster.nc"]


def test_scheduler_client_that_is_not_the_default(cluster, no_default_client, seed, reference):
    with distributed.Client(cluster, set_as_default=False) as given:
        with distributed.get_task_stream(given) as tasks:
            result = ss.sweep(seed, GRID, scheduler=given, chunk_size=50)
        assert tasks.data  # the blocks ran on its cluster
        assert given.status == "running"  # a Client given by the caller stays open
    xr.testing.assert_identical(result, reference)


def test_dask_with_a_file_uses_the_active_client(client, seed, reference, tmp_path):
    target = tmp_path / "lazy.zarr"
    pytest.importorskip("zarr")
    with distributed.get_task_stream(client) as tasks:
        opened = ss.sweep(seed, GRID, dask=True, out=target, chunk_size=100)
    assert tasks.data  # the blocks ran on the cluster
    with opened:
        assert type(opened.torque.data).__module__.startswith("dask")
        xr.testing.assert_identical(opened.compute(), reference)


def test_cli_scheduler(cluster, no_default_client, seed, tmp_path):
    from click.testing import CliRunner

    from spinstack.cli import main

    target = tmp_path / "cli.nc"
    result = CliRunner().invoke(main, ["sweep", str(SEED), "--vary", "theta=0:180:7", "--vary",
                                       "materials.F2.p=0.1:0.9:5", "--out", str(target), "--scheduler",
                                       cluster.scheduler_address, "--chunk-size", "6"])
    assert result.exit_code == 0, result.output
    with open_sweep(target) as saved:
        expected = ss.sweep(seed, {"theta": np.linspace(0, 180, 7), "materials.F2.p": np.linspace(0.1, 0.9, 5)},
                            source=str(SEED))
        xr.testing.assert_identical(saved.load(), expected)
