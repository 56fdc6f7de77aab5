"""sitemap.xml and robots.txt: every page a search engine should know, and where the list is."""

from __future__ import annotations

from collections.abc import Iterable

from .model import Explainer
from .timestamps import page_modified, rfc3339

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"

#: Pages that are not content of their own: the error page and the embeddable timeline.
UNLISTED = ("404.html", "embed/index.html")


def listed_pages(paths: Iterable[str], explainer: Explainer) -> list[str]:
    """The HTML pages a search engine should index: not redirects, not the error page, not the embed."""
    redirects = {f"events/{alias}/index.html" for e in explainer.events for alias in e.aliases}
    return sorted((p for p in paths if p.endswith(".html") and p not in UNLISTED and p not in redirects), key=lambda p: p.removesuffix("index.html"))


def page_url(path: str, base_url: str) -> str:
    """A page's canonical address: 'events/x/index.html' -> 'https://…/events/x/'."""
    return base_url + path.removesuffix("index.html")


def page_times(listed: Iterable[str], explainer: Explainer) -> list[tuple[str, str]]:
    """Each listed page with the time it last changed, as the updates log tells it ('' if unknown)."""
    modified = {f"events/{e.id}/index.html": page_modified(e, explainer) for e in explainer.events}
    times = []
    for path in listed:
        moment = modified.get(path, explainer.modified)
        times.append((path, rfc3339(moment) if moment is not None else ""))
    return times


def sitemap_xml(pages: Iterable[tuple[str, str]], base_url: str) -> bytes:
    """sitemap.xml: each page (see page_times) with the time it last changed."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{SITEMAP}">']
    # Written out by hand: a plain list, and tens of thousands of entries for a long story.
    for path, moment in pages:
        lines += ["  <url>", f"    <loc>{_text(page_url(path, base_url))}</loc>"]
        if moment:
            lines.append(f"    <lastmod>{moment}</lastmod>")
        lines.append("  </url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def _text(value: str) -> str:
    """XML character data, escaped as ElementTree does."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def robots_txt(base_url: str) -> bytes:
    """robots.txt: everything may be crawled; here is the sitemap."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {base_url}sitemap.xml\n".encode()
