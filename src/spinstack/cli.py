"""The command line: ``spinstack solve | analyze | plot | figures FILE``, ``spinstack materials``,
``spinstack explore [FILE]`` (the browser explorer), ``--version``.

Thin on purpose: parse the arguments, call the public API, print.  Bad input
(any :class:`~spinstack.SpinstackError`) prints nothing on stdout, one line on
stderr and exits with status 2; never a traceback (STACK_FORMAT.md).

Quick to start: this module imports click and nothing of numpy's; a command imports what it
runs (``spinstack --help`` and ``spinstack solve`` need neither matplotlib nor xarray, nor numba
unless a compiled kernel runs), and the help texts that list figure kinds or sweep variables read
them only when shown.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click

from . import __version__
from .errors import SpinstackError, numerical_failure

INPUT_ERROR = 2  # exit status for invalid input, as for click's own usage errors
INTERNAL_ERROR = 1


class _FigureKind(click.Choice):
    """The figure kinds of :data:`spinstack.plot.figureset.ALL_KINDS` (a stack file) and of
    :data:`spinstack.plot.dynamics.KINDS` (a saved dynamics run), read when first needed (parsing
    ``plot --kind``, or its help), so that defining the command imports neither the solver nor plot."""

    def __init__(self) -> None:  # (no choices given: the property reads them)
        self.case_sensitive = True

    @property
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]
        from .plot.dynamics import KINDS as DYNAMICS_KINDS
        from .plot.figureset import ALL_KINDS

        return ALL_KINDS + DYNAMICS_KINDS


class _SweepVariablesOption(click.Option):
    """``sweep --variables``: its help lists the sweep variables (:data:`spinstack._sweep.variables.CATALOGUE`),
    read when the help is shown rather than when the command is defined."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        from ._sweep.variables import CATALOGUE

        self.help = (f"Store only these ({', '.join(CATALOGUE)}; tau_DL, tau_FL, smr_long, smr_trans need an "
                     "in-plane field).  Default: all the stack has.")
        return super().get_help_record(ctx)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="spinstack")
def main() -> None:
    """Exact diffusive spin transport in magnetic multilayers (Valet-Fert drift-diffusion)."""


@main.command("solve", short_help="Solve the stack in FILE: summary tables, or --json.")
@click.argument("file", type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object (STACK_FORMAT.md).")
def solve_command(file: str, as_json: bool) -> None:
    """Solve the stack described in FILE (TOML, STACK_FORMAT.md) and print the result."""
    from .io import load_stack
    from .io.bulk import paused_collection
    from .solution import solve

    with _reported(file), paused_collection():  # a long stack: millions of objects, no cycles (io.bulk)
        solution = solve(load_stack(file))
        if as_json:
            from .io import format_json, solution_to_dict

            text = format_json(solution_to_dict(solution))
        else:
            from .io import format_summary

            text = format_summary(solution, file)
    click.echo(text, nl=False)


@main.command("analyze", short_help="Sign changes of g1, g2 and their thresholds (seed eq. 15).")
@click.argument("file", type=click.Path(path_type=str))
@click.option("--theta", "angles", type=float, multiple=True, default=(0.0, 30.0, 60.0), show_default=True,
              help="Angle between m1 and m2 (degrees) at which thresholds are searched; repeat for several.")
@click.option("--parameter", "parameters", multiple=True, metavar="PATH",
              help="Parameter to find sign-change thresholds in (e.g. materials.F2.p, layers[1].thickness); "
                   "repeat for several.  Default: the polarisations of F1 and F2.")
@click.option("--bounds", metavar="LOW:HIGH",
              help="Search range for every parameter: numbers in the stack's units; for an SI stack quantities "
                   "with units where the parameters have a dimension, e.g. \"1 nm:20 nm\" (a bare number is "
                   "refused there, as in SI files), plain numbers for p and angles.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def analyze_command(file: str, angles: tuple[float, ...], parameters: tuple[str, ...], bounds: str | None,
                    as_json: bool) -> None:
    """Sign changes of g1 and g2 (seed eq. 15): the angles where they change sign and the
    parameter thresholds at which they turn negative, for a two-F stack in FILE."""
    from .analysis import sign_report
    from .io import format_json, format_sign_report, load_stack, sign_report_to_dict
    from .model.paths import require_transport_parameter

    with _reported(file):
        stack = load_stack(file)
        for path in parameters:  # before --bounds is read in the path's units: Ms, dynamics.* ... are not transport
            require_transport_parameter(path)
        span = _bounds(bounds, stack, parameters)
        report = sign_report(stack, angles, list(parameters) or None, span)
        text = (format_json(sign_report_to_dict(report, stack.units)) if as_json
                else format_sign_report(report, file, stack.units))
    click.echo(text, nl=False)


@main.command("plot", short_help="Draw a figure of a stack file, saved sweep or dynamics run.")
@click.argument("file", type=click.Path(path_type=str))
@click.option("--kind", type=_FigureKind(), default="profiles", show_default=True,
              help="Stack files: which figure (sot-thickness, smr-thickness, smr-angle: stacks with an in-plane field, "
                   "MODEL.md 8).  Saved dynamics runs: magnetization, orbit, resistance (one run or a selected "
                   "member), final-states (one varied parameter), state-diagram (two); default every one the run "
                   "has.")
@click.option("--out", "out", type=click.Path(path_type=str),
              help="Output file; .png, .svg or .pdf by extension.  Default: FILE's name with -KIND.png, here.  A "
                   "dynamics run drawn without --kind writes OUT's name with -KIND for each figure.")
@click.option("--var", "variable", metavar="NAME",
              help="Saved sweeps: the variable to draw.  Default: g2 (two F layers), else tau_DL (an in-plane "
                   "drive), else resistance_area, else the first one stored.")
@click.option("--sel", "selections", multiple=True, metavar="DIM=VALUE",
              help="Saved sweeps: keep one value of a dimension or coordinate (nearest), e.g. layer=2, "
                   "component=x, theta=60, or with its unit in an SI sweep, \"layers[0].thickness=5 nm\"; "
                   "repeat for several.  Saved dynamics runs: one value of a varied parameter (e.g. "
                   "current=-5e10, dynamics.field[2]=0.02), to draw one member's trajectory.")
def plot_command(file: str, kind: str, out: str | None, variable: str | None, selections: tuple[str, ...]) -> None:
    """Draw one figure of the stack in FILE (profiles, hodographs, the mechanical analogy,
    g(theta), or the sign map of g1, g2 over p2/p1 and theta; for an in-plane drive the spin-orbit
    torque against the heavy-metal thickness and the SMR against thickness and magnetization angle).  A saved sweep (FILE.nc or
    FILE.zarr from 'spinstack sweep') is drawn as a line (one swept dimension) or a map (two).  A saved
    dynamics run (from 'spinstack dynamics --out') is drawn as m(t), its orbit on the unit sphere, R(t) with
    its spectrum, and for an ensemble its end states (a state diagram over two varied parameters)."""
    from .plot.dynamics import KINDS as DYNAMICS_KINDS
    from .sweeps import is_sweep_file
    from .trajectories import is_dynamics_file

    # an option meant for the other kind of file is refused rather than silently ignored
    kind_given = click.get_current_context().get_parameter_source("kind") is not click.core.ParameterSource.DEFAULT
    if is_sweep_file(file) and is_dynamics_file(file):
        if variable is not None:
            _fail(f"{file}: --var goes with a saved sweep; a dynamics run takes --kind, --sel and --out", INPUT_ERROR)
        return _plot_saved_dynamics(file, kind if kind_given else None, out, selections)
    if kind_given and kind in DYNAMICS_KINDS:
        _fail(f"{file}: --kind {kind} goes with a saved dynamics run (.nc, .zarr from 'spinstack dynamics --out')",
              INPUT_ERROR)
    if is_sweep_file(file):
        if kind_given:
            _fail(f"{file}: --kind goes with a stack file (.toml); a saved sweep (.nc, .zarr) takes --var, --sel "
                  "and --out", INPUT_ERROR)
        return _plot_saved_sweep(file, out, variable, selections)
    if variable is not None or selections:
        given = " and ".join(name for name, used in (("--var", variable is not None), ("--sel", selections)) if used)
        _fail(f"{file}: {given} {'go' if ' and ' in given else 'goes'} with a saved sweep (.nc, .zarr, from "
              "'spinstack sweep'); a stack file takes --kind and --out", INPUT_ERROR)
    with _reported(file):
        _headless()
        from .io import load_stack
        from .plot import write_figure
        from .solution import solve

        solution = solve(load_stack(file))
        target = write_figure(solution, kind, out or f"{Path(file).stem}-{kind}.png")
    click.echo(str(target))


@main.command("sweep", short_help="Solve a stack over parameter ranges into a NetCDF/Zarr file.")
@click.argument("file", type=click.Path(path_type=str))
@click.option("--vary", "ranges", multiple=True, required=True, metavar="PATH=START:STOP:NUM",
              help="A parameter and its NUM values from START to STOP (a dimension of the result), e.g. "
                   "theta=0:180:181, materials.F2.p=0.05:0.95:91, layers[1].thickness=0.5:5:46, current=..., "
                   "field.y=... (a vector by its components); repeat for an outer product.  SI stacks: START and "
                   "STOP with units for a quantity with a dimension, e.g. \"layers[1].thickness=1 nm:10 nm:46\", "
                   "\"current=1e10 A/m^2:1e12 A/m^2:50\" (a bare number is refused, as in SI files); angles and p "
                   "are plain numbers.")
@click.option("--out", "out", type=click.Path(path_type=str),
              help="Output file: .nc (NetCDF-4) or .zarr (Zarr), by extension.  Default: FILE's name with -sweep.nc, here.")
@click.option("--chunk-size", type=click.IntRange(min=1), default=None,
              help="Configurations solved at once (peak memory grows with it).  Default 200000.")
@click.option("--variables", metavar="NAME[,NAME...]", cls=_SweepVariablesOption)
@click.option("--scheduler", metavar="ADDRESS", help="Solve on this dask.distributed scheduler (tcp://host:port).")
def sweep_command(file: str, ranges: tuple[str, ...], out: str | None, chunk_size: int | None,
                  variables: str | None, scheduler: str | None) -> None:
    """Solve the stack in FILE over the outer product of parameter ranges and save the labelled
    result (g1, g2, torques, node accumulations, resistance-area, spin-orbit torques and SMR with an
    in-plane field, with units) to a NetCDF or Zarr file, written completely or not at all.  An
    existing OUT is replaced only if it is a spinstack sweep.  A progress bar shows on a terminal;
    prints the path.  Ctrl-C, SIGTERM or SIGHUP stop it between blocks: nothing is written, exit
    status 128 + the signal number (130 for Ctrl-C)."""
    from ._sweep import interrupt

    target = out or f"{Path(file).stem}-sweep.nc"
    complete = False
    try:
        # held from here: a signal anywhere in the command stops it with one line (the sweep checks between blocks)
        with interrupt.deferred():
            with _reported(file):
                from .errors import StackError
                from .io import load_stack
                from .model.paths import require_transport_parameter
                from .sweeps import DEFAULT_CHUNK_SIZE, parse_range, write_sweep

                stack = load_stack(file)  # first: an SI stack reads START and STOP with their units
                for text in ranges:  # before the values are read: Ms, demag, dynamics.* ... are not transport
                    try:
                        require_transport_parameter(text.rpartition("=")[0].strip())
                    except StackError as error:
                        raise SpinstackError(f"{file}: --vary {error}") from None
                parameters = dict(parse_range(text, stack) for text in ranges)
                if len(parameters) != len(ranges):
                    raise SpinstackError("--vary: a parameter is given twice")
                names = [n.strip() for n in variables.split(",") if n.strip()] if variables is not None else None
                try:
                    # written, not opened: opening would read the coordinates back (80 MB for 1e7 angles)
                    write_sweep(stack, parameters, target, variables=names, chunk_size=chunk_size or DEFAULT_CHUNK_SIZE,
                                scheduler=scheduler, source=file)
                except StackError as error:
                    raise SpinstackError(f"{file}: --vary {error}") from None
                complete = True
    except interrupt.Interrupted as stop:
        what = f"{target} is complete" if complete else f"{target} was not written"
        _fail(f"{file}: sweep stopped by {stop.name}; {what}", 128 + stop.signum)
    click.echo(str(target))


@main.command("dynamics", short_help="Macrospin dynamics of the free layers in FILE (exact torque).")
@click.argument("file", type=click.Path(path_type=str))
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object (STACK_FORMAT.md).")
@click.option("--out", "out", type=click.Path(path_type=str),
              help="Save the trajectories: .nc (NetCDF-4) or .zarr (Zarr), by extension; written completely or not "
                   "at all (an existing OUT is replaced only if it is a spinstack dynamics file).")
@click.option("--vary", "ranges", multiple=True, metavar="PATH=START:STOP:NUM",
              help="A parameter and its NUM values from START to STOP (a dimension of the result, integrated as one "
                   "ensemble), e.g. \"current=-3e11 A/m^2:3e11 A/m^2:61\", \"dynamics.field[2]=0 mT:50 mT:21\", "
                   "\"materials.Py.Ms=600 kA/m:900 kA/m:4\", materials.Py.alpha=0.005:0.05:10, or any stack "
                   "parameter as for 'spinstack sweep'; repeat for an outer product.")
@click.option("--duration", metavar="TIME", help="Length of the run, e.g. \"30 ns\".  Default: the file's [dynamics] "
                                                 "duration.")
@click.option("--save-every", metavar="TIME", help="Interval of the saved points, e.g. \"10 ps\".  Default: the "
                                                   "file's [dynamics] save_every.")
@click.option("--chunk", type=click.IntRange(min=1), default=None,
              help="Members integrated at once (peak memory grows with it).  Default: blocks of about 64 MiB.")
@click.option("--progress/--no-progress", "progress", default=None,
              help="Force the progress bar (on stderr) on or off.  Default: on a terminal, for runs longer than "
                   "about a second.")
@click.option("--realizations", "realizations", metavar="N", default=None,
              help="N independent realizations of the thermal noise of every configuration (a run at a temperature "
                   "> 0): one more dimension 'realization', the last; the summary counts the end states and the "
                   "JSON adds each configuration's state_fractions (switching probabilities).")
def dynamics_command(file: str, as_json: bool, out: str | None, ranges: tuple[str, ...], duration: str | None,
                     save_every: str | None, chunk: int | None, progress: bool | None,
                     realizations: str | None) -> None:
    """Integrate the LLGS equation of the free layers of the stack in FILE with the exact torque of the
    transport solution at every step (MODEL.md 9; the file's free layers and [dynamics] table, STACK_FORMAT.md),
    and print per free layer its final state, precession frequency, switching time, critical currents (linear
    stability) and final m (and the temperature of a thermal run), or --json.  A progress bar shows on a terminal
    for runs longer than a second (--progress / --no-progress: always / never).
    Ctrl-C, SIGTERM or SIGHUP stop it between blocks: nothing is written, exit status 128 + the signal number."""
    from ._sweep import interrupt

    complete = False
    try:
        with interrupt.deferred():  # a signal anywhere in the command stops it with one line
            with _reported(file):
                from .errors import StackError
                from .io import load_stack
                from .trajectories import dynamics, format_summary, parse_range, parse_time

                count = None
                if realizations is not None:  # a whole number >= 1, said in the option's name
                    try:
                        count = int(realizations.strip())
                    except ValueError:
                        count = 0
                    if count < 1:
                        raise SpinstackError(f"--realizations: must be a whole number >= 1 (independent "
                                             f"realizations of the thermal noise), got {realizations!r}"[:300])
                length = parse_time(duration, "--duration") if duration is not None else None
                interval = parse_time(save_every, "--save-every") if save_every is not None else None
                stack = load_stack(file)  # first: an SI stack reads START and STOP with their units
                parameters = dict(parse_range(text, stack) for text in ranges)
                if len(parameters) != len(ranges):
                    raise SpinstackError("--vary: a parameter is given twice")
                try:
                    run = dynamics(stack, duration=length, save_every=interval, vary=parameters or None, out=out,
                                   chunk=chunk, source=file, progress=progress, realizations=count,
                                   starting=lambda plan: _notices(file, out, plan))
                except StackError as error:
                    if error.path in parameters:  # a varied path the model refuses: say where it came from
                        raise SpinstackError(f"{file}: --vary {error}") from None
                    raise
                except SpinstackError as error:
                    if str(error).startswith("realizations: "):  # the option's name on the command line
                        raise SpinstackError(f"{file}: --{error}") from None
                    raise
                complete = True
                try:
                    if as_json:
                        from .io import dynamics_to_dict, format_json

                        text = format_json(dynamics_to_dict(run))
                    else:
                        text = format_summary(run, file) + (f"  trajectories: {out}\n" if out is not None else "")
                finally:
                    run.close()
    except interrupt.Interrupted as stop:
        what = "" if out is None else (f"; {out} is complete" if complete else f"; {out} was not written")
        _fail(f"{file}: dynamics stopped by {stop.name}{what}", 128 + stop.signum)
    click.echo(text, nl=False)


#: ``spinstack dynamics --out`` says how large its file will be from this many bytes on
SIZE_NOTICE = 100e6


def _notices(file: str, out: str | None, plan: dict[str, Any]) -> None:
    """What ``spinstack dynamics`` says on stderr once the run's checks passed (``starting`` of
    :func:`spinstack.dynamics`): the size of ``out`` when above :data:`SIZE_NOTICE` (uncompressed: members x
    saved points x (3 per free layer + J + R) x 8 bytes and the summary), and, the first time after an install,
    that the integrator compiles (:func:`spinstack.macrospin.compilation.announce`; a thermal run's kernels are
    others), before the critical currents' and the solver's kernels compile too."""
    size = plan.get("file_bytes")
    if out is not None and size is not None and size > SIZE_NOTICE:
        grid = " x ".join(map(str, plan["shape"])) or "1"
        click.echo(f"{file}: {out} will take up to about {size / 1e6:.3g} MB (uncompressed: {grid} members x "
                   f"{plan['saved_points']} saved points); --save-every or fewer --vary values make it smaller",
                   err=True)
    if not plan.get("thermal"):
        from .macrospin.compilation import announce

        announce(int(plan["members"]))


def _plot_saved_sweep(file: str, out: str | None, variable: str | None, selections: tuple[str, ...]) -> None:
    """``spinstack plot`` of a saved sweep: a line or a map of one variable."""
    with _reported(file):
        _headless()
        from .plot.sweep import default_variable, write_sweep_figure
        from .sweeps import open_sweep

        select = {}
        for text in selections:
            key, equals, value = text.rpartition("=")
            if not equals or not key:
                raise SpinstackError(f"--sel {text!r}: expected DIM=VALUE (e.g. layer=2, component=x)")
            select[key.strip()] = value.strip()
        try:
            dataset = open_sweep(file)
        except SpinstackError as error:  # unreadable (truncated, not HDF5/Zarr): it may be a sweep or a dynamics run
            if " cannot read the sweep (" not in str(error) or not os.path.exists(file):
                raise
            raise SpinstackError(str(error).replace(" cannot read the sweep (", " cannot read the file as a saved "
                                                                              "sweep or dynamics run (", 1)) from None
        with dataset:
            name = variable or default_variable(dataset)
            target = write_sweep_figure(dataset, out or f"{Path(file).stem}-{name}.png", name, select)
    click.echo(str(target))


def _selections(selections: tuple[str, ...]) -> dict[str, str]:
    """``--sel DIM=VALUE`` texts as {dim: value}."""
    select = {}
    for text in selections:
        key, equals, value = text.rpartition("=")
        if not equals or not key:
            raise SpinstackError(f"--sel {text!r}: expected DIM=VALUE (e.g. layer=2, component=x)")
        select[key.strip()] = value.strip()
    return select


def _plot_saved_dynamics(file: str, kind: str | None, out: str | None, selections: tuple[str, ...]) -> None:
    """``spinstack plot`` of a saved dynamics run: the figure of ``kind``, or (None) every one the run has, one
    file each; prints their paths."""
    written = []
    with _reported(file):
        _headless()
        from .plot.dynamics import figure_kinds, write_dynamics_figure
        from .trajectories import open_dynamics

        select = _selections(selections)
        with open_dynamics(file) as dataset:
            kinds = [kind] if kind is not None else figure_kinds(dataset, select)
            stem = Path(out) if out is not None else Path(f"{Path(file).stem}.png")
            for name in kinds:
                target = stem if kind is not None and out is not None else stem.with_name(
                    f"{stem.stem}-{name}{stem.suffix}")
                written.append(write_dynamics_figure(dataset, name, target, select=select))
    for target in written:
        click.echo(str(target))


@main.command("figures", short_help="Write every figure of the stack in FILE into a folder.")
@click.argument("file", type=click.Path(path_type=str))
@click.option("--out", "folder", type=click.Path(path_type=str), default="figures", show_default=True,
              help="Folder to write into (created if needed).")
@click.option("--format", "extension", type=click.Choice(["png", "svg", "pdf"]), default="png", show_default=True)
def figures_command(file: str, folder: str, extension: str) -> None:
    """Write every figure of the stack in FILE into a folder, and print their paths."""
    with _reported(file):
        _headless()
        from .io import load_stack
        from .plot import write_figure_set
        from .plot.figureset import skipped_kinds
        from .solution import solve

        solution = solve(load_stack(file))
        paths = write_figure_set(solution, folder, Path(file).stem, "." + extension)
        # an in-plane-driven stack leaves out the analogy: say so and why (stderr; stdout lists the files)
        notes = [f"spinstack: note: no {kind} figure: {reason}" for kind, reason in skipped_kinds(solution).items()
                 if kind == "analogy"]
    click.echo("\n".join(str(path) for path in paths))
    for note in notes:
        click.echo(note, err=True)


@main.command("materials", short_help="List the built-in materials and interfaces library with sources.")
@click.option("--json", "as_json", is_flag=True, help="Print the library as one JSON object.")
@click.option("--library", "file", type=click.Path(path_type=str),
              help="Read this library file instead of the built-in one (same schema).")
def materials_command(as_json: bool, file: str | None) -> None:
    """List the built-in materials and interfaces library: every value with its unit, the
    temperature it was measured at and its source.  SI stack files name these materials
    (material = "Py") and interfaces (pair = "Py/Cu")."""
    with _reported(file or "the materials library", compiles=False):
        from .io import format_json
        from .io.libraryfile import load_library
        from .io.librarytable import format_library

        library = load_library(file)
        text = format_json(library.to_dict()) if as_json else format_library(library)
    click.echo(text, nl=False)


@main.command("explore", short_help="Serve the interactive explorer (a local web app).")
@click.argument("file", type=click.Path(path_type=str), required=False)
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default="a free port",
              help="Port on 127.0.0.1 to serve on.")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the default web browser.")
def explore_command(file: str | None, port: int, open_browser: bool) -> None:
    """Serve the interactive explorer on 127.0.0.1 and print its URL (Ctrl-C stops it): controls for
    every angle, thickness and material, live hodographs, profiles and g(theta).  Starts from FILE,
    or from the presets (seed spin valve, asymmetric g2 < 0, three non-coplanar F layers)."""
    label = f"file: {Path(file).name}" if file else "given stack"
    with _reported(file or "the explorer"):
        from .app import build_app
        from .app.server import listen_port
        from .io import load_stack

        stack = load_stack(file) if file else None
        build_app(stack, label)  # bad input or a missing extra: one line, exit status 2 or 1
        port = listen_port(port)
    from .app import serve  # outside _reported: the sessions report their own errors in the page

    serve(stack, label, port, open_browser)


def _headless() -> None:
    """Draw off-screen: the CLI only writes files."""
    import matplotlib

    matplotlib.use("Agg")


def _bounds(text: str | None, stack: object = None, parameters: tuple[str, ...] = ()) -> tuple[float, float] | None:
    """LOW:HIGH as the stack's numbers.  A reduced stack takes plain numbers (io.signreport.parse_bounds).  An SI
    stack reads them as its file would (_sweep.quantities): quantities with units for a dimensioned parameter
    ("1 nm:20 nm"; a bare number is refused, it would be metres), plain numbers for p and angles."""
    from .io.signreport import parse_bounds

    units = getattr(stack, "units", "reduced")
    if text is None or units != "SI":
        return parse_bounds(text, units, parameters, stack)
    from .analysis.efficiencies import default_threshold_parameters
    from .errors import StackError
    from ._sweep.quantities import bare_number_reason, is_number, path_kind, value, with_unit

    paths = list(parameters) or default_threshold_parameters(stack)
    parts = text.split(":")
    if len(parts) != 2:
        raise SpinstackError(f"--bounds: expected LOW:HIGH, got {text!r}")
    kinds = {path_kind(path) for path in paths}
    if len(kinds) > 1 and any(kind.dimensioned for kind in kinds):
        raise SpinstackError(f"--bounds: one range cannot serve parameters of different kinds ({', '.join(paths)}): "
                             "analyze them one kind at a time")
    dimensioned = [path for path in paths if path_kind(path).dimensioned]
    if dimensioned and all(is_number(part) for part in parts) and any(float(part) != 0 for part in parts):
        path = dimensioned[0]
        raise SpinstackError(f"--bounds {text!r}: {bare_number_reason(path)} for {path}: write the bounds with "
                             f"one, e.g. \"{with_unit(path, *(float(part) for part in parts))}\"".replace(
                                 ' or, in SI base units, ', '" or "'))
    try:
        low, high = (value(part, paths[0], "SI", stack_numbers=True, label="--bounds") for part in parts)
    except StackError as error:
        raise SpinstackError(f"--bounds {text!r}: {error.reason}") from None
    return (min(low, high), max(low, high)) if path_kind(paths[0]).kind == "current_density" else (low, high)


@contextmanager
def _reported(file: str, compiles: bool = True) -> Iterator[None]:
    """Turn every failure into one stderr line and an exit status; never a traceback.  A command that may run the
    compiled kernels (``compiles``) says on stderr, once, when numba is about to compile one cold (the first run
    after an install: minutes of silence otherwise; :func:`spinstack.macrospin.compilation.announce_compilations`)."""
    import numpy as np

    if compiles:
        from .macrospin.compilation import announce_compilations

        announce_compilations()
    try:
        # valid but extreme parameters (say d = 1e-300) overflow double precision: report that
        # as one line instead of numpy's warnings followed by NaN
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            yield
    except SpinstackError as error:
        message = str(error)
        # the model's and the analysis' messages name a key or a reason; the file (when it is one) is said here
        named = message.startswith(str(file)) or not os.path.exists(str(file))
        _fail(message if named else f"{file}: {message}", INPUT_ERROR)
    except FloatingPointError as error:
        _fail(f"{file}: {numerical_failure(error)}", INPUT_ERROR)
    except RecursionError:
        _fail(f"{file}: nested too deeply to process (arrays or tables within each other hundreds of levels deep)",
              INPUT_ERROR)
    except MemoryError:
        _fail(f"{file}: out of memory: the input asks for more than this machine holds (fewer layers, points or "
              "configurations at once)", INPUT_ERROR)
    except ImportError as error:
        _fail(f"{error}: install the optional extras with pip install 'spinstack[all]'", INTERNAL_ERROR)
    except Exception as error:  # a bug: still one line, never a traceback
        _fail(f"internal error, please report it with {file}: {type(error).__name__}: {error}", INTERNAL_ERROR)


def _fail(message: str, status: int) -> NoReturn:
    click.echo("spinstack: error: " + " ".join(message.splitlines()), err=True)
    raise SystemExit(status)


if __name__ == "__main__":
    main()
