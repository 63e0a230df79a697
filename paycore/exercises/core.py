"""The exercise registry and :func:`check`, the one function a notebook's check cell calls."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

_REGISTRY: dict[str, Exercise] = {}


MESSAGE_LIMIT = 300
"""The most characters a check prints after "✗ NN.k not yet: " -- a reason, not a data dump."""


class Wrong(Exception):
    """What is wrong with an answer, said so that a student knows what to change."""


def shown(value: object, limit: int = 40) -> str:
    """``value`` as a failure message shows it: its repr, but a big number by its size and a long repr cut
    short, so that a wrong answer never floods the notebook (``shown(2**600)`` is "a 601-bit number")."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return f"a {abs(value).bit_length()}-bit number"
    text = repr(value)
    if len(text) <= limit:
        return text
    unit = "bytes" if isinstance(value, bytes) else "characters" if isinstance(value, str) else "items"
    size = f" ({len(value)} {unit})" if hasattr(value, "__len__") else ""
    return text[: limit - 3] + "..." + size


def count(answer: object, name: str) -> int:
    """``answer`` as a count (how many numbers, bytes, payments): 120 and 120.0 are the same count, so
    both pass; anything that is not a whole number gets a reason that says so."""
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        raise Wrong(f"{name} is a count, a whole number such as 42; got {shown(answer)}")
    if isinstance(answer, float) and not answer.is_integer():
        raise Wrong(f"{name} = {answer}: a count is a whole number")
    return int(answer)


def integer(answer: object, name: str, *, why: str = "floats round big numbers (53 bits)") -> int:
    """``answer`` as a number cryptography computes on (a message, an exponent, a factor, a timestamp in a
    signed string): it must be an ``int``. A float is refused even when it looks whole, 4567.0, because
    floats keep 53 bits and round everything bigger, and because ``str(4567.0)`` is not ``"4567"``."""
    if isinstance(answer, float):
        raise Wrong(
            f"{name} is the float {answer!r}: {why}, so use int arithmetic (// and pow, not / and **)"
        )
    if isinstance(answer, bool) or not isinstance(answer, int):
        raise Wrong(f"{name} should be an int, got {shown(answer)}")
    return answer


def _short(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """``text`` cut in the middle when longer than ``limit``: its start names the case, its end the fix."""
    if len(text) <= limit:
        return text
    head = limit // 2
    return text[:head].rstrip() + " ... " + text[-(limit - head - 5) :].lstrip()


@dataclass(frozen=True)
class Exercise:
    """One exercise: its id (``"01.2"``), title, level (1 easy - 3 hard), the name the student's cell
    defines, the checker (raises :class:`Wrong` unless the answer is right) and a hint."""

    id: str
    title: str
    level: int
    answer_name: str
    checker: Callable[[object], None]
    hint: str

    def __post_init__(self) -> None:
        if self.level not in (1, 2, 3):
            raise ValueError(f"exercise {self.id}: level must be 1, 2 or 3, got {self.level}")


def exercise(id: str, title: str, *, level: int, answer: str, hint: str) -> Callable:
    """Decorator: register the decorated function as the checker of exercise ``id``."""

    def register(checker: Callable[[object], None]) -> Callable[[object], None]:
        if id in _REGISTRY:
            raise ValueError(f"exercise {id} is registered twice")
        _REGISTRY[id] = Exercise(id, title, level, answer, checker, hint)
        return checker

    return register


def catalogue() -> dict[str, Exercise]:
    """Every exercise, by id (importing every checker module first)."""
    import paycore.exercises as package

    for module in pkgutil.iter_modules(package.__path__):
        if module.name.startswith("nb"):
            importlib.import_module(f"{package.__name__}.{module.name}")
    return dict(sorted(_REGISTRY.items()))


def _lookup(exercise_id: str) -> Exercise:
    exercises = catalogue()
    if exercise_id not in exercises:
        raise ValueError(f"no exercise {exercise_id!r}; there are: {', '.join(exercises)}")
    return exercises[exercise_id]


def check(exercise_id: str, answer: object) -> bool:
    """Check ``answer``; print "correct" or what is wrong, and return True or False (never raise)."""
    item = _lookup(exercise_id)
    try:
        if answer is Ellipsis:
            raise Wrong(f"`{item.answer_name}` is still `...`: replace it with your answer")
        item.checker(answer)
    except NotImplementedError:
        print(
            f"✗ {item.id} not yet: `{item.answer_name}` still raises NotImplementedError; "
            'write your code in its place (hint: run hint("' + item.id + '"))'
        )
        return False
    except Wrong as wrong:
        print(f"✗ {item.id} not yet: {_short(str(wrong))}")
        return False
    except Exception as exc:  # a student's code may raise anything: report it, do not crash the lesson
        print(f"✗ {item.id} not yet: your answer raised {type(exc).__name__}: {_short(str(exc), 120)}")
        return False
    print(f"✓ {item.id} correct: {item.title}")
    return True


def hint(exercise_id: str) -> None:
    """Print the hint of an exercise."""
    item = _lookup(exercise_id)
    print(f"hint for {item.id} ({item.title}): {item.hint}")
