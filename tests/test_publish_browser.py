"""In headless Chromium: TimelineJS3 itself renders data/timelinejs.json; the embed is accessible, valid and fits its frame."""

from __future__ import annotations

import functools
import html
import http.server
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_support import REPO, free_port, launch, needs_chromium
from publish_support import build_site, copy_fixture, edit

pytestmark = [needs_chromium, pytest.mark.browser]

NPM = REPO / "tests" / "npm" / "node_modules"
TIMELINEJS = NPM / "@knight-lab" / "timelinejs" / "dist"
AXE = NPM / "axe-core" / "axe.min.js"
VNU = NPM / "vnu-jar" / "build" / "dist" / "vnu.jar"


def npm_file(path: Path) -> Path:
    """A file from tests/npm/node_modules; skipped off CI when `npm install` never ran there (scripts/test.sh runs it)."""
    if not path.exists():
        if os.environ.get("CI"):
            raise AssertionError(f"{path} is missing: scripts/test.sh installs tests/npm")
        pytest.skip(f"{path.relative_to(REPO)} is missing: run npm install in tests/npm")
    return path


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The real explainer built for a loopback address and served there; yields (base URL, folder)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/"
    root = tmp_path_factory.mktemp("browser") / "site"
    build_site(REPO / "content", root, base_url=base)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base, root
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium: Any = launch(p)
        yield chromium
        chromium.close()


def open_page(browser: Any, errors: list[str], **options: Any) -> Any:
    """A page that records console errors, uncaught exceptions and any request that leaves this machine."""
    page = browser.new_page(**options)
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"exception: {e}"))

    def only_local(route: Any) -> None:
        if route.request.url.startswith(("http://127.0.0.1:", "http://localhost:", "data:", "about:")):
            route.continue_()
        else:
            errors.append(f"network: {route.request.url}")
            route.abort()

    page.route("**/*", only_local)
    return page


# -- TimelineJS3 ----------------------------------------------------------------------------------


def test_timelinejs_renders_one_slide_per_event_and_the_title(served: tuple[str, Path], browser: Any) -> None:
    base, root = served
    shutil.copytree(npm_file(TIMELINEJS), root / "timelinejs", dirs_exist_ok=True)
    (root / "timelinejs.html").write_text(
        """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>TimelineJS check</title>
<link rel="stylesheet" href="timelinejs/css/timeline.css">
<script src="timelinejs/js/timeline.js"></script></head>
<body><div id="timeline" style="width: 1000px; height: 650px"></div>
<script>
fetch("data/timelinejs.json").then((r) => r.json()).then((data) => {
  // Self-hosted: the locale and the font CSS come from script_path; this font set loads no web fonts.
  const options = { hash_bookmark: false, script_path: new URL("timelinejs/js/", location.href).href, font: "georgia-helvetica" };
  window.timeline = new TL.Timeline("timeline", data, options);
});
</script></body></html>
""",
        "utf-8",
    )
    data = json.loads((root / "data" / "timelinejs.json").read_text("utf-8"))
    errors: list[str] = []
    page = open_page(browser, errors)
    page.goto(base + "timelinejs.html")
    page.wait_for_function("() => document.querySelectorAll('.tl-slide').length > 1", timeout=20000)
    page.wait_for_timeout(500)
    slides = page.eval_on_selector_all(".tl-slide", "els => els.map(e => e.id)")
    assert len(slides) == len(data["events"]) + 1  # the title slide and one per event
    assert set(slides) >= {e["unique_id"] for e in data["events"]}  # our ids, not slugs of headlines
    headline = page.inner_text(".tl-slide-titleslide .tl-headline-title, .tl-slide-titleslide h2")
    assert headline.strip() == data["title"]["text"]["headline"]
    markers = page.eval_on_selector_all(".tl-timemarker", "els => els.length")
    assert markers == len(data["events"])
    eras = page.eval_on_selector_all(".tl-timeera", "els => els.length")
    assert eras == len(data["eras"])
    assert errors == []
    page.close()


# -- the embed ------------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_embed_is_accessible(served: tuple[str, Path], browser: Any, scheme: str) -> None:
    base, _ = served
    errors: list[str] = []
    page = open_page(browser, errors, color_scheme=scheme, viewport={"width": 420, "height": 700})
    page.goto(base + "embed/")
    page.add_script_tag(path=str(npm_file(AXE)))
    result = page.evaluate("() => axe.run(document, { resultTypes: ['violations'] })")
    violations = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert violations == []
    assert page.evaluate("() => document.documentElement.lang") == "en"
    assert page.title() == "Timeline · From treaty to troops: North Korea, Russia and the war in Ukraine"
    assert page.eval_on_selector_all("header, main, footer", "els => els.map(e => e.tagName)") == ["HEADER", "MAIN", "FOOTER"]
    assert errors == []
    page.close()


def test_the_embed_is_valid_html(served: tuple[str, Path]) -> None:
    _, root = served
    if shutil.which("java") is None:
        pytest.skip("java is not installed: the Nu HTML Checker needs it")
    done = subprocess.run(
        ["java", "-jar", str(npm_file(VNU)), "--format", "json", "--also-check-css", str(root / "embed" / "index.html")],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(done.stderr or done.stdout)["messages"]
    assert [(m["type"], m.get("lastLine"), m["message"]) for m in messages] == []


def host_page(root: Path, name: str, snippet: str) -> None:
    (root / name).write_text(
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Host</title></head>\n<body><h1>A host page</h1>\n{snippet}\n</body></html>\n'
    )


def embed_code(root: Path) -> str:
    """The embed code the explainer shows to copy, as text."""
    page = (root / "index.html").read_text("utf-8")
    return html.unescape(page.split('<textarea id="embed-code"')[1].split(">", 1)[1].split("</textarea>")[0])


def test_the_embed_takes_its_content_height_where_the_host_allows(served: tuple[str, Path], browser: Any) -> None:
    base, root = served
    host_page(root, "host.html", embed_code(root))
    errors: list[str] = []
    page = open_page(browser, errors, viewport={"width": 900, "height": 800})
    # The host is another origin (localhost) than the embed (127.0.0.1), as on the web.
    page.goto(base.replace("127.0.0.1", "localhost") + "host.html")
    page.frame_locator("iframe").locator("main").wait_for()
    page.wait_for_function("() => parseFloat(document.querySelector('iframe').style.height) > 640", timeout=10000)
    page.wait_for_timeout(300)
    height = page.evaluate("() => document.querySelector('iframe').getBoundingClientRect().height")
    scroll, inner = page.frame_locator("iframe").locator("html").evaluate("e => [e.scrollHeight, window.innerHeight]")
    assert height > 640
    assert abs(scroll - inner) <= 1  # no scrolling inside: the frame fits its content
    assert errors == []
    page.close()


def test_the_embed_works_at_a_fixed_height_without_scripts(served: tuple[str, Path], browser: Any) -> None:
    base, root = served
    host_page(root, "host-fixed.html", f'<iframe src="{base}embed/" title="Timeline" width="100%" height="400" style="border:0"></iframe>')
    errors: list[str] = []
    page = open_page(browser, errors, viewport={"width": 900, "height": 800})
    page.goto(base.replace("127.0.0.1", "localhost") + "host-fixed.html")
    page.frame_locator("iframe").locator("footer").wait_for(state="attached")
    page.wait_for_timeout(300)
    assert page.evaluate("() => document.querySelector('iframe').getBoundingClientRect().height") == 400
    scroll, height = page.frame_locator("iframe").locator("html").evaluate("e => [e.scrollHeight, window.innerHeight]")
    assert height == 400 and scroll > height  # it scrolls inside its frame
    page.frame_locator("iframe").locator("footer a").scroll_into_view_if_needed()
    assert page.frame_locator("iframe").locator("footer a").is_visible()
    assert errors == []
    page.close()


def test_a_message_from_another_origin_does_not_resize_the_frame(served: tuple[str, Path], browser: Any) -> None:
    base, root = served
    host_page(root, "host-other.html", embed_code(root).replace("/embed/", "/timelinejs.html"))  # any page but ours
    errors: list[str] = []
    page = open_page(browser, errors)
    page.goto(base.replace("127.0.0.1", "localhost") + "host-other.html")
    page.evaluate("() => window.postMessage({type: 'explainer-embed:height', height: 5000}, '*')")
    page.wait_for_timeout(300)
    assert page.evaluate("() => document.querySelector('iframe').getBoundingClientRect().height") == 640
    page.close()


# -- renamed events -------------------------------------------------------------------------------


def test_an_old_event_address_takes_the_reader_to_the_event(tmp_path: Path, browser: Any) -> None:
    content = copy_fixture(tmp_path)
    edit(content / "timeline.yaml", "  tags: [un, sanctions]\n", "  tags: [un, sanctions]\n  aliases: [veto]\n")
    port = free_port()
    base = f"http://127.0.0.1:{port}/fixture/"
    build_site(content, tmp_path / "root" / "fixture", base_url=base)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(_Quiet, directory=str(tmp_path / "root")))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        errors: list[str] = []
        page = open_page(browser, errors)
        page.goto(base + "events/veto/")
        page.wait_for_url(base + "events/un-panel-veto/", timeout=10000)
        assert page.inner_text("h1") == "Russia vetoes the UN sanctions panel"
        assert errors == []
        page.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
