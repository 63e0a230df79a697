"""``paycore capture --live``: the real servers on loopback, one payment, recorded by ``tcpdump``.

The servers are ``paycore serve``'s, on a scratch data directory (fresh keys, fresh ids); the
payment is the demo's, sent over real HTTP with ``httpx``; the notification is delivered at once.
Capturing needs root or ``CAP_NET_RAW``: without them this fails with a clear message, and
``paycore capture OUT.pcap`` (no ``--live``) needs no rights at all.
"""

from __future__ import annotations

import select
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

READY_TIMEOUT = 10.0


def _start_tcpdump(out: Path, ports: tuple[int, int]) -> subprocess.Popen:
    tcpdump = shutil.which("tcpdump")
    if tcpdump is None:
        raise ValueError(
            "--live needs tcpdump (Debian/Ubuntu: apt-get install tcpdump); "
            "without --live, paycore capture writes the file itself and needs no rights"
        )
    command = [tcpdump, "-i", "lo", "-U", "--immediate-mode", "-n", "-w", str(out)]
    command.append(f"tcp port {ports[0]} or tcp port {ports[1]}")  # packets written as they arrive
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + READY_TIMEOUT
    said = ""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stderr], [], [], 0.2)
        if ready:
            line = process.stderr.readline()
            said += line
            if "listening on" in line:
                return process
        if process.poll() is not None:
            break
    process.kill()
    process.wait()
    raise ValueError(
        f"tcpdump could not capture on lo ({said.strip() or 'no answer'}): capturing needs root or "
        "CAP_NET_RAW; paycore capture without --live needs neither"
    )


def capture_live(out: Path, merchant_port: int, gateway_port: int) -> Path:
    """Start the servers and tcpdump, make one payment and deliver its notification, stop both."""
    import httpx

    from paycore.tools.capture import CARD, ORDER
    from paycore.tools.serve import start

    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="paycore-capture-") as data:
        servers = start(
            "127.0.0.1", merchant_port, gateway_port, data, deliver_every=10**6, echo=lambda *a: None
        )
        try:
            servers.wait_until_ready()
            tcpdump = _start_tcpdump(out, (merchant_port, gateway_port))
            try:
                with httpx.Client(base_url=servers.merchant_url, timeout=30) as client:
                    user = {"X-User-Id": "alice"}
                    order = client.post("/orders", json=ORDER, headers=user).json()
                    paid = client.post(
                        f"/orders/{order['order_id']}/pay",
                        headers=user,
                        json={"amount": order["amount"], "method": CARD},
                    ).json()
                if paid.get("status") != "PAID":
                    raise RuntimeError(f"the live payment did not complete: {paid}")
                servers.notifier.deliver_due()
                time.sleep(0.5)  # let tcpdump write the last segments
            finally:
                tcpdump.send_signal(signal.SIGINT)
                tcpdump.wait(timeout=10)
        finally:
            servers.shutdown()
    return out
