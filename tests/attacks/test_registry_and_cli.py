"""The registry and ``paycore attacks``: every attack runs, JSON parses, and a regression fails the run."""

import pytest

from paycore.attacks import Attack, Outcome, Work, all_attacks, register, run, select, unregister
from paycore.attacks.cli import format_matrix
from paycore.cli import main


def _outcome(succeeded):
    return lambda: Outcome(target="a stub target", succeeded=succeeded, work=Work(queries=3))


@pytest.fixture
def temporary():
    """Register attacks for one test and remove them afterwards, whatever happens."""
    added = []

    def add(attack):
        added.append(register(attack))
        return attack

    yield add
    for attack in added:
        unregister(attack.name)


def broken(name, number, vulnerable_succeeds, production_succeeds):
    return Attack(
        number=number,
        name=name,
        title="a deliberately broken entry",
        source="this test",
        defence="none",
        vulnerable=_outcome(vulnerable_succeeds),
        production=_outcome(production_succeeds),
    )


def test_the_registry_holds_attacks_1_to_13_in_order():
    attacks = all_attacks()
    labels = [a.label for a in attacks]
    assert labels == [
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7a",
        "7b",
        "7c",
        "8",
        "9",
        "10",
        "11",
        "12",
        "13",
        "14",
        "15",
        "16",
        "17",
        "18",
        "19",
        "20",
        "21",
        "22",
        "23",
    ]
    for attack in attacks:
        assert attack.source and attack.defence and attack.title
        module = __import__(attack.vulnerable.__module__, fromlist=["_"])
        assert module.__doc__ and len(module.__doc__) > 200  # each attack explains itself


def test_select_by_name_label_or_number():
    assert [a.name for a in select(["parity-oracle"])] == ["parity-oracle"]
    assert [a.label for a in select(["7b"])] == ["7b"]
    assert [a.label for a in select(["7"])] == ["7a", "7b", "7c"]
    with pytest.raises(ValueError, match="unknown attack 'nope'"):
        select(["nope"])


def test_register_refuses_clashes_and_bad_entries(temporary):
    temporary(broken("stub-one", 90, True, False))
    with pytest.raises(ValueError, match="clashes"):
        register(broken("stub-one", 91, True, False))
    with pytest.raises(ValueError, match="clashes"):
        register(broken("stub-two", 90, True, False))
    with pytest.raises(ValueError, match="lowercase words"):
        broken("Not A Name", 92, True, False)
    with pytest.raises(ValueError, match="positive int"):
        broken("stub-three", 0, True, False)


def test_a_crashing_runner_is_reported_not_raised():
    def crashes():
        raise ZeroDivisionError("boom")

    attack = Attack(
        number=93,
        name="crashes",
        title="t",
        source="s",
        defence="d",
        vulnerable=crashes,
        production=_outcome(False),
    )
    report = run(attack, "vulnerable")
    assert not report.ok and "ZeroDivisionError: boom" in report.error
    assert run(attack, "production").ok
    with pytest.raises(ValueError, match="vulnerable"):
        run(attack, "staging")


def test_paycore_attacks_json_runs_everything(lab_run):
    status, document = lab_run
    assert status == 0
    reports = document["reports"]
    assert document["ok"] is True
    assert len(reports) == 2 * len(all_attacks()) >= 2 * 15
    for report in reports:
        assert report["ok"] and report["error"] is None
        assert report["succeeded"] == (report["path"] == "vulnerable")
        assert set(report["work"]) == {"queries", "guesses", "seconds"}
    by_name = {(r["attack"], r["path"]): r for r in reports}
    assert by_name["parity-oracle", "vulnerable"]["work"]["queries"] == 1024  # log2 n for RSA-1024
    assert [s["bits"] for s in document["gnfs_estimate"]["sizes"]] == [512, 1024, 2048]


@pytest.mark.parametrize(("vulnerable", "production"), [(False, False), (True, True)])
def test_a_broken_entry_makes_the_exit_status_non_zero(temporary, capsys, vulnerable, production):
    temporary(broken("regression", 99, vulnerable, production))
    assert main(["attacks", "--only", "regression"]) == 1
    out = capsys.readouterr().out
    assert "UNEXPECTED" in out and "1 of 2 runs as expected" in out


def test_text_matrix_shows_every_column(capsys):
    assert main(["attacks", "--only", "cube-root", "--only", "7b", "--details"]) == 0
    out = capsys.readouterr().out
    for heading in ("attack", "target", "result", "work", "defence"):
        assert heading in out
    assert "BROKEN" in out and "defended" in out and "GNFS ESTIMATE" in out
    assert "4 of 4 runs as expected" in out


def test_unknown_attack_is_a_clear_error(capsys):
    assert main(["attacks", "--only", "nope"]) == 2
    assert "unknown attack 'nope'" in capsys.readouterr().err


def test_format_matrix_marks_errors():
    attack = Attack(
        number=94,
        name="crashes-too",
        title="t",
        source="s",
        defence="d",
        vulnerable=lambda: 1 / 0,
        production=_outcome(False),
    )
    text = format_matrix([run(attack, "vulnerable"), run(attack, "production")])
    assert "ERROR" in text and "defended" in text


def test_the_readme_shows_the_matrix_the_code_produces(lab_run):
    """The README's attack-defence matrix is generated (`paycore attacks --markdown`), never typed by hand."""
    from pathlib import Path

    from paycore.attacks.cli import format_markdown

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    start, end = "<!-- attack-matrix:start -->\n", "<!-- attack-matrix:end -->"
    shown = readme.split(start, 1)[1].split(end, 1)[0].strip()
    assert shown == format_markdown(lab_run[1]["reports"]), (
        "the README's matrix is stale: paste the output of `paycore attacks --markdown` between its markers"
    )
