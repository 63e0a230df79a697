"""The course around the package: paycore.course finds the repository from anywhere, the notebooks run
from any working directory, and the counts the documents state are the ones the code has.

Counts come from the code, never from another document: how many attacks the lab has (its registry),
how many exercises (the catalogue), how long each notebook takes (``paycore.course.PATH``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from paycore import course
from paycore.attacks import all_attacks
from paycore.exercises import catalogue

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("0*.ipynb"))
RELATIVE_PATH = re.compile(r"""["'](\.\.?/|\.\.["'])""")  # "../x", "./x", "..": only right from one folder


def cells(path: Path, kind: str) -> list[str]:
    document = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(cell["source"]) for cell in document["cells"] if cell["cell_type"] == kind]


def make_checkout(folder: Path) -> Path:
    (folder / "paycore").mkdir(parents=True)
    (folder / "paycore" / "__init__.py").write_text("")
    (folder / "notebooks").mkdir()
    (folder / "pyproject.toml").write_text("[project]\nname = 'paycore'\n")
    return folder


# --- paycore.course -------------------------------------------------------------------------------


def test_the_repository_is_the_checkout_paycore_was_imported_from():
    assert course.repository() == ROOT
    assert (
        course.repository_file("notebooks", "00_start_here.ipynb")
        == ROOT / "notebooks" / "00_start_here.ipynb"
    )


def test_a_missing_file_is_a_clear_error():
    with pytest.raises(FileNotFoundError, match="the repository has no benchmarks/nothing.json"):
        course.repository_file("benchmarks", "nothing.json")


def test_the_setup_is_right_from_the_repository_from_notebooks_and_from_outside(tmp_path):
    assert course.setup_problem(ROOT) is None
    assert course.setup_problem(ROOT / "notebooks") is None
    assert course.setup_problem(tmp_path) is None  # outside any checkout there is nothing to compare


def test_running_inside_another_checkout_is_named(tmp_path):
    other = make_checkout(tmp_path / "an-older-copy")
    problem = course.setup_problem(other / "notebooks")
    assert problem is not None and "another checkout" in problem and str(other) in problem


def test_the_path_teaches_every_step_and_runs_every_attack_once():
    assert {step for stop in course.PATH for step in stop.steps} == set(course.STEPS)
    runs = [label for stop in course.PATH if stop.number != "05" for label in stop.runs]
    assert sorted(runs) == sorted(attack.label for attack in all_attacks())


# --- notebooks from any working directory ---------------------------------------------------------


@pytest.mark.parametrize(
    "notebook", [path for path in NOTEBOOKS if path.name[:2] != "08"], ids=lambda p: p.stem
)
def test_no_code_cell_opens_a_path_relative_to_the_working_directory(notebook):
    for source in cells(notebook, "code"):
        assert not RELATIVE_PATH.search(source), (
            f"{notebook.name}: use paycore.course.repository_file\n{source}"
        )
        assert "os.chdir" not in source and "Path.cwd()" not in source, f"{notebook.name}\n{source}"


def test_the_relative_path_rule_sees_one():
    assert RELATIVE_PATH.search('RESULTS = Path("../benchmarks/results/quick/results.json")')


def text_outputs(notebook) -> list[str]:
    """Each checked code cell's text outputs (what nbval compares), in order."""
    found = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code" or "".join(cell["source"]).startswith("# NBVAL_IGNORE_OUTPUT"):
            continue
        texts = [
            "".join(output["text"])
            if "text" in output
            else "".join(output.get("data", {}).get("text/plain", ""))
            for output in cell["outputs"]
        ]
        found.append("".join(texts))  # a stream may arrive in more than one piece
    return found


@pytest.mark.slow
@pytest.mark.parametrize("name", ["00_start_here", "01_rsa_by_hand"])
def test_a_notebook_started_at_the_repository_root_prints_what_it_stores(name):
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    path = ROOT / "notebooks" / f"{name}.ipynb"
    stored = nbformat.read(path, as_version=4)
    fresh = nbformat.read(path, as_version=4)
    NotebookClient(
        fresh, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    ).execute()
    assert text_outputs(fresh) == text_outputs(stored)


# --- the counts the documents state ---------------------------------------------------------------


def attack_counts() -> tuple[int, int]:
    """(attacks, entries): attack 7 has three variants, so the lab has more entries than attacks."""
    attacks = all_attacks()
    return len({attack.number for attack in attacks}), len(attacks)


def test_readme_and_notebook_00_count_the_attacks_of_the_registry():
    attacks, entries = attack_counts()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = " ".join(cells(ROOT / "notebooks" / "00_start_here.ipynb", "markdown"))
    for text in (readme, start):
        said = {
            int(number) for number in re.findall(r"(?<!\[)\b(\d+)\s+attacks\b", text)
        }  # not "[06 attacks on RSA]"
        assert said == {attacks}, said
        assert f"{entries} rows" in text or f"{entries} entries" in text
        assert f"{2 * entries} runs" in text


def test_the_trainers_guide_counts_the_exercises_of_the_catalogue():
    ids = sorted(catalogue())
    guide = (ROOT / "docs" / "TRAINERS.md").read_text(encoding="utf-8")
    notebooks = sorted({exercise_id[:2] for exercise_id in ids})
    assert f"{len(ids)} exercises, {ids[0]} to {ids[-1]}" in guide
    assert f"notebooks {notebooks[0]} to {notebooks[-1]}" in guide.lower()
    assert f"{2 * attack_counts()[1]} of {2 * attack_counts()[1]} runs as expected" in guide


@pytest.mark.parametrize("document", ["README.md", "notebooks/00_start_here.ipynb"])
def test_the_minutes_of_each_notebook_are_those_of_the_path(document):
    path = ROOT / document
    text = path.read_text(encoding="utf-8") if path.suffix == ".md" else "\n".join(cells(path, "markdown"))
    stated = {
        number: int(minutes)
        for number, minutes in re.findall(r"^\| \[\**(\d\d)\**[^|]*\| .*\| (\d+) \|$", text, re.M)
    }
    stated.pop("00", None)  # notebook 00 itself is the map, not a stop on it
    assert stated == {stop.number: stop.minutes for stop in course.PATH}
