"""The build engine: what an edit makes again is decided by what each output read, and its cost
follows the size of the edit, not of the explainer."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from browser_support import copy_project

from explainer import engine
from explainer.builder import Options, Session
from explainer.engine import Artifact, BuildState, MemorySink, execute
from explainer.errors import ContentError, Problem
from explainer.model import Event, Explainer

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "templates"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.synth import generate  # noqa: E402


def touch(path: Path, text: str) -> None:
    """Write, and move the modification time on, so that coarse timestamps cannot hide the edit."""
    path.write_text(text, "utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def retitle_second_event(file: Path) -> str:
    """Change the title of the second event in a timeline file; return that event's id."""
    text = file.read_text("utf-8")
    second = text.index("\n- id: ", text.index("- id: ") + 1) + 1
    event_id = text[second + len("- id: ") : text.index("\n", second)].strip()
    at = text.index("\n  title: ", second) + len("\n  title: ")
    touch(file, text[:at] + "Edited " + text[at:])
    return event_id


def expected_after_title_edit(explainer: Explainer, event_id: str) -> set[str]:
    """What shows an event's title: its page and its neighbours' (previous/next), the pages of the
    people it names, the overview pages that list events, and the feeds and data files."""
    events = explainer.events
    number = next(n for n, e in enumerate(events) if e.id == event_id)
    event: Event = events[number]
    pages = {f"events/{e.id}/index.html" for e in events[max(0, number - 1) : number + 2]}
    people = {f"people/{p.id}/index.html" for p in (*event.actors, *(c.by for c in event.claims))}
    overview = {f"{name}/index.html" for name in ("quotes", "sources", "updates", "embed")} | {"index.html"}
    extras = {"feed.xml", "feed.json", "data/timeline.json", "data/timelinejs.json", "data/events.csv", "data/quotes.csv"}
    return pages | people | overview | extras


@pytest.mark.parametrize("events", [200, 1000])
def test_a_title_edit_makes_again_only_what_shows_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, events: int) -> None:
    """The same edit makes the same outputs again at 200 and at 1,000 events: the work does not grow with the explainer."""
    content = generate(tmp_path, events)
    monkeypatch.chdir(tmp_path)
    session = Session(Options(content=content, templates=TEMPLATES, out=Path("site"), workers=1))
    session.build()
    event_id = retitle_second_event(content / "timeline" / "0001.yaml")
    result = session.build()
    assert set(result.made) == expected_after_title_edit(result.explainer, event_id)
    assert len(result.made) < 30


def test_a_template_edit_makes_again_only_the_pages_that_read_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = copy_project(tmp_path / "project")
    monkeypatch.chdir(project)
    templates = project / "templates"
    session = Session(Options(templates=templates, out=Path("site"), workers=1))
    first = session.build()
    people = {f"people/{p.id}/index.html" for p in first.explainer.people}
    touch(templates / "person.html", (templates / "person.html").read_text("utf-8").replace("</article>", "<!-- edited --></article>", 1))
    assert set(session.build().made) == people
    # The macros are read through fragment() on the explainer page even when every fragment is reused.
    touch(templates / "macros.html", (templates / "macros.html").read_text("utf-8") + "\n{# edited #}\n")
    assert "index.html" in session.build().made
    assert session.build().made == []  # nothing changed


def test_an_artifact_records_what_it_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("one", "utf-8")
    state = BuildState(tmp_path)

    def copy(context: engine.Context, name: str) -> bytes:
        return context.read_file(str(tmp_path / name))

    plan = [Artifact("a.txt", copy, ("a.txt",))]

    def made() -> list[str]:
        state.begin()
        run = execute(plan, state, MemorySink(), workers=1)
        state.finish(a.path for a in plan)
        return run.made

    assert made() == ["a.txt"]
    path = str(tmp_path / "a.txt")
    assert state.made["a.txt"].reads == ((("file", path), state.file_digest(path)),)
    assert made() == []
    touch(tmp_path / "a.txt", "two")
    assert made() == ["a.txt"]


def test_two_artifacts_may_not_claim_one_path(tmp_path: Path) -> None:
    plan = [Artifact("x.html", lambda context: b"1", ()), Artifact("x.html", lambda context: b"2", ())]
    with pytest.raises(ContentError) as raised:
        execute(plan, BuildState(tmp_path), MemorySink())
    assert [p.message for p in raised.value.problems] == ["two outputs claim this path"]


def test_a_failed_build_remembers_nothing_it_made(tmp_path: Path) -> None:
    """An artifact made by a build that then failed may not have reached the site: the next build makes it again."""
    state = BuildState(tmp_path)

    def broken(context: engine.Context) -> bytes:
        raise engine.Failure(Problem("templates/x.html", 3, 1, "template error"))

    plan = [Artifact("a.html", lambda context: b"a", ()), Artifact("b.html", broken, (), priority=1)]
    state.begin()
    with pytest.raises(ContentError):
        execute(plan, state, MemorySink())
    state.abort()
    state.begin()
    run = execute(plan[:1], state, MemorySink())
    assert run.made == ["a.html"]


def test_an_error_in_a_forked_worker_is_raised_as_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug in a maker run by a worker reaches build.py as the same exception (exit 3, one line; --verbose adds the worker's traceback)."""
    monkeypatch.setattr(engine, "PARALLEL_MIN", 0)

    def broken(context: engine.Context) -> bytes:
        raise ValueError("renderer exploded")

    plan = [Artifact(f"{n}.html", broken if n == 1 else (lambda context: b"ok"), ()) for n in range(4)]
    with pytest.raises(ValueError, match="renderer exploded") as raised:
        execute(plan, BuildState(tmp_path), MemorySink(), workers=2)
    assert "in a worker process" in "".join(getattr(raised.value, "__notes__", []))
