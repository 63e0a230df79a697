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
