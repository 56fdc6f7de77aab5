"""The explainer prints: Chromium's PDF of it holds every event title, every quotation and every source's
full address, and none of the navigation. The PDF and its first pages as PNG stay in tests/artifacts/."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from quality_support import Built, artifact, chromium, chromium_available, static_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian chromium is not installed (scripts/test.sh installs it)"),
    pytest.mark.skipif(not shutil.which("pdftotext") and not __import__("os").environ.get("CI"), reason="pdftotext is not installed (Debian: poppler-utils)"),
]

#: Text that belongs to the screen only: skip link, site navigation, contents, filters, data downloads.
CHROME = ("Skip to content", "Timeline Quotations People", "The story in", "Show only the events that match", "Show all events", "Get the data", "All sources")


def words(text: str) -> str:
    """Text as compared: compatibility forms folded (ligatures), whitespace collapsed, no break after a hyphen."""
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"-\s+", "-", " ".join(text.split()))


@pytest.fixture(scope="module")
def printed(site: Built) -> Iterator[str]:
    """The explainer printed to PDF by Chromium (A4, as a reader's print dialog would), as extracted text."""
    pdf = artifact("explainer-print.pdf")
    with static_server(site) as base_url, chromium() as browser:
        page: Any = browser.new_page()
        page.goto(base_url)
        page.pdf(path=str(pdf), format="A4")
    # -raw: the text in reading order, with the hyphen kept where a line breaks after one
    text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    if shutil.which("pdftoppm"):  # the first pages as pictures, to look at
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "4", str(pdf), str(artifact("explainer-print"))], check=True)
    yield text


def test_print_holds_every_event_title(site: Built, printed: str) -> None:
    text = words(printed)
    missing = [e.title for e in site.explainer.events if words(e.title) not in text]
    assert not missing, f"{len(missing)} event titles are not in the printed explainer: {missing[:5]}"


def font_for(text: str) -> bool:
    """Whether this machine has a font for the text's script (a PDF holds no text for glyphs it could not draw)."""
    scripts = {"ko": "[\uac00-\ud7af\u1100-\u11ff]", "ja": "[\u3040-\u30ff]", "zh": "[\u4e00-\u9fff]"}
    needed = [lang for lang, chars in scripts.items() if re.search(chars, text)]
    if not needed or not shutil.which("fc-list"):
        return True
    return all(subprocess.run(["fc-list", f":lang={lang}"], capture_output=True, text=True).stdout.strip() for lang in needed)


def test_print_holds_every_quotation(site: Built, printed: str) -> None:
    text = words(printed)
    quotes = [q for e in site.explainer.events for q in e.quotes]
    assert quotes
    unprintable = [q.id for q in quotes if not font_for(q.text)]
    if unprintable:
        warnings.warn(f"quotations {unprintable} are not checked: this machine has no font for their script (Debian: fonts-noto-cjk)", stacklevel=1)
    # pdftotext does not turn the spaces between Korean words into spaces (the CJK font draws
    # no glyph for them), so Korean is compared character by character without the spaces.
    unspaced = "".join(text.split())
    missing = [
        q.text
        for q in quotes
        if q.id not in unprintable and not (words(q.text) in text or (re.search("[\uac00-\ud7af]", q.text) and "".join(q.text.split()) in unspaced))
    ]
    assert not missing, f"{len(missing)} of {len(quotes)} quotations are not in the printed explainer: {missing[:3]}"


def as_uri(url: str) -> str:
    """The address as printed: non-ASCII characters percent-encoded, as the templates write every source's link."""
    return "".join(c if c.isascii() else "".join(f"%{b:02X}" for b in c.encode()) for c in url)


def test_print_holds_every_source_address_in_full(site: Built, printed: str) -> None:
    text = "".join(unicodedata.normalize("NFKC", printed).split())  # an address may wrap anywhere
    cited = {s.url for e in site.explainer.events for s in (*e.sources, *(s for c in e.claims for s in c.sources), *(q.source for q in e.quotes))}
    assert cited
    missing = sorted(url for url in cited if "".join(as_uri(url).split()) not in text)
    assert not missing, f"{len(missing)} of {len(cited)} source addresses are not printed in full: {missing[:5]}"


def test_print_has_no_navigation(printed: str) -> None:
    text = words(printed)
    found = [chrome for chrome in CHROME if chrome in text]
    assert not found, f"screen-only text in the printed explainer: {found}"
