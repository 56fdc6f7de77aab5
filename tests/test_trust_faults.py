"""Builds killed with SIGKILL in the middle of writing the site, and writes that fail.

A killed build must leave a complete site: the previous one, byte for byte, or the new one; the
next run must finish cleanly and leave nothing behind (.site.new, .site.old). A disk that fills
up or turns read-only must give a clear error and keep the previous site.

How the kills are aimed: the test process forks (everything is imported and the templates are
compiled already, so a child build is quick); the child runs the real command line, but every
file-system step made by explainer/output.py and explainer/record.py first reports itself on a
pipe and waits for a go-ahead. The parent counts the steps and sends SIGKILL instead of the
go-ahead at step k: the child dies exactly between two steps, for each k in turn. No test hook
is needed in the generator itself.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Project, tree

from explainer import output, record

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="aims its kills from a forked child")

#: The file-system steps of writing a site; each one made from output.py or record.py is a place to kill.
STEPS: list[tuple[Any, str]] = [
    (os, "rename"),
    (os, "replace"),
    (os, "link"),
    (os, "unlink"),
    (os, "rmdir"),
    (shutil, "rmtree"),
    (Path, "write_bytes"),
    (Path, "write_text"),
    (Path, "mkdir"),
    (Path, "unlink"),
    (Path, "replace"),
    (Path, "rmdir"),
]
OURS = {output.__file__, record.__file__}
#: Files of the build record, which lives in the output folder but is not part of the site.
RECORD_FILES = (".explainer-build.json", ".explainer-build.json.tmp")
MIN_TRIALS = 20


def site_files(folder: Path) -> dict[str, bytes]:
    return {name: data for name, data in tree(folder).items() if name not in RECORD_FILES}


def leftovers(project: Project) -> list[str]:
    return sorted(p.name for p in project.root.iterdir() if p.name not in ("content", "site"))


def hook_steps(report: Callable[[str], None]) -> None:
    """In the child: make every step from our writer report itself (and wait) before it runs."""
    for owner, name in STEPS:
        real = getattr(owner, name)

        def wrapper(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            if sys._getframe(1).f_code.co_filename in OURS:
                report(_name)
            return _real(*args, **kwargs)

        setattr(owner, name, wrapper)


def build_killed_at(project: Project, kill_at: int) -> list[str]:
    """Run `build.py` in a forked child, killed just before its step number kill_at (0: never); return the steps it reported."""
    steps_read, steps_write = os.pipe()
    go_read, go_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(steps_read)
            os.close(go_write)

            def report(name: str) -> None:
                os.write(steps_write, name.encode() + b"\n")
                if not os.read(go_read, 1):
                    os._exit(9)

            hook_steps(report)
            code = project.run().code
            os.write(steps_write, f"exit {code}\n".encode())
        finally:
            os._exit(0)
    os.close(steps_write)
    os.close(go_read)
    seen: list[str] = []
    with os.fdopen(steps_read, "r") as steps:
        for line in steps:
            name = line.strip()
            if name.startswith("exit "):
                assert name == "exit 0", f"the build failed on its own: {name}"
                break
            seen.append(name)
            if len(seen) == kill_at:
                os.kill(pid, signal.SIGKILL)
                break
            os.write(go_write, b"g")
    os.close(go_write)
    _, status = os.waitpid(pid, 0)
    if kill_at and len(seen) == kill_at:
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    return seen


def put_back(project: Project, saved: Path) -> None:
    """The previous site, exactly as the previous build left it (and nothing beside it)."""
    for path in project.root.iterdir():
        if path.name != "content":
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    shutil.copytree(saved, project.site, symlinks=True)


@pytest.fixture
def two_versions(project: Project, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], dict[str, bytes], Path]:
    """The old site (built, and saved aside), the new one (from edited content), and the content left at the new version."""
    project.write("pages/about.md", "---\ntitle: About\norder: 1\n---\nWho we are.\n")
    assert project.run().code == 0
    saved = tmp_path_factory.mktemp("saved") / "site"
    shutil.copytree(project.site, saved, symlinks=True)
    old = site_files(project.site)
    timeline = project.content / "timeline.yaml"
    timeline.write_text(timeline.read_text().replace("Something happens", "Something else happens"), "utf-8")
    project.remove("pages/about.md")  # a page goes: the new site has fewer files, and other bytes
    assert project.run().code == 0
    new = site_files(project.site)
    assert old != new and set(old) != set(new)
    put_back(project, saved)
    return old, new, saved


def test_a_build_killed_at_any_step_leaves_a_complete_site(project: Project, two_versions: tuple[dict[str, bytes], dict[str, bytes], Path]) -> None:
    old, new, saved = two_versions
    steps = build_killed_at(project, 0)
    assert {"write_bytes", "rename"} <= set(steps), steps
    assert site_files(project.site) == new
    trials = list(range(1, len(steps) + 1))
    if len(trials) > 60:  # a bigger theme: every step of the swap, and an even spread of the others
        swap = [n for n, name in enumerate(steps, start=1) if name in ("rename", "rmtree", "replace")]
        trials = sorted(set(swap) | set(trials[:: len(trials) // 40]))
    assert len(trials) >= MIN_TRIALS, f"only {len(trials)} places to kill a build: {steps}"
    between = []
    for kill_at in trials:
        put_back(project, saved)
        build_killed_at(project, kill_at)
        where = f"killed before step {kill_at} ({steps[kill_at - 1]})"
        if project.site.is_dir():
            assert site_files(project.site) in (old, new), f"{where}: the site is neither the old one nor the new one"
        else:  # between the two renames: the old site is parked beside, whole, and the next run puts it back
            parked = project.root / f".{project.site.name}.old"
            assert site_files(parked) == old, f"{where}: no site, and the parked one is not the old site"
            between.append(kill_at)
        run = project.run()
        assert run.code == 0, f"{where}: the next build failed: {run}"
        assert site_files(project.site) == new, f"{where}: the next build did not give the new site"
        assert leftovers(project) == [], f"{where}: the next build left {leftovers(project)}"
    assert len(between) <= 1


@pytest.mark.xfail(
    strict=True,
    reason="output.Staging swaps with two renames (site -> .site.old, .site.new -> site): killed between them, site/ is missing until the next "
    "build or serve puts the old one back. Fix: swap in one step with renameat2(RENAME_EXCHANGE) where the system has it (Linux), keeping the "
    "two renames as the fallback; then adapt tests/test_output.py, whose os.rename-counting tests assume the two renames",
)
def test_the_site_folder_is_never_missing_even_between_the_renames(project: Project, two_versions: tuple[dict[str, bytes], dict[str, bytes], Path]) -> None:
    _, _, saved = two_versions
    steps = build_killed_at(project, 0)
    for kill_at, name in enumerate(steps, start=1):
        if name == "rename":
            put_back(project, saved)
            build_killed_at(project, kill_at)
            assert project.site.is_dir(), f"killed before step {kill_at} ({name}): there is no site/"


@pytest.mark.parametrize(
    ("code", "step", "text"),
    [
        (errno.ENOSPC, (Path, "write_bytes"), "No space left on device"),
        (errno.EROFS, (Path, "write_bytes"), "Read-only file system"),
        (errno.EROFS, (Path, "mkdir"), "Read-only file system"),
        (errno.ENOSPC, (Path, "write_text"), "No space left on device"),
        (errno.EROFS, (os, "rename"), "Read-only file system"),
        (errno.EDQUOT, (os, "link"), "Disk quota exceeded"),
    ],
)
def test_a_write_failure_gives_a_clear_error_and_keeps_the_previous_site(project: Project, code: int, step: tuple[Any, str], text: str) -> None:
    assert project.run().code == 0
    before = site_files(project.site)
    timeline = project.content / "timeline.yaml"
    timeline.write_text(timeline.read_text().replace("Something happens", "Something else happens"), "utf-8")
    owner, name = step
    real = getattr(owner, name)

    def failing(*args: Any, **kwargs: Any) -> Any:
        if sys._getframe(1).f_code.co_filename == output.__file__:
            raise OSError(code, os.strerror(code))
        return real(*args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:  # not monkeypatch.undo(): that would also undo the project's chdir
        mp.setattr(owner, name, failing)
        run = project.run()
    if name == "link" and run.code == 0:  # a failed hard link falls back to writing the file
        assert "Something else happens" in (project.site / "events/first/index.html").read_text()
        return
    assert run.code == 1, run
    assert run.errors == [f"error: cannot write the site to site: {text}; the previous site is unchanged"], run.errors
    assert "Traceback" not in run.err
    assert site_files(project.site) == before
    assert leftovers(project) == []
    assert project.run().code == 0  # once the disk is fine again
    assert "Something else happens" in (project.site / "events/first/index.html").read_text()


def test_a_folder_of_ours_loses_its_marker_last(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """However far a removal gets before a kill, what is left still holds the marker, so the next run knows it is ours and removes it."""
    folder = tmp_path / ".site.old"
    output.write_site(folder, {"index.html": b"home", "events/a/index.html": b"a", "z.html": b"z"})
    removed: list[str] = []
    for owner, name in ((os, "unlink"), (shutil, "rmtree"), (Path, "unlink")):
        real = getattr(owner, name)

        def wrapper(path: Any, *args: Any, _real: Any = real, **kwargs: Any) -> Any:
            if sys._getframe(1).f_code.co_filename == output.__file__:
                removed.append(Path(path).name)
            return _real(path, *args, **kwargs)

        monkeypatch.setattr(owner, name, wrapper)
    output.remove_ours(folder)
    assert removed[-1] == output.MARKER and removed.count(output.MARKER) == 1, removed
    assert not folder.exists()
