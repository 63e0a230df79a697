"""The attacker's view of a leaky server: a question it may ask, counted and rationed.

Attacks 8 to 13 do not break RSA; they ask a server that holds the private key carefully
chosen questions ("does this decrypt to an even number?", "is this padding valid?") and
combine the answers. What matters is how many questions they need, so every such attack asks
through an :class:`Oracle`, which counts the queries and stops the attack at a budget -- the
lab's way of bounding the time an attack may take, and of showing that an attack against a
defended target gets nowhere however long it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

Question = TypeVar("Question")
Answer = TypeVar("Answer")


class AttackFailed(RuntimeError):
    """The attack could not finish: the oracle's answers contradict each other, or it ran out of budget."""


class BudgetExhausted(AttackFailed):
    """The attack used up its query budget without finishing."""

    def __init__(self, name: str, budget: int) -> None:
        super().__init__(f"{name} query budget of {budget:,} exhausted: the attack gives up")
        self.budget = budget


class Oracle(Generic[Question, Answer]):
    """Wrap ``ask`` (one question to the target) so that calls are counted and rationed.

    >>> is_even = Oracle(lambda number: number % 2 == 0, budget=2, name="parity")
    >>> is_even(4), is_even(7), is_even.queries
    (True, False, 2)
    >>> is_even(8)
    Traceback (most recent call last):
    ...
    paycore.attacks.oracle.BudgetExhausted: parity query budget of 2 exhausted: the attack gives up
    """

    def __init__(self, ask: Callable[[Question], Answer], *, budget: int | None = None, name: str = "oracle"):
        if not callable(ask):
            raise TypeError(f"ask must be callable (one question to the target), got {type(ask).__name__}")
        if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int) or budget < 1):
            raise ValueError(f"budget must be a positive int or None (no limit), got {budget!r}")
        self._ask = ask
        self.budget = budget
        self.name = name
        self.queries = 0

    def __call__(self, question: Question) -> Answer:
        if self.budget is not None and self.queries >= self.budget:
            raise BudgetExhausted(self.name, self.budget)
        self.queries += 1
        return self._ask(question)

    @property
    def remaining(self) -> int | None:
        """Queries left before the budget runs out (``None``: no budget)."""
        return None if self.budget is None else self.budget - self.queries

    def __repr__(self) -> str:
        budget = "no budget" if self.budget is None else f"budget {self.budget:,}"
        return f"Oracle({self.name!r}, {self.queries:,} queries, {budget})"
