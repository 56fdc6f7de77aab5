"""Build-speed benchmark: synthetic explainers of N events, each figure the median of several runs.

    .venv/bin/python bench/run.py                 # 100, 1,000 and 10,000 events; updates docs/benchmarks.md
    .venv/bin/python bench/run.py --sizes 1000 --runs 3 --no-docs

Measured for each size:
- cold build: a fresh process (interpreter start included), no site and no cache;
- warm build: a fresh process, site and cache present, nothing changed;
- one-event edit: rebuilt in-process the way `serve` does it (the same Session.build, one
  process, writing into the live folder), after one uncounted edit;
- one-template edit: the same, after changing a template;
- peak memory: the cold build's maximum resident set size.
Also the default explainer (content/), cold.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.latency import write_section  # noqa: E402
from bench.synth import copy_default, generate  # noqa: E402


def run_build(project: Path, *extra: str) -> tuple[float, int]:
    """Run build.py in a fresh process; return (seconds, peak RSS in MB)."""
    command = [sys.executable, str(REPO / "build.py"), "--quiet", "--templates", str(project / "templates"), *extra]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=project)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"build failed in {project} with status {process.returncode}")
    return elapsed, usage.ru_maxrss // 1024


def clear(project: Path) -> None:
    for name in ("site", ".cache", ".site.new", ".site.old"):
        shutil.rmtree(project / name, ignore_errors=True)


def in_process_edits(project: Path, runs: int) -> tuple[list[float], list[float]]:
    """Time one-event and one-template edits rebuilt the way serve does."""
    cwd = Path.cwd()
    os.chdir(project)
    try:
        from explainer.builder import Options, Session

        session = Session(Options(templates=project / "templates", out=Path("site"), workers=1))  # as serve: in-process
        session.build()
        timeline = Path("content/timeline.yaml") if Path("content/timeline.yaml").exists() else Path("content/timeline/0000.yaml")
        template = project / "templates/event.html"

        def rebuild() -> float:
            started = time.perf_counter()
            session.build()
            return time.perf_counter() - started

        # One edit first, not counted: the first build fills the caches, the first edit the memos
        # that only an edit uses (what it replaces is kept one build more).
        timeline.write_text(timeline.read_text("utf-8").replace("\n  title: ", "\n  title: Warm ", 1), "utf-8")
        rebuild()
        event_times, template_times = [], []
        for number in range(runs):
            timeline.write_text(timeline.read_text("utf-8").replace("\n  title: ", f"\n  title: Edit{number} ", 1), "utf-8")
            event_times.append(rebuild())
        for number in range(runs):
            template.write_text(template.read_text("utf-8").replace("</article>", f"<!-- edit {number} --></article>", 1), "utf-8")
            template_times.append(rebuild())
        return event_times, template_times
    finally:
        os.chdir(cwd)


def fmt(values: list[float], unit: str = "s") -> str:
    median = statistics.median(values)
    spread = (max(values) - min(values)) / 2
    if unit == "ms":
        return f"{median * 1000:.0f} ms ± {spread * 1000:.0f}"
    return f"{median:.2f} s ± {spread:.2f}"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB RAM, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        default = copy_default(Path(tmp) / "default", REPO)
        cold, warm, memory = [], [], []
        for _ in range(args.runs):
            clear(default)
            seconds, peak = run_build(default)
            cold.append(seconds)
            memory.append(peak)
            warm.append(run_build(default)[0])
        event, template = in_process_edits(default, args.runs)
        rows.append(f"| default explainer | {fmt(cold)} | {fmt(warm)} | {fmt(event, 'ms')} | {fmt(template, 'ms')} | {max(memory)} MB |")
        print(rows[-1], flush=True)
        for size in args.sizes:
            project = Path(tmp) / f"n{size}"
            generate(project, size)
            shutil.copytree(REPO / "templates", project / "templates")
            runs = args.runs if size <= 1000 else max(3, args.runs // 2)
            cold, warm, memory = [], [], []
            for _ in range(runs):
                clear(project)
                seconds, peak = run_build(project)
                cold.append(seconds)
                memory.append(peak)
                warm.append(run_build(project)[0])
            event, template = in_process_edits(project, runs)
            rows.append(f"| {size:,} events | {fmt(cold)} | {fmt(warm)} | {fmt(event, 'ms')} | {fmt(template, 'ms')} | {max(memory)} MB |")
            print(rows[-1], flush=True)
    table = "\n".join(
        [
            f"Measured on {machine()}.",
            "",
            "| explainer | cold build | warm build | one-event edit | one-template edit | peak memory |",
            "|---|---:|---:|---:|---:|---:|",
            *rows,
        ]
    )
    print(table)
    if not args.no_docs:
        write_section(REPO / "docs/benchmarks.md", "build", table)


if __name__ == "__main__":
    main()
