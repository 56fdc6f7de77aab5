"""Writing the site: atomic replacement, recovery after an interruption, and the output-folder safety checks."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import TEMPLATES, Project, tree

from explainer import output
from explainer.builder import Session
from explainer.engine import Artifact
from explainer.errors import OutputError
from explainer.output import MARKER, recover, write_site

OLD = {"index.html": b"old home", "events/a/index.html": b"same in both", "assets/style.css": b"body{}", "gone/index.html": b"only in the old site"}
NEW = {"index.html": b"new home", "events/a/index.html": b"same in both", "assets/style.css": b"body{}", "added/index.html": b"only in the new site"}


def pages(folder: Path) -> dict[str, bytes]:
    """The site's files without the generator's marker (which lists their hashes)."""
    files = tree(folder)
    assert MARKER in files, f"{folder} has no {MARKER}"
    del files[MARKER]
    return files


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name != out.name)


# -- failure at every step --------------------------------------------------------------------------------------------

STEPS: dict[str, tuple[Any, str]] = {
    "os.rename": (os, "rename"),
    "os.link": (os, "link"),
    "Path.write_bytes": (Path, "write_bytes"),
    "Path.write_text": (Path, "write_text"),
    "Path.mkdir": (Path, "mkdir"),
}


def count_calls(
    monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, fail_at: int = 0, error: BaseException | None = None, and_after: bool = False
) -> list[int]:
    """Count calls to owner.name; with fail_at, make that call (1-based) raise, and with and_after every later one too."""
    real: Callable[..., Any] = getattr(owner, name)
    calls = [0]

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if fail_at and (calls[0] == fail_at or (and_after and calls[0] > fail_at)):
            raise error or OSError(28, "No space left on device (injected)")
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)
    return calls


def calls_in_one_write(tmp_path: Path, step: str) -> int:
    out = tmp_path / "probe" / "site"
    write_site(out, OLD)
    with pytest.MonkeyPatch.context() as mp:
        calls = count_calls(mp, *STEPS[step])
        write_site(out, NEW)
    shutil.rmtree(out.parent)
    return calls[0]


@pytest.mark.parametrize("step", sorted(STEPS))
def test_failure_at_each_call_leaves_a_complete_site(tmp_path: Path, step: str) -> None:
    total = calls_in_one_write(tmp_path, step)
    assert total >= 1, f"a write makes no {step} call: the test would prove nothing"
    for n in range(1, total + 1):
        out = tmp_path / f"at-{n}" / "site"
        write_site(out, OLD)
        with pytest.MonkeyPatch.context() as mp:
            count_calls(mp, *STEPS[step], fail_at=n)
            try:
                write_site(out, NEW)
            except OutputError as exc:
                assert f"cannot write the site to {out}: No space left on device (injected)" in str(exc)
            else:
                assert step == "os.link", f"call {n} of {step} failed and nobody noticed"  # a failed link falls back to writing
        assert pages(out) in (OLD, NEW), f"site incomplete after {step} call {n} failed"
        write_site(out, NEW)
        assert pages(out) == NEW
        assert leftovers(out) == []


def fail_in_output(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, fail_at: int = 0) -> list[int]:
    """Like count_calls, but only for calls made by explainer/output.py (other steps of a build may write caches)."""
    real: Callable[..., Any] = getattr(owner, name)
    calls = [0]

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if sys._getframe(1).f_code.co_filename == output.__file__:
            calls[0] += 1
            if calls[0] == fail_at:
                raise OSError(28, "No space left on device (injected)")
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)
    return calls


@pytest.mark.parametrize("step", sorted(STEPS))
def test_real_build_failing_at_each_step_leaves_a_complete_site(project: Project, monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    assert project.run().code == 0
    old = tree(project.site)
    timeline = project.content / "timeline.yaml"
    timeline.write_text(timeline.read_text().replace("Something happens", "Something else happens"))
    with pytest.MonkeyPatch.context() as mp:
        calls = fail_in_output(mp, *STEPS[step])
        assert project.run().code == 0
    new = tree(project.site)
    assert new != old and calls[0] >= 1
    for n in sorted({1, calls[0]}):  # the first and the last call: every step is swept in the fast test above
        shutil.rmtree(project.site)
        for name, data in old.items():
            (project.site / name).parent.mkdir(parents=True, exist_ok=True)
            (project.site / name).write_bytes(data)
        with pytest.MonkeyPatch.context() as mp:
            fail_in_output(mp, *STEPS[step], fail_at=n)
            run = project.run()
        assert tree(project.site) in (old, new), f"site incomplete after {step} call {n} of {calls[0]} failed"
        if run.code != 0:
            assert run.code == 1 and run.errors[0].startswith("error: cannot write the site to site: No space left on device (injected); "), run
            assert tree(project.site) == old
        assert leftovers(project.site) == ["content"]
    assert project.run().code == 0
    assert tree(project.site) == new


def test_interrupt_during_the_swap_is_undone_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    write_site(out, OLD)
    count_calls(monkeypatch, os, "rename", fail_at=2, error=KeyboardInterrupt())  # Ctrl-C between the two renames
    with pytest.raises(KeyboardInterrupt):
        write_site(out, NEW)
    assert pages(out) == OLD
    assert leftovers(out) == []


def test_swap_that_cannot_even_be_undone_is_restored_by_the_next_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "site"
    write_site(out, OLD)
    count_calls(monkeypatch, os, "rename", fail_at=2, and_after=True)
    with pytest.raises(OutputError, match=r"the next build restores the previous site$"):
        write_site(out, NEW)
    assert not out.exists()
    monkeypatch.undo()
    recover(out)
    assert pages(out) == OLD
    assert leftovers(out) == []


def interrupted_between_the_renames(tmp_path: Path) -> Path:
    """The state a run killed between `site -> .site.old` and `.site.new -> site` leaves behind."""
    out = tmp_path / "site"
    write_site(out, OLD)
    staged = tmp_path / "staged"
    write_site(staged, NEW)
    os.rename(out, tmp_path / ".site.old")
    os.rename(staged, tmp_path / ".site.new")
    assert not out.exists()
    return out


def test_interruption_between_the_two_renames_is_restored(tmp_path: Path) -> None:
    out = interrupted_between_the_renames(tmp_path)
    recover(out)
    assert pages(out) == OLD
    assert leftovers(out) == []


def test_next_build_restores_then_builds(project: Project) -> None:
    assert project.run().code == 0
    built = tree(project.site)
    os.rename(project.site, project.root / ".site.old")
    shutil.copytree(project.root / ".site.old", project.root / ".site.new")
    run = project.run()
    assert run.code == 0, run
    assert tree(project.site) == built
    assert leftovers(project.site) == ["content"]


def test_check_does_not_touch_the_output(project: Project) -> None:
    assert project.run("check").code == 0
    assert not project.site.exists()


def test_write_failure_through_the_command_line(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    assert project.run().code == 0
    before = tree(project.site)
    project.write("timeline.yaml", (project.content / "timeline.yaml").read_text().replace("Something happens", "Something else happens"))
    count_calls(monkeypatch, Path, "write_bytes", fail_at=1)
    run = project.run()
    assert run.code == 1
    assert run.errors == ["error: cannot write the site to site: No space left on device (injected); the previous site is unchanged"]
    assert tree(project.site) == before
    assert leftovers(project.site) == ["content"]


# -- what is written --------------------------------------------------------------------------------------------------


def test_exactly_the_new_files_remain(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site(out, OLD)
    stats = write_site(out, NEW)
    assert pages(out) == NEW
    assert (stats.written, stats.unchanged, stats.removed) == (2, 2, 1)


def test_unchanged_files_keep_their_inode(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site(out, OLD)
    before = (out / "events/a/index.html").stat()
    write_site(out, NEW)
    after = (out / "events/a/index.html").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert (out / "index.html").read_bytes() == b"new home"


def test_a_file_edited_by_hand_in_the_output_is_written_again(tmp_path: Path) -> None:
    out = tmp_path / "site"
    write_site(out, OLD)
    (out / "events/a/index.html").write_bytes(b"edited by hand")
    write_site(out, NEW)
    assert (out / "events/a/index.html").read_bytes() == b"same in both"


@pytest.mark.parametrize("name", ["../escape.html", "/etc/escape.html", "a/../../escape.html", "a\\b.html"])
def test_paths_outside_the_output_folder_are_refused(tmp_path: Path, name: str) -> None:
    out = tmp_path / "site"
    with pytest.raises(OutputError, match="outside the output folder"):
        write_site(out, {"index.html": b"home", name: b"escape"})
    assert not (tmp_path / "escape.html").exists()
    assert leftovers(out) == []


# -- the output folder safety checks ----------------------------------------------------------------------------------


def refused(project: Project, *args: str) -> str:
    run = project.run(*args)
    assert run.code == 1, run
    assert run.out == ""
    [line] = run.errors
    return line


def test_refuses_a_folder_it_did_not_create(project: Project) -> None:
    (project.site / "notes").mkdir(parents=True)
    (project.site / "notes" / "todo.txt").write_text("keep me")
    assert refused(project) == (
        "error: output folder site exists, is not empty and was not made by this generator (no .explainer-site file): "
        "it will not be replaced; move it away or choose another --out"
    )
    assert tree(project.site) == {"notes/todo.txt": b"keep me"}


def test_builds_into_an_empty_folder(project: Project) -> None:
    project.site.mkdir()
    assert project.run().code == 0
    assert (project.site / MARKER).is_file()


def test_replaces_a_folder_it_created(project: Project) -> None:
    assert project.run().code == 0
    (project.site / "stale.html").write_text("from an older build")
    assert project.run().code == 0
    assert not (project.site / "stale.html").exists()


@pytest.mark.parametrize(
    ("out", "source"),
    [("content", "content"), ("content/site", "content"), (".", "content"), ("templates", "templates"), ("templates/out", "templates")],
)
def test_refuses_an_output_folder_that_overlaps_the_sources(project: Project, out: str, source: str) -> None:
    shutil.copytree(TEMPLATES, project.root / "templates")
    before = tree(project.root)
    line = refused(project, "--out", out, "--templates", "templates")
    assert line == f"error: output folder {Path(out)} overlaps the source folder {source}: choose another --out"
    assert tree(project.root) == before


def test_refuses_an_output_path_that_is_a_file(project: Project) -> None:
    project.site.write_text("not a folder")
    assert refused(project) == "error: output path site exists and is not a folder: remove it or choose another --out"
    assert project.site.read_text() == "not a folder"


def test_refuses_an_output_path_that_is_a_symlink(project: Project) -> None:
    (project.root / "elsewhere").mkdir()
    project.site.symlink_to(project.root / "elsewhere")
    assert refused(project) == "error: output path site exists and is not a folder: remove it or choose another --out"


def test_refuses_a_parking_folder_it_did_not_create(project: Project) -> None:
    assert project.run().code == 0
    (project.root / ".site.old").mkdir()
    (project.root / ".site.old" / "mine.txt").write_text("not the generator's")
    before = tree(project.root)
    assert refused(project) == "error: .site.old exists and was not made by this generator: remove it"
    assert tree(project.root) == before


def test_two_outputs_may_not_claim_one_path(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    # Content cannot make two outputs collide (ids, aliases and page names are checked first), so a
    # renderer that returns one path twice stands in for a future template or output kind that would.
    assert project.run().code == 0
    before = tree(project.site)
    real = Session.plan

    def twice(self: Session, explainer: Any) -> list[Artifact]:
        return [*real(self, explainer), Artifact("events/first/index.html", lambda context: b"another page", ())]

    monkeypatch.setattr(Session, "plan", twice)
    run = project.run("--force")  # nothing changed in the content: only --force builds again
    assert run.code == 1
    assert run.errors == [
        "events/first/index.html: two outputs claim this path (rename the page, event or asset that collides)",
        "1 problem found; nothing was written",
    ]
    assert tree(project.site) == before
