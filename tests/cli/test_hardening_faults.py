"""`om` when its server stops, hangs or is not there, and when the user presses Ctrl-C.

The server tests run on servers of their own (append-only file on, so that data survives a
restart), started in short temporary folders and stopped or paused by the pid they have.
A model validator or a log record of the query stops the server at a known point, so no
test depends on timing.
"""

from __future__ import annotations

import csv
import importlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pytest
import redis

from redisom_cli.store.embedded import EmbeddedServer
from tests.cli.conftest import OM

FAULT_MODELS = '''
from pydantic import model_validator

from redisom_cli import Field, HashModel

# The test sets these: after `after` records are validated, `action` runs once.
TRIGGER = {"after": 0, "action": None, "count": 0}


def _count():
    TRIGGER["count"] += 1
    if TRIGGER["action"] is not None and TRIGGER["count"] == TRIGGER["after"]:
        TRIGGER["action"]()


class Part(HashModel, index=True):
    code: str = Field(primary_key=True, index=True)
    size: int = Field(default=0, index=True, sortable=True)

    @model_validator(mode="after")
    def _trigger(self):
        _count()
        return self

    class Meta:
        global_key_prefix = "{prefix}"
        model_key_prefix = "part"


class Entry(HashModel):
    text: str

    @model_validator(mode="after")
    def _trigger(self):
        _count()
        return self

    class Meta:
        global_key_prefix = "{prefix}"
        model_key_prefix = "entry"
'''

ROWS = 5000


def start_server(modules: bool) -> EmbeddedServer:
    folder = tempfile.mkdtemp(prefix="om-cli-faults-", dir="/tmp")
    return EmbeddedServer(folder, modules=modules, persistent=True).start()


def stop_server(server: EmbeddedServer) -> None:
    if server.is_running():
        os.kill(server.pid, signal.SIGCONT)
    server.stop()
    shutil.rmtree(server.data_dir, ignore_errors=True)


@pytest.fixture
def plain_own_server():
    server = start_server(modules=False)
    yield server
    stop_server(server)


@pytest.fixture
def search_own_server():
    server = start_server(modules=True)
    yield server
    stop_server(server)


@pytest.fixture
def faults(project):
    """The fault models module, imported here so that the test can set its trigger."""
    name = f"{project.module}_faults"
    project.write(f"{name}.py", FAULT_MODELS.replace("{prefix}", project.prefix))
    sys.path.insert(0, str(project.path))
    module = importlib.import_module(name)
    yield module
    sys.path.remove(str(project.path))
    sys.modules.pop(name, None)


def run_om(om, faults, server, *args):
    return om("-m", faults.__name__, "--url", server.url, *args)


def record_count(server, pattern):
    client = redis.Redis.from_url(server.url, decode_responses=True)
    try:
        return sum(1 for _ in client.scan_iter(match=pattern, count=1000))
    finally:
        client.close()


def write_parts(project, rows=ROWS):
    path = project.path / "parts.jsonl"
    with path.open("w") as stream:
        for number in range(rows):
            stream.write(json.dumps({"code": f"P{number:05d}", "size": number}) + "\n")
    return path


def test_import_stopped_by_server_resumes(om, project, faults, plain_own_server):
    write_parts(project)
    faults.TRIGGER.update(after=2500, action=plain_own_server.stop)

    stopped = run_om(om, faults, plain_own_server, "import", "Part", "parts.jsonl")

    assert stopped.exit_code == 1
    assert stopped.stdout == ""
    lines = stopped.stderr.strip().splitlines()
    assert lines[0].startswith("om: error: Redis server unavailable")
    assert lines[1] == ("om: import stopped: 2000 Part record(s) written; to continue, run the same command "
                        "again, or with --resume-from 2001 to skip the rows already written")

    faults.TRIGGER.update(action=None)
    plain_own_server.start()
    assert record_count(plain_own_server, f"{project.prefix}:part:*") == 2000
    resumed = run_om(om, faults, plain_own_server, "import", "Part", "parts.jsonl", "--resume-from", "2001")
    assert resumed.exit_code == 0, resumed.stderr
    assert "imported 3000 Part record(s)" in resumed.stderr
    assert record_count(plain_own_server, f"{project.prefix}:part:*") == ROWS

    again = run_om(om, faults, plain_own_server, "import", "Part", "parts.jsonl")
    assert again.exit_code == 0, again.stderr
    assert record_count(plain_own_server, f"{project.prefix}:part:*") == ROWS


def test_import_without_pks_resumes_exactly(om, project, faults, plain_own_server):
    path = project.path / "entries.csv"
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["text"])
        writer.writerows([f"entry {number}"] for number in range(ROWS))
    faults.TRIGGER.update(after=2500, action=plain_own_server.stop)

    stopped = run_om(om, faults, plain_own_server, "import", "Entry", "entries.csv")

    assert stopped.exit_code == 1
    # Line 1 is the header, so the third batch starts at line 2002.
    assert "om: import stopped: 2000 Entry record(s) written" in stopped.stderr
    assert "run the command again with --resume-from 2002, not without it" in stopped.stderr
    assert "rows without a pk would be written twice" in stopped.stderr

    faults.TRIGGER.update(action=None)
    plain_own_server.start()
    resumed = run_om(om, faults, plain_own_server, "import", "Entry", "entries.csv", "--resume-from", "2002")
    assert resumed.exit_code == 0, resumed.stderr
    client = redis.Redis.from_url(plain_own_server.url, decode_responses=True)
    texts = [client.hget(key, "text") for key in client.scan_iter(match=f"{project.prefix}:entry:*", count=1000)]
    client.close()
    assert len(texts) == ROWS
    assert len(set(texts)) == ROWS


def test_export_stopped_by_server(om, project, faults, plain_own_server):
    write_parts(project, rows=3000)
    assert run_om(om, faults, plain_own_server, "import", "Part", "parts.jsonl").exit_code == 0
    faults.TRIGGER.update(count=0, after=1500, action=plain_own_server.stop)

    result = run_om(om, faults, plain_own_server, "export", "Part", "--output", "out.jsonl")

    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("om: error: Redis server unavailable")
    assert lines[1] == "om: export stopped: 2000 Part record(s) written; the output is incomplete"
    written = (project.path / "out.jsonl").read_text().splitlines()
    assert len(written) == 2000
    assert all(json.loads(line)["code"].startswith("P") for line in written)


class StopOnPage(logging.Handler):
    """Stops the server when the query logs the FT.SEARCH of the page at `offset`."""

    def __init__(self, server, offset):
        super().__init__(logging.DEBUG)
        self.server = server
        self.marker = f"LIMIT {offset} "

    def emit(self, record):
        if record.getMessage().startswith("FT.SEARCH") and self.marker in record.getMessage():
            self.server.stop()


@pytest.fixture
def stop_on_page():
    logger = logging.getLogger("redisom_cli.store.sync.query")
    handlers = []

    def install(server, offset):
        handler = StopOnPage(server, offset)
        handlers.append(handler)
        logger.addHandler(handler)

    yield install
    for handler in handlers:
        logger.removeHandler(handler)


@pytest.mark.parametrize("command", [["find", "Part", "--limit", "0", "--jsonl"],
                                     ["export", "Part", "size>=0"]])
def test_query_paging_when_server_goes(om, project, faults, search_own_server, stop_on_page, command):
    write_parts(project, rows=2500)
    assert run_om(om, faults, search_own_server, "migrate", "--yes").exit_code == 0
    assert run_om(om, faults, search_own_server, "import", "Part", "parts.jsonl").exit_code == 0
    stop_on_page(search_own_server, 2000)

    result = run_om(om, faults, search_own_server, "-vv", *command)

    assert result.exit_code == 1
    assert "om: error: Redis server unavailable" in result.stderr
    if command[0] == "find":
        assert result.stdout == ""
    else:
        assert len(result.stdout.splitlines()) == 2000
        assert "om: export stopped: 2000 Part record(s) written; the output is incomplete" in result.stderr


def test_timeout_of_paused_server(om, project, faults, plain_own_server):
    url = f"{plain_own_server.url}?socket_timeout=0.2"
    os.kill(plain_own_server.pid, signal.SIGSTOP)
    try:
        read = om("-m", faults.__name__, "--url", url, "get", "Part", "P1")
        write = om("-m", faults.__name__, "--url", url, "create", "Part", "code=P1")
    finally:
        os.kill(plain_own_server.pid, signal.SIGCONT)

    for result in (read, write):
        assert result.exit_code == 1
        assert result.stdout == ""
        assert result.stderr.startswith("om: error: Redis server timed out")
        assert len(result.stderr.strip().splitlines()) == 1


def test_connection_refused(om, faults, tmp_path):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    for url in (f"unix://{tmp_path}/no-server.sock", f"redis://127.0.0.1:{closed}"):
        for command in (["get", "Part", "P1"], ["create", "Part", "code=P1"], ["keys"]):
            result = om("-m", faults.__name__, "--url", url, *command)
            assert result.exit_code == 1
            assert result.stdout == ""
            assert result.stderr.startswith("om: error: Redis server unavailable")
            assert len(result.stderr.strip().splitlines()) == 1


def test_restart_between_commands(om, project, faults, plain_own_server):
    created = run_om(om, faults, plain_own_server, "create", "Part", "code=P1", "size=3")
    assert created.exit_code == 0, created.stderr
    plain_own_server.stop()
    plain_own_server.start()

    got = run_om(om, faults, plain_own_server, "get", "Part", "P1", "--json")
    assert got.exit_code == 0, got.stderr
    assert json.loads(got.stdout)["size"] == 3


# --- Ctrl-C, in real processes ------------------------------------------------------------


def om_process(project, *args, **popen):
    environment = {**os.environ, "OM_MODELS": project.module}
    environment.pop("NO_COLOR", None)
    return subprocess.Popen([str(OM), *args], cwd=project.path, env=environment, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)


def fill_parts(raw_client, project, count):
    pipeline = raw_client.pipeline(transaction=False)
    for number in range(count):
        pipeline.hset(f"{project.prefix}:part:P{number:05d}", mapping={"code": f"P{number:05d}", "size": number})
    pipeline.execute()


def interrupt_after_first_line(process):
    """Send SIGINT once the process has printed a line; stdout is not read further until then.

    The output is larger than a pipe holds, so the process cannot finish before the signal.
    """
    first = process.stdout.readline()
    process.send_signal(signal.SIGINT)
    # communicate() would read the pipe itself and lose what readline() has buffered.
    rest = process.stdout.read()
    errors = process.stderr.read()
    process.wait(timeout=60)
    return first + rest, errors


def test_interrupted_keys_exit_130(project, faults, search_url, raw_client):
    fill_parts(raw_client, project, 5000)
    process = om_process(project, "-m", faults.__name__, "--url", search_url, "keys", f"{project.prefix}:part:",
                         "--jsonl")

    output, errors = interrupt_after_first_line(process)

    assert process.returncode == 130
    printed = output.splitlines()
    assert all(json.loads(line)["key"].startswith(f"{project.prefix}:part:") for line in printed)
    assert "om: interrupted: " in errors
    assert "the scan stopped after " in errors
    assert "; the list is incomplete" in errors


def test_interrupted_export_ends_at_a_record(project, faults, search_url, raw_client):
    fill_parts(raw_client, project, 5000)
    process = om_process(project, "-m", faults.__name__, "--url", search_url, "export", "Part")

    output, errors = interrupt_after_first_line(process)

    assert process.returncode == 130
    printed = output.splitlines()
    assert 0 < len(printed) < 5000
    assert all(json.loads(line)["code"].startswith("P") for line in printed)
    assert f"om: interrupted: export stopped: {len(printed)} Part record(s) written; the output is incomplete" \
        in errors


def test_interrupted_import_resumes(project, faults, search_url, raw_client):
    lines = [json.dumps({"code": f"P{number:05d}", "size": number}) + "\n" for number in range(3000)]
    process = om_process(project, "-m", faults.__name__, "--url", search_url, "import", "Part", "-",
                         stdin=subprocess.PIPE)
    process.stdin.write("".join(lines[:2500]))
    process.stdin.flush()
    # Two batches of 1,000 are written; the third waits for more input when Ctrl-C comes.
    deadline = time.monotonic() + 60
    while len(list(raw_client.scan_iter(match=f"{project.prefix}:part:*", count=1000))) < 2000:
        assert time.monotonic() < deadline, "the import did not write two batches"
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    output, errors = process.communicate(timeout=60)

    assert process.returncode == 130
    assert output == ""
    assert ("om: interrupted: import stopped: 2000 Part record(s) written; to continue, run the same command "
            "again, or with --resume-from 2001 to skip the rows already written") in errors

    resumed = subprocess.run([str(OM), "-m", faults.__name__, "--url", search_url, "import", "Part", "-",
                              "--resume-from", "2001"], cwd=project.path, input="".join(lines),
                             capture_output=True, text=True, timeout=60,
                             env={**os.environ, "OM_MODELS": project.module})
    assert resumed.returncode == 0, resumed.stderr
    assert "imported 1000 Part record(s)" in resumed.stderr
    assert len(list(raw_client.scan_iter(match=f"{project.prefix}:part:*", count=1000))) == 3000
