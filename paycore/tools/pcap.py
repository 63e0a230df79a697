"""HTTP exchanges as TCP conversations on loopback, written as a pcap file with scapy.

A :class:`Conversation` is one TCP connection between a client port and a server port on
127.0.0.1: the three-way handshake, each side's bytes in one segment (loopback's MSS is 65483,
more than any message of a payment), the acknowledgements, and the closing FIN exchange.
Sequence numbers start from a value derived from the ports, and every packet's time is set by the
caller, so the same messages always give the same file, byte for byte. Wireshark and ``tshark``
read it like a capture of the loopback interface (Ethernet framing with zero addresses, as Linux
gives ``lo``).

scapy is imported only when packets are built: ``paycore --help`` and the other commands never
load it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

LOOPBACK = "127.0.0.1"
PACKET_GAP = Decimal("0.000050")
"""The time between two packets of the capture (50 microseconds): an order, not a measurement."""


class Ticker:
    """The capture's clock: each call moves it on by :data:`PACKET_GAP` and returns the new time."""

    def __init__(self, start: Decimal) -> None:
        self.now = Decimal(start)

    def __call__(self) -> Decimal:
        self.now += PACKET_GAP
        return self.now


class Conversation:
    """One TCP connection on loopback, its frames built as its events happen (each stamped by ``tick``)."""

    def __init__(self, client_port: int, server_port: int, tick: Ticker) -> None:
        self.client_port, self.server_port, self._tick = client_port, server_port, tick
        self._seq = {True: 1_000_000 * (client_port % 4000), False: 2_000_000 * (server_port % 2000) + 7}
        self.frames: list = []

    def open(self) -> None:
        """The three-way handshake."""
        self._frame(True, "S", advance=1)
        self._frame(False, "SA", advance=1)
        self._frame(True, "A")

    def client_sends(self, data: bytes) -> None:
        self._frame(True, "PA", data, advance=len(data))
        self._frame(False, "A")

    def server_sends(self, data: bytes) -> None:
        self._frame(False, "PA", data, advance=len(data))
        self._frame(True, "A")

    def close(self) -> None:
        """The client closes, the server closes, the client acknowledges."""
        self._frame(True, "FA", advance=1)
        self._frame(False, "FA", advance=1)
        self._frame(True, "A")

    def _frame(self, from_client: bool, flags: str, payload: bytes = b"", advance: int = 0) -> None:
        from scapy.layers.inet import IP, TCP
        from scapy.layers.l2 import Ether
        from scapy.packet import Raw

        ports = (self.client_port, self.server_port)
        sport, dport = ports if from_client else ports[::-1]
        seq, ack = self._seq[from_client], self._seq[not from_client]
        segment = TCP(
            sport=sport, dport=dport, seq=seq, ack=ack if "A" in flags else 0, flags=flags, window=65535
        )
        ip = IP(
            src=LOOPBACK,
            dst=LOOPBACK,
            id=(len(self.frames) + 1 + 100 * (sport % 100)) % 65536,
            flags="DF",
            ttl=64,
        )
        packet = Ether(src="00:00:00:00:00:00", dst="00:00:00:00:00:00") / ip / segment
        if payload:
            packet = packet / Raw(load=payload)
        packet = Ether(bytes(packet))  # lengths and checksums computed now, once
        packet.time = self._tick()
        self.frames.append(packet)
        self._seq[from_client] += advance


def write_pcap(conversations: Sequence[Conversation], path: Path) -> Path:
    """Every conversation's frames, merged in time order, written to ``path`` (classic pcap)."""
    from scapy.utils import wrpcap

    frames = sorted((packet for c in conversations for packet in c.frames), key=lambda packet: packet.time)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wrpcap(str(path), frames)
    return path


def ports_carrying(path: Path, needle: bytes, ports: Sequence[int]) -> set[int]:
    """Which of ``ports`` carried a TCP segment whose payload holds ``needle``, in the capture at ``path``."""
    from scapy.layers.inet import TCP
    from scapy.utils import rdpcap

    found = set()
    for packet in rdpcap(str(path)):
        if TCP in packet and needle in bytes(packet[TCP].payload):
            found |= {packet[TCP].sport, packet[TCP].dport} & set(ports)
    return found
