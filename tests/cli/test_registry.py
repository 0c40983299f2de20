"""models_registry: loading model modules, resolving names, reporting import failures."""

from __future__ import annotations

import secrets
import sys
import textwrap
from pathlib import Path

import pytest

from models_registry import (
    AmbiguousModelError,
    ModuleImportError,
    UnknownModelError,
    load_registry,
    module_name_for,
    read_settings,
)

MODEL = '''
from redisom_cli import Field, HashModel
from redisom_cli import aio


class {name}(HashModel):
    title: str = Field(index=True)


class Async{name}(aio.HashModel):
    title: str = Field(index=True)
'''


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OM_MODELS", raising=False)
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        if name.startswith("reg_"):
            del sys.modules[name]


def unique(prefix: str = "reg") -> str:
    return f"{prefix}_{secrets.token_hex(4)}"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_dotted_name_finds_sync_and_async(workdir):
    package = unique()
    write(workdir / package / "__init__.py", "")
    write(workdir / package / "models.py", MODEL.format(name="Book"))
    registry = load_registry([f"{package}.models"])
    assert {entry.name for entry in registry} == {"Book", "AsyncBook"}
    assert registry.resolve("AsyncBook").is_async
    assert not registry.resolve("Book").is_async


def test_py_path_imports_under_dotted_name(workdir):
    package = unique()
    write(workdir / package / "__init__.py", "")
    write(workdir / package / "models.py", MODEL.format(name="Book"))
    registry = load_registry([f"{package}/models.py"])
    book = registry.resolve("Book").model
    assert book.__module__ == f"{package}.models"
    assert book.key_prefix() == f":{package}.models.Book:"


def test_module_name_for_paths(workdir):
    write(workdir / "pkg" / "__init__.py", "")
    write(workdir / "pkg" / "sub.py", "")
    assert module_name_for("pkg/sub.py", workdir) == "pkg.sub"
    assert module_name_for("pkg/__init__.py", workdir) == "pkg"
    assert module_name_for("pkg.sub", workdir) == "pkg.sub"
    with pytest.raises(ModuleImportError, match="not found"):
        module_name_for("nope/missing.py", workdir)


def test_py_path_outside_working_directory(workdir, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere")
    module = unique()
    write(outside / f"{module}.py", MODEL.format(name="Far"))
    registry = load_registry([str(outside / f"{module}.py")])
    assert registry.resolve("Far").model.__module__ == module


def test_resolve_by_dotted_path_and_suggestion(workdir):
    module = unique()
    write(workdir / f"{module}.py", MODEL.format(name="Book"))
    registry = load_registry([module])
    assert registry.resolve(f"{module}.Book").name == "Book"
    with pytest.raises(UnknownModelError, match="did you mean 'Book'"):
        registry.resolve("Bok")
    with pytest.raises(UnknownModelError, match="loaded models"):
        registry.resolve("Zebra")


def test_same_name_in_two_modules_is_ambiguous(workdir):
    first, second = unique(), unique()
    write(workdir / f"{first}.py", MODEL.format(name="Book"))
    write(workdir / f"{second}.py", MODEL.format(name="Book"))
    registry = load_registry([first, second])
    with pytest.raises(AmbiguousModelError, match="use the dotted path"):
        registry.resolve("Book")
    assert registry.resolve(f"{second}.Book").model.__module__ == second
    assert registry.duplicates()["Book"] == sorted([f"{first}.Book", f"{second}.Book"])
    assert f"{first}.Book" in registry.names()


def test_environment_variable_and_pyproject(workdir, monkeypatch):
    from_env, from_toml = unique(), unique()
    write(workdir / f"{from_env}.py", MODEL.format(name="FromEnv"))
    write(workdir / f"{from_toml}.py", MODEL.format(name="FromToml"))
    write(workdir / "pyproject.toml", f'[tool.om]\nmodels = ["{from_toml}"]\nurl = "embedded://data"\n')
    settings = read_settings()
    assert settings.url == f"embedded://{workdir.resolve() / 'data'}"
    assert {entry.name for entry in load_registry(None, settings)} >= {"FromToml"}
    monkeypatch.setenv("OM_MODELS", from_env)
    names = {entry.name for entry in load_registry(None, settings)}
    assert "FromEnv" in names
    assert "FromToml" not in names


def test_pyproject_found_from_subfolder(workdir, monkeypatch):
    module = unique()
    write(workdir / f"{module}.py", MODEL.format(name="Nested"))
    write(workdir / "pyproject.toml", f'[tool.om]\nmodels = ["{module}"]\n')
    (workdir / "deep" / "er").mkdir(parents=True)
    monkeypatch.chdir(workdir / "deep" / "er")
    registry = load_registry(None, read_settings())
    assert registry.resolve("Nested").model.__module__ == module


def test_invalid_pyproject_is_reported(workdir):
    write(workdir / "pyproject.toml", "[tool.om]\nmodels = 3\n")
    with pytest.raises(Exception, match="must be a list"):
        read_settings()
    write(workdir / "pyproject.toml", "[tool.om\n")
    with pytest.raises(Exception, match="cannot read"):
        read_settings()


def test_import_error_reports_own_error(workdir):
    module = unique()
    write(workdir / f"{module}.py", "x = 1\nraise RuntimeError('database settings missing')\n")
    with pytest.raises(ModuleImportError) as caught:
        load_registry([module])
    message = str(caught.value)
    assert "RuntimeError: database settings missing" in message
    assert f"{module}.py, line 2" in message


def test_syntax_error_names_line(workdir):
    module = unique()
    write(workdir / f"{module}.py", "def broken(:\n")
    with pytest.raises(ModuleImportError, match=r"SyntaxError: .*line 1"):
        load_registry([module])


def test_missing_module_and_missing_dependency(workdir):
    with pytest.raises(ModuleImportError, match="model module 'no_such_models' not found"):
        load_registry(["no_such_models"])
    module = unique()
    write(workdir / f"{module}.py", "import no_such_dependency_xyz\n")
    with pytest.raises(ModuleImportError, match="No module named 'no_such_dependency_xyz'"):
        load_registry([module])


def test_model_definition_error_is_kept_readable(workdir):
    module = unique()
    write(workdir / f"{module}.py", """
        from redisom_cli import Field, HashModel

        class Bad(HashModel):
            items: list[str] = Field(index=True)
    """)
    with pytest.raises(ModuleImportError, match=r"in model module .*: Bad\.items: "):
        load_registry([module])


def test_no_models_message(workdir):
    registry = load_registry([])
    with pytest.raises(UnknownModelError, match="no models are loaded"):
        registry.resolve("Anything")


def test_datasets_come_from_modules(workdir):
    module = unique()
    write(workdir / f"{module}.py", MODEL.format(name="Data") + "\nOM_DATASETS = {'sample': lambda: 'x.csv'}\n")
    registry = load_registry([module])
    assert registry.datasets()["sample"]() == "x.csv"
