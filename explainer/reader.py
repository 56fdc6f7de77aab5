"""Read checked records from content's list files, converting their Markdown and resolving their references."""

from __future__ import annotations

import difflib
from typing import Any, Protocol, TypeVar

from . import schema
from .errors import Problem
from .markup import Converter
from .model import Interner
from .schema import Kind, Record, check_record
from .sources import Content, Document, Node

T = TypeVar("T")


class RecordReader:
    """Read the records of the documents from content/, collecting every problem; checks._Builder builds the model from them."""

    def __init__(
        self, content: Content, drafts: bool, markup: Converter | None = None, record_memo: RecordMemo | None = None, intern: Interner | None = None
    ) -> None:
        self.content = content
        self.intern: _Intern = intern or _as_is  # interning pays only across builds
        self.drafts = drafts
        self.record_memo = record_memo
        self.problems: list[Problem] = list(content.problems)
        self.markup = markup or Converter()
        self.unreadable: set[str] = set()  # list kinds with a file that could not be read as a list

    def error(self, node: Node, message: str, hint: str = "") -> None:
        self.problems.append(node.at(message, hint))

    def warn(self, node: Node, message: str, hint: str = "") -> None:
        self.problems.append(node.at(message, hint, warning=True))

    def records(self, kind_name: str) -> list[Record]:
        kind = schema.LIST_KINDS[kind_name]
        out: list[Record] = []
        for doc in self.content.lists.get(kind_name, []):
            self.problems.extend(doc.problems)
            if doc.root is None or not isinstance(doc.root.value, list):
                self.unreadable.add(kind_name)
            if doc.root is None:
                continue
            if not isinstance(doc.root.value, list):
                self.error(
                    doc.root,
                    f"{kind_name} file must be a list of {kind.name}s, got {doc.root.kind}",
                    f"start each {kind.name} with '- {kind.fields[0].name}: ...'",
                )
                continue
            memo = self.record_memo.get(doc.path) if self.record_memo is not None else None
            last = memo[1] if memo is not None else []
            if memo is not None and memo[0] is doc:  # the same file as last build: same records
                checked = last
            else:  # an item that is last build's node (sources keeps unchanged items' nodes) keeps its record
                checked = []
                for number, node in enumerate(doc.root.value, start=1):
                    if number <= len(last) and last[number - 1][0] is node:
                        checked.append(last[number - 1])
                        continue
                    found: list[Problem] = []
                    checked.append((node, check_record(node, kind, f"{kind.name} {number}", found), found))
                if self.record_memo is not None:
                    self.record_memo[doc.path] = (doc, checked)
            for _node, record, found in checked:
                self.problems.extend(found)
                if record is not None:
                    out.append(record)
        return out

    def unique(self, records: list[Record], kind: Kind) -> dict[str, Record]:
        seen: dict[str, Record] = {}
        for record in records:
            key = record.values.get(kind.id_field)
            if key is None:
                continue
            if key in seen:
                first = seen[key].nodes[kind.id_field]
                self.error(
                    record.nodes[kind.id_field], f"duplicate {kind.name} id '{key}' (first used at {first.file}:{first.line})", "give each one its own id"
                )
                continue
            seen[key] = record
        return seen

    def markdown(self, record: Record, name: str) -> str:
        text = record.values.get(name)
        if text is None:
            return ""
        node = record.nodes[name]
        rendered = self.markup.convert(text)
        for url, why in rendered.bad_links:
            self.error(node, f"{_label(record)}link '{url}' in {name} {why}", "use an http(s) or mailto address, or a relative link")
        if rendered.sanitised:
            self.warn(
                node, f"{_label(record)}raw HTML in {name} was sanitised", "write Markdown instead of HTML; scripts, styles and event attributes are removed"
            )
        if rendered.refused:
            self.error(
                node, f"{_label(record)}{name}: Markdown not converted: {rendered.refused}", "split the text into paragraphs, or remove the brackets or nesting"
            )
        return rendered.html

    def resolve(self, record: Record, name: str, table: dict[str, Any], what: str) -> list[Any]:
        """Look up the ids in a reference field, reporting each unknown one at its own line.

        An id is not called unknown while a file of its kind could not be read: that file's
        own problem is the one to fix, and it may well hold the id.
        """
        node = record.nodes.get(name)
        if node is None:
            return []
        items = node.value if isinstance(node.value, list) else [node]
        found = []
        for item in items:
            key = item.value
            if not isinstance(key, str) or not schema.SLUG.fullmatch(key):
                continue
            if key in table:
                found.append(table[key])
            elif what not in self.unreadable:
                close = difflib.get_close_matches(key, list(table), n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"add it to the {what} file"
                self.error(item, f"{_label(record)}{name}: unknown {_NOUNS[what]} '{key}'", hint)
        return found


class _Intern(Protocol):
    def __call__(self, obj: T) -> T: ...


def _as_is(obj: T) -> T:
    return obj


_NOUNS = {"people": "person", "sources": "source", "places": "place", "phases": "phase", "timeline": "event"}


def _label(record: Record) -> str:
    """The prefix of a message about a record, as its field checks name it: "event 'treaty-signed': "."""
    return f"{record.label}: " if record.label else ""


#: Checked records of each list file, by file name, with the Document they came from: each item's node, record and problems.
RecordMemo = dict[str, tuple[Document, list[tuple[Node, Record | None, list[Problem]]]]]


def _written_ids(node: Node | None) -> list[str]:
    """The ids a reference field holds as written (one, or a list), valid or not."""
    if node is None:
        return []
    items = node.value if isinstance(node.value, list) else [node]
    return [item.value for item in items if isinstance(item.value, str)]


def event_references(record: Record, drafts: bool) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The ids an event refers to as written, by the file they belong in; its phase only if it is built."""
    fields = record.node.value
    refs = [("sources", "sources"), ("people", "actors"), ("places", "places")]
    draft = fields.get("draft")
    if drafts or draft is None or draft.value is not True:
        refs.append(("phases", "phase"))
    found = [(kind, tuple(_written_ids(fields.get(name)))) for kind, name in refs]
    claims = fields.get("claims")
    for claim in claims.value if claims is not None and isinstance(claims.value, list) else []:
        if isinstance(claim.value, dict):
            found += [("sources", tuple(_written_ids(claim.value.get("sources")))), ("people", tuple(_written_ids(claim.value.get("by"))))]
    return tuple(found)


def quote_references(record: Record, drafts: bool) -> tuple[tuple[str, tuple[str, ...]], ...]:
    fields = record.node.value
    return (("sources", tuple(_written_ids(fields.get("source")))), ("people", tuple(_written_ids(fields.get("speaker")))))
