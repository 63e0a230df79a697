"""The attack lab: RSA done wrong, broken on purpose -- and the production path, holding.

.. warning::
   The targets here (:mod:`~paycore.attacks.targets`, :mod:`~paycore.attacks.weak_keys`,
   :mod:`~paycore.attacks.naive_parties`) are **deliberately vulnerable**. They exist to be
   attacked; never deploy one.

Every attack is a small, documented function (the paper, RFC or challenge it comes from is in
its module docstring), plus two *runners*: one aims it at a named vulnerable target and must
recover the real secret; the other aims the same code at :mod:`paycore.secure` (pyca/cryptography,
2048-bit keys, OAEP and PSS) and must fail, for the reason the defence names. Each run reports
an :class:`~paycore.attacks.report.Outcome`: whether it worked, the work it took (oracle queries,
guesses, seconds) and a sentence saying why. ``paycore attacks`` runs them all and prints the
attack-defence matrix; it exits non-zero if an attack fails where it should work or works where
it should fail.

====  ===============================  =====================================
 #    module                           attack
====  ===============================  =====================================
 1    :mod:`.dictionary`               dictionary attack on deterministic amounts
 2    :mod:`.malleability`             multiply a ciphertext to change the amount
 3    :mod:`.cube_root`                e = 3, no padding: integer cube root
 4    :mod:`.hastad`                   Hastad's broadcast attack
 5    :mod:`.common_modulus`           one message, two exponents, one modulus
 6    :mod:`.wiener`                   Wiener: small private exponent
 7    :mod:`.factoring_lab`            tiny n, close primes (Fermat), shared primes (batch GCD);
                                       :mod:`.factoring_curve` measures and estimates the cost
 8    :mod:`.blinding`                 unpadded message recovery oracle
 9    :mod:`.parity`                   parity oracle
 10   :mod:`.bleichenbacher`           PKCS#1 v1.5 padding oracle (1998)
 11   :mod:`.manger`                   OAEP with distinguishable errors (2001)
 12   :mod:`.forgery`                  e = 3 signature forgery (2006)
 13   :mod:`.fault`                    CRT fault attack
 14   :mod:`.protocol_gateway`         replay a captured, signed request
 15   :mod:`.protocol_gateway`         change the amount in transit
 16   :mod:`.protocol_merchant`        forge a payment notification
 17   :mod:`.protocol_merchant`        get a notification verified with the wrong key
 18   :mod:`.protocol_gateway`         stale and future-dated requests
 19   :mod:`.protocol_gateway`         reuse an idempotency key for another amount
 20   :mod:`.protocol_merchant`        a genuine notification for another amount
====  ===============================  =====================================

The protocol attacks (14-20) run against :mod:`.naive_parties` (a gateway and a merchant with
one named flaw each) and then against the real parties of :mod:`paycore.payment`.

Shared pieces: :mod:`.oracle` (:class:`Oracle` counts queries and enforces a budget),
:mod:`.report` (:class:`Work`, :class:`Outcome`, :class:`Report`), :mod:`.intmath` (roots, CRT,
continued fractions), :mod:`.keyring` (seeded teaching keys, cached production keys).

Adding an attack (this is how the protocol attacks 14-20 join)
--------------------------------------------------------------
1. In a module of your own, write the attack and two runners: functions with no arguments
   that set up a target, run the attack (timing it with :class:`Stopwatch`, asking through an
   :class:`Oracle` where it queries a server) and return an :class:`Outcome` whose
   ``succeeded`` is checked against the secret you set up, never against the attack's output.
2. At the bottom of the module, register it::

       ATTACK = register(Attack(
           number=14, name="replay", title="Replay a signed payment request",
           source="...", defence="timestamp window + nonce store",
           vulnerable=run_vulnerable, production=run_production))

   ``name`` is lowercase words joined by ``-`` (it is what ``paycore attacks --only`` takes);
   numbers (plus an optional ``variant`` letter, as in 7a-7c) must be unique.
3. Add the module's dotted name to :data:`paycore.attacks.registry.ATTACK_MODULES`.
"""

from paycore.attacks.oracle import AttackFailed, BudgetExhausted, Oracle
from paycore.attacks.registry import Attack, all_attacks, register, run, run_all, select, unregister
from paycore.attacks.report import Outcome, Report, Stopwatch, Work

__all__ = [
    "Attack",
    "AttackFailed",
    "BudgetExhausted",
    "Oracle",
    "Outcome",
    "Report",
    "Stopwatch",
    "Work",
    "all_attacks",
    "register",
    "run",
    "run_all",
    "select",
    "unregister",
]
