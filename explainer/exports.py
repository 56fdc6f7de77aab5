"""The data behind the explainer, for reuse: our JSON with its schema, TimelineJS3 JSON, and CSV.

data/timeline.json          everything, in our own documented format (docs/publishing.md)
data/timeline.schema.json   its JSON Schema
data/timelinejs.json        Knight Lab TimelineJS3's JSON format
data/events.csv             one row per event, for spreadsheets
data/quotes.csv             one row per quotation
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from markupsafe import escape

from . import dates
from .dates import PartialDate
from .feeds import absolute_links, plain
from .memo import Recall, no_memo
from .model import Event, Explainer, Quote
from .render import event_when as when
from .schema import STATUSES
from .timeline_schema import FORMAT, SCHEMA_NAME, VERSION, timeline_schema
from .timestamps import rfc3339


def _json(data: Any, events: list[str] | None = None) -> bytes:
    """JSON text; `events`, already written out, stand in for data's "events" (it holds _EVENTS)."""
    # No indent: json's C encoder only runs without one (an indented dump of 1,000 events takes 10x longer).
    text = json.dumps(data, ensure_ascii=False)
    if events is not None:
        text = text.replace(_EVENTS_JSON, "[" + ", ".join(events) + "]", 1)
    return (text + "\n").encode("utf-8")


# Content cannot hold a NUL character (sources.py refuses it), so this cannot collide.
_EVENTS = "\x00events\x00"
_EVENTS_JSON = json.dumps(_EVENTS)


def _events(recall: Recall, explainer: Explainer, write: Callable[[Event, str], str]) -> list[str]:
    """Each event written out on its own, by a pure function of the event and the base address (so it can be kept from build to build)."""
    base = explainer.site.base_url
    return [recall(write, e, base) for e in explainer.events]


# -- our own format ------------------------------------------------------------------


def timeline_data(explainer: Explainer) -> dict[str, Any]:
    """The whole explainer as plain data (see docs/publishing.md), but for "events": a stand-in that timeline_json fills."""
    site = explainer.site
    base = site.base_url
    return {
        "$schema": f"{base}data/{SCHEMA_NAME}",
        "format": FORMAT,
        "version": VERSION,
        "title": site.title,
        "dek": site.dek,
        "description": site.description,
        "language": site.language,
        "url": base,
        "authors": list(site.authors),
        "publisher": site.publisher or None,
        "published": rfc3339(explainer.published) if explainer.published else None,
        "modified": rfc3339(explainer.modified) if explainer.modified else None,
        "statuses": dict(STATUSES),
        "phases": [
            {
                "id": c.phase.id,
                "title": c.phase.title,
                "summary_html": c.phase.summary or None,
                "start": c.start.iso() if c.start else None,
                "end": c.end.iso() if c.end else None,
                "events": [e.id for e in c.events],
            }
            for c in explainer.chapters
        ],
        "events": _EVENTS,  # written out by timeline_json, or by the caller
        "quotes": [_quote(q, base) for q in explainer.quotes],
        "people": [
            {
                "id": p.id,
                "name": p.name,
                "native_name": p.native_name or None,
                "native_lang": p.native_lang or None,
                "role": p.role,
                "kind": p.kind,
                "url": f"{base}people/{p.id}/",
            }
            for p in explainer.people
        ],
        "places": [{"id": p.id, "name": p.name, "country": p.country, "lat": p.lat, "lon": p.lon} for p in explainer.places],
        "sources": [
            {"id": s.id, "publisher": s.publisher, "title": s.title, "date": s.date.iso() if s.date else None, "url": s.url, "via": s.via or None}
            for s in explainer.sources
        ],
        "updates": [{"date": rfc3339(u.date), "kind": u.kind, "text": u.text, "events": list(u.events)} for u in reversed(explainer.updates)],
    }


def _event(e: Event, base: str) -> dict[str, Any]:
    url = f"{base}events/{e.id}/"
    return {
        "id": e.id,
        "url": url,
        "aliases": list(e.aliases),
        "date": e.date.iso(),
        "precision": e.date.precision,
        "end": e.end.iso() if e.end else None,
        "time": e.time or None,
        "date_label": e.date_label or None,
        "display_date": when(e),
        "reported": e.reported.iso() if e.reported else None,
        "title": e.title,
        "summary_html": absolute_links(e.summary, base),  # Markdown links are relative to the site root
        "summary_text": plain(e.summary),
        "body_html": absolute_links(e.body, base) if e.body else None,
        "phase": e.phase.id,
        "actors": [p.id for p in e.actors],
        "places": [p.id for p in e.places],
        "tags": list(e.tags),
        "sources": [s.id for s in e.sources],
        "claims": [
            {"text": c.text, "by": c.by.id, "date": c.date.iso(), "status": c.status, "figure": c.figure, "sources": [s.id for s in c.sources]}
            for c in e.claims
        ],
        "media": {"url": f"{base}media/{e.media.file}", "alt": e.media.alt, "caption": e.media.caption or None, "credit": e.media.credit or None}
        if e.media
        else None,
        "quotes": [q.id for q in e.quotes],
        "corrections": [{"date": rfc3339(u.date), "kind": u.kind, "text": u.text} for u in e.corrections],
    }


def _quote(q: Quote, base: str) -> dict[str, Any]:
    return {
        "id": q.id,
        "text": q.text,
        "speaker": q.speaker.id,
        "role": q.role or None,
        "date": q.date.iso() if q.date else None,
        "setting": q.setting,
        "source": q.source.id,
        "event": q.event or None,
        "original": {"lang": q.original.lang, "text": q.original.text} if q.original else None,
        "note": q.note or None,
    }


def timeline_json(explainer: Explainer, recall: Recall = no_memo) -> bytes:
    return _json(timeline_data(explainer), _events(recall, explainer, _event_json))


def _event_json(e: Event, base: str) -> str:
    return json.dumps(_event(e, base), ensure_ascii=False)


def timeline_schema_json(base_url: str) -> bytes:
    return _json(timeline_schema(base_url))


# -- TimelineJS3 ---------------------------------------------------------------------


def _tl_date(date: PartialDate) -> dict[str, int]:
    """A TimelineJS date at the precision known: no month or day is made up."""
    out = {"year": date.year}
    if date.month:
        out["month"] = date.month
    if date.day:
        out["day"] = date.day
    return out


def _tl_start(event: Event) -> dict[str, int]:
    if not event.time:
        return _tl_date(event.date)
    # TimelineJS has no time zones: every time is given in UTC, and display_date shows the writer's.
    offset = event.time[5:]
    try:
        moment = datetime.fromisoformat(f"{event.date.iso()}T{event.time[:5]}:00{'+00:00' if offset == 'Z' else offset}").astimezone(UTC)
    except (OverflowError, ValueError):  # at the edges of the calendar, UTC would fall outside it
        return _tl_date(event.date)
    return {"year": moment.year, "month": moment.month, "day": moment.day, "hour": moment.hour, "minute": moment.minute}


def _tl_quote(quote: Quote) -> str:
    return f"<blockquote>{escape(quote.text)}</blockquote>"


def _tl_credit(quote: Quote) -> str:
    role = quote.role or quote.speaker.role
    return f"{quote.speaker.name}, {role}" if role else quote.speaker.name


def _tl_caption(quote: Quote) -> str:
    return f"{quote.setting}, {quote.date.display()}" if quote.date else quote.setting


def _tl_event(event: Event, base: str) -> dict[str, Any]:
    url = f"{base}events/{event.id}/"
    quotes = list(event.quotes)
    media: dict[str, str] | None = None
    if event.media is not None:
        media = {
            "url": f"{base}media/{event.media.file}",
            "alt": event.media.alt,
            "caption": str(escape(event.media.caption)),
            "credit": str(escape(event.media.credit)),
        }
    elif quotes:
        first = quotes.pop(0)
        media = {"url": _tl_quote(first), "credit": str(escape(_tl_credit(first))), "caption": str(escape(_tl_caption(first)))}
    parts = [event.summary]
    if event.body:
        parts.append(event.body)
    for claim in event.claims:
        parts.append(
            f"<p><strong>{escape(claim.status.capitalize())}:</strong> {escape(claim.text)} — {escape(claim.by.name)}, {escape(claim.date.display())}</p>"
        )
    for quote in quotes:
        parts.append(f"{_tl_quote(quote)}<p>— {escape(_tl_credit(quote))}. {escape(_tl_caption(quote))}</p>")
    for update in event.corrections:
        parts.append(f"<p><em>{escape(update.kind.capitalize())}, {escape(dates.display_datetime(update.date))}:</em> {escape(update.text)}</p>")
    links = ", ".join(f'<a href="{escape(s.url)}">{escape(s.publisher)}</a>' for s in event.sources)
    parts.append(f'<p>Sources: {links} · <a href="{escape(url)}">More on this event</a></p>')
    slide: dict[str, Any] = {
        "unique_id": event.id,
        "start_date": _tl_start(event),
        "text": {"headline": str(escape(event.title)), "text": absolute_links("".join(parts), base)},  # our links are absolute; Markdown's start at the root
        "group": str(escape(event.phase.title)),  # TimelineJS3 shows it as HTML
    }
    if event.end is not None and event.end != event.date:
        slide["end_date"] = _tl_date(event.end)
    if event.date_label or event.time:
        slide["display_date"] = str(escape(when(event)))  # shown as HTML
    if media is not None:
        slide["media"] = {k: v for k, v in media.items() if v}
    return slide


def timelinejs_data(explainer: Explainer) -> dict[str, Any]:
    """The explainer as a TimelineJS3 timeline: a title slide, one era per phase, and a stand-in for the slides (one per event) that timelinejs_json fills."""
    site = explainer.site
    base = site.base_url
    byline = f"By {', '.join(site.authors)}" + (f" · {site.publisher}" if site.publisher else "")
    return {
        "title": {
            "text": {
                "headline": str(escape(site.title)),
                "text": f'<p>{escape(site.dek)}</p><p>{escape(byline)} · <a href="{escape(base)}">Read the explainer</a></p>',
            }
        },
        "events": _EVENTS,  # written out by timelinejs_json, or by the caller
        "eras": [
            {"start_date": _tl_date(c.start), "end_date": _tl_date(c.end), "text": {"headline": str(escape(c.phase.title))}}
            for c in explainer.chapters
            if c.start is not None and c.end is not None
        ],
    }


def timelinejs_json(explainer: Explainer, recall: Recall = no_memo) -> bytes:
    return _json(timelinejs_data(explainer), _events(recall, explainer, _tl_event_json))


def _tl_event_json(e: Event, base: str) -> str:
    return json.dumps(_tl_event(e, base), ensure_ascii=False)


# -- CSV -------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """A spreadsheet cell: numbers stay numbers; text that a spreadsheet would run as a formula gets a leading '."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv(header: list[str], rows: list[list[Any]], written: str = "") -> bytes:
    """CSV with a byte-order mark (so spreadsheets read UTF-8); `written` is rows already written out."""
    return (_csv_lines([header, *rows]) + written).encode("utf-8-sig")


def _csv_lines(rows: list[list[Any]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([[cell(v) for v in row] for row in rows])
    return buffer.getvalue()


EVENT_COLUMNS = [
    "id", "url", "date", "end", "time", "display_date", "reported", "phase", "phase_title", "title", "summary", "body",
    "actors", "actor_ids", "places", "place_ids", "lat", "lon", "tags", "claim_statuses", "sources", "source_ids", "source_urls",
    "quote_ids", "media_url", "media_alt", "aliases", "corrections",
]  # fmt: skip


def events_csv(explainer: Explainer, recall: Recall = no_memo) -> bytes:
    """data/events.csv: one row per event. lat and lon are those of the event's first place with coordinates."""
    return _csv(EVENT_COLUMNS, [], "".join(_events(recall, explainer, _event_csv)))


def _event_csv(e: Event, base: str) -> str:
    return _csv_lines([_event_row(e, base)])


def _event_row(e: Event, base: str) -> list[Any]:
    located = next((p for p in e.places if p.lat is not None and p.lon is not None), None)
    return [
                e.id, f"{base}events/{e.id}/", e.date.iso(), e.end.iso() if e.end else "", e.time, when(e), e.reported.iso() if e.reported else "",
                e.phase.id, e.phase.title, e.title, plain(e.summary), plain(e.body),
                "; ".join(p.name for p in e.actors), " ".join(p.id for p in e.actors),
                "; ".join(p.name for p in e.places), " ".join(p.id for p in e.places),
                located.lat if located else None, located.lon if located else None,
                " ".join(e.tags), " ".join(dict.fromkeys(c.status for c in e.claims)),
                "; ".join(s.publisher for s in e.sources), " ".join(s.id for s in e.sources), " ".join(s.url for s in e.sources),
                " ".join(q.id for q in e.quotes),
                f"{base}media/{e.media.file}" if e.media else "", e.media.alt if e.media else "",
                " ".join(e.aliases), len(e.corrections),
    ]  # fmt: skip


QUOTE_COLUMNS = [
    "id", "text", "speaker", "speaker_id", "role", "date", "setting", "source", "source_id", "source_url",
    "event_id", "event_url", "original_lang", "original_text", "note",
]  # fmt: skip


def quotes_csv(explainer: Explainer, recall: Recall = no_memo) -> bytes:
    """data/quotes.csv: one row per quotation, with its speaker, source and event."""
    base = explainer.site.base_url
    events = {e.id for e in explainer.events}
    rows = "".join(recall(_quote_csv, q, base, q.event in events) for q in explainer.quotes)
    return _csv(QUOTE_COLUMNS, [], rows)


def _quote_csv(q: Quote, base: str, published_event: bool) -> str:
    return _csv_lines([_quote_row(q, base, published_event)])


def _quote_row(q: Quote, base: str, published_event: bool) -> list[Any]:
    event_url = f"{base}events/{q.event}/" if published_event else ""
    return [
                q.id, q.text, q.speaker.name, q.speaker.id, q.role or q.speaker.role, q.date.iso() if q.date else "", q.setting,
                q.source.publisher, q.source.id, q.source.url, q.event, event_url,
                q.original.lang if q.original else "", q.original.text if q.original else "", q.note,
    ]  # fmt: skip
