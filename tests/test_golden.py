"""Golden output: the fixture sites built and compared file by file; every internal link resolves under a sub-path.

When a change to the templates or the generator is meant to change the output, regenerate and review the diff:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py
    git diff tests/sites/
"""

from __future__ import annotations

import difflib
import os
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from conftest import SITES, TEMPLATES, Project, tree

from explainer.builder import Options, build
from explainer.output import MARKER

FIXTURES = ["basic", "full"]

pytestmark = pytest.mark.usefixtures("compiled_templates")


def built(tmp_path: Path, fixture: str, **options: object) -> Path:
    out = tmp_path / f"{fixture}-site"
    build(Options(content=SITES / fixture / "content", templates=TEMPLATES, out=out, **options))  # type: ignore[arg-type]
    return out


def site_files(folder: Path) -> dict[str, bytes]:
    files = tree(folder)
    files.pop(MARKER, None)  # it lists the hashes of the other files: a diff of those says it all
    return files


def differences(expected: dict[str, bytes], actual: dict[str, bytes]) -> list[str]:
    """A unified diff per differing file, and the files only on one side."""
    report = [f"missing: {name}" for name in sorted(expected.keys() - actual.keys())]
    report += [f"unexpected: {name}" for name in sorted(actual.keys() - expected.keys())]
    for name in sorted(expected.keys() & actual.keys()):
        if expected[name] == actual[name]:
            continue
        try:
            old, new = expected[name].decode("utf-8").splitlines(), actual[name].decode("utf-8").splitlines()
        except UnicodeDecodeError:
            report.append(f"binary file differs: {name}")
            continue
        report.append("\n".join(difflib.unified_diff(old, new, f"expected/{name}", f"built/{name}", lineterm="")))
    return report


@pytest.mark.parametrize("fixture", FIXTURES)
def test_golden_output(tmp_path: Path, fixture: str) -> None:
    expected_dir = SITES / fixture / "expected"
    actual = site_files(built(tmp_path, fixture))
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        for name, data in actual.items():
            (expected_dir / name).parent.mkdir(parents=True, exist_ok=True)
            (expected_dir / name).write_bytes(data)
        pytest.skip(f"regenerated {expected_dir.relative_to(SITES.parent.parent)}: review it with git diff")
    assert expected_dir.is_dir(), "no expected output yet: run UPDATE_GOLDEN=1 pytest tests/test_golden.py"
    report = differences(tree(expected_dir), actual)
    assert not report, "the output differs from the golden files (UPDATE_GOLDEN=1 regenerates them):\n\n" + "\n\n".join(report)


def test_a_difference_is_shown_as_a_unified_diff() -> None:
    report = differences({"a.html": b"<p>one</p>\n<p>two</p>\n", "gone.css": b""}, {"a.html": b"<p>one</p>\n<p>2</p>\n", "new.js": b""})
    assert report == [
        "missing: gone.css",
        "unexpected: new.js",
        "--- expected/a.html\n+++ built/a.html\n@@ -1,2 +1,2 @@\n <p>one</p>\n-<p>two</p>\n+<p>2</p>",
    ]


# -- links ------------------------------------------------------------------------------------------------------------


class _Links(HTMLParser):
    """Every URL a page points at (href, src, a meta refresh), and every id it defines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        for name in ("href", "src"):
            if values.get(name) is not None:
                self.urls.append(str(values[name]))
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            self.urls.append(str(values.get("content") or "").partition("url=")[2])


def parse(data: bytes) -> _Links:
    links = _Links()
    links.feed(data.decode("utf-8"))
    return links


def broken_links(site: Path, base_url: str) -> list[str]:
    """Every internal link that does not lead to a file of the site (or to an id on that page).

    Each page is taken to be served at base_url + its path (a folder URL for index.html); the
    404 page is served at any missing address, so its links are tried from a deep one.
    """
    files = site_files(site)
    base = urlsplit(base_url)
    problems: list[str] = []
    for name, data in files.items():
        if not name.endswith(".html"):
            continue
        page_urls = [base_url + name.removesuffix("index.html")]
        if name == "404.html":
            page_urls = [base_url + "no/such/page/", base_url + "missing.html"]
        page = parse(data)
        for page_url in page_urls:
            for url in page.urls:
                if url.startswith("#"):  # this very page, wherever it is served
                    if url[1:] not in page.ids:
                        problems.append(f"{name}: {url} -> no such id on the page")
                    continue
                target = urlsplit(urljoin(page_url, url))
                if (target.scheme, target.netloc) != (base.scheme, base.netloc):
                    continue  # a source's address elsewhere on the web
                if not target.path.startswith(base.path):
                    problems.append(f"{name}: {url} leaves the site's path {base.path}")
                    continue
                path = target.path[len(base.path) :]
                path = path + "index.html" if path == "" or path.endswith("/") else path
                if path not in files:
                    problems.append(f"{name}: {url} -> {path} does not exist")
                elif target.fragment and path.endswith(".html") and target.fragment not in parse(files[path]).ids:
                    problems.append(f"{name}: {url} -> no id '{target.fragment}' in {path}")
    return problems


@pytest.mark.parametrize("fixture", FIXTURES)
def test_every_internal_link_resolves_under_a_sub_path(tmp_path: Path, fixture: str) -> None:
    site = built(tmp_path, fixture)
    assert broken_links(site, "https://example.org/fixture/") == []


@pytest.mark.parametrize("fixture", FIXTURES)
def test_every_internal_link_resolves_with_a_deeper_base_url(tmp_path: Path, fixture: str) -> None:
    site = built(tmp_path, fixture, base_url="https://news.example.com/explainers/2024/pact/")
    assert broken_links(site, "https://news.example.com/explainers/2024/pact/") == []


def test_every_internal_link_resolves_with_drafts(tmp_path: Path) -> None:
    site = built(tmp_path, "full", drafts=True)
    assert broken_links(site, "https://example.org/fixture/") == []


def test_the_link_checker_finds_broken_links(tmp_path: Path) -> None:
    site = built(tmp_path, "basic")
    (site / "sources/index.html").unlink()
    (site / "404.html").write_text('<a href="/sources/">root</a> <a href="/fixture/#nowhere">frag</a>')
    found = broken_links(site, "https://example.org/fixture/")
    assert "404.html: /sources/ leaves the site's path /fixture/" in found
    assert "404.html: /fixture/#nowhere -> no id 'nowhere' in index.html" in found
    assert "index.html: sources/ -> sources/index.html does not exist" in found


def test_relative_link_written_in_content_resolves_on_every_page_that_shows_it(project: Project) -> None:
    project.write(
        "timeline.yaml",
        """\
        - id: first
          date: 2024-06-19
          title: Something happens
          summary: It happened, as [the sources](sources/) show.
          phase: one
          sources: [s1]
        """,
    )
    assert project.run().code == 0
    assert broken_links(project.site, "https://example.org/scratch/") == []
