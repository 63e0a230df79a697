"""The course's figures: one function per figure, each returning a :class:`matplotlib.figure.Figure`.

Presentation only, so the notebooks' cells stay short and say what they show: a notebook computes
its numbers with paycore, then ends a cell with ``figures.oaep_blocks(steps)``, and Jupyter draws the
figure that call returns. Every function draws exactly the data it is given (nothing is measured or
recomputed here), and ``tests/figures/`` (``tests/bench/`` for notebook 08's) checks what each one
draws -- labels, bars, points -- rather than pixels.

Needs matplotlib (the ``notebooks`` extra). It is teaching material: the payment flow, the
production path and the servers never import it (an import-linter contract in ``pyproject.toml``).

==============================  ======================================================  ========
function                        what it shows                                           notebook
==============================  ======================================================  ========
:func:`learning_path`           the notebooks in reading order, grouped into parts      00
:func:`textbook_permutation`    textbook RSA as a fixed shuffle of 0..n-1               01
:func:`crt_timings`             one decryption with and without the CRT                 02
:func:`oaep_blocks`             OAEP's DB before masking and EM after, byte by byte     03
:func:`pss_blocks`              PSS's DB || H || bc before masking and EM after         03
:func:`rsa_capacity`            bytes one RSA encryption carries, per padding and size  04
:func:`envelope_layout`         what goes into the hybrid envelope, and how             04
:func:`payment_sequence`        the six steps, the notification and the query           05
:func:`retry_schedule`          when the outbox retries a notification                  05
:func:`factoring_costs`         factoring measured on small n, estimated for real keys  06
:func:`replay_timeline`         when a recording is accepted and charged, two gateways  07
:func:`attack_matrix`           the protocol attacks against naive and real parties     07
:func:`load_curves`             payments per second and p99 latency against users       08
==============================  ======================================================  ========
"""

from paycore.figures.course_map import learning_path
from paycore.figures.load import load_curves
from paycore.figures.paddings import oaep_blocks, pss_blocks
from paycore.figures.payment import payment_sequence, retry_schedule
from paycore.figures.production import envelope_layout, rsa_capacity
from paycore.figures.protocol import attack_matrix, replay_timeline
from paycore.figures.rsa import crt_timings, factoring_costs, textbook_permutation

__all__ = [
    "attack_matrix",
    "crt_timings",
    "envelope_layout",
    "factoring_costs",
    "learning_path",
    "load_curves",
    "oaep_blocks",
    "payment_sequence",
    "pss_blocks",
    "replay_timeline",
    "retry_schedule",
    "rsa_capacity",
    "textbook_permutation",
]
