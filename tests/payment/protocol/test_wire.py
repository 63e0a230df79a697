"""The wire types alone: headers as received, a reply, the one JSON encoder."""

import json

import pytest

from paycore.payment.protocol.wire import Headers, Reply, decode_json_object, encode_json


def test_headers_are_case_insensitive_and_keep_repeated_values():
    headers = Headers([("Paycore-Nonce", "a"), ("content-type", "x"), ("PAYCORE-NONCE", "b")])
    assert headers["paycore-nonce"] == "a" and headers.get("Content-Type") == "x"
    assert headers.get_all("Paycore-Nonce") == ["a", "b"] and headers.get_all("missing") == []
    assert len(headers) == 2 and list(headers) == ["Paycore-Nonce", "content-type"]
    assert headers.pairs() == [("Paycore-Nonce", "a"), ("Paycore-Nonce", "b"), ("content-type", "x")]
    assert "paycore-nonce" in headers and "Paycore-Signature" not in headers
    with pytest.raises(KeyError):
        headers["Paycore-Signature"]


def test_headers_copy_a_mapping_or_other_headers_with_every_value():
    assert dict(Headers({"A": "1", "b": "2"})) == {"A": "1", "b": "2"}
    original = Headers([("X", "1"), ("x", "2")])
    copy = Headers(original)
    assert copy.get_all("X") == ["1", "2"] and repr(copy) == "Headers([('X', '1'), ('X', '2')])"


def test_a_reply_keeps_its_bytes_and_takes_any_headers():
    reply = Reply(201, {"Content-Type": "application/json"}, b'{"a":1}')
    assert isinstance(reply.headers, Headers) and reply.headers["content-type"] == "application/json"
    assert reply.json() == {"a": 1} and "headers" not in repr(reply)
    with pytest.raises(ValueError):
        Reply(200, {}, b"not json").json()


def test_the_encoder_is_compact_ascii_and_sorts_unless_told():
    assert encode_json({"b": 1, "a": [1, "é"]}) == b'{"a":[1,"\\u00e9"],"b":1}'
    assert encode_json({"b": 1, "a": 2}, sort_keys=False) == b'{"b":1,"a":2}'
    assert json.loads(encode_json({"x": "元"})) == {"x": "元"}


@pytest.mark.parametrize(
    "body, expected", [(b'{"a":1}', {"a": 1}), (b"[1]", None), (b"{no", None), (b"", None)]
)
def test_decode_json_object_returns_objects_only(body, expected):
    assert decode_json_object(body) == expected
