"""The documentation site builds with warnings as errors and works in a real browser.

Builds ``docs/`` with Sphinx exactly as the README says (``-W --keep-going``: a renamed
function, a broken cross-reference or a failing notebook cell fails the build), serves the
result on localhost and opens it in headless Debian Chromium (Playwright): the front page
renders, a search for "augmentation" finds the hypothesis pages, the API page of
``Model.simulate`` shows its parameters, and a gallery page shows its figure.
"""
from __future__ import annotations

import functools
import re
import http.server
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from _browser import ARTIFACTS, CHROMIUM_ARGS, free_port, need, require_chromium

need("sphinx", "the site needs Sphinx (pip install 'rlsmodel[docs]')")
need("pydata_sphinx_theme", "the site needs pydata-sphinx-theme (pip install 'rlsmodel[docs]')")
need("myst_nb", "the site needs myst-nb (pip install 'rlsmodel[docs]')")
sync_api = need("playwright.sync_api", "needs Playwright (pip install playwright; browser: Debian chromium)")

ROOT = Path(__file__).resolve().parent.parent
BUILD_TIMEOUT_S = 1200


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The HTML site, built by ``python -m sphinx -W --keep-going -b html docs OUT``."""
    out = tmp_path_factory.mktemp("site") / "html"
    cmd = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
           str(ROOT / "docs"), str(out)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
    if proc.returncode != 0:
        pytest.fail(f"the documentation build failed ({' '.join(cmd)}):\n{proc.stdout[-6000:]}\n"
                    f"{proc.stderr[-6000:]}")
    return out


@pytest.fixture(scope="module")
def base_url(site):
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):          # keep the test output clean
        pass


@pytest.fixture(scope="module")
def browser(base_url):
    executable = require_chromium()
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    pg = browser.new_page(viewport={"width": 1300, "height": 1000})
    yield pg
    pg.close()


def test_every_experiment_has_a_gallery_page(site):
    from rlsmodel import experiments
    for name in experiments.NAMES:
        html = (site / "gallery" / f"{name}.html")
        assert html.is_file(), f"no gallery page for experiment {name!r}"
        text = re.sub(r"<[^>]+>", "", html.read_text(encoding="utf-8"))     # highlighted code: drop the spans
        assert "def run(" in text, f"gallery page of {name!r} does not show the code that made it"


def test_front_page_renders(page, base_url):
    page.goto(base_url + "index.html")
    assert "rlsmodel" in page.title()
    heading = page.locator("h1").first
    assert heading.is_visible() and "rlsmodel" in heading.text_content()
    # the navigation reaches the user guide, the gallery and the API reference
    nav = page.locator("nav").all_text_contents()
    joined = " ".join(nav)
    for section in ("Gallery", "API reference", "The rlsmodel model"):
        assert section in joined, f"{section!r} missing from the navigation"
    page.screenshot(path=str(ARTIFACTS / "docs_front_page.png"))


def test_search_finds_the_hypothesis_pages(page, base_url):
    page.goto(base_url + "search.html?q=augmentation")
    # results are appended one by one; the summary says when the search has finished
    page.wait_for_function("() => { const s = document.querySelector('#search-results .search-summary');"
                           " return s !== null && s.textContent.includes('Search finished'); }", timeout=60_000)
    hrefs = page.locator("#search-results ul.search li a").evaluate_all("els => els.map(e => e.href)")
    assert any("hypotheses" in h for h in hrefs), f"hypotheses page not among the hits: {hrefs}"
    assert any("your_own_hypothesis" in h for h in hrefs), f"own-hypothesis page not among the hits: {hrefs}"
    page.screenshot(path=str(ARTIFACTS / "docs_search.png"))


def test_api_page_of_model_simulate_shows_its_parameters(page, base_url):
    page.goto(base_url + "api/model.html#rlsmodel.Model.simulate")
    signature = page.locator("dt[id='rlsmodel.Model.simulate']")
    assert signature.count() == 1 and signature.is_visible()
    body = signature.locator("xpath=following-sibling::dd[1]")
    text = body.text_content()
    assert "Parameters" in text and "Returns" in text
    for name in ("days", "profile", "regimen", "params"):
        assert body.locator(f"dt:has-text('{name}')").count() >= 1, f"parameter {name!r} not shown"
    page.screenshot(path=str(ARTIFACTS / "docs_api_simulate.png"))


def test_gallery_page_shows_its_figure(page, base_url):
    page.goto(base_url + "gallery/augmentation.html")
    images = page.locator("article img")
    assert images.count() >= 1
    first = images.first
    first.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=first.element_handle(),
                           timeout=30_000)
    assert first.evaluate("img => img.naturalWidth") > 200
    assert page.locator("article pre").count() >= 1, "the code that made the figure is missing"
    page.screenshot(path=str(ARTIFACTS / "docs_gallery.png"), full_page=False)
