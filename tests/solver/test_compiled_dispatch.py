"""Where a batch of the chain kernel runs while its parallel variant is not compiled (kernels.SERIAL_WHILE_COLD): on
the calling thread below that size (the first run after an install then does not compile the parallel kernel for a
batch the serial one solves in a millisecond), in parallel above it, and as before whenever numba's cache has it
or cannot tell.  Both kernels give the same numbers to the bit (test_kernels.test_serial_and_parallel_...)."""

from __future__ import annotations

import numpy as np
import pytest

import spinstack as ss
from spinstack.prepared import stack_arrays
from spinstack.solver import compiled, kernels

pytestmark = pytest.mark.skipif(not compiled.AVAILABLE, reason="numba is not installed")

N = ss.Normal("N", 3.0, 10.0)
F = ss.Ferromagnet("F", 1.0, 0.5, 2.0)


class Parallel(Exception):
    """Raised by the stand-in of the parallel kernel: the batch went there."""


def _parallel(*arguments):
    raise Parallel


def table(size: int) -> kernels.Table:
    theta = np.linspace(0.0, 180.0, size)
    stack = ss.Stack([ss.Layer(F, 1.0, [0, 0, 1]), ss.Layer(N, 2.0), ss.Layer(F, 1.5, ss.polar(theta))])
    return kernels.Table(stack_arrays(stack))


def goes_parallel(size: int) -> bool:
    try:
        kernels.run(table(size), pair=(0, 2), torque=True)
    except Parallel:
        return True
    return False


@pytest.fixture
def stand_in(monkeypatch):
    monkeypatch.setattr(kernels, "_chain_parallel", _parallel)
    return monkeypatch


@pytest.mark.parametrize("state, probe", [(None, True), (True, True), (True, None)])
def test_a_cold_parallel_kernel_leaves_a_mid_size_batch_on_the_calling_thread(stand_in, state, probe):
    stand_in.setattr(kernels, "_parallel_cold", [state])
    stand_in.setattr(compiled, "cache_is_cold", lambda kernel: probe)  # consulted only while unknown (None)
    assert not goes_parallel(kernels.SERIAL_BELOW + 1)
    assert not goes_parallel(kernels.SERIAL_WHILE_COLD - 1)
    assert goes_parallel(kernels.SERIAL_WHILE_COLD)  # a large batch compiles it
    assert kernels._parallel_cold == [True]  # the stand-in raised: not counted as run


@pytest.mark.parametrize("state, probe", [(None, False), (None, None), (False, True)])
def test_a_compiled_cached_or_unknown_parallel_kernel_runs_as_before(stand_in, state, probe):
    stand_in.setattr(kernels, "_parallel_cold", [state])
    stand_in.setattr(compiled, "cache_is_cold", lambda kernel: probe)
    assert not goes_parallel(kernels.SERIAL_BELOW - 1)
    assert goes_parallel(kernels.SERIAL_BELOW)
    assert kernels._parallel_cold == [False if state is None else state]


def test_a_parallel_run_marks_the_kernel_compiled(monkeypatch):
    monkeypatch.setattr(kernels, "_parallel_cold", [True])
    size = kernels.SERIAL_BELOW + 3
    found = kernels.run(table(size), pair=(0, 2), torque=True, serial=False)
    assert kernels._parallel_cold == [False] and found["torque"].shape == (size, 3, 3)
    assert compiled.cache_is_cold(kernels._chain_parallel) is False  # compiled (or loaded) in this process
