"""`om import` and `om export` through Typer's CliRunner on a real server."""

from __future__ import annotations

import json


CSV_TEXT = """name,age,score,active,joined,unknown_column
Ada,36,1.5,true,2024-01-02,x
Bo,seventeen,2,false,,y
Cy,52,,,,z
,41,0,true,,w
"""


def test_import_csv_reports_bad_rows_with_line_numbers(om, project, raw_client):
    path = project.write("members.csv", CSV_TEXT)
    result = om("import", "Member", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "ignoring columns that Member does not have: unknown_column" in result.stderr
    assert "line 3: invalid: age: Input should be a valid integer" in result.stderr
    assert "line 5: invalid: name: " in result.stderr
    assert "imported 2 Member record(s)" in result.stderr
    assert "2 rejected" in result.stderr
    names = {raw_client.hget(key, "name") for key in raw_client.scan_iter(f"{project.prefix}:member:*")}
    assert names == {"Ada", "Cy"}


def test_import_empty_cells_take_defaults(om, project):
    path = project.write("one.csv", "name,age,score\nEve,30,\n")
    assert om("import", "Member", str(path)).exit_code == 0
    pk = om("find", "Member", "--engine", "scan", "--fields", "pk", "--csv").stdout.splitlines()[1]
    assert json.loads(om("get", "Member", pk, "--json").stdout)["score"] == 0.0


def test_import_dry_run_writes_nothing(om, project, raw_client):
    path = project.write("members.csv", CSV_TEXT)
    result = om("import", "Member", str(path), "--dry-run")
    assert "dry run: 2 valid Member row(s), 2 rejected, nothing written" in result.stderr
    assert list(raw_client.scan_iter(f"{project.prefix}:member:*")) == []


def test_import_jsonl_from_stdin_in_batches(om, project, raw_client):
    lines = [json.dumps({"first_name": f"F{i}", "last_name": "L", "age": i, "address": {"city": "Oslo"}})
             for i in range(25)]
    lines.insert(3, "not json")
    lines.insert(7, "[1, 2]")
    result = om("import", "Customer", "-", "--batch-size", "4", input="\n".join(lines) + "\n")
    assert result.exit_code == 2
    assert "line 4: invalid JSON" in result.stderr
    assert "line 8: expected a JSON object, found list" in result.stderr
    assert "imported 25 Customer record(s)" in result.stderr
    assert len(list(raw_client.scan_iter(f"{project.prefix}:customer:*", _type="ReJSON-RL"))) == 25


def test_import_csv_from_stdin_is_sniffed(om, project):
    result = om("import", "Country", "-", input="code,name\nFR,France\nDE,Germany\n")
    assert result.exit_code == 0, result.stderr
    assert "imported 2 Country record(s) from stdin, 0 rejected" in result.stderr


def test_import_skip_existing(om, project, raw_client):
    om("create", "Country", "code=FR", "name=France")
    path = project.write("countries.csv", "code,name\nFR,Other\nIT,Italy\n")
    result = om("import", "Country", str(path), "--skip-existing")
    assert result.exit_code == 0, result.stderr
    assert "1 skipped as existing" in result.stderr
    assert raw_client.hget(f"{project.prefix}:country:FR", "name") == "France"
    assert om("import", "Country", str(path)).exit_code == 0
    assert raw_client.hget(f"{project.prefix}:country:FR", "name") == "Other"


def test_import_bad_sources(om, project):
    missing = om("import", "Member", "nope.csv")
    assert missing.exit_code == 2
    assert "no such file" in missing.stderr
    odd = project.write("data.txt", "name\n")
    assert "pass --format csv or jsonl" in om("import", "Member", str(odd)).stderr
    assert om("import", "Member", str(odd), "--format", "csv").exit_code == 0
    assert "unknown format 'xml'" in om("import", "Member", str(odd), "--format", "xml").stderr
    ragged = project.write("ragged.csv", "name,age\nAda,3,extra\n")
    assert "line 2: expected 2 columns, found 3" in om("import", "Member", str(ragged)).stderr


def test_export_round_trip_jsonl_and_csv(om, project, raw_client):
    for i in range(7):
        om("create", "Customer", f"first_name=F{i}", "last_name=L", f"age={i}", "address.city=Oslo", "tags=a,b")
    exported = om("export", "Customer", "--jsonl")
    assert exported.exit_code == 0, exported.stderr
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(records) == 7
    assert records[0]["address"]["city"] == "Oslo"
    assert "exported 7 Customer record(s)" in exported.stderr
    as_csv = om("export", "Customer", "--csv").stdout.splitlines()
    assert as_csv[0] == "pk,first_name,last_name,age,tags,address.city,address.postal_code"
    assert '"[""a"",""b""]"' in as_csv[1]
    for key in list(raw_client.scan_iter(f"{project.prefix}:customer:*", _type="ReJSON-RL")):
        raw_client.delete(key)
    path = project.write("back.csv", "\n".join(as_csv) + "\n")
    result = om("import", "Customer", str(path))
    assert result.exit_code == 0, result.stderr
    again = sorted(json.loads(line)["pk"] for line in om("export", "Customer").stdout.splitlines())
    assert again == sorted(record["pk"] for record in records)


def test_export_with_query_to_file(om, project):
    assert om("migrate", "--yes").exit_code == 0
    for age in (10, 20, 30, 40):
        om("create", "Member", f"name=M{age}", f"age={age}")
    target = project.path / "out.jsonl"
    result = om("export", "Member", "age>=20", "age<40", "--output", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert sorted(json.loads(line)["age"] for line in target.read_text().splitlines()) == [20, 30]


def test_export_rejects_two_formats(om):
    result = om("export", "Member", "--jsonl", "--csv")
    assert result.exit_code == 2
    assert "choose one output format" in result.stderr
