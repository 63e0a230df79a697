"""Idempotency keys alone, on the gateway's store in memory: claim, replay, reuse, in progress, stale."""

import hashlib

import pytest

from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.gateway import idempotency
from paycore.payment.gateway.idempotency import STALE_AFTER_SECONDS, KeyRecord, StoredResponse
from tests.payment.helpers import has_a_message

T0 = 1_764_201_600.0
SCOPE, KEY = "M100001", "key-0000001"
FIRST = idempotency.fingerprint("POST", "/v1/payments", b'{"amount":1}')
OTHER = idempotency.fingerprint("POST", "/v1/payments", b'{"amount":2}')


def claim(store, fingerprint=FIRST, now=T0, scope=SCOPE, key=KEY):
    return store.run(lambda unit: idempotency.claim(unit, scope, key, fingerprint, now))


def record(store, scope=SCOPE, key=KEY):
    return store.run(lambda unit: unit.idempotency_record(scope, key))


def refusal(call) -> PaymentError:
    with pytest.raises(PaymentError) as refused:
        call()
    assert has_a_message(refused.value)
    return refused.value


def test_the_fingerprint_covers_method_path_and_exact_body():
    expected = hashlib.sha256(b"POST\n/v1/payments\n" + b'{"amount":1}').hexdigest()
    assert FIRST == expected == idempotency.fingerprint("post", "/v1/payments", b'{"amount":1}')
    assert len({FIRST, OTHER, idempotency.fingerprint("POST", "/v1/refunds", b'{"amount":1}')}) == 3


@pytest.mark.parametrize("key", ["a" * 8, "A" * 128, "3e4d0b63-caa4-41cc-9290-a9352890ff2b", "k.e_y:1-2"])
def test_keys_that_look_like_ids_are_accepted(key):
    assert idempotency.check_key_format(key) == key


def test_a_missing_key_and_a_malformed_one_are_different_refusals():
    missing = refusal(lambda: idempotency.check_key_format(None))
    assert (missing.code, missing.status) == (ErrorCode.IDEMPOTENCY_KEY_REQUIRED, 400)
    for bad in ("a" * 7, "a" * 129, "bad key!", "", "ключ-00000"):
        malformed = refusal(lambda bad=bad: idempotency.check_key_format(bad))
        assert (malformed.code, malformed.status) == (ErrorCode.INVALID_REQUEST, 400), bad


def test_a_first_claim_runs_and_is_recorded_in_progress(store):
    assert claim(store) is None
    assert record(store) == KeyRecord(FIRST, done=False, claimed_at=T0, response=None)


def test_a_twin_while_the_first_runs_gets_409(store):
    claim(store)
    twin = refusal(lambda: claim(store, now=T0 + STALE_AFTER_SECONDS - 1))
    assert (twin.code, twin.status) == (ErrorCode.REQUEST_IN_PROGRESS, 409)


def test_a_finished_request_is_replayed_from_its_stored_answer(store):
    claim(store)
    store.run(lambda unit: unit.complete_claim(SCOPE, KEY, 200, b'{"status":"SUCCEEDED"}'))
    replayed = claim(store, now=T0 + 86400)  # done answers never go stale
    assert replayed == StoredResponse(200, b'{"status":"SUCCEEDED"}')


@pytest.mark.parametrize("done", [False, True])
def test_a_key_reused_for_another_body_is_refused(store, done):
    claim(store)
    if done:
        store.run(lambda unit: unit.complete_claim(SCOPE, KEY, 200, b"{}"))
    reused = refusal(lambda: claim(store, fingerprint=OTHER, now=T0 + 3600))
    assert (reused.code, reused.status) == (ErrorCode.IDEMPOTENCY_KEY_REUSED, 422)


def test_keys_are_scoped_to_their_merchant(store):
    claim(store)
    assert claim(store, scope="M200002", fingerprint=OTHER) is None


def test_a_claim_abandoned_by_a_crash_is_taken_over_after_stale_after_seconds(store):
    """The first claimant died without finishing or releasing: after the stale delay a retry runs."""
    claim(store)
    assert STALE_AFTER_SECONDS == 60
    assert refusal(lambda: claim(store, now=T0 + 59.9)).code is ErrorCode.REQUEST_IN_PROGRESS
    assert claim(store, now=T0 + STALE_AFTER_SECONDS) is None  # taken over: this request runs
    assert record(store) == KeyRecord(FIRST, done=False, claimed_at=T0 + 60, response=None)
    # the new claimant is protected for a full delay of its own
    assert refusal(lambda: claim(store, now=T0 + 60 + 59)).code is ErrorCode.REQUEST_IN_PROGRESS
    assert claim(store, now=T0 + 120) is None


def test_a_released_claim_lets_the_same_request_run_again(store):
    claim(store)
    store.run(lambda unit: unit.release_claim(SCOPE, KEY))
    assert record(store) is None
    assert claim(store, now=T0 + 1) is None


def test_release_never_forgets_a_finished_answer(store):
    claim(store)
    store.run(lambda unit: unit.complete_claim(SCOPE, KEY, 402, b"{}"))
    store.run(lambda unit: unit.release_claim(SCOPE, KEY))
    assert record(store).response == StoredResponse(402, b"{}")


class Claims:
    """A hand-written Claims, to see exactly which calls claim makes."""

    def __init__(self, existing=None):
        self.existing = existing
        self.calls = []

    def idempotency_record(self, scope, key):
        self.calls.append(("read", scope, key))
        return self.existing

    def insert_claim(self, scope, key, fingerprint, now):
        self.calls.append(("insert", scope, key, fingerprint, now))

    def retake_claim(self, scope, key, now):
        self.calls.append(("retake", scope, key, now))


def test_claim_writes_only_what_each_case_needs():
    fresh = Claims()
    idempotency.claim(fresh, SCOPE, KEY, FIRST, T0)
    assert fresh.calls == [("read", SCOPE, KEY), ("insert", SCOPE, KEY, FIRST, T0)]
    stale = Claims(KeyRecord(FIRST, done=False, claimed_at=T0))
    idempotency.claim(stale, SCOPE, KEY, FIRST, T0 + 60)
    assert stale.calls == [("read", SCOPE, KEY), ("retake", SCOPE, KEY, T0 + 60)]
    done = Claims(KeyRecord(FIRST, done=True, claimed_at=T0, response=StoredResponse(200, b"{}")))
    assert idempotency.claim(done, SCOPE, KEY, FIRST, T0 + 60) == StoredResponse(200, b"{}")
    assert done.calls == [("read", SCOPE, KEY)]
