"""Real runs of the installed `om` script: terminals, exit codes, start-up imports and the server."""

from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import OM

ROOT = Path(__file__).resolve().parents[2]


def run_on_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Run om with stdout on a pseudo-terminal and return what it printed there."""
    main, secondary = pty.openpty()
    process = subprocess.Popen([str(OM), *args], cwd=cwd, env=env, stdout=secondary, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL)
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(main)
    return b"".join(chunks).decode()


def test_exit_codes_and_streams(om_process):
    created = om_process("create", "Country", "code=JP", "name=Japan")
    assert created.returncode == 0, created.stderr
    assert created.stdout == "JP\n"
    assert created.stderr == ""
    found = om_process("get", "Country", "JP", "--json")
    assert json.loads(found.stdout) == {"code": "JP", "name": "Japan"}
    missing = om_process("get", "Country", "XX")
    assert (missing.returncode, missing.stdout) == (3, "")
    usage = om_process("get")
    assert (usage.returncode, usage.stdout) == (2, "")
    unreachable = om_process("keys", url="redis://127.0.0.1:1")
    assert (unreachable.returncode, unreachable.stdout) == (1, "")
    assert unreachable.stderr.startswith("om: error: Redis server unavailable")


def test_table_on_terminal_plain_in_pipe_and_no_color(om_process, project, search_url):
    env = {**os.environ, "OM_MODELS": project.module, "REDIS_OM_URL": search_url, "COLUMNS": "200"}
    env.pop("NO_COLOR", None)
    on_terminal = run_on_terminal(["models"], project.path, env)
    assert "┏" in on_terminal or "┃" in on_terminal
    assert "\x1b[" in on_terminal
    no_color = run_on_terminal(["models"], project.path, {**env, "NO_COLOR": "1"})
    assert "\x1b[" not in no_color
    assert "┃" not in no_color
    piped = om_process("models")
    assert "┃" not in piped.stdout
    assert "\x1b[" not in piped.stdout
    assert piped.stdout.splitlines()[0].startswith("model  ")


def imported_modules(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, set[str]]:
    """Run om's main() with ARGS and return its exit code and the modules it imported."""
    code = (
        "import atexit, json, sys\n"
        "atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.stderr))\n"
        f"sys.argv = ['om', *{args!r}]\n"
        "from redisom_cli.cli import main\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=60)
    return result.returncode, set(json.loads(result.stderr.strip().splitlines()[-1]))


def test_help_imports_no_models_and_connects_nowhere(project):
    env = {**os.environ, "OM_MODELS": project.module, "REDIS_OM_URL": "redis://127.0.0.1:1"}
    code, modules = imported_modules(["--help"], project.path, env)
    assert code == 0
    assert project.module not in modules
    assert "models_registry" not in modules
    assert "redisom_cli.store.embedded" not in modules
    assert "rich.progress" not in modules


def test_get_imports_only_what_it_needs(project, search_url):
    env = {**os.environ, "OM_MODELS": project.module, "REDIS_OM_URL": search_url}
    code, modules = imported_modules(["get", "Country", "XX"], project.path, env)
    assert code == 3
    assert project.module in modules
    assert "redisom_cli.store.sync.query" not in modules
    assert "redisom_cli.store.sync.index" not in modules
    assert "redisom_cli.query.expressions" not in modules
    assert "redisom_cli.cli.twins" not in modules
    assert "rich.progress" not in modules
    assert "typer" not in modules


def test_find_registers_only_its_command(project, search_url):
    env = {**os.environ, "OM_MODELS": project.module, "REDIS_OM_URL": search_url}
    _, modules = imported_modules(["find", "Country", "code==XX"], project.path, env)
    assert "redisom_cli.store.sync.query" in modules
    assert "redisom_cli.cli.commands.transfer" not in modules
    assert "redisom_cli.cli.commands.keys" not in modules


def test_interrupt_exits_130(project, search_url):
    env = {**os.environ, "OM_MODELS": project.module, "REDIS_OM_URL": search_url}
    process = subprocess.Popen([str(OM), "-v", "import", "Country", "-"], cwd=project.path, env=env,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # The INFO line about the connection comes before the command blocks on stdin.
        assert "Connecting to" in process.stderr.readline()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 130
        assert process.stdout.read() == ""
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.fixture
def embedded_url(tmp_path):
    """An embedded:// URL in a temporary folder; its server is stopped after the test."""
    data_dir = tmp_path / "data"
    yield f"embedded://{data_dir}"
    from redisom_cli.store.embedded import stop_embedded

    stop_embedded(data_dir)


def test_server_start_status_stop(om_process, embedded_url):
    started = om_process("server", "start", "--json", url=embedded_url)
    assert started.returncode == 0, started.stderr
    state = json.loads(started.stdout)
    assert state["data_dir"] == embedded_url[len("embedded://"):]
    assert {"search", "ReJSON"} <= set(state["modules"])
    status = om_process("server", "status", "--json", url=embedded_url)
    assert json.loads(status.stdout)["pid"] == state["pid"]
    again = om_process("server", "start", "--json", url=embedded_url)
    assert json.loads(again.stdout)["pid"] == state["pid"]
    stopped = om_process("server", "stop", url=embedded_url)
    assert stopped.returncode == 0
    assert "stopped the embedded server" in stopped.stderr
    gone = om_process("server", "status", url=embedded_url)
    assert (gone.returncode, gone.stdout) == (1, "")
    assert "om server start" in gone.stderr
    assert "no embedded server was running" in om_process("server", "stop", url=embedded_url).stderr


def test_server_dir_option_notes_url(om_process, tmp_path):
    data_dir = tmp_path / "other"
    try:
        started = om_process("server", "start", "--dir", str(data_dir), url="redis://127.0.0.1:1")
        assert started.returncode == 0, started.stderr
        assert f"--url embedded://{data_dir}" in started.stderr
    finally:
        om_process("server", "stop", "--dir", str(data_dir), url="redis://127.0.0.1:1")


def test_readme_main_job_on_airports(embedded_url):
    """The README's first command, on a fresh embedded server: every airport imports, the query works."""
    env = {**os.environ, "REDIS_OM_URL": embedded_url}
    env.pop("OM_MODELS", None)

    def om(*args):
        return subprocess.run([str(OM), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)

    assert om("server", "start").returncode == 0
    assert om("migrate", "--yes").returncode == 0
    imported = om("import", "Airport", "airports")
    assert imported.returncode == 0, imported.stderr
    assert imported.stderr.strip().endswith(", 0 rejected")
    count = int(imported.stderr.split("imported ")[1].split()[0])
    assert count > 28000
    found = om("find", "Airport", "country==KR and elevation>100", "--sort", "-elevation", "--limit", "10",
               "--json")
    assert found.returncode == 0, found.stderr
    assert found.stderr == ""
    rows = json.loads(found.stdout)
    assert len(rows) == 10
    assert all(row["country"] == "KR" and row["elevation"] > 100 for row in rows)
    elevations = [row["elevation"] for row in rows]
    assert elevations == sorted(elevations, reverse=True)
    info = json.loads(om("index", "info", "Airport", "--json").stdout)
    assert info["documents"] == count
    assert info["indexing_failures"] == 0
    table = om("find", "Airport", "country==KR and elevation>100", "--sort", "-elevation", "--limit", "10")
    assert table.stdout.splitlines()[0].split()[:3] == ["icao", "iata", "name"]
    assert table.stdout.splitlines()[-1] == "10 records"


def run_with_terminal_input(args: list[str], cwd: Path, env: dict[str, str], reply: bytes) -> tuple[int, str]:
    """Run om with stdin on a pseudo-terminal, type REPLY, and return the exit code and stderr."""
    main, secondary = pty.openpty()
    process = subprocess.Popen([str(OM), *args], cwd=cwd, env=env, stdin=secondary, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    os.close(secondary)
    os.write(main, reply)
    _, stderr = process.communicate(timeout=60)
    os.close(main)
    return process.returncode, stderr.decode()


def test_delete_asks_on_terminal(om_process, project, search_url, raw_client):
    pk = om_process("create", "Member", "name=Ada", "age=3").stdout.strip()
    key = f"{project.prefix}:member:{pk}"
    env = {**os.environ, "OM_MODELS": project.module, "REDIS_OM_URL": search_url}
    code, stderr = run_with_terminal_input(["delete", "Member", pk], project.path, env, b"n\n")
    assert code == 1
    assert "Delete 1 Member record(s)?" in stderr
    assert "aborted, nothing was changed" in stderr
    assert raw_client.exists(key) == 1
    code, stderr = run_with_terminal_input(["delete", "Member", pk], project.path, env, b"y\n")
    assert code == 0, stderr
    assert raw_client.exists(key) == 0


def test_install_completion_writes_shell_file(om_process, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    result = om_process("--install-completion", "bash", HOME=str(home),
                        _TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION="1")
    assert result.returncode == 0, result.stderr
    assert "completion installed" in result.stdout
    installed = list((home / ".bash_completions").glob("om.sh"))
    assert installed
    assert "_OM_COMPLETE=complete_bash" in installed[0].read_text()
