"""`om models`, `migrate`, `index`, `keys` and `find` through Typer's CliRunner on a real server."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def members(om):
    """Migrate the project's models and create five members; return their pks by name."""
    assert om("migrate", "--yes").exit_code == 0
    pks = {}
    for name, age in [("Ada", 36), ("Bo", 17), ("Cy", 52), ("Di", 41), ("Ed", 29)]:
        result = om("create", "Member", f"name={name}", f"age={age}")
        assert result.exit_code == 0, result.stderr
        pks[name] = result.stdout.strip()
    return pks


def test_models_table_and_json(om, project):
    table = om("models")
    assert table.exit_code == 0, table.stderr
    header = table.stdout.splitlines()[0].split()
    assert header == ["model", "kind", "key_prefix", "index_name", "indexed_fields", "path"]
    member_line = next(line for line in table.stdout.splitlines() if line.startswith("Member "))
    assert f"{project.prefix}:member:" in member_line
    assert "age (NUMERIC SORTABLE)" in member_line
    described = {row["model"]: row for row in json.loads(om("models", "--json").stdout)}
    assert set(described) == {"Member", "Customer", "Country", "Note"}
    assert described["Customer"]["kind"] == "json"
    assert described["Note"]["async"] is True
    assert described["Member"]["index_name"] == f"{project.prefix}:member:index"
    fields = {field["name"]: field for field in described["Customer"]["indexed_fields"]}
    assert fields["address.city"]["kind"] == "TAG"
    assert fields["last_name"]["full_text"] is True


def test_models_csv_is_stable(om):
    lines = om("models", "--csv").stdout.splitlines()
    assert lines[0] == "model,kind,key_prefix,index_name,indexed_fields,path,async"


def test_migrate_plan_apply_and_unchanged(om, project):
    dry = om("migrate", "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert "dry run" in dry.stderr
    rows = {line.split()[0]: line.split() for line in dry.stdout.splitlines()[1:]}
    assert rows["Member"][2] == "create"
    applied = om("migrate", "--yes", "--json")
    assert applied.exit_code == 0, applied.stderr
    assert {row["action"] for row in json.loads(applied.stdout)} == {"create"}
    again = om("migrate", "--json")
    assert {row["action"] for row in json.loads(again.stdout)} == {"unchanged"}
    assert "up to date" in again.stderr


def test_migrate_recreate_names_changed_attributes(om, project):
    assert om("migrate", "--yes").exit_code == 0
    source = (project.path / f"{project.module}.py").read_text()
    changed = source.replace("    score: float = 0.0\n", "    score: float = Field(default=0.0, index=True)\n", 1)
    renamed = project.module + "_v2"
    (project.path / f"{renamed}.py").write_text(changed)
    plan = om("migrate", "--dry-run", "--json", "-m", renamed)
    assert plan.exit_code == 0, plan.stderr
    rows = {row["model"]: row for row in json.loads(plan.stdout)}
    assert rows["Member"]["action"] == "recreate"
    assert "added: score" in rows["Member"]["changes"]
    refused = om("migrate", "-m", renamed)
    assert refused.exit_code == 2
    assert "--yes" in refused.stderr
    assert om("migrate", "--yes", "-m", renamed).exit_code == 0


def test_index_info_drop_rebuild(om, members, project):
    info = om("index", "info", "Member", "--json")
    assert info.exit_code == 0, info.stderr
    state = json.loads(info.stdout)
    assert state["index"] == f"{project.prefix}:member:index"
    assert state["documents"] == 5
    assert state["attributes"]["age"] == "NUMERIC"
    table = om("index", "info", "Member")
    assert table.stdout.splitlines()[0].split() == ["field", "value"]
    rebuilt = om("index", "rebuild", "Member", "--yes", "--wait")
    assert rebuilt.exit_code == 0, rebuilt.stderr
    assert "recreate" in rebuilt.stderr
    dropped = om("index", "drop", "Member", "--yes")
    assert dropped.exit_code == 0, dropped.stderr
    assert "om migrate" in dropped.stderr
    assert om("index", "drop", "Member", "--yes").exit_code == 3
    missing = om("index", "info", "Member")
    assert missing.exit_code == 1
    assert "om migrate" in missing.stderr


def test_keys_of_model_and_prefix(om, members, project, raw_client):
    raw_client.set(f"{project.prefix}:loose", "x", ex=500)
    result = om("keys", "Member")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["key", "type", "ttl", "memory", "model"]
    assert len(lines) == 1 + 5 + 1
    assert lines[-1].startswith("5 keys, ")
    assert "(hash 5)" in lines[-1]
    every = json.loads(om("keys", project.prefix + ":", "--json").stdout)
    by_key = {row["key"]: row for row in every}
    assert by_key[f"{project.prefix}:loose"]["model"] is None
    assert 0 < by_key[f"{project.prefix}:loose"]["ttl"] <= 500
    assert by_key[f"{project.prefix}:member:{members['Ada']}"]["model"] == "Member"
    assert by_key[f"{project.prefix}:member:index:hash"]["model"] == "Member (index metadata)"
    assert all(isinstance(row["memory"], int) for row in every)


def test_keys_type_limit_and_pattern(om, members, project):
    strings = json.loads(om("keys", project.prefix + ":*", "--glob", "--type", "string", "--json").stdout)
    assert strings
    assert {row["type"] for row in strings} == {"string"}
    limited = om("keys", "Member", "--limit", "2", "--jsonl")
    assert len(limited.stdout.splitlines()) == 2
    assert "2 keys" in limited.stderr
    csv_lines = om("keys", "Member", "--csv").stdout.splitlines()
    assert csv_lines[0] == "key,type,ttl,memory,model"


def test_keys_typo_of_model_gives_hint(om, members):
    result = om("keys", "Membr")
    assert result.exit_code == 0
    assert "did you mean 'Member'" in result.stderr


def test_find_sorted_limited(om, members):
    result = om("find", "Member", "age>20", "--sort", "-age", "--limit", "3", "--json")
    assert result.exit_code == 0, result.stderr
    assert [row["name"] for row in json.loads(result.stdout)] == ["Cy", "Di", "Ada"]


def test_find_joins_arguments_with_and(om, members):
    result = om("find", "Member", "age>20", "age<40", "--sort", "age", "--fields", "name", "--csv")
    assert result.stdout.splitlines() == ["name", "Ed", "Ada"]


def test_find_offset_count_and_table(om, members):
    assert om("find", "Member", "age>=17", "--count").stdout.strip() == "5"
    page = om("find", "Member", "--sort", "age", "--offset", "1", "--limit", "2", "--fields", "name,age")
    lines = page.stdout.splitlines()
    assert lines[0].split() == ["name", "age"]
    assert [line.split()[0] for line in lines[1:3]] == ["Ed", "Ada"]
    assert lines[-1] == "2 records"


def test_find_scan_engine_matches_search(om, members):
    search = om("find", "Member", "age>20 and name!=Cy", "--sort", "name", "--fields", "name", "--jsonl")
    scan = om("find", "Member", "age>20 and name!=Cy", "--sort", "name", "--fields", "name", "--jsonl",
              "--engine", "scan")
    assert search.stdout == scan.stdout
    assert [json.loads(line)["name"] for line in scan.stdout.splitlines()] == ["Ada", "Di", "Ed"]


def test_find_explain(om, members, project):
    result = om("find", "Member", "age>30", "--explain")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"FT.SEARCH {project.prefix}:member:index ")
    assert "@age:[(30 +inf]" in result.stdout
    scan = om("find", "Member", "age>30", "--explain", "--engine", "scan")
    assert scan.stdout.startswith("SCAN 0 MATCH")


def test_find_explain_shows_page(om, members):
    assert "LIMIT 0 21 " in om("find", "Member", "age>30", "--explain").stdout
    assert "LIMIT 5 3 " in om("find", "Member", "age>30", "--explain", "--offset", "5", "--limit", "3").stdout
    assert "LIMIT 0 1000 " in om("find", "Member", "age>30", "--explain", "--limit", "0").stdout


def test_find_nested_json_fields(om, project):
    assert om("migrate", "--yes").exit_code == 0
    om("create", "Customer", "first_name=Ada", "last_name=Lovelace", "age=36", "address.city=London")
    om("create", "Customer", "first_name=Bo", "last_name=Diddley", "age=70", "address.city=Paris")
    result = om("find", "Customer", "address.city==London", "--fields", "first_name,address.city", "--json")
    assert json.loads(result.stdout) == [{"first_name": "Ada", "address.city": "London"}]


def test_find_without_index_says_migrate(om):
    result = om("find", "Member", "age>3")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "om migrate" in result.stderr


def test_find_on_async_model(om):
    assert om("migrate", "--yes").exit_code == 0
    om("create", "Note", "text=hello")
    om("create", "Note", "text=other")
    result = om("find", "Note", "text==hello", "--json")
    assert result.exit_code == 0, result.stderr
    assert [row["text"] for row in json.loads(result.stdout)] == ["hello"]


def test_models_notes_duplicate_names(om, project):
    project.write("om_dup_models.py", """
        from redisom_cli import Field, HashModel

        class Member(HashModel):
            name: str = Field(index=True)
    """)
    result = om("models", "-m", project.module, "-m", "om_dup_models")
    assert result.exit_code == 0, result.stderr
    assert "several models are named 'Member'" in result.stderr
    ambiguous = om("get", "Member", "x", "-m", project.module, "-m", "om_dup_models")
    assert ambiguous.exit_code == 2
    assert "ambiguous" in ambiguous.stderr
    by_path = om("get", f"{project.module}.Member", "x", "-m", project.module, "-m", "om_dup_models")
    assert by_path.exit_code == 3


def test_version_and_help(om):
    version = om("--version")
    assert version.exit_code == 0
    assert version.stdout.startswith("om ")
    help_text = om("--help")
    assert help_text.exit_code == 0
    assert "--url URL" in help_text.stdout
    assert "--models MODULE" in help_text.stdout
    assert "[tool.om]" in help_text.stdout
    assert "\\[" not in help_text.stdout
