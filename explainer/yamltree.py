"""Build located Node trees from PyYAML's parser events or from libyaml's composed nodes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from .errors import Problem

_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_WORDS: dict[str, Any] = {**dict.fromkeys(_NULLS), **dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}
_NUMBER_START = frozenset("0123456789+-.")  # every match of _INT and _FLOAT starts with one of these
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
# What YAML 1.1 (PyYAML's default) would read as something other than text.
_YAML11_BOOL = re.compile(r"y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF")
_YAML11_NUMBER = re.compile(
    r"[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"
    r"|[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|\.(?:inf|Inf|INF|nan|NaN|NAN))"
)
_YAML11_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ].*)?")


@dataclass(slots=True)
class Node:
    """A parsed value with its location; mappings and sequences hold Nodes."""

    value: Any
    file: str
    line: int
    col: int
    plain: bool = False
    keys: dict[str, Node] | None = None
    refused: bool = False  # stands for an alias, already reported: checks say nothing more about it
    raw: str = ""  # a scalar as written in the file, before it was read as a number or boolean

    def at(self, message: str, hint: str = "", warning: bool = False) -> Problem:
        return Problem(self.file, self.line, self.col, message, hint, warning)

    @property
    def kind(self) -> str:
        return describe(self.value)

    def yaml11_reading(self) -> str | None:
        """What YAML 1.1 would make of this plain scalar, if not text."""
        if not self.plain or not isinstance(self.value, str | int | float | bool):
            return None
        raw = self.value if isinstance(self.value, str) else None
        if raw is None:
            return describe(self.value)
        if _YAML11_BOOL.fullmatch(raw):
            return "a boolean"
        if _YAML11_NUMBER.fullmatch(raw):
            return "a number"
        if _YAML11_DATE.fullmatch(raw):
            return "a date"
        return None


def describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "a mapping"
    return "a list"


class _TreeBuilder:
    """Turn a stream of PyYAML parser events into a Node tree."""

    def __init__(self, name: str, offset: int, problems: list[Problem]) -> None:
        self.name = name
        self.offset = offset
        self.problems = problems
        self.stack: list[tuple[Node, list[Any]]] = []
        self.root: Node | None = None
        self.documents = 0

    def _node(self, value: Any, event: Any, plain: bool = False) -> Node:
        mark = event.start_mark
        return Node(value, self.name, mark.line + 1 + self.offset, mark.column + 1, plain)

    def _problem(self, event: Any, message: str, hint: str = "") -> None:
        mark = event.start_mark
        self.problems.append(Problem(self.name, mark.line + 1 + self.offset, mark.column + 1, message, hint))

    def _check_node_event(self, event: Any) -> None:
        if getattr(event, "anchor", None):
            self._problem(event, f"YAML anchors ('&{event.anchor}') are not allowed in content", "write the value out in full")
        tag = getattr(event, "tag", None)
        if tag is not None:
            self._problem(event, f"YAML tags ('{tag}') are not allowed in content", "remove the tag; quote the value if it must be text")

    def feed(self, event: Any) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self._problem(event, "a file holds one YAML document; found a second one ('---')", "remove the '---' line or split the file")
            return
        if isinstance(event, yaml.AliasEvent):
            self._problem(event, f"YAML aliases ('*{event.anchor}') are not allowed in content", "write the value out in full")
            placeholder = self._node(None, event)
            placeholder.refused = True
            self._add(placeholder)
            return
        if isinstance(event, yaml.ScalarEvent):
            self._check_node_event(event)
            plain = event.style in (None, "") and event.implicit[0]
            node = self._node(_resolve(event.value) if plain else event.value, event, plain)
            node.raw = event.value
            self._add(node)
        elif isinstance(event, yaml.MappingStartEvent):
            self._check_node_event(event)
            node = self._node({}, event)
            node.keys = {}
            self.stack.append((node, []))
        elif isinstance(event, yaml.SequenceStartEvent):
            self._check_node_event(event)
            self.stack.append((self._node([], event), []))
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            node, _pending = self.stack.pop()
            self._add(node)

    def _add(self, node: Node) -> None:
        if not self.stack:
            if self.documents <= 1:
                self.root = node
            return
        parent, pending = self.stack[-1]
        if isinstance(parent.value, list):
            parent.value.append(node)
            return
        if not pending:
            pending.append(node)
            return
        _add_pair(parent, pending.pop(), node, self.problems)


def _add_pair(mapping: Node, key: Node, value: Node, problems: list[Problem]) -> None:
    """Add one key and its value to a mapping, refusing a key that is not a name or is given twice (both paths)."""
    assert mapping.keys is not None
    if isinstance(key.value, dict | list):
        problems.append(key.at("a mapping key must be a plain name", "use 'name: value'"))
        return
    name = str(key.value) if not isinstance(key.value, str) else key.value
    if key.plain and key.value is None:
        name = ""
    first = mapping.keys.get(name)
    if first is not None:
        problems.append(
            key.at(f"key '{name}' is given twice in one mapping (first on line {first.line})", "keep one of them; YAML would silently keep the last")
        )
        return
    mapping.keys[name] = key
    mapping.value[name] = value


def _from_composed(top: yaml.Node, file: str, offset: int, problems: list[Problem]) -> Node:
    """Convert libyaml's composed tree to Nodes: the same Nodes, in the same order, as _TreeBuilder."""
    first_line = offset + 1
    scalar, sequence = yaml.ScalarNode, yaml.SequenceNode

    def convert(node: Any) -> Node:
        mark = node.start_mark
        kind = type(node)
        if kind is scalar:
            raw = node.value
            if node.style:  # quoted or block text; with no tags, only plain scalars (style '') are read as numbers and the like
                return Node(raw, file, mark.line + first_line, mark.column + 1, False, None, False, raw)
            return Node(_resolve(raw), file, mark.line + first_line, mark.column + 1, True, None, False, raw)
        if kind is sequence:
            return Node([convert(item) for item in node.value], file, mark.line + first_line, mark.column + 1)
        value: dict[str, Node] = {}
        keys: dict[str, Node] = {}
        mapping = Node(value, file, mark.line + first_line, mark.column + 1, False, keys)
        for key_node, value_node in node.value:
            key = convert(key_node)  # key, then value, then the pair: the order _TreeBuilder gets them in
            item = convert(value_node)
            name = key.value
            if type(name) is str and name not in keys:  # the usual case, spared a call: what _add_pair does with it
                keys[name] = key
                value[name] = item
            else:
                _add_pair(mapping, key, item, problems)
        return mapping

    return convert(top)


def _resolve(raw: str) -> Any:
    """Resolve a plain scalar by YAML 1.2's core schema, keeping anything else as text."""
    if raw in _WORDS:
        return _WORDS[raw]
    if raw[0] in _NUMBER_START:  # raw is not "" (a null); most text is spared the two regexes
        if _INT.fullmatch(raw):
            return int(raw)
        if _FLOAT.fullmatch(raw):
            return float(raw)
    return raw
