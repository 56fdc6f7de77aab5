"""Generate a synthetic explainer of N events for benchmarks, in realistic proportions.

Per 1,000 events: about 500 quotes, 60 people, 30 places, 800 sources, 8 phases, and about
200 words of Markdown per event (summary and body). Deterministic for a given N.
"""

from __future__ import annotations

import argparse
import random
import shutil
from datetime import date, timedelta
from pathlib import Path

WORDS = [
    "officials",
    "said",
    "the",
    "ministry",
    "troops",
    "border",
    "treaty",
    "agreement",
    "spokesman",
    "reported",
    "statement",
    "intelligence",
    "agency",
    "region",
    "government",
    "according",
    "to",
    "briefing",
    "confirmed",
    "denied",
    "estimated",
    "about",
    "more",
    "than",
    "forces",
    "deployment",
    "talks",
    "minister",
    "meeting",
    "capital",
    "parliament",
    "vote",
    "ratified",
    "press",
    "conference",
    "later",
    "earlier",
    "week",
    "month",
    "analysts",
    "satellite",
    "images",
    "showed",
    "vessels",
    "port",
    "training",
    "units",
    "soldiers",
    "equipment",
    "ammunition",
    "shells",
    "missiles",
    "sanctions",
    "council",
]


STATUSES = ["confirmed", "claimed", "disputed", "denied"]


def sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, words: int) -> str:
    out, left = [], words
    while left > 0:
        n = min(left, rng.randint(8, 20))
        out.append(sentence(rng, n))
        left -= n
    return " ".join(out)


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def generate(folder: Path, events: int, seed: int = 1) -> Path:
    """Write content/ for a synthetic explainer into folder; return the content path."""
    rng = random.Random(seed)
    content = folder / "content"
    (content / "pages").mkdir(parents=True, exist_ok=True)
    n_people = max(10, events * 6 // 100)
    n_places = max(5, events * 3 // 100)
    n_sources = max(10, events * 8 // 10)
    n_phases = max(3, min(12, events // 125 or 3))
    n_quotes = events // 2
    (content / "site.yaml").write_text(
        "title: A synthetic explainer\ndek: Generated for benchmarks.\ndescription: Synthetic content in realistic proportions.\n"
        "language: en\nbase_url: https://example.org/bench/\nauthors: [Benchmark desk]\n",
        "utf-8",
    )
    (content / "phases.yaml").write_text("".join(f"- id: phase-{i}\n  title: Phase {i}\n  summary: {sentence(rng, 12)}\n" for i in range(n_phases)), "utf-8")
    (content / "people.yaml").write_text(
        "".join(f"- id: person-{i}\n  name: Person {i}\n  role: {sentence(rng, 4)[:-1]}\n  kind: person\n" for i in range(n_people)), "utf-8"
    )
    (content / "places.yaml").write_text(
        "".join(
            f"- id: place-{i}\n  name: Place {i}\n  country: Country {i % 7}\n  lat: {rng.uniform(-60, 60):.3f}\n  lon: {rng.uniform(-170, 170):.3f}\n"
            for i in range(n_places)
        ),
        "utf-8",
    )
    (content / "sources.yaml").write_text(
        "".join(
            f"- id: s{i}\n  publisher: Outlet {i % 40}\n  title: {quoted(sentence(rng, 8))}\n  date: 2024-{1 + i % 12:02d}-{1 + i % 28:02d}\n"
            f"  url: https://example.org/news/{i}\n"
            for i in range(n_sources)
        ),
        "utf-8",
    )
    start = date(2020, 1, 1)
    step = max(1, 1800 // max(events, 1))
    lines = []
    for i in range(events):
        day = start + timedelta(days=i * step % 1800)
        phase = min(n_phases - 1, i * n_phases // events)
        cites = sorted({rng.randrange(n_sources) for _ in range(rng.randint(1, 3))})
        cites[0] = i % n_sources  # every source is cited by something
        actors = sorted({rng.randrange(n_people) for _ in range(rng.randint(1, 3))} | ({i % n_people} if i < n_people else set()))
        places = sorted({rng.randrange(n_places)} | ({i % n_places} if i < n_places else set()))
        lines.append(
            f"- id: event-{i}\n  date: {day.isoformat()}\n  title: {quoted(sentence(rng, 7)[:-1])}\n"
            f"  summary: {quoted(paragraph(rng, 40))}\n  body: |\n    {paragraph(rng, 80)}\n\n    {paragraph(rng, 80)}\n"
            f"  phase: phase-{phase}\n  actors: [{', '.join(f'person-{a}' for a in actors)}]\n  places: [{', '.join(f'place-{p}' for p in places)}]\n"
            f"  tags: [tag-{i % 9}]\n  sources: [{', '.join(f's{c}' for c in cites)}]\n"
        )
        if i % 4 == 0:
            lines.append(
                f"  claims:\n    - text: {quoted(sentence(rng, 10))}\n      by: person-{i % n_people}\n      date: {day.isoformat()}\n"
                f"      figure: {rng.randint(100, 20000)}\n      status: {rng.choice(STATUSES)}\n      sources: [s{cites[0]}]\n"
            )
    # A long-running story keeps its timeline as a folder of files, a hundred events each.
    (content / "timeline").mkdir(exist_ok=True)
    chunk: list[str] = []
    number = count = 0
    for entry in lines:
        if entry.startswith("- id: ") and count == 100:
            (content / "timeline" / f"{number:04d}.yaml").write_text("".join(chunk), "utf-8")
            chunk, count, number = [], 0, number + 1
        count += entry.startswith("- id: ")
        chunk.append(entry)
    (content / "timeline" / f"{number:04d}.yaml").write_text("".join(chunk), "utf-8")
    (content / "quotes.yaml").write_text(
        "".join(
            f"- id: q{i}\n  text: {quoted(sentence(rng, 18))}\n  speaker: person-{i % n_people}\n"
            f"  date: {(start + timedelta(days=(2 * i) * step % 1800)).isoformat()}\n"
            f"  setting: Press briefing\n  source: s{i % n_sources}\n  event: event-{2 * i}\n"
            for i in range(n_quotes)
        ),
        "utf-8",
    )
    (content / "updates.yaml").write_text('- date: "2025-01-01T09:00:00+00:00"\n  kind: publication\n  text: First published.\n', "utf-8")
    (content / "pages" / "about.md").write_text(f"---\ntitle: About\norder: 1\n---\n{paragraph(rng, 120)}\n", "utf-8")
    return content


def copy_default(folder: Path, repo: Path) -> Path:
    """A scratch copy of the repository's own explainer (content and templates) in folder."""
    folder.mkdir(parents=True)
    shutil.copytree(repo / "content", folder / "content")
    shutil.copytree(repo / "templates", folder / "templates")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--events", type=int, default=1000)
    args = parser.parse_args()
    print(generate(args.folder, args.events))


if __name__ == "__main__":
    main()
