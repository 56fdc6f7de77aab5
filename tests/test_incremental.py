"""serve's rebuilds: only changed files are read, only affected pages rendered, unchanged
output files untouched, and the result always byte-identical to a clean build."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from browser_support import copy_project

from explainer import engine, exports, feeds, markup, sources
from explainer.builder import Options, build
from explainer.preview import Preview


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def stamps(folder: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def preview(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Preview:
    project = copy_project(tmp_path / "project")
    monkeypatch.chdir(project)
    served = Preview(Options(out=Path("site")), quiet=True)
    assert served.build()
    return served


def clean_build(tmp_path: Path) -> dict[str, bytes]:
    out = tmp_path / "clean"
    build(Options(out=out))
    return tree(out)


def edit(path: str, old: str, new: str) -> None:
    text = Path(path).read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    Path(path).write_text(text.replace(old, new, 1), "utf-8")
    # Make sure the edit is seen even on file systems with coarse timestamps.
    stat = Path(path).stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


EDITS = [
    pytest.param("content/timeline.yaml", "- id: un-panel-veto\n  date: 2024-03-28", "- id: un-panel-veto\n  date: 2024-06-20", id="event-date-moves-it"),
    pytest.param("content/timeline.yaml", "tags: [un, sanctions]", "tags: [un, sanctions, veto]", id="tag-added"),
    pytest.param("content/people.yaml", "name: Vladimir Putin", "name: Vladimir V. Putin", id="person-renamed"),
    pytest.param("content/timeline.yaml", "- id: treaty-signed", "- id: treaty-signing", id="event-id-renamed"),
    pytest.param("templates/partials/nav.html", ">Quotations</a>", ">Quotes</a>", id="template-partial"),
    pytest.param("templates/assets/style.css", "--measure: 40rem;", "--measure: 38rem;", id="stylesheet"),
    pytest.param("content/site.yaml", "title: Pact to deployment (test site)", "title: From pact to deployment", id="site-yaml"),
    pytest.param("content/phases.yaml", "- id: background\n  title: Background", "- id: background\n  title: Before the pact", id="phase-title"),
    # Equal values written differently: serve keeps last build's objects when they are equal, so
    # these must either look the same on every page or not count as equal.
    pytest.param("content/updates.yaml", '"2024-12-17T10:30:00+00:00"', '"2024-12-17T19:30:00+09:00"', id="same-instant-other-offset"),
    pytest.param("content/places.yaml", "lat: 39.02", "lat: 39.020", id="same-number-other-spelling"),
]


@pytest.mark.parametrize(("path", "old", "new"), EDITS)
def test_rebuild_equals_clean_build(preview: Preview, tmp_path: Path, path: str, old: str, new: str) -> None:
    if "treaty-signing" in new:
        edit("content/quotes.yaml", "event: treaty-signed", "event: treaty-signing")
        edit("content/quotes.yaml", "event: treaty-signed", "event: treaty-signing")
    edit(path, old, new)
    assert preview.build()
    assert tree(Path("site")) == clean_build(tmp_path)


def test_edits_in_a_row_stay_identical_to_clean_builds(preview: Preview, tmp_path: Path) -> None:
    for number, (path, old, new) in enumerate(p.values for p in EDITS if p.id not in ("event-id-renamed",)):
        edit(path, old, new)
        assert preview.build()
        assert tree(Path("site")) == clean_build(tmp_path / str(number)), f"after {path}"


def test_parallel_builds_equal_serial_ones_after_every_edit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The forked paths (Markdown, pages, extras alongside), forced on for a small site, after edits whose effects spread."""
    monkeypatch.setattr(engine, "PARALLEL_MIN", 0)
    monkeypatch.setattr(markup, "PARALLEL_MIN_TEXTS", 0)
    monkeypatch.chdir(copy_project(tmp_path / "project"))
    forked: list[int] = []
    for module in (engine, markup):
        real = module.fork_map  # type: ignore[attr-defined]

        def counting(work: Any, batches: Any, workers: int, real: Any = real) -> Any:
            forked.append(workers)
            return real(work, batches, workers)

        monkeypatch.setattr(module, "fork_map", counting)
    served = Preview(Options(out=Path("site"), workers=2), quiet=True)
    assert served.build()
    for number, (path, old, new) in enumerate(p.values for p in EDITS if p.id not in ("event-id-renamed",)):
        edit(path, old, new)
        assert served.build()
        out = tmp_path / f"serial{number}"
        build(Options(out=out, workers=1))
        assert tree(Path("site")) == tree(out), f"after {path}"
    out = tmp_path / "parallel-clean"
    build(Options(out=out, workers=2))
    assert tree(out) == tree(Path("site"))
    assert forked, "the parallel path was not taken"


def test_equal_numbers_written_differently_give_a_clean_build(preview: Preview, tmp_path: Path) -> None:
    edit("content/places.yaml", "lat: 39.02", "lat: 39")
    assert preview.build()
    edit("content/places.yaml", "lat: 39", "lat: 39.0")  # equal to 39: kept from the last build, so it must be shown as 39 too
    assert preview.build()
    assert tree(Path("site")) == clean_build(tmp_path)


def test_unchanged_outputs_are_not_touched(preview: Preview) -> None:
    before = stamps(Path("site"))
    edit("content/timeline.yaml", "Russia vetoed a US-drafted", "Russia on Thursday vetoed a US-drafted")
    assert preview.build()
    after = stamps(Path("site"))
    changed = {path for path in before if before[path] != after.get(path)}
    assert "events/un-panel-veto/index.html" in changed
    assert "events/treaty-signed/index.html" not in changed
    assert "people/kim-jong-un/index.html" not in changed
    assert "assets/favicon.svg" not in changed


def test_only_changed_files_are_read_and_affected_pages_rendered(preview: Preview, monkeypatch: pytest.MonkeyPatch) -> None:
    read: list[str] = []
    real_read = sources.read_yaml
    monkeypatch.setattr(sources, "read_yaml", lambda path, name: read.append(name) or real_read(path, name))
    edit("content/timeline.yaml", "Russia vetoed a US-drafted", "Russia on Thursday vetoed a US-drafted")
    assert preview.build()
    rendered = preview.session.made
    assert read == ["content/timeline.yaml"]
    assert "events/un-panel-veto/index.html" in rendered
    assert "index.html" in rendered
    # Pages that do not show this event's summary are not rendered again.
    for path in ("events/treaty-signed/index.html", "people/kim-jong-un/index.html", "know/index.html", "404.html"):
        assert path not in rendered

    read.clear()
    assert preview.build()  # nothing changed
    assert read == [] and preview.session.made == []


def test_an_edit_writes_out_only_its_own_event_in_the_feeds_and_exports(preview: Preview, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each event's entry in the feeds, the JSON exports and the CSV is kept from save to save; an edit makes its own again."""
    made: list[str] = []
    for module, name in ((feeds, "event_html"), (exports, "_event"), (exports, "_tl_event"), (exports, "_event_row")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda event, *rest, real=real, name=name: made.append(f"{name} {event.id}") or real(event, *rest))
    for number in range(3):  # several saves in a row: what is kept must survive each of them
        made.clear()
        edit("content/timeline.yaml", "Russia vetoed a US-drafted" if number == 0 else f"Russia (edit {number - 1}) vetoed", f"Russia (edit {number}) vetoed")
        assert preview.build()
        assert sorted(made) == ["_event un-panel-veto", "_event_row un-panel-veto", "_tl_event un-panel-veto", "event_html un-panel-veto"], made


def test_failed_rebuild_keeps_the_last_good_site(preview: Preview) -> None:
    good = tree(Path("site"))
    edit("content/timeline.yaml", "date: 2024-03-28", "date: 2024-03-32")
    assert not preview.build()
    assert preview.state.problems and "is not a valid date" in preview.state.problems[0].message
    assert tree(Path("site")) == good
    edit("content/timeline.yaml", "date: 2024-03-32", "date: 2024-03-28")
    assert preview.build()
    assert preview.state.problems == []


def test_pages_open_in_a_browser_are_made_first(preview: Preview, tmp_path: Path) -> None:
    preview.state.opened("people/kim-jong-un/index.html")
    edit("content/people.yaml", "name: Kim Jong Un", "name: Kim Jong-un")
    told: list[int] = []
    assert preview.build(pages_ready=told.append)
    made = preview.session.made
    assert made[0] == "people/kim-jong-un/index.html", made
    assert "index.html" in made[1:]
    assert told == [-1, 0]  # the browsers hear of the open page first, then of all pages
    assert tree(Path("site")) == clean_build(tmp_path)


def test_a_failed_build_puts_back_the_open_pages_it_wrote_first(preview: Preview) -> None:
    good = tree(Path("site"))
    preview.state.opened("index.html")
    edit("content/timeline.yaml", "Russia vetoed a US-drafted", "Russia on Thursday vetoed a US-drafted")  # shows on the explainer page
    edit("templates/event.html", "{{ event.title }}", "{{ event.title | no_such_filter }}")  # breaks every event page
    assert not preview.build()
    assert tree(Path("site")) == good


def test_an_edit_checks_again_only_the_records_it_touched(preview: Preview, monkeypatch: pytest.MonkeyPatch) -> None:
    """The file is read again, but its other items are the nodes, records and events they were."""
    from explainer import reader

    checked: list[str] = []
    real = reader.check_record
    monkeypatch.setattr(reader, "check_record", lambda node, kind, label, problems: checked.append(label) or real(node, kind, label, problems))
    edit("content/timeline.yaml", "Russia vetoed a US-drafted", "Russia on Thursday vetoed a US-drafted")
    assert preview.build()
    assert len(checked) == 1 and checked[0].startswith("event "), checked
