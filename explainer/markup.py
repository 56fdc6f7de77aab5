"""One configured Markdown converter, reused for every text, with its links checked.

Raw HTML inside Markdown is passed to nh3 (the Python binding of Rust's ammonia), a
maintained allow-list sanitiser, because Python-Markdown copies it through verbatim.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html import escape as html_escape
from html import unescape

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .schema import url_problem


@dataclass(frozen=True)
class Rendered:
    """Markdown turned into HTML, with what the writer should hear about."""

    html: str
    bad_links: tuple[tuple[str, str], ...] = ()  # (url, why)
    sanitised: bool = False


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


class Converter:
    """Markdown to HTML with one reused Python-Markdown instance and a per-text memo."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(extensions=["tables", "sane_lists", _LinkCheckExtension()], output_format="html")
        self._check: _LinkCheck = self._md.treeprocessors["explainer_links"]  # type: ignore[assignment]
        self._memo: dict[str, Rendered] = {}

    def convert(self, text: str) -> Rendered:
        done = self._memo.get(text)
        if done is not None:
            return done
        self._md.reset()
        self._check.bad = []
        html = self._md.convert(text)
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
        rendered = Rendered(html, tuple(self._check.bad), sanitised)
        self._memo[text] = rendered
        return rendered

    def inline(self, text: str) -> Rendered:
        """Convert a one-paragraph text without its <p> wrapper."""
        rendered = self.convert(text)
        html = rendered.html
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
            html = html[3:-4]
        return Rendered(html, rendered.bad_links, rendered.sanitised)
