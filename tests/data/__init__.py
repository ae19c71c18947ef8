"""Stack texts shared by several test files, kept once here as TOML files.

Read as text (:func:`text`), so that a test can prepend top-level keys (``current``, ``field``) or
replace a line to make the case it needs.
"""

from __future__ import annotations

from pathlib import Path

FOLDER = Path(__file__).parent


def text(name: str) -> str:
    """The contents of ``tests/data/<name>``."""
    return (FOLDER / name).read_text(encoding="utf-8")
