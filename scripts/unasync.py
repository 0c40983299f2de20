"""Generate the sync I/O modules in redisom_cli/store/sync/ from their async sources.

The transform works on tokens and keeps every line where it was, so a traceback in the sync
module points at the same line number as in its async source:

- `async def`, `async for`, `async with` lose `async`; `await x` becomes `x`;
- `redis.asyncio` becomes `redis`, and the `aio` package segment becomes `sync`;
- async protocol names become their sync counterparts (`__aenter__` → `__enter__`, ...);
- line 1, a comment naming the generated file, is replaced by a comment naming the source.

Usage: `python scripts/unasync.py` writes the files; `--check` only reports stale ones and
exits with 1, which a test runs.
"""

from __future__ import annotations

import argparse
import io
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = ROOT / "redisom_cli" / "store" / "aio"
TARGET_DIR = ROOT / "redisom_cli" / "store" / "sync"

NAME_REPLACEMENTS = {
    "__aenter__": "__enter__",
    "__aexit__": "__exit__",
    "__aiter__": "__iter__",
    "__anext__": "__next__",
    "StopAsyncIteration": "StopIteration",
    "AsyncIterator": "Iterator",
    "AsyncIterable": "Iterable",
    "AsyncGenerator": "Generator",
    "aclose": "close",
    "aio": "sync",
    "asyncio": "time",
}

Edit = tuple[int, int, int, str]  # row, start column, end column, replacement


def transform(source: str, source_name: str) -> str:
    """Return the sync twin of async module text; every line stays on its row."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    edits = list(_edits(tokens))
    lines = source.splitlines(keepends=True)
    for row, start, end, replacement in sorted(edits, key=lambda edit: (edit[0], -edit[1])):
        line = lines[row - 1]
        lines[row - 1] = line[:start] + replacement + line[end:]
    lines[0] = f"# Generated from {source_name} by scripts/unasync.py: edit that file, not this one.\n"
    return "".join(lines)


def _edits(tokens: list[tokenize.TokenInfo]):
    for index, token in enumerate(tokens):
        if token.type != tokenize.NAME:
            continue
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if token.string in ("async", "await") and following is not None and following.start[0] == token.start[0]:
            yield token.start[0], token.start[1], following.start[1], ""
        elif token.string == "redis" and _is_dotted(tokens, index, "asyncio"):
            dot, name = tokens[index + 1], tokens[index + 2]
            yield dot.start[0], dot.start[1], name.end[1], ""
        elif token.string == "asyncio" and _follows_dot_of(tokens, index, "redis"):
            continue
        elif token.string in NAME_REPLACEMENTS:
            yield token.start[0], token.start[1], token.end[1], NAME_REPLACEMENTS[token.string]


def _is_dotted(tokens: list[tokenize.TokenInfo], index: int, name: str) -> bool:
    return (
        index + 2 < len(tokens)
        and tokens[index + 1].string == "."
        and tokens[index + 2].string == name
        and tokens[index + 2].start[0] == tokens[index].start[0]
    )


def _follows_dot_of(tokens: list[tokenize.TokenInfo], index: int, name: str) -> bool:
    return index >= 2 and tokens[index - 1].string == "." and tokens[index - 2].string == name


def expected_outputs() -> dict[Path, str]:
    """Return the text every generated file should have, by its path."""
    outputs = {}
    for source in sorted(SOURCE_DIR.glob("*.py")):
        relative = source.relative_to(ROOT).as_posix()
        outputs[TARGET_DIR / source.name] = transform(source.read_text(encoding="utf-8"), relative)
    return outputs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale generated files and exit with 1")
    arguments = parser.parse_args(argv)

    stale = []
    for target, text in expected_outputs().items():
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        stale.append(target.relative_to(ROOT).as_posix())
        if not arguments.check:
            target.write_text(text, encoding="utf-8")
    if arguments.check and stale:
        print("stale generated files (run python scripts/unasync.py):", *stale, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
