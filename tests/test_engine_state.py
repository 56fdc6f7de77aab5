"""Stateful property: serve's incremental rebuilds always equal a clean build, byte for byte.

Hypothesis drives a `Preview` (serve's build session) through random sequences of edits to a
scratch copy of tests/sites/basic: events, quotes, people and pages changed, added, renamed and
deleted, templates and theme assets edited, files rewritten in another but equivalent YAML
spelling, and errors introduced and later fixed. After every edit, `served.build()` runs and:

- with no error pending, it succeeds and site/ is byte-identical to a clean build of the same
  content into a fresh folder;
- with an error pending, it fails, lists problems, and site/ is the last good site, untouched.

The machine uses the public API only (`Options`, `build`, `Preview`, and `Preview.state.opened`,
which the server calls when a browser asks for a page): the engine's internals may change
freely underneath it.

The suite's run is small and the same every time. A longer, random run:

    ENGINE_STEPS=200 ENGINE_EXAMPLES=50 .venv/bin/python -m pytest tests/test_engine_state.py

(ENGINE_RANDOM=1 makes a run of the default size random too.)
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from browser_support import copy_project
from hypothesis import HealthCheck, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule

from explainer.builder import Options, build
from explainer.errors import ContentError
from explainer.preview import Preview

STEPS = int(os.environ.get("ENGINE_STEPS", "8"))
EXAMPLES = int(os.environ.get("ENGINE_EXAMPLES", "8"))
#: The default run is derandomised (the same sequences every time); a longer run explores at random.
RANDOM = any(name in os.environ for name in ("ENGINE_STEPS", "ENGINE_EXAMPLES", "ENGINE_RANDOM"))

Record = dict[str, Any]

# -- writing content the way an editor would ---------------------------------------------------------------------------

#: Fields whose values are written plain (slugs, dates, numbers, booleans); every other string is text.
PLAIN = {"id", "phase", "speaker", "source", "event", "by", "status", "kind", "lang", "native_lang"} | {
    "date",
    "end",
    "reported",
    "figure",
    "order",
    "lead",
    "draft",
}
#: Fields that hold a list of slugs.
SLUG_LISTS = {"actors", "places", "tags", "sources", "aliases", "events"}
#: Text fields that read as another type unquoted, or that must stay quoted (times).
ALWAYS_QUOTED = {"time"}
#: The updates log's dates are ISO timestamps: kept in quotes, as the format's examples write them.
QUOTED_FILES = {"content/updates.yaml": {"date"}}

#: Two spellings of the same values: "quoted" text in double quotes and flow lists [a, b];
#: "block" text as >- or | blocks and block lists. Switching spelling changes bytes, not values.
QUOTED, BLOCK = "quoted", "block"


def _text(value: str, indent: int, style: str) -> str:
    """A text value in the file's style (returns what follows 'key:')."""
    pad = " " * (indent + 2)
    if style == BLOCK and value and not value[0].isspace() and not value.endswith("\n\n"):
        if "\n" not in value and value == value.strip():
            return f" >-\n{pad}{value}"
        if "\n" in value.rstrip("\n"):
            chomp = "" if value.endswith("\n") else "-"
            return f" |{chomp}\n" + "\n".join(pad + line if line else "" for line in value.rstrip("\n").split("\n"))
        if value.endswith("\n") and value.count("\n") == 1:
            return f" |\n{pad}{value.rstrip(chr(10))}"
    return " " + json.dumps(value, ensure_ascii=False)


def _mapping(record: Record, indent: int, style: str, quoted: set[str], bullet: bool) -> list[str]:
    """The lines of one mapping whose keys start at column `indent`; `bullet` makes it a list item."""
    lines: list[str] = []
    for number, (key, value) in enumerate(record.items()):
        prefix = (" " * (indent - 2) + "- ") if bullet and number == 0 else " " * indent
        if isinstance(value, dict):
            lines.append(f"{prefix}{key}:")
            lines += _mapping(value, indent + 2, style, quoted, bullet=False)
        elif isinstance(value, list) and key in SLUG_LISTS:
            if style == QUOTED or not value:
                lines.append(f"{prefix}{key}: [{', '.join(value)}]")
            else:
                lines.append(f"{prefix}{key}:")
                lines += [f"{' ' * (indent + 2)}- {item}" for item in value]
        elif isinstance(value, list):  # claims: a list of mappings
            lines.append(f"{prefix}{key}:")
            for item in value:
                lines += _mapping(item, indent + 4, style, quoted, bullet=True)
        elif key in PLAIN and key not in quoted:
            lines.append(f"{prefix}{key}: {value}")
        elif key in ALWAYS_QUOTED or key in quoted:
            lines.append(f"{prefix}{key}: {json.dumps(value)}")
        else:
            lines.append(f"{prefix}{key}:{_text(value, indent, style)}")
    return lines


def yaml_list(path: str, records: list[Record], style: str) -> str:
    lines = ["# Written by tests/test_engine_state.py"]
    for record in records:
        lines += _mapping(record, 2, style, QUOTED_FILES.get(path, set()), bullet=True)
    return "\n".join(lines) + "\n"


def page_text(page: Record) -> str:
    front = {key: value for key, value in page.items() if key not in ("id", "body")}
    return "---\n" + "\n".join(_mapping(front, 0, QUOTED, set(), bullet=False)) + "\n---\n" + str(page["body"])


def read_list(path: Path) -> list[Record]:
    """A content list with every scalar kept as the string it is written as (dates stay dates, '1' stays '1')."""
    records = yaml.load(path.read_text("utf-8"), Loader=yaml.BaseLoader)  # BaseLoader: only str, list and dict
    assert isinstance(records, list)
    return records


def read_page(path: Path) -> Record:
    _, front, body = path.read_text("utf-8").split("---\n", 2)
    page = yaml.load(front, Loader=yaml.BaseLoader)
    assert isinstance(page, dict)
    return {"id": path.stem, **page, "body": body}


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def difference(live: dict[str, bytes], clean: dict[str, bytes]) -> str:
    """A short account of how two site trees differ: paths, then the first lines that differ."""
    only_live = sorted(live.keys() - clean.keys())
    only_clean = sorted(clean.keys() - live.keys())
    changed = sorted(p for p in live.keys() & clean.keys() if live[p] != clean[p])
    lines = [f"only in site/: {only_live}", f"only in the clean build: {only_clean}", f"different bytes: {changed}"]
    for path in changed[:2]:
        try:
            a, b = live[path].decode("utf-8").splitlines(), clean[path].decode("utf-8").splitlines()
        except UnicodeDecodeError:
            lines.append(f"{path}: binary, {len(live[path])} vs {len(clean[path])} bytes")
            continue
        diff = list(difflib.unified_diff(a, b, f"site/{path}", f"clean/{path}", lineterm="", n=1))
        lines += [line[:300] for line in diff[:30]]
    return "\n".join(lines)


# -- what the edits draw from ------------------------------------------------------------------------------------------

TITLES = [
    "Russia vetoes the UN sanctions panel",
    "Putin and Kim sign the treaty",
    "A new headline for the event",
    "Talks in Pyongyang – day two",
    "Kim’s “breakthrough”: a remark",
    "Troops arrive in Kursk",
    "# not a comment, & not an anchor",
]
SUMMARIES = [
    "Russia vetoed a US-drafted UN Security Council resolution.",
    "After talks in Pyongyang, the two leaders signed the *Treaty on Comprehensive Strategic Partnership*.",
    "A summary with **bold** words and [a link](https://example.com/report).",
    "Two sentences here. And a second one.",
    "Names in their own scripts: 김정은 and Путин.",
    "A summary on\ntwo lines.",
    "Raw <b>HTML</b> is cleaned & kept safe.",
]
BODIES: list[str | None] = [
    None,
    "Putin said the treaty provides for mutual help if either side faces aggression.\n",
    "First paragraph.\n\n- a list item\n- another\n",
    "A body without a final line break",
]
DATES = ["2024-03-28", "2024-06-19", "2024-06-20", "2024-06", "2023-09-13", "2024-11-04", "2024"]
TAGS = ["un", "sanctions", "treaty", "diplomacy", "military", "trade"]
PHASES = ["background", "the-pact"]
EVENT_IDS = ["treaty-signed", "un-panel-veto", "treaty-month", "troops-deployed", "summit", "veto"]
PERSON_NAMES = ["Vladimir Putin", "Vladimir V. Putin", "Kim Jong Un", "Kim Jong-un", "Russia", "The Russian Federation", "Ann O’Neil"]
NEW_PEOPLE = [
    {
        "id": "sergei-shoigu",
        "name": "Sergei Shoigu",
        "native_name": "Сергей Шойгу",
        "native_lang": "ru",
        "role": "Secretary of Russia's Security Council",
        "kind": "person",
    },
    {"id": "kim-yo-jong", "name": "Kim Yo Jong", "role": "Kim Jong Un's sister", "kind": "person"},
    {"id": "security-council", "name": "UN Security Council", "role": "UN body", "kind": "organisation"},
    {"id": "treaty", "name": "The treaty", "role": "Treaty on Comprehensive Strategic Partnership", "kind": "document"},
]
QUOTE_IDS = ["q1", "q2", "q3", "q4", "q5"]
QUOTE_TEXTS = [
    "It is really a breakthrough document",
    "without delay",
    "Our relations are at a new level: an alliance.",
    "“Quoted” words, with a colon: here",
    "지체없이",
]
SETTINGS = ["Press statement after signing, Pyongyang", "Opening of talks with Kim", "State television, 21:00"]
SOURCES = ["s04", "s05", "s17", "s18"]
PAGE_IDS = ["know", "methodology", "glossary", "faq", "corrections-policy"]
PAGE_TITLES = ["What you need to know", "How this explainer was reported", "Glossary", "Questions and answers: the pact"]
PAGE_BODIES = [
    "- Russia and North Korea signed a treaty on June 19, 2024.\n- This fixture holds only a few events.\n",
    "Each event cites at least one source.\n\n| Status | Meaning |\n|---|---|\n| Confirmed | several sides say so |\n",
    "A short page with *emphasis* and a [link](https://example.com/).\n",
    "## A heading\n\nText under it.\n",
]

#: Template and asset edits: (file, original text, replacements). Variant 0 is the original text.
TEMPLATE_EDITS: list[tuple[str, str, list[str]]] = [
    ("templates/partials/nav.html", ">Quotations</a>", [">Quotes</a>", ">All quotations</a>"]),
    ("templates/event.html", "<h2>What was said</h2>", ["<h2>Said</h2>", "<h2>Quotations</h2>"]),
    ("templates/base.html", "Every event, claim and quotation links to its source.", ["Every fact links to its source.", "Sourced throughout."]),
    ("templates/assets/style.css", "--measure: 40rem;", ["--measure: 38rem;", "--measure: 42rem;"]),
    ("templates/assets/filter.js", "// Narrow the timeline", ["// Filter the timeline", "// Narrow down the timeline"]),
    ("templates/assets/favicon.svg", 'fill="#1d3557"', ['fill="#264653"', 'fill="#000000"']),
]


def _first(pattern: str, replacement: str) -> Callable[[str], str]:
    def apply(text: str) -> str:
        changed, count = re.subn(pattern, replacement, text, count=1, flags=re.M)
        assert count == 1, f"the error {replacement!r} found nothing to replace"
        return changed

    return apply


def _append(addition: str) -> Callable[[str], str]:
    return lambda text: text + addition


#: Errors an edit can introduce, each by the file it breaks and how; fixing one restores the file.
ERRORS: dict[str, tuple[str, Callable[[str], str]]] = {
    "invalid-date": ("content/timeline.yaml", _first(r"^  date: .*$", "  date: 2024-13-45")),
    "unknown-phase": ("content/timeline.yaml", _first(r"^  phase: .*$", "  phase: no-such-phase")),
    "yaml-syntax": ("content/quotes.yaml", _append("- id: broken\n  text: [unclosed\n")),
    "tab-indent": ("content/people.yaml", _first(r"^  name:", "\tname:")),
    "duplicate-phase": ("content/phases.yaml", _append("- id: background\n  title: Background again\n")),
    "bad-base-url": ("content/site.yaml", _first(r"^base_url: https://", "base_url: ftp://")),
    "page-without-front-matter": ("content/pages/zz-broken.md", _append("No front matter here.\n")),
    "template-unclosed-if": ("templates/event.html", _append("{% if event %}\n")),
    "template-unknown-filter": ("templates/partials/nav.html", _append("{{ path|no_such_filter }}\n")),
}

LISTS = ("content/timeline.yaml", "content/quotes.yaml", "content/people.yaml", "content/updates.yaml")


class EngineMachine(RuleBasedStateMachine):
    """A scratch project, serve's build session on it, and a model of the content it holds."""

    def __init__(self) -> None:
        super().__init__()
        self.cwd = os.getcwd()
        self.root = Path(tempfile.mkdtemp(prefix="engine-state-")).resolve()
        try:
            copy_project(self.root / "project")
            self.project = self.root / "project"
            os.chdir(self.project)
            self.original: dict[str, str | None] = {}
            self.written: dict[str, str | None] = {}
            for path in [*LISTS, *(f for f, _ in ERRORS.values()), *(f for f, _, _ in TEMPLATE_EDITS)]:
                file = Path(path)
                self.original[path] = self.written[path] = file.read_text("utf-8") if file.exists() else None
            self.lists: dict[str, list[Record]] = {path: read_list(Path(path)) for path in LISTS}
            self.styles = dict.fromkeys(LISTS, QUOTED)
            self.pages = {p.stem: read_page(p) for p in sorted(Path("content/pages").glob("*.md"))}
            for page_id in self.pages:
                path = f"content/pages/{page_id}.md"
                self.original[path] = self.written[path] = Path(path).read_text("utf-8")
            self.touched: set[str] = set()  # files written from the model (untouched ones keep their original text)
            self.variants = [0] * len(TEMPLATE_EDITS)
            self.errors: set[str] = set()
            self.stamps: dict[str, int] = {}
            self.steps: list[str] = []
            self.served = Preview(Options(out=Path("site")), quiet=True)
            self.last_good: dict[str, bytes] = {}
            self.rebuild("first build")
        except BaseException:
            self.teardown()
            raise

    def teardown(self) -> None:
        os.chdir(self.cwd)
        shutil.rmtree(self.root, ignore_errors=True)

    # -- the model ----------------------------------------------------------------------------------------------------

    @property
    def events(self) -> list[Record]:
        return self.lists["content/timeline.yaml"]

    @property
    def quotes(self) -> list[Record]:
        return self.lists["content/quotes.yaml"]

    @property
    def people(self) -> list[Record]:
        return self.lists["content/people.yaml"]

    @property
    def updates(self) -> list[Record]:
        return self.lists["content/updates.yaml"]

    def touch(self, *paths: str) -> None:
        self.touched.update(paths)

    def event_names(self) -> set[str]:
        """Every id and alias in use: a fresh event id is none of them."""
        return {e["id"] for e in self.events} | {a for e in self.events for a in e.get("aliases", [])}

    @staticmethod
    def fresh(pool: list[str], choice: int, taken: set[str]) -> str:
        name = pool[choice % len(pool)]
        number = 2
        candidate = name
        while candidate in taken:
            candidate = f"{name}-{number}"
            number += 1
        return candidate

    def wanted(self) -> dict[str, str | None]:
        """Every file the machine manages, as it should be now (None: absent)."""
        files: dict[str, str | None] = dict(self.original)
        for path, records in self.lists.items():
            if path in self.touched:
                files[path] = yaml_list(path, records, self.styles[path]) if records else None
        for path in list(files):
            if path.startswith("content/pages/"):
                files[path] = None
        for page_id, page in self.pages.items():
            path = f"content/pages/{page_id}.md"
            original = self.original.get(path)
            files[path] = original if original is not None and path not in self.touched else page_text(page)
        for (path, old, new), variant in zip(TEMPLATE_EDITS, self.variants, strict=True):
            text = files[path]
            assert text is not None and old in text
            files[path] = text if variant == 0 else text.replace(old, new[variant - 1], 1)
        for name in sorted(self.errors):
            path, breaks = ERRORS[name]
            files[path] = breaks(files.get(path) or "")
        return files

    def sync(self) -> None:
        """Write what changed, as an editor saves: each file written is seen as newer than before."""
        for path, text in self.wanted().items():
            if text == self.written.get(path):
                continue
            file = Path(path)
            if text is None:
                file.unlink()
            else:
                file.write_text(text, "utf-8")
                # Coarse timestamps must not hide an edit: each save is at least a second after the last one.
                stamp = max(file.stat().st_mtime_ns, self.stamps.get(path, 0) + 1_000_000_000)
                os.utime(file, ns=(stamp, stamp))
                self.stamps[path] = stamp
            self.written[path] = text

    # -- the check after every step -----------------------------------------------------------------------------------

    def rebuild(self, step: str) -> None:
        self.steps.append(step)
        note(f"step {len(self.steps)}: {step}" + (f" (errors pending: {sorted(self.errors)})" if self.errors else ""))
        self.sync()
        ok = self.served.build()
        history = "\n".join(f"  {n}. {s}" for n, s in enumerate(self.steps, 1))
        clean_dir = self.root / "clean"
        shutil.rmtree(clean_dir, ignore_errors=True)
        live = tree(Path("site"))
        if self.errors:
            assert not ok, f"the build succeeded with errors pending {sorted(self.errors)}; steps:\n{history}"
            assert self.served.state.problems, f"a failed build recorded no problems; steps:\n{history}"
            assert live == self.last_good, f"a failed build changed site/:\n{difference(live, self.last_good)}\nsteps:\n{history}"
            try:
                build(Options(out=clean_dir))
            except ContentError:
                pass
            else:
                raise AssertionError(f"a clean build succeeded with errors pending {sorted(self.errors)}; steps:\n{history}")
        else:
            problems = "\n".join(str(p) for p in self.served.state.problems)
            assert ok, f"serve's build failed on valid content:\n{problems}\nsteps:\n{history}"
            build(Options(out=clean_dir))
            clean = tree(clean_dir)
            assert live == clean, f"site/ differs from a clean build:\n{difference(live, clean)}\nsteps:\n{history}"
            self.last_good = live
        shutil.rmtree(clean_dir, ignore_errors=True)

    # -- events --------------------------------------------------------------------------------------------------------

    @rule(
        index=st.integers(0, 20),
        field=st.sampled_from(["title", "summary", "body", "date", "tags", "phase", "actors"]),
        choice=st.integers(0, 63),
    )
    def change_event(self, index: int, field: str, choice: int) -> None:
        event = self.events[index % len(self.events)]
        if field == "title":
            event["title"] = TITLES[choice % len(TITLES)]
        elif field == "summary":
            event["summary"] = SUMMARIES[choice % len(SUMMARIES)]
        elif field == "body":
            body = BODIES[choice % len(BODIES)]
            if body is None:
                event.pop("body", None)
            else:
                event["body"] = body
        elif field == "date":
            event["date"] = DATES[choice % len(DATES)]
            if len(event["date"]) < 10:  # a time needs a day
                event.pop("time", None)
        elif field == "tags":
            event["tags"] = [tag for bit, tag in enumerate(TAGS) if choice >> bit & 1][:3]
        elif field == "phase":
            event["phase"] = PHASES[choice % len(PHASES)]
        else:
            event["actors"] = [p["id"] for bit, p in enumerate(self.people) if choice >> bit & 1][:3]
        self.touch("content/timeline.yaml")
        self.rebuild(f"event {event['id']}: {field} = {event.get(field)!r}")

    @rule(index=st.integers(0, 20), name=st.integers(0, 20), position=st.integers(0, 20))
    def add_event(self, index: int, name: int, position: int) -> None:
        source = self.events[index % len(self.events)]
        copy = json.loads(json.dumps(source))
        copy["id"] = self.fresh(EVENT_IDS, name, self.event_names())
        copy.pop("aliases", None)
        at = position % (len(self.events) + 1)
        self.events.insert(at, copy)
        self.touch("content/timeline.yaml")
        self.rebuild(f"add event {copy['id']} (a copy of {source['id']}) at position {at}")

    @precondition(lambda self: len(self.events) > 1)
    @rule(index=st.integers(0, 20), drop_quotes=st.booleans())
    def delete_event(self, index: int, drop_quotes: bool) -> None:
        event = self.events.pop(index % len(self.events))
        for quote in list(self.quotes):
            if quote.get("event") == event["id"]:
                if drop_quotes:
                    self.quotes.remove(quote)
                else:
                    del quote["event"]
        for update in self.updates:
            if event["id"] in update.get("events", []):
                update["events"] = [e for e in update["events"] if e != event["id"]]
                if not update["events"]:
                    del update["events"]
        self.touch("content/timeline.yaml", "content/quotes.yaml", "content/updates.yaml")
        self.rebuild(f"delete event {event['id']}" + (" and its quotes" if drop_quotes else ", unlinking its quotes"))

    @rule(index=st.integers(0, 20), name=st.integers(0, 20), alias=st.booleans())
    def rename_event(self, index: int, name: int, alias: bool) -> None:
        event = self.events[index % len(self.events)]
        old = event["id"]
        event["id"] = new = self.fresh(EVENT_IDS, name, self.event_names())
        if alias:
            event["aliases"] = [*event.get("aliases", []), old]
        for quote in self.quotes:
            if quote.get("event") == old:
                quote["event"] = new
        for update in self.updates:
            if old in update.get("events", []):
                update["events"] = [new if e == old else e for e in update["events"]]
        self.touch("content/timeline.yaml", "content/quotes.yaml", "content/updates.yaml")
        self.rebuild(f"rename event {old} to {new}" + (f", aliases {event['aliases']}" if alias else ""))

    # -- quotes and people ---------------------------------------------------------------------------------------------

    @precondition(lambda self: bool(self.quotes))
    @rule(index=st.integers(0, 20), field=st.sampled_from(["text", "speaker", "event", "date", "setting"]), choice=st.integers(0, 20))
    def change_quote(self, index: int, field: str, choice: int) -> None:
        quote = self.quotes[index % len(self.quotes)]
        if field == "text":
            quote["text"] = QUOTE_TEXTS[choice % len(QUOTE_TEXTS)]
        elif field == "speaker":
            quote["speaker"] = self.people[choice % len(self.people)]["id"]
        elif field == "event":
            events = [None, *(e["id"] for e in self.events)]
            chosen = events[choice % len(events)]
            if chosen is None:
                quote.pop("event", None)
            else:
                quote["event"] = chosen
        elif field == "date":
            quote["date"] = DATES[choice % len(DATES)]
        else:
            quote["setting"] = SETTINGS[choice % len(SETTINGS)]
        self.touch("content/quotes.yaml")
        self.rebuild(f"quote {quote['id']}: {field} = {quote.get(field)!r}")

    @rule(name=st.integers(0, 20), text=st.integers(0, 20), speaker=st.integers(0, 20), event=st.integers(0, 20))
    def add_quote(self, name: int, text: int, speaker: int, event: int) -> None:
        quote: Record = {
            "id": self.fresh(QUOTE_IDS, name, {q["id"] for q in self.quotes}),
            "text": QUOTE_TEXTS[text % len(QUOTE_TEXTS)],
            "speaker": self.people[speaker % len(self.people)]["id"],
            "date": DATES[text % len(DATES)],
            "setting": SETTINGS[speaker % len(SETTINGS)],
            "source": SOURCES[event % len(SOURCES)],
        }
        if event % 3:
            quote["event"] = self.events[event % len(self.events)]["id"]
        self.quotes.append(quote)
        self.touch("content/quotes.yaml")
        self.rebuild(f"add quote {quote}")

    @precondition(lambda self: bool(self.quotes))
    @rule(index=st.integers(0, 20))
    def delete_quote(self, index: int) -> None:
        quote = self.quotes.pop(index % len(self.quotes))
        self.touch("content/quotes.yaml")
        self.rebuild(f"delete quote {quote['id']}" + ("" if self.quotes else " (the last one: quotes.yaml is removed)"))

    @rule(index=st.integers(0, 20), choice=st.integers(0, 20))
    def rename_person(self, index: int, choice: int) -> None:
        person = self.people[index % len(self.people)]
        person["name"] = PERSON_NAMES[choice % len(PERSON_NAMES)]
        self.touch("content/people.yaml")
        self.rebuild(f"person {person['id']}: name = {person['name']!r}")

    @rule(choice=st.integers(0, 20))
    def add_person(self, choice: int) -> None:
        person = dict(NEW_PEOPLE[choice % len(NEW_PEOPLE)])
        person["id"] = self.fresh([person["id"]], 0, {p["id"] for p in self.people})
        self.people.append(person)
        self.touch("content/people.yaml")
        self.rebuild(f"add person {person['id']}")

    @rule(file=st.sampled_from(LISTS))
    def respell(self, file: str) -> None:
        """The same values written the other way (quoted text and flow lists, or blocks)."""
        self.styles[file] = BLOCK if self.styles[file] == QUOTED else QUOTED
        self.touch(file)
        self.rebuild(f"rewrite {file} in the {self.styles[file]} spelling, values unchanged")

    # -- pages, templates, assets --------------------------------------------------------------------------------------

    @precondition(lambda self: bool(self.pages))
    @rule(index=st.integers(0, 20), field=st.sampled_from(["body", "title", "order"]), choice=st.integers(0, 20))
    def change_page(self, index: int, field: str, choice: int) -> None:
        page = self.pages[sorted(self.pages)[index % len(self.pages)]]
        if field == "body":
            page["body"] = PAGE_BODIES[choice % len(PAGE_BODIES)]
        elif field == "title":
            page["title"] = PAGE_TITLES[choice % len(PAGE_TITLES)]
        else:
            page["order"] = str(choice % 5)
        self.touch(f"content/pages/{page['id']}.md")
        self.rebuild(f"page {page['id']}: {field} = {page[field]!r}")

    @rule(name=st.integers(0, 20), choice=st.integers(0, 20))
    def add_page(self, name: int, choice: int) -> None:
        page_id = self.fresh(PAGE_IDS, name, set(self.pages))
        title, body = PAGE_TITLES[choice % len(PAGE_TITLES)], PAGE_BODIES[choice % len(PAGE_BODIES)]
        self.pages[page_id] = {"id": page_id, "title": title, "order": str(choice % 4), "body": body}
        self.touch(f"content/pages/{page_id}.md")
        self.rebuild(f"add page {page_id}")

    @precondition(lambda self: bool(self.pages))
    @rule(index=st.integers(0, 20))
    def delete_page(self, index: int) -> None:
        page_id = sorted(self.pages)[index % len(self.pages)]
        del self.pages[page_id]
        self.touch(f"content/pages/{page_id}.md")
        self.rebuild(f"delete page {page_id}")

    @rule(which=st.integers(0, len(TEMPLATE_EDITS) - 1), variant=st.integers(0, 2))
    def change_template(self, which: int, variant: int) -> None:
        self.variants[which] = variant
        path, old, new = TEMPLATE_EDITS[which]
        self.rebuild(f"{path}: {old!r} -> {([old, *new])[variant]!r}")

    # -- errors --------------------------------------------------------------------------------------------------------

    @rule(name=st.sampled_from(sorted(ERRORS)))
    def introduce_error(self, name: str) -> None:
        self.errors.add(name)
        self.rebuild(f"introduce error {name} in {ERRORS[name][0]}")

    @precondition(lambda self: bool(self.last_good))
    @rule(choice=st.integers(0, 200))
    def open_page(self, choice: int) -> None:
        """A browser opens a page: serve makes it first after the next save (and puts it back if that build fails)."""
        pages = sorted(name for name in self.last_good if name.endswith(".html"))
        page = pages[choice % len(pages)]
        self.steps.append(f"open {page} in a browser")
        note(f"step {len(self.steps)}: open {page} in a browser")
        self.served.state.opened(page)

    @precondition(lambda self: bool(self.errors))
    @rule(choice=st.integers(0, 20))
    def fix_error(self, choice: int) -> None:
        name = sorted(self.errors)[choice % len(self.errors)]
        self.errors.discard(name)
        self.rebuild(f"fix error {name} in {ERRORS[name][0]}")


EngineMachine.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=STEPS,
    deadline=None,
    database=None,
    derandomize=not RANDOM,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
TestEngineState = EngineMachine.TestCase
