"""The documentation the explorer's help links point to, served by the explorer itself (``/docs/<page>``).

The pages are the repository's Markdown files (``README.md``, ``docs/MODEL.md``,
``docs/STACK_FORMAT.md``) rendered to HTML with the ``markdown`` package (a dependency of
Panel), each heading given an id (the ``toc`` extension's slug), so that a link such as
``/docs/model#4-outputs`` opens the section.  Links name a section by the start of its heading
(:func:`link`), so they follow the files.  The files are read from the source tree in a checkout or
an editable install, and from the copy a wheel carries (``spinstack/app/_docs``, copied at build time by
``src/_spinstack_build.py``: the repository keeps one copy) in an installed package (:func:`docs_root`).
A copy without them answers every ``/docs`` page with a short page saying where the documentation is
(:func:`page`, status 404), never a broken page.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

#: the pages: their name in the URL and their file in the repository
PAGES = {"readme": "README.md", "model": "docs/MODEL.md", "stack-format": "docs/STACK_FORMAT.md"}
#: their titles (the page's heading and the links' text)
TITLES = {"readme": "README", "model": "docs/MODEL.md", "stack-format": "docs/STACK_FORMAT.md"}
#: the URL prefix of the pages (``/docs/model``) and of the README's pictures (``/docs/images/NAME.png``)
PREFIX = "/docs"
#: where the documentation is when this copy of spinstack does not have it
ONLINE = "the spinstack repository (README.md, docs/MODEL.md, docs/STACK_FORMAT.md)"

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 900px; margin: 0 auto; padding: 12px 16px 40px; line-height: 1.45;
       color: #222; overflow-wrap: anywhere; }
pre, code { font-family: ui-monospace, monospace; font-size: 0.92em; }
pre { background: #f5f7f9; padding: 8px 10px; overflow-x: auto; overflow-wrap: normal; }
table { border-collapse: collapse; display: block; overflow-x: auto; overflow-wrap: normal; }
td, th { border: 1px solid #ccd; padding: 2px 6px; }
img { max-width: 100%; }
h1, h2, h3 { scroll-margin-top: 8px; } :target { background: #fff6d6; }
nav { font-size: 0.9em; margin-bottom: 12px; } nav a { margin-right: 12px; }
"""


#: where a wheel carries the pages (copied there at build time by ``src/_spinstack_build.py``, same layout as the
#: source tree: ``README.md``, ``docs/MODEL.md``, ``docs/images/...``)
SHIPPED = Path(__file__).resolve().parent / "_docs"


def docs_root(package: Path | None = None) -> Path | None:
    """The directory holding ``README.md`` and ``docs/``, or None when this copy has none.

    The source tree's (a checkout, an editable install) when this module lies in one, else the copy a wheel
    ships (:data:`SHIPPED`).  ``package``: the folder of this module (``spinstack/app``), for a test of an
    installed tree.
    """
    here = package.resolve() if package is not None else Path(__file__).resolve().parent
    for root in (here.parents[2], here / "_docs"):  # src/spinstack/app -> the checkout; an installed copy
        if all((root / file).is_file() for file in PAGES.values()):
            return root
    return None


@dataclass(frozen=True)
class Rendered:
    """A page as HTML and the ids of its headings, by heading text."""

    body: str
    headings: dict[str, str]


def _markdown(text: str) -> Rendered:
    import markdown

    converter = markdown.Markdown(extensions=["toc", "tables", "fenced_code"])
    body = converter.convert(text)
    headings: dict[str, str] = {}

    def walk(tokens: list[dict]) -> None:
        for token in tokens:
            headings.setdefault(html.unescape(token["name"]), token["id"])
            walk(token["children"])

    walk(converter.toc_tokens)
    # links between the pages and the README's pictures, as served here
    for name, file in PAGES.items():
        for spelled in {file, Path(file).name, "../" + file}:
            body = body.replace(f'href="{spelled}', f'href="{PREFIX}/{name}')
    body = re.sub(r'src="(?:\.\./)?docs/images/', f'src="{PREFIX}/images/', body)
    return Rendered(body, headings)


@lru_cache(maxsize=8)
def _rendered(path: Path, modified: float) -> Rendered:
    return _markdown(path.read_text(encoding="utf-8"))


def render(name: str, root: Path | None = None) -> Rendered:
    """The page ``name`` (a key of :data:`PAGES`) rendered; KeyError for an unknown page, FileNotFoundError when
    the documentation is not there (``root``: where it is, :func:`docs_root` by default)."""
    file = PAGES[name]
    root = root if root is not None else docs_root()
    if root is None:
        raise FileNotFoundError(file)
    path = root / file
    return _rendered(path, path.stat().st_mtime)


def anchor(name: str, heading: str, root: Path | None = None) -> str:
    """The id of the first heading of page ``name`` that starts with ``heading`` ("" when there is none, or no
    documentation)."""
    try:
        headings = render(name, root).headings
    except FileNotFoundError:
        return ""
    return next((ident for text, ident in headings.items() if text.startswith(heading)), "")


def link(name: str, heading: str = "") -> str:
    """The URL of page ``name`` at the section whose heading starts with ``heading`` (the page's top when
    empty or not found)."""
    ident = anchor(name, heading) if heading else ""
    return f"{PREFIX}/{name}" + (f"#{ident}" if ident else "")


def markdown_link(name: str, heading: str = "", text: str = "") -> str:
    """A Markdown link to :func:`link` (for the controls' help tooltips), its text the page and section."""
    shown = text or (TITLES[name] + (f", {heading.rstrip('.')}" if heading else ""))
    return f"[{shown}]({link(name, heading)})"


def html_link(name: str, heading: str = "", text: str = "") -> str:
    """An HTML link to :func:`link` opening in a new tab."""
    shown = text or (TITLES[name] + (f", {heading.rstrip('.')}" if heading else ""))
    return f'<a href="{html.escape(link(name, heading))}" target="_blank" rel="noopener">{html.escape(shown)}</a>'


def plain(text: str) -> str:
    """``text`` as a line of the page's Markdown message that shows it literally, in bold: an HTML block
    (``<div><b>...</b></div>``) holding the text HTML-escaped, on one line, followed by a blank line.

    Why: a message quotes what a user or a link gave (a file's name, a key of its TOML); escaping it for HTML
    alone left its Markdown alive: ``?name=[fix](http:evil.example)`` showed a real link in the message,
    ``![x](...)`` an image, and a bare ``evil.com`` became a link (the renderer links URLs it finds).  Markdown
    reads nothing inside an HTML block (no links, no emphasis, no URL found); the block ends at the first
    blank line, so the text's own line breaks are made spaces.
    """
    line = " ".join(text.split())
    return f"<div class=\"message-line\"><b>{html.escape(line)}</b></div>\n\n"


def page(name: str, root: Path | None = None) -> tuple[int, str]:
    """(HTTP status, the HTML page) for ``/docs/<name>``: 200 and the page, 404 and a page saying why not."""
    navigation = "<nav>" + "".join(f'<a href="{PREFIX}/{key}">{html.escape(TITLES[key])}</a>' for key in PAGES) + "</nav>"
    if name not in PAGES:
        status, title, body = 404, "no such page", (f"<p>No documentation page {html.escape(name)!r}; the pages are "
                                                     "listed above.</p>")
    else:
        try:
            status, title, body = 200, TITLES[name], render(name, root).body
        except FileNotFoundError:
            status, title = 404, "documentation not installed"
            body = (f"<h1>The documentation is not installed with this copy of spinstack</h1><p>This page shows "
                    f"{html.escape(PAGES[name])} of the source tree, which an installed package does not carry. "
                    f"Read it in {html.escape(ONLINE)}, or run the explorer from a checkout "
                    "(<code>pip install -e .</code>).</p>")
    return status, (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' "
                    f"content='width=device-width, initial-scale=1'><title>spinstack: {html.escape(title)}</title>"
                    f"<style>{_STYLE}</style></head><body>{navigation}{body}</body></html>")


def image(file_name: str, root: Path | None = None) -> bytes | None:
    """A picture of ``docs/images`` (the README's), or None when there is no such picture."""
    root = root if root is not None else docs_root()
    if root is None or not re.fullmatch(r"[A-Za-z0-9_.-]+\.png", file_name):
        return None
    path = root / "docs" / "images" / file_name
    return path.read_bytes() if path.is_file() else None


__all__ = ["PAGES", "PREFIX", "Rendered", "SHIPPED", "anchor", "docs_root", "html_link", "image", "link", "markdown_link",
           "plain", "page", "render"]
