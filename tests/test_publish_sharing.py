"""Sharing and search: OpenGraph and Twitter tags on every page, the share image, icons, JSON-LD NewsArticle."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, TEMPLATES, Project
from PIL import Image
from publish_support import Head, build_site, copy_fixture, edit

from explainer.sharing import drawable

BASE = "https://example.org/fixture/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    tmp = tmp_path_factory.mktemp("sharing")
    content = copy_fixture(tmp)
    (content / "media").mkdir()
    Image.new("RGB", (40, 30), (200, 100, 50)).save(content / "media" / "veto.png")
    edit(
        content / "timeline.yaml",
        "  tags: [un, sanctions]\n",
        "  tags: [un, sanctions]\n  media:\n    file: veto.png\n    alt: The Security Council votes\n  aliases: [veto]\n",
    )
    return build_site(content, tmp / "site")[1]


def pages(site: dict[str, bytes]) -> list[str]:
    """The pages a reader can share: every HTML page but the redirects and the embed."""
    return [name for name in site if name.endswith(".html") and name not in ("events/veto/index.html", "embed/index.html")]


def test_every_page_has_opengraph_and_twitter_tags(site: dict[str, bytes]) -> None:
    assert len(pages(site)) >= 14
    for name in pages(site):
        head = Head(site[name].decode())
        canonical = next(link["href"] for link in head.links if link.get("rel") == "canonical")
        assert head.one("og:url") == canonical, name
        assert head.one("og:site_name") == "Pact to deployment (test site)"
        assert head.one("og:type") in ("article", "website")
        assert head.one("og:title") and head.one("og:description") == head.one("description"), name
        assert head.one("og:image").startswith(BASE) and head.one("og:image:alt"), name
        assert head.one("twitter:card") == "summary_large_image"
        assert head.one("twitter:title") == head.one("og:title")
        assert head.one("twitter:description") == head.one("og:description")
        assert head.one("twitter:image") == head.one("og:image")
        assert head.one("twitter:image:alt") == head.one("og:image:alt")


def test_an_event_page_shares_its_own_title_and_description(site: dict[str, bytes]) -> None:
    head = Head(site["events/treaty-signed/index.html"].decode())
    assert head.one("og:type") == "article"
    assert head.one("og:title") == "Putin and Kim sign the treaty"
    assert head.one("og:description") == ("After talks in Pyongyang, Vladimir Putin and Kim Jong Un signed the Treaty on Comprehensive Strategic Partnership.")
    assert head.one("og:image") == BASE + "share.png"
    assert (head.one("og:image:width"), head.one("og:image:height")) == ("1200", "630")
    assert head.one("article:section") == "The pact"
    assert head.meta["article:tag"] == ["treaty", "diplomacy"]
    assert head.one("article:published_time") == "2024-12-16T09:00:00Z"  # the first publication
    month = Head(site["events/treaty-month/index.html"].decode())
    assert month.one("article:modified_time") == "2024-12-17T10:30:00Z"  # its correction


def test_an_event_with_an_image_shares_its_image(site: dict[str, bytes]) -> None:
    head = Head(site["events/un-panel-veto/index.html"].decode())
    assert head.one("og:image") == BASE + "media/veto.png"
    assert head.one("og:image:alt") == "The Security Council votes"
    assert "og:image:width" not in head.meta


def test_the_share_image_is_a_1200_by_630_png(site: dict[str, bytes]) -> None:
    image = Image.open(io.BytesIO(site["share.png"]))
    assert (image.format, image.size) == ("PNG", (1200, 630))
    assert len(image.getcolors(1_000_000) or []) > 10  # text was drawn on it
    index = Head(site["index.html"].decode())
    assert index.one("og:image") == BASE + "share.png"
    assert index.one("og:image:alt").startswith("Pact to deployment (test site). A small fixture")


def test_icons_are_drawn_as_png_and_ico(site: dict[str, bytes]) -> None:
    icon = Image.open(io.BytesIO(site["icon.png"]))
    assert (icon.format, icon.size) == ("PNG", (512, 512))
    ico = Image.open(io.BytesIO(site["favicon.ico"]))
    assert ico.format == "ICO"
    assert set(ico.info["sizes"]) == {(16, 16), (32, 32), (48, 48)}
    links = Head(site["events/treaty-signed/index.html"].decode()).links
    assert {"rel": "icon", "href": "../../favicon.ico", "sizes": "16x16 32x32 48x48"} in links
    assert {"rel": "apple-touch-icon", "href": "../../icon.png"} in links


def test_news_article_json_ld_on_the_explainer(site: dict[str, bytes]) -> None:
    head = Head(site["index.html"].decode())
    (script,) = head.jsonld
    data = json.loads(script)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Pact to deployment (test site)"
    assert data["description"] == "A fixture explainer used by the golden-output tests."
    assert data["datePublished"] == "2024-12-16T09:00:00Z"
    assert data["dateModified"] == "2024-12-17T10:30:00Z"
    assert data["author"] == [{"@type": "Person", "name": "Explainer desk"}]
    assert data["publisher"]["@type"] == "Organization" and data["publisher"]["name"] == "Example News"
    assert data["publisher"]["logo"]["url"] == BASE + "icon.png"
    assert data["mainEntityOfPage"]["@id"] == data["url"] == BASE
    assert data["image"] == [BASE + "share.png"]
    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "The fixture's correction names the month-only event.",
            "datePublished": "2024-12-17T10:30:00Z",
            "url": BASE + "updates/",
        }
    ]
    assert not Head(site["events/treaty-signed/index.html"].decode()).jsonld


def test_json_in_a_script_cannot_be_closed_by_content(project: Project) -> None:
    hostile = "Pact </script><script>alert(1)</script> <!-- & -->"
    project.write("site.yaml", (project.content / "site.yaml").read_text("utf-8").replace("Scratch explainer", f'"{hostile}"'))
    project.write(
        "updates.yaml",
        """\
        - date: "2024-12-16T09:00:00+00:00"
          kind: publication
          text: First published.
        - date: "2024-12-17T09:00:00+00:00"
          kind: correction
          text: "We wrote </SCRIPT> and <!-- by mistake."
        """,
    )
    assert project.run().code == 0
    page = (project.site / "index.html").read_text("utf-8")
    start = page.index('<script type="application/ld+json">')
    script = page[start : page.index("</script>", start)]
    assert "<" not in script.removeprefix('<script type="application/ld+json">')
    assert "\\u003c/script\\u003e" in script and "\\u003c!--" in script and "\\u0026" in script
    data = json.loads(Head(page).jsonld[0])
    assert data["headline"] == hostile
    assert data["correction"][0]["text"] == "We wrote </SCRIPT> and <!-- by mistake."


def test_a_build_is_byte_identical_across_processes(tmp_path: Path) -> None:
    """Two separate processes (fresh caches, another hash seed) write the same bytes, images included."""
    content = copy_fixture(tmp_path)
    outs = []
    for number, seed in enumerate(("1", "2")):
        out = tmp_path / f"site{number}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        command = [sys.executable, str(REPO / "build.py"), "--content", str(content), "--templates", str(TEMPLATES), "--out", str(out), "-q"]
        subprocess.run(command, check=True, env=env, cwd=tmp_path)
        outs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outs[0] == outs[1]
    assert {"share.png", "icon.png", "favicon.ico", "feed.xml", "data/timeline.json"} <= outs[0].keys()


def test_the_share_image_follows_the_headline(tmp_path: Path) -> None:
    content = copy_fixture(tmp_path)
    before = build_site(content, tmp_path / "one")[1]["share.png"]
    edit(content / "site.yaml", "title: Pact to deployment (test site)", "title: A much longer headline that has to wrap over more than one line of the image")
    after = build_site(content, tmp_path / "two")[1]["share.png"]
    assert before != after
    assert Image.open(io.BytesIO(after)).size == (1200, 630)


def test_the_share_image_draws_only_what_its_font_has() -> None:
    assert drawable("Russia’s “deal” — café, naïve… Pyongyang 평양 Путин") == 'Russia\'s "deal" - cafe, naive... Pyongyang'
