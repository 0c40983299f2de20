"""CLI cases: `om` measured as whole processes, started the way a console script starts them.

Both sides of `om --help` run `python -c` with the entry point of each package's `om`
console script, so neither depends on which `om` comes first on PATH. Every `om` process
runs in the repository folder, so that `-m bench.models` and `-m examples.airports` import.
"""

from __future__ import annotations

import compileall
import csv
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from redisom_cli import get_redis_connection

from bench.context import Context
from bench.harness import BYTES, SECONDS, THROUGHPUT, Case, Side, Unavailable
from bench.models import ExportPerson, Person, person_fields
from bench.records import use_server
from bench.reference import reference_dir

REPOSITORY = Path(__file__).resolve().parent.parent
COMPILED_PACKAGES = ("redisom_cli", "models_registry", "bench", "examples")
OURS_ENTRY = "import sys; from redisom_cli.cli import main; sys.argv[0] = 'om'; sys.exit(main())"
# Redis OM Python's `om` with its folder appended to sys.path, as the in-process cases import it.
REDIS_OM_ENTRY = ("import sys; sys.path.append(sys.argv.pop(1)); from aredis_om.cli.main import om; "
                  "sys.argv[0] = 'om'; sys.exit(om())")
RAW_GET_SCRIPT = (
    "import sys, redis; "
    "print(redis.Redis.from_url(sys.argv[1], decode_responses=True).hgetall(sys.argv[2]))"
)
PEAK_FILE_VARIABLE = "OM_BENCH_PEAK_FILE"
# Writes the process's peak resident memory (VmHWM of /proc/self/status, Linux only) at exit.
PEAK_REPORTER = (
    "import atexit, os\n"
    "def _report_peak():\n"
    "    with open('/proc/self/status') as status:\n"
    "        peak = next(line.split()[1] for line in status if line.startswith('VmHWM:'))\n"
    f"    with open(os.environ['{PEAK_FILE_VARIABLE}'], 'w') as out:\n"
    "        out.write(peak)\n"
    "atexit.register(_report_peak)\n"
)
RAW_AIRPORT_PREFIX = ":bench.raw.airport:"
IMPORT_BATCH_SIZE = 1000  # the default batch size of `om import`


def om_command(*arguments: str) -> list[str]:
    """Return the command line that runs our `om` with `arguments`."""
    return [sys.executable, "-c", OURS_ENTRY, *arguments]


def run(command: list[str]) -> subprocess.CompletedProcess[str]:
    """Run a process in the repository folder; raise Unavailable with its stderr if it fails."""
    completed = subprocess.run(command, cwd=REPOSITORY, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        last_line = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        raise Unavailable(f"`{' '.join(command[3:])}` exited with {completed.returncode}: {last_line}")
    return completed


def timed_process(command: list[str]) -> Side:
    """Return a side that runs `command` once and returns its wall-clock time in seconds."""

    def side() -> float:
        started = time.perf_counter()
        completed = subprocess.run(command, cwd=REPOSITORY, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   check=False)
        took = time.perf_counter() - started
        if completed.returncode != 0:
            raise RuntimeError(f"{command[3:]} exited with {completed.returncode}: {completed.stderr.decode()}")
        return took

    return side


def peak_memory(command: list[str], report_file: Path) -> Side:
    """Return a side that runs `command` once and returns the peak resident memory of that process, in bytes.

    `command` must run PEAK_REPORTER first. The rusage of a child of this process cannot be
    used, because it counts the parent's memory, which the child shares between fork and exec.
    """

    def side() -> float:
        completed = subprocess.run(command, cwd=REPOSITORY, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   env={**os.environ, PEAK_FILE_VARIABLE: str(report_file)}, check=False)
        if completed.returncode != 0:
            raise RuntimeError(f"{command[3:]} exited with {completed.returncode}: {completed.stderr.decode()}")
        return int(report_file.read_text()) * 1024  # VmHWM is in kibibytes

    return side


def require_cli() -> None:
    """Raise Unavailable while `om --help` does not run; byte-compile the repository's packages first."""
    if importlib.util.find_spec("redisom_cli.cli.app") is None:
        raise Unavailable("the om CLI (redisom_cli.cli.app) is missing")
    compile_packages()
    run(om_command("--help"))


def compile_packages() -> None:
    """Write the bytecode of the packages that `om` imports from this repository.

    pip compiles a regular install, and Python writes bytecode on the first import of an
    editable one, unless PYTHONDONTWRITEBYTECODE is set, as it is in some containers. Without
    bytecode every `om` process would compile these packages again, which no user's `om` does.
    The other side of each case, redis-py or Redis OM Python, is compiled by pip.
    """
    for package in COMPILED_PACKAGES:
        compileall.compile_dir(REPOSITORY / package, quiet=1)


def prepare_help(context: Context) -> tuple[Side, Side]:
    require_cli()
    reference = [sys.executable, "-c", REDIS_OM_ENTRY, str(reference_dir()), "--help"]
    run(reference)
    return timed_process(om_command("--help")), timed_process(reference)


def prepare_get(context: Context) -> tuple[Side, Side]:
    require_cli()
    use_server(context)
    person = Person(**person_fields(1, seed=5)[0]).save()
    ours = om_command("--url", context.search_url, "-m", "bench.models", "get", "Person", person.pk)
    run(ours)
    reference = [sys.executable, "-c", RAW_GET_SCRIPT, context.search_url, person.key()]
    run(reference)
    return timed_process(ours), timed_process(reference)


def airports_file(context: Context) -> tuple[Path, int]:
    """Return airports.csv, or its first `import_rows` rows copied to the scratch folder, and the row count."""
    spec = importlib.util.find_spec("airportsdata")
    if spec is None or spec.origin is None:
        raise Unavailable("airportsdata is not installed; pip install -e '.[bench]'")
    source = Path(spec.origin).parent / "airports.csv"
    with source.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    limit = context.sizes.import_rows
    if limit is None:
        return source, len(rows) - 1
    subset = context.scratch / "airports-subset.csv"
    with subset.open("w", newline="", encoding="utf-8") as stream:
        csv.writer(stream, quoting=csv.QUOTE_ALL).writerows(rows[:limit + 1])
    return subset, limit


def prepare_import(context: Context) -> tuple[Side, Side]:
    require_cli()
    path, count = airports_file(context)
    ours = om_command("--url", context.search_url, "-m", "examples.airports", "import", "Airport", str(path))
    run(ours)

    # The raw side writes exactly the hashes that `om import` wrote, read back before the clock starts.
    raw = context.raw_client()
    keys = list(raw.scan_iter(match=":airport:*", count=1000, _type="hash"))
    pipeline = raw.pipeline(transaction=False)
    for key in keys:
        pipeline.hgetall(key)
    mappings = [(RAW_AIRPORT_PREFIX + key.rsplit(":", 1)[1], mapping) for key, mapping in zip(keys, pipeline.execute())]
    if len(mappings) != count:
        raise Unavailable(f"om import wrote {len(mappings)} airports of {count} rows")

    def write_raw() -> None:
        for start in range(0, len(mappings), IMPORT_BATCH_SIZE):
            batch = raw.pipeline(transaction=False)
            for key, mapping in mappings[start:start + IMPORT_BATCH_SIZE]:
                batch.hset(key, mapping=mapping)
            batch.execute()

    return _rate(count, timed_process(ours)), _rate(count, lambda: _seconds(write_raw))


def _rate(count: int, seconds: Side) -> Side:
    return lambda: count / seconds()


def _seconds(body: Any) -> float:
    started = time.perf_counter()
    body()
    return time.perf_counter() - started


def prepare_export(context: Context) -> tuple[Side, Side]:
    require_cli()
    sides = []
    # The same model on two servers: the small set on the Search server, the large one on the plain one.
    for url, count in ((context.plain_url, context.sizes.export_large), (context.search_url, context.sizes.export_small)):
        ExportPerson.Meta.database = get_redis_connection(url)
        ExportPerson.add([ExportPerson(**values) for values in person_fields(count, seed=6)])
        arguments = ("--url", url, "-m", "bench.models", "export", "ExportPerson")
        written = sum(1 for line in run(om_command(*arguments)).stdout.splitlines() if line.strip())
        if written != count:
            raise Unavailable(f"om export wrote {written} records of {count}")
        command = [sys.executable, "-c", PEAK_REPORTER + OURS_ENTRY, *arguments]
        sides.append(peak_memory(command, context.scratch / f"peak-{count}.txt"))
    return sides[0], sides[1]


CASES = [
    Case("om import of airports.csv, {import_scope}", "redis-py pipelined HSET, rows pre-parsed", THROUGHPUT, 0.40,
         prepare_import, heavy=True),
    Case("om --help start-up", "Redis OM Python's om --help", SECONDS, 0.50, prepare_help, heavy=True),
    Case("om get MODEL PK, whole process", "python -c: redis-py HGETALL", SECONDS, 1.50, prepare_get, heavy=True),
    Case("om export peak memory, {export_large:,} records", "om export of {export_small:,} records", BYTES, 1.30,
         prepare_export, heavy=True),
]
