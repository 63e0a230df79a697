"""The platforms' keys: each dialect signs with its own RSA key pair, named the way its SDK expects.

A platform signs its answers and notifications with PKCS#1 v1.5 over SHA-256 ("RSA2" in Alipay's
words, ``WECHATPAY2-SHA256-RSA2048`` in WeChat Pay's). Each dialect has a key pair of its own, apart
from the gateway's ``paycore/1`` signing and encryption keys, so one key does one job under one
protocol and can be rotated on that protocol's terms.

WeChat Pay names the platform's key in ``Wechatpay-Serial`` two ways. A merchant in *public-key
mode* was given the key and its id (``PUB_KEY_ID_...``); one in *certificate mode* downloads the
platform certificates from ``GET /v3/certificates`` and looks a key up by the certificate's serial
number. :class:`WeChatPayPlatform` makes both names, and the self-signed certificate, from one key.
Merchant keys are named the same way: a WeChat Pay merchant's requests carry the serial number of
its own API certificate, which :func:`merchant_serial` derives from the merchant's public key.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from paycore import secure
from paycore.payment.clock import Clock

BEIJING = datetime.timezone(datetime.timedelta(hours=8), "CST")
"""China Standard Time (UTC+8): the time zone of both platforms' timestamps."""
CERTIFICATE_DAYS = 5 * 365
"""How long a platform certificate is valid (WeChat Pay's are valid for five years)."""


def merchant_serial(public_key: rsa.RSAPublicKey) -> str:
    """The serial number a WeChat Pay merchant's API certificate has: 40 upper-case hex digits.

    paycore issues no merchant certificates; the serial is derived from the public key's id, so a
    key and its serial can never drift apart.
    """
    return secure.key_id(public_key)[:40].upper()


@dataclass
class WeChatPayPlatform:
    """WeChat Pay's platform key pair, its public key id, its certificate and that certificate's serial."""

    private_key: rsa.RSAPrivateKey = field(repr=False)
    clock: Clock = field(repr=False)

    @functools.cached_property
    def public_key_id(self) -> str:
        """The id a public-key-mode merchant was given with the key, ``PUB_KEY_ID_`` and 32 hex digits."""
        return "PUB_KEY_ID_" + secure.key_id(self.private_key)[:32].upper()

    @functools.cached_property
    def serial_no(self) -> str:
        """The platform certificate's serial number, as ``Wechatpay-Serial`` carries it (38 hex digits)."""
        return format(int(secure.key_id(self.private_key)[32:70], 16) | (1 << 151), "X")

    def serial_for(self, mode: str) -> str:
        """What ``Wechatpay-Serial`` says to a merchant in ``public_key`` or ``certificate`` mode."""
        return self.public_key_id if mode == "public_key" else self.serial_no

    @functools.cached_property
    def certificate(self) -> x509.Certificate:
        """A self-signed certificate of the platform key, valid from a day ago for five years."""
        now = datetime.datetime.fromtimestamp(int(self.clock.now()), tz=datetime.timezone.utc)
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "paycore (simulated WeChat Pay)"),
                x509.NameAttribute(NameOID.COMMON_NAME, "paycore WeChat Pay platform certificate"),
            ]
        )
        return (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.private_key.public_key())
            .serial_number(int(self.serial_no, 16))
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=CERTIFICATE_DAYS))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(self.private_key, hashes.SHA256())
        )

    def certificate_pem(self) -> str:
        """The platform certificate as PEM text."""
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def check_separate(*keys: rsa.RSAPrivateKey) -> None:
    """Refuse two jobs on one key pair: every dialect key must differ from every other gateway key."""
    ids = [secure.key_id(key) for key in keys]
    if len(set(ids)) != len(ids):
        raise ValueError(
            "each platform dialect needs its own key pair, apart from the gateway's paycore/1 signing "
            "and encryption keys and from each other"
        )
