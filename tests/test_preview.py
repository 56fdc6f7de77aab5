"""`build.py serve` end to end: a real server process, real file edits, real headless Chromium.

The test never reloads or navigates the page and never asks the server over HTTP itself:
whatever the page shows, it got by itself through the live-reload connection.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import REPO, copy_project, free_port, launch, needs_chromium, serve

pytestmark = [needs_chromium, pytest.mark.browser]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = launch(p)
        yield chromium
        chromium.close()  # type: ignore[attr-defined]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), "utf-8")


def open_page(browser: object, url: str) -> object:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(url)
    # The live-reload script connects over a WebSocket; wait until the server knows this page.
    page.wait_for_function("() => window.LiveReload && window.LiveReload.connector && window.LiveReload.connector._isSocketConnected()", timeout=10000)
    return page


def heading(page: object) -> str:
    return str(page.inner_text("h1"))  # type: ignore[attr-defined]


def test_title_edit_appears_by_itself(browser: object, project: Path) -> None:
    with serve(project) as server:
        page = open_page(browser, server.url + "events/treaty-signed/")
        assert heading(page) == "Putin and Kim sign the treaty"
        edit(project / "content/timeline.yaml", "title: Putin and Kim sign the treaty", "title: The leaders sign the treaty")
        page.wait_for_function("() => document.querySelector('h1').textContent === 'The leaders sign the treaty'", timeout=10000)  # type: ignore[attr-defined]


def test_yaml_error_shows_error_page_then_fix_restores(browser: object, project: Path) -> None:
    with serve(project) as server:
        page = open_page(browser, server.url)
        timeline = project / "content/timeline.yaml"
        good = timeline.read_text("utf-8")
        timeline.write_text(
            good.replace("  phase: the-pact\n  actors: [vladimir-putin, kim-jong-un]", "  phase: the-pact\n  actors: [vladimir-putin, kim-jong-un", 1), "utf-8"
        )
        page.wait_for_selector("text=The site could not be built", timeout=10000)  # type: ignore[attr-defined]
        body = page.inner_text("body")  # type: ignore[attr-defined]
        assert "content/timeline.yaml:" in body
        line = next(
            n
            for n, text in enumerate(timeline.read_text("utf-8").split("\n"), 1)
            if text.startswith("  actors: [vladimir-putin, kim-jong-un") and not text.endswith("]")
        )
        assert any(f"content/timeline.yaml:{n}:" in body for n in (line, line + 1)), body
        assert "YAML syntax error" in body
        timeline.write_text(good, "utf-8")
        page.wait_for_selector("h1:has-text('Pact to deployment')", timeout=10000)  # type: ignore[attr-defined]
        assert "could not be built" not in page.inner_text("body")  # type: ignore[attr-defined]


#: True when the page shows exactly the built file from disk (passed as `html`): the same body, the same
#: head elements (in any order; the plugin appends what changed), and the plugin present but not on disk.
SHOWS_BUILT_PAGE = """(html) => {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const ours = (el) => el.localName === 'script' && (el.id === 'explainer-preview' || /livereload\\.js/.test(el.src || el.textContent));
  const head = (d) => [...d.head.children].filter((el) => !ours(el)).map((el) => el.outerHTML).sort().join('\\n');
  return !doc.getElementById('explainer-preview') && !!document.getElementById('explainer-preview')
    && document.title === doc.title && head(document) === head(doc) && document.body.isEqualNode(doc.body);
}"""


def built(project: Path, path: str) -> str:
    return (project / "site" / path / "index.html").read_text("utf-8")


def test_title_edit_is_shown_in_place(browser: object, project: Path) -> None:
    """No full reload: the page keeps its state (a marker on window, the scroll position, the focus) and then shows the built page exactly."""
    with serve(project) as server:
        page = open_page(browser, server.url + "events/treaty-signed/")
        assert page.evaluate(SHOWS_BUILT_PAGE, built(project, "events/treaty-signed"))  # type: ignore[attr-defined]
        page.evaluate("() => { window.notReloaded = true; document.querySelector('.brand').focus({ preventScroll: true }); scrollTo(0, 300); }")  # type: ignore[attr-defined]
        scrolled = page.evaluate("scrollY")  # type: ignore[attr-defined]
        assert scrolled > 0
        edit(project / "content/timeline.yaml", "title: Putin and Kim sign the treaty", "title: The leaders sign the treaty")
        page.wait_for_function("() => document.querySelector('h1').textContent === 'The leaders sign the treaty'", timeout=10000)  # type: ignore[attr-defined]
        assert page.evaluate("window.notReloaded") is True  # type: ignore[attr-defined]
        assert page.title().startswith("The leaders sign the treaty")  # type: ignore[attr-defined]
        assert page.evaluate("scrollY") == scrolled  # type: ignore[attr-defined]
        assert page.evaluate("document.activeElement.className") == "brand"  # type: ignore[attr-defined]
        server.wait_for("built:", count=2)  # the whole build (feeds and data files too) is on disk
        assert page.evaluate(SHOWS_BUILT_PAGE, built(project, "events/treaty-signed"))  # type: ignore[attr-defined]
        page.wait_for_function("() => window.explainerPreview && window.explainerPreview.painted > 0", timeout=5000)  # type: ignore[attr-defined]


def test_css_edit_is_shown_in_place(browser: object, project: Path) -> None:
    with serve(project) as server:
        page = open_page(browser, server.url + "events/treaty-signed/")
        page.evaluate("() => { window.notReloaded = true; }")  # type: ignore[attr-defined]
        edit(project / "templates/assets/style.css", "--paper: #fff;", "--paper: #fefce8;")
        page.wait_for_function("() => getComputedStyle(document.body).backgroundColor === 'rgb(254, 252, 232)'", timeout=10000)  # type: ignore[attr-defined]
        assert page.evaluate("window.notReloaded") is True  # type: ignore[attr-defined]
        server.wait_for("built:", count=2)
        page.wait_for_function("() => document.querySelectorAll('link[rel=stylesheet]').length === 1", timeout=5000)  # type: ignore[attr-defined]
        assert page.evaluate(SHOWS_BUILT_PAGE, built(project, "events/treaty-signed"))  # type: ignore[attr-defined]


def test_error_page_replaces_a_swappable_page_and_the_fix_brings_it_back(browser: object, project: Path) -> None:
    with serve(project) as server:
        page = open_page(browser, server.url + "events/treaty-signed/")
        page.evaluate("() => { window.notReloaded = true; }")  # type: ignore[attr-defined]
        timeline = project / "content/timeline.yaml"
        good = timeline.read_text("utf-8")
        edit(timeline, "  actors: [vladimir-putin, kim-jong-un]", "  actors: [vladimir-putin, kim-jong-un")
        page.wait_for_selector("text=The site could not be built", timeout=10000)  # type: ignore[attr-defined]
        assert "YAML syntax error" in page.inner_text("body")  # type: ignore[attr-defined]
        assert page.evaluate("window.notReloaded") is None  # type: ignore[attr-defined]
        page.wait_for_function("() => window.LiveReload && window.LiveReload.connector._isSocketConnected()", timeout=10000)  # type: ignore[attr-defined]
        timeline.write_text(good.replace("title: Putin and Kim sign the treaty", "title: Fixed and renamed"), "utf-8")
        page.wait_for_selector("h1:has-text('Fixed and renamed')", timeout=10000)  # type: ignore[attr-defined]
        assert "could not be built" not in page.inner_text("body")  # type: ignore[attr-defined]
        # The fixed page swaps in place again.
        page.wait_for_function("() => window.LiveReload && window.LiveReload.connector._isSocketConnected()", timeout=10000)  # type: ignore[attr-defined]
        page.evaluate("() => { window.notReloaded = true; }")  # type: ignore[attr-defined]
        edit(timeline, "title: Fixed and renamed", "title: Renamed again")
        page.wait_for_selector("h1:has-text('Renamed again')", timeout=10000)  # type: ignore[attr-defined]
        assert page.evaluate("window.notReloaded") is True  # type: ignore[attr-defined]


#: The explainer page's timeline as the reader sees it: the events shown, the filter form, the choice, the address.
TIMELINE = """() => ({
  shown: [...document.querySelectorAll('li.event')].filter((li) => li.checkVisibility()).map((li) => li.id),
  phases: [...document.querySelectorAll('.phase')].filter((el) => el.checkVisibility()).map((el) => el.id),
  form: document.getElementById('filters').checkVisibility(),
  count: document.querySelector('.filters [role=status]').textContent,
  choice: Object.fromEntries([...document.querySelectorAll('.filters select')].map((s) => [s.name, s.value])),
  search: location.search,
})"""

#: Counts the address changes filter.js makes: one per change of a filter, however many swaps came before.
COUNT_SAVES = """() => {
  window.saves = 0;
  const replace = history.replaceState.bind(history);
  history.replaceState = (...args) => { window.saves++; return replace(...args); };
}"""

#: The page shows exactly the built file apart from what filter.js sets (the form shown, the events it hides).
SHOWS_BUILT_BODY = """(html) => {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const body = document.body.cloneNode(true);
  body.querySelector('#filters').hidden = true;
  return body.isEqualNode(doc.body);
}"""


def choose(page: object, name: str, value: str) -> None:
    page.select_option(f"select[name={name}]", value)  # type: ignore[attr-defined]


def test_explainer_page_swaps_in_place_and_keeps_its_filters(browser: object, project: Path) -> None:
    """filter.js follows a swap: the choice, the hidden events, the count and the address stay, and the controls still work."""
    with serve(project) as server:
        page = open_page(browser, server.url)
        page.set_viewport_size({"width": 800, "height": 300})  # type: ignore[attr-defined]
        everything = page.evaluate(TIMELINE)  # type: ignore[attr-defined]
        assert everything["form"] and everything["count"] == "All 3 events" and len(everything["shown"]) == 3
        choose(page, "actor", "kim-jong-un")
        filtered = page.evaluate(TIMELINE)  # type: ignore[attr-defined]
        assert filtered["shown"] == ["treaty-signed"] and filtered["count"] == "1 of 3 events match"
        assert filtered["search"] == "?actor=kim-jong-un"
        page.evaluate(COUNT_SAVES)  # type: ignore[attr-defined]
        page.evaluate("() => { window.notReloaded = true; document.querySelector('select[name=actor]').focus({ preventScroll: true }); scrollTo(0, 200); }")  # type: ignore[attr-defined]
        scrolled = page.evaluate("scrollY")  # type: ignore[attr-defined]
        assert scrolled > 0
        edit(project / "content/timeline.yaml", "title: Putin and Kim sign the treaty", "title: The leaders sign the treaty")
        page.wait_for_selector(".event :text('The leaders sign the treaty')", timeout=10000)  # type: ignore[attr-defined]
        assert page.evaluate("window.notReloaded") is True  # type: ignore[attr-defined]
        assert page.evaluate(TIMELINE) == filtered  # type: ignore[attr-defined]
        assert page.evaluate("scrollY") == scrolled  # type: ignore[attr-defined]
        assert page.evaluate("document.activeElement.name") == "actor"  # type: ignore[attr-defined]
        assert page.evaluate("window.saves") == 0  # type: ignore[attr-defined]
        choose(page, "actor", "")  # the control still works after the swap, and its listener runs once
        assert page.evaluate("window.saves") == 1  # type: ignore[attr-defined]
        assert page.evaluate(TIMELINE) == everything  # type: ignore[attr-defined]
        server.wait_for("built:", count=2)
        assert page.evaluate(SHOWS_BUILT_BODY, built(project, "")), "the swapped page is the built one"  # type: ignore[attr-defined]
        page.click(".filters button")  # type: ignore[attr-defined]
        assert page.evaluate("window.saves") == 2  # type: ignore[attr-defined]


def test_explainer_page_swap_shows_new_filter_choices(browser: object, project: Path) -> None:
    """An edit that adds a tag or moves an event to another part shows in the filter controls and in what they keep,
    also when the swap replaces the form itself (a part gone: the timeline section is made again)."""
    timeline = project / "content/timeline.yaml"
    with serve(project) as server:
        page = open_page(browser, server.url)
        choose(page, "tag", "treaty")
        assert page.evaluate(TIMELINE)["count"] == "1 of 3 events match"  # type: ignore[attr-defined]
        page.evaluate(COUNT_SAVES)  # type: ignore[attr-defined]
        page.evaluate("() => { window.notReloaded = true; window.firstForm = document.getElementById('filters'); }")  # type: ignore[attr-defined]
        edit(timeline, "  date_label: June 2024\n", "  date_label: June 2024\n  tags: [treaty, economy]\n")
        page.wait_for_selector("select[name=tag] option[value=economy]", state="attached", timeout=10000)  # type: ignore[attr-defined]
        now = page.evaluate(TIMELINE)  # type: ignore[attr-defined]
        assert sorted(now["shown"]) == ["treaty-month", "treaty-signed"] and now["count"] == "2 of 3 events match", now
        assert now["choice"]["tag"] == "treaty" and now["search"] == "?tag=treaty" and now["form"]
        assert page.inner_text("select[name=tag] option[value=treaty]").endswith("(2)")  # type: ignore[attr-defined]
        # The only event of the part "Background" moves to "The pact": that part, its section and its filter choice go.
        edit(timeline, "  phase: background\n", "  phase: the-pact\n")
        page.wait_for_function("() => !document.querySelector('select[name=phase] option[value=background]')", timeout=10000)  # type: ignore[attr-defined]
        assert page.evaluate("window.notReloaded") is True  # type: ignore[attr-defined]
        assert page.evaluate("window.firstForm.isConnected") is False, "the swap replaced the form"  # type: ignore[attr-defined]
        now = page.evaluate(TIMELINE)  # type: ignore[attr-defined]
        assert now["phases"] == ["phase-the-pact"] and now["count"] == "2 of 3 events match" and now["form"], now
        assert now["choice"]["tag"] == "treaty" and now["search"] == "?tag=treaty"
        assert page.evaluate("window.saves") == 0  # type: ignore[attr-defined]
        choose(page, "tag", "economy")  # the new form's controls work, bound once
        assert page.evaluate(TIMELINE)["shown"] == ["treaty-month"]  # type: ignore[attr-defined]
        page.screenshot(path=str(REPO / "tests/artifacts/preview-explainer-swapped.png"), full_page=True)  # type: ignore[attr-defined]
        assert page.evaluate("[window.saves, location.search]") == [1, "?tag=economy"]  # type: ignore[attr-defined]
        page.click(".filters button")  # type: ignore[attr-defined]
        assert page.evaluate("[window.saves, location.search]") == [2, ""]  # type: ignore[attr-defined]
        assert page.evaluate(TIMELINE)["count"] == "All 3 events"  # type: ignore[attr-defined]


SCRIPT_NAME = "() => document.querySelector('script[data-preview-swap]').src"


def test_explainer_page_reloads_fully_when_its_script_changes(browser: object, project: Path) -> None:
    """A new filter.js (a new hashed name) would not run on a swapped page: full reload; the choice is kept in the address."""
    with serve(project) as server:
        page = open_page(browser, server.url)
        script = page.evaluate(SCRIPT_NAME)  # type: ignore[attr-defined]
        assert "/assets/filter." in script
        choose(page, "actor", "kim-jong-un")
        filtered = page.evaluate(TIMELINE)  # type: ignore[attr-defined]
        page.evaluate("() => { window.notReloaded = true; }")  # type: ignore[attr-defined]
        edit(project / "templates/assets/filter.js", "(() => {", "// changed\n(() => {")
        page.wait_for_function("() => window.notReloaded === undefined && document.readyState === 'complete'", timeout=10000)  # type: ignore[attr-defined]
        page.wait_for_function("() => document.getElementById('filters').checkVisibility()", timeout=5000)  # type: ignore[attr-defined]
        assert page.evaluate(TIMELINE) == filtered  # type: ignore[attr-defined]
        assert page.evaluate(SCRIPT_NAME) != script, "the page runs the new filter.js"  # type: ignore[attr-defined]


def test_embed_page_with_its_own_script_reloads_fully(browser: object, project: Path) -> None:
    """The embed page's inline script does not follow a swap: livereload's full reload."""
    with serve(project) as server:
        page = open_page(browser, server.url + "embed/")
        page.evaluate("() => { window.notReloaded = true; }")  # type: ignore[attr-defined]
        edit(project / "content/timeline.yaml", "title: Putin and Kim sign the treaty", "title: The leaders sign the treaty")
        page.wait_for_selector(":text('The leaders sign the treaty')", timeout=10000)  # type: ignore[attr-defined]
        assert page.evaluate("window.notReloaded") is None  # type: ignore[attr-defined]


def test_media_edit_reloads_fully(browser: object, project: Path) -> None:
    """A media file keeps its name when it changes: only a full reload fetches it again."""
    from PIL import Image

    media = project / "content/media"
    media.mkdir()
    Image.new("RGB", (40, 20), (200, 0, 0)).save(media / "photo.png")
    edit(project / "content/timeline.yaml", "  phase: the-pact\n", "  phase: the-pact\n  media: {file: photo.png, alt: A red square}\n")
    with serve(project) as server:
        page = open_page(browser, server.url + "events/treaty-signed/")
        page.evaluate("() => { window.notReloaded = true; }")  # type: ignore[attr-defined]
        Image.new("RGB", (40, 20), (0, 0, 200)).save(media / "photo.png")
        page.wait_for_function("() => window.notReloaded === undefined && document.readyState === 'complete'", timeout=10000)  # type: ignore[attr-defined]
        page.wait_for_function("() => document.querySelector('figure.media img').complete", timeout=5000)  # type: ignore[attr-defined]
        blue = page.evaluate(  # type: ignore[attr-defined]
            """() => { const img = document.querySelector('figure.media img'); const c = document.createElement('canvas');
                 c.width = 1; c.height = 1; c.getContext('2d').drawImage(img, 0, 0); return [...c.getContext('2d').getImageData(0, 0, 1, 1).data]; }"""
        )
        assert blue[:3] == [0, 0, 200], blue


def test_reload_kind(project: Path) -> None:
    from explainer.builder import Options
    from explainer.preview import FULL_RELOAD, SWAP, Preview

    preview = Preview(Options(project / "content", project / "templates", project / "site"), quiet=True)
    assert preview.reload_kind({str(project / "content/timeline.yaml"), str(project / "templates/event.html")}) == SWAP
    assert preview.reload_kind({str(project / "templates/assets/style.css"), str(project / "templates/assets/filter.js")}) == SWAP
    assert preview.reload_kind({str(project / "content/timeline.yaml"), str(project / "content/media/a.jpg")}) == FULL_RELOAD
    assert preview.reload_kind({str(project / "templates/assets/favicon.svg")}) == FULL_RELOAD


def test_template_error_names_template_and_line(browser: object, project: Path) -> None:
    with serve(project) as server:
        page = open_page(browser, server.url)
        template = project / "templates/event.html"
        lines = template.read_text("utf-8").split("\n")
        number = next(n for n, text in enumerate(lines, 1) if "<h1>{{ event.title }}</h1>" in text)
        edit(template, "<h1>{{ event.title }}</h1>", "<h1>{{ event.title | no_such_filter }}</h1>")
        page.wait_for_selector("text=The site could not be built", timeout=10000)  # type: ignore[attr-defined]
        body = page.inner_text("body")  # type: ignore[attr-defined]
        assert f"templates/event.html:{number}:" in body, body
        assert "no_such_filter" in body


def test_css_change_is_applied(browser: object, project: Path) -> None:
    with serve(project) as server:
        page = open_page(browser, server.url)
        before = page.evaluate("getComputedStyle(document.body).backgroundColor")  # type: ignore[attr-defined]
        assert before == "rgb(255, 255, 255)"
        edit(project / "templates/assets/style.css", "--paper: #fff;", "--paper: #fefce8;")
        page.wait_for_function("() => getComputedStyle(document.body).backgroundColor === 'rgb(254, 252, 232)'", timeout=10000)  # type: ignore[attr-defined]


def test_two_saves_half_a_second_apart_both_arrive(browser: object, project: Path) -> None:
    with serve(project) as server:
        page = open_page(browser, server.url + "events/treaty-signed/")
        timeline = project / "content/timeline.yaml"
        edit(timeline, "title: Putin and Kim sign the treaty", "title: First save")
        page.wait_for_function("() => document.querySelector('h1').textContent === 'First save'", timeout=5000)  # type: ignore[attr-defined]
        time.sleep(0.5)
        edit(timeline, "title: First save", "title: Second save")
        page.wait_for_function("() => document.querySelector('h1').textContent === 'Second save'", timeout=5000)  # type: ignore[attr-defined]


def test_fifty_files_changed_at_once_give_one_rebuild(project: Path) -> None:
    folder = project / "content/timeline"
    folder.mkdir()
    (project / "content/timeline.yaml").rename(folder / "000.yaml")
    for number in range(1, 50):
        (folder / f"{number:03d}.yaml").write_text("[]\n", "utf-8")
    with serve(project) as server:
        assert server.count("built:") == 1
        time.sleep(0.3)
        for number in range(1, 50):
            (folder / f"{number:03d}.yaml").write_text("# touched\n[]\n", "utf-8")
        edit(folder / "000.yaml", "title: Putin and Kim sign the treaty", "title: Fifty at once")
        server.wait_for("built:", count=2)
        time.sleep(1.0)
        assert server.count("built:") == 2, "\n".join(server.lines)
        assert "Fifty at once" in (project / "site/events/treaty-signed/index.html").read_text("utf-8")


def test_editor_temp_files_do_not_rebuild(project: Path) -> None:
    with serve(project) as server:
        for name in (".timeline.yaml.swp", "timeline.yaml~", ".#timeline.yaml", "4913"):
            (project / "content" / name).write_text("junk", "utf-8")
        time.sleep(0.8)
        assert server.count("changed:") == 0, "\n".join(server.lines)


def test_failing_first_build_keeps_serving_until_fixed(browser: object, project: Path) -> None:
    site = project / "content/site.yaml"
    good = site.read_text("utf-8")
    site.write_text(good.replace("language: en", "language: en\nlanguage: fr"), "utf-8")
    with serve(project) as server:
        assert server.process.poll() is None
        page = browser.new_page()  # type: ignore[attr-defined]
        page.goto(server.url)
        assert "key 'language' is given twice" in page.inner_text("body")
        page.wait_for_function("() => window.LiveReload && window.LiveReload.connector._isSocketConnected()", timeout=10000)
        site.write_text(good, "utf-8")
        page.wait_for_selector("h1:has-text('Pact to deployment')", timeout=10000)


def test_port_in_use_gives_a_clear_message(project: Path) -> None:
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        result = subprocess.run([sys.executable, str(REPO / "build.py"), "serve", "--port", str(port)], cwd=project, capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert f"try --port {port + 1}" in result.stderr
    assert "Traceback" not in result.stderr


def test_sigterm_stops_cleanly_and_frees_the_port(project: Path) -> None:
    with serve(project) as server:
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=10) == 0
        server.wait_for("stopped")
        with socket.socket() as again:
            again.bind(("127.0.0.1", server.port))


@pytest.mark.parametrize("sigint_ignored", [False, True], ids=["foreground", "started-with-sigint-ignored"])
def test_ctrl_c_stops_cleanly(project: Path, sigint_ignored: bool) -> None:
    with serve(project, sigint_ignored=sigint_ignored) as server:
        server.process.send_signal(signal.SIGINT)
        assert server.process.wait(timeout=10) == 0
        assert "Traceback" not in "\n".join(server.lines)


def test_refuses_output_inside_a_watched_folder(project: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "serve", "--out", "content/site-out", "--port", str(free_port())],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "overlaps the source folder content" in result.stderr
    assert not (project / "content/site-out").exists()


def listening_addresses(port: int) -> list[str]:
    """Local addresses of sockets listening on a port, from /proc/net/tcp and tcp6."""
    found = []
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        for line in table.read_text().splitlines()[1:] if table.exists() else []:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if fields[3] == "0A" and int(hex_port, 16) == port:
                found.append(address)
    return found


def test_binds_loopback_by_default(project: Path) -> None:
    with serve(project) as server:
        assert any(f"at http://127.0.0.1:{server.port}/" in line for line in server.lines)
        assert listening_addresses(server.port) == ["0100007F"]  # 127.0.0.1, little-endian hex


def test_other_host_is_used_and_warned_about(project: Path) -> None:
    with serve(project, "--host", "0.0.0.0") as server:
        assert listening_addresses(server.port) == ["00000000"]
        assert any("warning: serving on 0.0.0.0" in line for line in server.lines)
