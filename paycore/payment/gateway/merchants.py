"""The merchants a gateway knows: each one's public key, and the one algorithm that key may use.

Registration happens out of band (a merchant uploads its key). The registry is also the key
resolver of the gateway's :class:`~paycore.payment.protocol.signing.MessageVerifier`: given the
key id a request names, it returns the key to check it with, or refuses with ``UNKNOWN_KEY``.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import rsa

from paycore import secure
from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.gateway.store import GatewayStore, MerchantKeyRecord
from paycore.payment.protocol.signing import TrustedKey
from paycore.secure.keys import require_key_size


class MerchantRegistry:
    """Registered merchant keys, parsed once and cached; a key resolver for the verifier."""

    def __init__(self, store: GatewayStore) -> None:
        self.store = store
        self._trusted: dict[str, TrustedKey] = {}

    def register(
        self,
        merchant_id: str,
        name: str,
        public_key: rsa.RSAPublicKey,
        algorithm: secure.SignatureAlgorithm | str = secure.SignatureAlgorithm.PSS_SHA256,
    ) -> str:
        """Register a merchant's public key and the one algorithm accepted from it; return its key id.

        Keys under 2048 bits are refused here, once, rather than failing every request later.
        """
        require_key_size(public_key)
        scheme = secure.SignatureAlgorithm.parse(algorithm)
        key_id = secure.key_id(public_key)
        record = MerchantKeyRecord(
            key_id, merchant_id, name, secure.public_key_to_pem(public_key), scheme.value
        )
        self.store.run(lambda unit: unit.save_merchant_key(record))
        self._trusted.pop(key_id, None)
        return key_id

    def __call__(self, key_id: str) -> TrustedKey:
        """The trusted key for ``key_id``; an ``UNKNOWN_KEY`` refusal if no merchant registered it."""
        trusted = self._trusted.get(key_id)
        if trusted is None:
            record = self.store.merchant_key(key_id)
            if record is None:
                raise PaymentError(ErrorCode.UNKNOWN_KEY, "no merchant key has this key id")
            trusted = TrustedKey(
                record.merchant_id,
                secure.load_public_key_pem(record.public_key_pem),
                secure.SignatureAlgorithm.parse(record.algorithm),
            )
            self._trusted[key_id] = trusted
        return trusted
