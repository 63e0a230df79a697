"""The shared helpers: the Oracle counts and rations queries; Work and Stopwatch report the cost."""

import time

import pytest

from paycore.attacks import AttackFailed, BudgetExhausted, Oracle, Stopwatch, Work


def test_oracle_counts_every_question_and_passes_answers_through():
    asked = []
    oracle = Oracle(lambda q: asked.append(q) or q * 2, name="double")
    assert [oracle(i) for i in range(5)] == [0, 2, 4, 6, 8]
    assert oracle.queries == 5 == len(asked)
    assert oracle.budget is None and oracle.remaining is None


def test_oracle_stops_at_its_budget_without_asking_the_target():
    asked = []
    oracle = Oracle(asked.append, budget=3, name="leaky server")
    for i in range(3):
        oracle(i)
    assert oracle.remaining == 0
    with pytest.raises(BudgetExhausted, match="leaky server query budget of 3 exhausted") as caught:
        oracle(99)
    assert caught.value.budget == 3
    assert asked == [0, 1, 2]  # the fourth question never reached the target
    assert oracle.queries == 3
    assert isinstance(caught.value, AttackFailed)


def test_an_exception_from_the_target_still_counts_as_a_query():
    def refuses(_):
        raise ValueError("no")

    oracle = Oracle(refuses, budget=5)
    with pytest.raises(ValueError):
        oracle(1)
    assert oracle.queries == 1


@pytest.mark.parametrize("budget", [0, -1, 2.5, True, "10"])
def test_oracle_refuses_a_bad_budget(budget):
    with pytest.raises(ValueError, match="budget must be a positive int"):
        Oracle(lambda q: q, budget=budget)


def test_oracle_refuses_something_that_cannot_be_asked():
    with pytest.raises(TypeError, match="ask must be callable"):
        Oracle(42)


def test_work_says_what_it_counted_in_words():
    assert str(Work(queries=33_917, seconds=8.3)) == "33,917 queries, 8.30 s"
    assert str(Work(guesses=1, seconds=0.0004)) == "1 guess, 0.4 ms"
    assert str(Work(queries=1, guesses=2, seconds=1.5)) == "1 query, 2 guesses, 1.50 s"


def test_stopwatch_measures_the_block():
    with Stopwatch() as watch:
        time.sleep(0.02)
    assert watch.seconds >= 0.02
