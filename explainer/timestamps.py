"""When things happened and were published, as machine-readable moments taken from the content.

Feeds, the sitemap and the sharing tags need a full date and time for every event. They never
ask the clock: an event known to the day happens at its time (or midnight UTC), and an event
known only to the month or the year takes the moment of the updates log entry that published it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Protocol

from .model import Event, Update, _hash_once


class Log(Protocol):
    """What the moments are read from: the updates log and the publication moment (an Explainer is one)."""

    @property
    def updates(self) -> tuple[Update, ...]: ...

    @property
    def published(self) -> datetime | None: ...


@_hash_once
@dataclass(frozen=True)
class UpdatesLog:
    """Just the log: a small argument for memoised functions of it, hashed once."""

    updates: tuple[Update, ...]
    published: datetime | None


#: The kinds of updates log entry that put new events online; corrections only change them.
PUBLISHING_KINDS = ("publication", "update")


def rfc3339(moment: datetime) -> str:
    """'2024-12-16T09:00:00Z', or with the writer's offset: '2024-06-19T02:22:00+09:00'."""
    text = moment.isoformat(timespec="seconds")
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


def published_by(event: Event, explainer: Log) -> datetime | None:
    """The moment of the log entry that published the event: the first publication or update naming it, else the first publication."""
    naming = [u.date for u in explainer.updates if u.kind in PUBLISHING_KINDS and event.id in u.events]
    return min(naming) if naming else explainer.published


def event_moment(event: Event, explainer: Log) -> datetime:
    """When the event happened, as precisely as known; a coarser date takes its publication moment."""
    date = event.date
    if date.precision == "day":
        if event.time:
            hours, minutes, offset = int(event.time[:2]), int(event.time[3:5]), event.time[5:]
            zone = UTC if offset == "Z" else timezone(timedelta(hours=int(offset[:3]), minutes=int(offset[0] + offset[4:6])))
            return datetime(date.year, date.month, date.day, hours, minutes, tzinfo=zone)
        return datetime(date.year, date.month, date.day, tzinfo=UTC)
    return published_by(event, explainer) or datetime(date.year, date.month or 1, 1, tzinfo=UTC)


def event_modified(event: Event, explainer: Log) -> datetime:
    """The event's moment, or the latest correction or update naming it if that is later."""
    return max([event_moment(event, explainer), *(u.date for u in event.corrections)])


def page_modified(event: Event, explainer: Log) -> datetime | None:
    """When the event's page last changed: when it was published, or its latest correction."""
    moments = [u.date for u in event.corrections]
    first = published_by(event, explainer)
    if first is not None:
        moments.append(first)
    return max(moments) if moments else None
