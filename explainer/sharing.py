"""How pages look when shared and found: OpenGraph and Twitter tags, JSON-LD, the share image, icons.

The images are drawn with Pillow and the font that ships with it, so the bytes depend on the
text alone (and Pillow's version), never on the machine's fonts or the clock.
"""

from __future__ import annotations

import io
import json
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape
from PIL import (
    IcoImagePlugin,  # noqa: F401 - registers the ICO writer: Image.save would import every plugin (30 ms) to find it
    Image,
    ImageDraw,
    ImageFont,
)

from .model import Event, Explainer, Site
from .timestamps import Log, page_modified, published_by, rfc3339

SHARE_IMAGE = "share.png"
SHARE_SIZE = (1200, 630)
ICON = "icon.png"
FAVICON = "favicon.ico"

_NAVY, _WHITE, _MIST, _ACCENT = (29, 53, 87), (255, 255, 255), (214, 225, 240), (231, 111, 81)
_MARGIN = 80


def _font(size: int) -> ImageFont.FreeTypeFont:
    """Pillow's own font (Aileron) at a size: no system font is assumed."""
    font = ImageFont.load_default(size=size)
    if not isinstance(font, ImageFont.FreeTypeFont):  # Pillow built without FreeType has only a fixed bitmap font
        raise RuntimeError("Pillow was built without FreeType; reinstall Pillow from its wheels")
    return font


def script_json(data: Any) -> Markup:
    """JSON for a <script> element: '<', '>' and '&' escaped, so '</script>' or '<!--' in content is inert."""
    text = json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)  # escaped above for the script context


def page_meta(path: str, context: dict[str, Any], site: Site, title: str) -> dict[str, Any]:
    """What partials/meta.html shows for one page: type, title, image, times, and JSON-LD for the explainer."""
    event: Event | None = context.get("event") if path.startswith("events/") else None
    meta: dict[str, Any] = {
        "type": "website",
        "title": title,
        "image": site.base_url + SHARE_IMAGE,
        "image_alt": share_alt(site),
        "image_width": SHARE_SIZE[0],
        "image_height": SHARE_SIZE[1],
        "published": "",
        "modified": "",
        "section": "",
        "tags": (),
        "jsonld": "",
        "embed_snippet": "",
    }
    explainer: Explainer | None = context.get("x")
    if path == "index.html" and explainer is not None:
        meta.update(type="article", title=site.title, jsonld=script_json(news_article(explainer)), embed_snippet=embed_snippet(site))
        meta.update(published=rfc3339(explainer.published) if explainer.published else "", modified=rfc3339(explainer.modified) if explainer.modified else "")
    elif event is not None:
        meta.update(type="article", title=event.title, section=event.phase.title, tags=event.tags)
        if event.media is not None:
            meta.update(image=f"{site.base_url}media/{event.media.file}", image_alt=event.media.alt, image_width=0, image_height=0)
        times = context.get("times")
        if times:
            meta.update(published=times[0], modified=times[1])
    return meta


def event_times(event: Event, explainer: Log) -> tuple[str, str]:
    """An event page's published and modified times (RFC 3339), from the updates log."""
    first = published_by(event, explainer)
    last = page_modified(event, explainer)
    return (rfc3339(first) if first else "", rfc3339(last) if last else "")


def news_article(explainer: Explainer) -> dict[str, Any]:
    """schema.org NewsArticle for the explainer, with each correction in the updates log."""
    site = explainer.site
    publisher = site.publisher or site.title
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": site.title,
        "alternativeHeadline": site.dek,
        "description": site.description,
        "inLanguage": site.language,
        "url": site.base_url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": site.base_url},
        "image": [site.base_url + SHARE_IMAGE],
        "author": [{"@type": "Person", "name": name} for name in site.authors],
        "publisher": {"@type": "Organization", "name": publisher, "logo": {"@type": "ImageObject", "url": site.base_url + ICON, "width": 512, "height": 512}},
    }
    if explainer.published:
        data["datePublished"] = rfc3339(explainer.published)
    if explainer.modified:
        data["dateModified"] = rfc3339(explainer.modified)
    corrections = [u for u in reversed(explainer.updates) if u.kind == "correction"]
    if corrections:
        data["correction"] = [
            {"@type": "CorrectionComment", "text": u.text, "datePublished": rfc3339(u.date), "url": site.base_url + "updates/"} for u in corrections
        ]
    return data


EMBED_MESSAGE = "explainer-embed:height"


def embed_snippet(site: Site, height: int = 640) -> str:
    """The HTML another site pastes to embed the timeline: an iframe, and a few lines that let it take its content's height."""
    src = site.base_url + "embed/"
    parts = urlsplit(site.base_url)
    origin = str(script_json(f"{parts.scheme}://{parts.netloc}"))  # inert inside <script>, whatever the host
    title = str(escape(f"Timeline: {site.title}"))
    return (
        f'<iframe src="{escape(src)}" title="{title}" width="100%" height="{height}" style="border:0;width:100%" loading="lazy"></iframe>\n'
        "<script>\n"
        'addEventListener("message", function (e) {\n'
        f'  if (e.origin !== {origin} || !e.data || e.data.type !== "{EMBED_MESSAGE}") return;\n'
        "  const height = Math.ceil(Number(e.data.height));\n"
        "  if (!(height > 0 && height < 100000)) return;\n"
        '  for (const f of document.getElementsByTagName("iframe"))\n'
        '    if (f.contentWindow === e.source) f.style.height = height + "px";\n'
        "});\n"
        "</script>"
    )


def share_alt(site: Site) -> str:
    """The share image's text alternative: what it shows."""
    return f"{site.title}. {site.dek}"


def share_image(site: Site) -> bytes:
    """The 1200×630 PNG used by pages without an image of their own: headline, dek and address."""
    address = _short_address(site.base_url)
    byline = f"{site.publisher} - {address}" if site.publisher else address
    return _share_image(drawable(site.title), drawable(site.dek), drawable(byline))


_TYPOGRAPHY = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " ", "·": "-"})


def drawable(text: str) -> str:
    """Text the bundled font can draw (it has ASCII only): typography to ASCII, accents dropped, other letters left out."""
    folded = unicodedata.normalize("NFKD", text.translate(_TYPOGRAPHY))
    kept = "".join(c for c in folded if 32 <= ord(c) < 127)
    return " ".join(kept.split())


def _short_address(url: str) -> str:
    parts = urlsplit(url)
    return (parts.netloc + parts.path).rstrip("/")


def _share_image(title: str, dek: str, address: str) -> bytes:
    width, height = SHARE_SIZE
    image = Image.new("RGB", SHARE_SIZE, _NAVY)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 24, height), fill=_ACCENT)
    text_width = width - 2 * _MARGIN
    small = _font(30)
    draw.text((_MARGIN, height - _MARGIN - 30), address, font=small, fill=_MIST)
    room = height - 2 * _MARGIN - 70  # above the address line
    for size in (68, 60, 54, 48, 42):
        font = _font(size)
        dek_font = _font(max(28, size * 5 // 9))
        lines = _wrap(title, font, text_width, 4)
        dek_lines = _wrap(dek, dek_font, text_width, 3)
        used = len(lines) * int(size * 1.18) + 28 + len(dek_lines) * int(dek_font.size * 1.35)
        if used <= room and not lines[-1].endswith("…"):
            break
    y = _MARGIN
    for line in lines:
        draw.text((_MARGIN, y), line, font=font, fill=_WHITE)
        y += int(size * 1.18)
    y += 28
    for line in dek_lines:
        if y + dek_font.size > height - _MARGIN - 60:
            break
        draw.text((_MARGIN, y), line, font=dek_font, fill=_MIST)
        y += int(dek_font.size * 1.35)
    return _png(image)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int, most: int) -> list[str]:
    """Break text into at most `most` lines that fit `width`; the last ends with '…' if cut."""
    lines: list[str] = []
    words = text.split()
    current = ""
    for number, word in enumerate(words):
        attempt = f"{current} {word}".strip()
        if font.getlength(attempt) <= width or not current:
            current = attempt
            continue
        lines.append(current)
        current = word
        if len(lines) == most:
            rest = " ".join([lines[-1], *words[number:]])
            lines[-1] = _ellipsis(rest, font, width)
            return lines
    if current:
        lines.append(current)
    return lines


def _ellipsis(text: str, font: ImageFont.FreeTypeFont, width: int) -> str:
    words = text.split()
    while len(words) > 1 and font.getlength(" ".join(words) + "…") > width:
        words.pop()
    return " ".join(words).rstrip(",;:.") + "…"


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=6)  # optimize=True costs ~0.1 s a build for a few KB
    return buffer.getvalue()


def icon(size: int = 512) -> Image.Image:
    """The favicon (templates/assets/favicon.svg) drawn as a bitmap: three lines and a dot on navy."""
    scale = size / 32
    big = Image.new("RGBA", (size * 2, size * 2), (0, 0, 0, 0))
    draw = ImageDraw.Draw(big)
    k = scale * 2
    draw.rounded_rectangle((0, 0, size * 2 - 1, size * 2 - 1), radius=round(6 * k), fill=(*_NAVY, 255))
    stroke = round(3 * k)
    for y, x2 in ((9, 24), (16, 19), (23, 24)):
        draw.line((8 * k, y * k, x2 * k, y * k), fill=(*_WHITE, 255), width=stroke)
        for x in (8, x2):
            draw.ellipse((x * k - stroke / 2, y * k - stroke / 2, x * k + stroke / 2, y * k + stroke / 2), fill=(*_WHITE, 255))
    draw.ellipse((21 * k, 13 * k, 27 * k, 19 * k), fill=(*_ACCENT, 255))
    return big.reduce(2)  # drawn at twice the size and averaged down: smooth edges, ten times faster than LANCZOS


def icon_png() -> bytes:
    """icon.png, 512×512: for home screens, the JSON Feed and the publisher logo."""
    return _png(icon(512))


def favicon_ico() -> bytes:
    """favicon.ico with 16, 32 and 48 pixel images, for browsers and readers that ignore the SVG (scaled from 48, not 512: 50 ms less)."""
    buffer = io.BytesIO()
    icon(48).save(buffer, "ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    return buffer.getvalue()
