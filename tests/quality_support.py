"""Shared pieces of the quality tests: the real explainer built once, a loopback server, Chromium, the npm tools.

Each quality test module makes its own module-scoped fixtures from these (one browser and one
server per module); the build of the real explainer is shared by the whole session.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, REPO

NPM = REPO / "tests" / "npm" / "node_modules"
ARTIFACTS = REPO / "tests" / "artifacts"
WIDTHS = (320, 375, 768, 1280)
SCHEMES = ("light", "dark")

#: The npm tools the quality tests run, by the path of their entry file inside node_modules.
AXE = "axe-core/axe.min.js"
VNU = "vnu-jar/build/dist/vnu.jar"
LIGHTHOUSE = "lighthouse/cli/index.js"


def npm_tool(relative: str) -> Path:
    """The path of an npm tool; skip (with the reason) only off CI when tests/npm was never installed."""
    path = NPM / relative
    if path.exists():
        return path
    if not NPM.is_dir() and not os.environ.get("CI"):
        pytest.skip(f"tests/npm/node_modules is missing: run `npm install` in tests/npm (scripts/test.sh does) to get {relative.split('/')[0]}")
    raise AssertionError(f"{path} is missing: run `npm install` in tests/npm (scripts/test.sh does)")


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or bool(os.environ.get("CI"))


_built: dict[str, Any] = {}


@dataclass(frozen=True)
class Built:
    """The real explainer built into a folder, and the URL path it is published under (its base_url's path)."""

    folder: Path
    prefix: str
    explainer: Any  # explainer.model.Explainer: what the pages must show


def built_site(factory: pytest.TempPathFactory) -> Built:
    """The real explainer (content/ and templates/ of this repository), built once per session into a temp folder."""
    if "site" not in _built:
        from explainer.builder import Options, build

        out = factory.mktemp("quality") / "site"
        result = build(Options(content=REPO / "content", templates=REPO / "templates", out=out))
        _built["site"] = Built(out, urlsplit(result.explainer.site.base_url).path or "/", result.explainer)
    site: Built = _built["site"]
    return site


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Files of the built site under its URL prefix, as a static host serves them: the site's 404.html for anything else."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        route = urlsplit(path).path
        if route == "/robots.txt":  # crawlers ask the origin's root; the publisher puts the site's file there
            return str(Path(self.directory) / "robots.txt")
        if not route.startswith(self.prefix):
            return str(Path(self.directory) / "missing" / "outside-the-site")
        return super().translate_path("/" + route[len(self.prefix) :])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.exists():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def static_server(site: Built) -> Iterator[str]:
    """Serve a built site on a free loopback port under its URL prefix; yield its base URL; stop the server when done."""
    handler = type("Handler", (_Handler,), {"prefix": site.prefix})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site.folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{site.prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's headless Chromium through Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def page_kinds(site: Path) -> dict[str, str]:
    """One page of every kind the site has, by kind: its path under the site root (a URL path)."""
    events = sorted(p.parent.name for p in (site / "events").glob("*/index.html") if b"http-equiv" not in p.read_bytes())
    people = sorted(p.parent.name for p in (site / "people").glob("*/index.html"))
    # the prose page worth checking: one with a table if there is one, else the longest
    prose = sorted(
        prose_pages(site), key=lambda path: (b"<table" not in (site / path / "index.html").read_bytes(), -(site / path / "index.html").stat().st_size)
    )
    kinds = {
        "explainer": "",
        "event": f"events/{events[0]}/",
        "quotes": "quotes/",
        "person": f"people/{people[0]}/",
        "people": "people/",
        "sources": "sources/",
        "updates": "updates/",
        "page": prose[0],
        "404": "404.html",
    }
    if (site / "embed" / "index.html").exists():
        kinds["embed"] = "embed/"
    return kinds


def prose_pages(site: Path) -> list[str]:
    """The URL paths of the prose pages (content/pages/*.md): the top-level folders that are not a section of their own."""
    sections = {"events", "people", "quotes", "sources", "updates", "embed", "assets", "data", "media"}
    return sorted(f"{p.parent.name}/" for p in site.glob("*/index.html") if p.parent.name not in sections)


def all_pages(site: Path) -> list[str]:
    """The URL path of every HTML page of the site except redirects."""
    paths = []
    for path in sorted(site.rglob("*.html")):
        if b'http-equiv="refresh"' in path.read_bytes():
            continue
        rel = path.relative_to(site).as_posix()
        paths.append(rel.removesuffix("index.html"))
    return paths


def artifact(name: str) -> Path:
    """A path in tests/artifacts/ (ignored by git) for something a test keeps for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / re.sub(r"[^A-Za-z0-9._-]+", "_", name)
