"""``paycore capture``: the payment's real bytes in a pcap, read back with a parser of our own.

The reader below is written from the pcap and TCP/IP formats (classic pcap header, Ethernet,
IPv4, TCP), not from scapy, so it checks scapy's output instead of trusting it. tshark, when
installed, reads the shipped file as a third opinion.
"""

from __future__ import annotations

import re
import shutil
import socket
import struct
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("scapy", reason="the capture needs scapy (pip install -e '.[capture]')")

from paycore.cli import main
from paycore.tools.capture import CARD_NUMBER, GATEWAY_PORT, MERCHANT_PORT

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "docs" / "paycore-payment.pcap"
CARD = CARD_NUMBER.encode()


@dataclass(frozen=True)
class Segment:
    time: tuple[int, int]
    sport: int
    dport: int
    flags: int
    frame: bytes
    payload_offset: int  # where the TCP payload starts in ``frame``
    checksum_offset: int

    @property
    def payload(self) -> bytes:
        return self.frame[self.payload_offset :]


def read_pcap(data: bytes) -> list[Segment]:
    """Every TCP segment of a classic little-endian pcap of Ethernet frames (what the capture writes)."""
    magic, _, _, _, _, _, linktype = struct.unpack("<IHHiIII", data[:24])
    assert magic == 0xA1B2C3D4 and linktype == 1, (hex(magic), linktype)
    segments, offset = [], 24
    while offset < len(data):
        seconds, micros, length, _ = struct.unpack("<IIII", data[offset : offset + 16])
        frame = data[offset + 16 : offset + 16 + length]
        offset += 16 + length
        assert frame[12:14] == b"\x08\x00"  # IPv4
        ip = 14
        header = (frame[ip] & 0x0F) * 4
        total = struct.unpack(">H", frame[ip + 2 : ip + 4])[0]
        assert frame[ip + 9] == 6 and total == length - 14  # TCP, and the IP length is right
        tcp = ip + header
        sport, dport = struct.unpack(">HH", frame[tcp : tcp + 4])
        data_offset = (frame[tcp + 12] >> 4) * 4
        segments.append(
            Segment((seconds, micros), sport, dport, frame[tcp + 13], frame, tcp + data_offset, tcp + 16)
        )
    return segments


def http_requests(segments: list[Segment]) -> list[str]:
    return [s.payload.split(b"\r\n", 1)[0].decode() for s in segments if re.match(rb"[A-Z]+ /", s.payload)]


@pytest.fixture(scope="module")
def captures(tmp_path_factory):
    """Two captures made one after the other."""
    folder = tmp_path_factory.mktemp("capture")
    made = []
    for name in ("one.pcap", "two.pcap"):
        assert main(["capture", str(folder / name)]) == 0
        made.append((folder / name).read_bytes())
    return made


def test_the_capture_holds_the_whole_payment_in_order(captures):
    segments = read_pcap(captures[0])
    requests = http_requests(segments)
    assert len(requests) == 4 and requests[0] == "POST /orders HTTP/1.1"
    assert re.fullmatch(r"POST /orders/ord_[0-9a-f]{16}/pay HTTP/1\.1", requests[1]), requests[1]
    assert requests[2:] == ["POST /v1/payments HTTP/1.1", "POST /paycore/notify HTTP/1.1"]
    assert [s.time for s in segments] == sorted(s.time for s in segments)
    statuses = [s.payload.split(b"\r\n", 1)[0] for s in segments if s.payload.startswith(b"HTTP/1.1")]
    assert statuses == [b"HTTP/1.1 201 Created", b"HTTP/1.1 200 OK", b"HTTP/1.1 200 OK", b"HTTP/1.1 200 OK"]
    opened = [s for s in segments if s.flags & 0x02 and not s.flags & 0x10]  # SYN without ACK
    closed = [s for s in segments if s.flags & 0x01]
    assert len(opened) == 4 and len(closed) == 8  # four connections, each closed by both sides


def test_the_card_never_crosses_the_gateways_port(captures):
    for capture in (*captures, SHIPPED.read_bytes()):
        segments = read_pcap(capture)
        on_gateway = [s for s in segments if GATEWAY_PORT in (s.sport, s.dport)]
        on_merchant = [s for s in segments if MERCHANT_PORT in (s.sport, s.dport)]
        assert not any(CARD in s.payload for s in on_gateway)
        assert any(CARD in s.payload for s in on_merchant)  # the user sends it to the merchant in clear
        sealed = b"".join(s.payload for s in on_gateway if s.dport == GATEWAY_PORT)
        assert b'"alg":"RSA-OAEP-256"' in sealed and b'"ek":"' in sealed


def _random_spans(payload: bytes) -> list[tuple[int, int]]:
    """Where the values OpenSSL randomises sit: the envelope's wrapped key and each signature header."""
    spans = [m.span(1) for m in re.finditer(rb'"ek":"([^"]+)"', payload)]
    spans += [m.span(1) for m in re.finditer(rb"(?i)paycore-signature: ([A-Za-z0-9+/=]+)\r\n", payload)]
    return spans


def test_two_runs_differ_only_in_the_values_openssl_randomises(captures):
    first, second = (read_pcap(capture) for capture in captures)
    assert len(captures[0]) == len(captures[1]) and len(first) == len(second)
    changed_values = 0
    for a, b in zip(first, second, strict=True):
        if a.frame == b.frame:
            continue
        spans = _random_spans(a.payload)
        assert spans and spans == _random_spans(b.payload)
        for index, (x, y) in enumerate(zip(a.frame, b.frame, strict=True)):
            if x == y or index in (a.checksum_offset, a.checksum_offset + 1):
                continue
            where = index - a.payload_offset
            assert any(start <= where < end for start, end in spans), (
                index,
                a.payload[max(where - 40, 0) : where + 5],
            )
        changed_values += sum(a.payload[s:e] != b.payload[s:e] for s, e in spans)
    assert changed_values == 4  # ek, and the request's, the answer's and the notification's signatures


def _without_random_values(segment: Segment) -> tuple:
    """The segment's frame with the randomised values and the TCP checksum cut out, and its time."""
    frame = segment.frame
    for start, end in sorted(_random_spans(segment.payload), reverse=True):
        frame = frame[: segment.payload_offset + start] + frame[segment.payload_offset + end :]
    checksum = segment.checksum_offset
    return frame[:checksum] + frame[checksum + 2 :], segment.time


def test_the_shipped_capture_is_what_the_command_writes(captures):
    shipped, fresh = read_pcap(SHIPPED.read_bytes()), read_pcap(captures[0])
    assert len(shipped) == len(fresh)
    assert [_without_random_values(s) for s in shipped] == [_without_random_values(s) for s in fresh]
    assert len(SHIPPED.read_bytes()) < 20_000  # small enough to ship


def test_an_existing_file_is_not_overwritten(tmp_path, capsys):
    out = tmp_path / "kept.pcap"
    out.write_bytes(b"mine")
    assert main(["capture", str(out)]) == 2
    assert "exists" in capsys.readouterr().err and out.read_bytes() == b"mine"


TSHARK = shutil.which("tshark")


@pytest.mark.skipif(TSHARK is None, reason="tshark is not installed (apt-get install tshark)")
def test_tshark_reads_the_shipped_capture_as_the_guide_says():
    decode = ["-d", f"tcp.port=={MERCHANT_PORT},http", "-d", f"tcp.port=={GATEWAY_PORT},http"]

    def tshark(*args: str) -> str:
        done = subprocess.run(
            [TSHARK, "-r", str(SHIPPED), *decode, *args], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    requests = tshark("-Y", "http.request", "-T", "fields", "-e", "tcp.dstport", "-e", "http.request.uri")
    ports_and_paths = [line.split("\t") for line in requests.splitlines()]
    assert [row[0] for row in ports_and_paths] == ["8001", "8001", "8002", "8001"]
    assert ports_and_paths[2][1] == "/v1/payments" and ports_and_paths[3][1] == "/paycore/notify"
    assert tshark("-Y", f'tcp.port == {GATEWAY_PORT} && frame contains "{CARD_NUMBER}"').strip() == ""
    assert tshark("-Y", f'tcp.port == {MERCHANT_PORT} && frame contains "{CARD_NUMBER}"').strip() != ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _can_capture() -> str | None:
    """Why a live capture cannot run here, or ``None`` when it can (tcpdump starts listening on lo)."""
    tcpdump = shutil.which("tcpdump")
    if tcpdump is None:
        return "tcpdump is not installed (apt-get install tcpdump)"
    try:
        done = subprocess.run(
            [tcpdump, "-i", "lo", "-w", "/dev/null"], capture_output=True, text=True, timeout=1
        )
    except subprocess.TimeoutExpired as running:  # still capturing after a second: it may capture
        said = (running.stderr or b"").decode() if isinstance(running.stderr, bytes) else running.stderr or ""
        return None if "listening on" in said or not said else f"tcpdump said: {said.strip()[:80]}"
    return f"tcpdump may not capture here: {done.stderr.strip()[:80]}"


CANNOT_CAPTURE = _can_capture()


@pytest.mark.skipif(CANNOT_CAPTURE is not None, reason=str(CANNOT_CAPTURE))
def test_a_live_capture_records_the_real_servers(tmp_path):
    out = tmp_path / "live.pcap"
    merchant, gateway = _free_port(), _free_port()
    assert (
        main(
            ["capture", str(out), "--live", "--merchant-port", str(merchant), "--gateway-port", str(gateway)]
        )
        == 0
    )
    segments = [s for s in _read_any(out) if s.payload]
    assert any(CARD in s.payload for s in segments if merchant in (s.sport, s.dport))
    assert not any(CARD in s.payload for s in segments if gateway in (s.sport, s.dport))
    assert any(s.payload.startswith(b"POST /v1/payments") for s in segments)


def _read_any(path: Path) -> list[Segment]:
    """A tcpdump file: its link type may be Ethernet (Linux lo), read with scapy."""
    from scapy.layers.inet import TCP
    from scapy.utils import rdpcap

    found = []
    for packet in rdpcap(str(path)):
        if TCP in packet:
            raw = bytes(packet[TCP].payload)
            found.append(
                Segment((0, 0), packet[TCP].sport, packet[TCP].dport, int(packet[TCP].flags), raw, 0, 0)
            )
    return found


def test_scapy_loads_only_when_a_capture_is_written():
    code = (
        "import sys; from paycore.cli import build_parser; build_parser(only='capture'); "
        "build_parser().parse_args(['capture', 'x.pcap']); print('scapy' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
