"""Guards and output details of `om`: enums in text output, empty keys, server URLs, limits."""

from __future__ import annotations

import csv
import io

ENUM_MODELS = """
import enum

from redisom_cli import Field, HashModel


class Status(str, enum.Enum):
    ACTIVE = "active"
    BANNED = "banned"


class Player(HashModel, index=True):
    name: str = Field(index=True)
    status: Status = Field(index=True)

    class Meta:
        global_key_prefix = "{prefix}"
        model_key_prefix = "player"
"""


def test_str_enum_exports_its_value(om, project):
    project.write("enum_models.py", ENUM_MODELS.replace("{prefix}", project.prefix))
    created = om("-m", "enum_models", "create", "Player", "name=Ann", "status=banned")
    assert created.exit_code == 0, created.output

    exported = om("-m", "enum_models", "find", "Player", "--csv", "--engine", "scan")
    shown = om("-m", "enum_models", "get", "Player", created.stdout.strip())

    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert rows[0]["status"] == "banned"
    assert "Status." not in shown.stdout
    assert "banned" in shown.stdout


def test_empty_primary_key_rejected(om):
    result = om("create", "Member", "pk=", "name=Ann", "age=3")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert "pk" in result.stderr


def test_server_commands_reject_other_urls(om_process):
    stopped = om_process("server", "stop", url="redis://127.0.0.1:1")
    status = om_process("server", "status", url="unix:///nonexistent/redis.sock")

    assert stopped.returncode == 2
    assert "is not an embedded:// URL" in stopped.stderr
    assert status.returncode == 2
    assert "is not an embedded:// URL" in status.stderr


def test_default_limit_notes_more_matches(om):
    for age in range(23):
        assert om("create", "Member", f"name=m{age}", f"age={age}").exit_code == 0

    default = om("find", "Member", "age>=0", "--engine", "scan", "--jsonl")
    explicit = om("find", "Member", "age>=0", "--engine", "scan", "--jsonl", "--limit", "5")

    assert len(default.stdout.splitlines()) == 20
    assert "more records match than the 20 shown" in default.stderr
    assert len(explicit.stdout.splitlines()) == 5
    assert explicit.stderr == ""
