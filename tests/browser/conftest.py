"""Browser tests: Playwright drives the system's Chromium against `paycore serve`'s servers on loopback.

`playwright install` downloads browsers from a host this project cannot reach, so the tests launch
Debian's Chromium (``apt-get install -y chromium fonts-wqy-microhei``; CI's ``.ci/run`` does) by its
path, with the flags a root sandbox needs. Playwright gives every launch a fresh, empty profile
(user-data-dir) of its own. Where no Chromium is found the tests skip and say how to get one;
``PAYCORE_CHROMIUM`` names another binary. Screenshots go to pytest-playwright's artefact folder,
``test-results/`` (one folder per test).
"""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser")
HOW_TO_GET_IT = (
    "Chromium is not installed: run `apt-get install -y chromium fonts-wqy-microhei` (Debian, Ubuntu), "
    "or set PAYCORE_CHROMIUM to a Chromium binary"
)
FLAGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",  # no update checks, no safe-browsing lists: loopback only
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def chromium() -> str | None:
    """The Chromium binary to drive: ``$PAYCORE_CHROMIUM``, else Debian's, else none."""
    named = os.environ.get("PAYCORE_CHROMIUM")
    for candidate in [named] if named else CANDIDATES:
        path = shutil.which(candidate) or (candidate if Path(candidate).is_file() else None)
        if path and os.access(path, os.X_OK):
            return path
    return None


def require_chromium() -> str:
    """The Chromium binary, or skip the test with a reason that says how to get one."""
    path = chromium()
    if path is None:
        pytest.skip(HOW_TO_GET_IT)
    return path


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": require_chromium(),
        "args": FLAGS,
        "headless": True,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1200, "height": 900}, "locale": "en-US"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Both parties over real HTTP on loopback, as `paycore serve` runs them, on fresh data."""
    from paycore.tools.serve import start

    require_chromium()  # skip before starting anything
    data = tmp_path_factory.mktemp("browser") / "data"
    running = start("127.0.0.1", free_port(), free_port(), data, deliver_every=0.2, echo=lambda *a: None)
    running.wait_until_ready()
    yield running
    running.shutdown()
