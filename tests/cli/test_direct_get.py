"""`om get` as a process takes the path without Typer; it must behave exactly as the Typer command does.

Each case runs the same arguments through the installed `om` script (the direct path) and
through Typer's CliRunner (the Typer path), and compares exit code, stdout and stderr.
"""

from __future__ import annotations

import pytest

UNREACHABLE_URL = "redis://127.0.0.1:1"


@pytest.fixture
def records(om):
    """Primary keys of a Member and a Customer with an address."""
    member = om("create", "Member", "name=Ada", "age=36", "nickname=Countess").stdout.strip()
    customer = om("create", "Customer", "first_name=Ada", "last_name=Lovelace", "age=36",
                  "tags=math,poetry", "address.city=London").stdout.strip()
    return {"Member": member, "Customer": customer}


CASES = {
    "table": ["get", "Member", "{Member}"],
    "json": ["get", "Member", "{Member}", "--json"],
    "jsonl": ["get", "Customer", "{Customer}", "--jsonl"],
    "csv": ["get", "Customer", "{Customer}", "--csv"],
    "nested table": ["get", "Customer", "{Customer}"],
    "fields": ["get", "Customer", "{Customer}", "-f", "first_name,address.city", "--json"],
    "fields repeated": ["get", "Member", "{Member}", "--fields=name", "-f", "age", "--csv"],
    "options between": ["get", "--json", "Member", "{Member}"],
    "url before": ["--url", "{url}", "get", "Member", "{Member}"],
    "url after wins": ["--url", UNREACHABLE_URL, "get", "Member", "{Member}", "--url={url}"],
    "verbose": ["-v", "get", "Member", "{Member}", "--jsonl"],
    "debug log": ["-vv", "get", "Member", "{Member}"],
    "unknown model": ["get", "Membr", "x"],
    "not found": ["get", "Member", "01HZX3M6PH661HCNNRC884H6K3"],
    "unknown field": ["get", "Member", "{Member}", "-f", "nmae"],
    "two formats": ["get", "Member", "{Member}", "--json", "--csv"],
    "unreachable": ["get", "Member", "x", "--url", UNREACHABLE_URL],
    "bad module": ["-m", "no_such_module_here", "get", "Member", "x"],
}


@pytest.mark.parametrize("case", list(CASES))
def test_direct_get_matches_typer(case, om, om_process, records, search_url):
    arguments = [part.format(url=search_url, **records) for part in CASES[case]]

    by_typer = om(*arguments)
    by_process = om_process(*arguments)

    assert by_process.returncode == by_typer.exit_code
    assert by_process.stdout == by_typer.stdout
    assert by_process.stderr == by_typer.stderr


def test_direct_get_output_is_right(om_process, records):
    result = om_process("get", "Member", records["Member"], "--csv")

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["pk,name,age,score,active,joined,nickname",
                                         f"{records['Member']},Ada,36,0.0,true,,Countess"]


def test_invalid_stored_record_names_key(om, om_process, project, raw_client):
    key = f"{project.prefix}:member:BROKEN"
    raw_client.hset(key, mapping={"pk": "BROKEN", "name": "Ada", "age": "not a number"})

    by_typer = om("get", "Member", "BROKEN")
    by_process = om_process("get", "Member", "BROKEN")

    assert by_process.returncode == by_typer.exit_code == 2
    assert by_process.stderr == by_typer.stderr
    assert f"the stored record '{key}' does not fit Member: age:" in by_process.stderr
    assert "fix or delete the key" in by_process.stderr
