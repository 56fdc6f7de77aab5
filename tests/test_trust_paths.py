"""Paths: nothing in the content can make the build read from outside content/ or write outside the output folder.

Ids become folder names (events/<id>/, people/<id>/, <page>/), so an id that is a path is refused.
Content files and folders that are symbolic links to somewhere outside content/ are refused, as
are media files that lie (or resolve) outside content/media/. And whatever the content, a build,
a failed build and the preview's rebuilds write inside the output folder only: a test builds
inside a temporary root and checks that nothing else in it changed.
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
from conftest import TEMPLATES, Project
from PIL import Image

from explainer.builder import Options
from explainer.preview import Preview

SLUG_HINT = "(use lower-case letters, digits and single hyphens, like 'kim-jong-un')"
OUTSIDE = b"OUTSIDE-CONTENT-NOT-TO-BE-READ"


def snapshot(root: Path, skip: tuple[str, ...] = ("site",)) -> dict[str, tuple[int, bytes | str]]:
    """Everything under root but the output folder: each file's mode and bytes (or a link's target)."""
    found: dict[str, tuple[int, bytes | str]] = {}
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        rel_folder = here.relative_to(root)
        if rel_folder.parts and rel_folder.parts[0] in skip:
            dirs.clear()
            continue
        for name in sorted(dirs + files):
            path = here / name
            rel = path.relative_to(root).as_posix()
            if rel.split("/")[0] in skip:
                continue
            info = path.lstat()
            if path.is_symlink():
                found[rel] = (info.st_mode, os.readlink(path))
            elif path.is_file():
                found[rel] = (info.st_mode, path.read_bytes())
            else:
                found[rel] = (info.st_mode, "")
    return found


def refused(project: Project) -> list[str]:
    run = project.run()
    assert run.code == 1, run
    assert "Traceback" not in run.err and "internal error" not in run.err
    assert not project.site.exists()
    return run.errors


# -- ids that are paths ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["../x", "../../etc/passwd", "/etc/passwd", "a/b", "..", ".", "%2e%2e", "x\\y", "C:x", "~root", "events/../../x"])
@pytest.mark.parametrize("file", ["timeline.yaml", "people.yaml"])
def test_an_id_that_is_a_path_is_refused(project: Project, value: str, file: str) -> None:
    text = (project.content / file).read_text()
    key = "id: first" if file == "timeline.yaml" else "id: ann"
    project.write(file, text.replace(key, f"id: '{value}'"))
    before = snapshot(project.root)
    errors = refused(project)
    noun = "event" if file == "timeline.yaml" else "person"
    assert any(f"content/{file}:1:7: {noun} '{value}': id '{value}' is not an id slug {SLUG_HINT}" == line for line in errors), errors
    assert snapshot(project.root) == before


@pytest.mark.parametrize("value", ["../../x", "/x", "a/b", ".."])
def test_an_alias_that_is_a_path_is_refused(project: Project, value: str) -> None:
    text = (project.content / "timeline.yaml").read_text()
    project.write("timeline.yaml", text + f"  aliases: ['{value}']\n")
    errors = refused(project)
    assert any(line.startswith("content/timeline.yaml:7:") and f"'{value}' is not an id slug" in line for line in errors), errors


@pytest.mark.parametrize("stem", ["a b", "%2e%2e", "x\\y", "UPPER", "a..b", "-x"])
def test_a_page_file_name_that_is_not_a_slug_is_refused(project: Project, stem: str) -> None:
    project.write(f"pages/{stem}.md", "---\ntitle: A page\norder: 1\n---\nText.\n")
    errors = refused(project)
    assert f"content/pages/{stem}.md:1:1: page file name '{stem}' is not a slug (rename the file with lower-case letters, digits and hyphens)" in errors


# -- symbolic links out of content/ ------------------------------------------------------------------------------------

SYMLINK_FIX = (
    "sources.py follows symbolic links in content/ wherever they lead (a file such as timeline.yaml or pages/x.md, or a folder such as "
    "timeline/ or pages/), so a content folder from elsewhere can publish or show (in messages and on serve's error page) any file the "
    "writer can read. Fix: in sources.read_content, before reading each file (and for each folder it lists), refuse a path whose "
    "resolve() is not inside root.resolve(): Problem(name, 0, 0, 'is a symbolic link to <target>, outside content/', 'copy the file into "
    "content/ instead of linking to it'); links that stay inside content/ are fine"
)


def outside_file(project: Project, name: str, text: str) -> Path:
    target = project.root / "elsewhere" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, "utf-8")
    return target


@pytest.mark.parametrize("name", ["timeline.yaml", "pages/about.md"])
def test_a_content_file_that_links_outside_content_is_refused(project: Project, name: str) -> None:
    source = project.content / name
    text = source.read_text("utf-8") if source.exists() else "---\ntitle: About\norder: 1\n---\n" + OUTSIDE.decode() + "\n"
    target = outside_file(project, Path(name).name, text.replace("It happened.", OUTSIDE.decode()))
    source.unlink(missing_ok=True)
    source.parent.mkdir(parents=True, exist_ok=True)
    source.symlink_to(target)
    run = project.run()
    assert run.code == 1, run
    assert any(line.startswith(f"content/{name}") and "outside content/" in line for line in run.errors), run.errors
    assert not project.site.exists()


@pytest.mark.parametrize("folder", ["timeline", "pages"])
def test_a_content_folder_that_links_outside_content_is_refused(project: Project, folder: str) -> None:
    if folder == "timeline":
        outside_file(project, "timeline/part.yaml", (project.content / "timeline.yaml").read_text().replace("It happened.", OUTSIDE.decode()))
        project.remove("timeline.yaml")
    else:
        outside_file(project, "pages/about.md", "---\ntitle: About\norder: 1\n---\n" + OUTSIDE.decode() + "\n")
    (project.content / folder).symlink_to(project.root / "elsewhere" / folder)
    run = project.run()
    assert run.code == 1, run
    assert any(line.startswith(f"content/{folder}") and "outside content/" in line for line in run.errors), run.errors


def test_a_link_that_stays_inside_content_is_fine(project: Project) -> None:
    (project.content / "parts").mkdir()
    shutil.move(project.content / "timeline.yaml", project.content / "parts" / "timeline.yaml")
    (project.content / "timeline.yaml").symlink_to(Path("parts") / "timeline.yaml")
    run = project.run("check")
    assert [line for line in run.errors if "warning" not in line] == [] and run.code == 0, run


# -- media ------------------------------------------------------------------------------------------------------------


def png() -> bytes:
    """A real (tiny) image: the model reads media files' sizes."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def event_with_media(name: str) -> str:
    return (
        "- id: first\n  date: 2024-06-19\n  title: Something happens\n  summary: It happened.\n  phase: one\n  sources: [s1]\n"
        f"  media:\n    file: {name}\n    alt: A photo\n"
    )


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../../elsewhere/photo.jpg", "lies outside content/media/"),
        ("../site.yaml", "lies outside content/media/"),
        ("ABSOLUTE", "lies outside content/media/"),
        ("sub/../../../elsewhere/photo.jpg", "lies outside content/media/"),
        ("linked-file.jpg", "lies outside content/media/"),
        ("'..\\\\..\\\\elsewhere\\\\photo.jpg'", "does not exist in content/media/"),
        ("'%2e%2e/%2e%2e/elsewhere/photo.jpg'", "does not exist in content/media/"),
    ],
)
def test_a_media_path_that_escapes_content_is_refused(project: Project, name: str, why: str) -> None:
    target = project.root / "elsewhere" / "photo.jpg"
    target.parent.mkdir()
    target.write_bytes(OUTSIDE)
    (project.content / "media").mkdir()
    (project.content / "media" / "linked-file.jpg").symlink_to(target)
    name = name.replace("ABSOLUTE", str(target))
    project.write("timeline.yaml", event_with_media(name))
    before = snapshot(project.root)
    errors = refused(project)
    assert any(line.startswith("content/timeline.yaml:8:11: event 'first': media file") and why in line for line in errors), errors
    assert snapshot(project.root) == before


def test_a_media_folder_that_links_outside_content_is_refused(project: Project) -> None:
    (project.root / "elsewhere" / "photos").mkdir(parents=True)
    (project.root / "elsewhere" / "photos" / "photo.jpg").write_bytes(png())
    (project.content / "media").symlink_to(project.root / "elsewhere" / "photos")
    project.write("timeline.yaml", event_with_media("photo.jpg"))
    errors = refused(project)
    assert any("outside content/" in line for line in errors), errors


@pytest.mark.parametrize("name", ['"a\\0b.jpg"', "x" * 300 + ".jpg", '"' + "a/" * 2100 + 'x.jpg"'])
def test_a_media_name_the_system_cannot_use_is_a_located_error(project: Project, name: str) -> None:
    (project.content / "media").mkdir()
    project.write("timeline.yaml", event_with_media(name))
    run = project.run()
    assert run.code == 1, run
    assert run.errors[0].startswith("content/timeline.yaml:8:11: event 'first': media file"), run.errors


# -- writing only inside the output folder ------------------------------------------------------------------------------


def test_builds_write_inside_the_output_folder_only(project: Project) -> None:
    """Build, rebuild after edits, fail, check, build elsewhere: everything outside the output folders stays as it was."""
    project.write("media/photos/p.png", png())
    project.write("pages/about.md", "---\ntitle: About\norder: 1\n---\nWho we are.\n")
    timeline = project.content / "timeline.yaml"
    timeline.write_text(event_with_media("photos/p.png") + "  aliases: [old-first]\n", "utf-8")
    shutil.copytree(TEMPLATES, project.root / "templates")
    (project.root / "notes.txt").write_text("the writer's own file")
    before = snapshot(project.root, skip=("site", "deep"))
    args = ("--templates", "templates")
    assert project.run(*args).code == 0
    timeline.write_text(timeline.read_text().replace("Something happens", "Something else happens"), "utf-8")
    project.remove("pages/about.md")
    assert project.run(*args).code == 0
    timeline.write_text(timeline.read_text().replace("phase: one", "phase: nowhere"), "utf-8")
    assert project.run(*args).code == 1
    assert project.run("check", *args).code == 1
    timeline.write_text(timeline.read_text().replace("phase: nowhere", "phase: one"), "utf-8")
    assert project.run("--out", "deep/er/site", *args).code == 0
    after = snapshot(project.root, skip=("site", "deep"))
    changed = sorted(set(before) ^ set(after) | {k for k in before.keys() & after.keys() if before[k] != after[k]})
    assert changed == ["content/pages/about.md", "content/timeline.yaml"], changed  # the files the test itself edited
    assert after["content/timeline.yaml"][1] == timeline.read_bytes()
    assert sorted(p.name for p in (project.root / "deep" / "er").iterdir()) == ["site"]


def test_preview_rebuilds_write_inside_the_output_folder_only(project: Project) -> None:
    preview = Preview(Options(Path("content"), TEMPLATES, Path("site"), workers=1), quiet=True)
    before = snapshot(project.root)
    timeline = project.content / "timeline.yaml"
    original = timeline.read_text()
    for number in range(5):
        timeline.write_text(original.replace("Something happens", f"Something happens, take {number}"), "utf-8")
        assert preview.build()
        before["content/timeline.yaml"] = snapshot(project.root)["content/timeline.yaml"]
    assert snapshot(project.root) == before


def test_preview_does_not_write_or_delete_through_a_link_inside_the_site(project: Project) -> None:
    """Someone replaced site/events with a link to another folder: the next rebuild must not write or delete there."""
    preview = Preview(Options(Path("content"), TEMPLATES, Path("site"), workers=1), quiet=True)
    assert preview.build()
    elsewhere = project.root / "elsewhere"
    shutil.move(project.site / "events", elsewhere)
    (project.site / "events").symlink_to(elsewhere)
    (elsewhere / "keep.txt").write_text("not the generator's")
    outside_before = snapshot(elsewhere, skip=())
    timeline = project.content / "timeline.yaml"
    timeline.write_text(timeline.read_text().replace("id: first", "id: renamed").replace("event: first", "event: renamed"), "utf-8")
    assert preview.build(), preview.state.problems
    assert snapshot(elsewhere, skip=()) == outside_before
    assert (project.site / "events").is_dir() and not (project.site / "events").is_symlink()
    assert (project.site / "events" / "renamed" / "index.html").is_file()
    assert not (project.site / "events" / "first").exists()
