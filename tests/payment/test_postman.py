"""The Postman collection in postman/, run by Newman against `paycore serve` over real HTTP.

The collection is what a student opens in Postman; this test makes sure it still passes against the
running system, request by request, and that it is laid out as promised (every request explained and
tested). Newman needs Node.js: CI installs it into ``.ci/node``; without it the Newman tests skip.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from paycore.payment.errors import ErrorCode
from paycore.tools.serve import start

REPO = Path(__file__).resolve().parents[2]
COLLECTION = REPO / "postman" / "paycore.postman_collection.json"
ENVIRONMENT = REPO / "postman" / "paycore.postman_environment.json"
CI_NEWMAN = REPO / ".ci" / "node" / "node_modules" / ".bin" / "newman"
SCHEMA_V21 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
NEWMAN_TIMEOUT = 300  # seconds; a healthy run takes a few


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def requests_in(collection: dict) -> list[dict]:
    """Every request item, depth first, in the order the runner takes them."""
    found = []
    for item in collection["item"]:
        found.extend(requests_in(item) if "item" in item else [item])
    return found


def scripts(item: dict, kind: str) -> str:
    return "\n".join(
        "\n".join(event["script"]["exec"]) for event in item.get("event", []) if event["listen"] == kind
    )


# -- the files themselves (no Node.js needed) ----------------------------------------------------------


def test_the_environment_names_both_servers_and_the_user():
    environment = load(ENVIRONMENT)
    values = {entry["key"]: entry["value"] for entry in environment["values"] if entry.get("enabled", True)}
    assert values == {
        "merchant_url": "http://127.0.0.1:8001",
        "gateway_url": "http://127.0.0.1:8002",
        "user_id": "alice",
    }
    assert environment["_postman_variable_scope"] == "environment"


def test_every_request_is_explained_and_tested():
    collection = load(COLLECTION)
    assert collection["info"]["schema"] == SCHEMA_V21
    items = requests_in(collection)
    assert items, "the collection has no requests"
    names = [item["name"] for item in items]
    assert len(set(names)) == len(names), "request names must be unique (the report is matched by name)"
    for item in items:
        description = item["request"].get("description", "")
        assert re.search(r"steps? 3\.[1-6]", description, re.IGNORECASE) or any(
            word in description for word in ("Attack", "Bad input", "Set-up")
        ), f"{item['name']!r}: say which step of the seed article or which attack it shows"
        assert "pm.test(" in scripts(item, "test"), f"{item['name']!r} has no test"
        url = item["request"]["url"]["raw"]
        assert url.startswith(("{{merchant_url}}", "{{gateway_url}}")), f"{item['name']!r}: {url}"


def test_every_stable_error_code_of_the_brief_is_asserted():
    """Each refusal the collection promises to show is checked by its code somewhere."""
    tests = "\n".join(scripts(item, "test") for item in requests_in(load(COLLECTION)))
    for code in (
        ErrorCode.MALFORMED_JSON,
        ErrorCode.INVALID_REQUEST,
        ErrorCode.AMOUNT_MISMATCH,
        ErrorCode.ORDER_NOT_PAYABLE,
        ErrorCode.ORDER_NOT_FOUND,
        ErrorCode.NOT_FOUND,
        ErrorCode.PAYLOAD_TOO_LARGE,
        ErrorCode.MALFORMED_HEADERS,
        "INSUFFICIENT_FUNDS",
    ):
        assert f'"{code}"' in tests, f"no request asserts {code}"


# -- Newman against the running servers -----------------------------------------------------------------


def find_newman() -> str:
    """The newman command, or skip the test saying what is missing."""
    newman = shutil.which("newman") or (str(CI_NEWMAN) if CI_NEWMAN.exists() else None)
    if newman is None:
        pytest.skip(
            "Newman not found: install it with `npm install --prefix .ci/node newman@6` "
            "(needs Node.js >= 16) or put `newman` on PATH"
        )
    if shutil.which("node") is None:
        pytest.skip("Newman needs Node.js (`node` on PATH), which is not installed")
    return newman


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def newman():
    return find_newman()


@pytest.fixture(scope="module")
def served(newman, tmp_path_factory):
    running = start(
        "127.0.0.1",
        free_port(),
        free_port(),
        tmp_path_factory.mktemp("postman") / "data",
        deliver_every=0.2,
        echo=lambda *args: None,
    )
    try:
        running.wait_until_ready()
        yield running
    finally:
        running.shutdown()


def run_newman(newman: str, served, collection: Path, report: Path, *extra: str):
    """Run the collection with the environment pointed at ``served``; return (process, JSON report)."""
    command = [
        newman,
        "run",
        str(collection),
        "--environment",
        str(ENVIRONMENT),
        "--env-var",
        f"merchant_url={served.merchant_url}",
        "--env-var",
        f"gateway_url={served.gateway_url}",
        "--reporters",
        "cli,json",
        "--reporter-json-export",
        str(report),
        "--color",
        "off",
        "--timeout-request",
        "30000",
        *extra,
    ]
    process = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=NEWMAN_TIMEOUT,
        env={**os.environ, "NO_COLOR": "1"},
        check=False,
    )
    assert report.exists(), f"Newman wrote no report:\n{process.stdout}\n{process.stderr}"
    return process, load(report)["run"]


def assertions_by_request(run: dict) -> dict[str, list[dict]]:
    """Each executed request's assertions, keyed by request name (a pm.sendRequest shares its item's)."""
    grouped: dict[str, list[dict]] = {}
    seen_ids = set()
    for execution in run["executions"]:
        name = execution["item"]["name"]
        grouped.setdefault(name, [])
        if execution["id"] not in seen_ids:
            seen_ids.add(execution["id"])
            grouped[name].extend(execution.get("assertions", []))
    return grouped


@pytest.mark.slow
def test_the_collection_passes_against_paycore_serve(newman, served, tmp_path):
    process, run = run_newman(newman, served, COLLECTION, tmp_path / "report.json")
    output = process.stdout + process.stderr
    expected_names = [item["name"] for item in requests_in(load(COLLECTION))]

    assert process.returncode == 0, output
    assert run["error"] is None, output
    assert run["failures"] == [], output
    stats = run["stats"]
    assert stats["items"] == {"total": len(expected_names), "pending": 0, "failed": 0}
    # one more request than items: the IDOR test fetches a missing order to compare the answers
    assert stats["requests"] == {"total": len(expected_names) + 1, "pending": 0, "failed": 0}
    assert stats["assertions"]["failed"] == 0 and stats["assertions"]["total"] > 0

    grouped = assertions_by_request(run)
    assert list(grouped) == expected_names, "every request ran once, in order"
    for name, assertions in grouped.items():
        # two collection-level checks run after every request; each request adds its own
        assert len(assertions) >= 3, f"{name!r} ran only {len(assertions)} assertions"
        failed = [entry for entry in assertions if entry.get("error") or entry.get("skipped")]
        assert failed == [], f"{name!r}: {failed}"


@pytest.mark.slow
def test_a_wrong_expectation_makes_the_run_fail(newman, served, tmp_path):
    """The harness can fail: expect 200 where the merchant answers 201, and Newman and the report say so."""
    collection = copy.deepcopy(load(COLLECTION))
    first = requests_in(collection)[0]
    test_lines = next(event for event in first["event"] if event["listen"] == "test")["script"]["exec"]
    original = "pm.response.to.have.status(201)"
    index = next(number for number, line in enumerate(test_lines) if original in line)
    test_lines[index] = test_lines[index].replace(original, "pm.response.to.have.status(200)")
    mutated = tmp_path / "mutated.postman_collection.json"
    mutated.write_text(json.dumps(collection), encoding="utf-8")

    process, run = run_newman(newman, served, mutated, tmp_path / "report.json", "--folder", first["name"])

    assert process.returncode != 0
    assert run["stats"]["assertions"]["failed"] == 1
    [failure] = run["failures"]
    assert failure["source"]["name"] == first["name"]
    assert "expected response to have status code 200 but got 201" in failure["error"]["message"]
