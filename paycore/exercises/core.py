"""The exercise registry and :func:`check`, the one function a notebook's check cell calls."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

_REGISTRY: dict[str, Exercise] = {}


class Wrong(Exception):
    """What is wrong with an answer, said so that a student knows what to change."""


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
        print(f"✗ {item.id} not yet: {wrong}")
        return False
    except Exception as exc:  # a student's code may raise anything: report it, do not crash the lesson
        print(f"✗ {item.id} not yet: your answer raised {type(exc).__name__}: {exc}")
        return False
    print(f"✓ {item.id} correct: {item.title}")
    return True


def hint(exercise_id: str) -> None:
    """Print the hint of an exercise."""
    item = _lookup(exercise_id)
    print(f"hint for {item.id} ({item.title}): {item.hint}")
