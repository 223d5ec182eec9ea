"""Progress on stderr while the sources load: the source being read, its files and
records so far, the elapsed time (tqdm draws the line).

Shown only when switched on for the call (:func:`enabled`; the CLI does it when stderr is
a terminal, no ``CI`` variable is set and ``--quiet`` is not given), so CI logs, pipes and
library callers get nothing. The line names the source and its kind from the config,
never a file name or a value: a vCard or Maildir file name can be a person's name.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import sys
import threading
from collections.abc import Iterator

from audit_kit.safe_output import console

_ON: contextvars.ContextVar[bool] = contextvars.ContextVar("audit_kit_progress", default=False)


def wanted(quiet: bool = False) -> bool:
    """Whether the CLI should show progress: a terminal, not CI, not ``--quiet``."""
    if quiet or os.environ.get("CI"):
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed stderr
        return False


@contextlib.contextmanager
def enabled(on: bool = True) -> Iterator[None]:
    """Show progress for what runs inside (this thread or task only)."""
    token = _ON.set(on)
    try:
        yield
    finally:
        _ON.reset(token)


class SourceProgress:
    """One source's line: ``update`` takes the files and records added since the last; the
    elapsed time is redrawn every second even while a loader writes nothing (a big file
    parsed in one SQL statement)."""

    TICK = 1.0

    def __init__(self, name: str, kind: str) -> None:
        from tqdm import tqdm

        self.files = 0
        self._bar = tqdm(desc=f"{console(name)} ({kind})", unit=" records", file=sys.stderr,
                         leave=False, dynamic_ncols=True, mininterval=0.5)
        self._done = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="audit-kit-progress",
                                        daemon=True)
        self._ticker.start()

    def _tick(self) -> None:
        while not self._done.wait(self.TICK):
            self._bar.refresh()

    def update(self, files: int = 0, records: int = 0) -> None:
        if files:
            self.files += files
            self._bar.set_postfix_str(f"{self.files} files", refresh=False)
        self._bar.update(records)

    def close(self) -> None:
        self._done.set()
        self._ticker.join()
        self._bar.close()


@contextlib.contextmanager
def source(name: str, kind: str) -> Iterator[SourceProgress | None]:
    """A progress line for one source while inside, or None when progress is off."""
    if not _ON.get():
        yield None
        return
    bar = SourceProgress(name, kind)
    try:
        yield bar
    finally:
        bar.close()
