"""Build the course as a static website that works offline, from the notebooks' stored outputs.

    npm ci --prefix docs/course --no-audit --no-fund    # once: MathJax 3, pinned in package-lock.json
    .venv/bin/python docs/course/build.py --open        # -> docs/course/_build/html/index.html

Jupyter Book 1 (the ``site`` extra) renders notebooks 00-08 and the reference documents named in
``_toc.yml``; nothing is executed, so the pages show exactly the outputs that the notebook tests
check. MathJax is copied from ``node_modules`` into the site's own ``_static`` folder, and
``_config.yml`` leaves out the extensions that would fetch scripts from elsewhere, so the site
loads nothing from another host: it works from a USB stick in a classroom without a network.
``tests/test_course_site.py`` builds it and checks that.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import webbrowser
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MATHJAX = HERE / "node_modules" / "mathjax" / "es5"
STATIC_MATHJAX = HERE / "_static" / "mathjax"  # where _config.yml's mathjax_path points
DEFAULT_OUT = HERE


def install_mathjax(source: Path = MATHJAX, target: Path = STATIC_MATHJAX) -> None:
    """Copy MathJax's browser build next to the site's other static files."""
    if not (source / "tex-chtml.js").is_file():
        raise SystemExit(
            f"MathJax is not installed ({source} is missing): run "
            "`npm ci --prefix docs/course --no-audit --no-fund` once, then build again"
        )
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)


def jupyter_book() -> str:
    """The ``jupyter-book`` command of this Python's environment."""
    beside = Path(sys.executable).with_name("jupyter-book")
    found = str(beside) if beside.exists() else shutil.which("jupyter-book")
    if found is None:
        raise SystemExit(
            'Jupyter Book is not installed: pip install -e ".[site]" (the dev extra includes it)'
        )
    return found


def build(out: Path = DEFAULT_OUT) -> Path:
    """Build the site under ``out/_build/html`` and return its front page."""
    install_mathjax()
    command = [
        jupyter_book(),
        "build",
        str(ROOT),
        "--config",
        str(HERE / "_config.yml"),
        "--toc",
        str(HERE / "_toc.yml"),
        "--path-output",
        str(out),
        "--quiet",
    ]
    subprocess.run(command, check=True, cwd=ROOT)
    return out / "_build" / "html" / "index.html"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the course website (offline, from stored outputs).")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="folder for _build/ (default: docs/course)"
    )
    parser.add_argument("--open", action="store_true", help="open the front page in a web browser")
    args = parser.parse_args(argv)
    index = build(args.out.resolve())
    print(f"the course site: {index.as_uri()}")
    if args.open:
        webbrowser.open(index.as_uri())
    return 0


if __name__ == "__main__":
    sys.exit(main())
