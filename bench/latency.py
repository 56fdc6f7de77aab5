"""Save-to-visible latency of `build.py serve`, measured in real headless Chromium.

For each of N edits: change an event's title in the content file, then wait until the open
page shows it (the page reloads by itself through livereload). Reports median and 95th
percentile per explainer, and writes them into docs/benchmarks.md between markers.

    .venv/bin/python bench/latency.py            # default explainer and a synthetic 1,000-event one
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

VISIBLE_AT = """() => {
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const nav = performance.getEntriesByType('navigation')[0];
  return performance.timeOrigin + (paint ? paint.startTime : nav.domContentLoadedEventEnd);
}"""


def measure(project: Path, page_path: str, file: str, title: str, edits: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    target = project / file
    samples = []
    with serve(project, "--quiet") as server, sync_playwright() as p:
        browser = launch(p)
        page = browser.new_page()  # type: ignore[attr-defined]
        page.goto(server.url + page_path)
        page.wait_for_function("() => window.LiveReload && window.LiveReload.connector._isSocketConnected()")
        current = title
        for number in range(edits + 2):
            new = f"Latency probe {number}"
            text = target.read_text("utf-8")
            saved = time.time() * 1000
            target.write_text(text.replace(f"title: {current}\n", f"title: {new}\n", 1), "utf-8")
            page.wait_for_function(f"() => document.querySelector('h1') && document.querySelector('h1').textContent === {new!r}", timeout=10000)
            # When the reloaded page first painted, on the same clock as `saved`: what the writer sees.
            shown = page.evaluate(VISIBLE_AT)
            if number >= 2:  # the first edits warm the caches
                samples.append(shown - saved)
            current = new
            page.wait_for_function("() => window.LiveReload && window.LiveReload.connector._isSocketConnected()")
            time.sleep(0.2)
        browser.close()  # type: ignore[attr-defined]
    return samples


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--no-docs", action="store_true", help="print only; do not update docs/benchmarks.md")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        default = copy_default(Path(tmp) / "default", REPO)
        timeline = (default / "content/timeline.yaml").read_text("utf-8")
        first = re.search(r"^- id: (\S+)\n(?:  .*\n)*?  title: (.+)$", timeline, re.M)
        assert first is not None
        rows.append(("default explainer", measure(default, f"events/{first.group(1)}/", "content/timeline.yaml", first.group(2), args.edits)))
        synthetic = Path(tmp) / "synthetic"
        generate(synthetic, 1000)
        shutil.copytree(REPO / "templates", synthetic / "templates")
        title = re.search(r"^- id: event-0\n(?:  .*\n)*?  title: (.+)$", (synthetic / "content/timeline/0000.yaml").read_text("utf-8"), re.M)
        assert title is not None
        rows.append(("synthetic, 1,000 events", measure(synthetic, "events/event-0/", "content/timeline/0000.yaml", title.group(1), args.edits)))
    lines = [
        "| explainer | edits | median | 95th percentile |",
        "|---|---:|---:|---:|",
        *(f"| {name} | {len(s)} | {statistics.median(s):.0f} ms | {percentile(s, 0.95):.0f} ms |" for name, s in rows),
    ]
    table = "\n".join(lines)
    print(table)
    if not args.no_docs:
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
