"""The link check of a built site: every internal link and #anchor must resolve; external links are listed, never fetched.

A link is internal when it is relative, or absolute under the site's base_url (canonical and
OpenGraph addresses, the sitemap, the feeds). It resolves when the built site has the file it
names (a folder means its index.html) and, with a #fragment, an element with that id.
"""

from __future__ import annotations

import json
import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import SplitResult, unquote, urlsplit

from .errors import ContentError, Problem

_URL_ATTRIBUTES = {"href", "src", "poster", "action", "data"}
_META_URLS = {"og:url", "og:image", "twitter:image", "og:image:url", "og:image:secure_url"}
_REFRESH = re.compile(r"^\s*\d+\s*;\s*url\s*=\s*(.+?)\s*$", re.IGNORECASE)


@dataclass
class Link:
    """One address found in a page, where it was found."""

    url: str
    page: str
    line: int
    col: int


@dataclass
class _Page:
    links: list[Link] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)


class _Collector(HTMLParser):
    """Collect the addresses and the element ids of one HTML page."""

    def __init__(self, path: str) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.page = _Page()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line, col = self.getpos()
        values = {k: v for k, v in attrs if v is not None}
        for key in ("id", "name") if tag == "a" else ("id",):
            if key in values:
                self.page.ids.add(values[key])
        for key, value in values.items():
            if key in _URL_ATTRIBUTES and not (tag == "base" and key == "href"):
                self.page.links.append(Link(value, self.path, line, col + 1))
            elif key == "srcset":
                for candidate in value.split(","):
                    if candidate.strip():
                        self.page.links.append(Link(candidate.split()[0], self.path, line, col + 1))
        if tag == "meta":
            if values.get("property") in _META_URLS or values.get("name") in _META_URLS:
                self.page.links.append(Link(values.get("content", ""), self.path, line, col + 1))
            if values.get("http-equiv", "").lower() == "refresh":
                match = _REFRESH.match(values.get("content", ""))
                if match:
                    self.page.links.append(Link(match.group(1).strip("'\""), self.path, line, col + 1))

    handle_startendtag = handle_starttag


@dataclass
class Report:
    """What the check found: broken internal links, and the external addresses with the pages that use them."""

    problems: list[Problem]
    external: dict[str, list[str]]
    checked: int


def check_links(files: dict[str, bytes], base_url: str, out: str = "site") -> Report:
    """Check every link of a built site held in memory (path -> bytes); `out` names the folder in messages."""
    pages: dict[str, _Page] = {}
    for path in sorted(files):
        if path.endswith(".html"):
            collector = _Collector(path)
            collector.feed(files[path].decode("utf-8", "replace"))
            collector.close()
            pages[path] = collector.page
    links = [link for page in pages.values() for link in page.links]
    links += _data_links(files)
    base = urlsplit(base_url)
    base_path = base.path if base.path.endswith("/") else base.path + "/"
    problems: list[Problem] = []
    external: dict[str, list[str]] = {}
    for link in links:
        target = _internal_target(link, base, base_path)
        if target is None:
            if link.url.startswith(("http://", "https://", "mailto:")):
                users = external.setdefault(link.url, [])
                if link.page not in users:
                    users.append(link.page)
            continue
        why = _broken(target, files, pages)
        if why:
            where = f"{out}/{link.page}"
            problems.append(
                Problem(where, link.line, link.col, f"link '{link.url}' {why}", "fix the template or content that makes it, or build the missing page")
            )
    return Report(sorted(set(problems)), dict(sorted(external.items())), len(links))


OUTSIDE = "\0outside"  # a relative link that climbs above the site's folder


def _internal_target(link: Link, base: SplitResult, base_path: str) -> tuple[str, str] | None:
    """The (path, fragment) inside the site a link points to, or None for an external link."""
    parts = urlsplit(link.url.strip())
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https") or parts.netloc != base.netloc or not (parts.path + "/").startswith(base_path):
            return None
        path = parts.path[len(base_path) :]
    elif parts.path.startswith("/"):
        if not (parts.path + "/").startswith(base_path):
            return (OUTSIDE, "")
        path = parts.path[len(base_path) :]
    elif parts.path:
        path = posixpath.normpath(posixpath.join(posixpath.dirname(link.page), parts.path))
        if path == ".." or path.startswith("../"):
            return (OUTSIDE, "")
        path = "" if path == "." else path + ("/" if parts.path.endswith("/") else "")
    else:
        path = link.page  # '#anchor' or '': this page
    path = unquote(path)
    if path == "" or path.endswith("/"):
        path += "index.html"
    return (path, unquote(parts.fragment))


def _broken(target: tuple[str, str], files: dict[str, bytes], pages: dict[str, _Page]) -> str:
    """Why a link to an internal target does not resolve, or ''."""
    path, fragment = target
    if path == OUTSIDE:
        return "leads outside the site's folder"
    if path not in files:
        if path + "/index.html" in files:
            return f"names the folder {path} without a final '/'"
        return f"points to {path}, which the site does not have"
    page = pages.get(path)
    if fragment and fragment != "top" and page is not None and fragment not in page.ids:
        return f"points to #{fragment}, which {path} does not have"
    return ""


def _data_links(files: dict[str, bytes]) -> list[Link]:
    """Addresses in the sitemap and the feeds, which name pages by their full URL."""
    found: list[Link] = []
    if "sitemap.xml" in files:
        for element in ET.fromstring(files["sitemap.xml"]).iter():
            if element.tag.endswith("}loc") and element.text:
                found.append(Link(element.text, "sitemap.xml", 0, 0))
    if "feed.xml" in files:
        for element in ET.fromstring(files["feed.xml"]).iter():
            if element.tag.endswith("}link") and element.get("href"):
                found.append(Link(element.get("href", ""), "feed.xml", 0, 0))
    if "feed.json" in files:
        feed = json.loads(files["feed.json"])
        for key in ("home_page_url", "feed_url", "icon"):
            if key in feed:
                found.append(Link(feed[key], "feed.json", 0, 0))
        found += [Link(item["url"], "feed.json", 0, 0) for item in feed.get("items", []) if "url" in item]
    return found


def verify_links(files: dict[str, bytes], base_url: str, out: str, say: Callable[[str], None] = print) -> Report:
    """Check the links of a built site, list its external links, and raise ContentError for any broken one."""
    report = check_links(files, base_url, out)
    if report.external:
        say(f"external links, listed and not fetched ({len(report.external)}):")
        for url, pages in report.external.items():
            more = f" and {len(pages) - 1} more" if len(pages) > 1 else ""
            say(f"  {url}  ({pages[0]}{more})")
    if report.problems:
        raise ContentError(report.problems)
    say(f"links: {report.checked} checked, every internal link and #anchor resolves")
    return report
