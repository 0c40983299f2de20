"""Fixtures for the `om` tests: a project folder with its own model module, and runners.

Each test gets a model module with a unique name in its own temporary folder, so that the
in-process CliRunner imports fresh models with the test's own key prefix every time.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from redisom_cli.cli.app import app

OM = Path(sys.executable).with_name("om")

MODELS_SOURCE = '''
import datetime
from typing import Optional

from redisom_cli import EmbeddedJsonModel, Field, HashModel, JsonModel
from redisom_cli import aio


class Member(HashModel, index=True):
    name: str = Field(index=True)
    age: int = Field(index=True, sortable=True)
    score: float = 0.0
    active: bool = Field(default=True, index=True)
    joined: Optional[datetime.date] = Field(default=None, index=True)
    nickname: Optional[str] = None

    class Meta:
        global_key_prefix = "{prefix}"
        model_key_prefix = "member"


class Address(EmbeddedJsonModel):
    city: str = Field(index=True)
    postal_code: Optional[str] = None


class Customer(JsonModel, index=True):
    first_name: str = Field(index=True)
    last_name: str = Field(index=True, full_text_search=True)
    age: int = Field(index=True, sortable=True)
    tags: list[str] = Field(default_factory=list, index=True)
    address: Optional[Address] = None

    class Meta:
        global_key_prefix = "{prefix}"
        model_key_prefix = "customer"


class Country(HashModel, index=True):
    code: str = Field(primary_key=True, index=True)
    name: str = Field(index=True)

    class Meta:
        global_key_prefix = "{prefix}"
        model_key_prefix = "country"


class Note(aio.HashModel, index=True):
    text: str = Field(index=True)

    class Meta:
        global_key_prefix = "{prefix}"
        model_key_prefix = "note"
'''


@dataclass
class Project:
    """A temporary project folder, the models module in it, and the key prefix of its models."""

    path: Path
    module: str
    prefix: str

    def write(self, name: str, text: str) -> Path:
        """Write a file into the project folder and return its path."""
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
        return target


@pytest.fixture
def project(tmp_path: Path, key_prefix: str, monkeypatch: pytest.MonkeyPatch) -> Project:
    """A project folder as the working directory, with a fresh models module listed in OM_MODELS."""
    module = f"om_models_{secrets.token_hex(4)}"
    (tmp_path / f"{module}.py").write_text(MODELS_SOURCE.replace("{prefix}", key_prefix), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OM_MODELS", module)
    monkeypatch.delenv("REDIS_OM_URL", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    yield Project(tmp_path, module, key_prefix)
    sys.modules.pop(module, None)


@pytest.fixture
def om(project: Project, search_url: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run `om ARGS...` in process with Typer's CliRunner against the Search server."""
    monkeypatch.setenv("REDIS_OM_URL", search_url)
    runner = CliRunner()

    def run(*args: str, input: str | None = None, **env: str) -> Any:
        return runner.invoke(app, list(args), input=input, env=env or None)

    return run


@pytest.fixture
def om_process(project: Project, search_url: str) -> Any:
    """Run the installed `om` script as a subprocess in the project folder."""

    def run(*args: str, url: str | None = search_url, input: str | None = None,
            **env: str) -> subprocess.CompletedProcess[str]:
        environment = {**os.environ, "OM_MODELS": project.module, **env}
        environment.pop("NO_COLOR", None)
        if url is None:
            environment.pop("REDIS_OM_URL", None)
        else:
            environment["REDIS_OM_URL"] = url
        return subprocess.run([str(OM), *args], cwd=project.path, env=environment, input=input,
                              capture_output=True, text=True, timeout=120)

    return run


@pytest.fixture
def raw_client(search_url: str) -> Any:
    """A plain redis-py client of the Search server."""
    import redis

    client = redis.Redis.from_url(search_url, decode_responses=True)
    yield client
    client.close()
