"""Secret files fail closed: an empty, short, garbled or linked secret stops `paycore serve` with one line.

Before, a 0-byte ``merchant-admin.token`` let ``POST /admin/reconcile`` through with an *empty*
``X-Admin-Token``, and a 0-byte ``gateway-token.key`` keyed every card token with nothing. Secrets
were also created world-readable for a moment (touch, then write) and written through a symbolic
link planted at their path.
"""

import os
import shutil
import stat

import pytest

from paycore import secure
from paycore.cli import main
from paycore.payment import FakeClock
from paycore.payment.gateway.sqlite import SQLiteGatewayStore
from paycore.payment.merchant.sqlite import SQLiteMerchantStore
from paycore.payment.runtime.transport import InProcessNetwork
from paycore.payment.runtime.world import assemble
from paycore.tools import serve
from paycore.tools.http_server import server
from tests.payment.conftest import START
from tests.payment.hardening_helpers import Live, free_port, pinned_keygen, raw_exchange, raw_request

GARBAGE_PEM = b"-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----\n"
KEYS = ("merchant", "gateway-signing", "gateway-encryption")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A data directory exactly as a first `paycore serve` left it."""
    live = Live.start(tmp_path_factory.mktemp("pristine") / "data")
    live.close()
    return live.data


@pytest.fixture
def data(pristine, tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(pristine, copy, symlinks=True)
    return copy


def snapshot(directory) -> dict:
    """Every entry of a directory: a link's target, a directory's listing, or a file's bytes."""

    def entry(path):
        if path.is_symlink():
            return "link", os.readlink(path)
        return ("dir", sorted(os.listdir(path))) if path.is_dir() else ("file", path.read_bytes())

    return {path.name: entry(path) for path in directory.iterdir()}


def refused(data, monkeypatch, capsys) -> str:
    """Run `paycore serve` on ``data`` in this process; it must refuse: status 2, one line. The line."""
    real_start = serve.start

    def must_refuse(*args, **kwargs):
        running = real_start(*args, **kwargs)
        running.shutdown()
        raise AssertionError(f"paycore serve started on a data directory it must refuse: {data}")

    monkeypatch.setattr(serve, "start", must_refuse)
    ports = ["--merchant-port", str(free_port()), "--gateway-port", str(free_port())]
    status = main(["serve", *ports, "--data-dir", str(data)])
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert status == 2, captured
    assert len(lines) == 1 and lines[0].startswith("paycore: error: "), captured.err
    assert "Traceback" not in captured.err + captured.out
    return lines[0]


def _truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _link_to_a_copy(path):
    """Replace the file by a symbolic link to an identical copy elsewhere (its content stays valid)."""
    copy = path.parent.parent / f"elsewhere-{path.name}"
    shutil.copy2(path, copy)
    path.unlink()
    path.symlink_to(copy)


CORRUPTIONS = {
    "empty": lambda path: path.write_bytes(b""),
    "truncated": _truncate,
    "garbage": lambda path: path.write_bytes(GARBAGE_PEM),
    "symlink": _link_to_a_copy,
}


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
@pytest.mark.parametrize("name", KEYS)
def test_a_bad_private_key_file_stops_serve_with_one_line(data, monkeypatch, capsys, name, corruption):
    path = data / f"{name}.private.pem"
    CORRUPTIONS[corruption](path)
    before = snapshot(data)
    line = refused(data, monkeypatch, capsys)
    assert str(path) in line
    assert f"delete {name}.private.pem and {name}.public.pem" in line  # what to do about it
    assert snapshot(data) == before  # refused, not "repaired": nothing was replaced or written


@pytest.mark.parametrize(
    "content, says",
    [
        (b"", "is empty"),
        (b"x" * 31, "only 31 bytes long"),
        (b"x" * 33, "exactly 32 bytes"),
        (None, "symbolic link"),
        ("directory", "cannot read"),
    ],
    ids=["empty", "31-bytes", "33-bytes", "symlink", "directory"],
)
def test_a_bad_card_token_key_stops_serve_with_one_line(data, monkeypatch, capsys, content, says):
    path = data / "gateway-token.key"
    if content is None:
        _link_to_a_copy(path)
    elif content == "directory":
        path.unlink()
        path.mkdir()
    else:
        path.write_bytes(content)
    before = snapshot(data)
    line = refused(data, monkeypatch, capsys)
    assert str(path) in line and says in line and "Restore it from a backup" in line
    assert snapshot(data) == before


@pytest.mark.parametrize(
    "content, says",
    [
        (b"", "is empty"),
        (b"\n", "only 1 bytes long"),
        (b"short-token\n", "only 12 bytes long"),
        (b"!" * 40 + b"\n", "does not hold a token"),
        (None, "symbolic link"),
    ],
    ids=["empty", "newline", "short", "bad-characters", "symlink"],
)
def test_a_bad_operator_token_stops_serve_with_one_line(data, monkeypatch, capsys, content, says):
    path = data / "merchant-admin.token"
    if content is None:
        _link_to_a_copy(path)
    else:
        path.write_bytes(content)
    before = snapshot(data)
    line = refused(data, monkeypatch, capsys)
    assert str(path) in line and says in line and "Delete merchant-admin.token" in line
    assert snapshot(data) == before


def test_a_dangling_symlink_at_a_secrets_path_is_refused_and_never_followed(data, monkeypatch, capsys):
    target = data.parent / "planted-target"
    (data / "merchant-admin.token").unlink()
    (data / "merchant-admin.token").symlink_to(target)
    line = refused(data, monkeypatch, capsys)
    assert "merchant-admin.token is a symbolic link" in line
    assert not target.exists()  # a new token was not written through the link


def test_a_bad_secret_stops_a_real_paycore_serve_process_with_status_2(data):
    """The same refusal from a separate process: one line on stderr, status 2, no traceback."""
    import subprocess
    import sys

    (data / "gateway-token.key").write_bytes(b"")
    command = [sys.executable, "-m", "paycore.cli", "serve", "--data-dir", str(data)]
    command += ["--merchant-port", str(free_port()), "--gateway-port", str(free_port())]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert finished.returncode == 2 and finished.stdout == ""
    assert finished.stderr.splitlines() == [finished.stderr.strip()]
    assert finished.stderr.startswith(f"paycore: error: {data / 'gateway-token.key'} is empty")


# -- an empty X-Admin-Token never authorizes ---------------------------------------------------------------
def reconcile(port: int, *headers: tuple[str, str]):
    """``POST /admin/reconcile`` over a raw socket, so an empty header value goes on the wire as it is."""
    return raw_exchange(port, raw_request("POST", "/admin/reconcile", port, headers=headers))


def test_serve_accepts_only_the_operators_token_over_http(live):
    token = (live.data / "merchant-admin.token").read_text().strip()
    port = live.merchant_port
    for refused_headers in [
        (),
        (("X-Admin-Token", ""),),
        (("X-Admin-Token", " "),),
        (("X-Admin-Token", token[:-1]),),
    ]:
        answer = reconcile(port, *refused_headers)
        assert (answer.status, answer.json()["error"]["code"]) == (401, "AUTHENTICATION_REQUIRED"), (
            refused_headers
        )
    assert reconcile(port, ("X-Admin-Token", token)).status == 200


def test_a_merchant_configured_with_an_empty_token_still_refuses_an_empty_header(
    merchant_key, gateway_key, gateway_encryption_key
):
    """Even wired with ``admin_token=""`` (a library user's mistake), an empty header is no password."""
    import threading

    network = InProcessNetwork()
    parties = assemble(
        clock=FakeClock(START),
        gateway_store=SQLiteGatewayStore(":memory:"),
        merchant_store=SQLiteMerchantStore(":memory:"),
        gateway_key=gateway_key,
        gateway_encryption_key=gateway_encryption_key,
        merchant_key=merchant_key,
        link=network,
        gateway_url="http://gateway.paycore.test",
        merchant_url="http://merchant.paycore.test",
        token_secret=b"k" * 32,
        admin_token="",
    )
    port = free_port()
    merchant_server = server(parties.apps()[1], "127.0.0.1", port)
    thread = threading.Thread(target=merchant_server.run, daemon=True)
    thread.start()
    try:
        while not merchant_server.started:
            assert thread.is_alive()
            threading.Event().wait(0.02)
        for headers in [(), (("X-Admin-Token", ""),)]:
            answer = reconcile(port, *headers)
            assert (answer.status, answer.json()["error"]["code"]) == (401, "AUTHENTICATION_REQUIRED")
    finally:
        merchant_server.should_exit = True
        thread.join(timeout=10)
        network.close()


# -- written atomically, owner-only from the first byte, never through a link ------------------------------
def test_secrets_are_created_owner_only_and_arrive_whole_by_rename(tmp_path, monkeypatch):
    """Watch every file a first start creates: no secret path is ever opened for writing itself."""
    created = []
    real_open = os.open

    def watching_open(path, flags, mode=0o777, *args, **kwargs):
        if flags & os.O_CREAT:
            created.append((os.fspath(path), flags, mode))
        return real_open(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", watching_open)
    with pinned_keygen(monkeypatch):
        running = serve.start("127.0.0.1", free_port(), free_port(), tmp_path / "data", echo=lambda *a: None)
    running.shutdown()
    monkeypatch.undo()
    data = tmp_path / "data"
    secrets = [*(f"{name}.private.pem" for name in KEYS), "gateway-token.key", "merchant-admin.token"]
    by_name = {os.path.basename(path): (flags, mode) for path, flags, mode in created}
    for name in secrets:
        assert name not in by_name, f"{name} was opened for writing in place"
        temporary = [
            (flags, mode) for path, flags, mode in created if os.path.basename(path).startswith(f".{name}.")
        ]
        assert temporary, f"{name} was not written through a temporary file"
        for flags, mode in temporary:
            assert mode & 0o077 == 0, f"{name} was created with mode {mode:o}"
            assert flags & os.O_EXCL and flags & os.O_NOFOLLOW
        assert stat.S_IMODE((data / name).stat().st_mode) == 0o600
    for database in ("gateway.sqlite3", "merchant.sqlite3"):
        assert by_name[database][1] & 0o077 == 0  # created owner-only before SQLite opened it
    assert not [path for path in data.iterdir() if path.name.endswith(".tmp")]


def test_keygen_force_replaces_a_planted_link_and_never_writes_through_it(tmp_path, capsys):
    keys = tmp_path / "keys"
    keys.mkdir()
    precious = {"private": tmp_path / "etc-shadow", "public": tmp_path / "authorized_keys"}
    for half, target in precious.items():
        target.write_bytes(f"{half}: bytes that must survive\n".encode())
        (keys / f"shop.{half}.pem").symlink_to(target)
    before = {half: target.read_bytes() for half, target in precious.items()}

    assert main(["keygen", "--out", str(keys), "--name", "shop"]) == 2  # without --force: refused
    assert "already exist" in capsys.readouterr().err
    assert main(["keygen", "--out", str(keys), "--name", "shop", "--force"]) == 0
    assert {half: target.read_bytes() for half, target in precious.items()} == before
    private, public = keys / "shop.private.pem", keys / "shop.public.pem"
    assert not private.is_symlink() and not public.is_symlink()
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    key = secure.load_private_key_pem(private.read_bytes())
    assert secure.key_id(secure.load_public_key_pem(public.read_bytes())) == secure.key_id(key)


def test_keygen_never_creates_a_file_through_a_dangling_link(tmp_path, capsys):
    keys = tmp_path / "keys"
    keys.mkdir()
    target = tmp_path / "somewhere" / "planted.pem"
    target.parent.mkdir()
    (keys / "shop.private.pem").symlink_to(target)
    assert main(["keygen", "--out", str(keys), "--name", "shop"]) == 2
    assert "shop.private.pem already exists; refusing to overwrite a key" in capsys.readouterr().err
    assert not target.exists() and (keys / "shop.private.pem").is_symlink()
