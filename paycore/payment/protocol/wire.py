"""What travels between the parties, whatever carries it: headers, an answer, one JSON encoder, links.

A *link* is anything that takes a method, an absolute URL, headers and body bytes and returns a
:class:`Reply` -- real HTTP, an in-process ASGI call, or a direct call into a service (see
:mod:`paycore.payment.runtime.transport`). The services produce and consume these types only,
so they never depend on how the bytes travel.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol


class Headers(Mapping[str, str]):
    """HTTP headers as received: names case-insensitive, and every value of a repeated name kept.

    ``headers["paycore-nonce"]`` and ``headers["Paycore-Nonce"]`` are the same; a header sent twice
    is visible in :meth:`get_all`, so a check can refuse it rather than pick one copy silently.

    >>> headers = Headers([("Paycore-Nonce", "a"), ("paycore-nonce", "b")])
    >>> headers["PAYCORE-NONCE"], headers.get_all("Paycore-Nonce")
    ('a', ['a', 'b'])
    """

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        pairs = (
            items.pairs()
            if isinstance(items, Headers)
            else (items.items() if isinstance(items, Mapping) else items)
        )
        self._values: dict[str, list[str]] = {}
        self._names: dict[str, str] = {}
        for name, value in pairs:
            key = name.lower()
            self._values.setdefault(key, []).append(value)
            self._names.setdefault(key, name)

    def __getitem__(self, name: str) -> str:
        return self._values[name.lower()][0]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names.values())

    def __len__(self) -> int:
        return len(self._values)

    def get_all(self, name: str) -> list[str]:
        """Every value sent under ``name`` (empty if none)."""
        return list(self._values.get(name.lower(), ()))

    def pairs(self) -> list[tuple[str, str]]:
        """All (name, value) pairs, repeated names included, in the order received."""
        return [(self._names[key], value) for key, values in self._values.items() for value in values]

    def __repr__(self) -> str:
        return f"Headers({self.pairs()!r})"


@dataclass(frozen=True)
class Reply:
    """An answer on the wire: the status, the headers and the exact body bytes."""

    status: int
    headers: Headers = field(repr=False)
    body: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.headers, Headers):
            object.__setattr__(self, "headers", Headers(self.headers))

    def json(self) -> object:
        """The body parsed as JSON (``ValueError`` if it is not JSON)."""
        return json.loads(self.body)


class LinkError(Exception):
    """The other party could not be reached (refused, timed out, or taken down).

    ``permanent`` says it never will be at this address (an ill-formed URL, a scheme nobody
    speaks), so trying again is pointless.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Link(Protocol):
    """How one party reaches another: real HTTP, in process, or a direct call."""

    def request(self, method: str, url: str, headers: Mapping[str, str], body: bytes = b"") -> Reply:
        """Send one request; raise :class:`LinkError` if the peer cannot be reached."""
        ...


def encode_json(document: object, *, sort_keys: bool = True) -> bytes:
    """Compact JSON bytes, ASCII only: the one encoder for every body paycore signs.

    The gateway sorts keys (``sort_keys=True``) so its bodies are deterministic; the merchant keeps
    its request fields in the order it builds them, for readability. Both are signed as sent.

    >>> encode_json({"b": 1, "a": "元"})
    b'{"a":"\\\\u5143","b":1}'
    """
    return json.dumps(document, separators=(",", ":"), sort_keys=sort_keys).encode("ascii")


def decode_json_object(body: bytes) -> dict | None:
    """A JSON object from bytes, or ``None`` when the bytes are not one (the caller says why)."""
    try:
        document = json.loads(body)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None
