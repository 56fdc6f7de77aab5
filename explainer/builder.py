"""The build, in order: read, check and model, plan, make, write. Only this module knows the order.

`build.py` calls it once; `serve` calls the same Session.build after every save. What is kept
between builds lives in the session's one BuildState (engine.py), which decides what is
current; nothing else keeps state from one build to the next.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import output, record, render, schema
from .checks import build_explainer, markdown_texts
from .engine import Artifact, BuildState, MemorySink, Sink, execute
from .errors import ContentError, Problem
from .extras import extra_artifacts
from .model import Explainer
from .progress import Progress
from .sources import read_content

#: The priority of the pages asked for first (see Session.build): before every other output.
FIRST = -1


@dataclass(frozen=True)
class Options:
    content: Path = Path("content")
    templates: Path = Path("templates")
    out: Path = Path("site")
    base_url: str = ""
    drafts: bool = False
    strict: bool = False
    #: Processes that make pages: 0 means one per core (at most 4); 1 makes them in this process.
    workers: int = 0

    def worker_count(self) -> int:
        return self.workers if self.workers > 0 else min(4, os.cpu_count() or 1)


@dataclass
class Result:
    explainer: Explainer
    files: dict[str, bytes]  # what was made, when the build was asked to keep it (see build)
    warnings: list[Problem] = field(default_factory=list)
    stats: output.WriteStats | None = None
    seconds: float = 0.0
    pages: int = 0  # HTML pages in the site
    made: list[str] = field(default_factory=list)  # the outputs made by this build (the others were current)

    def counts(self) -> str:
        x = self.explainer
        return f"{len(x.events)} events, {len(x.quotes)} quotes, {self.pages} pages"

    def summary(self) -> str:
        written = f", {self.stats.written} written" if self.stats else ""
        return f"{self.counts()}{written} in {self.seconds:.2f} s"


class Session:
    """One build, or a series of builds in one process (serve), sharing one BuildState.

    A session for one build (keep=False) keeps nothing: the documents and Markdown are let go
    of once the model is built, and no artifact is remembered, which halves peak memory.
    """

    def __init__(self, options: Options, progress: Progress | None = None, keep: bool = True) -> None:
        self.options = options
        self.keep = keep
        self.progress = progress or Progress()
        self.state = BuildState(options.templates, keep)
        self.made: list[str] = []  # what the last build made

    def load(self) -> tuple[Explainer, list[Problem]]:
        """Read and check all content; raise ContentError listing every problem."""
        options, state = self.options, self.state
        self.progress.stage("reading")
        content = read_content(options.content, tuple(schema.LIST_KINDS), state.documents)
        if options.worker_count() > 1:  # in one process, each text is converted as the model asks for it
            self.progress.stage("converting Markdown")
            state.markup.prefill(markdown_texts(content), options.worker_count())
        self.progress.stage("checking")
        explainer, problems = build_explainer(
            content,
            drafts=options.drafts,
            markup=state.markup,
            record_memo=state.records if self.keep else None,
            intern=state.intern if self.keep else None,
            kept=state.kept if self.keep else None,
        )
        if not self.keep:
            state.documents.clear()
            state.markup.sweep()  # twice: the memo forgets every text (the converted ones live on in the model)
            state.markup.sweep()
        errors = [p for p in problems if not p.warning or options.strict]
        if errors or explainer is None:
            # Warnings wait until the errors are fixed: many follow from an error (an event with
            # an unknown phase leaves its phase "without events"), and would only be noise.
            raise ContentError(errors or problems)
        if options.base_url:
            explainer = replace(explainer, site=replace(explainer.site, base_url=options.base_url.rstrip("/") + "/"))
        return explainer, problems

    def plan(self, explainer: Explainer) -> list[Artifact]:
        """Every output of the site as an artifact: theme assets, media, pages, then the extras."""
        if not self.options.templates.is_dir():
            raise ContentError([Problem(str(self.options.templates), 0, 0, "templates folder not found", "pass --templates DIR")])
        assets, asset_paths = render.asset_artifacts(self.state)
        # The files pages name come first: a page shown early must find its stylesheet and images.
        assets = [replace(a, priority=FIRST) for a in assets]
        media = [Artifact(f"media/{name}", render.copy_file, (str(path),), FIRST) for name, path in explainer.media_files]
        pages = render.page_artifacts(explainer, asset_paths, self.state.recall)
        made = [*assets, *media, *pages]
        return [*made, *extra_artifacts(explainer, [a.path for a in made])]

    def build(self, write: bool = True, keep_files: bool = False, on_pages: Callable[[int], None] | None = None, first: Collection[str] = ()) -> Result:
        """Build the site: everything is read and valid before anything is written to the site.

        A one-shot build streams each output into the staging folder as it is made, and the
        staging folder becomes the site only once every output is made. A session that keeps its
        state (serve) updates its own site in place, writing only what changed; `on_pages` hears
        when the pages are there (the feeds and data files follow). With write=False, or with
        keep_files, the outputs are also returned in memory.

        `first` names pages to make before the others (serve: those open in a browser); with a
        live folder, `on_pages(-1)` hears when they are written, `on_pages(0)` when all pages are.
        """
        options, state = self.options, self.state
        started = time.perf_counter()
        sources = (options.content, options.templates)
        if write:
            output.recover(options.out)
            output.check_target(options.out, sources)
        state.begin()
        try:
            explainer, problems = self.load()
            render.environment(state)  # before any worker forks: they inherit it
            plan = [replace(a, priority=FIRST) if a.path in first else a for a in self.plan(explainer)]
            memory = MemorySink() if keep_files or not write else None
            if not write:
                assert memory is not None
                state.forget()
                self._make(plan, memory, on_pages)
                stats = None
            elif self.keep and output.LiveFolder.usable(options.out):
                live = output.LiveFolder(options.out, sources, guarded=first)
                try:
                    self._make(plan, _tee(memory, live), on_pages)
                    stats = live.finish()
                except output.LinkInside:  # a fresh folder, swapped in: nothing is written through the link
                    state.abort()
                    stats = self._staged(plan, memory, sources, on_pages)
                except BaseException:
                    live.rollback()  # the pages written first: the last good site stays whole
                    raise
            else:
                stats = self._staged(plan, memory, sources, on_pages)
        except BaseException:
            state.abort()
            raise
        finally:
            self.progress.close()
        state.finish(a.path for a in plan)
        result = Result(explainer, memory.files if memory else {}, [p for p in problems if p.warning], stats)
        result.pages = sum(1 for a in plan if a.path.endswith(".html"))
        result.made = self.made
        result.seconds = time.perf_counter() - started
        return result

    def _staged(self, plan: list[Artifact], memory: MemorySink | None, sources: tuple[Path, Path], on_pages: Callable[[int], None] | None) -> output.WriteStats:
        self.state.forget()  # a staging folder starts empty: every output is made
        with output.Staging(self.options.out, sources) as staging:
            self._make(plan, _tee(memory, staging), None)
            self.progress.stage("writing")
        if on_pages is not None:
            on_pages(0)
        return staging.stats

    def _make(self, plan: list[Artifact], sink: Sink, on_pages: Callable[[int], None] | None) -> None:
        def priority_done(priority: int) -> None:
            if priority <= 0 and on_pages is not None:
                on_pages(priority)

        run = execute(plan, self.state, sink, self.options.worker_count(), priority_done, self.progress.advance, self.progress.stage)
        self.made = run.made


def _tee(memory: MemorySink | None, sink: Sink) -> Sink:
    if memory is None:
        return sink
    memory.then = sink
    memory.atomic = sink.atomic
    return memory


def build(options: Options, write: bool = True, progress: Progress | None = None, stream: bool = False) -> Result:
    """Build the site once: everything is read and valid before anything is written.

    With stream (one build from the command line) the outputs go into the staging folder as
    they are made and the result holds none of them; otherwise they are returned too.
    """
    return Session(options, progress, keep=False).build(write, keep_files=not stream)


def build_if_changed(options: Options, force: bool = False, progress: Progress | None = None) -> tuple[str, list[Problem]]:
    """Build unless nothing changed since the last build; return the summary and warnings."""
    started = time.perf_counter()
    sources = (options.content, options.templates)
    output.recover(options.out)
    output.check_target(options.out, sources)
    settings = (options.drafts, options.strict, options.base_url)
    stamp = record.fingerprint(sources, settings)
    leftovers = any(p.exists() for p in output.staging_paths(options.out))  # the staging writer decides what to do with them
    last = None if force or leftovers else record.up_to_date(options.out, stamp)
    if last is not None:
        seconds = time.perf_counter() - started
        return f"{last['summary']}, nothing changed, in {seconds:.2f} s", record.warnings_of(last)
    result = build(options, progress=progress, stream=True)
    record.save(options.out, stamp, result.counts(), result.warnings)
    return result.summary(), result.warnings
