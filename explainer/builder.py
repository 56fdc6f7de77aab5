"""The build, in order: read, check and model, render, write. Only this module knows the order."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import output, render, schema
from .errors import ContentError, Problem
from .model import Explainer, build_explainer
from .sources import read_content


@dataclass(frozen=True)
class Options:
    content: Path = Path("content")
    templates: Path = Path("templates")
    out: Path = Path("site")
    base_url: str = ""
    drafts: bool = False
    strict: bool = False


@dataclass
class Result:
    explainer: Explainer
    files: dict[str, bytes]
    warnings: list[Problem] = field(default_factory=list)
    stats: output.WriteStats | None = None
    seconds: float = 0.0

    def summary(self) -> str:
        x = self.explainer
        pages = sum(1 for name in self.files if name.endswith(".html"))
        written = f", {self.stats.written} written" if self.stats else ""
        return f"{len(x.events)} events, {len(x.quotes)} quotes, {pages} pages{written} in {self.seconds:.2f} s"


def load(options: Options) -> tuple[Explainer, list[Problem]]:
    """Read and check all content; raise ContentError listing every problem."""
    content = read_content(options.content, tuple(schema.LIST_KINDS))
    explainer, problems = build_explainer(content, drafts=options.drafts)
    errors = [p for p in problems if not p.warning or options.strict]
    if errors or explainer is None:
        raise ContentError(errors or problems)
    if options.base_url:
        explainer = replace(explainer, site=replace(explainer.site, base_url=options.base_url.rstrip("/") + "/"))
    return explainer, problems


def render_files(explainer: Explainer, options: Options) -> dict[str, bytes]:
    """Render every output in memory; two outputs may not claim one path."""
    if not options.templates.is_dir():
        raise ContentError([Problem(str(options.templates), 0, 0, "templates folder not found", "pass --templates DIR")])
    try:
        outputs = render.render_site(explainer, options.templates)
    except render.TemplateFailure as exc:
        raise ContentError([exc.problem]) from exc
    files: dict[str, bytes] = {}
    for item in outputs:
        if item.path in files:
            raise ContentError([Problem(item.path, 0, 0, "two outputs claim this path", "rename the page, event or asset that collides")])
        files[item.path] = item.data
    return files


def build(options: Options, write: bool = True) -> Result:
    """Build the site: everything is read and valid before anything is written."""
    started = time.perf_counter()
    if write:
        output.recover(options.out)
        output.check_target(options.out, (options.content, options.templates))
    explainer, problems = load(options)
    files = render_files(explainer, options)
    result = Result(explainer, files, [p for p in problems if p.warning])
    if write:
        result.stats = output.write_site(options.out, files, (options.content, options.templates))
    result.seconds = time.perf_counter() - started
    return result
