"""Saving a figure to a file: PNG, SVG or PDF by extension, written complete or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from ..errors import SpinstackError

__all__ = ["FORMATS", "figure_target", "save_figure"]

#: the figure formats, by file extension
FORMATS = (".png", ".svg", ".pdf")


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
