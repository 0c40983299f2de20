"""Contracts of the package as a whole: public names, sync/async twins and layering."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import redisom_cli
import redisom_cli.aio

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "redisom_cli"
TWIN_CLASSES = ("HashModel", "JsonModel")


def test_all_is_sorted_and_importable():
    for module in (redisom_cli, redisom_cli.aio):
        assert module.__all__ == sorted(module.__all__)
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"


def test_sync_and_async_export_same_names():
    assert set(redisom_cli.__all__) - {"__version__"} == set(redisom_cli.aio.__all__)


def test_twin_classes_have_same_methods():
    for name in TWIN_CLASSES:
        sync_cls, async_cls = getattr(redisom_cli, name), getattr(redisom_cli.aio, name)
        sync_names = {n for n in dir(sync_cls) if not n.startswith("_")}
        async_names = {n for n in dir(async_cls) if not n.startswith("_")}
        assert sync_names == async_names


def test_async_twin_methods_are_coroutines():
    for method in ("save", "get", "get_many", "delete", "delete_many", "add", "update", "expire", "ttl"):
        async_method = getattr(redisom_cli.aio.HashModel, method)
        sync_method = getattr(redisom_cli.HashModel, method)
        assert inspect.iscoroutinefunction(async_method), method
        assert not inspect.iscoroutinefunction(sync_method), method
    assert inspect.isasyncgenfunction(redisom_cli.aio.HashModel.all_pks)
    assert inspect.isgeneratorfunction(redisom_cli.HashModel.all_pks)


def test_generated_sync_modules_are_current():
    result = subprocess.run([sys.executable, "scripts/unasync.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_generated_modules_keep_line_numbers():
    for source in (PACKAGE / "store" / "aio").glob("*.py"):
        target = PACKAGE / "store" / "sync" / source.name
        assert len(source.read_text().splitlines()) == len(target.read_text().splitlines()), source.name


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _files(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py")) if folder else sorted(PACKAGE.rglob("*.py"))


def test_pure_layers_do_no_io_imports():
    for folder in ("model", "query", "index"):
        for path in _files(folder):
            bad = {name for name in _imports(path)
                   if name.startswith(("redisom_cli.store", "redisom_cli.cli"))}
            assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_only_cli_imports_typer_or_rich():
    for path in _files(""):
        if "cli" in path.relative_to(PACKAGE).parts[:1]:
            continue
        bad = {name for name in _imports(path) if name.split(".")[0] in ("typer", "rich")}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"


def test_library_never_imports_registry():
    # The CLI loads the user's models through the registry; the library below it never does.
    for path in _files(""):
        if "cli" in path.relative_to(PACKAGE).parts[:1]:
            continue
        bad = {name for name in _imports(path) if name.split(".")[0] == "models_registry"}
        assert not bad, f"{path.relative_to(ROOT)} imports {bad}"
