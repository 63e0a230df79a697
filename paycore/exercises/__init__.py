"""Exercises that check themselves: a notebook cell calls ``check("01.2", my_modinv)``.

Each notebook has exercises graded from easy (level 1) to hard (level 3). A student edits an
*exercise cell* (it starts with ``# EXERCISE 01.2``, and defines a function or a value, blank
at first), then runs the *check cell* below it. :func:`check` runs the answer against a checker
that knows what right looks like and prints what is wrong -- "``my_modinv(17, 3120)`` returned
2752, but 17 * 2752 mod 3120 is 3104, not 1" -- rather than just "False"; :func:`hint` nudges.

Numbers are checked by what they mean (:func:`~paycore.exercises.core.count`,
:func:`~paycore.exercises.core.integer`): a count -- how many numbers, bytes, payments -- may be
written ``120`` or ``120.0``; a number RSA computes on, a timestamp or an amount of money must be an
``int``, because floats round big numbers, and the message says so. Messages stay short (a big
value is shown by its size, :func:`~paycore.exercises.core.shown`), and ``tests/test_exercise_texts.py``
proves that solving an exercise the way its notebook shows passes its check.

Reference solutions live apart from the notebooks, in ``notebooks/solutions/``, so students do
not see them by default; ``tests/test_exercises.py`` proves that every solution passes its check
and that every blank exercise, as shipped, does not.

Checkers live in one module per notebook (:mod:`.nb01`, :mod:`.nb02`, ...); each registers its
exercises with :func:`exercise`.
"""

from paycore.exercises.core import Exercise, Wrong, catalogue, check, exercise, hint

__all__ = ["Exercise", "Wrong", "catalogue", "check", "exercise", "hint"]
