"""The outputs beside the pages, as artifacts: feeds, sitemap, robots.txt, share image, icons and data exports.

Each is made from the checked model alone (the sitemap also from the list of pages), with no
clock, so two builds of the same content give the same bytes. Each maker is a pure function of
its arguments; the per-event parts of the feeds and exports are kept from build to build
through the context's memo, so an edit writes out only its own event's entries again.
"""

from __future__ import annotations

from collections.abc import Callable

from . import exports, feeds, sharing, sitemap, timeline_schema
from .engine import Artifact, Context
from .model import Explainer, Site

#: After the pages: a reader's browser does not wait for these.
PRIORITY = 1

#: Output path -> how to make it from the explainer, with a memo for its per-event parts.
MADE_FROM_EXPLAINER: dict[str, Callable[..., bytes]] = {
    "feed.xml": feeds.atom_feed,
    "feed.json": feeds.json_feed,
    "data/timeline.json": exports.timeline_json,
    "data/timelinejs.json": exports.timelinejs_json,
    "data/events.csv": exports.events_csv,
    "data/quotes.csv": exports.quotes_csv,
}


def extra_artifacts(explainer: Explainer, paths: list[str]) -> list[Artifact]:
    """The extra outputs; `paths` are those of every other output (the sitemap lists the pages)."""
    site = explainer.site
    made = [Artifact(path, _from_explainer, (make, explainer), PRIORITY) for path, make in MADE_FROM_EXPLAINER.items()]
    listed = tuple(sitemap.listed_pages(paths, explainer))
    modified = tuple(sitemap.page_times(listed, explainer))
    return [
        *made,
        Artifact(f"data/{timeline_schema.SCHEMA_NAME}", _schema, (site.base_url,), PRIORITY),
        Artifact("sitemap.xml", _sitemap, (modified, site.base_url), PRIORITY),
        Artifact("robots.txt", _robots, (site.base_url,), PRIORITY),
        Artifact(sharing.SHARE_IMAGE, _share_image, (site,), PRIORITY),
        Artifact(sharing.ICON, _icon, (), PRIORITY),
        Artifact(sharing.FAVICON, _favicon, (), PRIORITY),
    ]


def _from_explainer(context: Context, make: Callable[..., bytes], explainer: Explainer) -> bytes:
    return make(explainer, context.memo)


def _schema(context: Context, base_url: str) -> bytes:
    return exports.timeline_schema_json(base_url)


def _sitemap(context: Context, pages: tuple[tuple[str, str], ...], base_url: str) -> bytes:
    return sitemap.sitemap_xml(pages, base_url)


def _robots(context: Context, base_url: str) -> bytes:
    return sitemap.robots_txt(base_url)


def _share_image(context: Context, site: Site) -> bytes:
    return sharing.share_image(site)


def _icon(context: Context) -> bytes:
    return sharing.icon_png()


def _favicon(context: Context) -> bytes:
    return sharing.favicon_ico()
