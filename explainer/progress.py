"""Progress of a long build on the terminal: tqdm's bar, shown once the build has run a second.

The builder names its stages and counts what it has done; a build that ends within a second
shows nothing, and so does one whose output is not a terminal (a log, CI) or run with --quiet.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

#: A build that ends sooner shows no bar at all.
DELAY_SECONDS = 1.0


class Progress:
    """Stages and counts of a build; this one shows nothing (tests, serve, --quiet)."""

    def stage(self, name: str, total: int | None = None) -> None:
        """Start a stage; `total` is how many steps it has, if known."""

    def advance(self, steps: int = 1) -> None:
        """Count steps done in the current stage."""

    def close(self) -> None:
        """End the last stage, and clear the bar."""


class TerminalProgress(Progress):
    """One tqdm bar, made when the build has run `delay` seconds and moved on to each stage in turn.

    tqdm's own `delay` restarts with every stage (reset), so a build of many short stages would
    never show a bar, and a stage would flash one; the delay here counts from the first stage.
    """

    def __init__(self, stream: TextIO | None = None, delay: float = DELAY_SECONDS) -> None:
        self.stream = stream or sys.stderr
        self.delay = delay
        self.started: float | None = None
        self.name, self.done = "", 0
        self.total: int | None = None
        self.bar: Any = None

    def stage(self, name: str, total: int | None = None) -> None:
        if self.started is None:
            self.started = time.monotonic()
        self.name, self.total, self.done = name, total, 0
        if self.bar is not None:
            self.bar.set_description_str(name, refresh=False)
            self.bar.reset(total=total)
        else:
            self._show_if_due()

    def advance(self, steps: int = 1) -> None:
        self.done += steps
        if self.bar is not None:
            self.bar.update(steps)
        else:
            self._show_if_due()

    def _show_if_due(self) -> None:
        if self.started is None or time.monotonic() - self.started < self.delay:
            return
        from tqdm import tqdm  # only a build that runs long enough pays for the import

        # disable=None: tqdm stays silent when the stream is not a terminal.
        self.bar = tqdm(total=self.total, initial=self.done, desc=self.name, disable=None, leave=False, unit=" steps", file=self.stream, dynamic_ncols=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        self.started = None
