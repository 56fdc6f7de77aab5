"""Render the explainer through the Jinja templates into a mapping of output paths to bytes."""

from __future__ import annotations

import posixpath
import re
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from . import dates, sharing
from .engine import Artifact, BuildState, Context, Failure, Reads, sha256_of
from .errors import Problem
from .memo import Memo
from .model import Event, Explainer, Page, Quote
from .schema import STATUSES
from .timestamps import Log, UpdatesLog

_HASHED = (".css", ".js")


class Environment(jinja2.Environment):
    """Jinja's environment, recording every template an artifact loads (extends, include, import
    and get_template all come through _load_template) in the artifact's Context."""

    context: Context | None = None

    def _load_template(self, name: str, globals: Any) -> jinja2.Template:
        if self.context is not None:
            self.context.read("template", name)
        return super()._load_template(name, globals)


def environment(state: BuildState) -> Environment:
    """The build state's Jinja environment, made anew (its compiled templates and fragments
    forgotten) when any template's bytes changed."""
    folder = state.templates
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.relative_to(folder).parts[0] != "assets")
    stamp = tuple((name, state.file_digest(str(folder / name))) for name in names)
    if state.env is None or stamp != state.env_stamp:
        state.env = make_environment(folder)
        state.env_stamp = stamp
    env: Environment = state.env
    return env


def make_environment(templates: Path) -> Environment:
    """The Jinja environment: autoescaped, strict about undefined names, our filters."""
    env = Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["when"] = event_when
    env.filters["day"] = lambda d: d.display() if d else ""
    env.filters["datetime"] = dates.display_datetime
    env.filters["iso"] = lambda d: d.isoformat()
    env.filters["figure"] = lambda n: f"{n:,.0f}" if float(n).is_integer() else f"{n:,}"
    env.globals["statuses"] = STATUSES
    env.globals["fragment"] = Fragments(env)
    env.filters["rebase"] = rebase
    return env


# Not rebased: absolute addresses, fragments, absolute paths, and links that start with "."
# (the writer asked explicitly for "relative to the page that shows it").
_RELATIVE_LINK = re.compile(r'(<(?:a|img)\b[^>]*?\s(?:href|src)=")(?![a-zA-Z][a-zA-Z0-9+.-]*:|#|/|\.)')


def rebase(html: str, root: str) -> Markup:
    """Content HTML (from Markdown) on a page at any depth: its relative links start at the site root."""
    return Markup(_RELATIVE_LINK.sub(lambda m: m.group(1) + root, html) if root and "=" in html else html)


class Fragments:
    """Call a macro of macros.html, reusing its output when called with equal arguments.

    The explainer page shows every event through one macro; when serve rebuilds after an
    edit, only the items whose event changed are rendered again. The memo belongs to the
    Jinja environment, which is made anew whenever a template changes; the build state rotates
    it at the end of each build, so it does not grow across rebuilds.
    """

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.made: Memo[tuple[Markup, Reads]] = Memo()

    def __call__(self, name: str, *args: Any) -> Markup:
        html, reads = self.made.call(self._make, name, *args)
        if self.env.context is not None:  # what making it read, even when it is reused: the page records it
            self.env.context.reads.update(reads)
        return html

    def _make(self, name: str, *args: Any) -> tuple[Markup, Reads]:
        page = self.env.context
        own = self.env.context = Context(page.state) if page is not None else None
        try:
            html = Markup(getattr(self.env.get_template("macros.html").module, name)(*args))
        finally:
            self.env.context = page
        return html, tuple(own.reads.items()) if own is not None else ()

    def rotate(self) -> None:
        self.made.rotate()


def event_when(event: Event) -> str:
    """The date line shown for an event: the writer's label, or the date at its precision."""
    when = event.date_label or dates.display_range(event.date, event.end)
    if event.time:
        when += f", {dates.display_time(event.time)}"
    return when


def asset_artifacts(state: BuildState) -> tuple[list[Artifact], tuple[tuple[str, str], ...]]:
    """The theme's assets as artifacts, and their output paths by name: CSS and JavaScript carry a content hash."""
    folder = state.templates / "assets"
    artifacts: list[Artifact] = []
    paths: list[tuple[str, str]] = []
    if not folder.is_dir():
        return artifacts, ()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if path.suffix in _HASHED:
            digest = (state.file_digest(str(path), sha256_of) or "")[:10]  # read again only when the file changed
            target = f"assets/{name[: -len(path.suffix)]}.{digest}{path.suffix}"
        else:
            target = f"assets/{name}"
        artifacts.append(Artifact(target, copy_file, (str(path),)))
        paths.append((name, target))
    return artifacts, tuple(paths)


def copy_file(context: Context, path: str) -> bytes:
    """A file copied as it is (a theme asset, a media file)."""
    return context.read_file(path)


@dataclass(frozen=True)
class PageSpec:
    """One page to render: where it goes, with which template, and everything it may read."""

    path: str
    template: str
    title: str
    description: str
    context: tuple[tuple[str, Any], ...]


def page_artifacts(explainer: Explainer, assets: tuple[tuple[str, str], ...], memo: Callable[..., Any]) -> list[Artifact]:
    """Every page of the site, each made from exactly the data its template receives.

    A page gets only what it shows (not the whole explainer, but for the overview pages), so
    that equal arguments mean an unchanged page: serve re-renders only what changed.
    """
    site = explainer.site
    base_path = urlsplit(site.base_url).path or "/"
    return [Artifact(spec.path, render_page, (spec, site, base_path, assets)) for spec in page_specs(explainer, memo)]


def page_specs(explainer: Explainer, memo: Callable[..., Any]) -> list[PageSpec]:
    """Every page of the site with exactly the data its template receives."""
    site = explainer.site
    nav = tuple(p for p in explainer.pages if not p.lead)
    specs: list[PageSpec] = []

    def add(template: str, path: str, title: str, description: str = "", **context: Any) -> None:
        context.setdefault("nav", nav)
        specs.append(PageSpec(path, template, title, description or site.description, tuple(sorted(context.items()))))

    add("index.html", "index.html", site.title, x=explainer, filters=filter_choices(explainer))
    events = explainer.events
    log = UpdatesLog(explainer.updates, explainer.published)
    for number, event in enumerate(events):
        previous = events[number - 1] if number else None
        following = events[number + 1] if number + 1 < len(events) else None
        # Kept from build to build: an unchanged event's page then has the very same spec, found current at once.
        specs.append(memo(event_spec, event, previous, following, log, site.title, nav))
        for alias in event.aliases:
            add("redirect.html", f"events/{alias}/index.html", event.title, target=event)
    add("quotes.html", "quotes/index.html", f"Quotations · {site.title}", x=explainer)
    add("people.html", "people/index.html", f"People and organisations · {site.title}", people=explainer.people)
    quotes_by, events_by = person_links(explainer)
    for person in explainer.people:
        add(
            "person.html",
            f"people/{person.id}/index.html",
            f"{person.name} · {site.title}",
            f"{person.name}, {person.role}: quotations and events.",
            person=person,
            quotes=tuple(quotes_by.get(person.id, ())),
            events=tuple(events_by.get(person.id, ())),
        )
    add("sources.html", "sources/index.html", f"Sources · {site.title}", x=explainer)
    add("updates.html", "updates/index.html", f"Updates and corrections · {site.title}", x=explainer)
    for doc in explainer.pages:
        add("page.html", f"{doc.id}/index.html", f"{doc.title} · {site.title}", doc.description, doc=doc)
    add("404.html", "404.html", f"Page not found · {site.title}")
    add("embed.html", "embed/index.html", f"Timeline · {site.title}", x=explainer)
    return specs


def event_spec(event: Event, previous: Event | None, following: Event | None, log: Log, site_title: str, nav: tuple[Page, ...]) -> PageSpec:
    """An event's page: the event, its neighbours (for the previous/next links) and its times."""
    context = {"event": event, "times": sharing.event_times(event, log), "previous": previous, "next": following, "nav": nav}
    return PageSpec(f"events/{event.id}/index.html", "event.html", f"{event.title} · {site_title}", _plain(event.summary), tuple(sorted(context.items())))


def render_page(context: Context, spec: PageSpec, site: Any, base_path: str, assets: tuple[tuple[str, str], ...]) -> bytes:
    """One page through its template; a template error becomes a Failure naming the template and line."""
    path = spec.path
    depth = path.count("/")
    root = base_path if path == "404.html" else "../" * depth if depth else ""
    url_path = "" if path in ("index.html", "404.html") else path.removesuffix("index.html")
    paths = dict(assets)

    def asset(name: str) -> str:
        return root + paths[name]

    env = environment_of(context)
    env.context = context
    try:
        html = env.get_template(spec.template).render(
            site=site,
            root=root,
            asset=asset,
            page_title=spec.title,
            description=spec.description,
            canonical=site.base_url + url_path,
            path=path,
            meta=sharing.page_meta(path, dict(spec.context), site, spec.title),
            **dict(spec.context),
        )
    except Exception as exc:  # a template can raise anything; only ours are located
        problem = template_problem(exc, context.state.templates)
        if problem is None:
            raise
        raise Failure(problem) from exc
    finally:
        env.context = None
    return html.encode("utf-8")


def environment_of(context: Context) -> Environment:
    env: Environment = context.env
    return env


def person_links(explainer: Explainer) -> tuple[dict[str, list[Quote]], dict[str, list[Event]]]:
    """What each person page lists: their quotations, and the events they act or claim in."""
    quotes: dict[str, list[Quote]] = {}
    for quote in explainer.quotes:
        quotes.setdefault(quote.speaker.id, []).append(quote)
    events: dict[str, list[Event]] = {}
    for event in explainer.events:
        for person_id in dict.fromkeys([p.id for p in event.actors] + [c.by.id for c in event.claims]):
            events.setdefault(person_id, []).append(event)
    return quotes, events


def _plain(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split()).replace("&amp;", "&").replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")


def template_problem(exc: BaseException, templates: Path) -> Problem | None:
    """Locate a template error at its template file and line, as Jinja's rewritten traceback does."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        name = exc.filename or exc.name or "?"
        return Problem(_template_name(name, templates), exc.lineno or 0, 1, f"template syntax error: {exc.message}", "check the tag on this line")
    folder = str(templates.resolve())
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.startswith(folder) or Path(frame.filename).resolve().is_relative_to(folder):
            message = exc.message if isinstance(exc, jinja2.TemplateError) and exc.message else str(exc)
            if isinstance(exc, jinja2.TemplateNotFound):
                message = f"template '{exc.name}' not found"
            return Problem(_template_name(frame.filename, templates), frame.lineno or 0, 1, f"template error: {message}", _template_hint(exc))
    if isinstance(exc, jinja2.TemplateError):
        return Problem(str(templates), 0, 0, f"template error: {exc}", _template_hint(exc))
    return None


def _template_hint(exc: BaseException) -> str:
    if isinstance(exc, jinja2.UndefinedError):
        return "the name is not available in this template: check its spelling, and that this page kind receives it"
    if isinstance(exc, jinja2.TemplateNotFound):
        return "create it in the templates folder or fix the name"
    return "check the expression on this line"


def _template_name(filename: str, templates: Path) -> str:
    path = Path(filename)
    if not path.is_absolute() and not path.exists():
        path = templates / filename  # a template name rather than the loader's file path
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return posixpath.join(templates.name, path.name)


#: A filter's choices: (value as in the events' data- attributes, label, number of events).
Choices = tuple[tuple[str, str, int], ...]


def filter_choices(explainer: Explainer) -> dict[str, Choices]:
    """The choices of the explainer page's timeline filters (actor, phase, tag, claim status), with event counts."""
    events = explainer.events
    actors = Counter(a for e in events for a in e.actors)
    tags = Counter(t for e in events for t in e.tags)
    statuses = Counter(s for e in events for s in {c.status for c in e.claims})
    return {
        "actor": tuple((p.id, p.name, n) for p, n in sorted(actors.items(), key=lambda item: item[0].name.casefold())),
        "phase": tuple((c.phase.id, c.phase.title, len(c.events)) for c in explainer.chapters),
        "tag": tuple((t, t.upper() if len(t) <= 3 else t.replace("-", " ").capitalize(), n) for t, n in sorted(tags.items())),
        "status": tuple((s, s.capitalize(), statuses[s]) for s in STATUSES if statuses[s]),
    }
