"""The explainer as frozen dataclasses, and the interner that keeps them from one build to the next."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from .dates import PartialDate
from .memo import Memo

T = TypeVar("T")


def _hash_once(cls: type[T]) -> type[T]:
    """Remember an object's hash: the model is a deep tree of frozen records, and serve's caches
    look events up by value after every save (the dataclass hash would walk the whole tree)."""
    compute = cls.__hash__

    def hash_once(self: Any) -> int:
        try:
            return self.__dict__["_hash"]  # type: ignore[no-any-return]
        except KeyError:
            value = compute(self)
            object.__setattr__(self, "_hash", value)
            return value

    def state_without_hash(self: Any) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_hash", None)  # string hashes differ between processes
        return state

    cls.__hash__ = hash_once  # type: ignore[method-assign,assignment]
    cls.__getstate__ = state_without_hash  # type: ignore[method-assign,assignment]
    return cls


class Interner(Memo[Any]):
    """Hand back last build's object when a newly built one is equal to it.

    serve builds the model again after every save; an unchanged event then is the very object
    it was, so the caches downstream (pages, fragments, feed entries) compare by identity, and
    equality of a bigger record stops at its first unchanged part. Objects are interned bottom
    up (a source before the events citing it), which keeps each comparison shallow.
    """

    def __call__(self, obj: T) -> T:
        return self.get(obj, lambda: obj)  # type: ignore[no-any-return]


@_hash_once
@dataclass(frozen=True)
class Site:
    title: str
    dek: str
    description: str
    language: str
    base_url: str
    authors: tuple[str, ...]
    publisher: str = ""
    publish_remote: str = ""


@_hash_once
@dataclass(frozen=True)
class Source:
    id: str
    publisher: str
    title: str
    url: str
    date: PartialDate | None = None
    via: str = ""


@_hash_once
@dataclass(frozen=True)
class Person:
    id: str
    name: str
    role: str
    kind: str
    native_name: str = ""
    native_lang: str = ""


@_hash_once
@dataclass(frozen=True)
class Place:
    id: str
    name: str
    country: str
    lat: float | None = None
    lon: float | None = None


@_hash_once
@dataclass(frozen=True)
class Phase:
    id: str
    title: str
    summary: str = ""  # HTML


@_hash_once
@dataclass(frozen=True)
class Claim:
    text: str
    by: Person
    date: PartialDate
    status: str
    sources: tuple[Source, ...]
    figure: float | None = None


@_hash_once
@dataclass(frozen=True)
class Media:
    file: str
    alt: str
    caption: str = ""
    credit: str = ""
    width: int = 0  # in pixels, read from the file, so the page can reserve its space
    height: int = 0


@_hash_once
@dataclass(frozen=True)
class Original:
    lang: str
    text: str


@_hash_once
@dataclass(frozen=True)
class Quote:
    id: str
    text: str
    speaker: Person
    setting: str
    source: Source
    role: str = ""
    date: PartialDate | None = None
    event: str = ""
    original: Original | None = None
    note: str = ""
    lang: str = ""  # language of text, when not the explainer's


@_hash_once
@dataclass(frozen=True)
class Update:
    date: datetime
    kind: str
    text: str
    events: tuple[str, ...] = ()
    # Datetimes at the same instant are equal whatever their offsets, but pages show the offset.
    written: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "written", self.date.isoformat())


@_hash_once
@dataclass(frozen=True)
class Event:
    id: str
    date: PartialDate
    title: str
    summary: str  # HTML
    phase: Phase
    sources: tuple[Source, ...]
    end: PartialDate | None = None
    time: str = ""
    date_label: str = ""
    reported: PartialDate | None = None
    body: str = ""  # HTML
    actors: tuple[Person, ...] = ()
    places: tuple[Place, ...] = ()
    tags: tuple[str, ...] = ()
    claims: tuple[Claim, ...] = ()
    media: Media | None = None
    aliases: tuple[str, ...] = ()
    draft: bool = False
    quotes: tuple[Quote, ...] = ()
    corrections: tuple[Update, ...] = ()


@_hash_once
@dataclass(frozen=True)
class Page:
    id: str
    title: str
    order: int
    html: str
    lead: bool = False
    description: str = ""


@_hash_once
@dataclass(frozen=True)
class Chapter:
    """A phase with its events, in story order, and the span they cover."""

    phase: Phase
    events: tuple[Event, ...]
    start: PartialDate | None
    end: PartialDate | None


@_hash_once
@dataclass(frozen=True)
class Explainer:
    site: Site
    chapters: tuple[Chapter, ...]
    events: tuple[Event, ...]  # story order: by phase, then by date
    quotes: tuple[Quote, ...]
    people: tuple[Person, ...]
    places: tuple[Place, ...]
    sources: tuple[Source, ...]
    updates: tuple[Update, ...]  # newest first
    pages: tuple[Page, ...]
    published: datetime | None = None
    modified: datetime | None = None
    media_files: tuple[tuple[str, Path], ...] = ()
    citations: dict[str, tuple[Event, ...]] = field(default_factory=dict, compare=False)
