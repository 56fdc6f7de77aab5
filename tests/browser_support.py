"""Shared helpers for tests that run the preview server or headless Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="Debian chromium is not installed (scripts/test.sh installs it)"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def copy_project(tmp: Path, fixture: str = "basic") -> Path:
    """A scratch project: a fixture's content and the real templates, in a temp folder."""
    shutil.copytree(REPO / "tests" / "sites" / fixture / "content", tmp / "content")
    shutil.copytree(REPO / "templates", tmp / "templates")
    return tmp


class Served:
    """A `build.py serve` process, its collected output, and its address."""

    def __init__(self, process: subprocess.Popen[str], port: int) -> None:
        self.process = process
        self.port = port
        self.url = f"http://127.0.0.1:{port}/"
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 20, count: int = 1) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if sum(text in line for line in self.lines) >= count:
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        raise AssertionError(f"server never printed {text!r} x{count}; output:\n" + "\n".join(self.lines))

    def count(self, text: str) -> int:
        return sum(text in line for line in self.lines)


@contextmanager
def serve(project: Path, *args: str, sigint_ignored: bool = False) -> Iterator[Served]:
    """Run the preview server on a free loopback port; stop it (SIGTERM) when done.

    With sigint_ignored, it starts as a background job does: with SIGINT ignored.
    """
    port = free_port()
    # An ignored signal stays ignored across exec, as it does for a shell's background job.
    ignoring = [sys.executable, "-c", "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); os.execv(sys.argv[1], sys.argv[1:])"]
    process = subprocess.Popen(
        [*(ignoring if sigint_ignored else []), sys.executable, str(REPO / "build.py"), "serve", "--port", str(port), *args],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    served = Served(process, port)
    try:
        served.wait_for("serving ")
        yield served
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def launch(playwright: object, **kwargs: object) -> object:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, **kwargs)  # type: ignore[attr-defined]
