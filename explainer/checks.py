"""Build the explainer model from checked records, with the cross-checks between them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from . import schema
from .dates import PartialDate
from .errors import Problem
from .markup import Converter
from .memo import Memo
from .model import Chapter, Claim, Event, Explainer, Interner, Media, Original, Page, Person, Phase, Place, Quote, Site, Source, Update
from .reader import RecordMemo, RecordReader, _label, event_references, quote_references
from .schema import Record, check_record
from .sources import Content, Node

T = TypeVar("T")

RESERVED_PAGE_IDS = {"events", "quotes", "people", "sources", "updates", "assets", "media", "data", "embed", "index", "404"}


class _Builder(RecordReader):
    """Turn the documents read from content/ into an Explainer, collecting every problem."""

    kept_memo: Kept | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tokens: dict[int, tuple[dict[Any, Any], tuple[Any, ...]]] = {}  # id of a table -> (the table, its token)
        self.unreadable_now: frozenset[str] = frozenset()

    def build(self) -> Explainer | None:
        site = self.site()
        sources = {k: self.kept(self.source, r) for k, r in self.unique(self.records("sources"), schema.SOURCE).items()}
        people = {k: self.kept(self.person, r) for k, r in self.unique(self.records("people"), schema.PERSON).items()}
        places = {k: self.kept(self.place, r) for k, r in self.unique(self.records("places"), schema.PLACE).items()}
        phase_records = self.unique(self.records("phases"), schema.PHASE)
        phases = {k: self.intern(Phase(k, r.values["title"], self.markdown(r, "summary"))) for k, r in phase_records.items() if "title" in r.values}
        timeline = self.records("timeline")
        event_records = self.unique(timeline, schema.EVENT)
        quoted = self.records("quotes")
        quote_records = self.unique(quoted, schema.QUOTE)
        update_records = self.records("updates")
        pages = self.pages()

        cited: dict[str, list[str]] = defaultdict(list)  # source id -> event ids

        quotes: list[Quote] = []
        known_events = dict.fromkeys(event_records)  # what a quote's event is checked against: the ids alone
        for r in quote_records.values():
            quote = self.kept(self.quote, r, people, sources, known_events)
            if quote is not None:
                quotes.append(quote)
                cited[quote.source.id].append(quote.event)
        quotes_by_event: dict[str, list[Quote]] = defaultdict(list)
        for quote in quotes:
            if quote.event:
                quotes_by_event[quote.event].append(quote)

        updates = sorted((self.update(r, event_records) for r in update_records if {"date", "kind", "text"} <= r.values.keys()), key=lambda u: u.date)
        corrections: dict[str, list[Update]] = defaultdict(list)
        for update in updates:
            if update.kind != "publication":
                for event_id in update.events:
                    corrections[event_id].append(update)

        events: list[Event] = []
        for key, r in event_records.items():
            made_from = (r, phases, people, places, sources, quotes_by_event[key], corrections[key])
            # Last build's event when made from the same arguments (see kept); not an event whose media file is read from disk.
            event = self.event(*made_from) if "media" in r.values else self.kept(self.event, *made_from)
            if event is None:
                continue
            for source in event.sources:
                cited[source.id].append(key)
            for claim in event.claims:
                for source in claim.sources:
                    cited[source.id].append(key)
            if event.draft and not self.drafts:
                continue
            events.append(event)
        self.check_aliases(event_records)

        # What is unused is decided from the references as written, so that an event or quote with
        # an error of its own does not make its sources, people and phase look unused too.
        used = self.references(timeline, quoted)
        unsure = bool({"timeline", "quotes"} & self.unreadable)
        for key in sources:
            if key not in used["sources"] and not unsure:
                self.warn(self._id_node("sources", key), f"source '{key}' is not cited by any event, claim or quote", "cite it or remove it")
        for key in people:
            if key not in used["people"] and not unsure:
                self.warn(self._id_node("people", key), f"person '{key}' is not referenced by any event, claim or quote", "reference it or remove it")
        for key in places:
            if key not in used["places"] and not unsure:
                self.warn(self._id_node("places", key), f"place '{key}' is not referenced by any event", "reference it or remove it")

        chapters = []
        for phase in phases.values():
            members = sorted((e for e in events if e.phase.id == phase.id), key=lambda e: e.date.sort_key())
            if not members:
                if phase.id not in used["phases"] and not unsure:
                    self.warn(self._id_node("phases", phase.id), f"phase '{phase.id}' has no events", "add events to it or remove it")
                continue
            ends = [e.end or e.date for e in members]
            chapters.append(self.intern(Chapter(phase, tuple(members), members[0].date, max(ends, key=lambda d: d.sort_key()))))
        story = tuple(e for c in chapters for e in c.events)

        publications = [u for u in updates if u.kind == "publication"]
        if not publications and update_records is not None:
            where = self.content.lists.get("updates") or []
            if where and where[0].root is not None:
                self.warn(where[0].root, "the updates log has no publication entry", "add one with kind: publication; its date is the published date")
        if site is None or any(not p.warning for p in self.problems):
            return None
        event_ids = {e.id for e in story}
        used_quotes = tuple(q for q in sorted(quotes, key=_quote_order) if not q.event or q.event in event_ids)
        position = {e.id: n for n, e in enumerate(story)}
        citing = {key: tuple(story[n] for n in sorted({position[i] for i in ids if i in position})) for key, ids in cited.items()}
        # An update names only events that are published in this build: not drafts left out.
        updates = [self.intern(replace(u, events=tuple(e for e in u.events if e in event_ids))) for u in updates]
        return Explainer(
            site=site,
            chapters=tuple(chapters),
            events=story,
            quotes=used_quotes,
            people=tuple(sorted(people.values(), key=lambda p: p.name.casefold())),
            places=tuple(sorted(places.values(), key=lambda p: p.name.casefold())),
            sources=tuple(sources.values()),
            updates=tuple(reversed(updates)),
            pages=tuple(sorted(pages, key=lambda p: (p.order, p.id))),
            published=publications[0].date if publications else None,
            modified=updates[-1].date if updates else None,
            media_files=self.media_files(story),
            citations=citing,
        )

    def _id_node(self, kind_name: str, key: str) -> Node:
        for doc in self.content.lists.get(kind_name, []):
            if doc.root is not None and isinstance(doc.root.value, list):
                for node in doc.root.value:
                    if isinstance(node.value, dict) and getattr(node.value.get("id"), "value", None) == key:
                        found: Node = node.value["id"]
                        return found
        return Node(None, kind_name, 0, 0)

    def site(self) -> Site | None:
        doc = self.content.site
        if doc is None:
            return None
        self.problems.extend(doc.problems)
        if doc.root is None:
            return None
        r = check_record(doc.root, schema.SITE, "site", self.problems)
        if r is None or not {"title", "dek", "description", "language", "base_url", "authors"} <= r.values.keys():
            return None
        base_url = r.values["base_url"]
        if not base_url.startswith(("http://", "https://")):
            self.error(r.nodes["base_url"], f"site: base_url '{base_url}' must be a full http(s) address", "like https://example.org/explainer/")
        return self.intern(
            Site(
                r.values["title"],
                r.values["dek"],
                r.values["description"],
                r.values["language"],
                base_url.rstrip("/") + "/",
                tuple(r.values["authors"]),
                r.get("publisher", ""),
                r.get("publish_remote", ""),
            )
        )

    def quote(self, r: Record, people: dict[str, Person], sources: dict[str, Source], events: dict[str, None]) -> Quote | None:
        speaker = self.resolve(r, "speaker", people, "people")
        said_in = self.resolve(r, "source", sources, "sources")
        self.resolve(r, "event", events, "timeline")
        if not (speaker and said_in and {"text", "setting"} <= r.values.keys()):
            return None
        original = r.values.get("original")
        return self.intern(Quote(
            r.values["id"], r.values["text"], speaker[0], r.values["setting"], said_in[0], r.get("role", ""), r.values.get("date"),
            r.get("event", ""),
            self.intern(Original(original.values["lang"], original.values["text"])) if original and len(original.values) == 2 else None,
            r.get("note", ""), r.get("lang", ""),
        ))  # fmt: skip

    def source(self, r: Record) -> Source:
        v = r.values
        return self.intern(Source(v.get("id", ""), v.get("publisher", ""), v.get("title", ""), v.get("url", ""), v.get("date"), v.get("via", "")))

    def person(self, r: Record) -> Person:
        v = r.values
        return self.intern(
            Person(v.get("id", ""), v.get("name", ""), v.get("role", ""), v.get("kind", "person"), v.get("native_name", ""), v.get("native_lang", ""))
        )

    def place(self, r: Record) -> Place:
        v = r.values
        for name, limit in (("lat", 90), ("lon", 180)):
            if name in v and not -limit <= v[name] <= limit:
                self.error(r.nodes[name], f"place '{v.get('id')}': {name} {v[name]} is out of range", f"use degrees between -{limit} and {limit}")
        return self.intern(Place(v.get("id", ""), v.get("name", ""), v.get("country", ""), v.get("lat"), v.get("lon")))

    def update(self, r: Record, events: dict[str, Record]) -> Update:
        self.resolve(r, "events", events, "timeline")
        return self.intern(Update(r.values["date"], r.values["kind"], r.values["text"], tuple(r.get("events", ()))))

    def references(self, events: list[Record], quotes: list[Record]) -> dict[str, set[str]]:
        """Every id that events and quotes refer to as written, by the file it belongs in; phases only of events that are built."""
        used: dict[str, set[str]] = {"sources": set(), "people": set(), "places": set(), "phases": set()}
        for records, read in ((events, event_references), (quotes, quote_references)):
            for record in records:
                for kind, ids in self.kept(read, record, self.drafts):
                    used[kind].update(ids)
        return used

    def kept(self, make: Callable[..., T], *args: Any) -> T:
        """make(*args), or what it made last build from the same arguments, with the problems it reported then reported again.

        make reads nothing but its arguments (and which kinds of file could not be read, which
        resolve() reads: part of every key). The key is made from the arguments alone: a table
        by a token that is last build's object while the table is equal (the interner hands it
        back), a list by the identity of its model objects (the same objects while unchanged), a
        record by its identity (the same object while its file was not read again), text and
        numbers by value. The entry holds the arguments and tokens, so no other object can take
        their ids while it lives.
        """
        if self.kept_memo is None:
            return make(*args)
        if len(self.unreadable) != len(self.unreadable_now):  # it only grows while files are read
            self.unreadable_now = frozenset(self.unreadable)
        held: list[Any] = [args]
        parts: list[Any] = [make.__qualname__, self.unreadable_now]
        for arg in args:
            kind = type(arg)
            if kind is dict:
                token = self.tokens.get(id(arg))
                if token is None:
                    token = self.tokens[id(arg)] = (arg, self.intern(tuple(arg.items())))
                held.append(token)
                parts.append(id(token[1]))
            elif kind is list or kind is tuple:
                parts.append(tuple(map(id, arg)))
            elif arg is None or kind is str or kind is int or kind is bool:
                parts.append(arg)
            else:
                parts.append(id(arg))
        start = len(self.problems)
        value, said, _ = self.kept_memo.get(tuple(parts), lambda: (make(*args), tuple(self.problems[start:]), tuple(held)))
        if len(self.problems) == start:
            self.problems.extend(said)
        return value  # type: ignore[no-any-return]

    def event(
        self,
        r: Record,
        phases: dict[str, Phase],
        people: dict[str, Person],
        places: dict[str, Place],
        sources: dict[str, Source],
        quotes: list[Quote],
        corrections: list[Update],
    ) -> Event | None:
        v = r.values
        label = _label(r)
        phase = self.resolve(r, "phase", phases, "phases")
        actors = self.resolve(r, "actors", people, "people")
        where = self.resolve(r, "places", places, "places")
        cites = self.resolve(r, "sources", sources, "sources")
        claims = []
        for claim in v.get("claims", []):
            by = self.resolve(claim, "by", people, "people")
            claim_sources = self.resolve(claim, "sources", sources, "sources")
            if by and claim_sources and {"text", "date", "status"} <= claim.values.keys():
                claims.append(
                    self.intern(
                        Claim(claim.values["text"], by[0], claim.values["date"], claim.values["status"], tuple(claim_sources), claim.values.get("figure"))
                    )
                )
        date, end, reported = v.get("date"), v.get("end"), v.get("reported")
        if date and end and _last_day(end) < date.sort_key():
            self.error(r.nodes["end"], f"{label}end '{end.iso()}' is before the date '{date.iso()}'", "swap them, or correct the end")
        if date and reported and _last_day(reported) < date.sort_key():
            self.error(
                r.nodes["reported"],
                f"{label}reported '{reported.iso()}' is before the date '{date.iso()}'",
                "reported is when it became public, on or after the date",
            )
        media_record = v.get("media")
        media = (
            Media(media_record.values["file"], media_record.values["alt"], media_record.get("caption", ""), media_record.get("credit", ""))
            if media_record and {"file", "alt"} <= media_record.values.keys()
            else None
        )
        summary = self.markdown(r, "summary")
        body = self.markdown(r, "body")
        if media_record is not None:
            size = self.check_media(media_record, label)
            if media is not None:
                media = self.intern(replace(media, width=size[0], height=size[1]))
        if not (phase and cites and date and "title" in v and "id" in v and summary):
            return None
        return self.intern(Event(
            id=v["id"], date=date, title=v["title"], summary=summary, phase=phase[0], sources=tuple(cites), end=end,
            time=v.get("time", ""), date_label=v.get("date_label", ""), reported=reported, body=body, actors=tuple(actors),
            places=tuple(where), tags=tuple(dict.fromkeys(v.get("tags", ()))), claims=tuple(claims),
            media=media,
            aliases=tuple(v.get("aliases", ())), draft=bool(v.get("draft", False)), quotes=tuple(sorted(quotes, key=_quote_order)),
            corrections=tuple(corrections),
        ))  # fmt: skip

    def check_media(self, media: Record, label: str) -> tuple[int, int]:
        """Check that a media file exists inside content/media/; return its pixel size if known."""
        name = media.values.get("file")
        if name is None:
            return 0, 0
        node = media.nodes["file"]
        # Compared with the content folder's own media/ (not where media/ resolves to), so that
        # neither the name nor a linked media folder can reach files outside content/.
        folder = self.content.root.resolve() / "media"
        try:
            path = (folder / name).resolve()
            usable = path.is_file()
        except (OSError, ValueError):  # a NUL byte, a name longer than the system allows
            self.error(node, f"{label}media file '{name}' is not a usable file name", "use a short name of letters, digits, hyphens and dots")
            return 0, 0
        if Path(name).is_absolute() or not path.is_relative_to(folder):
            self.error(node, f"{label}media file '{name}' lies outside content/media/", "put the file in content/media/ and give its name relative to it")
        elif not usable:
            self.error(node, f"{label}media file '{name}' does not exist in content/media/", "check the file name")
        elif path.suffix.lower() != ".svg":
            from PIL import Image, UnidentifiedImageError

            try:
                with Image.open(path) as image:
                    return image.size
            except (OSError, UnidentifiedImageError):
                self.error(node, f"{label}media file '{name}' is not an image that can be read", "use a JPEG, PNG, GIF or WebP file")
        return 0, 0

    def media_files(self, events: Iterable[Event]) -> tuple[tuple[str, Path], ...]:
        folder = self.content.root / "media"
        names = sorted({e.media.file for e in events if e.media})
        return tuple((name, folder / name) for name in names)

    def check_aliases(self, events: dict[str, Record]) -> None:
        owners: dict[str, str] = {}
        for key, r in events.items():
            for item in r.nodes["aliases"].value if "aliases" in r.nodes else []:
                alias = item.value
                if not isinstance(alias, str):  # already reported by the schema check
                    continue
                if alias in events or alias in owners:
                    self.error(item, f"event '{key}': alias '{alias}' is already used as an event id or alias", "an alias is an old id no other event has")
                owners[alias] = key

    def pages(self) -> list[Page]:
        pages = []
        for doc in self.content.pages:
            self.problems.extend(doc.problems)
            page_id = Path(doc.path).stem
            if doc.root is None:
                continue
            r = check_record(doc.root, schema.PAGE, f"page '{page_id}'", self.problems)
            if not schema.SLUG.fullmatch(page_id):
                self.problems.append(
                    Problem(doc.path, 1, 1, f"page file name '{page_id}' is not a slug", "rename the file with lower-case letters, digits and hyphens")
                )
                continue
            if page_id in RESERVED_PAGE_IDS:
                self.problems.append(
                    Problem(doc.path, 1, 1, f"page '{page_id}' would claim the address /{page_id}/, which the explainer uses", "rename the file")
                )
                continue
            rendered = self.markup.convert(doc.body)
            for url, why in rendered.bad_links:
                line, col = _find(doc.body, url, doc.body_line)
                self.problems.append(Problem(doc.path, line, col, f"link '{url}' {why}", "use an http(s) or mailto address, or a relative link"))
            if rendered.sanitised:
                self.problems.append(Problem(doc.path, doc.body_line, 1, "raw HTML was sanitised", "write Markdown instead of HTML", warning=True))
            if rendered.refused:
                self.problems.append(
                    Problem(
                        doc.path,
                        doc.body_line,
                        1,
                        f"Markdown not converted: {rendered.refused}",
                        "split the text into paragraphs, or remove the brackets or nesting",
                    )
                )
            if r is None or not {"title", "order"} <= r.values.keys():
                continue
            pages.append(self.intern(Page(page_id, r.values["title"], r.values["order"], rendered.html, r.get("lead", False), r.get("description", ""))))
        return pages


def markdown_texts(content: Content) -> list[str]:
    """Every Markdown text in the content, as written: a build converts them all (see Converter.prefill)."""
    texts = [doc.body for doc in content.pages]
    for kind_name, documents in content.lists.items():
        names = [f.name for f in schema.LIST_KINDS[kind_name].fields if f.type == "markdown"]
        for doc in documents if names else ():
            items = doc.root.value if doc.root is not None and isinstance(doc.root.value, list) else ()
            for item in items:
                if isinstance(item.value, dict):
                    texts += [node.value for name in names if (node := item.value.get(name)) is not None and isinstance(node.value, str)]
    return texts


def _last_day(date: PartialDate) -> tuple[int, int, int]:
    """The sort key of the last day a partial date may mean: '2024-06' may be June 30."""
    return (date.year, date.month or 12, date.day or 31)


def _find(body: str, text: str, first_line: int) -> tuple[int, int]:
    """Line and column of text in a page body that starts at first_line (its first line if not found)."""
    at = body.find(text)
    if at < 0:
        return first_line, 1
    return first_line + body.count("\n", 0, at), at - (body.rfind("\n", 0, at) + 1) + 1


def _quote_order(quote: Quote) -> tuple[int, int, int]:
    """Quotes by date; sorting is stable, so same-day quotes keep the writer's order."""
    return quote.date.sort_key() if quote.date else (0, 0, 0)


def build_explainer(
    content: Content,
    drafts: bool = False,
    markup: Converter | None = None,
    record_memo: RecordMemo | None = None,
    intern: Interner | None = None,
    kept: Kept | None = None,
) -> tuple[Explainer | None, list[Problem]]:
    """Check everything read from content/ and build the model; problems include warnings.

    serve passes what it keeps between builds (its BuildState rotates them): a Converter (its
    memo of converted Markdown), a RecordMemo (the checked records of files that were not read
    again), an Interner (last build's model objects, handed back where nothing changed) and the
    model objects made last time by the arguments they were made from (see _Builder.kept).
    """
    builder = _Builder(content, drafts, markup, record_memo, intern)
    builder.kept_memo = kept
    explainer = builder.build()
    return explainer, sorted(set(builder.problems))


#: Model objects by what they were made from (see _Builder.kept), with the problems they reported and what the key names.
Kept = Memo[tuple[Any, tuple[Problem, ...], tuple[Any, ...]]]
