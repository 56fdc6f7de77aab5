"""Big inputs: oversized content files are refused before they are parsed, and a 10,000-event
explainer builds within a documented bound on peak memory (docs/guarantees.md).

Peak memory is measured with resource.getrusage in a small wrapper process whose only child is
the build, so that no other process of the test session counts.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import MINIMAL, REPO, TEMPLATES, Project

from explainer import markup, sources
from explainer.sources import MAX_FILE_BYTES

#: Events in the big explainer, and the most resident memory its build may use (docs/guarantees.md).
BIG_EVENTS = 10_000
PEAK_LIMIT_MB = 420


@pytest.mark.parametrize("name", ["timeline.yaml", "timeline/part-2.yaml", "pages/about.md", "site.yaml"])
def test_a_file_over_the_size_limit_is_refused_before_parsing(project: Project, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    path = project.content / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if name.startswith("timeline/"):
        project.remove("timeline.yaml")
        project.write("timeline/part-1.yaml", MINIMAL["timeline.yaml"])
    with path.open("wb") as file:
        file.truncate(MAX_FILE_BYTES + 1)  # a sparse file: its size is what counts, and it takes no room
    parsed: list[str] = []
    real = sources.parse_yaml

    def watch(text: str, file_name: str, *args: object, **kwargs: object) -> object:
        parsed.append(file_name)
        return real(text, file_name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sources, "parse_yaml", watch)
    run = project.run()
    assert run.code == 1, run
    shown = f"content/{name}"
    assert f"{shown}: file is {MAX_FILE_BYTES + 1:,} bytes, over the limit of {MAX_FILE_BYTES:,} (split it into a folder of smaller files)" in run.errors
    assert shown not in parsed
    assert "Traceback" not in run.err
    assert not project.site.exists()


def test_a_file_at_the_size_limit_is_read(project: Project) -> None:
    """The limit is inclusive: a file of exactly MAX_FILE_BYTES is content like any other (here: a comment, then the timeline)."""
    timeline = (project.content / "timeline.yaml").read_text()
    padding = "#" + "x" * (MAX_FILE_BYTES - len(timeline.encode()) - 2) + "\n"
    project.write("timeline.yaml", padding + timeline)
    assert (project.content / "timeline.yaml").stat().st_size == MAX_FILE_BYTES
    assert project.run("check").code == 0


def test_the_documented_limit_is_the_one_enforced() -> None:
    guarantees = (REPO / "docs" / "guarantees.md").read_text("utf-8")
    assert f"{MAX_FILE_BYTES:,} bytes" in guarantees
    assert f"{PEAK_LIMIT_MB:,} MB" in guarantees
    assert f"{markup.MAX_OPENERS:,}" in guarantees and f"{markup.MAX_NESTING}" in guarantees


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("[" * 5000 + "x", "paragraph 1 holds 5,000 '[' and '<' (at most 1,000 in one paragraph)"),
        ("<a " * 3000, "paragraph 1 holds 3,000 '[' and '<' (at most 1,000 in one paragraph)"),
        ("\n".join("    " * level + "- x" for level in range(400)), "nested"),
        ("\n".join("> " * level + "x" for level in range(1, 300)), "nested"),
    ],
)
def test_markdown_that_would_take_minutes_or_crash_is_not_converted(text: str, why: str) -> None:
    """Python-Markdown takes time quadratic in unclosed '[' and '<tag', and recurses once per nesting level: such text is shown as plain text."""
    rendered = markup.Converter().convert(text)
    assert why in rendered.refused
    assert rendered.html.startswith("<p>") and "<li>" not in rendered.html and "<a " not in rendered.html


def test_markdown_that_is_not_converted_is_reported_where_it_is(project: Project) -> None:
    project.write("phases.yaml", '- id: one\n  title: Part one\n  summary: "' + "[" * 2000 + '"\n')
    run = project.run()
    assert run.code == 1, run
    assert run.errors[0].startswith("content/phases.yaml:3:12: phase 'one': summary: Markdown not converted: paragraph 1 holds 2,000 '['"), run.errors


WRAPPER = textwrap.dedent(
    """
    import resource, subprocess, sys
    done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kilobytes, the largest of the build and its workers
    sys.stdout.write(f"{done.returncode} {peak}\\n" + done.stdout + done.stderr)
    """
)


def test_a_10000_event_explainer_builds_within_the_memory_bound(tmp_path: Path) -> None:
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from bench.synth import generate

    content = generate(tmp_path, BIG_EVENTS)
    command = [sys.executable, str(REPO / "build.py"), "--content", str(content), "--templates", str(TEMPLATES), "--out", str(tmp_path / "site"), "--quiet"]
    result = subprocess.run([sys.executable, "-c", WRAPPER, *command], cwd=tmp_path, capture_output=True, text=True, timeout=600)
    first, *output = result.stdout.splitlines()
    code, peak_kb = (int(x) for x in first.split())
    assert code == 0, "\n".join(output[-20:])
    assert json.loads((tmp_path / "site" / "data" / "timeline.json").read_bytes())["events"][BIG_EVENTS - 1]["id"].startswith("event-")
    peak_mb = peak_kb / 1024
    assert peak_mb < PEAK_LIMIT_MB, f"the build of {BIG_EVENTS:,} events peaked at {peak_mb:,.0f} MB, over the documented {PEAK_LIMIT_MB:,} MB"
