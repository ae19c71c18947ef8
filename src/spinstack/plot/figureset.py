"""Every figure of one stack, written to files: what ``spinstack plot`` and ``spinstack figures`` draw."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import SpinstackError
from ..solution import Solution

#: figure kinds, in the order ``spinstack figures`` writes them
KINDS = ("profiles", "hodograph", "analogy", "efficiency", "signmap")
FORMATS = (".png", ".svg", ".pdf")


def _draw(kind: str, solution: Solution) -> Any:
    from . import hodograph_figure, plot_analogy, plot_efficiency, plot_sign_map, profiles_figure

    drawers: dict[str, Callable[[], Any]] = {
        "profiles": lambda: profiles_figure(solution),
        "hodograph": lambda: hodograph_figure(solution),
        "analogy": lambda: plot_analogy(solution),
        "efficiency": lambda: plot_efficiency(solution.stack, mark_theta=_stack_angle(solution)),
        "signmap": lambda: plot_sign_map(solution.stack, ratio_to=_first_polarization(solution)),
    }
    if kind not in drawers:
        raise SpinstackError(f"unknown figure kind {kind!r} (expected one of: {', '.join(KINDS)})")
    if kind in ("efficiency", "signmap") and solution.efficiency_problem is not None:
        raise SpinstackError(f"no {kind} figure: {solution.efficiency_problem}")
    drawn = drawers[kind]()
    return drawn if hasattr(drawn, "savefig") else drawn.figure


def _stack_angle(solution: Solution) -> float:
    return float(solution.efficiency().theta) * 180.0 / 3.141592653589793


def _first_polarization(solution: Solution) -> str | None:
    """p of F1, to show the sign map's y axis as p2/p1; None when F1 and F2 share their material
    (the map then runs over the spacer thickness)."""
    first, second = (solution.stack.layers[i].material.name for i in solution.stack.ferromagnet_indices)
    return None if first == second else f"materials.{first}.p"


def available_kinds(solution: Solution) -> tuple[str, ...]:
    """The kinds that make sense for this stack (efficiency and sign map need two F layers)."""
    if solution.efficiency_problem is None:
        return KINDS
    return tuple(kind for kind in KINDS if kind not in ("efficiency", "signmap"))


def write_figure(solution: Solution, kind: str, path: str | os.PathLike) -> Path:
    """Draw ``kind`` for a single-configuration solution and save it (PNG, SVG or PDF by extension).

    The file appears complete or not at all (written next to it, then renamed).
    """
    import matplotlib.pyplot as plt

    target = figure_target(path)
    if solution.batch_shape != ():
        raise SpinstackError("figures take a single configuration (no array parameters)")
    return save_figure(_draw(kind, solution), target)


def figure_target(path: str | os.PathLike) -> Path:
    """``path`` as a figure file: a known format and an existing folder, else a one-line error."""
    target = Path(path)
    if target.suffix.lower() not in FORMATS:
        raise SpinstackError(f"{target}: unknown figure format {target.suffix!r} (use .png, .svg or .pdf)")
    if not target.parent.is_dir():
        raise SpinstackError(f"{target}: the folder {str(target.parent)!r} does not exist")
    return target


def save_figure(figure: Any, target: Path) -> Path:
    """Save ``figure`` to ``target`` (format by extension) complete or not at all, then close it.

    Written next to the target under a temporary name and renamed, with the permissions
    a new file gets (mkstemp's are private).
    """
    import matplotlib.pyplot as plt

    try:
        handle, temporary = tempfile.mkstemp(suffix=target.suffix, dir=target.parent, prefix=".spinstack-")
        os.close(handle)
        try:
            figure.savefig(temporary, dpi=150, bbox_inches="tight")
            os.chmod(temporary, 0o666 & ~_umask())
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)
    except OSError as error:
        raise SpinstackError(f"{target}: cannot write the figure ({error.strerror or error})") from None
    finally:
        plt.close(figure)
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_figure_set(solution: Solution, folder: str | os.PathLike, stem: str, extension: str = ".png") -> list[Path]:
    """Write every available kind as ``folder/stem-kind.ext``; the folder is created if needed."""
    out = Path(folder)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SpinstackError(f"{out}: cannot create the folder ({error.strerror or error})") from None
    return [write_figure(solution, kind, out / f"{stem}-{kind}{extension}") for kind in available_kinds(solution)]
