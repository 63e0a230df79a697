"""The benchmark tables the READMEs show, generated from one results file so they cannot drift.

``paycore bench --summary-from results.json`` prints the short table of the main README;
``--ratios-from`` prints the ratio table of ``benchmarks/README.md`` (the report's own). Both
READMEs hold the output between markers, and a test regenerates it from the committed run.
"""

from __future__ import annotations

from paycore.bench.decide import payment_rates, payment_time, results, signature_choices
from paycore.bench.quality import assess
from paycore.bench.report import headline_lines


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
        + ", ".join(name for name, _ in engines)
        + " | "
        + " / ".join(_rate(rsa[case].median_ops) for _, case in engines)
        + " |"
    )
    rates = payment_rates(record)
    lines.append(
        "| payments per second on one core: "
        + ", ".join(label for label, _ in rates)
        + " | "
        + " / ".join(_rate(value) for _, value in rates)
        + " |"
    )
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


def ratio_table(record: dict) -> str:
    """The ratio table of ``REPORT.md``, with its notes, for ``benchmarks/README.md``."""
    return "\n".join(headline_lines(record))
