"""The benchmark tables the READMEs show, generated from one results file so they cannot drift.

``paycore bench --summary-from results.json`` prints two blocks: the short table of the main
README (:func:`readme_table`) and the run, its ratios and its payment breakdown for
``benchmarks/README.md`` (:func:`benchmarks_block`). Each README holds its block between
``<!-- NAME:start -->`` and ``<!-- NAME:end -->`` markers, and a test regenerates both from the
committed run and compares.
"""

from __future__ import annotations

from paycore.bench.decide import payment_rates, payment_time, results, signature_choices
from paycore.bench.quality import assess
from paycore.bench.report import headline_lines, machine_lines

BLOCKS = {"bench-summary": "README.md", "bench-details": "benchmarks/README.md"}
"""Marker name -> the file that holds the block."""


def _rate(value: float) -> str:
    return f"{value:,.0f}/s"


def readme_table(record: dict) -> str:
    """The main README's table: RSA engines, payments per second, where the time goes, the signatures."""
    quality = assess(record)
    rsa = results(record, "rsa")
    engines = [
        ("pure Python (CRT)", "textbook decrypt_int (CRT) @2048"),
        ("the same code on gmpy2", "gmpy2 CRT decrypt (same key) @2048"),
        ("C (`cryptography`)", "cryptography OAEP decrypt @2048"),
    ]
    lines = ["| measured in this run | value |", "|---|---|"]
    lines.append(
        "| one RSA-2048 private-key operation: "
        + " / ".join(name for name, _ in engines)
        + " | "
        + " / ".join(_rate(rsa[case].median_ops) for _, case in engines)
        + " |"
    )
    for label, value in payment_rates(record):
        lines.append(f"| payments per second on one core: {label} | {_rate(value)} |")
    split = payment_time(record)
    if split is not None and split.consistent:
        shares = ", ".join(f"{part.label} {split.share(part):.0%}" for part in split.parts)
        lines.append(f"| where a payment over HTTP ({split.total_ms:.1f} ms) goes | {shares} |")
    elif split is not None:
        lines.append("| where a payment's time goes | not stated: the run was too noisy |")
    for choice in signature_choices(record):
        if choice.scheme in ("RSA-2048 PSS", "RSA-2048 PKCS#1 v1.5", "ECDSA P-256", "Ed25519"):
            lines.append(
                f"| {choice.scheme} ({choice.security_bits}-bit security): sign / verify, signature size "
                f"| {_rate(choice.sign_per_s)} / {_rate(choice.verify_per_s)}, {choice.signature_bytes} B |"
            )
    verdict = "noisy: " + "; ".join(quality.reasons) if quality.noisy else "quiet enough to conclude"
    lines.append(f"| the run ({record['mode']}, {record['run']['started'][:10]}) | {verdict} |")
    return "\n".join(lines)


def benchmarks_block(record: dict) -> str:
    """For ``benchmarks/README.md``: the run and its machine, the verdict, every ratio, the breakdown."""
    quality = assess(record)
    lines = [
        *machine_lines(record),
        "",
        quality.sentence(),
        "",
        *headline_lines(record, quality),
    ]
    split = payment_time(record)
    if split is not None:
        lines += ["", *split.lines()]
    return "\n".join(lines)


def blocks(record: dict) -> dict[str, str]:
    """Marker name -> the Markdown between its markers."""
    return {"bench-summary": readme_table(record), "bench-details": benchmarks_block(record)}


def between_markers(text: str, name: str) -> str:
    """What a document holds between ``<!-- name:start -->`` and ``<!-- name:end -->``."""
    start, end = f"<!-- {name}:start -->\n", f"<!-- {name}:end -->"
    if start not in text or end not in text:
        raise ValueError(f"no {start.strip()} ... {end} markers")
    return text.split(start, 1)[1].split(end, 1)[0].strip()
