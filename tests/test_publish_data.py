"""The data exports read back by real consumers: jsonschema, Python's csv module; TimelineJS3 fields as its docs define them."""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser

import jsonschema
import pytest
from conftest import Project
from publish_support import build_site, copy_fixture, edit

from explainer.exports import EVENT_COLUMNS, QUOTE_COLUMNS, cell

BASE = "https://example.org/fixture/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    tmp = tmp_path_factory.mktemp("data")
    content = copy_fixture(tmp)
    edit(content / "timeline.yaml", "  tags: [un, sanctions]\n", "  tags: [un, sanctions]\n  aliases: [veto]\n")
    return build_site(content, tmp / "site")[1]


def rows(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "a UTF-8 byte order mark, so that spreadsheets read UTF-8"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# -- data/timeline.json ---------------------------------------------------------------------------


def test_timeline_json_is_valid_against_its_published_schema(site: dict[str, bytes]) -> None:
    schema = json.loads(site["data/timeline.schema.json"])
    data = json.loads(site["data/timeline.json"])
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER).validate(data)
    assert data["$schema"] == schema["$id"] == BASE + "data/timeline.schema.json"


def test_the_schema_rejects_what_the_format_does_not_allow(site: dict[str, bytes]) -> None:
    validator = jsonschema.Draft202012Validator(json.loads(site["data/timeline.schema.json"]))
    data = json.loads(site["data/timeline.json"])
    data["events"][0]["date"] = "2024-6-1"
    data["events"][1]["surprise"] = True
    del data["events"][2]["sources"]
    messages = sorted(e.message for e in validator.iter_errors(data))
    assert len(messages) == 3, messages


def test_timeline_json_holds_the_whole_explainer(site: dict[str, bytes]) -> None:
    data = json.loads(site["data/timeline.json"])
    assert (data["format"], data["version"]) == ("explainer-timeline", 1)
    assert data["published"] == "2024-12-16T09:00:00Z" and data["modified"] == "2024-12-17T10:30:00Z"
    assert [e["id"] for e in data["events"]] == ["un-panel-veto", "treaty-month", "treaty-signed"]
    veto, month, signed = data["events"]
    assert veto["aliases"] == ["veto"] and veto["url"] == BASE + "events/un-panel-veto/"
    assert (month["date"], month["precision"], month["display_date"]) == ("2024-06", "month", "June 2024")
    assert month["corrections"] == [{"date": "2024-12-17T10:30:00Z", "kind": "correction", "text": "The fixture's correction names the month-only event."}]
    assert signed["time"] == "02:22+09:00" and signed["quotes"] == ["q1", "q3"]
    assert signed["claims"][0] == {
        "text": "The treaty does not rule out military-technical cooperation.",
        "by": "vladimir-putin",
        "date": "2024-06-19",
        "status": "claimed",
        "figure": None,
        "sources": ["s05"],
    }
    ids = {kind: {item["id"] for item in data[kind]} for kind in ("people", "places", "sources", "quotes", "phases")}
    for event in data["events"]:
        assert event["phase"] in ids["phases"]
        assert set(event["actors"]) <= ids["people"] and set(event["places"]) <= ids["places"] and set(event["sources"]) <= ids["sources"]
    assert [u["kind"] for u in data["updates"]] == ["publication", "correction"]  # oldest first


# -- data/timelinejs.json -------------------------------------------------------------------------


def test_timelinejs_export_follows_the_format(site: dict[str, bytes]) -> None:
    data = json.loads(site["data/timelinejs.json"])
    assert set(data) == {"title", "events", "eras"}
    assert data["title"]["text"]["headline"] == "Pact to deployment (test site)"
    assert "title" not in data or "start_date" not in data["title"]
    events = {e["unique_id"]: e for e in data["events"]}
    assert list(events) == ["un-panel-veto", "treaty-month", "treaty-signed"]
    veto, month, signed = events.values()
    assert veto["start_date"] == {"year": 2024, "month": 3, "day": 28}
    assert "display_date" not in veto  # TimelineJS formats a plain date itself
    assert month["start_date"] == {"year": 2024, "month": 6}  # no day made up
    assert month["display_date"] == "June 2024"  # the writer's date_label
    # Times go out in UTC (TimelineJS has no time zones); the label keeps the writer's.
    assert signed["start_date"] == {"year": 2024, "month": 6, "day": 18, "hour": 17, "minute": 22}
    assert signed["display_date"] == "June 19, 2024, 02:22 (UTC+09:00)"
    assert [e["group"] for e in events.values()] == ["Background", "The pact", "The pact"]
    # Attribution lives in the text: TimelineJS has no field for sources.
    assert 'Sources: <a href="https://www.tribuneindia.com/' in veto["text"]["text"]
    assert f'<a href="{BASE}events/un-panel-veto/">More on this event</a>' in veto["text"]["text"]
    assert "<strong>Claimed:</strong> The treaty does not rule out military-technical cooperation." in signed["text"]["text"]
    # A quotation is a <blockquote> media with the speaker as credit; the second one goes in the text.
    assert signed["media"] == {
        "url": "<blockquote>It is really a breakthrough document</blockquote>",
        "credit": "Vladimir Putin, President of Russia",
        "caption": "Press statement after signing, Pyongyang, June 19, 2024",
    }
    assert "<blockquote>Today a new foundation document" in signed["text"]["text"]
    assert data["eras"] == [
        {"start_date": {"year": 2024, "month": 3, "day": 28}, "end_date": {"year": 2024, "month": 3, "day": 28}, "text": {"headline": "Background"}},
        {"start_date": {"year": 2024, "month": 6}, "end_date": {"year": 2024, "month": 6, "day": 19}, "text": {"headline": "The pact"}},
    ]


# -- CSV ------------------------------------------------------------------------------------------


def test_events_csv_has_one_row_per_event(site: dict[str, bytes]) -> None:
    table = rows(site["data/events.csv"])
    assert list(table[0]) == EVENT_COLUMNS
    assert [r["id"] for r in table] == ["un-panel-veto", "treaty-month", "treaty-signed"]
    signed = table[2]
    assert signed["display_date"] == "June 19, 2024, 02:22 (UTC+09:00)"
    assert signed["actors"] == "Vladimir Putin; Kim Jong Un"
    assert (signed["lat"], signed["lon"]) == ("39.02", "125.75")  # numbers, unquoted
    assert signed["quote_ids"] == "q1 q3" and signed["claim_statuses"] == "claimed"
    assert table[0]["aliases"] == "veto"
    assert table[1]["corrections"] == "1"
    line = site["data/events.csv"].decode("utf-8-sig").splitlines()[3]
    assert ",39.02,125.75," in line  # not quoted, so a spreadsheet reads numbers


def test_quotes_csv_has_one_row_per_quote(site: dict[str, bytes]) -> None:
    table = rows(site["data/quotes.csv"])
    assert list(table[0]) == QUOTE_COLUMNS
    assert [r["id"] for r in table] == ["q1", "q3"]
    assert table[1]["text"] == "Today a new foundation document has been prepared, which will form the basis of our relations for the long term,"
    assert table[1]["role"] == "President of Russia"
    assert table[0]["event_url"] == BASE + "events/treaty-signed/"


def test_a_cell_cannot_run_as_a_formula() -> None:
    assert [cell(v) for v in ("=SUM(A1)", "+1", "-2 soldiers", "@cmd", "\tx", "plain", "")] == [
        "'=SUM(A1)",
        "'+1",
        "'-2 soldiers",
        "'@cmd",
        "'\tx",
        "plain",
        "",
    ]
    assert [cell(v) for v in (-73.96, 12, 0.5, None)] == [-73.96, 12, 0.5, ""]


def test_formulas_in_content_are_inert_in_the_csv(project: Project) -> None:
    project.write(
        "places.yaml",
        """\
        - id: west
          name: "=HYPERLINK(\\"https://evil.example\\", \\"click\\")"
          country: "@Somewhere"
          lat: -33.5
          lon: -70.6
        """,
    )
    project.write(
        "timeline.yaml",
        """\
        - id: first
          date: 2024-06-19
          title: "-1 is a number written as text"
          summary: "@desk says it happened"
          phase: one
          places: [west]
          sources: [s1]
        """,
    )
    project.write("quotes.yaml", "- id: q1\n  text: '=1+1'\n  speaker: ann\n  setting: '@home'\n  source: s1\n  event: first\n")
    assert project.run("--strict").code == 0
    (event,) = rows((project.site / "data/events.csv").read_bytes())
    assert event["title"] == "'-1 is a number written as text"
    assert event["summary"] == "'@desk says it happened"
    assert event["places"] == '\'=HYPERLINK("https://evil.example", "click")'
    assert (event["lat"], event["lon"]) == ("-33.5", "-70.6")  # numbers keep their sign
    (quote,) = rows((project.site / "data/quotes.csv").read_bytes())
    assert (quote["text"], quote["setting"]) == ("'=1+1", "'@home")


# -- "Get the data" -------------------------------------------------------------------------------


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: list[str] = []
        self.textareas: list[str] = []
        self._textarea = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.hrefs.append(str(values["href"]))
        if values.get("id"):
            self.ids.append(str(values["id"]))
        self._textarea = tag == "textarea"
        if self._textarea:
            self.textareas.append("")

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.textareas[-1] += data

    def handle_endtag(self, tag: str) -> None:
        self._textarea = False


def test_the_explainer_links_the_data_and_shows_the_embed_code(site: dict[str, bytes]) -> None:
    page = _Anchors()
    page.feed(site["index.html"].decode())
    assert "data" in page.ids
    for name in ("data/timeline.json", "data/timeline.schema.json", "data/timelinejs.json", "data/events.csv", "data/quotes.csv", "feed.xml", "feed.json"):
        assert name in page.hrefs and name in site, name
    assert "embed/" in page.hrefs
    (snippet,) = page.textareas
    assert snippet.startswith(f'<iframe src="{BASE}embed/" title="Timeline: Pact to deployment (test site)"')
    assert 'e.origin !== "https://example.org"' in snippet and "explainer-embed:height" in snippet
