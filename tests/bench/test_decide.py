"""The decision helpers notebook 08 reads: header sizes, costs per party, and finding the recorded run."""

import subprocess
import sys

import pytest

from paycore.bench.decide import format_choices, header_bytes, recorded_results, signature_choices
from tests.bench.records import record, result
from tests.conftest import load_pinned_key


@pytest.mark.parametrize("algorithm", ["RSA-PSS-SHA256", "RSA-PKCS1v15-SHA256"])
def test_header_bytes_match_a_real_signed_request(algorithm):
    from paycore.payment.protocol import SIGNATURE_HEADERS
    from paycore.payment.protocol.signing import MessageSigner

    signer = MessageSigner(load_pinned_key(2048), algorithm)
    headers = signer.sign_request("POST", "/v1/payments", b"{}", timestamp=1_764_201_600)
    real = sum(len(f"{name}: {headers[name]}\r\n") for name in SIGNATURE_HEADERS)
    assert header_bytes(algorithm, 256) == real


def signatures_record():
    def pair(scheme, sign, verify, bits, key_bytes, sig_bytes):
        params = {"security_bits": bits, "public_key_bytes": key_bytes, "signature_bytes": sig_bytes}
        return [
            result(f"{scheme} sign", sign, params=params),
            result(f"{scheme} verify", verify, params=params),
        ]

    rows = pair("RSA-2048 PKCS#1 v1.5", 2000.0, 40000.0, 112, 294, 256) + pair(
        "Ed25519", 20000.0, 8000.0, 128, 44, 64
    )
    entry = {"name": "signatures", "results": [r.to_dict() for r in rows], "ratios": [], "skipped": []}
    return record([entry])


def test_cost_per_party_counts_who_signs_and_who_verifies():
    rsa, ed = signature_choices(signatures_record())
    # the merchant signs its request and verifies the answer and the notification
    assert rsa.merchant_us == pytest.approx(1e6 / 2000 + 2 * 1e6 / 40000)  # 500 + 50 us
    # the gateway verifies the request and signs the answer and the notification
    assert rsa.gateway_us == pytest.approx(2 * 1e6 / 2000 + 1e6 / 40000)  # 1000 + 25 us
    assert ed.gateway_us == pytest.approx(2 * 50 + 125)
    assert rsa.paycore == "yes (RSA-PKCS1v15-SHA256)" and ed.paycore == "no"
    assert "Alipay and WeChat Pay" in rsa.gateways and ed.gateways == "-"
    table = format_choices([rsa, ed])
    assert "RSA-2048 PKCS#1 v1.5" in table and max(len(line) for line in table.splitlines()) <= 100


def test_the_recorded_run_is_found_from_any_working_directory(tmp_path):
    code = "from paycore.bench.decide import recorded_results; print(recorded_results())"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(recorded_results())
    assert recorded_results().name == "results.json" and recorded_results().exists()
    assert recorded_results("full").exists()
    with pytest.raises(ValueError, match="no recorded run 'nightly'"):
        recorded_results("nightly")


def test_the_readmes_show_the_tables_of_the_recorded_run():
    """Both READMEs' benchmark blocks are generated from the committed run, never typed by hand."""
    from pathlib import Path

    from paycore.bench import suites as registry
    from paycore.bench.decide import load_recorded
    from paycore.bench.runner import refresh
    from paycore.bench.summary import BLOCKS, between_markers, blocks

    record = load_recorded()
    record = refresh(record, [registry.load(entry["name"]) for entry in record["suites"]])
    root = Path(__file__).resolve().parents[2]
    assert "bench-summary" in blocks(record)
    for name, text in blocks(record).items():
        shown = between_markers((root / BLOCKS[name]).read_text(encoding="utf-8"), name)
        assert shown == text, (
            f"{BLOCKS[name]} is stale: paste the {name} block of "
            "`paycore bench --summary-from benchmarks/results/results.json` between its markers"
        )
