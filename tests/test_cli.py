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


def test_amount_too_large_for_the_key_speaks_of_the_amount(capsys):
    assert main(["rsa-demo", "--bits", "32", "--e", "3", "--amount", str(2**40), "--seed", "1"]) == 2
    err = capsys.readouterr().err
    assert "--amount 1099511627776 does not fit a 32-bit key" in err and "smaller than n" in err


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("-5", "the amount must be positive (a whole number of minor units"),
        ("0", "the amount must be positive"),
        ("12.34", "amounts are whole numbers of minor units, so 12.34 yuan is 1234 fen"),
        ("ten", "'ten' is not a whole number of minor units"),
    ],
)
def test_a_bad_amount_is_explained_in_minor_units(capsys, amount, expected):
    with pytest.raises(SystemExit) as exc:
        main(["rsa-demo", "--amount", amount])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert expected in err and "usage: paycore rsa-demo" in err
    assert " m " not in err and "0 <= m" not in err


def test_a_key_under_2048_bits_is_warned_about(capsys):
    assert main(["rsa-demo", "--bits", "512", "--seed", "7"]) == 0
    out = " ".join(capsys.readouterr().out.split())  # the warning wraps to the terminal
    assert "WARNING: a 512-bit key is for this lesson only" in out
    assert "factored in 1999 (RSA-155" in out and "2048 bits" in out
    assert main(["rsa-demo", "--bits", "1024", "--seed", "7"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "WARNING: a 1024-bit key" in out and "RSA-155" not in out and "SP 800-131A" in out


def test_no_warning_from_2048_bits():
    from paycore.tours.rsa_demo import size_warning

    assert size_warning(2048) is None and size_warning(4096) is None and size_warning(2047)


def test_the_public_exponent_is_an_option_and_is_checked(capsys):
    assert main(["rsa-demo", "--bits", "64", "--e", "3", "--amount", "99", "--seed", "2"]) == 0
    out = capsys.readouterr().out
    assert "e=3" in out and "gcd(e, (p-1)(q-1)) = 1" in out and "cube-root" in out
    for e, words in (("4", "--e must be odd and at least 3"), ("1", "--e must be odd and at least 3")):
        assert main(["rsa-demo", "--bits", "64", "--e", e]) == 2
        assert words in capsys.readouterr().err
    assert main(["rsa-demo", "--bits", "16"]) == 2  # e = 65537 has 17 bits: no 16-bit n can hold it
    assert "pass a small exponent, such as --e 3 or --e 17" in capsys.readouterr().err


def test_top_level_help_is_plain_text(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "``" not in out and ":func:" not in out and "paycore COMMAND --help" in out


@pytest.mark.parametrize(("argv", "usage"), [(["demo", "--verbose"], "usage: paycore demo"),
                                             (["rsa-demo", "--bitz", "9"], "usage: paycore rsa-demo"),
                                             (["attacks", "extra"], "usage: paycore attacks")])  # fmt: skip
def test_an_unknown_option_shows_the_commands_own_usage(capsys, argv, usage):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(usage) and "unrecognized arguments" in err
    assert "usage: paycore [-h] COMMAND" not in err


def test_unknown_command_is_an_argparse_error():
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("demo", "rsa-demo", "bench", "attacks", "keygen", "serve", "capture"):
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
