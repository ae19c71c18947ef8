"""The dispatch of :mod:`spinstack.solver.backends`: forced backends, refusals with their reasons, the registry."""

from __future__ import annotations

import re

import numpy as np
import pytest

import spinstack as ss
from spinstack import si
from spinstack.prepared import stack_arrays
from spinstack.solver import applicable_backends, backend_names, backends, solve_nodes
from spinstack.solver.readout import UnitSolution

F, N = ss.Ferromagnet("F", 1.0, 0.5, 2.0), ss.Normal("N", 3.0, 5.0)


def seed(**keywords) -> ss.Stack:
    return ss.Stack([ss.Layer(F, 1.0, [0, 0, 1]), ss.Layer(N, 2.0), ss.Layer(F, 1.0, ss.polar(60.0, 0.0))], **keywords)


def test_numpy_is_last_and_takes_everything():
    assert backend_names()[-1] == "numpy"
    assert set(backend_names()) >= {"numpy", "banded", "banded-numba", "linked"}
    batch = stack_arrays(ss.Stack([ss.Layer(F, np.array([1.0, 2.0]), [0, 0, 1])]))
    assert "numpy" in applicable_backends(batch)
    assert not {"banded", "banded-numba", "linked"} & set(applicable_backends(batch))  # (one configuration each)


@pytest.mark.parametrize("backend, stack, reason", [
    ("banded", ss.Stack([ss.Layer(F, np.array([1.0, 2.0]), [0, 0, 1])]), "one configuration, not a batch of shape (2,)"),
    ("banded", seed(interfaces=[ss.Interface(1, 2.0, 1.0, [1.0, 0.0])]),
     "it needs transparent nodes and this stack has resistive interfaces at nodes [1]"),
    ("compiled", seed(interfaces=[ss.Interface(1, np.inf, np.inf, [1.0, 0.0])]),
     "the interface at node 1 has g = inf or g_mix = inf"),
    ("linked", seed(right=ss.Open(), current=0.0), "it takes no open or insulator end, and this stack has one"),
    ("compiled", seed(right=ss.Insulator([0, 0, 1], [1.0, 0.0]), current=0.0),
     "its current drive runs between reservoirs and leads, and this stack has an open or insulator end"),
    ("linked", seed(field=[0.0, 0.1, 0.0]), "it takes no in-plane field, and this stack has one"),
    ("banded", ss.Stack([ss.Layer(ss.Ferromagnet("C", 1.0, 0.5, 2.0, l_J=1.0), 1.0, [0, 0, 1])]), "8e"),
])
def test_a_forced_backend_that_does_not_apply_says_which_and_why(backend, stack, reason):
    with pytest.raises(ValueError, match=f"solver backend '{backend}' does not apply to this stack: .*{re.escape(reason)}"):
        solve_nodes(stack_arrays(stack), backend=backend)
    with pytest.raises(ValueError, match=f"'{backend}' does not apply"):
        ss.solve(stack, backend=backend).torque


def test_the_field_drive_is_refused_by_the_layerwise_backends_with_its_reason():
    arrays = stack_arrays(ss.Stack([ss.Layer(ss.Normal("Pt", 2.0, 1.5, theta_SH=0.1), 3.0)], field=[0.0, 0.5, 0.0]))
    # (the compiled chain takes the field drive: its sources are per element constants)
    assert [name for name in applicable_backends(arrays, "field") if name != "compiled"] == ["numpy"]
    with pytest.raises(ValueError, match="the current drive only"):
        solve_nodes(arrays, "field", backend="banded")
    with pytest.raises(ValueError, match="drive must be 'current' or 'field'"):
        solve_nodes(arrays, "voltage")


def test_an_unknown_backend_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown solver backend 'gpu'; the backends are .*'numpy'"):
        solve_nodes(stack_arrays(seed()), backend="gpu")


def test_solve_threads_the_backend_to_every_solve():
    """ss.solve(stack, backend=...): the solves of the Solution (and of an SI stack's model-unit twin) take the
    forced backend (a refused one raises from them: see above)."""
    plain = ss.solve(seed())
    forced = ss.solve(seed(), backend="banded")
    assert forced.backend == "banded" and forced.reduced.backend == "banded"
    assert ss.solve(si.stack([si.layer(si.normal("Cu", rho=2e-8, l_sf=300e-9), 5e-9)], current_density=1e10),
                    backend="linked").reduced.backend == "linked"
    np.testing.assert_allclose(forced.torque, plain.torque, rtol=1e-13, atol=0)
    np.testing.assert_allclose(forced.resistance_area, plain.resistance_area, rtol=1e-14)


def test_a_registered_backend_is_tried_before_numpy_and_gets_its_cases(monkeypatch):
    calls = []

    def solve(arrays, drive):
        calls.append(drive)
        return None  # gives up: the automatic choice passes the stack on

    monkeypatch.setattr(backends, "_REGISTRY", dict(backends._REGISTRY))
    backends.register(backends.Backend("probe", lambda arrays, drive: None, solve, lambda arrays, drive: True,
                                       gives_up="it always does"))
    assert backend_names()[-2:] == ["probe", "numpy"]
    arrays = stack_arrays(seed())
    assert isinstance(solve_nodes(arrays), UnitSolution) and calls == ["current"]
    with pytest.raises(ValueError, match="'probe' gave up on this stack: it always does"):
        solve_nodes(arrays, backend="probe")
