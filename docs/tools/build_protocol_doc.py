"""Build docs/PROTOCOL.md from docs/tools/PROTOCOL.template.md and the files in docs/protocol-example/.

Edit the template, not PROTOCOL.md, then run from the repository root:
``.venv/bin/python docs/tools/build_protocol_doc.py``. ``tests/payment/test_protocol_doc.py``
fails if PROTOCOL.md and a fresh build differ.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from paycore import secure
from paycore.payment.errors import ErrorCode
from paycore.payment.gateway.outbox import RETRY_SCHEDULE
from paycore.payment.money import CURRENCY_EXPONENTS

TEMPLATE = Path(__file__).with_name("PROTOCOL.template.md")
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "protocol-example"


def read(name: str) -> bytes:
    return (EXAMPLE / name).read_bytes()


def fenced(kind: str, name: str, text: str, language: str) -> str:
    return f"<!-- {kind}: {name} -->\n```{language}\n{text}\n```"


def example(name: str) -> str:
    language = "json" if name.endswith(".json") else "text"
    return fenced("example", name, read(name).decode("utf-8").removesuffix("\n"), language)


def retry_table() -> str:
    rows = ["| after failed attempt | wait | next attempt at |", "|---|---|---|"]
    elapsed = 0
    for attempt, wait in enumerate(RETRY_SCHEDULE, start=1):
        elapsed += wait
        rows.append(f"| {attempt} | {human(wait)} | {human(elapsed)} |")
    rows.append(f"| {len(RETRY_SCHEDULE) + 1} | — (dead) | |")
    return "\n".join(rows)


def error_table() -> str:
    """Section 14's table, one row per member of ``ErrorCode``: code, statuses, who answers it, meaning."""
    rows = ["| code | HTTP | raised by | meaning, and what to do |", "|---|---|---|---|"]
    for code in ErrorCode:
        statuses = ", ".join(str(status) for status in sorted(code.statuses))
        rows.append(f"| `{code.value}` | {statuses} | {code.raised_by} | {code.meaning} |")
    return "\n".join(rows)


def human(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} h" if hours else "", f"{minutes} min" if minutes else "", f"{secs} s" if secs else ""]
    return " ".join(part for part in parts if part)


def build() -> str:
    """The text of docs/PROTOCOL.md."""
    request = json.loads(read("request-body.json"))
    headers = dict(line.split(": ", 1) for line in read("request-headers.txt").decode().splitlines())
    values = {
        "retry_table": retry_table(),
        "error_table": error_table(),
        "retry_schedule": repr(RETRY_SCHEDULE),
        "currency_count": str(len(CURRENCY_EXPONENTS)),
        "timestamp": headers["Paycore-Timestamp"],
        "request_nonce": headers["Paycore-Nonce"],
        "merchant_key_id": secure.key_id(secure.load_public_key_pem(read("merchant-public.EXAMPLE.pem"))),
        "gateway_key_id": secure.key_id(secure.load_public_key_pem(read("gateway-public.EXAMPLE.pem"))),
        "gateway_encryption_key_id": secure.key_id(
            secure.load_public_key_pem(read("gateway-encryption-public.EXAMPLE.pem"))
        ),
        "request_length": str(len(read("request-body.json"))),
        "request_canonical_length": str(len(read("request-canonical.txt"))),
        "plaintext_length": str(len(read("payer-plaintext.json"))),
        "out_trade_no": request["out_trade_no"],
    }
    assert values["merchant_key_id"] == headers["Paycore-Key-Id"]

    def replace(match: re.Match) -> str:
        kind, _, name = match.group(1).partition(":")
        if kind == "example":
            return example(name)
        if kind == "pretty":
            return fenced("pretty", name, json.dumps(json.loads(read(name)), indent=2), "json")
        if kind == "sha256":
            return fenced("sha256", name, hashlib.sha256(read(name)).hexdigest(), "text")
        return values[kind]

    text = re.sub(r"\{\{([a-z0-9_]+(?::[A-Za-z0-9.-]+)?)\}\}", replace, TEMPLATE.read_text(encoding="utf-8"))
    assert "{{" not in text, re.findall(r"\{\{[^}]*\}\}", text)
    return text


def main() -> None:
    text = build()
    (ROOT / "docs" / "PROTOCOL.md").write_text(text, encoding="utf-8")
    print("wrote docs/PROTOCOL.md,", len(text.splitlines()), "lines")


if __name__ == "__main__":
    main()
