"""The machine record holds what a reader needs to judge and reproduce a result."""

import os

from paycore.bench import machine


def test_machine_info_records_what_reproduction_needs():
    info = machine.machine_info()
    for key in (
        "date",
        "platform",
        "cpu",
        "cores",
        "python",
        "openssl_in_cryptography",
        "packages",
        "command",
    ):
        assert info[key], key
    assert "OpenSSL" in info["openssl_in_cryptography"]
    assert info["packages"]["cryptography"]
    assert info["cores"] == os.cpu_count()


def test_load_average_is_three_numbers_where_the_os_has_one():
    load = machine.load_average()
    if hasattr(os, "getloadavg"):
        assert len(load) == 3 and all(value >= 0 for value in load)
    else:  # pragma: no cover - Windows
        assert load is None


def test_openssl_command_is_none_when_absent(monkeypatch):
    monkeypatch.setattr(machine.shutil, "which", lambda name: None)
    assert machine.openssl_command_version() is None
    assert machine.machine_info()["openssl_command"] is None
