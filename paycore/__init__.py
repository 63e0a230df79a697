"""paycore: an e-commerce payment interface secured with RSA, built to be read.

The package has named layers, and imports run one way:

* :mod:`paycore.textbook` -- RSA written from the mathematics. **Hazardous teaching code.**
* :mod:`paycore.pkcs1` -- RFC 8017 paddings (OAEP, PSS, PKCS#1 v1.5) from scratch. **Teaching code**
  (byte-for-byte correct, not constant-time).
* :mod:`paycore.secure` -- the production path on pyca/cryptography: keys, OAEP, PSS, the envelope.
* :mod:`paycore.payment` -- the payment flow of the seed article (3.1-3.6) over HTTP; uses ``secure`` only.
* :mod:`paycore.attacks` -- the attack lab: deliberately vulnerable targets, and every attack run against
  the production path too.
* :mod:`paycore.errors` -- the exceptions every layer raises.
* :mod:`paycore.exercises`, :mod:`paycore.figures` and :mod:`paycore.course` -- the course's self-checking
  exercises, its figures, and its learning path and files; the payment flow imports none of them.

Real payments must use the production path only; the textbook layer exists so students can
see ``C = M^e mod n`` work, and so the attack lab can show why it must never protect money.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
