"""Render the explainer through the Jinja templates into a mapping of output paths to bytes."""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
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
from .errors import Problem
from .memo import Memo
from .model import Event, Explainer, Quote
from .schema import STATUSES

_HASHED = (".css", ".js")


@dataclass(frozen=True)
class Output:
    """A page or file to write, by its path inside the output folder."""

    path: str
    data: bytes


class TemplateFailure(Exception):  # noqa: N818 - it carries a Problem, it is not one
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def make_environment(templates: Path) -> jinja2.Environment:
    """The Jinja environment: autoescaped, strict about undefined names, our filters."""
    env = jinja2.Environment(
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
    edit, only the items whose event changed are rendered again. The cache belongs to the
    Jinja environment, which is made anew whenever a template changes; entries not used by
    the latest render are dropped, so it does not grow across rebuilds.
    """

    def __init__(self, env: jinja2.Environment) -> None:
        self.env = env
        self.made: Memo[Markup] = Memo()

    def __call__(self, name: str, *args: Any) -> Markup:
        return self.made.get((name, *args), lambda: Markup(getattr(self.env.get_template("macros.html").module, name)(*args)))

    def rotate(self) -> None:
        self.made.rotate()


def event_when(event: Event) -> str:
    """The date line shown for an event: the writer's label, or the date at its precision."""
    when = event.date_label or dates.display_range(event.date, event.end)
    if event.time:
        when += f", {dates.display_time(event.time)}"
    return when


def asset_files(templates: Path) -> dict[str, Output]:
    """Theme assets by logical name, CSS and JavaScript with a content hash in the file name."""
    folder = templates / "assets"
    assets: dict[str, Output] = {}
    if not folder.is_dir():
        return assets
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        data = path.read_bytes()
        if path.suffix in _HASHED:
            digest = hashlib.sha256(data).hexdigest()[:10]
            target = f"assets/{name[: -len(path.suffix)]}.{digest}{path.suffix}"
        else:
            target = f"assets/{name}"
        assets[name] = Output(target, data)
    return assets


@dataclass(frozen=True)
class PageSpec:
    """One page to render: where it goes, with which template, and everything it may read."""

    path: str
    template: str
    title: str
    description: str
    context: tuple[tuple[str, Any], ...]


def page_specs(explainer: Explainer) -> list[PageSpec]:
    """Every page of the site with exactly the data its template receives.

    Pages other than the overview ones get only what they show (not the whole explainer), so
    that an unchanged context means an unchanged page: serve re-renders only what changed.
    """
    site = explainer.site
    nav = tuple(p for p in explainer.pages if not p.lead)
    specs: list[PageSpec] = []

    def add(template: str, path: str, title: str, description: str = "", **context: Any) -> None:
        context.setdefault("nav", nav)
        specs.append(PageSpec(path, template, title, description or site.description, tuple(sorted(context.items()))))

    add("index.html", "index.html", site.title, x=explainer, filters=filter_choices(explainer))
    events = explainer.events

    def event_page(event: Event, previous: Event | None, following: Event | None) -> PageSpec:
        context = {"event": event, "times": sharing.event_times(event, explainer), "previous": previous, "next": following, "nav": nav}
        return PageSpec(f"events/{event.id}/index.html", "event.html", f"{event.title} · {site.title}", _plain(event.summary), tuple(sorted(context.items())))

    for number, event in enumerate(events):
        previous = events[number - 1] if number else None
        following = events[number + 1] if number + 1 < len(events) else None
        # The same spec object as last build when nothing it holds changed: the page cache then compares by identity.
        key = (event, previous, following, explainer.updates, site, nav)
        specs.append(EVENT_SPECS.get(key, lambda: event_page(event, previous, following)))  # noqa: B023 - called at once
        for alias in event.aliases:
            add("redirect.html", f"events/{alias}/index.html", event.title, target=event)
    add("quotes.html", "quotes/index.html", f"Quotations · {site.title}", x=explainer)
    add("people.html", "people/index.html", f"People and organisations · {site.title}", x=explainer)
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
    EVENT_SPECS.rotate()
    return specs


#: Event pages' specs from the last build (see page_specs).
EVENT_SPECS: Memo[PageSpec] = Memo()


#: Rendered pages from an earlier build in this process: path -> (inputs, bytes).
PageCache = dict[str, tuple[tuple[Any, ...], bytes]]


#: Below this many pages to render, forking workers costs more than it saves.
PARALLEL_MIN_PAGES = 50


def render_site(
    explainer: Explainer,
    templates: Path,
    env: jinja2.Environment | None = None,
    cache: PageCache | None = None,
    workers: int = 1,
    extras: dict[str, Callable[[list[str]], bytes]] | None = None,
    stage: Callable[[str, int], None] | None = None,
    advance: Callable[[int], None] | None = None,
    sink: Callable[[Output], None] | None = None,
) -> list[Output]:
    """Render every page of the site; raise TemplateFailure naming the template and line.

    With a cache (kept by serve, emptied when a template changes), a page whose inputs are
    equal to last time is not rendered again: its bytes are reused. With workers > 1 and
    enough pages, the pages are shared out among forked processes (same bytes, in order),
    `extras` makes the outputs beside the pages (by path) from the list of every output path;
    with workers, each is made in one of them too, beside the pages. Their outputs come last.
    `stage` hears how many pages are to be rendered, and `advance` as they are done.
    With a `sink`, every output is handed to it as soon as it is made, and none is returned
    (nor kept): a build that writes as it goes never holds the whole site.
    """
    env = env or make_environment(templates)
    assets = asset_files(templates)
    asset_paths = tuple(sorted((name, out.path) for name, out in assets.items()))
    site = explainer.site
    base_path = urlsplit(site.base_url).path or "/"
    outputs: list[Output] = [*assets.values()]
    outputs += [Output(f"media/{name}", path.read_bytes()) for name, path in explainer.media_files]
    paths = [item.path for item in outputs]
    if sink is not None:
        for item in outputs:
            sink(item)
        outputs = []
    specs = page_specs(explainer)
    paths += [spec.path for spec in specs]
    pages: list[bytes | None] = [None] * len(specs)
    todo: list[int] = []
    for number, spec in enumerate(specs):
        hit = cache.get(spec.path) if cache is not None else None
        if hit is not None and hit[0] == (spec, site, asset_paths):
            pages[number] = hit[1]
        else:
            todo.append(number)

    failures: list[tuple[int, Problem]] = []

    def done(number: int, data: bytes | Problem) -> None:
        if isinstance(data, Problem):
            failures.append((number, data))
            return
        if cache is not None:
            cache[specs[number].path] = ((specs[number], site, asset_paths), data)
        if sink is not None:
            sink(Output(specs[number].path, data))
        else:
            pages[number] = data

    job = _Job(env, templates, specs, site, base_path, assets)
    step = advance or (lambda steps: None)
    if stage is not None:
        stage("rendering pages", len(todo))
    made: dict[str, bytes] = {}

    def extra_done(path: str, data: bytes) -> None:
        if sink is not None:
            sink(Output(path, data))  # at once: the feeds of a long story are tens of megabytes each
        else:
            made[path] = data

    if workers > 1 and len(todo) >= PARALLEL_MIN_PAGES and "fork" in multiprocessing.get_all_start_methods():
        _render_parallel(job, todo, workers, extras or {}, paths, step, done, extra_done)
        made = {path: made[path] for path in (extras or {}) if path in made}  # in the order given, whichever finished first
    else:
        for number in todo:
            done(number, job.render(number))
            step(1)
        for path, make in (extras or {}).items():
            extra_done(path, make(paths))
    if failures:  # the first page in order, whichever worker finished first
        raise TemplateFailure(min(failures, key=lambda failure: failure[0])[1])
    if sink is not None:
        for number, data in enumerate(pages):
            if data is not None:  # reused from the cache
                sink(Output(specs[number].path, data))
        for path, data in made.items():
            sink(Output(path, data))
    else:
        outputs += [Output(spec.path, data) for spec, data in zip(specs, pages, strict=True) if data is not None]
        outputs += [Output(path, data) for path, data in made.items()]
    fragments = env.globals.get("fragment")
    if isinstance(fragments, Fragments):
        fragments.rotate()
    return outputs


@dataclass(frozen=True)
class _Job:
    """What a (possibly forked) renderer needs to render any of the pages by number."""

    env: jinja2.Environment
    templates: Path
    specs: list[PageSpec]
    site: Any
    base_path: str
    assets: dict[str, Output]

    def render(self, number: int) -> bytes:
        return _render_page(self.env, self.templates, self.specs[number], self.site, self.base_path, self.assets)

    def render_many(self, numbers: list[int]) -> list[tuple[int, bytes | Problem]]:
        done: list[tuple[int, bytes | Problem]] = []
        for number in numbers:
            try:
                done.append((number, self.render(number)))
            except TemplateFailure as exc:
                done.append((number, exc.problem))
                break
        return done


#: Pages are handed to the workers in this many shares each, so that progress can be shown.
SHARES_PER_WORKER = 8


def _render_parallel(
    job: _Job,
    todo: list[int],
    workers: int,
    extras: dict[str, Callable[[list[str]], bytes]],
    paths: list[str],
    advance: Callable[[int], None],
    done: Callable[[int, bytes | Problem], None],
    extra_done: Callable[[str, bytes], None],
) -> None:
    """Render pages and make the extras in forked processes, which inherit the compiled templates and the model.

    Each share of pages is handed to `done`, and each extra output to `extra_done`, as it comes
    back, so the parent holds one at a time. The extras are tasks of their own, queued first
    (they are the longest).
    """
    global _FORKED
    _FORKED = (job, extras, paths)
    shares = min(len(todo), workers * SHARES_PER_WORKER)
    chunks = [todo[start::shares] for start in range(shares)]  # interleaved: every share holds pages of every kind
    tasks: list[str | list[int]] = [*extras, *chunks]
    gc.freeze()  # the forked workers' collector then leaves the inherited objects (and their memory pages) alone
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for result in pool.imap_unordered(_in_worker, tasks):
                if isinstance(result, tuple):
                    extra_done(*result)
                    continue
                for number, data in result:
                    done(number, data)
                advance(len(result))
    finally:
        gc.unfreeze()
        _FORKED = None


_FORKED: tuple[_Job, dict[str, Callable[[list[str]], bytes]], list[str]] | None = None


def _in_worker(task: str | list[int]) -> tuple[str, bytes] | list[tuple[int, bytes | Problem]]:
    """One task in a forked worker: an extra output by path, or a share of pages by number."""
    assert _FORKED is not None
    job, extras, paths = _FORKED
    if isinstance(task, str):
        return task, extras[task](paths)
    return job.render_many(task)


def _render_page(env: jinja2.Environment, templates: Path, spec: PageSpec, site: Any, base_path: str, assets: dict[str, Output]) -> bytes:
    path = spec.path
    depth = path.count("/")
    root = base_path if path == "404.html" else "../" * depth if depth else ""
    url_path = "" if path in ("index.html", "404.html") else path.removesuffix("index.html")

    def asset(name: str) -> str:
        return root + assets[name].path

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
        problem = template_problem(exc, templates)
        if problem is None:
            raise
        raise TemplateFailure(problem) from exc
    return html.encode("utf-8")


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
        return "the name is not available here; see docs/templates.md for what each template receives"
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
