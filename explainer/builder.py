"""The build, in order: read, check and model, render, write. Only this module knows the order."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2

from . import extras, output, record, render, schema
from .errors import ContentError, Problem
from .markup import Converter
from .model import Explainer, Interner, RecordMemo, build_explainer, markdown_texts
from .progress import Progress
from .sources import DocumentCache, read_content


@dataclass(frozen=True)
class Options:
    content: Path = Path("content")
    templates: Path = Path("templates")
    out: Path = Path("site")
    base_url: str = ""
    drafts: bool = False
    strict: bool = False
    #: Processes that render pages: 0 means one per core (at most 4); 1 renders in this process.
    workers: int = 0

    def worker_count(self) -> int:
        return self.workers if self.workers > 0 else min(4, os.cpu_count() or 1)


@dataclass
class Result:
    explainer: Explainer
    files: dict[str, bytes]
    warnings: list[Problem] = field(default_factory=list)
    stats: output.WriteStats | None = None
    seconds: float = 0.0
    pages: int = 0  # HTML pages made (files is empty when they went straight to the output folder)

    def counts(self) -> str:
        x = self.explainer
        return f"{len(x.events)} events, {len(x.quotes)} quotes, {self.pages} pages"

    def summary(self) -> str:
        written = f", {self.stats.written} written" if self.stats else ""
        return f"{self.counts()}{written} in {self.seconds:.2f} s"


class Session:
    """One build, or a series of builds in one process (serve), with what can be kept between them.

    Kept: the documents read (re-read only when a file's mtime or size changes), the Markdown
    converter and its memo, the model's objects (an unchanged event stays the same object), the
    Jinja environment (replaced when any template changes) and the rendered pages (a page is
    rendered again only when its inputs differ). A session for one build (keep=False) keeps no
    documents or records: they are freed once the model is built, which halves peak memory.
    """

    def __init__(self, options: Options, progress: Progress | None = None, keep: bool = True) -> None:
        self.options = options
        self.keep = keep
        self.progress = progress or Progress()
        self.documents: DocumentCache = {}
        self.markup = Converter()
        self.records: RecordMemo = {}
        self.intern = Interner()
        self.pages: render.PageCache = {}
        self.env: jinja2.Environment | None = None
        self.templates_stamp: tuple[tuple[str, int, int], ...] = ()

    def load(self) -> tuple[Explainer, list[Problem]]:
        """Read and check all content; raise ContentError listing every problem."""
        options = self.options
        self.progress.stage("reading")
        content = read_content(options.content, tuple(schema.LIST_KINDS), self.documents)
        self.progress.stage("converting Markdown")
        self.markup.prefill(markdown_texts(content), options.worker_count())
        self.progress.stage("checking")
        explainer, problems = build_explainer(
            content, drafts=options.drafts, markup=self.markup, record_memo=self.records if self.keep else None, intern=self.intern if self.keep else None
        )
        if not self.keep:
            self.documents.clear()
            self.markup.sweep()  # twice: the memo forgets every text (the converted ones live on in the model)
            self.markup.sweep()
        errors = [p for p in problems if not p.warning or options.strict]
        if errors or explainer is None:
            # Warnings wait until the errors are fixed: many follow from an error (an event with
            # an unknown phase leaves its phase "without events"), and would only be noise.
            raise ContentError(errors or problems)
        if options.base_url:
            explainer = replace(explainer, site=replace(explainer.site, base_url=options.base_url.rstrip("/") + "/"))
        return explainer, problems

    def environment(self) -> jinja2.Environment:
        """The Jinja environment, made again (and rendered pages forgotten) when a template changed."""
        folder = self.options.templates
        stamp = tuple((p.relative_to(folder).as_posix(), st.st_mtime_ns, st.st_size) for p in sorted(folder.rglob("*")) if p.is_file() for st in (p.stat(),))
        if self.env is None or stamp != self.templates_stamp:
            self.env = render.make_environment(folder)
            self.templates_stamp = stamp
            self.pages.clear()
        return self.env

    def render(self, explainer: Explainer, with_extras: bool = True, sink: Callable[[str, bytes], None] | None = None) -> dict[str, bytes]:
        """Render every output (the extras too, unless told not to); two outputs may not claim one path.

        They are returned in memory, or, with a sink, handed to it one by one as they are made
        (the sink then refuses a path given twice) and none is returned.
        """
        options = self.options
        if not options.templates.is_dir():
            raise ContentError([Problem(str(options.templates), 0, 0, "templates folder not found", "pass --templates DIR")])
        try:
            outputs = render.render_site(
                explainer,
                options.templates,
                self.environment(),
                self.pages if self.keep else None,  # a one-shot build keeps no pages: they may be written as they come
                options.worker_count(),
                extras.makers(explainer, keep=self.keep) if with_extras else None,  # feeds, sitemap, share image, data exports
                self.progress.stage,
                self.progress.advance,
                (lambda item: sink(item.path, item.data)) if sink else None,
            )
        except render.TemplateFailure as exc:
            raise ContentError([exc.problem]) from exc
        finally:
            if with_extras:
                extras.rotate()
        files: dict[str, bytes] = {}
        for item in outputs:
            if sink is not None:
                sink(item.path, item.data)
                continue
            if item.path in files:
                raise ContentError([Problem(item.path, 0, 0, "two outputs claim this path", "rename the page, event or asset that collides")])
            files[item.path] = item.data
        return files

    def build(self, write: bool = True, with_extras: bool = True, stream: bool = False) -> Result:
        """Build the site: everything is read and valid before anything is written to the site.

        With stream (one build from the command line), each output goes into the staging folder
        as soon as it is made, and the result holds no files: the site is never whole in memory.
        The staging folder becomes the site only once every output is made.
        """
        options = self.options
        started = time.perf_counter()
        sources = (options.content, options.templates)
        if write:
            output.recover(options.out)
            output.check_target(options.out, sources)
        explainer, problems = self.load()
        warnings = [p for p in problems if p.warning]
        if write and stream:
            with output.Staging(options.out, sources) as staging:
                self.render(explainer, sink=staging.add)
                self.progress.stage("writing")
            result = Result(explainer, {}, warnings, staging.stats, pages=sum(1 for name in staging.hashes if name.endswith(".html")))
        else:
            files = self.render(explainer, with_extras or write)
            result = Result(explainer, files, warnings, pages=sum(1 for name in files if name.endswith(".html")))
            if write:
                self.progress.stage("writing")
                result.stats = output.write_site(options.out, files, sources)
        self.progress.close()
        result.seconds = time.perf_counter() - started
        return result


def build(options: Options, write: bool = True, progress: Progress | None = None, stream: bool = False) -> Result:
    """Build the site once: everything is read and valid before anything is written (see Session.build for stream)."""
    session = Session(options, progress, keep=False)
    try:
        return session.build(write, stream=stream)
    finally:
        session.progress.close()


def build_if_changed(options: Options, force: bool = False, progress: Progress | None = None) -> tuple[str, list[Problem]]:
    """Build unless nothing changed since the last build; return the summary and warnings."""
    started = time.perf_counter()
    sources = (options.content, options.templates)
    output.recover(options.out)
    output.check_target(options.out, sources)
    settings = (options.drafts, options.strict, options.base_url)
    stamp = record.fingerprint(sources, settings)
    leftovers = any(p.exists() for p in output.staging_paths(options.out))  # write_site decides what to do with them
    last = None if force or leftovers else record.up_to_date(options.out, stamp)
    if last is not None:
        seconds = time.perf_counter() - started
        return f"{last['summary']}, nothing changed, in {seconds:.2f} s", record.warnings_of(last)
    result = build(options, progress=progress, stream=True)
    record.save(options.out, stamp, result.counts(), result.warnings)
    return result.summary(), result.warnings
