"""`om`, the command-line admin tool: the only part of redisom_cli that imports typer and rich.

`main()`, the entry point of the `om` script, lives here rather than in `app` so that a plain
`om get` (see `direct`) runs without importing Typer.
"""

from __future__ import annotations

import gc
import sys


def main() -> None:
    """Run `om` on the arguments of this process and exit with the code listed in `failures`."""
    arguments = sys.argv[1:]
    try:
        from redisom_cli.cli import direct

        request = direct.parse_get(arguments)
        if request is not None:
            direct.run_get(request, arguments)
        from redisom_cli.cli import app

        app.run(arguments)
    finally:
        # The process ends here. Freezing every object spares the full garbage collection that
        # the interpreter runs at exit: 50 to 100 ms of a 400 to 500 ms `om get` on the
        # development machine (2 vCPU).
        gc.freeze()
