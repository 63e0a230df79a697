"""Without Chromium the browser tests skip, and the reason says how to get it."""

import pytest

from tests.browser.conftest import chromium, require_chromium


def test_without_chromium_the_tests_skip_saying_how_to_get_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PAYCORE_CHROMIUM", str(tmp_path / "no-chromium-here"))
    assert chromium() is None
    with pytest.raises(pytest.skip.Exception, match=r"apt-get install -y chromium fonts-wqy-microhei"):
        require_chromium()


def test_a_named_chromium_is_used(monkeypatch, tmp_path):
    binary = tmp_path / "chromium"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    monkeypatch.setenv("PAYCORE_CHROMIUM", str(binary))
    assert require_chromium() == str(binary)
