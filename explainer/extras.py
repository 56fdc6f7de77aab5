"""The outputs beside the pages: feeds, sitemap, robots.txt, share image, icons and data exports.

Each is made from the checked explainer alone (the sitemap also from the list of pages), with
no clock, so two builds of the same content give the same bytes. They are cheap to make; the
images, the one costly part, are cached by their inputs in sharing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from . import exports, feeds, sharing, sitemap
from .errors import ContentError, Problem
from .model import Explainer

#: Output path -> how to make it from the explainer.
MADE_FROM_EXPLAINER: dict[str, Callable[[Explainer], bytes]] = {
    "feed.xml": feeds.atom_feed,
    "feed.json": feeds.json_feed,
    "robots.txt": sitemap.robots_txt,
    sharing.SHARE_IMAGE: lambda x: sharing.share_image(x.site),
    sharing.ICON: lambda x: sharing.icon_png(),
    sharing.FAVICON: lambda x: sharing.favicon_ico(),
    "data/timeline.json": exports.timeline_json,
    f"data/{exports.SCHEMA_NAME}": exports.timeline_schema_json,
    "data/timelinejs.json": exports.timelinejs_json,
    "data/events.csv": exports.events_csv,
    "data/quotes.csv": exports.quotes_csv,
}


#: What each event contributes to the feeds and exports, kept from one build to the next.
MEMOS = (feeds.EVENT_ENTRIES, feeds.ATOM_ENTRIES, feeds.JSON_ITEMS, exports.TIMELINE_EVENTS, exports.TIMELINEJS_EVENTS, exports.CSV_EVENTS, exports.CSV_QUOTES)

#: The last inputs and outputs: serve rebuilds after every save, and most saves change only a page or a template.
_last: dict[str, tuple[tuple[Explainer, tuple[str, ...]], dict[str, bytes]]] = {}


def makers(explainer: Explainer, keep: bool = True) -> dict[str, Callable[[list[str]], bytes]]:
    """How to make each extra output, by path, from the list of every output path (for the sitemap).

    Each can be made on its own (a large build makes them in forked workers, beside the pages);
    call rotate() once all are made. With keep=False (one build, no next one to serve), each
    output's memo of written entries is dropped once the output is made: they would only
    weigh on memory.
    """
    made: dict[str, Callable[[list[str]], bytes]] = {
        path: functools.partial(_from_explainer, make, explainer, keep) for path, make in MADE_FROM_EXPLAINER.items()
    }
    made["sitemap.xml"] = functools.partial(sitemap.sitemap_xml, explainer=explainer)
    return made


def _from_explainer(make: Callable[[Explainer], bytes], explainer: Explainer, keep: bool, paths: list[str]) -> bytes:
    data = make(explainer)
    if not keep:  # the two feeds may share entries, but they are usually made in different workers
        for memo in MEMOS:
            memo.now.clear()
        feeds.forget_entries()
    return data


def rotate() -> None:
    """End a build: the per-event memos keep what it used, for the next."""
    for memo in MEMOS:
        memo.rotate()


def extra_files(explainer: Explainer, pages: list[str]) -> dict[str, bytes]:
    """Every extra output by path; `pages` are the paths already rendered (for the sitemap)."""
    key = (explainer, tuple(sorted(pages)))
    last = _last.get("outputs")
    if last is not None and last[0] == key:
        return dict(last[1])
    made = {path: make(pages) for path, make in makers(explainer).items()}
    rotate()
    _last["outputs"] = (key, made)
    return dict(made)


def add_files(files: dict[str, bytes], explainer: Explainer) -> None:
    """Add the extra outputs to the rendered files; none may claim a path a page or asset has."""
    extra = extra_files(explainer, list(files))
    clashes = sorted(set(extra) & set(files))
    if clashes:
        raise ContentError([Problem(path, 0, 0, "two outputs claim this path", "rename the page, asset or media file that collides") for path in clashes])
    files.update(extra)
