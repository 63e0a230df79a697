"""REPORT.md from a hand-written run record: sentences, verdicts, notes, plots and the machine."""

from pathlib import Path

from paycore.bench.report import render, write_report
from tests.bench.records import record

RSA = {
    "name": "rsa",
    "title": "RSA operations",
    "question": "How fast is RSA?",
    "results": [
        {
            "name": "textbook decrypt_int (CRT) @2048",
            "median_ops": 160.0,
            "min_ops": 150.0,
            "max_ops": 170.0,
            "rel_iqr": 0.05,
            "loops": 8,
            "repeats": 7,
            "median_mb_per_s": None,
        },
        {
            "name": "openssl speed sign @2048",
            "median_ops": 3950.0,
            "min_ops": 3900.0,
            "max_ops": 4000.0,
            "rel_iqr": 0.01,
            "loops": None,
            "repeats": 3,
            "median_mb_per_s": None,
        },
    ],
    "ratios": [
        {
            "key": "crt_vs_pow_2048",
            "sentence": "CRT speeds pure-Python decryption by 3.40x at 2048 bits",
            "value": 3.4,
            "target": ">= 3",
            "passed": True,
            "source": "",
            "note": "",
            "kind": "rate",
        },
        {
            "key": "pkcs1_oaep_encrypt_overhead",
            "sentence": "pkcs1.oaep_encrypt takes 1.21x the time of the raw textbook encrypt_int",
            "value": 1.21,
            "target": "<= 1.1",
            "passed": False,
            "source": "",
            "note": "the padding is pure Python",
            "kind": "time",
        },
        {
            "key": "openssl_vs_pure_2048",
            "sentence": "OpenSSL is 24.69x faster",
            "value": 24.6875,
            "target": "",
            "passed": None,
            "source": "",
            "note": "",
            "kind": "rate",
        },
    ],
    "skipped": [{"name": "paycore.secure @1024", "reason": "refuses keys below 2048 bits"}],
}
ENVELOPE = {
    "name": "envelope",
    "title": "the envelope",
    "question": "",
    "results": [
        {
            "name": "envelope seal 1 MiB",
            "median_ops": 2000.0,
            "min_ops": 1900.0,
            "max_ops": 2100.0,
            "rel_iqr": 0.02,
            "loops": 100,
            "repeats": 7,
            "median_mb_per_s": 2097.152,
        }
    ],
    "ratios": [
        {
            "key": "envelope_seal_1mib",
            "sentence": "The envelope seals 1 MiB payloads at 2,097 MB/s",
            "value": 2097.152,
            "target": ">= 1,000",
            "passed": True,
            "source": "",
            "note": "",
            "kind": "mb_per_s",
        },
        {  # the same ratio from a second suite is listed once
            "key": "crt_vs_pow_2048",
            "sentence": "CRT speeds pure-Python decryption by 3.40x at 2048 bits",
            "value": 3.4,
            "target": ">= 3",
            "passed": True,
            "source": "",
            "note": "",
            "kind": "rate",
        },
    ],
    "skipped": [],
}


def test_headline_table_has_each_ratio_once_with_its_verdict():
    text = render(record([RSA, ENVELOPE]), Path("out"))
    assert text.count("CRT speeds pure-Python decryption by 3.40x at 2048 bits |") == 1
    assert "| CRT speeds pure-Python decryption by 3.40x at 2048 bits | 3.40 |  | >= 3 | pass |" in text
    assert "| 1.21 |  | <= 1.1 | **missed** |" in text
    assert "| OpenSSL is 24.69x faster | 24.69 |  | - | - |" in text  # no target
    assert "| 2,097 MB/s |  | >= 1,000 | pass |" in text


def test_notes_explain_the_ratios_that_have_them():
    text = render(record([RSA]), Path("out"))
    assert (
        "- **pkcs1.oaep_encrypt takes 1.21x the time of the raw textbook encrypt_int** (**missed**): " in text
    )
    assert "the padding is pure Python" in text


def test_suite_sections_list_every_case_and_what_was_skipped():
    text = render(record([RSA, ENVELOPE]), Path("out"))
    assert "## Suite `rsa`: RSA operations" in text and "How fast is RSA?" in text
    assert "| textbook decrypt_int (CRT) @2048 | 160 |  | 5.0% | 150 - 170 | 7 x 8 |" in text
    assert "| openssl speed sign @2048 | 3,950 |  | 1.0% | 3,900 - 4,000 | 3 x self-timed |" in text
    assert "| envelope seal 1 MiB | 2,000 | 2,097.2 |" in text
    assert "- paycore.secure @1024: refuses keys below 2048 bits" in text


def test_plots_are_linked_relative_to_the_report(tmp_path):
    plot = tmp_path / "plots" / "rsa_private_ops_2048.png"
    text = render(record([RSA]), tmp_path, {"rsa": [plot]})
    assert "![rsa_private_ops_2048](plots/rsa_private_ops_2048.png)" in text


def test_machine_and_load_are_recorded():
    text = render(record([RSA]), Path("out"))
    assert "Test CPU 9000 (2 cores, AES instructions: True)" in text
    assert "| OpenSSL in `cryptography` | OpenSSL 9.9.9 |" in text
    assert "| `openssl` command | OpenSSL 3.0.19 |" in text
    assert "start 1.25 / 1.00 / 0.75; end 1.50 / 1.10 / 0.80" in text
    assert "paycore 0.1.0" in text and "rsa None" not in text  # uninstalled packages are left out
    assert "A **full** run of `paycore bench --out x`" in text and "500 s" in text


def test_write_report_creates_the_file(tmp_path):
    path = write_report(record([RSA]), tmp_path / "deep" / "REPORT.md")
    assert path.read_text(encoding="utf-8").startswith("# paycore benchmark report")
