"""Ctrl-C during long commands: a batch that is being written is finished before `om` stops.

Outside a batch, Ctrl-C raises KeyboardInterrupt at once, as Python's own handler does, so
that a command blocked on input (such as `om import -` waiting for stdin) still stops.
Inside `batch()`, it is held until the batch is done, so that an import never stops in the
middle of a pipeline and an export never stops in the middle of a line.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any, Optional


class BatchGuard:
    """Install a SIGINT handler that defers Ctrl-C while a batch runs; restore the old one on exit."""

    def __init__(self) -> None:
        self.in_batch = False
        self.pending = False
        self._previous: Any = None

    def __enter__(self) -> BatchGuard:
        # Signal handlers can only be installed in the main thread; elsewhere Ctrl-C keeps
        # Python's behaviour.
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None

    def batch(self) -> _Batch:
        """Return a context manager for one batch; a Ctrl-C inside it is raised when it ends."""
        return _Batch(self)

    def _handle(self, signum: int, frame: Optional[FrameType]) -> None:
        if self.in_batch:
            self.pending = True
            return
        raise KeyboardInterrupt


class _Batch:
    def __init__(self, guard: BatchGuard) -> None:
        self.guard = guard

    def __enter__(self) -> None:
        self.guard.in_batch = True

    def __exit__(self, exc_type: Optional[type], *rest: object) -> None:
        self.guard.in_batch = False
        if self.guard.pending and exc_type is None:
            self.guard.pending = False
            raise KeyboardInterrupt
