"""Huge input to `om import`: memory stays bounded by the batch, not by the file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest
import redis

from redisom_cli.cli.commands import transfer
from redisom_cli.store.embedded import EmbeddedServer

BULK_MODELS = '''
from redisom_cli import HashModel


class Blob(HashModel):
    text: str

    class Meta:
        global_key_prefix = "{prefix}"
        model_key_prefix = "blob"
'''

ROW_CHARACTERS = 10_000
MEGABYTE = 1024 * 1024


@pytest.fixture
def bulk_server():
    """A server of this test's own, because the large import puts about 200 MB into it."""
    folder = tempfile.mkdtemp(prefix="om-huge-", dir="/tmp")
    server = EmbeddedServer(folder, modules=False).start()
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


def write_rows(path, rows):
    """Write `rows` JSON lines of about ROW_CHARACTERS each, a few at a time."""
    filler = "x" * ROW_CHARACTERS
    with path.open("w") as stream:
        for number in range(rows):
            stream.write(json.dumps({"text": f"{number} {filler}"}) + "\n")
    return path.stat().st_size


# Runs `om` and writes its peak RSS in KiB (VmHWM) to the file named by OM_TEST_PEAK_FILE at exit.
# The rusage of a child is no use here: on Linux its ru_maxrss includes the RSS of the parent
# that spawned it with vfork, which is this pytest process.
PEAK_WRAPPER = """
import atexit, os, sys

def record_peak():
    with open("/proc/self/status") as status:
        peak = next(line for line in status if line.startswith("VmHWM:")).split()[1]
    with open(os.environ["OM_TEST_PEAK_FILE"], "w") as output:
        output.write(peak)

atexit.register(record_peak)
from redisom_cli.cli import main
sys.argv = ["om", *sys.argv[1:]]
main()
"""


def import_peak_rss(project, server, path):
    """Run `om import` in a process of its own; return its peak RSS in bytes."""
    peak_file = path.with_suffix(".peak")
    environment = {**os.environ, "OM_MODELS": f"{project.module}_bulk", "REDIS_OM_URL": server.url,
                   "OM_TEST_PEAK_FILE": str(peak_file)}
    result = subprocess.run([sys.executable, "-c", PEAK_WRAPPER, "import", "Blob", str(path)], cwd=project.path,
                            env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return int(peak_file.read_text()) * 1024


def test_import_memory_does_not_grow_with_file(project, bulk_server, tmp_path):
    project.write(f"{project.module}_bulk.py", BULK_MODELS.replace("{prefix}", project.prefix))
    small_size = write_rows(tmp_path / "small.jsonl", 2_000)
    large_size = write_rows(tmp_path / "large.jsonl", 20_000)

    small_peak = import_peak_rss(project, bulk_server, tmp_path / "small.jsonl")
    large_peak = import_peak_rss(project, bulk_server, tmp_path / "large.jsonl")
    print(f"peak RSS of om import: {small_peak / MEGABYTE:.0f} MB for {small_size / MEGABYTE:.0f} MB, "
          f"{large_peak / MEGABYTE:.0f} MB for {large_size / MEGABYTE:.0f} MB")

    assert large_size > 190 * MEGABYTE
    assert small_size < 25 * MEGABYTE
    # Ten times the rows, and the peak stays within the working set of one batch of 1,000.
    assert large_peak < small_peak + 40 * MEGABYTE, (small_peak, large_peak)
    assert large_peak < large_size / 2, (large_peak, large_size)
    client = redis.Redis.from_url(bulk_server.url)
    assert client.dbsize() == 22_000
    client.close()


def test_huge_string_and_list_round_trip(om, project):
    big_text = "é" + "x" * (10 * MEGABYTE)
    tags = [f"t{number}" for number in range(100_000)]
    project.write("big.jsonl", json.dumps({"name": "Big", "age": 1, "nickname": big_text}) + "\n")
    project.write("many.jsonl", json.dumps({"first_name": "M", "last_name": "L", "age": 2, "tags": tags}) + "\n")

    assert om("import", "Member", "big.jsonl").exit_code == 0
    assert om("import", "Customer", "many.jsonl").exit_code == 0

    member = json.loads(om("find", "Member", "--engine", "scan", "--json").stdout)[0]
    customer = json.loads(om("find", "Customer", "--engine", "scan", "--json").stdout)[0]
    assert member["nickname"] == big_text
    assert customer["tags"] == tags


def test_line_over_limit_is_refused(om, project, monkeypatch):
    monkeypatch.setattr(transfer, "MAX_LINE_CHARACTERS", 1000)
    project.write("long.jsonl", json.dumps({"name": "a", "age": 1}) + "\n"
                  + json.dumps({"name": "b" * 2000, "age": 2}) + "\n")

    result = om("import", "Member", "long.jsonl")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert "om: error: long.jsonl, line 2: longer than 1000 characters, which om import does not read" \
        in result.stderr
