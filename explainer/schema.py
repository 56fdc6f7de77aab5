"""The content format: every field of every kind, and the checks that turn Nodes into values.

One table drives validation, the writer's documentation and the JSON Schemas, so they
cannot drift apart.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from .dates import parse_datetime, parse_partial, parse_time
from .errors import Problem
from .sources import Node

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
LANG = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
_URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
ALLOWED_SCHEMES = ("http", "https", "mailto")
# Characters XML 1.0 (and so the feeds) cannot hold, which YAML's escapes ("\v", "\x00") can write.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MAX_ID = 80


@dataclass(frozen=True)
class Field:
    """One field of a content kind."""

    name: str
    type: str
    doc: str
    required: bool = False
    ref: str = ""
    choices: tuple[str, ...] = ()
    of: Kind | None = None
    many: bool = False
    example: Any = None


@dataclass(frozen=True)
class Kind:
    """A kind of content record (an event, a quote ...) and its fields."""

    name: str
    fields: tuple[Field, ...]
    id_field: str = ""

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


@dataclass
class Record:
    """A checked mapping: plain values, plus the Node each came from for later cross-checks."""

    node: Node
    values: dict[str, Any]
    nodes: dict[str, Node] = field(default_factory=dict)
    label: str = ""  # how messages name it: "event 'treaty-signed'", "update 2", "event 'x': claims item 1"

    def get(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name)
        return default if value is None else value


STATUSES = {
    "confirmed": "the party concerned, or several independent sides, say so",
    "claimed": "one side says so; not independently confirmed",
    "disputed": "another side contradicts it",
    "denied": "the party concerned denies it",
}
PERSON_KINDS = ("person", "organisation", "country", "document")
UPDATE_KINDS = ("publication", "update", "correction", "clarification")

ORIGINAL = Kind(
    "original",
    (
        Field("lang", "lang", "language code of the original (BCP 47: ko, ru)", True, example="ko"),
        Field("text", "text", "the original words, exactly", True, example="지체없이"),
    ),
)
MEDIA = Kind(
    "media",
    (
        Field("file", "media", "a file under content/media/", True, example="treaty-signing.jpg"),
        Field("alt", "text", "what the image shows, for readers who cannot see it", True, example="Putin and Kim sign the treaty at a table"),
        Field("caption", "text", "caption shown under the image", example="The signing in Pyongyang."),
        Field("credit", "text", "who made the image", example="KCNA via Reuters"),
    ),
)
CLAIM = Kind(
    "claim",
    (
        Field("text", "text", "what is claimed, in our words", True, example="About 3,000 North Korean soldiers moved to eastern Russia."),
        Field("by", "ref", "people id of the claimant", True, ref="person", example="john-kirby"),
        Field("date", "date", "when the claim was made", True, example="2024-10-23"),
        Field("figure", "number", "the number claimed, for estimates", example=3000),
        Field("status", "choice", "the explainer's assessment at the last update", True, choices=tuple(STATUSES), example="confirmed"),
        Field("sources", "ref", "source ids, at least one", True, ref="source", many=True, example=["s35"]),
    ),
)
SITE = Kind(
    "site",
    (
        Field("title", "text", "the explainer's headline", True, example="From pact to deployment"),
        Field("dek", "text", "the subtitle under the headline", True, example="How Russia and North Korea went from a treaty to troops in Kursk."),
        Field("description", "text", "one or two sentences for search engines and sharing", True, example="A sourced timeline."),
        Field("language", "lang", "language of the content (BCP 47)", True, example="en"),
        Field("base_url", "url", "the address where the site is published, ending with /", True, example="https://example.org/explainer/"),
        Field("authors", "text", "bylines", True, many=True, example=["Explainer desk"]),
        Field("publisher", "text", "the publishing organisation", example="Example News"),
        Field(
            "publish_remote", "text", "git remote that 'build.py publish' pushes to when --remote is not given", example="git@github.com:example/explainer.git"
        ),
    ),
)
PHASE = Kind(
    "phase",
    (
        Field("id", "id", "slug, unique among phases", True, example="the-pact"),
        Field("title", "text", "heading of the phase", True, example="The pact"),
        Field("summary", "markdown", "a short introduction (Markdown)", example="Putin visits Pyongyang."),
    ),
    id_field="id",
)
EVENT = Kind(
    "event",
    (
        Field("id", "id", "slug, unique among events; also its address events/<id>/", True, example="treaty-signed"),
        Field("date", "date", "YYYY, YYYY-MM or YYYY-MM-DD, as precise as the sources", True, example="2024-06-19"),
        Field("end", "date", "last day of a range", example="2024-06-20"),
        Field("time", "time", "HH:MM with UTC offset, only when a source gives it", example="02:22+09:00"),
        Field("date_label", "text", "text shown instead of the computed date", example="Mid-October 2024"),
        Field("reported", "date", "when it became public, if later than date", example="2024-10-18"),
        Field("title", "text", "short headline", True, example="Putin and Kim sign the treaty"),
        Field("summary", "markdown", "one to three sentences (Markdown)", True, example="The two leaders sign the treaty."),
        Field("body", "markdown", "more detail (Markdown)", example="Kremlin aide Yuri Ushakov said ..."),
        Field("phase", "ref", "phase id", True, ref="phase", example="the-pact"),
        Field("actors", "ref", "people ids", ref="person", many=True, example=["vladimir-putin", "kim-jong-un"]),
        Field("places", "ref", "place ids", ref="place", many=True, example=["pyongyang"]),
        Field("tags", "id", "slugs for filtering", many=True, example=["treaty", "diplomacy"]),
        Field("sources", "ref", "source ids, at least one", True, ref="source", many=True, example=["s04", "s05"]),
        Field("claims", "record", "attributed claims with their status", of=CLAIM, many=True),
        Field("media", "record", "an image", of=MEDIA),
        Field("aliases", "id", "old ids of this event, kept as redirects", many=True, example=["signing"]),
        Field("draft", "bool", "true leaves the event out unless --drafts", example=False),
    ),
    id_field="id",
)
QUOTE = Kind(
    "quote",
    (
        Field("id", "id", "slug, unique among quotes", True, example="q1"),
        Field("text", "text", "the exact words", True, example="without delay"),
        Field("lang", "lang", "language of the words, when not the explainer's language (BCP 47: ko, ru)", example="en"),
        Field("speaker", "ref", "people id", True, ref="person", example="treaty"),
        Field("role", "text", "the speaker's role when speaking, if it differs from the person's", example="Russian president"),
        Field("date", "date", "when it was said", example="2024-06-19"),
        Field("setting", "text", "where and how it was said", True, example="Press statement after the talks"),
        Field("source", "ref", "source id", True, ref="source", example="s04"),
        Field("event", "ref", "event id the quote belongs to", ref="event", example="treaty-signed"),
        Field("original", "record", "the words in the original language", of=ORIGINAL),
        Field("note", "text", "whose translation, how renderings differ", example="KCNA's official English."),
    ),
    id_field="id",
)
PERSON = Kind(
    "person",
    (
        Field("id", "id", "slug, unique among people; also the address people/<id>/", True, example="kim-jong-un"),
        Field("name", "text", "name as the explainer writes it", True, example="Kim Jong Un"),
        Field("native_name", "text", "name in its own script", example="김정은"),
        Field("native_lang", "lang", "language of native_name (BCP 47: ko, ru, uk)", example="ko"),
        Field("role", "text", "role at the time", True, example="North Korean leader"),
        Field("kind", "choice", "what it is", True, choices=PERSON_KINDS, example="person"),
    ),
    id_field="id",
)
PLACE = Kind(
    "place",
    (
        Field("id", "id", "slug, unique among places", True, example="pyongyang"),
        Field("name", "text", "name as the explainer writes it", True, example="Pyongyang"),
        Field("country", "text", "country it lies in", True, example="North Korea"),
        Field("lat", "number", "latitude in degrees", example=39.03),
        Field("lon", "number", "longitude in degrees", example=125.75),
    ),
    id_field="id",
)
SOURCE = Kind(
    "source",
    (
        Field("id", "id", "slug, unique among sources", True, example="s04"),
        Field("publisher", "text", "the original outlet", True, example="Reuters"),
        Field("title", "text", "title of the page or document", True, example="Putin and Kim sign mutual defence pact"),
        Field("date", "date", "publication date", example="2024-06-19"),
        Field("url", "url", "address of the page read (http or https)", True, example="https://www.reuters.com/world/"),
        Field("via", "text", "the outlet whose copy was read, when it is not the publisher's own page", example="Yahoo News"),
    ),
    id_field="id",
)
UPDATE = Kind(
    "update",
    (
        Field("date", "datetime", "ISO 8601 date and time with UTC offset", True, example="2024-12-16T09:00:00+00:00"),
        Field("kind", "choice", "what sort of change", True, choices=UPDATE_KINDS, example="publication"),
        Field("text", "text", "what changed", True, example="First published."),
        Field("events", "ref", "ids of the events affected", ref="event", many=True, example=[]),
    ),
)
PAGE = Kind(
    "page",
    (
        Field("title", "text", "page title", True, example="How this explainer was reported"),
        Field("order", "int", "position in the page list", True, example=5),
        Field("lead", "bool", "true shows the page on the explainer's first screen", example=False),
        Field("description", "text", "one sentence for search engines and sharing", example="Our sources and methods."),
    ),
)

#: The list kinds by file name, in the order the writer's docs present them.
LIST_KINDS: dict[str, Kind] = {
    "phases": PHASE,
    "timeline": EVENT,
    "quotes": QUOTE,
    "people": PERSON,
    "places": PLACE,
    "sources": SOURCE,
    "updates": UPDATE,
}


def check_record(node: Node, kind: Kind, label: str, problems: list[Problem]) -> Record | None:
    """Check a mapping against its kind; append every problem; return None if unusable."""
    if node.refused:
        return None
    if not isinstance(node.value, dict):
        problems.append(node.at(f"{label}: expected a mapping of fields, got {node.kind}", f"write '{kind.fields[0].name}: ...' lines"))
        return None
    if kind.id_field:
        id_node = node.value.get(kind.id_field)
        if id_node is not None and isinstance(id_node.value, str):
            label = f"{kind.name} '{id_node.value}'"
    record = Record(node, {}, label=label)
    known = {f.name: f for f in kind.fields}
    assert node.keys is not None
    for key, key_node in node.keys.items():
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(known)
            problems.append(key_node.at(f"{label}: unknown field '{key}'", hint))
    for spec in kind.fields:
        value_node = node.value.get(spec.name)
        if value_node is not None and value_node.refused:
            continue
        if value_node is None or (value_node.value is None and value_node.plain):
            if spec.required:
                where = value_node or node
                problems.append(where.at(f"{label}: missing required field '{spec.name}'", f"add '{spec.name}:' ({spec.doc})"))
            continue
        value = _check_field(value_node, spec, label, problems)
        if value is not _INVALID:
            record.values[spec.name] = value
            record.nodes[spec.name] = value_node
    return record


_INVALID: Any = object()


def _check_field(node: Node, spec: Field, label: str, problems: list[Problem]) -> Any:
    if spec.many:
        if not isinstance(node.value, list):
            problems.append(node.at(f"{label}: field '{spec.name}' must be a list, got {node.kind}", f"write it as [a, b] or as '- a' lines ({spec.doc})"))
            return _INVALID
        if spec.required and not node.value:
            problems.append(node.at(f"{label}: field '{spec.name}' must not be empty", spec.doc))
            return _INVALID
        items = []
        for number, item in enumerate(node.value, start=1):
            value = _check_one(item, spec, f"{label}: {spec.name} item {number}" if spec.type == "record" else label, problems)
            if value is not _INVALID:
                items.append(value)
        return items
    return _check_one(node, spec, label, problems)


def _check_one(node: Node, spec: Field, label: str, problems: list[Problem]) -> Any:
    kind = spec.type
    if node.refused:
        return _INVALID
    if kind == "record":
        assert spec.of is not None
        return check_record(node, spec.of, label, problems) or _INVALID
    value = node.value
    name = spec.name
    if kind == "bool":
        if isinstance(value, bool):
            return value
        return _bad(node, problems, f"{label}: field '{name}' must be true or false, got {_shown(node)}", "write true or false")
    if kind in ("int", "number"):
        ok = isinstance(value, int) if kind == "int" else isinstance(value, int | float)
        if ok and not isinstance(value, bool) and abs(value) < 1e15:
            # 3000.0 is read as 3000: equal numbers must look the same on every page, or a
            # cache that finds them equal would show the one written first.
            return int(value) if isinstance(value, float) and value.is_integer() else value
        return _bad(
            node,
            problems,
            f"{label}: field '{name}' must be a {'whole ' if kind == 'int' else ''}number, got {_shown(node)}",
            "write digits only, without quotes",
        )
    # Every remaining type is written as text.
    if isinstance(value, dict | list) or value is None:
        return _bad(node, problems, f"{label}: field '{name}' must be text, got {node.kind}", f"write it on one line after '{name}:' ({spec.doc})")
    if kind in ("date", "time", "datetime"):
        text = _raw(node)
    else:
        reading = node.yaml11_reading()
        if reading is not None:
            return _bad(
                node,
                problems,
                f"{label}: field '{name}' must be text, but '{_raw(node)}' unquoted is read by YAML as {reading}",
                f'put it in quotes: {name}: "{_raw(node)}"',
            )
        text = value
    if kind in ("text", "markdown"):
        if not text.strip():
            return _bad(node, problems, f"{label}: field '{name}' is empty", spec.doc)
        forbidden = _XML_FORBIDDEN.search(text)
        if forbidden:
            return _bad(
                node,
                problems,
                f"{label}: field '{name}' holds the control character U+{ord(forbidden.group()):04X}, which web pages and feeds cannot carry",
                "remove it; it was probably pasted by accident",
            )
        return text
    if kind in ("id", "ref"):
        if not SLUG.fullmatch(text) or len(text) > MAX_ID:
            what = "an id" if kind == "id" else "a reference to an id"
            return _bad(node, problems, f"{label}: {name} '{text}' is not {what} slug", "use lower-case letters, digits and single hyphens, like 'kim-jong-un'")
        return text
    if kind == "choice":
        if text in spec.choices:
            return text
        close = difflib.get_close_matches(text, spec.choices, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return _bad(node, problems, f"{label}: {name} '{text}' is not one of {', '.join(spec.choices)}", hint + "use one of those words")
    if kind == "date":
        date = parse_partial(text)
        if date is None:
            return _bad(node, problems, f"{label}: {name} '{text}' is not a valid date", "use YYYY, YYYY-MM or YYYY-MM-DD")
        return date
    if kind == "time":
        if parse_time(text) is None:
            return _bad(node, problems, f"{label}: {name} '{text}' is not a time with a UTC offset", 'use "HH:MM+HH:MM", like "02:22+09:00", in quotes')
        return text
    if kind == "datetime":
        moment = parse_datetime(text)
        if moment is None:
            return _bad(node, problems, f"{label}: {name} '{text}' is not a date and time with a UTC offset", 'use ISO 8601, like "2024-12-16T09:00:00+00:00"')
        return moment
    if kind == "url":
        problem = url_problem(text)
        if problem:
            return _bad(node, problems, f"{label}: {name} '{text}' {problem}", "use an http(s) or mailto address, or a relative link")
        return text
    if kind == "lang":
        if not LANG.fullmatch(text):
            return _bad(node, problems, f"{label}: {name} '{text}' is not a language code", "use a BCP 47 code such as en, ko or ru")
        return text
    if kind == "media":
        return text  # existence and containment are checked by the model, which knows content/
    raise AssertionError(f"unknown field type {kind}")


def url_problem(url: str) -> str:
    """Why a link may not be used, or '' if it may (http(s), mailto or relative)."""
    if not url or any(c.isspace() or ord(c) < 32 for c in url):
        return "is not a link (it is empty or has spaces)"
    match = _URL_SCHEME.match(url)
    if match and match.group(1).lower() not in ALLOWED_SCHEMES:
        return f"uses the '{match.group(1)}:' scheme, which is not allowed"
    if match and match.group(1).lower() in ("http", "https") and not url.lower().startswith(("http://", "https://")):
        return "is not a full http(s) address"
    if url.startswith("//"):
        return "is a scheme-relative link"
    return ""


def _bad(node: Node, problems: list[Problem], message: str, hint: str) -> Any:
    problems.append(node.at(message, hint))
    return _INVALID


def _raw(node: Node) -> str:
    if node.raw:
        return node.raw
    value = node.value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _shown(node: Node) -> str:
    if isinstance(node.value, str):
        return f"'{node.value}'"
    if isinstance(node.value, dict | list) or node.value is None:
        return node.kind
    return f"{node.kind} ({_raw(node)})"
