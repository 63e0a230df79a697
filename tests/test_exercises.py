"""Every exercise both ways: the blank cell as shipped in its notebook fails its check, the solution passes.

Exercise cells start with ``# EXERCISE NN.k``; check cells call ``check("NN.k", <answer name>)``;
reference solutions are modules in ``notebooks/solutions/`` named like their notebooks.
"""

import importlib.util
import json
import re
from pathlib import Path

import pytest

from paycore.exercises import catalogue, check

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
MARKER = re.compile(r"^# EXERCISE (\d\d\.\d+)\b")


def notebook_for(exercise_id: str) -> Path:
    (path,) = NOTEBOOKS.glob(f"{exercise_id[:2]}_*.ipynb")
    return path


def code_cells(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]


def exercise_cell(exercise_id: str) -> str:
    cells = [
        cell
        for cell in code_cells(notebook_for(exercise_id))
        if (match := MARKER.match(cell)) and match.group(1) == exercise_id
    ]
    assert len(cells) == 1, f"{exercise_id}: expected one cell starting '# EXERCISE {exercise_id}'"
    return cells[0]


def solutions(exercise_id: str):
    notebook = notebook_for(exercise_id)
    path = NOTEBOOKS / "solutions" / f"{notebook.stem}.py"
    spec = importlib.util.spec_from_file_location(f"solutions_{notebook.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EXERCISES = sorted(catalogue())


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_the_blank_exercise_fails_its_check(exercise_id, capsys):
    item = catalogue()[exercise_id]
    namespace: dict = {}
    exec(compile(exercise_cell(exercise_id), f"<exercise {exercise_id}>", "exec"), namespace)
    assert item.answer_name in namespace, f"the exercise cell must define {item.answer_name}"
    assert check(exercise_id, namespace[item.answer_name]) is False
    assert "not yet" in capsys.readouterr().out


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_the_reference_solution_passes(exercise_id, capsys):
    item = catalogue()[exercise_id]
    assert check(exercise_id, getattr(solutions(exercise_id), item.answer_name)) is True
    assert "correct" in capsys.readouterr().out


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_the_notebook_checks_it_right_after(exercise_id):
    cells = code_cells(notebook_for(exercise_id))
    index = next(i for i, cell in enumerate(cells) if cell.startswith(f"# EXERCISE {exercise_id}"))
    item = catalogue()[exercise_id]
    assert f'check("{exercise_id}", {item.answer_name})' in cells[index + 1]


def test_checks_explain_instead_of_answering_false(capsys):
    """A wrong answer gets a reason; an unknown exercise id is a clear error."""
    assert check("01.2", lambda a, m: 2752) is False
    assert "17 * 2752 mod 3120 is 3104, not 1" in capsys.readouterr().out
    with pytest.raises(ValueError, match="no exercise"):
        check("99.9", 1)


def test_every_notebook_from_01_to_08_has_three_graded_exercises():
    ids = catalogue()
    for number in range(1, 9):
        mine = [item for key, item in ids.items() if key.startswith(f"{number:02d}.")]
        assert len(mine) >= 3, f"notebook {number:02d} has {len(mine)} exercises"
        levels = [item.level for item in mine]
        assert levels[0] == 1 and max(levels) == 3, (
            f"notebook {number:02d}: levels {levels} (easy first, up to hard)"
        )


def test_the_window_constant_of_exercise_07_matches_the_protocol():
    from paycore.exercises import nb07
    from paycore.payment.protocol.replay import WINDOW_SECONDS

    assert nb07.WINDOW_SECONDS == WINDOW_SECONDS


# Numbers are checked by what they mean (paycore/exercises/core.py: count and integer): a count may be
# written 120 or 120.0, a number RSA computes on or a timestamp must be an int.
COUNTS = {"01.1": 120, "02.1": 117, "08.1": 1000}


@pytest.mark.parametrize(("exercise_id", "right"), COUNTS.items())
def test_a_count_may_be_written_as_a_whole_float(exercise_id, right, capsys):
    assert check(exercise_id, float(right)) is True


@pytest.mark.parametrize("exercise_id", ["01.1", "02.1"])
def test_a_count_that_is_not_a_whole_number_is_told_so(exercise_id, capsys):
    right = COUNTS[exercise_id]
    for wrong in (right + 0.5, str(right), True):
        assert check(exercise_id, wrong) is False
        assert "whole number" in capsys.readouterr().out


def test_a_count_returned_by_a_function_may_be_a_whole_float_too(capsys):
    from paycore.pkcs1 import oaep_max_message_length

    def oaep_capacity(bits, hash):
        return float(oaep_max_message_length(-(-bits // 8), hash=hash))

    assert check("03.1", oaep_capacity) is True


def test_a_number_rsa_computes_on_must_be_an_int_even_when_it_looks_whole(capsys):
    from paycore.textbook import RSAPrivateKey, decrypt_int

    recovered = decrypt_int(RSAPrivateKey.from_primes(101, 113, 17), 4567)
    assert check("01.3", recovered) is True
    assert check("01.3", float(recovered)) is False
    assert "is the float" in capsys.readouterr().out
    assert check("07.2", lambda timestamp, arrival: float(max(timestamp, arrival) + 300)) is False
    assert "whole seconds" in capsys.readouterr().out


MESSAGE_LIMIT = 300  # characters after "✗ NN.k not yet: "
LONG_VALUES = [2**2000 + 1, "x" * 5000, b"\0" * 5000, list(range(2000)), {"k": "v" * 3000}, 120.5]


def _raises_at_length(*args, **kwargs):
    raise ValueError("y" * 5000)


def _returning(value):
    return lambda *args, **kwargs: value


def wrong_answers(exercise_id: str) -> list:
    """Long wrong answers shaped as the exercise cell asks: values, functions returning them, a dict."""
    namespace: dict = {}
    exec(compile(exercise_cell(exercise_id), f"<exercise {exercise_id}>", "exec"), namespace)
    blank = namespace[catalogue()[exercise_id].answer_name]
    if isinstance(blank, dict):
        return [dict.fromkeys(blank, value) for value in LONG_VALUES]
    if callable(blank):
        return [_returning(value) for value in LONG_VALUES] + [_raises_at_length]
    return LONG_VALUES


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_what_check_prints_stays_short_whatever_the_answer(exercise_id, capsys):
    for answer in wrong_answers(exercise_id):
        assert check(exercise_id, answer) is False
        printed = capsys.readouterr().out.strip()
        assert len(printed.split(": ", 1)[1]) <= MESSAGE_LIMIT, printed[:400]


@pytest.mark.parametrize("exercise_id", [item for item in EXERCISES if not item.startswith("08.")])
def test_checkers_say_what_is_wrong_in_a_line_or_two(exercise_id):
    """Not just cut short by check(): the checkers of notebooks 01-07 show big values by their size."""
    from paycore.exercises import Wrong

    for answer in wrong_answers(exercise_id):
        try:
            catalogue()[exercise_id].checker(answer)
        except Wrong as wrong:
            assert len(str(wrong)) <= MESSAGE_LIMIT, str(wrong)[:400]
        except Exception:  # the answer itself raised: check() reports that, briefly
            pass
