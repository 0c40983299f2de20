"""The command-line split of `om`: the Typer-free parser of `om get` and the lazy command registration."""

from __future__ import annotations

import importlib

import pytest
import typer

from redisom_cli.cli import app as app_module
from redisom_cli.cli import direct


@pytest.mark.parametrize(("arguments", "model", "pk"), [
    (["get", "Person", "01J"], "Person", "01J"),
    (["--url", "redis://127.0.0.1:1", "get", "Person", "01J"], "Person", "01J"),
    (["get", "Person", "01J", "--url=redis://127.0.0.1:1", "-m", "models"], "Person", "01J"),
    (["-v", "--debug", "get", "app.Person", "x", "-vv", "--json"], "app.Person", "x"),
    (["get", "Person", "01J", "-f", "name,age", "--fields=address.city", "--csv"], "Person", "01J"),
])
def test_parse_get_accepts_plain_forms(arguments, model, pk):
    request = direct.parse_get(arguments)

    assert request is not None
    assert (request.model, request.pk) == (model, pk)


@pytest.mark.parametrize("arguments", [
    [],
    ["--help"],
    ["get", "--help"],
    ["get", "-h", "Person", "01J"],
    ["get", "Person"],
    ["get", "Person", "01J", "extra"],
    ["find", "Person", "age>1"],
    ["--version"],
    ["get", "Person", "01J", "--url"],
    ["get", "Person", "01J", "--url", "--json"],
    ["get", "Person", "-01J"],
    ["get", "Person", "01J", "--", "x"],
    ["get", "Person", "01J", "-mmodels"],
    ["get", "Person", "01J", "-m=models"],
    ["get", "Person", "01J", "-fname"],
    ["--json", "get", "Person", "01J"],
    ["--fields", "name", "get", "Person", "01J"],
    ["get", "Person", "01J", "--json=yes"],
    ["get", "Person", "01J", "--jso"],
    ["get", "Person", "01J", "-vm", "models"],
])
def test_parse_get_leaves_other_forms_to_typer(arguments):
    assert direct.parse_get(arguments) is None


def test_parse_get_leaves_completion_to_typer(monkeypatch):
    monkeypatch.setenv(direct.COMPLETION_VARIABLE, "complete_bash")

    assert direct.parse_get(["get", "Person", "01J"]) is None


def test_parse_get_keeps_option_sides():
    request = direct.parse_get(["--url", "redis://a", "-m", "one", "-m", "two", "-v", "get", "P", "k",
                                "--url", "redis://b", "-m", "three", "-vv", "-f", "a", "-f", "b,c", "--jsonl"])

    assert request is not None
    assert request.urls == ["redis://a", "redis://b"]
    assert request.models == [["one", "two"], ["three"]]
    assert request.verbose == [1, 2]
    assert request.fields == ["a", "b,c"]
    assert request.formats == {"--jsonl"}


@pytest.mark.parametrize(("arguments", "command"), [
    (["get", "Person", "01J"], "get"),
    (["--url", "redis://127.0.0.1:1", "-m", "models", "find", "Person"], "find"),
    (["-m", "get", "keys"], "keys"),
    (["-v", "--debug", "index", "info", "Person"], "index"),
    (["--help"], None),
    ([], None),
])
def test_command_name(arguments, command):
    assert app_module.command_name(arguments) == command


def test_command_modules_match_registration():
    for module_name in set(app_module.COMMAND_MODULES.values()):
        group = typer.Typer()
        importlib.import_module(f"redisom_cli.cli.commands.{module_name}").register(group)
        names = {command.name for command in group.registered_commands}
        names |= {child.name or child.typer_instance.info.name for child in group.registered_groups}
        expected = {name for name, owner in app_module.COMMAND_MODULES.items() if owner == module_name}

        assert names == expected, module_name


def test_app_attribute_has_every_command():
    full_app = app_module.app
    names = {command.name for command in full_app.registered_commands}
    names |= {child.name or child.typer_instance.info.name for child in full_app.registered_groups}

    assert names == set(app_module.COMMAND_MODULES)
