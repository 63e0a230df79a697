"""Every exercise agrees with its notebook: what the notebook shows passes the check, and what the
instructions say (the numbers, the cases, the encoding) is what the checker does.

A student who solves an exercise the way the notebook taught -- the same encoding, the same formula,
the same paycore function -- must get a ✓. Each entry below finds the taught piece in the notebook (a
line of its code, a number of its instructions) and runs it through ``check``; a notebook that teaches
one thing and a checker that wants another fail here, whichever of the two changed.
"""

from __future__ import annotations

import ast
import json
import re
import statistics
from collections.abc import Callable
from math import ceil, gcd
from pathlib import Path

import pytest

from paycore.exercises import catalogue, check

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


class Notebook:
    """One notebook's text: its code cells, its markdown, and the instructions of each exercise."""

    def __init__(self, number: str) -> None:
        (self.path,) = NOTEBOOKS.glob(f"{number}_*.ipynb")
        cells = json.loads(self.path.read_text(encoding="utf-8"))["cells"]
        self.code = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
        self.markdown = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown"]

    def instructions(self, exercise_id: str) -> str:
        (text,) = [cell for cell in self.markdown if f"**{exercise_id} (" in cell]
        return text[text.index(f"**{exercise_id} (") :]

    def says(self, exercise_id: str, phrase: str) -> bool:
        """Whether the instructions of ``exercise_id`` say ``phrase`` (line breaks count as spaces)."""
        return " ".join(phrase.split()) in " ".join(self.instructions(exercise_id).split())

    def shows(self, snippet: str) -> str:
        """``snippet``, after checking that a code cell of the notebook contains it."""
        assert any(snippet in cell for cell in self.code), f"{self.path.name} no longer shows {snippet!r}"
        return snippet

    def assigned(self, name: str) -> str:
        """The source of the expression the notebook first assigns to ``name``."""
        for cell in self.code:
            if cell.startswith("# EXERCISE"):
                continue
            tree = ast.parse(cell)
            for node in ast.walk(tree):
                if isinstance(node, ast.Assign) and any(
                    isinstance(target, ast.Name) and target.id == name for target in node.targets
                ):
                    return ast.get_source_segment(cell, node.value)
        raise AssertionError(f"{self.path.name} assigns nothing to {name}")

    def defined(self, function: str) -> str:
        """The source of the function the notebook defines as ``function``."""
        for cell in self.code:
            for node in ast.parse(cell).body:
                if isinstance(node, ast.FunctionDef) and node.name == function:
                    return ast.get_source_segment(cell, node)
        raise AssertionError(f"{self.path.name} defines no {function}")


def passes(exercise_id: str, answer: object, capsys) -> None:
    ok = check(exercise_id, answer)
    printed = capsys.readouterr().out
    assert ok, f"the way notebook {exercise_id[:2]} shows fails its own exercise: {printed}"


def numbers(text: str, pattern: str) -> tuple[int, ...]:
    match = re.search(pattern, text)
    assert match, f"the instructions no longer say {pattern!r}"
    return tuple(int(group.replace(",", "")) for group in match.groups())


def claim_01_1(capsys):
    nb = Notebook("01")
    p, q = numbers(nb.instructions("01.1"), r"\$p = (\d+)\$ and \$q = (\d+)\$")
    counting = nb.assigned("counted")  # section 3 counts the coprime numbers
    passes("01.1", eval(counting, {"gcd": gcd, "n": p * q}), capsys)


def claim_01_2(capsys):
    from paycore.textbook import modinv

    Notebook("01").shows("modinv(e, lam)")  # section 4's inverse, which raises ValueError when none exists
    passes("01.2", modinv, capsys)


def claim_01_3(capsys):
    from paycore.textbook import RSAPrivateKey, decrypt_int

    nb = Notebook("01")
    p, q, e = numbers(nb.instructions("01.3"), r"\(n, e\) = \((\d+) \\cdot (\d+), (\d+)\)")
    (c,) = numbers(nb.instructions("01.3"), r"\$C = (\d+)\$")
    nb.shows("RSAPrivateKey.from_primes(p, q, e)")
    nb.shows("decrypt_int(key, C)")
    passes("01.3", decrypt_int(RSAPrivateKey.from_primes(p, q, e), c), capsys)


def claim_02_1(capsys):
    nb = Notebook("02")
    (bits,) = numbers(nb.instructions("02.1"), r"\*\*(\d+)-bit\*\*")
    nb.shows("seed_public.n.bit_length() // 8 - 11")  # Break 2: the capacity of the 512-bit key
    passes("02.1", bits // 8 - 11, capsys)


def claim_02_2(capsys):
    nb = Notebook("02")
    encoding = nb.assigned("message")  # section 6: the canonical bytes of `order`
    assert "ensure_ascii=False" in encoding and "ensure_ascii=False" in nb.instructions("02.2")
    passes("02.2", eval(f"lambda order: {encoding}", {"json": json}), capsys)


def claim_02_3(capsys):
    from paycore.exercises.nb02 import _KeyWithoutD
    from paycore.textbook import RSAPrivateKey

    nb = Notebook("02")
    assert nb.says("02.3", "`p`, `q`, `dp`, `dq` and `qinv` -- but no `d`")
    handed = _KeyWithoutD(RSAPrivateKey.from_primes(61, 53, 17))
    assert all(hasattr(handed, name) for name in ("p", "q", "dp", "dq", "qinv"))
    formula = (
        r"m_p = C^{d_P} \bmod p, \qquad m_q = C^{d_Q} \bmod q, \qquad "
        r"M = m_q + q \cdot \big(q_{inv}(m_p - m_q) \bmod p\big)"
    )
    assert any(formula in cell for cell in nb.markdown), "section 5 no longer gives the CRT formulas"

    def crt_decrypt(key, c):  # section 5's three formulas, word for word
        m_p, m_q = pow(c, key.dp, key.p), pow(c, key.dq, key.q)
        return m_q + key.q * (key.qinv * (m_p - m_q) % key.p)

    passes("02.3", crt_decrypt, capsys)


def claim_03_1(capsys):
    from paycore.pkcs1 import oaep_max_message_length

    nb = Notebook("03")
    nb.shows("oaep_max_message_length(k)")
    (bits,) = numbers(nb.instructions("03.1"), r"the (\d+)-bit key")
    assert nb.shows(f"bits = {bits}")  # the Check yourself cell it points at
    passes("03.1", lambda bits, hash: oaep_max_message_length(ceil(bits / 8), hash=hash), capsys)


def claim_03_2(capsys):
    from paycore.exercises.nb03 import MGF1_CASES
    from paycore.pkcs1 import mgf1

    nb = Notebook("03")
    nb.shows('mgf1(b"seed", 40)')
    assert nb.says("03.2", "on seven inputs") and len(MGF1_CASES) == 7
    passes("03.2", lambda seed, length, hash: mgf1(seed, length, hash=hash), capsys)


def claim_03_3(capsys):
    from paycore.exercises.nb03 import VALID, _broken_blocks
    from paycore.pkcs1 import oaep_decode

    assert Notebook("03").says("03.3", "five valid blocks, and five broken ones")
    assert len(VALID) == 5 and len(_broken_blocks()) == 5
    passes("03.3", lambda em, k, label=b"": oaep_decode(em, k, label=label), capsys)


def claim_04_1(capsys):
    from paycore.secure import key_id

    Notebook("04").shows("key_id(gateway_key)")
    passes("04.1", key_id, capsys)


def claim_04_2(capsys):
    from paycore import secure

    nb = Notebook("04")
    encoding, number = nb.assigned("order_bytes"), nb.assigned("order_no")  # section 3, section 4
    nb.shows("seal(gateway_public, order_bytes, associated_data=order_no)")
    seal_order = eval(
        f"lambda gateway_public, order: seal(gateway_public, {encoding}, associated_data={number})",
        {"json": json, "seal": secure.seal},
    )
    passes("04.2", seal_order, capsys)


def claim_04_3(capsys):
    from paycore.errors import InvalidSignature
    from paycore.exercises.nb04 import _cases
    from paycore.secure import verify

    nb = Notebook("04")
    assert nb.says("04.3", "about ten signatures") and len(_cases()) == 10
    namespace = {"verify": verify, "InvalidSignature": InvalidSignature}
    exec(nb.defined("try_verify"), namespace)  # section 5's helper: "valid", or why not
    passes("04.3", lambda *args: namespace["try_verify"](*args) == "valid", capsys)


def claim_05_1(capsys):
    from paycore.payment.protocol.signing import canonical_request

    nb = Notebook("05")
    nb.shows("canonical_request(")
    assert nb.says("05.1", "Five lines, each ending in `\\n`")
    passes("05.1", canonical_request, capsys)


def claim_05_2(capsys):
    from paycore.exercises.nb05 import CHECK_ORDER, SCENARIOS, _gateway_answers

    text = Notebook("05").instructions("05.2")
    rows = dict(re.findall(r'^\| `"([^"]+)"` \| (.+?) \|$', text, re.M))
    assert {name: row.replace("`", "") for name, row in rows.items()} == SCENARIOS
    assert set(re.findall(r"`([A-Z_]{6,})`", text)) <= set(CHECK_ORDER)
    passes("05.2", _gateway_answers(), capsys)


def claim_05_3(capsys):
    from paycore.exercises.nb05 import MERCHANT_ID, ORDER, _payment

    text = Notebook("05").instructions("05.3")
    order, payment = (ast.literal_eval(snippet) for snippet in re.findall(r"`(\{.*?\})`", text, re.S))
    assert order == ORDER and json.loads(json.dumps(payment)) == _payment()
    assert f"(`{MERCHANT_ID}`)" in text

    def recheck(order, payment):  # the order of the checks, as the instructions list them
        if payment["out_trade_no"] != order["out_trade_no"]:
            return "ORDER_NOT_FOUND"
        if payment["merchant_id"] != MERCHANT_ID:
            return "MERCHANT_MISMATCH"
        amount = payment["amount"]
        if type(amount["value"]) is not int or (amount["value"], amount["currency"]) != (
            order["amount"],
            order["currency"],
        ):
            return "AMOUNT_MISMATCH"
        return {"SUCCEEDED": "PAID", "FAILED": "FAILED"}[payment["status"]]

    passes("05.3", recheck, capsys)


def claim_05_4(capsys):
    from paycore.exercises.nb05 import _notifications

    nb = Notebook("05")
    assert nb.says("05.4", "The check sends fourteen notifications") and len(_notifications()) == 14
    assert nb.says("05.4", "with `RSA-PSS-SHA256`, with a timestamp within 300 s of `now` on either side")
    verifier = _notification_verifier()
    passes("05.4", verifier, capsys)


def _notification_verifier() -> Callable:
    """Notebook 05's recipe for a notification: the canonical string, the gateway's key, the window."""
    import base64

    from paycore import secure
    from paycore.payment.protocol.signing import canonical_request

    def verify_notification(gateway_public_key, headers, body, now):
        try:
            stamp = int(headers["Paycore-Timestamp"])
            signed = canonical_request("POST", "/paycore/notify", stamp, headers["Paycore-Nonce"], body)
            signature = base64.b64decode(headers["Paycore-Signature"], validate=True)
            secure.verify(gateway_public_key, signed, signature, "RSA-PSS-SHA256")
        except Exception:
            return None
        return json.loads(body) if abs(now - stamp) <= 300 else None

    return verify_notification


def claim_06_1(capsys):
    from paycore.attacks.intmath import integer_root

    Notebook("06").shows("cube_root.cube_root_attack(c, 3)")  # attack 3, built on integer_root
    passes("06.1", lambda x: integer_root(x, 3)[0], capsys)


def claim_06_2(capsys):
    from paycore.attacks import common_modulus

    Notebook("06").shows("common_modulus.common_modulus_attack(")
    passes("06.2", common_modulus.common_modulus_attack, capsys)


def claim_06_3(capsys):
    from paycore.attacks import factoring

    Notebook("06").shows("factoring.fermat(close.n)")

    def fermat_factor(n):
        p, _ = factoring.fermat(n)
        return min(p, n // p), max(p, n // p)

    passes("06.3", fermat_factor, capsys)


def claim_06_4(capsys):
    from paycore.attacks import wiener

    Notebook("06").shows("wiener.wiener_attack(")
    passes("06.4", lambda n, e: wiener.wiener_attack(n, e).d, capsys)


def claim_07_1(capsys):
    from paycore.payment import PaymentError
    from paycore.payment.protocol.replay import WINDOW_SECONDS, check_timestamp

    nb = Notebook("07")
    nb.shows("check_timestamp(START, now=")
    (seconds,) = numbers(nb.instructions("07.1"), r"two-sided (\d+)-second window")
    assert seconds == WINDOW_SECONDS

    def in_window(timestamp, now):
        try:
            check_timestamp(timestamp, now=now)
        except PaymentError:
            return False
        return True

    passes("07.1", in_window, capsys)


def claim_07_2(capsys):
    nb = Notebook("07")
    (rule,) = [cell for cell in nb.markdown if "It keeps each nonce until" in cell]
    formula = re.search(r"It keeps each nonce until\n?`([^`]+)`", rule).group(1)
    assert formula == "max(timestamp, now) + 300"
    passes("07.2", eval(f"lambda timestamp, now: {formula}"), capsys)


def claim_07_3(capsys):
    from paycore.payment.protocol import replay, signing

    nb = Notebook("07")
    text = nb.instructions("07.3")
    for name, module in (
        ("SignedHeaders", signing),
        ("canonical_request", signing),
        ("check_timestamp", replay),
    ):
        assert re.search(rf"`[\w.]*\b{name}`", text) and hasattr(module, name)
    verify = _notification_verifier()

    def verify_notification(path, headers, body, gateway_key, now):
        event = verify(gateway_key, headers, body, now) if path == "/paycore/notify" else None
        if event is None:
            raise ValueError("refused")
        return event

    passes("07.3", verify_notification, capsys)


def claim_08_1(capsys):
    nb = Notebook("08")
    assert nb.says("08.1", "A payment needs four RSA-2048 private-key operations")
    (rate,) = numbers(nb.instructions("08.1"), r"([\d,]+) such operations per second")
    passes("08.1", rate / 4, capsys)  # written as the division it is: 1000.0 is a count too


def claim_08_2(capsys):
    assert Notebook("08").says("08.2", "relative interquartile range (Q3 - Q1) / median")

    def median_and_spread(rates):
        q1, _, q3 = statistics.quantiles(rates, n=4)
        median = statistics.median(rates)
        return median, (q3 - q1) / median

    passes("08.2", median_and_spread, capsys)


def claim_08_3(capsys):
    from paycore.bench.harness import calibrate

    assert Notebook("08").says("08.3", "the first thing a benchmark harness does")
    passes("08.3", calibrate, capsys)


def claim_08_4(capsys):
    nb = Notebook("08")
    assert nb.says("08.4", "the microseconds the *gateway* spends per payment on signatures")
    # section 3: the gateway verifies the merchant's request and signs its answer and its notification
    passes("08.4", lambda sign_per_s, verify_per_s: 2 * 1e6 / sign_per_s + 1e6 / verify_per_s, capsys)


def claim_09_1(capsys):
    from paycore.payment.gateway.dialects.wechatpay_wire import request_message

    nb = Notebook("09")
    assert nb.says("09.1", "the bytes a WeChat Pay v3 request signature covers")
    nb.shows("wechatpay_wire.request_message(")
    passes("09.1", request_message, capsys)


def claim_09_2(capsys):
    from paycore.payment.gateway.dialects.alipay_wire import signing_string

    nb = Notebook("09")
    assert nb.says("09.2", "(`sign` and `sign_type` among them)")
    nb.shows('signing_string(form, leave_out=("sign", "sign_type"))')
    passes("09.2", lambda fields: signing_string(fields, leave_out=("sign", "sign_type")), capsys)


def claim_09_3(capsys):
    import base64

    from paycore import secure
    from paycore.payment.gateway.dialects.wechatpay_wire import answer_message

    nb = Notebook("09")
    assert nb.says("09.3", "a window of 300 s on each side")
    assert nb.says("09.3", 'paycore.secure.verify(key, data, signature, "RSA2")')

    def verify_wechatpay_answer(headers, body, platform_key, now):  # as the instructions spell it out
        if headers["Wechatpay-Signature-Type"] != "WECHATPAY2-SHA256-RSA2048":
            raise ValueError("another signature type")
        stamp = int(headers["Wechatpay-Timestamp"])
        message = answer_message(stamp, headers["Wechatpay-Nonce"], body)
        secure.verify(platform_key, message, base64.b64decode(headers["Wechatpay-Signature"]), "RSA2")
        if abs(now - stamp) > 300:
            raise ValueError("outside the window")
        return json.loads(body)

    passes("09.3", verify_wechatpay_answer, capsys)


CLAIMS = {
    name.removeprefix("claim_").replace("_", "."): claim
    for name, claim in globals().items()
    if name.startswith("claim_")
}


def test_every_exercise_has_its_claim():
    assert sorted(CLAIMS) == sorted(catalogue())


@pytest.mark.parametrize("exercise_id", sorted(CLAIMS))
def test_the_way_the_notebook_shows_passes_the_check(exercise_id, capsys):
    CLAIMS[exercise_id](capsys)


def test_a_notebook_that_teaches_another_encoding_is_caught(capsys):
    """The check can fail: notebook 02's old encoding, without ensure_ascii=False, fails exercise 02.2."""
    encoding = Notebook("02").assigned("message").replace(", ensure_ascii=False", "")
    assert not check("02.2", eval(f"lambda order: {encoding}", {"json": json}))
    assert "ensure_ascii=False" in capsys.readouterr().out
