"""A transport sweep refuses the macrospin dynamics' own parameters (MODEL.md 9, STACK_FORMAT "Dynamics").

Ms, alpha, K_u, gamma, the easy axis, a layer's demag factors and free flag and every ``dynamics.*`` key do
not enter the Valet-Fert solution: ``spinstack.sweep`` over one of them used to be accepted and gave the same
numbers at every point.  It is now refused, in Python and on the command line (exit 2, one line, nothing
written), naming ``spinstack dynamics --vary``; the transport paths of the same stack still sweep.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

pytest.importorskip("xarray")
pytest.importorskip("h5netcdf")

import spinstack as ss  # noqa: E402
from spinstack.cli import main  # noqa: E402
from spinstack.model.paths import with_parameter  # noqa: E402

SWITCHING = Path(__file__).resolve().parents[2] / "examples" / "dynamics-switching.toml"
REASON = "a macrospin dynamics parameter: it does not enter the transport solution"

#: (path, two values in SI base units) of every dynamics-only form, on the switching example (Py free, layer 2)
DYNAMICS_PATHS = [
    ("materials.Py.Ms", [6e5, 9e5]),
    ("materials.Py.alpha", [0.005, 0.05]),
    ("materials.Py.K_u", [5e3, 2e4]),
    ("materials.Py.gamma", [1.7e11, 1.8e11]),
    ("materials.Py.easy_axis.theta", [0.0, 40.0]),
    ("materials.Py.easy_axis.phi", [0.0, 90.0]),
    ("dynamics.area", [1e-14, 2e-14]),
    ("dynamics.field.z", [0.0, 0.05]),
    ("dynamics.duration", [1e-9, 2e-9]),
]


@pytest.fixture(scope="module")
def stack() -> ss.Stack:
    return ss.load_stack(SWITCHING)


@pytest.mark.parametrize("path, values", DYNAMICS_PATHS)
def test_a_dynamics_path_is_a_real_path_that_leaves_the_transport_unchanged(stack, path, values):
    """Why they are refused: each path names a parameter of this stack, and setting it changes no number of
    the static solve (the sweep would have repeated one answer)."""
    # with_parameter takes it (a path of this stack, not an unknown one) and the model changes
    varied = [with_parameter(stack, path, value) for value in values]
    assert varied[0] != varied[1]
    first, second = (ss.solve(member) for member in varied)
    for name in ("resistance_area", "torque", "accumulation"):
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name))


@pytest.mark.parametrize("path, values", DYNAMICS_PATHS + [
    ("layers[2].demag", [0.8, 0.1, 0.1]), ("layers[-1].demag", [1.0, 0.0]), ("layers[2].free", [0.0, 1.0]),
    ("layers[2].Ms", [6e5, 9e5]), ("dynamics.coupling[0].J", [1e-4, 2e-4]), ("dynamics.field", [0.0, 0.0, 0.1]),
    ("dynamics.temperature", [0.0, 300.0]),
])
def test_sweep_refuses_a_dynamics_path_and_names_spinstack_dynamics(stack, path, values):
    pattern = rf"^{re.escape(path)}: {REASON} \(every point would be the same\); vary it with " \
              r"`spinstack dynamics --vary` or spinstack\.dynamics\(vary=\.\.\.\)$"
    with pytest.raises(ss.StackError, match=pattern):
        ss.sweep(stack, {path: values})
    with pytest.raises(ss.StackError, match=pattern):  # also beside a transport path, and on a zipped axis
        ss.sweep(stack, {"materials.Py.p": [0.5, 0.6], path: values})
    with pytest.raises(ss.StackError, match=pattern):
        ss.sweep(stack, {("layers[1].thickness", path): ([5e-9, 1e-8], values[:2])})


def test_the_transport_paths_of_a_dynamics_stack_still_sweep(stack):
    swept = ss.sweep(stack, {"layers[2].thickness": [3e-9, 6e-9], "materials.Py.p": [0.5, 0.65]})
    for i, thickness in enumerate([3e-9, 6e-9]):
        for j, p in enumerate([0.5, 0.65]):
            alone = ss.solve(with_parameter(with_parameter(stack, "layers[2].thickness", thickness),
                                            "materials.Py.p", p))
            # a batched solve against a single one: the same numbers up to round-off
            np.testing.assert_allclose(swept.resistance_area.values[i, j], alone.resistance_area, rtol=1e-12)
    assert swept.resistance_area.values[0, 0] != swept.resistance_area.values[1, 0]


@pytest.mark.parametrize("vary", ["materials.Py.Ms=600 kA/m:900 kA/m:3",
                                  "materials.Py.Ms=6e5:9e5:3",  # a bare number: refused as dynamics, not as metres
                                  "layers[2].demag=0:1:3",
                                  "dynamics.field.z=0 mT:50 mT:3",
                                  "materials.Py.easy_axis.theta=0:90:3"])
def test_cli_sweep_refuses_a_dynamics_path_with_one_line_and_exit_2(vary, tmp_path):
    out = tmp_path / "out.nc"
    result = CliRunner().invoke(main, ["sweep", str(SWITCHING), "--vary", "materials.Py.p=0.5:0.6:2",
                                       "--vary", vary, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    path = vary.rpartition("=")[0]
    assert lines == [f"spinstack: error: {SWITCHING}: --vary {path}: {REASON} (every point would be the same); "
                     "vary it with `spinstack dynamics --vary` or spinstack.dynamics(vary=...)"]
    assert not out.exists()
