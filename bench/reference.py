"""Redis OM Python, the reference of some cases, installed apart from the project's environment.

redis-om 1.2 installs a console script named `om`, as this project does, and requires
python-ulid below 4, so installing it next to redisom-cli replaces the user's `om` and
downgrades python-ulid. The bench installs it once with `pip install --target` into
.bench/redis-om in the repository instead, and appends that folder to sys.path, so that the
project's own versions of shared packages (pydantic, redis-py, python-ulid) come first.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench.harness import Unavailable

REPOSITORY = Path(__file__).resolve().parent.parent
REFERENCE_DIR = REPOSITORY / ".bench" / "redis-om"
REQUIREMENT = "redis-om==1.2.*"


def reference_dir() -> Path:
    """Return the folder that contains Redis OM Python, installing it on first use.

    Raise Unavailable when pip cannot install it, for example without network access.
    """
    if not (REFERENCE_DIR / "aredis_om").is_dir():
        print(f"Installing {REQUIREMENT} into {REFERENCE_DIR} for the reference cases (first run only)",
              file=sys.stderr, flush=True)
        command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                   "--target", str(REFERENCE_DIR), REQUIREMENT]
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            last_line = (completed.stderr.strip().splitlines() or ["no output"])[-1]
            raise Unavailable(f"pip could not install {REQUIREMENT} into {REFERENCE_DIR}: {last_line}")
    if str(REFERENCE_DIR) not in sys.path:
        sys.path.append(str(REFERENCE_DIR))
    return REFERENCE_DIR
