"""Every figure of one stack, written to files: what ``spinstack plot`` and ``spinstack figures`` draw."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..analysis.spin_orbit import spin_hall_layer
from ..errors import SpinstackError
from ..model import Insulator, Stack
from ..solution import Solution, solution_of
from .analogy import IN_PLANE_ANALOGY, plot_analogy
from .efficiency import plot_efficiency
from .hodograph import hodograph_figure
from .profiles import profiles_figure
from .saving import figure_target, save_figure
from .signmap import plot_sign_map
from .spin_orbit import plot_smr_thickness, plot_torque_thickness, smr_angle_figure

#: figure kinds of the CPP drive, in the order ``spinstack figures`` writes them
KINDS = ("profiles", "hodograph", "analogy", "efficiency", "signmap")
#: figure kinds of the in-plane drive (MODEL.md 8): stacks with a field and a theta_SH layer
SOT_KINDS = ("sot-thickness", "smr-thickness", "smr-angle")
ALL_KINDS = KINDS + SOT_KINDS


def _draw(kind: str, solution: Solution) -> Any:
    stack = solution.stack
    drawers: dict[str, Callable[[], Any]] = {
        "profiles": lambda: profiles_figure(solution),
        "hodograph": lambda: hodograph_figure(solution),
        "analogy": lambda: plot_analogy(solution),
        "efficiency": lambda: plot_efficiency(solution.stack, mark_theta=_stack_angle(solution)),
        "signmap": lambda: plot_sign_map(solution.stack, ratio_to=_first_polarization(solution)),
        "sot-thickness": lambda: plot_torque_thickness(stack),
        "smr-thickness": lambda: plot_smr_thickness(stack),
        "smr-angle": lambda: smr_angle_figure(stack),
    }
    if kind not in drawers:
        raise SpinstackError(f"unknown figure kind {kind!r} (expected one of: {', '.join(ALL_KINDS)})")
    if kind in ("efficiency", "signmap") and solution.efficiency_problem is not None:
        raise SpinstackError(f"no {kind} figure: {solution.efficiency_problem}")
    problem = spin_orbit_problem(solution, kind) if kind in SOT_KINDS or kind == "analogy" else None
    if problem is not None:
        raise SpinstackError(f"no {kind} figure: {problem}")
    drawn = drawers[kind]()
    return drawn if hasattr(drawn, "savefig") else drawn.figure


def spin_orbit_problem(solution: Solution, kind: str) -> str | None:
    """Why ``kind`` (a :data:`SOT_KINDS` kind, or "analogy") is not drawn for this stack, or None when it is."""
    stack = solution.stack
    if kind == "analogy":
        return IN_PLANE_ANALOGY if stack.has_field else None
    if not stack.has_field:
        return "this stack has no in-plane field (give 'field', MODEL.md 8a)"
    if not any(v != 0 for v in (float(abs(c)) for c in stack.field.reshape(-1))):
        return "the in-plane field is zero: no spin Hall drive"
    try:
        spin_hall_layer(stack)
    except SpinstackError as error:
        return str(error)
    magnets = stack.ferromagnet_indices or [s for s in ("left", "right") if isinstance(getattr(stack, s), Insulator)]
    if kind != "smr-thickness" and not magnets:
        return "this stack has no magnet (no F layer, no insulator end) to turn or to torque"
    return None


def _stack_angle(solution: Solution) -> float:
    return float(solution.efficiency().theta) * 180.0 / 3.141592653589793


def _first_polarization(solution: Solution) -> str | None:
    """p of F1, to show the sign map's y axis as p2/p1; None when F1 and F2 share their material
    (the map then runs over the spacer thickness)."""
    first, second = (solution.stack.layers[i].material.name for i in solution.stack.ferromagnet_indices)
    return None if first == second else f"materials.{first}.p"


def available_kinds(solution: Solution | Stack) -> tuple[str, ...]:
    """The kinds that make sense for this stack (efficiency and sign map need two F layers and the CPP
    drive; the analogy the CPP drive; the spin-orbit kinds an in-plane field and a theta_SH layer).
    ``solution`` may be a stack (solved here)."""
    solution = solution_of(solution, "available_kinds")
    return tuple(kind for kind in ALL_KINDS if kind not in skipped_kinds(solution))


def skipped_kinds(solution: Solution) -> dict[str, str]:
    """The kinds ``spinstack figures`` leaves out for this stack, each with the reason."""
    skipped: dict[str, str] = {}
    for kind in ("efficiency", "signmap"):
        if solution.efficiency_problem is not None:
            skipped[kind] = solution.efficiency_problem
        elif solution.stack.has_boundary_ends:
            skipped[kind] = "g1, g2 are torques per unit CPP current, and none crosses an open or insulator end"
    for kind in ("analogy",) + SOT_KINDS:
        problem = spin_orbit_problem(solution, kind)
        if problem is not None:
            skipped[kind] = problem
    return skipped


def write_figure(solution: Solution | Stack, kind: str, path: str | os.PathLike) -> Path:
    """Draw ``kind`` for a single-configuration solution (or stack, solved here) and save it (PNG, SVG or
    PDF by extension).

    The file appears complete or not at all (written next to it, then renamed).
    """
    solution = solution_of(solution, "write_figure")
    target = figure_target(path)
    if solution.batch_shape != ():
        raise SpinstackError("figures take a single configuration (no array parameters)")
    return save_figure(_draw(kind, solution), target)


def write_figure_set(solution: Solution | Stack, folder: str | os.PathLike, stem: str,
                     extension: str = ".png") -> list[Path]:
    """Write every available kind of a solution (or stack, solved here) as ``folder/stem-kind.ext``; the
    folder is created if needed."""
    solution = solution_of(solution, "write_figure_set")
    out = Path(folder)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SpinstackError(f"{out}: cannot create the folder ({error.strerror or error})") from None
    return [write_figure(solution, kind, out / f"{stem}-{kind}{extension}") for kind in available_kinds(solution)]
