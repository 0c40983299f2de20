"""Run the benchmarks: `python -m bench [--quick] [--json FILE] [--only TEXT]`.

The run starts its own servers (with and without the Search and JSON modules) in a
temporary folder, runs every case in alternating rounds and prints one table.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench import cli, queries, records, versus_redis_om
from bench.context import bench_context
from bench.harness import Case, Result, run_case, set_min_round_seconds
from bench.report import machine_facts, print_results, write_json

CASES: list[Case] = [*records.CASES, *queries.CASES, *cli.CASES, *versus_redis_om.CASES]


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smaller data and fewer rounds, to finish in about a minute")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON to FILE")
    parser.add_argument("--only", action="append", default=[], metavar="TEXT",
                        help="run only the cases whose name contains TEXT (repeatable)")
    parser.add_argument("--rounds", type=int,
                        help="rounds per case (default: 21, or 9 with --quick); "
                             "cases of seconds a round run at most 5 (2 with --quick)")
    return parser.parse_args(argv)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    with bench_context(arguments.quick) as context:
        rounds = arguments.rounds or context.sizes.rounds
        set_min_round_seconds(context.sizes.min_round_seconds)
        selected = [case for case in CASES
                    if not arguments.only or any(text in case.title(context.sizes) for text in arguments.only)]
        results: list[Result] = []
        for case in selected:
            started = time.perf_counter()
            results.append(run_case(case, context, rounds, progress))
            progress(f"{case.title(context.sizes)}: done in {time.perf_counter() - started:.1f} s")
        facts = machine_facts(context.search_url)

    print_results(results, arguments.quick)
    if arguments.json is not None:
        write_json(arguments.json, results, facts, rounds, arguments.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
