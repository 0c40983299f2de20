"""`om create`, `get`, `update`, `delete` and `expire` through Typer's CliRunner on a real server."""

from __future__ import annotations

import json

import pytest


def test_create_prints_new_pk(om, project, raw_client):
    result = om("create", "Member", "name=Ada", "age=36", "score=1.5", "active=false", "joined=2024-01-02")
    assert result.exit_code == 0, result.stderr
    pk = result.stdout.strip()
    assert len(pk) == 26
    assert result.stderr == ""
    stored = raw_client.hgetall(f"{project.prefix}:member:{pk}")
    assert stored["name"] == "Ada"
    assert stored["age"] == "36"
    assert stored["active"] == "0"


def test_create_json_nested_and_lists(om, project, raw_client):
    result = om("create", "Customer", "first_name=Ada", "last_name=Lovelace", "age=36",
                "address.city=London", "tags=math,poetry")
    assert result.exit_code == 0, result.stderr
    document = json.loads(raw_client.execute_command("JSON.GET", f"{project.prefix}:customer:{result.stdout.strip()}"))
    assert document["address"] == {"city": "London", "postal_code": None}
    assert document["tags"] == ["math", "poetry"]


def test_create_json_values_with_colon_equals(om, project, raw_client):
    result = om("create", "Customer", "first_name=Ada", "last_name=L", "age:=36", 'tags:=["a,b", "c"]',
                'address:={"city": "Paris"}')
    assert result.exit_code == 0, result.stderr
    document = json.loads(raw_client.execute_command("JSON.GET", f"{project.prefix}:customer:{result.stdout.strip()}"))
    assert document["tags"] == ["a,b", "c"]
    assert document["address"]["city"] == "Paris"


def test_create_from_json_option_and_file(om, project, raw_client):
    result = om("create", "Member", "--json", '{"name": "Bo", "age": 3}', "age=4")
    assert result.exit_code == 0, result.stderr
    assert raw_client.hget(f"{project.prefix}:member:{result.stdout.strip()}", "age") == "4"
    path = project.write("member.json", '{"name": "Cy", "age": 5}')
    result = om("create", "Member", "--file", str(path))
    assert result.exit_code == 0, result.stderr
    result = om("create", "Member", "--file", "-", input='{"name": "Di", "age": 6}')
    assert result.exit_code == 0, result.stderr
    assert raw_client.hget(f"{project.prefix}:member:{result.stdout.strip()}", "name") == "Di"


def test_create_with_ttl(om, project, raw_client):
    result = om("create", "Member", "name=Ttl", "age=1", "--ttl", "300")
    assert result.exit_code == 0, result.stderr
    assert 0 < raw_client.ttl(f"{project.prefix}:member:{result.stdout.strip()}") <= 300


def test_create_never_overwrites_without_replace(om, project, raw_client):
    assert om("create", "Country", "code=FR", "name=France").exit_code == 0
    result = om("create", "Country", "code=FR", "name=Other")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "already exists" in result.stderr
    assert "--replace" in result.stderr
    assert raw_client.hget(f"{project.prefix}:country:FR", "name") == "France"
    result = om("create", "Country", "code=FR", "name=Other", "--replace")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "FR"
    assert raw_client.hget(f"{project.prefix}:country:FR", "name") == "Other"


@pytest.mark.parametrize("arguments, expected", [
    (["name=Ada", "age=old"], "age: Input should be a valid integer"),
    (["name=Ada"], "age: Field required"),
    (["name=Ada", "age=3", "agee=4"], "did you mean 'age'?"),
    (["name=Ada", "age"], "expected field=value"),
    (["name=Ada", "age:=[1"], "invalid JSON for 'age'"),
    (["--json", "[1]"], "expected a JSON object"),
    (["--json", "{bad"], "invalid JSON in --json"),
])
def test_create_rejects_bad_input(om, arguments, expected):
    result = om("create", "Member", *arguments)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2


def test_get_human_and_machine_output(om):
    pk = om("create", "Member", "name=Ada", "age=36").stdout.strip()
    table = om("get", "Member", pk)
    assert table.exit_code == 0
    assert table.stdout.splitlines()[0].split() == ["field", "value"]
    assert any(line.split() == ["name", "Ada"] for line in table.stdout.splitlines())
    as_json = json.loads(om("get", "Member", pk, "--json").stdout)
    assert as_json["pk"] == pk
    assert as_json["age"] == 36
    line = json.loads(om("get", "Member", pk, "--jsonl").stdout)
    assert line["name"] == "Ada"
    csv_lines = om("get", "Member", pk, "--csv").stdout.splitlines()
    assert csv_lines[0] == "pk,name,age,score,active,joined,nickname"
    assert csv_lines[1] == f"{pk},Ada,36,0.0,true,,"


def test_get_selected_fields(om):
    pk = om("create", "Customer", "first_name=Ada", "last_name=L", "age=3", "address.city=Oslo").stdout.strip()
    result = om("get", "Customer", pk, "--fields", "first_name,address.city", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"first_name": "Ada", "address.city": "Oslo"}


def test_get_unknown_field_suggests(om):
    pk = om("create", "Member", "name=Ada", "age=36").stdout.strip()
    result = om("get", "Member", pk, "--fields", "nmae")
    assert result.exit_code == 2
    assert "did you mean 'name'?" in result.stderr


def test_get_missing_record_exits_3(om):
    result = om("get", "Member", "01HZX3M6PH661HCNNRC884H6K3")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert "not found" in result.stderr


def test_update_writes_named_fields(om, project, raw_client):
    pk = om("create", "Member", "name=Ada", "age=36").stdout.strip()
    result = om("update", "Member", pk, "age=37", "nickname=Countess")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert raw_client.hget(f"{project.prefix}:member:{pk}", "age") == "37"
    assert raw_client.hget(f"{project.prefix}:member:{pk}", "nickname") == "Countess"


def test_update_nested_json_field(om, project, raw_client):
    pk = om("create", "Customer", "first_name=Ada", "last_name=L", "age=3", "address.city=Oslo").stdout.strip()
    result = om("update", "Customer", pk, "address.city=Bergen", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["address"]["city"] == "Bergen"
    document = json.loads(raw_client.execute_command("JSON.GET", f"{project.prefix}:customer:{pk}"))
    assert document["address"]["city"] == "Bergen"


def test_update_rejects_invalid_value_and_pk(om, project, raw_client):
    pk = om("create", "Member", "name=Ada", "age=36").stdout.strip()
    result = om("update", "Member", pk, "age=old")
    assert result.exit_code == 2
    assert "age" in result.stderr
    assert raw_client.hget(f"{project.prefix}:member:{pk}", "age") == "36"
    om("create", "Country", "code=DE", "name=Germany")
    result = om("update", "Country", "DE", "code=AT")
    assert result.exit_code == 2
    assert "primary key" in result.stderr


def test_update_missing_record_exits_3(om):
    result = om("update", "Member", "nope", "age=3")
    assert result.exit_code == 3


def test_delete_counts_and_reports_missing(om, project, raw_client):
    first = om("create", "Member", "name=A", "age=1").stdout.strip()
    second = om("create", "Member", "name=B", "age=2").stdout.strip()
    result = om("delete", "Member", first, second, "--yes")
    assert result.exit_code == 0, result.stderr
    assert "deleted 2" in result.stderr
    assert raw_client.exists(f"{project.prefix}:member:{first}") == 0
    result = om("delete", "Member", first, "--yes")
    assert result.exit_code == 3
    assert repr(first) in result.stderr


def test_delete_without_terminal_needs_yes(om, project, raw_client):
    pk = om("create", "Member", "name=A", "age=1").stdout.strip()
    result = om("delete", "Member", pk)
    assert result.exit_code == 2
    assert "--yes" in result.stderr
    assert raw_client.exists(f"{project.prefix}:member:{pk}") == 1


def test_expire_sets_ttl(om, project, raw_client):
    pk = om("create", "Member", "name=A", "age=1").stdout.strip()
    result = om("expire", "Member", pk, "120")
    assert result.exit_code == 0, result.stderr
    assert 0 < raw_client.ttl(f"{project.prefix}:member:{pk}") <= 120


def test_expire_missing_and_bad_seconds(om):
    assert om("expire", "Member", "nope", "10").exit_code == 3
    result = om("expire", "Member", "nope", "0")
    assert result.exit_code == 2
    assert "Try 'om expire --help'" in result.stderr


def test_async_model_works_through_sync_twin(om, project, raw_client):
    result = om("create", "Note", "text=hello")
    assert result.exit_code == 0, result.stderr
    pk = result.stdout.strip()
    assert raw_client.hget(f"{project.prefix}:note:{pk}", "text") == "hello"
    assert json.loads(om("get", "Note", pk, "--json").stdout)["text"] == "hello"
