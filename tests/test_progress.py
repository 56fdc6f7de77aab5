"""The progress bar: shown on a terminal once a build has run long enough, never in a log."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from browser_support import copy_project

from explainer.builder import Options, Session
from explainer.progress import TerminalProgress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(copy_project(tmp_path / "project"))
    return tmp_path


def build_with(stream: io.StringIO, delay: float) -> str:
    progress = TerminalProgress(stream, delay)
    Session(Options(out=Path("site"), workers=1), progress).build()
    return stream.getvalue()


def test_a_long_build_on_a_terminal_shows_each_stage(project: Path) -> None:
    shown = build_with(Terminal(), delay=0)
    for stage in ("reading", "checking", "rendering pages", "writing"):
        assert stage in shown
    assert re.search(r"rendering pages: +[0-9]+%\|", shown)  # a bar: the pages are counted


def test_a_short_build_shows_nothing(project: Path) -> None:
    assert build_with(Terminal(), delay=60) == ""


def test_nothing_is_shown_when_the_output_is_not_a_terminal(project: Path) -> None:
    assert build_with(io.StringIO(), delay=0) == ""
