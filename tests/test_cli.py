"""The `paycore` command, run as a user runs it (a real subprocess) and in process."""

import subprocess
import sys

import pytest

from paycore.cli import main


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "paycore.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_rsa_demo_runs_and_exits_zero():
    done = run("rsa-demo", "--bits", "1024", "--seed", "7")
    assert done.returncode == 0, done.stderr
    assert "round trip ok" in done.stdout
    assert "never for real payments" in done.stdout


def test_demo_walks_the_six_steps_and_shows_the_attacks_refused():
    done = run("demo")
    assert done.returncode == 0, done.stderr
    for step in ("3.1", "3.2", "3.3", "3.4", "3.5", "3.6"):
        assert f"\n{step}  " in done.stdout
    assert "is PAID" in done.stdout
    assert "HTTP 401 INVALID_SIGNATURE" in done.stdout and "HTTP 401 REPLAYED_NONCE" in done.stdout
    assert "canonical string" in done.stdout and '"alg": "RSA-OAEP-256"' in done.stdout
    assert "4111111111111111" not in done.stdout
    assert done.stdout.rstrip().endswith("demo ok")


def test_bad_arguments_give_a_clear_error_and_status_2(capsys):
    assert main(["rsa-demo", "--bits", "8"]) == 2
    assert "bits too small" in capsys.readouterr().err


def test_amount_too_large_for_the_key(capsys):
    assert main(["rsa-demo", "--bits", "32", "--amount", str(2**40), "--seed", "1"]) == 2
    assert "0 <= m < n" in capsys.readouterr().err


def test_unknown_command_is_an_argparse_error():
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("demo", "rsa-demo", "bench", "attacks", "keygen", "serve"):
        assert command in out


def test_unknown_bench_suite_is_a_clear_error(capsys):
    assert main(["bench", "--suite", "nope"]) == 2
    assert "unknown suite" in capsys.readouterr().err


def test_version_and_python_dash_m_paycore():
    from paycore import __version__

    for command in (
        [sys.executable, "-m", "paycore", "--version"],
        [sys.executable, "-m", "paycore.cli", "--version"],
    ):
        done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and done.stdout.strip() == f"paycore {__version__}", done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "paycore", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "serve" in done.stdout
