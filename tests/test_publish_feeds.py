"""feed.xml (Atom) read back with feedparser, feed.json (JSON Feed 1.1) checked against its spec, field by field."""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from pathlib import Path

import feedparser
import pytest
from publish_support import build_site, copy_fixture, edit

BASE = "https://example.org/fixture/"
RFC3339 = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    tmp = tmp_path_factory.mktemp("feeds")
    content = copy_fixture(tmp)
    # An update entry that puts a month-only event online, and a renamed event: both change what the feeds say.
    edit(
        content / "updates.yaml",
        '- date: "2024-12-17T10:30:00+00:00"',
        '- date: "2024-12-16T15:00:00+01:00"\n  kind: update\n  text: Added the June event.\n  events: [treaty-month]\n- date: "2024-12-17T10:30:00+00:00"',
    )
    edit(content / "timeline.yaml", "  tags: [un, sanctions]\n", "  tags: [un, sanctions]\n  aliases: [veto, panel-veto]\n")
    _, files = build_site(content, tmp / "site")
    return files


def test_atom_feed_parses_without_errors_and_describes_the_explainer(site: dict[str, bytes]) -> None:
    feed = feedparser.parse(site["feed.xml"])
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    f = feed.feed
    assert f.id == BASE
    assert f.title == "Pact to deployment (test site)"
    assert f.subtitle == "A small fixture built from the project's fact sheet."
    assert f.language == "en"
    assert f.updated == "2024-12-17T10:30:00Z"  # the newest entry, from the content: no clock
    assert [a.name for a in f.authors] == ["Explainer desk"]
    assert {(link.rel, link.href) for link in f.links} == {("self", BASE + "feed.xml"), ("alternate", BASE)}
    assert f.icon == BASE + "icon.png"
    assert f.logo == BASE + "share.png"


def test_atom_entries_are_the_events_and_the_updates_log(site: dict[str, bytes]) -> None:
    entries = {e.id: e for e in feedparser.parse(site["feed.xml"]).entries}
    assert set(entries) == {
        BASE + "events/treaty-signed/",
        BASE + "events/treaty-month/",
        BASE + "events/veto/",  # the renamed event keeps the id it was first published under
        BASE + "updates/#publication-20241216T090000Z",
        BASE + "updates/#update-20241216T150000+0100",
        BASE + "updates/#correction-20241217T103000Z",
    }
    signed = entries[BASE + "events/treaty-signed/"]
    assert signed.title == "Putin and Kim sign the treaty"
    assert signed.link == BASE + "events/treaty-signed/"
    assert signed.published == "2024-06-19T02:22:00+09:00"  # the event's date and time, with its offset
    assert signed.updated == "2024-06-19T02:22:00+09:00"
    assert signed.summary == "After talks in Pyongyang, Vladimir Putin and Kim Jong Un signed the Treaty on Comprehensive Strategic Partnership."
    assert [t.term for t in signed.tags] == ["The pact", "treaty", "diplomacy"]
    content = signed.content[0].value
    assert signed.content[0].type == "text/html"
    assert "<em>Treaty on Comprehensive Strategic Partnership</em>" in content
    assert "Claimed: The treaty does not rule out military-technical cooperation." in content
    assert "<blockquote><p>It is really a breakthrough document</p></blockquote>" in content
    assert 'href="https://www.tag24.com/world/russia/' in content

    veto = entries[BASE + "events/veto/"]
    assert veto.link == BASE + "events/un-panel-veto/"  # the link is the current address
    assert veto.published == veto.updated == "2024-03-28T00:00:00Z"  # known to the day: midnight UTC

    correction = entries[BASE + "updates/#correction-20241217T103000Z"]
    assert correction.title == "Correction: The fixture's correction names the month-only event."
    assert correction.link == BASE + "updates/"
    assert correction.published == correction.updated == "2024-12-17T10:30:00Z"
    assert f'href="{BASE}events/treaty-month/"' in correction.content[0].value


def test_an_event_known_to_the_month_takes_its_time_from_the_update_that_published_it(site: dict[str, bytes]) -> None:
    entries = {e.id: e for e in feedparser.parse(site["feed.xml"]).entries}
    month = entries[BASE + "events/treaty-month/"]
    assert month.published == "2024-12-16T15:00:00+01:00"  # the 'update' entry naming it, not the first publication
    assert month.updated == "2024-12-17T10:30:00Z"  # the correction that names it


def test_entries_come_newest_first(site: dict[str, bytes]) -> None:
    published = [datetime.fromisoformat(e.published.replace("Z", "+00:00")) for e in feedparser.parse(site["feed.xml"]).entries]
    assert published == sorted(published, reverse=True)


def test_json_feed_has_every_field_its_spec_requires(site: dict[str, bytes]) -> None:
    feed = json.loads(site["feed.json"])
    # https://www.jsonfeed.org/version/1.1/: version, title and items are required; each item needs an id and content.
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == "Pact to deployment (test site)"
    assert isinstance(feed["items"], list) and feed["items"]
    assert feed["home_page_url"] == BASE
    assert feed["feed_url"] == BASE + "feed.json"
    assert feed["description"] == "A small fixture built from the project's fact sheet."
    assert feed["language"] == "en"
    assert feed["authors"] == [{"name": "Explainer desk"}]
    assert feed["icon"] == feed["favicon"] == BASE + "icon.png"
    allowed = {"id", "url", "external_url", "title", "content_html", "content_text", "summary", "image", "banner_image"}
    allowed |= {"date_published", "date_modified", "authors", "tags", "language", "attachments"}
    for item in feed["items"]:
        assert set(item) <= allowed, set(item) - allowed
        assert isinstance(item["id"], str) and item["id"]
        assert isinstance(item.get("content_html") or item.get("content_text"), str)
        assert item["url"].startswith(BASE)
        for key in ("date_published", "date_modified"):
            assert RFC3339.fullmatch(item[key]), item[key]
        assert all(isinstance(tag, str) for tag in item["tags"])
    assert len({item["id"] for item in feed["items"]}) == len(feed["items"])


def test_json_feed_and_atom_feed_say_the_same(site: dict[str, bytes]) -> None:
    atom = feedparser.parse(site["feed.xml"]).entries
    items = json.loads(site["feed.json"])["items"]
    assert [(e.id, e.title, e.link, e.published, e.updated) for e in atom] == [
        (i["id"], i["title"], i["url"], i["date_published"], i["date_modified"]) for i in items
    ]
    # feedparser sanitises the HTML it returns (it writes &#39; as '), so compare the text.
    assert [html.unescape(e.content[0].value) for e in atom] == [html.unescape(i["content_html"]) for i in items]


def test_feeds_are_found_from_every_page(site: dict[str, bytes]) -> None:
    for name in ("index.html", "events/treaty-signed/index.html", "404.html"):
        page = site[name].decode()
        assert 'rel="alternate" type="application/atom+xml"' in page, name
        assert 'rel="alternate" type="application/feed+json"' in page, name


def test_the_feeds_do_not_change_with_the_clock_or_the_process(tmp_path: Path) -> None:
    first = build_site(copy_fixture(tmp_path / "a"), tmp_path / "a" / "site")[1]
    second = build_site(copy_fixture(tmp_path / "b"), tmp_path / "b" / "site")[1]
    for name in ("feed.xml", "feed.json", "sitemap.xml"):
        assert first[name] == second[name]
