"""The architecture holds: import-linter's contracts (pyproject.toml) pass, and what loads is light.

The contracts say that the merchant and the gateway never import each other, that the payment
package is layered along the wire (runtime over the parties over their plumbing over the protocol
over the domain), that the domain and the protocol load no web stack, and that the production path
never touches teaching code. Light imports are checked by what lands in ``sys.modules`` of a fresh
interpreter, not by how long anything takes.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "paycore"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
WEB_STACK = ("fastapi", "starlette", "httpx", "anyio", "uvicorn")


def lint_imports(cwd: Path, package_parent: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(package_parent), "PATH": "/usr/bin:/bin"},
    )


def test_the_import_contracts_are_kept():
    done = lint_imports(ROOT, ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_the_contracts_catch_a_gateway_that_imports_the_merchant(tmp_path):
    """The check can fail: the same contracts, on a copy where the gateway reaches into the merchant."""
    shutil.copytree(PACKAGE, tmp_path / "paycore", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    issuer = tmp_path / "paycore" / "payment" / "gateway" / "issuer.py"
    issuer.write_text(
        issuer.read_text() + "\nfrom paycore.payment.merchant import store as _merchant_store\n"
    )
    done = lint_imports(tmp_path, tmp_path)
    assert done.returncode != 0
    assert "The merchant and the gateway never import each other BROKEN" in done.stdout


def modules_loaded_by(code: str) -> set[str]:
    """The top-level modules a fresh interpreter has loaded after running ``code``."""
    probe = f"import sys, json\n{code}\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


@pytest.mark.parametrize(
    "code",
    [
        "import paycore.payment.money",
        "import paycore.payment",
        "from paycore.payment import Money, Card, Wallet, OrderStatus, PaymentError, FakeClock, LineItem",
        "import paycore.payment.protocol.signing, paycore.payment.protocol.replay",
        "import paycore.payment.protocol.schemas",
        "import paycore.payment.protocol.wire",
    ],
)
def test_the_domain_and_the_protocol_load_no_web_stack(code):
    assert not modules_loaded_by(code) & set(WEB_STACK)


def test_paycore_keygen_loads_no_web_server():
    loaded = modules_loaded_by(
        "from paycore.cli import main\ntry:\n    main(['keygen', '--help'])\nexcept SystemExit:\n    pass"
    )
    assert not loaded & set(WEB_STACK)


def test_the_probe_sees_the_web_stack_when_it_is_loaded():
    """The check can fail: building a world does load FastAPI."""
    assert {"fastapi", "httpx"} <= modules_loaded_by("from paycore.payment import build_world\nbuild_world")


def modules_under(*parts: str) -> list[Path]:
    root = PACKAGE.joinpath(*parts)
    return sorted(root.rglob("*.py")) if root.is_dir() else [root]


def test_every_textbook_and_pkcs1_module_warns_in_its_docstring():
    for path in modules_under("textbook") + modules_under("pkcs1"):
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        assert "HAZARDOUS" in docstring.upper() or "TEACHING CODE" in docstring.upper(), path.name


def test_no_module_of_the_payment_package_outgrows_one_responsibility():
    """About 300 lines at most (docs/PROTOCOL.md and the notebooks explain; modules stay readable)."""
    long = {
        str(path.relative_to(PACKAGE)): lines
        for path in modules_under("payment")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 310
    }
    assert not long
