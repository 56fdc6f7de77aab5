"""Save-to-visible latency of `build.py serve`, measured in real headless Chromium.

For each of N edits: change an event's title in the content file, then wait until the open
page shows it (the preview's plugin swaps the rebuilt page in place, or livereload reloads it).
"Visible" is on the browser's clock, which is the wall clock `time.time()` reads at the save:
for a swap, the start of the animation frame after the one that rendered the change (so that
frame has been presented); for a full reload, the reloaded page's first contentful paint.
Reports median and 95th percentile per explainer, and how many edits were shown in place, and
writes them into docs/benchmarks.md between markers.

    .venv/bin/python bench/latency.py            # default explainer and a synthetic 1,000-event one
    .venv/bin/python bench/latency.py --no-swap  # the same with full reloads only (the plugin kept out)
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from browser_support import launch, serve  # noqa: E402

from bench.synth import copy_default, generate  # noqa: E402

#: A full reload: when the reloaded page first painted.
FIRST_PAINT = """() => {
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const nav = performance.getEntriesByType('navigation')[0];
  return performance.timeOrigin + (paint ? paint.startTime : nav.domContentLoadedEventEnd);
}"""
#: A swap in place (see explainer/preview.js): the start of the frame after the one that rendered it.
SWAP_SHOWN = "(swaps) => window.explainerPreview && window.explainerPreview.swaps > swaps && window.explainerPreview.shown"
#: Keeps the preview's plugin from registering (its window property ignores writes): every change is a full reload.
NO_SWAP = "Object.defineProperty(window, 'LiveReloadPluginExplainerSwap', { set() {}, get() {} });"
#: How far the browser's clock is from the wall clock (ms); both sides of a sample must be on the same clock.
CLOCK_SKEW = "() => Date.now() - (performance.timeOrigin + performance.now())"


def measure(project: Path, page_path: str, file: str, title: str, edits: int, swap: bool = True, where: str = "h1") -> tuple[list[float], int]:
    """Save-to-visible samples (ms), and how many of them were swapped in place; `where` selects the element that shows the title."""
    from playwright.sync_api import sync_playwright

    target = project / file
    original = target.read_text("utf-8")  # put back at the end, for the next measurement
    samples = []
    in_place = 0
    with serve(project, "--quiet") as server, sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()  # type: ignore[attr-defined]
        if not swap:
            page.add_init_script(NO_SWAP)
        page.goto(server.url + page_path)
        page.wait_for_function("() => window.LiveReload && window.LiveReload.connector._isSocketConnected()")
        current = title
        for number in range(edits + 2):
            new = f"Latency probe {number}"
            text = target.read_text("utf-8")
            swaps = page.evaluate("() => { window.notReloaded = true; return window.explainerPreview ? window.explainerPreview.swaps : 0; }")
            saved = time.time() * 1000
            target.write_text(text.replace(f"title: {current}\n", f"title: {new}\n", 1), "utf-8")
            page.wait_for_function(f"() => document.querySelector({where!r}) && document.querySelector({where!r}).textContent === {new!r}", timeout=10000)
            # When the writer saw it, on the same clock as `saved`.
            swapped = page.evaluate("() => window.notReloaded === true")
            shown = page.wait_for_function(SWAP_SHOWN, arg=swaps, timeout=5000).json_value() if swapped else page.evaluate(FIRST_PAINT)
            skew = page.evaluate(CLOCK_SKEW)
            assert abs(skew) < 5, f"the browser's clock is {skew:.1f} ms off the wall clock"
            if number >= 2:  # the first edits warm the caches
                samples.append(shown - saved)
                in_place += swapped
            current = new
            page.wait_for_function("() => window.LiveReload && window.LiveReload.connector._isSocketConnected()")
            time.sleep(0.2)
        browser.close()  # type: ignore[attr-defined]
    target.write_text(original, "utf-8")
    return samples, in_place


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--no-docs", action="store_true", help="print only; do not update docs/benchmarks.md")
    parser.add_argument("--no-swap", action="store_true", help="full page reloads only, for comparison (implies --no-docs)")
    args = parser.parse_args()
    swap = not args.no_swap
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        default = copy_default(Path(tmp) / "default", REPO)
        timeline = (default / "content/timeline.yaml").read_text("utf-8")
        first = re.search(r"^- id: (\S+)\n(?:  .*\n)*?  title: (.+)$", timeline, re.M)
        assert first is not None
        rows.append(
            ("default explainer, an event page", measure(default, f"events/{first.group(1)}/", "content/timeline.yaml", first.group(2), args.edits, swap))
        )
        rows.append(
            ("default explainer, the explainer page", measure(default, "", "content/timeline.yaml", first.group(2), args.edits, swap, f"#{first.group(1)} h3"))
        )
        synthetic = Path(tmp) / "synthetic"
        generate(synthetic, 1000)
        shutil.copytree(REPO / "templates", synthetic / "templates")
        title = re.search(r"^- id: event-0\n(?:  .*\n)*?  title: (.+)$", (synthetic / "content/timeline/0000.yaml").read_text("utf-8"), re.M)
        assert title is not None
        rows.append(
            ("synthetic, 1,000 events, an event page", measure(synthetic, "events/event-0/", "content/timeline/0000.yaml", title.group(1), args.edits, swap))
        )
    lines = [
        "| explainer | edits | shown in place | median | 95th percentile |",
        "|---|---:|---:|---:|---:|",
        *(f"| {name} | {len(s)} | {n} | {statistics.median(s):.0f} ms | {percentile(s, 0.95):.0f} ms |" for name, (s, n) in rows),
    ]
    table = "\n".join(lines)
    print(table)
    if swap and not args.no_docs:
        write_section(REPO / "docs/benchmarks.md", "latency", table)


def write_section(path: Path, name: str, body: str) -> None:
    """Replace the text between <!-- name:start --> and <!-- name:end --> in a docs file."""
    text = path.read_text("utf-8") if path.exists() else ""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body}\n{end}"
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text += f"\n{block}\n"
    path.write_text(text, "utf-8")


if __name__ == "__main__":
    main()
