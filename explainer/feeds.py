"""The Atom feed (feed.xml) and JSON Feed 1.1 (feed.json): the timeline's events and the updates log.

Written by hand with xml.etree and json, so that every time comes from the content and the
entries come in a fixed order: newest first, then by id.
"""

from __future__ import annotations

import json
import re
import textwrap
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from markupsafe import escape

from . import dates
from .memo import Recall, no_memo
from .model import Event, Explainer, Update, _hash_once
from .render import event_when
from .sharing import ICON, SHARE_IMAGE
from .timestamps import Log, UpdatesLog, event_modified, event_moment, rfc3339

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"

_LINK = re.compile(r'(\s(?:href|src)=")([^"]*)(")')


@_hash_once  # looked up in the build state's memo once per format and build: hashing it walks every field
@dataclass(frozen=True)
class Entry:
    """One feed item, the same in both formats."""

    id: str
    url: str
    title: str
    summary: str  # plain text
    html: str
    published: datetime
    updated: datetime
    tags: tuple[str, ...] = ()
    image: str = ""
    # As written in the feeds; also makes entries at equal moments with other offsets unequal.
    published_text: str = field(init=False)
    updated_text: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "published_text", rfc3339(self.published))
        object.__setattr__(self, "updated_text", rfc3339(self.updated))


def absolute_links(html: str, page_url: str) -> str:
    """Make every href and src in generated HTML absolute, as it would resolve on page_url."""

    def absolute(match: re.Match[str]) -> str:
        url = match.group(2)
        if url.startswith(("https://", "http://", "mailto:")):  # already absolute: urljoin would not change it
            return match.group(0)
        return match.group(1) + str(escape(urljoin(page_url, _unescape(url)))) + match.group(3)

    return _LINK.sub(absolute, html)


def _unescape(value: str) -> str:
    return value.replace("&amp;", "&").replace("&quot;", '"').replace("&#34;", '"').replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">")


def plain(html: str) -> str:
    """Text of an HTML fragment, on one line."""
    return " ".join(_unescape(re.sub(r"<[^>]+>", "", html)).split())


def event_id(event: Event, base_url: str) -> str:
    """An event's feed id: the address it was first published under (its first alias, if renamed), so that renaming keeps it."""
    return f"{base_url}events/{(event.aliases or (event.id,))[0]}/"


def event_html(event: Event, base_url: str) -> str:
    """An event as a self-contained HTML fragment: date, text, claims, quotes, sources, corrections."""
    parts = [f"<p><strong>{escape(event_when(event))}</strong> · {escape(event.phase.title)}</p>"]
    for update in event.corrections:
        parts.append(f"<p><strong>{escape(update.kind.capitalize())}, {escape(dates.display_datetime(update.date))}:</strong> {escape(update.text)}</p>")
    if event.media is not None:
        credit = f" ({escape(event.media.credit)})" if event.media.credit else ""
        parts.append(f'<p><img src="{escape(base_url)}media/{escape(event.media.file)}" alt="{escape(event.media.alt)}"></p>')
        if event.media.caption or credit:
            parts.append(f"<p>{escape(event.media.caption)}{credit}</p>")
    parts.append(event.summary)
    if event.body:
        parts.append(event.body)
    if event.claims:
        items = "".join(f"<li>{escape(c.status.capitalize())}: {escape(c.text)} — {escape(c.by.name)}, {escape(c.date.display())}</li>" for c in event.claims)
        parts.append(f"<ul>{items}</ul>")
    for quote in event.quotes:
        role = quote.role or quote.speaker.role
        said = f"{quote.speaker.name}, {role}" if role else quote.speaker.name
        parts.append(f"<blockquote><p>{escape(quote.text)}</p></blockquote><p>— {escape(said)}. {escape(quote.setting)}.</p>")
    links = ", ".join(f'<a href="{escape(s.url)}">{escape(s.publisher)}: “{escape(s.title)}”</a>' for s in event.sources)
    parts.append(f"<p>Sources: {links}</p>")
    return absolute_links("\n".join(parts), base_url)  # our links are absolute already; Markdown's start at the site root


def entries(explainer: Explainer, recall: Recall = no_memo) -> list[Entry]:
    """Every event and every updates log entry, newest first."""
    base = explainer.site.base_url
    log = UpdatesLog(explainer.updates, explainer.published)  # an event's moments depend on the updates log too
    items = [recall(event_entry, event, base, log) for event in explainer.events]
    seen: set[str] = set()
    for update in reversed(explainer.updates):
        items.append(_update_entry(update, explainer, seen))
    return sorted(items, key=lambda e: (-e.published.timestamp(), e.id))


def event_entry(event: Event, base: str, log: Log) -> Entry:
    """An event's feed entry."""
    return Entry(
        id=event_id(event, base),
        url=f"{base}events/{event.id}/",
        title=event.title,
        summary=plain(event.summary),
        html=event_html(event, base),
        published=event_moment(event, log),
        updated=event_modified(event, log),
        tags=(event.phase.title, *event.tags),
        image=f"{base}media/{event.media.file}" if event.media else "",
    )


def _update_entry(update: Update, explainer: Explainer, seen: set[str]) -> Entry:
    base = explainer.site.base_url
    stamp = rfc3339(update.date).replace(":", "").replace("-", "")
    key = f"{base}updates/#{update.kind}-{stamp}"
    number = 2
    while key in seen:
        key = f"{base}updates/#{update.kind}-{stamp}-{number}"
        number += 1
    seen.add(key)
    titles = {e.id: e.title for e in explainer.events}
    named = [f'<a href="{escape(base)}events/{escape(i)}/">{escape(titles[i])}</a>' for i in update.events if i in titles]
    html = f"<p>{escape(update.text)}</p>" + (f"<p>Events: {', '.join(named)}</p>" if named else "")
    return Entry(
        id=key,
        url=f"{base}updates/",
        title=f"{update.kind.capitalize()}: {textwrap.shorten(update.text, 110, placeholder='…')}",
        summary=update.text,
        html=html,
        published=update.date,
        updated=update.date,
        tags=("Updates and corrections", update.kind),
    )


def atom_feed(explainer: Explainer, recall: Recall = no_memo) -> bytes:
    """feed.xml: an Atom 1.0 feed."""
    site = explainer.site
    base = site.base_url
    items = entries(explainer, recall)
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: site.language})
    add(feed, "id", base)
    add(feed, "title", site.title, type="text")
    add(feed, "subtitle", site.dek, type="text")
    add(feed, "updated", rfc3339(max([e.updated for e in items], default=explainer.modified or _EPOCH)))
    add(feed, "link", rel="self", type="application/atom+xml", href=base + "feed.xml")
    add(feed, "link", rel="alternate", type="text/html", href=base)
    for name in site.authors:
        add(add(feed, "author"), "name", name)
    add(feed, "icon", base + ICON)
    add(feed, "logo", base + SHARE_IMAGE)
    add(feed, "generator", "explainer")
    ET.indent(feed)
    head = ET.tostring(feed, encoding="unicode").removesuffix("\n</feed>")
    # Each entry is written on its own (and kept for the next build), indented as a child of <feed>.
    body = [recall(_atom_entry, item) for item in items]
    # One join of every part: with 10,000 entries each extra copy of the feed is 30 MB.
    return "".join(['<?xml version="1.0" encoding="utf-8"?>\n', head, *body, "\n</feed>\n"]).encode("utf-8")


def add(parent: ET.Element, tag: str, text: str = "", **attributes: str) -> ET.Element:
    """An Atom element; inside an entry, written without the namespace, which <feed> declares for all."""
    element = ET.SubElement(parent, tag if parent.tag == "entry" or tag == "entry" else f"{{{ATOM}}}{tag}", attributes)
    if text:
        element.text = text
    return element


def _atom_entry(item: Entry) -> str:
    entry = ET.Element("entry")
    add(entry, "id", item.id)
    add(entry, "title", item.title, type="text")
    add(entry, "link", rel="alternate", type="text/html", href=item.url)
    add(entry, "published", item.published_text)
    add(entry, "updated", item.updated_text)
    for tag in item.tags:
        add(entry, "category", term=tag)
    add(entry, "summary", item.summary, type="text")
    add(entry, "content", item.html, type="html")
    ET.indent(entry, level=1)
    return "\n  " + ET.tostring(entry, encoding="unicode")


def json_feed(explainer: Explainer, recall: Recall = no_memo) -> bytes:
    """feed.json: a JSON Feed 1.1."""
    site = explainer.site
    base = site.base_url
    feed: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": site.title,
        "home_page_url": base,
        "feed_url": base + "feed.json",
        "description": site.dek,
        "icon": base + ICON,
        "favicon": base + ICON,
        "authors": [{"name": name} for name in site.authors],
        "language": site.language,
        "items": [],
    }
    head = json.dumps(feed, ensure_ascii=False).removesuffix("[]}")  # no indent: the C encoder
    items = [recall(_json_item, item) for item in entries(explainer, recall)]
    parts = [head, "["]
    for number, item in enumerate(items):
        parts += (", ", item) if number else (item,)
    return "".join([*parts, "]}\n"]).encode("utf-8")


def _json_item(item: Entry) -> str:
    data: dict[str, Any] = {
        "id": item.id,
        "url": item.url,
        "title": item.title,
        "content_html": item.html,
        "summary": item.summary,
        "date_published": item.published_text,
        "date_modified": item.updated_text,
        "tags": list(item.tags),
    }
    if item.image:
        data["image"] = item.image
    return json.dumps(data, ensure_ascii=False)


_EPOCH = datetime.fromisoformat("1970-01-01T00:00:00+00:00")
