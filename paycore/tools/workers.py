"""``paycore serve --workers N``: the merchant in a process of its own, the gateway in N worker processes.

One Python process computes on one core at a time, and a payment is mostly RSA arithmetic, so a
second core needs a second process. The parent process of ``paycore serve --workers N``:

1. opens the data directory, makes the keys and secrets if they are missing, creates the tables,
   registers the merchant and seeds the demo payers -- once, before any worker starts, so the
   workers only ever *read* the key and secret files;
2. binds both ports itself (a busy port fails at once) and starts one merchant process and N gateway
   workers, each a fresh interpreter (``spawn``: no database connection or thread is inherited),
   handing each its listening socket (what a child runs is in :mod:`.worker_child`). The gateway
   workers share one socket; the kernel gives each new connection to whichever worker accepts it
   first;
3. watches them: a process that dies (killed, crashed) is logged and started again; one that keeps
   dying (:data:`MAX_RESTARTS` times in a minute) stops the whole server with status 1.

Every gateway worker runs its own notifier; they share the outbox through leases (each message is
delivered by one worker at a time). Nonces and idempotency claims live in the shared database, so a
replay or a duplicate is refused whichever worker it reaches.

On SQLite the workers share the files in the data directory: SQLite's write lock serialises their
transactions, which is safe on a local disk. On a network file system (NFS, SMB, ...) SQLite's
locks do not hold between processes, so several workers there are refused: use PostgreSQL.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from paycore.tools.serve import LOOPBACK_ORIGINS, _banner, _require_free
from paycore.tools.worker_child import run_child

logger = logging.getLogger("paycore.serve")
MAX_RESTARTS = 5
"""A process that dies this often within a minute stops the server instead of restarting for ever."""
READY_TIMEOUT = 90.0
NETWORK_FILE_SYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "afs", "ceph", "glusterfs", "lustre", "fuse.sshfs"}
)


@dataclass(frozen=True)
class Plan:
    """What every process of one ``paycore serve --workers`` needs to know (it crosses to the children)."""

    host: str
    merchant_port: int
    gateway_port: int
    data_dir: str
    database: str | None
    deliver_every: float
    workers: int

    @property
    def merchant_url(self) -> str:
        return f"http://{self.host}:{self.merchant_port}"

    @property
    def gateway_url(self) -> str:
        return f"http://{self.host}:{self.gateway_port}"


def file_system_of(path: Path) -> str | None:
    """The type of the file system ``path`` lies on (``ext4``, ``nfs4`` ...), where the OS tells."""
    try:
        mounts = Path("/proc/self/mounts").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    target, best, kind = str(path.resolve()), "", None
    for line in mounts:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind


def check_safe(plan: Plan) -> None:
    """Refuse several workers on SQLite files that lie on a network file system."""
    if plan.workers < 1:
        raise ValueError(f"--workers must be at least 1, not {plan.workers}")
    if plan.database is None and plan.workers > 1:
        kind = file_system_of(
            Path(plan.data_dir).parent if not Path(plan.data_dir).exists() else Path(plan.data_dir)
        )
        if kind in NETWORK_FILE_SYSTEMS:
            raise ValueError(
                f"--workers {plan.workers} on SQLite needs the data directory on a local disk, and "
                f"{plan.data_dir} is on {kind}, where SQLite's locks do not hold between processes: "
                "give a local --data-dir, or keep the tables in PostgreSQL (--database postgresql://...)"
            )


def _prepare(plan: Plan, echo) -> None:
    """Keys, secrets, tables, the merchant's registration and the demo payers, made once by the parent."""
    from paycore.payment.clock import SystemClock
    from paycore.payment.runtime import datadir, sdk_credentials
    from paycore.payment.runtime.transport import HttpLink
    from paycore.payment.runtime.world import assemble, open_stores

    try:
        data, created = datadir.prepare(plan.data_dir)
        merchant_key, _ = datadir.party_key(data, "merchant")
        signing_key, _ = datadir.party_key(data, "gateway-signing")
        encryption_key, _ = datadir.party_key(data, "gateway-encryption")
        token_key, admin_token = datadir.card_token_key(data), datadir.admin_token(data)
        sdk = sdk_credentials.prepare(data)
        gateway_store, merchant_store = open_stores(data, plan.database)
    except datadir.STARTUP_ERRORS as exc:
        raise datadir.describe(exc, Path(plan.data_dir)) from None
    try:
        parties = assemble(
            clock=SystemClock(),
            gateway_store=gateway_store,
            merchant_store=merchant_store,
            gateway_key=signing_key,
            gateway_encryption_key=encryption_key,
            merchant_key=merchant_key,
            link=HttpLink(),
            gateway_url=plan.gateway_url,
            merchant_url=plan.merchant_url,
            token_secret=token_key,
            admin_token=admin_token,
            notify_origins=(*LOOPBACK_ORIGINS, plan.merchant_url),
            dialect_keys=sdk.keys,
        )
        sdk_credentials.register_demo_merchants(parties.dialects, sdk, LOOPBACK_ORIGINS)
        sdk_credentials.write_sdk_files(parties.dialects, sdk, plan.gateway_url)
        _banner(
            echo,
            data,
            created,
            plan.merchant_url,
            plan.gateway_url,
            parties.gateway,
            plan.database,
            plan.workers,
        )
    finally:
        gateway_store.close()
        merchant_store.close()


def _listen(host: str, port: int, option: str) -> socket.socket:
    _require_free(host, port, option)
    # IPPROTO_TCP spelled out: asyncio sets TCP_NODELAY only on sockets that say they are TCP, and
    # without it a response's head and body wait out the client's delayed ACK (~40 ms a request)
    sock = socket.socket(
        socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP
    )
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


# -- the parent --------------------------------------------------------------------------------------
class Supervisor:
    """Starts the children, restarts the ones that die, and stops them all at the end."""

    def __init__(self, plan: Plan, sockets: dict[str, socket.socket]) -> None:
        self.plan = plan
        self.sockets = sockets
        self.context = multiprocessing.get_context("spawn")
        self.ready = self.context.Queue()
        self.children: dict[str, multiprocessing.process.BaseProcess] = {}
        self.deaths: dict[str, list[float]] = {}

    def roles(self) -> list[str]:
        return ["merchant", *(f"gateway-{number}" for number in range(1, self.plan.workers + 1))]

    def start(self, role: str) -> None:
        sock = self.sockets["merchant" if role == "merchant" else "gateway"]
        child = self.context.Process(
            target=run_child, args=(self.plan, role, sock, self.ready, os.getpid()), name=role, daemon=False
        )
        child.start()
        self.children[role] = child

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        waiting, deadline = set(self.roles()), time.monotonic() + timeout
        while waiting:
            if time.monotonic() > deadline:
                raise TimeoutError(f"paycore serve did not start: {', '.join(sorted(waiting))} not ready")
            dead = [role for role in waiting if not self.children[role].is_alive()]
            if dead:
                raise TimeoutError(f"paycore serve did not start: {', '.join(dead)} stopped while starting")
            try:
                waiting.discard(self.ready.get(timeout=0.2))
            except Exception:  # queue.Empty
                continue

    def restart_the_dead(self) -> str | None:
        """Start again every child that died; the reason to give up, if one dies too often."""
        for role, child in list(self.children.items()):
            if child.is_alive():
                continue
            how = f"signal {-child.exitcode}" if (child.exitcode or 0) < 0 else f"status {child.exitcode}"
            now = time.monotonic()
            recent = [when for when in self.deaths.get(role, []) if now - when < 60] + [now]
            self.deaths[role] = recent
            if len(recent) > MAX_RESTARTS:
                return f"{role} died {len(recent)} times within a minute (last: {how})"
            logger.warning("%s stopped (%s); starting it again", role, how)
            self.start(role)
        return None

    def stop(self) -> None:
        for child in self.children.values():
            if child.is_alive():
                child.terminate()
        deadline = time.monotonic() + 10
        for child in self.children.values():
            child.join(timeout=max(0.1, deadline - time.monotonic()))
            if child.is_alive():
                child.kill()
                child.join(timeout=5)


def serve_in_processes(args: argparse.Namespace, echo=print) -> int:
    """``paycore serve --workers N``: serve until Ctrl-C or SIGTERM (0), or a child keeps dying (1)."""
    import sys

    plan = Plan(
        args.host,
        args.merchant_port,
        args.gateway_port,
        str(args.data_dir),
        args.database,
        args.deliver_every,
        args.workers,
    )
    if plan.merchant_port == plan.gateway_port:
        raise ValueError(
            f"the merchant and the gateway cannot share port {plan.merchant_port}: give each its own"
        )
    check_safe(plan)
    sockets = {
        "merchant": _listen(plan.host, plan.merchant_port, "--merchant-port"),
        "gateway": _listen(plan.host, plan.gateway_port, "--gateway-port"),
    }
    _prepare(plan, echo)
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    supervisor = Supervisor(plan, sockets)
    try:
        for role in supervisor.roles():
            supervisor.start(role)
        supervisor.wait_ready()
        print("ready. Press Ctrl-C to stop.", flush=True)
        while not stopping.wait(0.5):
            reason = supervisor.restart_the_dead()
            if reason is not None:
                print(f"paycore: error: {reason}; stopping", file=sys.stderr, flush=True)
                return 1
        return 0
    except TimeoutError as exc:
        print(f"paycore: error: {exc}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print("\nstopping")
        return 0
    finally:
        supervisor.stop()
        for sock in sockets.values():
            sock.close()
