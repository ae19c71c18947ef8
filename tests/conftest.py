"""Fixtures shared by the whole suite."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261126)


@pytest.fixture(scope="session")
def warm_kernels() -> None:
    """Compile (or load from numba's on-disk cache) the kernels that ``spinstack solve``, the efficiency
    curves and sweeps run, in this process, once.

    A test that runs the command in a fresh interpreter, with a timeout or a timed budget, then loads
    the machine code from the cache instead of compiling it: on a cold cache (a fresh checkout, or
    after a kernel's source changed) the first compile takes a minute or more, and it would land in
    whichever such test came first.  Without numba this only solves a stack.
    """
    from click.testing import CliRunner

    import spinstack as ss
    from spinstack.analysis import efficiency
    from spinstack.cli import main

    seed = str(ROOT / "examples" / "seed-fnf.toml")
    for arguments in (["solve", seed], ["solve", seed, "--json"]):
        result = CliRunner().invoke(main, arguments)
        assert result.exit_code == 0, result.output
    stack = ss.load_stack(seed)
    efficiency(stack, np.linspace(0.0, 180.0, 181))
    if importlib.util.find_spec("xarray") is not None:  # sweeps: theta alone, and theta with another parameter
        ss.sweep(stack, {"theta": np.linspace(0.0, 180.0, 7)}, progress=False)
        ss.sweep(stack, {"theta": np.linspace(0.0, 180.0, 7), "materials.F2.p": [0.2, 0.8]}, progress=False)


@pytest.fixture(autouse=True, scope="session")
def _no_compile_notice() -> None:
    """The one-line notice the dynamics print before numba first compiles their loop (on stderr, once per process:
    spinstack.macrospin.compilation) counted as said: on a cold cache it would land in whichever test ran the first
    dynamics, and tests that check a command's stderr is empty would see it.  tests/macrospin/test_compilation.py
    tests the notice itself."""
    from spinstack.macrospin import compilation

    compilation._printed = True
