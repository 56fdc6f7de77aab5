"""Shared pieces of the publishing tests: fixture sites built into temp folders, and HTML read back."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

from conftest import SITES, TEMPLATES, tree

from explainer.builder import Options, Result, build
from explainer.output import MARKER


def copy_fixture(tmp: Path, fixture: str = "basic") -> Path:
    """A writable copy of a fixture's content folder."""
    target = tmp / "content"
    shutil.copytree(SITES / fixture / "content", target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def build_site(content: Path, out: Path, **options: object) -> tuple[Result, dict[str, bytes]]:
    """Build content with the project's templates into out; the files written, without the manifest."""
    result = build(Options(content=content, templates=TEMPLATES, out=out, **options))  # type: ignore[arg-type]
    files = tree(out)
    files.pop(MARKER, None)
    return result, files


class Head(HTMLParser):
    """The <meta>, <link> and <script type=application/ld+json> elements of a page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.links: list[dict[str, str]] = []
        self.jsonld: list[str] = []
        self.title = ""
        self._in: str = ""
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "meta":
            key = values.get("property") or values.get("name") or values.get("http-equiv")
            if key:
                self.meta.setdefault(key, []).append(values.get("content", ""))
        elif tag == "link":
            self.links.append(values)
        elif tag == "script" and values.get("type") == "application/ld+json":
            self._in = "jsonld"
            self.jsonld.append("")
        elif tag == "title":
            self._in = "title"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "title"):
            self._in = ""

    def handle_data(self, data: str) -> None:
        if self._in == "jsonld":
            self.jsonld[-1] += data
        elif self._in == "title":
            self.title += data

    def one(self, key: str) -> str:
        values = self.meta.get(key, [])
        assert len(values) == 1, f"{key}: {values}"
        return values[0]
