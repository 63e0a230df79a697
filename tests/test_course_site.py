"""The course website (docs/course/build.py) builds from the stored outputs and works with no network.

The build is Jupyter Book 1 on the notebooks as committed: nothing is executed, so the pages must show
the very outputs nbval checks (a timing cell's stored numbers included). A page must load nothing from
another host -- no script, style sheet, font or image by URL, in the HTML or in the site's own CSS and
JavaScript -- and MathJax must come from the site itself. Every link inside the site must land: on a
page that exists and, when it names an anchor (a glossary row, a section), on that anchor.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

pytest.importorskip("jupyter_book", reason='the course site needs the site extra: pip install -e ".[site]"')

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "docs" / "course"
MATHJAX = COURSE / "node_modules" / "mathjax" / "es5" / "tex-chtml.js"
RESOURCE = {"script": "src", "img": "src", "iframe": "src", "source": "src", "audio": "src", "video": "src"}
RESOURCE |= {"embed": "src", "object": "data", "link": "href"}
URL_IN_CODE = re.compile(
    r"""["'(](?:https?:)?//[^"')\s]+?\.(?:m?js|css|woff2?|ttf|otf|eot|svg|png|jpe?g|gif|json)(?:\?[^"')\s]*)?["')]"""
)
KNOWN_FALLBACKS = {
    # MathJax's speech engine loads this XPath polyfill only in Internet Explorer 11 (it checks for
    # MSGestureEvent), which lacks document.evaluate; no current browser ever fetches it.
    "https://cdn.jsdelivr.net/npm/wicked-good-xpath@1.3.0/dist/wgxpath.install.js",
}

pytestmark = pytest.mark.slow


class Page(HTMLParser):
    """What one HTML page loads, links to and names."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.resources: list[str] = []
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag in RESOURCE and attributes.get(RESOURCE[tag]) and attributes.get("rel") != "canonical":
            self.resources.append(attributes[RESOURCE[tag]])
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def elsewhere(url: str) -> bool:
    return urlsplit(url).scheme in ("http", "https") or url.startswith("//")


def urls_in_code(text: str) -> set[str]:
    return {match.group(0)[1:-1] for match in URL_IN_CODE.finditer(text)} - KNOWN_FALLBACKS


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    if not MATHJAX.exists():
        if os.environ.get("CI"):
            pytest.fail("CI must install MathJax first: npm ci --prefix docs/course --no-audit --no-fund")
        pytest.skip("MathJax is not installed: npm ci --prefix docs/course --no-audit --no-fund")
    out = tmp_path_factory.mktemp("course-site")
    done = subprocess.run(
        [sys.executable, str(COURSE / "build.py"), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=out,  # any working directory will do
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out / "_build" / "html"


@pytest.fixture(scope="module")
def pages(site) -> dict[Path, Page]:
    return {path: Page(path.read_text(encoding="utf-8")) for path in site.rglob("*.html")}


def toc_files() -> list[str]:
    toc = yaml.safe_load((COURSE / "_toc.yml").read_text(encoding="utf-8"))
    return [toc["root"]] + [entry["file"] for part in toc["parts"] for entry in part["chapters"]]


def test_every_page_of_the_table_of_contents_is_built(site):
    files = toc_files()
    assert {f"notebooks/{path.stem}" for path in (ROOT / "notebooks").glob("0*.ipynb")} <= set(files)
    for file in files:
        assert (site / f"{file}.html").is_file(), f"{file} was not built"
    assert "notebooks/00_start_here.html" in (site / "index.html").read_text(encoding="utf-8")


def test_the_pages_show_the_stored_outputs_without_running_anything(site):
    """A timing cell prints new numbers on every run: the page must show the ones stored in the file."""
    notebook = json.loads((ROOT / "notebooks" / "02_textbook_rsa.ipynb").read_text(encoding="utf-8"))
    (timing,) = [
        cell for cell in notebook["cells"] if "".join(cell["source"]).startswith("# NBVAL_IGNORE_OUTPUT")
    ]
    stored = "".join(timing["outputs"][0]["text"]).splitlines()[-1]  # "CRT speed-up: 3.4x"
    page = (site / "notebooks" / "02_textbook_rsa.html").read_text(encoding="utf-8")
    assert stored in page
    figures = re.findall(
        r'<img[^>]+src="([^"]+\.png)"', (site / "notebooks" / "05_payment_flow.html").read_text()
    )
    assert len(figures) >= 2
    assert all((site / "notebooks" / unquote(src)).resolve().is_file() for src in figures)


def test_math_is_typeset_by_the_sites_own_mathjax(site, pages):
    page = pages[site / "notebooks" / "01_rsa_by_hand.html"]
    mathjax = [src.split("?")[0] for src in page.resources if src.split("?")[0].endswith("tex-chtml.js")]
    assert mathjax == ["../_static/mathjax/tex-chtml.js"]
    assert (site / "_static" / "mathjax" / "tex-chtml.js").is_file()
    assert list((site / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))


def test_no_page_loads_anything_from_another_host(site, pages):
    found = []
    for path, page in pages.items():
        found += [(path.name, url) for url in page.resources if elsewhere(url)]
        found += [(path.name, url) for script in page.scripts for url in urls_in_code(script)]
    for path in [*site.rglob("*.js"), *site.rglob("*.css")]:
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [(path.name, url) for url in urls_in_code(text)]
        found += [
            (path.name, hit)
            for hit in re.findall(r"@import\s+(?:url\()?[\"']?(?:https?:)?//[^\s\"')]+", text)
        ]
    assert not found, found[:10]


def test_the_scan_would_see_a_script_from_a_cdn():
    """The check can fail: the page Jupyter Book makes with its default thebe extension names one."""
    page = Page(
        '<script>const THEBE_JS_URL = "https://unpkg.com/thebe@0.8.2/lib/index.js"</script>'
        '<link rel="stylesheet" href="https://fonts.example/a.css">'
    )
    assert [url for url in page.resources if elsewhere(url)] == ["https://fonts.example/a.css"]
    assert urls_in_code(page.scripts[0]) == {"https://unpkg.com/thebe@0.8.2/lib/index.js"}


def test_every_link_inside_the_site_lands(site, pages):
    broken = []
    for path, page in pages.items():
        for href in page.links:
            if elsewhere(href) or href.startswith(("mailto:", "javascript:")):
                continue
            parts = urlsplit(href)
            target = path if not parts.path else (path.parent / unquote(parts.path)).resolve()
            if not target.exists():
                broken.append((path.relative_to(site), href, "no such file"))
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in pages[target].ids:
                broken.append((path.relative_to(site), href, "no such anchor"))
    assert not broken, broken[:10]
