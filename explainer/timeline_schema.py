"""Describe data/timeline.json as a JSON Schema (draft 2020-12), written by hand to match exports.timeline_data."""

from __future__ import annotations

from typing import Any

from .schema import STATUSES

FORMAT = "explainer-timeline"
VERSION = 1
SCHEMA_NAME = "timeline.schema.json"


_SLUG = {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}
_DATE = {"type": "string", "pattern": "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$", "description": "YYYY, YYYY-MM or YYYY-MM-DD: never more precise than known"}
_MOMENT = {"type": "string", "format": "date-time", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})$"}
_URL = {"type": "string", "format": "uri", "pattern": "^(https?://|mailto:)"}
_HTML = {"type": "string", "description": "HTML, sanitised; links are absolute"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _strings(item: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": "array", "items": item or {"type": "string"}}


def _object(properties: dict[str, Any], description: str = "") -> dict[str, Any]:
    data: dict[str, Any] = {"type": "object"}
    if description:
        data["description"] = description
    data.update(required=list(properties), additionalProperties=False, properties=properties)
    return data


def timeline_schema(base_url: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of data/timeline.json; every key is always present, absent values are null."""
    text = {"type": "string", "minLength": 1}
    claim = _object(
        {
            "text": text,
            "by": {**_SLUG, "description": "id in people"},
            "date": _DATE,
            "status": {"enum": list(STATUSES)},
            "figure": _nullable({"type": "number"}),
            "sources": _strings(_SLUG),
        },
        "a claim attributed to one party, with the explainer's assessment",
    )
    event = _object(
        {
            "id": {**_SLUG, "description": "stable id; the event's page is url"},
            "url": _URL,
            "aliases": {**_strings(_SLUG), "description": "earlier ids, oldest first; their addresses redirect to url"},
            "date": _DATE,
            "precision": {"enum": ["year", "month", "day"]},
            "end": _nullable(_DATE),
            "time": _nullable({"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9](Z|[+-][0-9]{2}:[0-9]{2})$"}),
            "date_label": _nullable(text),
            "display_date": {**text, "description": "the date line as the explainer shows it"},
            "reported": _nullable(_DATE),
            "title": text,
            "summary_html": _HTML,
            "summary_text": text,
            "body_html": _nullable(_HTML),
            "phase": {**_SLUG, "description": "id in phases"},
            "actors": {**_strings(_SLUG), "description": "ids in people"},
            "places": {**_strings(_SLUG), "description": "ids in places"},
            "tags": _strings(_SLUG),
            "sources": {**_strings(_SLUG), "description": "ids in sources", "minItems": 1},
            "claims": {"type": "array", "items": claim},
            "media": _nullable(_object({"url": _URL, "alt": text, "caption": _nullable(text), "credit": _nullable(text)})),
            "quotes": {**_strings(_SLUG), "description": "ids in quotes"},
            "corrections": {"type": "array", "items": _object({"date": _MOMENT, "kind": {"enum": ["update", "correction", "clarification"]}, "text": text})},
        },
        "one event of the timeline, in story order",
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{base_url}data/{SCHEMA_NAME}",
        "title": "Explainer timeline data",
        "description": "An explainer's events, quotations, people, places, sources and updates log. See docs/publishing.md.",
        **_object(
            {
                "$schema": {"type": "string"},
                "format": {"const": FORMAT},
                "version": {"const": VERSION},
                "title": text,
                "dek": text,
                "description": text,
                "language": text,
                "url": _URL,
                "authors": {**_strings(text), "minItems": 1},
                "publisher": _nullable(text),
                "published": _nullable(_MOMENT),
                "modified": _nullable(_MOMENT),
                "statuses": {"type": "object", "additionalProperties": {"type": "string"}, "description": "claim statuses and what each means"},
                "phases": {
                    "type": "array",
                    "items": _object(
                        {
                            "id": _SLUG,
                            "title": text,
                            "summary_html": _nullable(_HTML),
                            "start": _nullable(_DATE),
                            "end": _nullable(_DATE),
                            "events": _strings(_SLUG),
                        }
                    ),
                },
                "events": {"type": "array", "items": event},
                "quotes": {
                    "type": "array",
                    "items": _object(
                        {
                            "id": _SLUG,
                            "text": text,
                            "speaker": _SLUG,
                            "role": _nullable(text),
                            "date": _nullable(_DATE),
                            "setting": text,
                            "source": _SLUG,
                            "event": _nullable(_SLUG),
                            "original": _nullable(_object({"lang": text, "text": text})),
                            "note": _nullable(text),
                        }
                    ),
                },
                "people": {
                    "type": "array",
                    "items": _object(
                        {
                            "id": _SLUG,
                            "name": text,
                            "native_name": _nullable(text),
                            "native_lang": _nullable(text),
                            "role": text,
                            "kind": {"enum": ["person", "organisation", "country", "document"]},
                            "url": _URL,
                        }
                    ),
                },
                "places": {
                    "type": "array",
                    "items": _object(
                        {
                            "id": _SLUG,
                            "name": text,
                            "country": text,
                            "lat": _nullable({"type": "number", "minimum": -90, "maximum": 90}),
                            "lon": _nullable({"type": "number", "minimum": -180, "maximum": 180}),
                        }
                    ),
                },
                "sources": {
                    "type": "array",
                    "items": _object({"id": _SLUG, "publisher": text, "title": text, "date": _nullable(_DATE), "url": _URL, "via": _nullable(text)}),
                },
                "updates": {
                    "type": "array",
                    "description": "oldest first",
                    "items": _object(
                        {"date": _MOMENT, "kind": {"enum": ["publication", "update", "correction", "clarification"]}, "text": text, "events": _strings(_SLUG)}
                    ),
                },
            }
        ),
    }
