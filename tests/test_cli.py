"""The command line: commands, options, the one-line summary, exit statuses 0/1/2/3, drafts, template errors."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, TEMPLATES, Project, tree

from explainer import render

SUMMARY = re.compile(r"built site/: 1 events, 1 quotes, (\d+) pages, (\d+) written in \d+\.\d\d s")


def run_process(cwd: Path, *args: str, prelude: str = "") -> subprocess.CompletedProcess[str]:
    """Run build.py as a user does, in its own process (optionally after some Python, to inject a fault)."""
    script = "\n".join(
        [
            f"import runpy, sys; sys.path.insert(0, {str(REPO)!r})",  # as `python build.py` has it
            prelude,
            f"sys.argv = ['build.py', *{list(args)!r}]",
            f"runpy.run_path({str(REPO / 'build.py')!r}, run_name='__main__')",
        ]
    )
    return subprocess.run([sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, timeout=60)


# -- commands ---------------------------------------------------------------------------------------------------------


def test_python_build_py_builds_the_site(project: Project) -> None:
    shutil.copytree(TEMPLATES, project.root / "templates")
    done = subprocess.run([sys.executable, str(REPO / "build.py")], cwd=project.root, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (0, "")
    assert SUMMARY.fullmatch(done.stdout.rstrip("\n")), done.stdout
    assert (project.site / "index.html").is_file()
    assert (project.site / "events/first/index.html").is_file()


def test_build_prints_one_line(project: Project) -> None:
    run = project.run("build")
    assert (run.code, run.err) == (0, "")
    match = SUMMARY.fullmatch(run.out.rstrip("\n"))
    assert match, run.out
    files = tree(project.site)
    assert int(match.group(1)) == sum(1 for name in files if name.endswith(".html"))
    assert int(match.group(2)) == len(files) - 2  # every file but the marker and the build record was new


def test_second_build_writes_nothing_new(project: Project) -> None:
    assert project.run().code == 0
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in project.site.rglob("*")}
    run = project.run()
    assert re.fullmatch(r"built site/: 1 events, 1 quotes, \d+ pages, nothing changed, in \d+\.\d\d s\n", run.out), run.out
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in project.site.rglob("*")} == before
    match = SUMMARY.fullmatch(project.run("--force").out.rstrip("\n"))
    assert match and match.group(2) == "0"


def test_build_after_a_change_or_a_hand_edit_is_a_real_build(project: Project) -> None:
    assert project.run().code == 0
    (project.site / "index.html").write_text("edited by hand", "utf-8")
    assert "nothing changed" not in project.run().out
    assert (project.site / "index.html").read_text("utf-8") != "edited by hand"
    project.write("site.yaml", (project.root / "content/site.yaml").read_text("utf-8").replace("title: ", "title: New ", 1))
    assert "nothing changed" not in project.run().out
    assert "nothing changed" in project.run().out


def test_a_hand_edit_that_keeps_size_and_time_is_still_found_when_the_time_moved(project: Project) -> None:
    """The no-change check trusts a file's size and nanosecond mtime; anything else is read and compared."""
    assert project.run().code == 0
    page = project.site / "index.html"
    data = page.read_bytes()
    page.write_bytes(data)  # same bytes, new mtime: still nothing to do
    assert "nothing changed" in project.run().out
    page.write_bytes(data.replace(b"<html", b"<HTML", 1))  # same size, other bytes, new mtime
    assert "nothing changed" not in project.run().out
    assert page.read_bytes() == data


def test_check_validates_without_writing(project: Project) -> None:
    run = project.run("check")
    assert (run.code, run.err) == (0, "")
    assert re.fullmatch(r"checked 1 events, 1 quotes, \d+ pages in \d+\.\d\d s\n", run.out)
    assert not project.site.exists()


def test_check_reports_problems_with_status_1(project: Project) -> None:
    project.write("people.yaml", "- id: ann\n  name: Ann Example\n  kind: person\n")
    run = project.run("check")
    assert run.code == 1
    assert run.errors == [
        "content/people.yaml:1:3: person 'ann': missing required field 'role' (add 'role:' (role at the time))",
        "1 problem found; nothing was written",
    ]


def test_quiet_prints_nothing_on_success(project: Project) -> None:
    run = project.run("--quiet")
    assert (run.code, run.out, run.err) == (0, "", "")
    assert (project.site / "index.html").is_file()


def test_quiet_still_prints_errors(project: Project) -> None:
    project.write("timeline.yaml", (project.content / "timeline.yaml").read_text().replace("2024-06-19", "2024-06-31"))
    run = project.run("--quiet")
    assert run.code == 1
    assert run.errors[0] == "content/timeline.yaml:2:9: event 'first': date '2024-06-31' is not a valid date (use YYYY, YYYY-MM or YYYY-MM-DD)"


def test_content_templates_and_out_options(project: Project) -> None:
    shutil.move(project.content, project.root / "words")
    shutil.copytree(TEMPLATES, project.root / "theme")
    run = project.run("--content", "words", "--templates", "theme", "--out", "public")
    assert run.code == 0, run
    assert run.out.startswith("built public/: ")
    assert (project.root / "public/index.html").is_file()
    assert not project.site.exists()


def test_missing_templates_folder(project: Project) -> None:
    run = project.run("check", "--templates", "nowhere")
    assert (run.code, run.errors) == (1, ["nowhere: templates folder not found (pass --templates DIR)", "1 problem found; nothing was written"])


def test_help_lists_every_option(project: Project) -> None:
    run = project.run("--help")
    assert run.code == 0
    assert run.out.startswith("usage: build.py [-h]")
    for option in ("--content", "--templates", "--out", "--base-url", "--drafts", "--strict", "--verbose", "--quiet", "--help"):
        assert option in run.out
    assert "exit status: 0 ok, 1 content or template error, 2 usage error, 3 internal error" in run.out


# -- exit statuses ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["--no-such-option"], ["frobnicate"], ["--port", "eighty"]], ids=["option", "command", "value"])
def test_usage_error_exits_2(project: Project, args: list[str]) -> None:
    run = project.run(*args)
    assert run.code == 2
    assert run.err.startswith("usage: build.py")
    assert "build.py: error: " in run.err
    assert not project.site.exists()


@pytest.mark.parametrize("url", ["example.org/x/", "ftp://example.org/", "https://exa mple.org/"])
def test_bad_base_url_exits_2(project: Project, url: str) -> None:
    run = project.run("--base-url", url)
    assert (run.code, run.errors) == (2, [f"build.py: error: --base-url '{url}' must be a full http(s) address"])
    assert not project.site.exists()


def test_internal_error_exits_3_with_a_short_message(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("renderer exploded")

    monkeypatch.setattr(render, "render_page", broken)
    run = project.run()
    assert run.code == 3
    assert run.errors == [
        "internal error: RuntimeError: renderer exploded",
        "this is a bug in the generator: please report it with the command you ran and the output of --verbose",
    ]
    assert not project.site.exists()


INJECT = "import explainer.render as r\ndef boom(*a, **k): raise RuntimeError('renderer exploded')\nr.render_page = boom"


def test_internal_error_in_a_process_has_no_traceback(project: Project) -> None:
    done = run_process(project.root, "--templates", str(TEMPLATES), prelude=INJECT)
    assert done.returncode == 3
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("internal error: RuntimeError: renderer exploded\n")


def test_verbose_internal_error_shows_the_traceback_and_still_exits_3(project: Project) -> None:
    done = run_process(project.root, "--verbose", "--templates", str(TEMPLATES), prelude=INJECT)
    assert "Traceback (most recent call last)" in done.stderr
    assert "RuntimeError: renderer exploded" in done.stderr
    assert done.returncode == 3


# -- template errors name the template file and line ------------------------------------------------------------------


def broken_templates(project: Project, name: str, line: int, text: str) -> Path:
    """A copy of the templates in the project with one line inserted into one template."""
    folder = project.root / "templates"
    shutil.copytree(TEMPLATES, folder)
    path = folder / name
    lines = path.read_text("utf-8").split("\n")
    lines.insert(line - 1, text)
    path.write_text("\n".join(lines), "utf-8")
    return folder


def test_template_error_names_the_template_and_line(project: Project) -> None:
    folder = broken_templates(project, "page.html", 4, "{{ no_such_name.title }}")
    project.write("pages/about.md", "---\ntitle: About\norder: 1\n---\nText.\n")
    run = project.run("--templates", str(folder))
    assert run.code == 1
    assert run.errors == [
        "templates/page.html:4:1: template error: 'no_such_name' is undefined"
        " (the name is not available in this template: check its spelling, and that this page kind receives it)",
        "1 problem found; nothing was written",
    ]
    assert not project.site.exists()


def test_template_syntax_error_names_the_template_and_line(project: Project) -> None:
    folder = broken_templates(project, "event.html", 5, "{% if %}")
    run = project.run("--templates", str(folder))
    assert run.code == 1
    assert run.errors == [
        "templates/event.html:5:1: template syntax error: Expected an expression, got 'end of statement block' (check the tag on this line)",
        "1 problem found; nothing was written",
    ]


def test_template_error_with_the_default_relative_templates_folder(project: Project) -> None:
    broken_templates(project, "page.html", 4, "{{ no_such_name.title }}")
    project.write("pages/about.md", "---\ntitle: About\norder: 1\n---\nText.\n")
    run = project.run(templates=None)  # build.py's default: --templates templates
    assert run.errors[0].startswith("templates/page.html:4:1: template error: 'no_such_name' is undefined")


# -- drafts -----------------------------------------------------------------------------------------------------------


@pytest.fixture
def drafted(project: Project) -> Project:
    """The minimal project plus a draft event, with a quote and an update that belong to it."""
    with (project.content / "timeline.yaml").open("a") as f:
        f.write("- id: draft-only-event\n  date: 2024-07-01\n  title: Not public yet\n  summary: Still being checked.\n")
        f.write("  phase: one\n  sources: [s1]\n  draft: true\n")
    with (project.content / "quotes.yaml").open("a") as f:
        f.write("- id: q2\n  text: Off the record.\n  speaker: ann\n  setting: Background briefing\n  source: s1\n  event: draft-only-event\n")
    with (project.content / "updates.yaml").open("a") as f:
        f.write('- date: "2024-12-17T09:00:00+00:00"\n  kind: update\n  text: Added an event.\n  events: [draft-only-event]\n')
    return project


def test_drafts_are_left_out_by_default(drafted: Project) -> None:
    run = drafted.run()
    assert (run.code, run.err) == (0, "")
    assert run.out.startswith("built site/: 1 events, 1 quotes, ")
    files = tree(drafted.site)
    assert "events/draft-only-event/index.html" not in files
    for name, data in files.items():
        assert b"draft-only-event" not in data and b"Not public yet" not in data and b"Off the record" not in data, name


def test_drafts_are_built_with_the_option(drafted: Project) -> None:
    run = drafted.run("--drafts")
    assert (run.code, run.err) == (0, "")
    assert run.out.startswith("built site/: 2 events, 2 quotes, ")
    assert "Not public yet" in (drafted.site / "events/draft-only-event/index.html").read_text()
    assert "Off the record." in (drafted.site / "quotes/index.html").read_text()
    assert 'href="../events/draft-only-event/"' in (drafted.site / "updates/index.html").read_text()


def test_a_draft_is_still_checked(drafted: Project) -> None:
    timeline = drafted.content / "timeline.yaml"
    timeline.write_text(timeline.read_text().replace("date: 2024-07-01", "date: 2024-07-32"))
    run = drafted.run()
    assert run.code == 1
    assert run.errors[0] == "content/timeline.yaml:8:9: event 'draft-only-event': date '2024-07-32' is not a valid date (use YYYY, YYYY-MM or YYYY-MM-DD)"


# -- --base-url -------------------------------------------------------------------------------------------------------


def test_base_url_option_sets_canonical_links_and_the_404_page(project: Project) -> None:
    assert project.run("--base-url", "https://news.example.com/explainers/pact").code == 0
    assert '<link rel="canonical" href="https://news.example.com/explainers/pact/events/first/">' in (project.site / "events/first/index.html").read_text()
    assert '<a href="/explainers/pact/sources/">' in (project.site / "404.html").read_text()
