"""Loaders for the published RSA test vectors in the ``cryptography-vectors`` package.

One opener and one small parser per file format, as pyca/cryptography organises its own
tests (written here from the file formats, not copied). Nothing in here knows about paycore:
it only turns text files into dictionaries of bytes and integers.

Formats:

* RSA Laboratories' PKCS#1 vector files (``oaep-vect.txt``, ``pss-vect.txt``,
  ``pkcs1v15sign-vectors.txt``, ``pkcs1v15crypt-vectors.txt``) and pyca's SHA-2 OAEP files in
  ``oaep-custom/``: ``# Label:`` lines followed by hex, keys followed by their examples;
* RSA Laboratories' ``*-int.txt`` walk-throughs: one example, every intermediate value;
* NIST CAVS ``.rsp`` / ``.txt`` files: ``[mod = N]`` sections of ``name = value`` records;
* BoringSSL's ``evp_tests`` records (``oaep-label.txt``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import cryptography_vectors

RSA_DIR = "asymmetric/RSA"


def read_lines(path: str) -> list[str]:
    """The lines of a vector file under ``asymmetric/RSA/`` (universal newlines: the files use CRLF)."""
    with cryptography_vectors.open_vector_file(f"{RSA_DIR}/{path}", "r") as handle:
        return handle.read().splitlines()


def _hex(text: str) -> bytes:
    digits = text.replace(" ", "").strip()
    return bytes.fromhex("0" * (len(digits) % 2) + digits)  # oaep-custom writes e as "10001"


# --- RSA Laboratories' key-plus-examples files -------------------------------------------------


@dataclass
class KeyVectors:
    """One key of an RSA Labs file and the examples made with it."""

    title: str
    public: dict[str, int] = field(default_factory=dict)
    private: dict[str, int] = field(default_factory=dict)
    examples: list[dict[str, bytes | str]] = field(default_factory=list)

    @property
    def n(self) -> int:
        return self.public["Modulus"]

    @property
    def e(self) -> int:
        return self.public["Exponent"]

    @property
    def d(self) -> int:
        return self.private["Exponent"]

    @property
    def primes(self) -> tuple[int, int]:
        return self.private["Prime 1"], self.private["Prime 2"]


_EXAMPLE_START = re.compile(r"^Message( to be signed)?$")
_ALG_HEADING = re.compile(r"alg=(\w+) mgf1=(\w+)")


def _labelled_values(lines: list[str]) -> Iterator[tuple[str, str, bytes | None]]:
    """Yield ``("heading", text, None)`` for comment lines and ``("value", label, bytes)`` per label.

    A comment ending in ``:`` is a label; the hex lines after it (spaced or not) are its value.
    """
    label, chunks = None, []

    def flush():
        return ("value", label, _hex("".join(chunks))) if label is not None and chunks else None

    for raw in lines:
        line = raw.strip()
        if line.startswith("#"):
            done = flush()
            if done:
                yield done
            text = line.lstrip("#").strip()
            label, chunks = (text[:-1].strip(), []) if text.endswith(":") else (None, [])
            if label is None:
                yield ("heading", text, None)
        elif line and label is not None and re.fullmatch(r"[0-9a-fA-F ]+", line):
            chunks.append(line)
    done = flush()
    if done:
        yield done


def load_key_vectors(path: str) -> list[KeyVectors]:
    """Parse an RSA Labs PKCS#1 vector file (or a pyca ``oaep-custom`` file) into keys with examples.

    A ``Public key`` heading starts a new key; in the ``Private key`` part ``Exponent`` is ``d``.
    A ``Message`` label starts a new example (one file omits an example heading, so headings are
    not relied on). ``oaep-custom`` example headings name the hashes: ``alg=sha256 mgf1=sha1``.
    """
    keys: list[KeyVectors] = []
    section, title, algorithms = None, "", None
    for kind, text, value in _labelled_values(read_lines(path)):
        if kind == "heading":
            if text.startswith("Example"):
                title = text
            elif text == "Public key":
                section = "public"
                keys.append(KeyVectors(title or f"key {len(keys) + 1}"))
            elif text == "Private key":
                section = "private"
            elif match := _ALG_HEADING.search(text):
                algorithms = {"alg": match.group(1), "mgf1": match.group(2)}
            continue
        if _EXAMPLE_START.match(text):
            section = "example"
            keys[-1].examples.append({"id": f"{keys[-1].title.split(':')[0]} #{len(keys[-1].examples) + 1}"})
            if algorithms:
                keys[-1].examples[-1].update(algorithms)
        if section == "example":
            keys[-1].examples[-1][text] = value
        elif section in ("public", "private"):
            getattr(keys[-1], section)[text] = int.from_bytes(value, "big")
    return keys


# --- RSA Laboratories' intermediate-value walk-throughs -----------------------------------------


def load_intermediate_values(path: str) -> dict[str, bytes]:
    """Parse ``oaep-int.txt`` / ``pss-int.txt``: label (the text before any ``=``) -> bytes.

    The walk-through is one example; parsing stops at the BER encodings that close ``oaep-int``.
    """
    values: dict[str, bytes] = {}
    lines = read_lines(path)
    end = next((i for i, line in enumerate(lines) if line.startswith("# BER encoding")), len(lines))
    for kind, text, value in _labelled_values(lines[:end]):
        if kind == "value":
            values.setdefault(text.split(" =")[0].strip(), value)
    return values


# --- NIST CAVS response files -----------------------------------------------------------------


def load_cavs(path: str) -> list[dict[str, object]]:
    """Parse a NIST CAVS file into records; ``n``, ``e``, ``d``, ``p``, ``q`` carry forward.

    Integers (``n``, ``e``, ``d``, ``p``, ``q``) become ``int``, ``Msg``/``S``/``SaltVal``
    become ``bytes``, ``Result`` becomes ``True`` (``P``) or ``False`` (``F ...``), and ``mod``
    comes from the ``[mod = N]`` heading. A record ends at its result (SigVer files) or at its
    signature (SigGen files, which have no results).
    """
    lines = read_lines(path)
    last_field = "Result" if any(line.startswith("Result") for line in lines) else "S"
    records: list[dict[str, object]] = []
    context: dict[str, object] = {}
    current: dict[str, object] = {}
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[mod"):
            context = {"mod": int(line.strip("[]").split("=")[1])}
            continue
        name, _, text = (part.strip() for part in line.partition("="))
        if name in ("n", "e", "d", "p", "q"):
            context[name] = int(text, 16)
        elif name == "Result":
            current["Result"] = text.startswith("P")
            current["reason"] = text
        elif name in ("Msg", "S", "SaltVal"):
            current[name] = _hex(text)
        elif name == "SHAAlg":
            current = {"SHAAlg": text.lower()}
        if name == last_field:
            records.append({**context, **current, "id": f"{path} #{len(records) + 1}"})
    return records


# --- BoringSSL evp_tests records --------------------------------------------------------------


def load_evp_records(path: str) -> list[dict[str, str]]:
    """Parse BoringSSL ``evp_tests`` records: ``Name = value`` lines, one record per ``Output``."""
    records, current = [], {}
    for raw in read_lines(path):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, _, text = (part.strip() for part in line.partition("="))
        current[name] = text
        if name == "Output":
            records.append(current)
            current = {}
    return records
