"""I2OSP / OS2IP checked against python-rsa's independent `transform` module."""

import pytest
import rsa.transform
from hypothesis import given
from hypothesis import strategies as st

from paycore.textbook import i2osp, os2ip
from paycore.textbook.transform import byte_length


@given(st.integers(min_value=0, max_value=2**4096))
def test_round_trip_and_python_rsa_agree(x):
    length = byte_length(x) + 3
    encoded = i2osp(x, length)
    assert len(encoded) == length
    assert encoded == rsa.transform.int2bytes(x, length)
    assert os2ip(encoded) == x == rsa.transform.bytes2int(encoded)


@given(st.binary(max_size=600))
def test_os2ip_matches_python_rsa(data):
    assert os2ip(data) == rsa.transform.bytes2int(data)


def test_rfc_examples():
    assert i2osp(0, 0) == b""
    assert i2osp(0, 3) == b"\x00\x00\x00"
    assert i2osp(255, 1) == b"\xff"
    assert os2ip(b"") == 0


def test_errors():
    with pytest.raises(ValueError, match="integer too large"):
        i2osp(256, 1)
    with pytest.raises(ValueError, match="non-negative"):
        i2osp(-1, 4)
    with pytest.raises(ValueError, match="non-negative"):
        i2osp(1, -1)
    with pytest.raises(TypeError, match="encode text first"):
        os2ip("payment")
    with pytest.raises(TypeError):
        i2osp(1.0, 4)
