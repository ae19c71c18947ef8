"""The help tooltips link to the docs, which the explorer serves itself (issue 16, "help tooltips with links to the
docs"): spinstack.app.docs renders README.md, docs/MODEL.md and docs/STACK_FORMAT.md at /docs/<page>; every link
of the page (controls' "?", the numbers line's symbols, each figure's toolbar "?") opens an existing section."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest

import spinstack
from spinstack.app import docs
from spinstack.app.explorer import App
from spinstack.app.presets import preset

from .test_app_browser import pytestmark as _browser_marks

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LINK = re.compile(r"/docs/[a-z-]+(?:#[A-Za-z0-9_-]+)?")


def _links(app: App) -> set[str]:
    """Every docs link of a page built in Python: the controls' headings and tooltips, the numbers line, the
    figures' help tools."""
    from bokeh.models import HelpTool

    found: set[str] = set()
    texts = [app.explorer.numbers.text]
    for part in app.layout.select():
        for attribute in ("object", "description"):
            value = getattr(part, attribute, None)
            if isinstance(value, str):
                texts.append(value)
    for text in texts:
        found.update(LINK.findall(text))
    for view in ("accumulation", "spin_current", "profiles", "efficiency", "spin_orbit"):
        shown = getattr(app.explorer, view, None)
        for figure in getattr(shown, "figures", None) or ([shown.figure] if shown is not None else []):
            found.update(tool.redirect for tool in figure.tools if isinstance(tool, HelpTool))
    return found


def _resolves(url: str) -> None:
    """The page of ``url`` is served (200) and has the id its anchor names."""
    path, _, anchor = url.partition("#")
    status, page = docs.page(path.removeprefix("/docs/"))
    assert status == 200, url
    assert anchor, f"{url}: a link to a page's top, not to a section"
    assert f'id="{anchor}"' in page, url


@pytest.mark.parametrize("stack", ["seed", "co-cu-py.toml", "pt-co-sot.toml"])
def test_every_help_link_of_a_page_opens_its_section(stack: str) -> None:
    loaded = preset(stack) if stack == "seed" else spinstack.load_stack(EXAMPLES / stack)
    app = App(loaded, stack)
    links = _links(app)
    for url in links:
        _resolves(url)
    expected = {"seed": {"/docs/readme#conventions", "/docs/model#4-outputs", "/docs/model#2-bulk-equations-seed-eqs-2-5",
                         "/docs/readme#figures", "/docs/model#1-geometry", "/docs/stack-format#reduced-units-the-seeds"},
                "co-cu-py.toml": {"/docs/model#7-units"},  # SI units: e^2 D and J
                "pt-co-sot.toml": {"/docs/model#8a-drives", "/docs/model#8f-outputs-in-addition-to-section-4"}}[stack]
    assert expected <= links, expected - links


def test_the_symbols_link_to_where_they_are_defined() -> None:
    """r, |T|, g1/g2: MODEL.md section 4 (outputs); theta: the README's conventions."""
    from spinstack.app.status import explained

    assert '<a class="doc-link" href="/docs/model#4-outputs"' in explained("r", "resistance")
    assert '<a class="doc-link" href="/docs/model#4-outputs"' in explained("|T|", "torque")
    assert 'href="/docs/model#4-outputs"' in explained("g", "g")
    assert 'href="/docs/readme#conventions"' in explained("θ", "theta")
    status, page = docs.page("model")
    assert status == 200 and "Efficiency functions for a stack with two F layers" in page
    assert "Resistance-area product" in page


def test_links_between_pages_and_pictures_are_served_paths() -> None:
    status, readme = docs.page("readme")
    assert status == 200
    assert 'href="/docs/model"' in readme  # [docs/MODEL.md](docs/MODEL.md) of the Conventions
    pictures = re.findall(r'src="(/docs/images/[^"]+)"', readme)
    assert "/docs/images/explorer-phone.png" in pictures
    for picture in pictures:
        assert docs.image(picture.removeprefix("/docs/images/")) is not None, picture
    assert docs.image("../pyproject.toml") is None and docs.image("nothing.png") is None


def test_an_unknown_page_and_missing_docs_say_so(tmp_path: Path) -> None:
    """A copy without the source tree's docs (a non-editable install) answers with a page saying where they are."""
    status, page = docs.page("nothing")
    assert status == 404 and "No documentation page 'nothing'" in page
    status, page = docs.page("model", root=tmp_path)
    assert status == 404
    assert "The documentation is not installed with this copy of spinstack" in page and "docs/MODEL.md" in page
    assert docs.anchor("model", "4.", root=tmp_path) == ""


def test_a_wheel_ships_the_docs_pages_and_an_installed_copy_serves_them(tmp_path: Path) -> None:
    """C (issue 16, second pass): a non-editable install (``pip install .``, a wheel) carried no docs, so every
    help link of an installed explorer answered 'not installed'.  The wheel's build step (src/_spinstack_build.py)
    copies the pages and the README's pictures into the package; the copies are the repository's files, and
    spinstack.app.docs imported from the unpacked wheel (as installed: no checkout around it) serves them."""
    import json
    import subprocess
    import sys
    import zipfile

    repository = EXAMPLES.parent
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", str(repository), "--no-deps", "-q", "-w",
                            str(tmp_path / "wheel")], capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "wheel").glob("spinstack-*.whl")
    installed = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(installed)
    for page in docs.PAGES.values():  # each page and picture shipped, byte for byte the repository's
        assert f"spinstack/app/_docs/{page}" in names, page
        assert (installed / "spinstack/app/_docs" / page).read_bytes() == (repository / page).read_bytes(), page
    assert "spinstack/app/_docs/docs/images/explorer-phone.png" in names
    assert not any(name.startswith("_spinstack_build") for name in names)  # the build step is not installed
    script = ("import json, sys; sys.path.insert(0, sys.argv[1]); from spinstack.app import docs; "
              "print(json.dumps({'module': docs.__file__, 'root': str(docs.docs_root()), "
              "'pages': {name: docs.page(name)[0] for name in docs.PAGES}, 'model': docs.page('model')[1], "
              "'picture': len(docs.image('explorer-phone.png') or b''), 'anchor': docs.anchor('model', '4.')}))")
    served = subprocess.run([sys.executable, "-c", script, str(installed)], capture_output=True, text=True,
                            cwd=tmp_path, timeout=120)
    assert served.returncode == 0, served.stderr
    answer = json.loads(served.stdout)
    assert Path(answer["module"]).is_relative_to(installed)  # the installed copy, not the checkout's
    assert answer["root"] == str(installed / "spinstack" / "app" / "_docs")
    assert answer["pages"] == {name: 200 for name in docs.PAGES}
    assert "Efficiency functions for a stack with two F layers" in answer["model"]
    assert answer["picture"] == (repository / "docs/images/explorer-phone.png").stat().st_size
    assert answer["anchor"] == docs.anchor("model", "4.") != ""


def test_the_checkout_serves_its_own_files() -> None:
    """In a checkout (an editable install) the pages are read where they are, never from a stale built copy."""
    assert docs.docs_root() == EXAMPLES.parent
    assert docs.docs_root(EXAMPLES.parent / "src" / "spinstack" / "app") == EXAMPLES.parent


# ------------------------------------------------------------------ in the browser, served


def _browser_links(page: Any) -> list[str]:
    """Every /docs link of the page (through the shadow roots) and the figures' help tools' addresses."""
    return page.evaluate("""() => {
      const found = [];
      const visit = (root) => {
        for (const element of root.querySelectorAll('*')) {
          const href = element.getAttribute && element.getAttribute('href');
          if (href && href.startsWith('/docs')) found.push(href);
          if (element.shadowRoot) visit(element.shadowRoot);
        }
      };
      visit(document);
      for (const model of Bokeh.documents[0].all_models) {
        if (model.type === 'HelpTool' || (model.redirect != null && typeof model.redirect === 'string')) {
          found.push(model.redirect);
        }
      }
      return found;
    }""")


@pytest.mark.slow
@pytest.mark.usefixtures("warm_kernels")
@_browser_marks[-2]  # playwright installed
@_browser_marks[-1]  # chromium there
def test_every_link_on_the_served_page_resolves(browser: Any, explorer_url: str) -> None:  # (conftest.py's)
    """Every link of the page in the browser: HTTP 200 from the explorer's own server, and the anchor exists."""
    from .test_app_browser import _session

    with _session(browser, explorer_url) as page:
        page.wait_for_timeout(500)
        links = _browser_links(page)
        # a number box's tooltip ("?" beside its label) holds its link once shown
        page.locator(".ctl-layers-1-thickness .bk-description").first.hover()
        page.wait_for_timeout(500)
        links += _browser_links(page)
    assert set(links) >= {"/docs/readme#conventions", "/docs/model#4-outputs", "/docs/model#1-geometry",
                          "/docs/readme#figures"}, links
    assert "/docs/stack-format#reduced-units-the-seeds" in links  # from the hovered tooltip of the thickness box
    for link in sorted(set(links)):
        url = urllib.parse.urljoin(explorer_url, link)
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.status == 200, link
            text = response.read().decode()
        anchor = link.partition("#")[2]
        assert anchor and f'id="{anchor}"' in text, link
    with pytest.raises(urllib.error.HTTPError) as refused:  # an unknown page: 404, said plainly
        urllib.request.urlopen(urllib.parse.urljoin(explorer_url, "/docs/nothing"), timeout=30)
    assert refused.value.code == 404
    refused.value.close()  # the response's socket
