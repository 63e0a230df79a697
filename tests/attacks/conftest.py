"""Keys for the attack-lab tests, made here (not by the lab's keyring): the tests set up their own secrets."""

import contextlib
import io
import json

import pytest

from paycore.textbook import RSAPrivateKey, generate_private_key, teaching_rng
from tests.conftest import load_pinned_key


@pytest.fixture(scope="session")
def production_2048():
    """A pinned OpenSSL 2048-bit key: the production path's kind of key."""
    return load_pinned_key(2048)


@pytest.fixture(scope="session")
def textbook_1024() -> RSAPrivateKey:
    return generate_private_key(1024, rng=teaching_rng("tests/attacks 1024"))


@pytest.fixture(scope="session")
def textbook_512() -> RSAPrivateKey:
    return generate_private_key(512, rng=teaching_rng("tests/attacks 512"))


@pytest.fixture(scope="session")
def textbook_e3_1024() -> RSAPrivateKey:
    return generate_private_key(1024, e=3, rng=teaching_rng("tests/attacks e=3 1024"))


@pytest.fixture(scope="session")
def lab_run():
    """``paycore attacks --json`` run once for the session: (exit status, parsed document)."""
    from paycore.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["attacks", "--json"])
    return status, json.loads(out.getvalue())
