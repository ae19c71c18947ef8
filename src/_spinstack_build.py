"""The build step that ships the explorer's documentation pages in a wheel (``pyproject.toml``: ``build_py``).

The explorer serves ``README.md``, ``docs/MODEL.md`` and ``docs/STACK_FORMAT.md`` (and the README's pictures,
``docs/images/*.png``) at ``/docs/<page>`` (:mod:`spinstack.app.docs`).  In a checkout they are read where
they are; a wheel (``pip install .``, ``pip wheel .``) carries no file outside the package, so this step
copies them at build time into the built package, as ``spinstack/app/_docs/`` with the same layout
(``README.md``, ``docs/MODEL.md``, ...).  The repository keeps one copy of each: nothing generated is
written into the source tree.  An editable install builds nothing here: the pages are read from the checkout.

Not part of the installed package (``py-modules`` lists only the command's entry point); setuptools loads
it from ``src/`` while it builds.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools.command.build_py import build_py

#: the pages, relative to the project's root (the same list as spinstack.app.docs.PAGES)
PAGES = ("README.md", "docs/MODEL.md", "docs/STACK_FORMAT.md")
#: the README's pictures
IMAGES = "docs/images"
#: where the copies go inside the built package (spinstack.app.docs.SHIPPED)
TARGET = ("spinstack", "app", "_docs")


def documentation_files(root: Path) -> list[Path]:
    """The files to ship, relative to the project's ``root``: the pages and the README's pictures.

    Raises FileNotFoundError when a page is missing (a wheel without its docs would be a silent loss)."""
    missing = [page for page in PAGES if not (root / page).is_file()]
    if missing:
        raise FileNotFoundError(f"the explorer's documentation pages are missing from {root}: {', '.join(missing)}")
    images = sorted(path.relative_to(root) for path in (root / IMAGES).glob("*.png"))
    return [Path(page) for page in PAGES] + images


class BuildPy(build_py):
    """``build_py`` that also copies the documentation pages into the built package (see the module docstring)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):  # an editable install reads the checkout's own files
            return
        for relative in self._documentation():
            target = Path(self.build_lib, *TARGET, relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(_root() / relative, target)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = list(super().get_outputs(include_bytecode))
        if not getattr(self, "editable_mode", False):
            outputs += [str(Path(self.build_lib, *TARGET, relative)) for relative in self._documentation()]
        return outputs

    def _documentation(self) -> list[Path]:
        return documentation_files(_root())


def _root() -> Path:
    """The project's root: the folder holding ``src/`` (a checkout, or an unpacked sdist)."""
    return Path(__file__).resolve().parents[1]
