"""The registered suites: their shape, that every case runs and answers correctly once, and that every
ratio they promise finds its cases (a misspelt case name would silently drop a ratio). Nothing is timed."""

import importlib

import pytest

from paycore.bench import suites as registry
from paycore.bench.harness import Case, Skipped
from paycore.bench.suites._keys import case_name
from tests.bench.records import result

QUICK_RATIOS = {
    "payments": {
        "payments_direct_vs_bound",
        "payments_memory_vs_bound",
        "payments_asgi_vs_bound",
        "payments_http_vs_bound",
        "memory_vs_durable",
        "direct_vs_asgi",
        "asgi_vs_http",
    },
    "textbook": {"keygen_vs_python_rsa_2048", "crt_vs_python_rsa_2048", "crt_vs_pow_2048"},
    "keygen": {"keygen_vs_python_rsa_2048", "keygen_native_vs_textbook_2048"},
    "rsa": {
        "openssl_vs_pure_2048",
        "cryptography_vs_pure_2048",
        "crt_vs_pow_2048",
        "crt_vs_python_rsa_2048",
        "gmpy2_vs_pure_crt_2048",
        "sympy_vs_pure_pow_2048",
        "cryptography_vs_pycryptodome_2048",
        "secure_oaep_decrypt_overhead",
        "secure_pss_sign_overhead",
        "pkcs1_oaep_decrypt_overhead",
        "pkcs1_pss_sign_overhead",
        "pkcs1_oaep_encrypt_overhead",
        "pkcs1_pss_verify_overhead",
    },
    "signatures": {
        "rsa_verify_vs_sign",
        "ed25519_vs_rsa_sign",
        "ecdsa_vs_rsa_sign",
        "rsa_vs_ecdsa_verify",
        "pss_vs_v15_sign",
        "rsa3072_vs_2048_sign",
        "hmac_vs_rsa_sign",
    },
    "envelope": {
        "envelope_seal_1mib",
        "envelope_open_1mib",
        "envelope_seal_small",
        "envelope_open_small",
        "hybrid_vs_chunked_open",
        "hybrid_vs_chunked_seal",
        "wire_format_1mib",
    },
}


@pytest.fixture(scope="module")
def quick_cases():
    return {name: registry.load(name).cases(quick=True) for name in registry.names()}


def fake_results(cases, rate=100.0):
    return [
        result(c.name, rate, group=c.group, params=c.params, bytes_per_op=c.bytes_per_op)
        for c in cases
        if isinstance(c, Case)
    ]


def test_registry_names_match_the_modules():
    assert registry.names()[:5] == ["textbook", "keygen", "rsa", "signatures", "envelope"]
    for name in registry.names():
        module = registry.load(name)
        assert name == module.NAME and module.TITLE and module.QUESTION
        assert callable(module.cases) and callable(module.ratios)


def test_unknown_suite_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown suite 'nope'; known: textbook, keygen"):
        registry.load("nope")


def test_case_names_are_unique_within_a_suite(quick_cases):
    for name, cases in quick_cases.items():
        names = [c.name for c in cases if isinstance(c, Case)]
        assert len(names) == len(set(names)), name


def test_every_quick_ratio_finds_its_cases(quick_cases):
    for name, expected in QUICK_RATIOS.items():
        keys = {ratio.key for ratio in registry.load(name).ratios(fake_results(quick_cases[name]))}
        missing = expected - keys
        if name == "rsa" and any(
            isinstance(c, Skipped) and c.name.startswith("pkcs1") for c in quick_cases[name]
        ):
            missing = {key for key in missing if not key.startswith("pkcs1")}
        assert not missing, f"{name}: {sorted(missing)}"


def test_nothing_is_skipped_here_except_what_the_machine_lacks(quick_cases):
    for name, cases in quick_cases.items():
        for case in cases:
            if isinstance(case, Skipped):
                assert "openssl" in case.name or "pkcs1" in case.name or "PostgreSQL" in case.name, (
                    name,
                    case,
                )


def test_every_quick_case_runs_once(quick_cases):
    """Call each timed function once (not timed): a broken setup fails here, not an hour into a run.
    Key generation and ``openssl speed`` are left out: seconds each, and exercised by their suites."""
    for cases in quick_cases.values():
        for case in cases:
            if isinstance(case, Case) and case.group != "keygen" and not case.reports_rate:
                case.fn()


def test_gmpy2_case_computes_the_textbook_answer():
    from paycore.bench.suites._pure import gmpy2_cases

    (case,) = gmpy2_cases(1024)
    from paycore.bench.suites._keys import bench_key

    key = bench_key(1024).textbook
    assert case.fn() == pow(pow(key.n * 2 // 3, key.e, key.n), key.d, key.n)  # Python's own pow as reference


def test_secure_cases_are_skipped_below_2048_bits():
    from paycore.bench.suites._native import secure_cases

    (skipped,) = secure_cases(1024)
    assert isinstance(skipped, Skipped) and "2048" in skipped.reason


def test_full_ratios_include_the_cost_of_bigger_keys():
    rsa_ops = importlib.import_module("paycore.bench.suites.rsa_ops")
    keygen = importlib.import_module("paycore.bench.suites.keygen")
    decrypt = [
        result(case_name("cryptography OAEP decrypt", bits), rate)
        for bits, rate in ((2048, 4000.0), (4096, 500.0))
    ]
    (cost,) = [r for r in rsa_ops.ratios(decrypt) if r.key == "cost_4096_vs_2048"]
    assert cost.value == pytest.approx(8.0)
    keys = [
        result(case_name("paycore.textbook keygen", bits), rate) for bits, rate in ((2048, 2.0), (4096, 0.25))
    ]
    (growth,) = [r for r in keygen.ratios(keys) if r.key == "keygen_growth_paycore.textbook"]
    assert growth.value == pytest.approx(8.0)


def test_issue_targets_are_attached():
    rsa_ops = importlib.import_module("paycore.bench.suites.rsa_ops")
    results = [
        result(case_name("textbook decrypt_int (CRT)", 2048), 165.0),
        result(case_name("textbook decrypt_int_no_crt", 2048), 50.0),
        result(case_name("paycore.secure oaep_decrypt", 2048), 3800.0),
        result(case_name("cryptography OAEP decrypt", 2048), 4000.0),
    ]
    by_key = {r.key: r for r in rsa_ops.ratios(results)}
    assert by_key["crt_vs_pow_2048"].value == pytest.approx(3.3) and by_key["crt_vs_pow_2048"].passed
    overhead = by_key["secure_oaep_decrypt_overhead"]
    assert overhead.value == pytest.approx(4000 / 3800) and overhead.passed is False  # 5.3% > 5%
    assert overhead.note.startswith("difference +13.2 µs per call against 250.0 µs.")
