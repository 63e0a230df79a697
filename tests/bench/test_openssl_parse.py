"""Parsing ``openssl speed``: the 1.1/3.0 table and the 3.2+ table with encrypt/decrypt and KEM rows."""

import pytest

from paycore.bench.suites._openssl import parse_speed

# Captured from `openssl speed -seconds 1 rsa2048` with OpenSSL 3.0.19 (stdout, last lines).
OPENSSL_30 = """\
version: 3.0.19
built on: Tue Jan 27 00:00:00 2026 UTC
options: bn(64,64)
CPUINFO: OPENSSL_ia32cap=0xfffa3203078bffff:0x405fc6f1bf07ab
                  sign    verify    sign/s verify/s
rsa 2048 bits 0.000242s 0.000016s   4129.3  61624.0
"""

# The layout OpenSSL 3.2 and later print (format strings from apps/speed.c): four time columns,
# four rate columns, then KEM and signature tables whose rows say "rsa2048" without "bits".
OPENSSL_35 = """\
                   sign    verify    encrypt   decrypt   sign/s verify/s  encr./s  decr./s
rsa  1024 bits 0.000083s 0.000004s 0.000004s 0.000088s  11989.6 259388.7 238290.5  11421.1
rsa  4096 bits 0.000987s 0.000041s 0.000042s 0.000987s   1013.3  24544.8  23868.2   1013.6
                               keygen    encaps    decaps keygens/s  encaps/s  decaps/s
                    rsa4096 0.358214s 0.000042s 0.000986s       2.8   23723.4    1014.5
                               keygen     signs    verify keygens/s    sign/s  verify/s
                    rsa4096 0.358214s 0.000987s 0.000041s       2.8    1013.3   24544.8
"""


def test_openssl_30_table():
    assert parse_speed(OPENSSL_30) == {2048: {"sign/s": 4129.3, "verify/s": 61624.0}}


def test_openssl_35_table_reads_rates_not_times():
    rates = parse_speed(OPENSSL_35)
    assert set(rates) == {1024, 4096}
    assert rates[4096] == {"sign/s": 1013.3, "verify/s": 24544.8, "encr./s": 23868.2, "decr./s": 1013.6}
    assert rates[1024]["sign/s"] == pytest.approx(11989.6)


def test_output_without_a_table_gives_nothing():
    assert parse_speed("Doing 2048 bits private rsa's for 1s: 4129 2048 bits private RSA's in 1.00s\n") == {}
