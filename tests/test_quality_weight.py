"""What a reader downloads: the explainer's CSS and JavaScript together at most 15 KB gzip, the whole explainer page
(HTML, CSS, JavaScript) at most 60 KB gzip; asset names carry a content hash; no request leaves the site
(no web font, no third-party script); images, where there are any, have a size and load lazily."""

from __future__ import annotations

import gzip
import hashlib
import html.parser
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from quality_support import Built, all_pages, chromium_available, page_kinds

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not chromium_available(), reason="Debian chromium is not installed (scripts/test.sh installs it)")]

CODE_BUDGET = 15 * 1024  # CSS + JavaScript, gzip -9
PAGE_BUDGET = 60 * 1024  # HTML + CSS + JavaScript, gzip -9


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def load(browser: Any, url: str) -> list[tuple[str, str, bytes]]:
    """Every response while the page loads and settles: (URL, resource type, body)."""
    context = browser.new_context()
    page = context.new_page()
    seen: list[Any] = []
    page.on("response", lambda response: seen.append(response))
    page.goto(url, wait_until="load")
    loaded = [(r.url, r.request.resource_type, r.body() if r.status < 300 else b"") for r in seen]
    context.close()
    return loaded


def test_explainer_weight_within_budget(browser: Any, base_url: str) -> None:
    loaded = load(browser, base_url)
    by_type: dict[str, int] = {}
    for _, kind, body in loaded:
        by_type[kind] = by_type.get(kind, 0) + gz(body)
    code = by_type.get("stylesheet", 0) + by_type.get("script", 0)
    page = code + by_type.get("document", 0)
    doc, css, js = (by_type.get(kind, 0) for kind in ("document", "stylesheet", "script"))
    print(f"explainer, gzip -9: HTML {doc} B, CSS {css} B, JavaScript {js} B; total {page} B")
    assert js > 0, "the filter script is loaded"
    assert code <= CODE_BUDGET, f"CSS and JavaScript are {code} B gzip, over the {CODE_BUDGET} B budget"
    assert page <= PAGE_BUDGET, f"the explainer page is {page} B gzip all in, over the {PAGE_BUDGET} B budget"


def test_asset_names_carry_their_content_hash(browser: Any, base_url: str) -> None:
    loaded = load(browser, base_url)
    code = [(url, body) for url, kind, body in loaded if kind in ("stylesheet", "script")]
    assert code
    for url, body in code:
        match = re.search(r"\.([0-9a-f]{10})\.(css|js)$", urlsplit(url).path)
        assert match, f"{url} has no content hash in its name"
        assert hashlib.sha256(body).hexdigest().startswith(match.group(1)), f"{url}: the hash is not the content's"


def test_every_page_kind_asks_only_the_site(browser: Any, site: Built, base_url: str) -> None:
    origin = urlsplit(base_url)._replace(path="", query="", fragment="").geturl()
    context = browser.new_context()
    requests: list[tuple[str, str, str]] = []
    context.on("request", lambda r: requests.append((r.url, r.resource_type, r.frame.url if r.frame else "")))
    page = context.new_page()
    for path in page_kinds(site.folder).values():
        page.goto(base_url + path, wait_until="load")
    context.close()
    assert len(requests) >= len(page_kinds(site.folder))
    elsewhere = [r for r in requests if not r[0].startswith(origin + "/") and not r[0].startswith("data:")]
    fonts = [r for r in requests if r[1] == "font"]
    assert not elsewhere, f"requests to other hosts: {elsewhere}"
    assert not fonts, f"web fonts requested: {fonts}"


class _Images(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append(dict(attrs))


def test_images_are_sized_and_lazy(site: Built) -> None:
    """No layout shift and no download before the reader scrolls to an image (holds vacuously while there are none)."""
    unsized: list[str] = []
    for path in all_pages(site.folder):
        parser = _Images()
        parser.feed((site.folder / (path + "index.html" if path.endswith("/") or not path else path)).read_text("utf-8"))
        for img in parser.images:
            if not (img.get("width") and img.get("height") and img.get("loading") == "lazy"):
                unsized.append(f"{path or 'index.html'}: {img.get('src')}")
    assert not unsized, f"images without width, height and loading=lazy: {unsized}"
    css = b"".join(p.read_bytes() for p in (site.folder / "assets").glob("*.css"))
    assert b"@font-face" not in css and b"@import" not in css, "no web font, no imported stylesheet"
