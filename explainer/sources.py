"""Read content files into located nodes: every value keeps its file, line and column.

PyYAML is used only to parse (libyaml's C parser when available); its constructors never
run. We build the Node tree ourselves (yamltree.py) so that we can refuse what content
never needs and PyYAML would silently accept: duplicate keys, anchors and aliases (no
"billion laughs"), tags, and YAML 1.1's guesses (dates, sexagesimal numbers, yes/no booleans).

There are two ways to the same tree, because building Python objects, not parsing, is
most of the time a build spends reading content. The event path (_TreeBuilder) reads
PyYAML's parser events one by one and sees everything: it is the reference and reports
every problem. The fast path lets libyaml's composer build a tree of yaml.nodes in C and
converts that in one pass, with fewer objects and calls. The composed tree hides anchors,
aliases and some tags, so the fast path is taken only when a look at the text finds that
none can be there; a text the composer refuses (a second document, a syntax error) or with
a tab in its indentation goes the event path too. tests/test_sources.py holds both paths to
identical trees and problems.
"""

from __future__ import annotations

import difflib
import gc
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem
from .yamltree import Node as Node
from .yamltree import _from_composed, _TreeBuilder
from .yamltree import _resolve as _resolve  # tests/test_sources.py reads it here
from .yamltree import describe as describe

try:  # libyaml is several times faster; the pure-Python parser gives the same events.
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

#: Content files larger than this are refused before parsing (see docs/content.md).
MAX_FILE_BYTES = 32 * 1024 * 1024


@dataclass
class Document:
    """One content file: its top node (None if unreadable) and the problems found reading it."""

    path: str
    root: Node | None
    problems: list[Problem] = field(default_factory=list)
    body: str = ""
    body_line: int = 1


def read_text(path: Path, name: str, problems: list[Problem]) -> str | None:
    """Read a content file as UTF-8 text, refusing oversized, binary and empty files."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.append(Problem(name, 0, 0, f"file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}", "split it into a folder of smaller files"))
            return None
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(name, 0, 0, f"file cannot be read: {exc.strerror}"))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = len(data[data.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8", "replace")) + 1  # in characters, as YAML counts
        problems.append(Problem(name, line, col, f"file is not UTF-8 text (byte 0x{data[exc.start]:02x})", "save the file as UTF-8"))
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if not text.strip():
        problems.append(Problem(name, 1, 1, "file is empty", "add content or delete the file"))
        return None
    return text


# Raw characters YAML refuses (control characters) or counts as line breaks where editors do not
# (NEL, LINE SEPARATOR, PARAGRAPH SEPARATOR: every later line number would be off).
_RAW_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff\x85\u2028\u2029]")
_SEPARATORS = {"\x85": "a next-line character (U+0085)", "\u2028": "a line separator (U+2028)", "\u2029": "a paragraph separator (U+2029)"}


def _raw_character_problems(text: str, name: str, first_line: int) -> list[Problem]:
    """Locate characters that may not stand raw in a YAML file, each at its own line and column."""
    found = []
    for match in _RAW_BAD.finditer(text):
        start = match.start()
        line = text.count("\n", 0, start) + first_line
        col = start - (text.rfind("\n", 0, start) + 1) + 1
        char = match.group()
        if char in _SEPARATORS:
            found.append(Problem(name, line, col, f"{_SEPARATORS[char]} is in the text", "replace it with a space or a line break"))
        else:
            found.append(
                Problem(name, line, col, f"control character U+{ord(char):04X} is not allowed in YAML", "delete it; it was probably pasted by accident")
            )
    return found


def parse_yaml(text: str, name: str, problems: list[Problem], first_line: int = 1) -> Node | None:
    """Parse one YAML document into Nodes; append every problem found."""
    offset = first_line - 1
    tabs: list[Problem] = []
    for number, text_line in enumerate(text.split("\n") if "\t" in text else [], start=first_line):
        indent = len(text_line) - len(text_line.lstrip(" \t"))
        if "\t" in text_line[:indent]:
            tabs.append(
                Problem(name, number, text_line.index("\t") + 1, "a tab is used for indentation", "YAML indents with spaces only; replace the tab with spaces")
            )
    bad = _raw_character_problems(text, name, first_line)
    if bad:
        problems.extend(bad)
        return None
    with _collector_paused():
        if not tabs:  # a tab may be refused or may be text: only the event path can tell (see _block_scalar_lines)
            composed = _parse_composed(text, name, offset)
            if composed is not None:
                root, found = composed
                problems.extend(found)
                return root
        return _parse_events(text, name, problems, offset, tabs)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a file is parsed.

    Parsing makes hundreds of thousands of objects (PyYAML's events or nodes, then ours) and no
    reference cycles: what is dropped is freed at once, the rest is the tree. The collector would
    still walk them all, again and again as they pile up, for nothing: a third of the time.
    """
    if not gc.isenabled():  # paused already (by a caller, or by parse_yaml in another thread)
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _parse_events(text: str, name: str, problems: list[Problem], offset: int, tabs: list[Problem]) -> Node | None:
    """The event path: parse into PyYAML's events and build the tree from them, reporting every problem."""
    first_line = offset + 1
    builder = _TreeBuilder(name, offset, problems)
    try:
        events = list(yaml.parse(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        if tabs:  # the tab is the likely cause, and the clearer message
            problems.extend(tabs)
            return None
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and "end of stream" in (exc.problem or ""):
            mark = exc.context_mark  # an unclosed quote or bracket: point where it was opened, not at the end of the file
        line = mark.line + 1 + offset if mark else 0
        col = mark.column + 1 if mark else 0
        lines = text.split("\n")
        if text.endswith("\n"):
            lines.pop()
        if line > len(lines) + offset:  # the parser stopped at the end of the file, after its last line
            line, col = len(lines) + offset, len(lines[-1]) + 1 if lines else 1
        what = " ".join(filter(None, [exc.context, exc.problem]))
        problems.append(Problem(name, line, col, f"YAML syntax error: {what}", "check the indentation and quoting on this line and the one above"))
        return None
    except yaml.YAMLError as exc:
        problems.append(Problem(name, 0, 0, f"YAML error: {exc}"))
        return None
    if tabs:
        # A tab inside the text of a block scalar (| or >) is text, not indentation.
        text_lines = _block_scalar_lines(events)
        tabs = [p for p in tabs if p.line - first_line not in text_lines]
        if tabs:
            problems.extend(tabs)
            return None
    for event in events:
        builder.feed(event)
    return builder.root


def _block_scalar_lines(events: list[Any]) -> set[int]:
    """The (0-based) lines that hold the text of block scalars, after their '|' or '>' line."""
    lines: set[int] = set()
    for event in events:
        start, stop = event.start_mark, event.end_mark
        if isinstance(event, yaml.ScalarEvent) and event.style in ("|", ">") and start is not None and stop is not None:
            lines.update(range(start.line + 1, stop.line + (1 if stop.column else 0)))
    return lines


# Where an anchor ('&a') or a tag ('!t', '!!str', '! ') may start. libyaml starts a token after a
# blank, a line break or an indicator ('- ', ': ', '[', ',' ...), at the start of the text or after a
# BOM; never right after a letter, digit or '_', which would put the '&' or '!' inside a scalar, a
# tag or an anchor's name ("R&D", "Stop!", "?a=1&b=2", or a syntax error). So any '&' or '!' that does
# not follow one of those counts, comments and quoted text included: matching too much only
# costs speed (the event path reads the text), too little would let an anchor or a tag through.
# The characters come first in the pattern so that re can scan for them quickly. Aliases ('*a')
# need no look: with no anchor to name, one stops the composer ("found undefined alias").
_NODE_PROPERTY = re.compile(r"[&!](?<!\w[&!])")

_Composer: type[Any] | None
try:
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml: the event path reads everything
    _Composer = None
else:

    class _CComposer(CParser):
        """libyaml's composer, with PyYAML's tag resolution (Python, called for every node) made a no-op: we resolve ourselves."""

        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            return ""

        def descend_resolver(self, parent: Any, index: Any) -> None:
            pass

        def ascend_resolver(self) -> None:
            pass

    _Composer = _CComposer


def _parse_composed(text: str, name: str, offset: int) -> tuple[Node | None, list[Problem]] | None:
    """The fast path: the tree and its problems, or None when the event path must read the text.

    The composed tree shows neither anchors (an alias is the anchored node again) nor the
    tag '!' on a scalar, so any text that may hold one goes the event path; so does any text
    the composer refuses, whatever the reason: the event path will say it the usual way.
    """
    if _Composer is None or (("&" in text or "!" in text) and _NODE_PROPERTY.search(text)):  # most files hold neither
        return None
    try:
        top = _Composer(text).get_single_node()  # raises on a second document, an undefined alias
    except yaml.YAMLError:
        return None
    problems: list[Problem] = []
    if top is None:  # nothing but comments
        return None, problems
    try:
        return _from_composed(top, name, offset, problems), problems
    except RecursionError:  # nested deeper than Python's stack allows (libyaml allows 1,000 levels); the event path does not recurse
        return None


def read_yaml(path: Path, name: str) -> Document:
    """Read and parse one YAML content file."""
    problems: list[Problem] = []
    text = read_text(path, name, problems)
    root = parse_yaml(text, name, problems) if text is not None else None
    if text is not None and root is None and not problems:
        problems.append(Problem(name, 1, 1, "file holds no YAML value", "add content or delete the file"))
    return Document(name, root, problems)


_FRONT = re.compile(r"---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|$)", re.S)


def read_markdown(path: Path, name: str) -> Document:
    """Read a Markdown file with YAML front matter between '---' lines."""
    problems: list[Problem] = []
    text = read_text(path, name, problems)
    if text is None:
        return Document(name, None, problems)
    match = _FRONT.match(text)
    if not match:
        problems.append(Problem(name, 1, 1, "page has no front matter", "start the file with '---', 'title: ...', 'order: 1', '---'"))
        return Document(name, None, problems)
    root = parse_yaml(match.group(1) or "", name, problems, first_line=2) if (match.group(1) or "").strip() else None
    if root is None and not problems:
        problems.append(Problem(name, 1, 1, "front matter is empty", "add 'title:' and 'order:'"))
    body_line = text.count("\n", 0, match.end()) + 1
    return Document(name, root, problems, body=text[match.end() :], body_line=body_line)


@dataclass
class Content:
    """Every content file read from a content folder, by kind."""

    root: Path
    site: Document | None
    lists: dict[str, list[Document]]
    pages: list[Document]
    problems: list[Problem]


#: Documents already read, by path, with the (mtime, size) they were read at.
DocumentCache = dict[Path, tuple[tuple[int, int], Document]]


def _cached(reader: Callable[[Path, str], Document], path: Path, name: str, cache: DocumentCache | None) -> Document:
    """Read a file, or reuse its Document if the file has not changed since (serve's rebuilds)."""
    if cache is None:
        return reader(path, name)
    try:
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        return reader(path, name)
    hit = cache.get(path)
    if hit is not None and hit[0] == stamp and hit[1].path == name:
        return hit[1]
    doc = reader(path, name)
    if hit is not None and hit[1].path == name:
        _keep_unchanged_items(hit[1].root, doc.root)
    cache[path] = (stamp, doc)
    return doc


def _keep_unchanged_items(old: Node | None, new: Node | None) -> None:
    """A list file changed: its items that are equal to last read's, at the same place, become
    last read's nodes, so that their checked records and model objects are kept too (reader.records)."""
    if old is None or new is None or not isinstance(old.value, list) or not isinstance(new.value, list):
        return
    items = new.value
    for number, (was, now) in enumerate(zip(old.value, items, strict=False)):
        if was == now:  # every value, line, column and spelling
            items[number] = was


def read_content(root: Path, list_kinds: tuple[str, ...], cache: DocumentCache | None = None) -> Content:
    """Read content/: site.yaml, one file or folder per list kind, and pages/*.md."""
    problems: list[Problem] = []
    if not root.is_dir():
        problems.append(Problem(str(root), 0, 0, "content folder not found", "pass --content DIR"))
        return Content(root, None, {}, [], problems)

    def name(path: Path) -> str:
        return relative_name(path, root)

    inside = root.resolve()

    def linked_out(path: Path) -> bool:
        """Refuse a file or folder that is a link to somewhere outside content/ (it would be read and published)."""
        if not path.exists() or path.resolve().is_relative_to(inside):
            return False
        problems.append(
            # Named as the link itself: name() would follow it.
            Problem(
                f"{name(path.parent)}/{path.name}",
                0,
                0,
                f"is a symbolic link to {path.resolve()}, outside content/",
                "copy it into content/ instead of linking to it",
            )
        )
        return True

    site_path = root / "site.yaml"
    site = _cached(read_yaml, site_path, name(site_path), cache) if site_path.is_file() and not linked_out(site_path) else None
    if site is None:
        problems.append(
            Problem(name(site_path), 0, 0, "site settings file is missing", "create it with title, dek, description, language, base_url and authors")
        )
    lists: dict[str, list[Document]] = {}
    for kind in list_kinds:
        file, folder = root / f"{kind}.yaml", root / kind
        paths = [file] if file.is_file() else []
        if folder.is_dir():
            if paths:
                problems.append(Problem(name(file), 0, 0, f"both {kind}.yaml and the folder {kind}/ exist", "keep one of them"))
            paths += [] if linked_out(folder) else _files_in(folder, "*.yaml")
        lists[kind] = [_cached(read_yaml, p, name(p), cache) for p in paths if not linked_out(p)]
    pages_dir = root / "pages"
    pages = [_cached(read_markdown, p, name(p), cache) for p in ([] if linked_out(pages_dir) else _files_in(pages_dir, "*.md")) if not linked_out(p)]
    known = {"site.yaml", "pages", "media", *(f"{k}.yaml" for k in list_kinds), *list_kinds}
    for path in sorted(root.iterdir()):
        if path.name not in known and not path.name.startswith(".") and not is_editor_temp(path.name):
            close = difflib.get_close_matches(path.name, sorted(known), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "the generator reads: " + ", ".join(sorted(known))
            problems.append(Problem(name(path), 0, 0, "file is not part of the content format and is ignored", hint, warning=True))
    return Content(root, site, lists, pages, problems)


def _files_in(folder: Path, pattern: str) -> list[Path]:
    """The content files in a folder, by name; hidden files (macOS's ._ copies, editors' locks) are not content."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(pattern) if p.is_file() and not p.name.startswith(".") and not is_editor_temp(p.name))


def relative_name(path: Path, root: Path) -> str:
    """The name a message uses for a file: relative to the current folder when possible."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return (root.name / path.relative_to(root)).as_posix() if path.is_relative_to(root) else str(path)


def is_editor_temp(name: str) -> bool:
    """Files that editors write beside the real one (swap, backup, lock files)."""
    return name.endswith(("~", ".swp", ".swo", ".swx", ".tmp", ".bak", ".kate-swp")) or name.startswith((".#", "#", "~$")) or name in ("4913", ".DS_Store")
