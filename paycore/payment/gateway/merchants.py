"""The merchants a gateway knows: each one's public key, and the one algorithm that key may use.

Registration happens out of band (a merchant uploads its key, and says where it listens for
notifications). The registry is also the key resolver of the gateway's
:class:`~paycore.payment.protocol.signing.MessageVerifier`: given the key id a request names, it
returns the key to check it with, or refuses with ``UNKNOWN_KEY``.

A payment's ``notify_url`` must lie on one of the merchant's registered *notify origins*
(``scheme://host:port``; the port may be ``*``): otherwise anyone holding a merchant key could make
the gateway POST to any host and port it likes, inside the gateway's own network.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import rsa

from paycore import secure
from paycore.payment.errors import ErrorCode, PaymentError
from paycore.payment.gateway.store import GatewayStore, MerchantKeyRecord
from paycore.payment.protocol.signing import TrustedKey
from paycore.secure.keys import require_key_size

_ORIGIN = re.compile(r"(https?)://([a-z0-9.-]+|\[[0-9a-f:]+\]):([0-9]{1,5}|\*)")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str | None:
    """``scheme://host:port`` of an absolute http(s) URL, the port spelled out; ``None`` if it has none.

    >>> origin_of("http://Shop.example/paycore/notify"), origin_of("https://127.0.0.1:8001/x")
    ('http://shop.example:80', 'https://127.0.0.1:8001')
    """
    try:
        parts = urlsplit(url)
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return None
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname or port is None:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host.lower()}:{port}"


def check_origin_pattern(pattern: str) -> str:
    """A registrable notify origin, normalised: ``http://127.0.0.1:*`` or ``https://shop.example:443``."""
    normal = pattern.strip().lower()
    if not _ORIGIN.fullmatch(normal):
        raise ValueError(
            f"a notify origin looks like https://shop.example:443 (the port may be *), not {pattern!r}"
        )
    return normal


class MerchantRegistry:
    """Registered merchant keys, parsed once and cached; a key resolver for the verifier."""

    def __init__(self, store: GatewayStore) -> None:
        self.store = store
        self._trusted: dict[str, TrustedKey] = {}
        self._origins: dict[str, tuple[str, ...]] = {}

    def register(
        self,
        merchant_id: str,
        name: str,
        public_key: rsa.RSAPublicKey,
        algorithm: secure.SignatureAlgorithm | str = secure.SignatureAlgorithm.PSS_SHA256,
        *,
        notify_origins: tuple[str, ...] | list[str],
    ) -> str:
        """Register a merchant's public key, the one algorithm accepted from it, and where it listens.

        Keys under 2048 bits are refused here, once, rather than failing every request later.
        ``notify_origins`` replaces the merchant's earlier list. Returns the key id.
        """
        require_key_size(public_key)
        scheme = secure.SignatureAlgorithm.parse(algorithm)
        origins = tuple(check_origin_pattern(origin) for origin in notify_origins)
        if not origins:
            raise ValueError("register at least one notify origin: where the merchant receives notifications")
        key_id = secure.key_id(public_key)
        record = MerchantKeyRecord(
            key_id, merchant_id, name, secure.public_key_to_pem(public_key), scheme.value
        )

        def work(unit) -> None:
            unit.save_merchant_key(record)
            unit.save_notify_origins(merchant_id, origins)

        self.store.run(work)
        self._trusted.pop(key_id, None)
        self._origins.pop(merchant_id, None)
        return key_id

    def forget(self, merchant_id: str) -> None:
        """Drop what is cached about a merchant (its notify origins) after its registration changed."""
        self._origins.pop(merchant_id, None)

    def check_notify_url(self, merchant_id: str, url: str) -> None:
        """Refuse (``NOTIFY_URL_NOT_ALLOWED``) a notify URL off the merchant's registered origins."""
        origins = self._origins.get(merchant_id)
        if origins is None:
            origins = self._origins[merchant_id] = self.store.notify_origins(merchant_id)
        origin = origin_of(url)
        if origin is not None:
            any_port = origin.rsplit(":", 1)[0] + ":*"
            if origin in origins or any_port in origins:
                return
        raise PaymentError(
            ErrorCode.NOTIFY_URL_NOT_ALLOWED, "notify_url is not on an origin registered for this merchant"
        )

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
