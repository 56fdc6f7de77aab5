"""One configured Markdown converter, reused for every text, with its links checked.

Raw HTML inside Markdown is passed to nh3 (the Python binding of Rust's ammonia), a
maintained allow-list sanitiser, because Python-Markdown copies it through verbatim.

Python-Markdown's time grows with the square of the unclosed '[' and '<tag' in a paragraph,
and it recurses once per level of nested lists and quotes. A text past the limits below is
not given to it at all: it is shown as plain, escaped text, and Rendered.refused says why
(docs/guarantees.md), so that pasted junk cannot hang or crash a build.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape as html_escape
from html import unescape

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.treeprocessors import Treeprocessor

from .schema import url_problem
from .workers import can_fork, fork_map


@dataclass(frozen=True)
class Rendered:
    """Markdown turned into HTML, with what the writer should hear about."""

    html: str
    bad_links: tuple[tuple[str, str], ...] = ()  # (url, why)
    sanitised: bool = False
    refused: str = ""  # why the text was not converted (it is then shown as plain text), or ''


class _LinkCheck(Treeprocessor):
    """Collect links and images whose address uses a scheme we do not allow, and drop them."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.bad: list[tuple[str, str]] = []

    def run(self, root: ET.Element) -> None:
        for element in root.iter():
            attribute = "href" if element.tag == "a" else "src" if element.tag == "img" else ""
            url = element.get(attribute) if attribute else None
            if url is None:
                continue
            # Markdown copies character references into the attribute (javascript&#58;...): check what a browser reads.
            why = url_problem(unescape(url))
            if why:
                self.bad.append((url, why))
                element.set(attribute, "#")


class _LinkCheckExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Markdown's API
        md.treeprocessors.register(_LinkCheck(md), "explainer_links", 0)


ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "cite", "code", "del", "em", "h2", "h3", "h4", "hr", "i",
    "li", "ol", "p", "pre", "q", "s", "small", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul", "span",
}  # fmt: skip


_TABLE = re.compile(r"<table>(.*?)</table>", re.S)
_HEADER_CELL = re.compile(r"<th[^>]*>(.*?)</th>", re.S)
_TAG = re.compile(r"<[^>]+>")


def _scrolling_table(match: re.Match[str]) -> str:
    """Wrap a table in a labelled region that scrolls sideways on narrow screens.

    A wide table may not push the page past a phone's width; the region, named after the
    table's column headings, can be reached and scrolled with the keyboard.
    """
    headings = [" ".join(_TAG.sub("", cell).split()) for cell in _HEADER_CELL.findall(match.group(1))]
    label = "Table: " + ", ".join(h for h in headings if h) if any(headings) else "Table"
    return f'<div class="scroll" role="region" tabindex="0" aria-label="{html_escape(label)}"><table>{match.group(1)}</table></div>'


#: At most this many '[' and '<tag' in one paragraph (a run of lines without a blank line).
MAX_OPENERS = 1000
#: At most this many levels of nested lists and block quotes.
MAX_NESTING = 100

_OPENER = re.compile(r"\[|<[A-Za-z/!?]")
_PARAGRAPHS = re.compile(r"\n[ \t]*\n")
_PREFIX = re.compile(r"[ \t>]*")


def too_costly(text: str) -> str:
    """Why Python-Markdown should not be given this text, or ''."""
    for number, paragraph in enumerate(_PARAGRAPHS.split(text), start=1):
        openers = len(_OPENER.findall(paragraph))
        if openers > MAX_OPENERS:
            return f"paragraph {number} holds {openers:,} '[' and '<' (at most {MAX_OPENERS:,} in one paragraph)"
    for number, line in enumerate(text.split("\n"), start=1):
        prefix = _PREFIX.match(line)
        if prefix is None or len(prefix.group()) <= MAX_NESTING:
            continue
        marks = prefix.group()
        depth = marks.count(">") + (marks.count(" ") + 4 * marks.count("\t")) // 4
        if depth > MAX_NESTING:
            return f"line {number} is nested {depth} levels deep in lists or quotes (at most {MAX_NESTING})"
    return ""


def _as_plain_text(text: str) -> str:
    return "".join(f"<p>{html_escape(p.strip())}</p>\n" for p in _PARAGRAPHS.split(text) if p.strip())


#: Below this many new texts, forking workers costs more than it saves.
PARALLEL_MIN_TEXTS = 400


class Converter:
    """Markdown to HTML with one reused Python-Markdown instance and a memo of converted texts.

    A long-running session (serve) calls sweep() after each build: the memo then forgets the
    texts that build did not ask for (the versions that edits left behind), so that its size
    follows the explainer and not the number of saves.
    """

    def __init__(self) -> None:
        # Extensions as objects, not names: a name is looked up among the installed packages' entry points (40 ms).
        self._md = markdown.Markdown(extensions=[TableExtension(), SaneListExtension(), _LinkCheckExtension()], output_format="html")
        self._check: _LinkCheck = self._md.treeprocessors["explainer_links"]  # type: ignore[assignment]
        self._memo: dict[str, Rendered] = {}  # asked for since the last sweep
        self._older: dict[str, Rendered] = {}  # asked for before it, and not since

    def convert(self, text: str) -> Rendered:
        done = self._memo.get(text)
        if done is None:
            done = self._older.pop(text, None) or self._convert(text)
            self._memo[text] = done
        return done

    def prefill(self, texts: Iterable[str], workers: int) -> None:
        """Convert many new texts at once, shared with forked processes: a cold build's Markdown.

        The results go into the memo, where convert() finds them; with one worker, or few
        texts, nothing is done here and convert() does the work as it is asked.
        """
        todo = [text for text in dict.fromkeys(texts) if text not in self._memo and text not in self._older]
        if workers < 2 or len(todo) < PARALLEL_MIN_TEXTS or not can_fork():
            return
        chunks = [todo[start::workers] for start in range(workers)]
        # The forked workers inherit this converter; each converts a share and sends the HTML back.
        for chunk, part in fork_map(lambda chunk: (chunk, [self._convert(text) for text in chunk]), chunks, workers):
            self._memo.update(zip(chunk, part, strict=True))

    def sweep(self) -> None:
        """Forget the texts not asked for since the last sweep."""
        self._older, self._memo = self._memo, {}

    def _convert(self, text: str) -> Rendered:
        why = too_costly(text)
        if why:
            return Rendered(_as_plain_text(text), refused=why)
        self._md.reset()
        self._check.bad = []
        try:
            html = self._md.convert(text)
        except RecursionError:
            self._md.reset()
            return Rendered(_as_plain_text(text), refused=f"it is nested too deeply in lists or quotes (at most {MAX_NESTING} levels)")
        sanitised = bool(self._md.htmlStash.rawHtmlBlocks)
        if sanitised:
            html = nh3.clean(
                html,
                tags=ALLOWED_TAGS,
                attributes={"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope", "align"}, "td": {"align"}, "span": {"lang"}},
                url_schemes={"http", "https", "mailto"},
                link_rel=None,
            )
        if "<table>" in html:
            html = _TABLE.sub(_scrolling_table, html)
        return Rendered(html, tuple(self._check.bad), sanitised)
