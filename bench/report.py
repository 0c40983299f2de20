"""The table printed at the end of a run, and the JSON file written by `--json`."""

from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import subprocess
from pathlib import Path
from typing import Any

import redis
from rich.console import Console
from rich.table import Table

from bench.harness import BYTES, SECONDS, Result

MIB = 1024 * 1024


def format_figure(value: float, unit: str) -> str:
    """Format one figure in its unit: ops/s without decimals, seconds in ms, bytes in MiB."""
    if unit == BYTES:
        return f"{value / MIB:,.1f} MiB"
    if unit == SECONDS:
        return f"{value * 1000:,.1f} ms"
    return f"{value:,.0f}/s"


def format_side(figures: list[float], unit: str) -> str:
    """Format the median of one side with its min–max below it."""
    low, high = format_figure(min(figures), unit), format_figure(max(figures), unit)
    return f"{format_figure(statistics.median(figures), unit)}\n[dim]{low} – {high}[/dim]"


def format_ratio(ratios: list[float]) -> str:
    """Format the median of the round ratios with their min–max below it."""
    return f"{statistics.median(ratios):.2f}\n[dim]{min(ratios):.2f} – {max(ratios):.2f}[/dim]"


def build_table(results: list[Result], title: str) -> Table:
    """Return the Rich table of a run: one line per case, unavailable cases with their reason."""
    table = Table(title=title, show_lines=True)
    table.add_column("case")
    table.add_column("reference")
    table.add_column("ours\nmedian, min – max", justify="right")
    table.add_column("reference\nmedian, min – max", justify="right")
    table.add_column("ratio ours / ref.\nmedian, min – max", justify="right")
    table.add_column("target", justify="right")
    table.add_column("met")
    table.add_column("rounds", justify="right")
    for result in results:
        case = result.case
        if result.unavailable is not None:
            table.add_row(result.title, result.reference_title, "not available", result.unavailable, "",
                          str(case.goal or ""), "", "")
            continue
        met = {True: "[green]yes[/green]", False: "[red]no[/red]", None: "reported"}[result.met]
        table.add_row(result.title, result.reference_title, format_side(result.ours, case.unit),
                      format_side(result.reference, case.unit), format_ratio(result.round_ratios), str(case.goal or "—"), met,
                      str(result.rounds))
    return table


def print_results(results: list[Result], quick: bool) -> None:
    """Print the table of a run and the rule for reading its ratios."""
    console = Console()
    if not console.is_terminal:
        console = Console(width=160)  # a file or pipe gets whole lines, not an 80-column wrap
    kind = "quick run" if quick else "full run"
    console.print(build_table(results, f"redisom-cli benchmarks ({kind}, medians of alternating rounds)"))
    console.print(
        "A ratio is the median over the rounds of ours / reference. Throughput (ops/s): higher is better, the "
        "target is a minimum. Time (ms) and memory (MiB): lower is better, the target is a maximum."
    )


def machine_facts(server_url: str) -> dict[str, Any]:
    """Return what identifies a run: date, commit, Python, CPU count and server version."""
    info = redis.Redis.from_url(server_url, decode_responses=True).info("server")
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": _git_commit(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "redis_version": info.get("redis_version"),
    }


def _git_commit() -> str | None:
    try:
        completed = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                   cwd=Path(__file__).parent, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return completed.stdout.strip()


def write_json(path: Path, results: list[Result], facts: dict[str, Any], rounds: int, quick: bool) -> None:
    """Write the run's facts and every result to `path`, for comparison across commits."""
    data = {**facts, "quick": quick, "rounds": rounds, "results": [result.to_json() for result in results]}
    path.write_text(json.dumps(data, indent=2) + "\n")
