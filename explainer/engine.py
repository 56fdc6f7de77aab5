"""The build engine: artifacts with their recorded inputs, the one build state, and the executor.

An artifact is one output file: its path, the pure function that makes it, and the arguments it
is made from (the model objects a page shows, the site settings). Whatever else the function
reads while it runs (templates, files) it reads through its Context, which records the read
and what it gave. The BuildState keeps, from one build to the next, what each artifact was made
from: an artifact whose arguments are equal and whose every recorded read still gives the same
is current and is not made again (Lektor's artifacts, Salsa's early cut-off). The executor
makes the others, serially or in forked workers, and streams them to a sink.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .checks import Kept
from .errors import ContentError, Problem
from .markup import Converter
from .memo import Memo
from .model import Interner
from .reader import RecordMemo
from .sources import DocumentCache
from .workers import can_fork, fork_map

#: A kept session's full garbage collections: one every this many builds (see BuildState._settle).
COLLECT_EVERY = 16

#: What each read gave: ("file", path) or ("template", name), with the file's digest (None when it does not exist).
Reads = tuple[tuple[tuple[str, str], str | None], ...]


@dataclass(frozen=True)
class Artifact:
    """One output file: where it goes, the pure function that makes it, and what it is made from."""

    path: str
    make: Callable[..., bytes]  # make(context, *args)
    args: tuple[Any, ...]
    priority: int = 0  # lower first: the pages a browser shows before the feeds and data files


@dataclass(frozen=True)
class Made:
    """What an artifact was last made from, and the digest of what it made."""

    make: Callable[..., bytes]
    args: tuple[Any, ...]
    reads: Reads
    digest: str


class Failure(Exception):  # noqa: N818 - it carries a Problem, it is not one
    """An artifact could not be made because of the user's input (a template error); it names where."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


class Sink(Protocol):
    """Where made artifacts go: the staging folder of a build, serve's live folder, or memory."""

    #: Whether nothing becomes visible before finish(): then artifacts stream in as they are made.
    atomic: bool

    def add(self, path: str, data: bytes, digest: str) -> None: ...

    def keep(self, path: str, digest: str) -> None: ...


def digest_of(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BuildState:
    """Everything kept from one build to the next, in one place; rotated once per build by finish().

    `keep` is False for a one-shot build: nothing is remembered, so memory follows one build.
    """

    def __init__(self, templates: Path, keep: bool = True) -> None:
        self.templates = templates
        self.keep = keep
        # The content: documents (read again only when a file changed), checked records by file,
        # the Markdown converter and its memo, last build's model objects (see model.Interner).
        self.documents: DocumentCache = {}
        self.records: RecordMemo = {}
        self.markup = Converter()
        self.intern = Interner()
        self.kept: Kept = Memo()  # model objects by what they were made from (checks._Builder.kept)
        # The outputs:
        self.made: dict[str, Made] = {}
        self.pending: dict[str, Made] = {}  # made by the build under way: kept only if it succeeds
        self.memo: Memo[Any] = Memo()  # results of pure functions, by the function and its arguments
        self.files: dict[tuple[str, Callable[[bytes], str]], tuple[tuple[int, ...], str | None]] = {}  # (path, hash) -> (stat, digest)
        self.fingerprints: dict[tuple[str, str], str | None] = {}  # this build's answer to each read
        self.env: Any = None  # the Jinja environment: see render.environment
        self.env_stamp: tuple[tuple[str, str | None], ...] = ()
        self.builds = 0

    def fingerprint(self, key: tuple[str, str]) -> str | None:
        """What a read gives in this build: ("file", path) or ("template", name) -> the file's digest."""
        if key not in self.fingerprints:
            kind, name = key
            self.fingerprints[key] = self.file_digest(str(self.templates / name) if kind == "template" else name)
        return self.fingerprints[key]

    def file_digest(self, path: str, digest: Callable[[bytes], str] = digest_of) -> str | None:
        """A file's digest, read again only when its size, times or inode changed."""
        try:
            info = os.stat(path)
        except (OSError, ValueError):
            return None
        stamp = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
        known = self.files.get((path, digest))
        if known is not None and known[0] == stamp:
            return known[1]
        try:
            with open(path, "rb") as file:
                value: str | None = digest(file.read())
        except OSError:
            value = None
        self.files[(path, digest)] = (stamp, value)
        return value

    def recall(self, make: Callable[..., Any], *args: Any) -> Any:
        """make(*args), kept from build to build: make must be a pure function of its arguments.

        A one-shot build keeps nothing: there is no next build, and each result would only weigh on memory.
        """
        return self.memo.call(make, *args) if self.keep else make(*args)

    def current(self, artifact: Artifact) -> Made | None:
        """What the artifact was last made from, if it would make the same bytes now."""
        made = self.made.get(artifact.path)
        if made is None or made.make is not artifact.make or not (made.args is artifact.args or made.args == artifact.args):
            return None
        for key, value in made.reads:
            if self.fingerprint(key) != value:
                return None
        return made

    def record(self, artifact: Artifact, reads: Reads, digest: str) -> None:
        if self.keep:
            self.pending[artifact.path] = Made(artifact.make, artifact.args, reads, digest)

    def forget(self) -> None:
        """Forget every artifact: the next build makes them all again."""
        self.made.clear()
        self.pending.clear()

    def begin(self) -> None:
        self.fingerprints = {}
        self.pending = {}

    def abort(self) -> None:
        """A build failed: what it made may not have reached the output, so it is not remembered."""
        for path in self.pending:
            self.made.pop(path, None)
        self.pending = {}
        self._rotate()

    def finish(self, paths: Iterable[str]) -> None:
        """End a build: what it did not ask for is forgotten, so the state never grows across builds."""
        self.made.update(self.pending)
        self.pending = {}
        kept = set(paths)
        for path in [p for p in self.made if p not in kept]:
            del self.made[path]
        self._rotate()
        if self.keep:
            self._settle()

    def _settle(self) -> None:
        """Take what a kept session holds out of the collector's way (it would walk it all, again and
        again, on every save), with a full collection every COLLECT_EVERY builds for the cycles left behind."""
        self.builds += 1
        if self.builds % COLLECT_EVERY == 0:
            gc.unfreeze()
            gc.collect()
        gc.freeze()

    def _rotate(self) -> None:
        """Every memo keeps what this build asked for, and forgets the rest: memory follows the explainer, not the saves."""
        for memo in (self.memo, self.intern, self.kept):
            memo.rotate()
        self.markup.sweep()
        fragments = getattr(self.env, "globals", {}).get("fragment")
        if fragments is not None:
            fragments.rotate()


class Context:
    """What an artifact's maker reads besides its arguments, recorded as it is read."""

    def __init__(self, state: BuildState) -> None:
        self.state = state
        self.reads: dict[tuple[str, str], str | None] = {}

    @property
    def env(self) -> Any:
        return self.state.env

    def read(self, kind: str, name: str) -> str | None:
        key = (kind, name)
        value = self.state.fingerprint(key)
        self.reads[key] = value
        return value

    def read_file(self, path: str) -> bytes:
        self.read("file", path)
        with open(path, "rb") as file:
            return file.read()

    @property
    def memo(self) -> Callable[..., Any]:
        """memo(make, *args): make(*args), kept from build to build; make must be a pure function of its arguments."""
        return self.state.recall


@dataclass
class Run:
    """What one execution of a plan did."""

    made: list[str] = field(default_factory=list)
    kept: int = 0


#: Below this many artifacts to make, forking workers costs more than it saves.
PARALLEL_MIN = 50
#: Artifacts are handed to the workers in this many shares each, so that progress can be shown.
SHARES_PER_WORKER = 8

_Result = tuple[int, bytes | Problem, Reads]


def check_paths(plan: list[Artifact]) -> None:
    """Two artifacts may not claim one path: refused here, before anything is made."""
    seen: set[str] = set()
    clashes: list[str] = []
    for artifact in plan:
        if artifact.path in seen:
            clashes.append(artifact.path)
        seen.add(artifact.path)
    if clashes:
        hint = "rename the page, event or asset that collides"
        raise ContentError([Problem(path, 0, 0, "two outputs claim this path", hint) for path in sorted(set(clashes))])


def execute(
    plan: list[Artifact],
    state: BuildState,
    sink: Sink,
    workers: int = 1,
    on_priority_done: Callable[[int], None] | None = None,
    progress: Callable[[int], None] | None = None,
    stage: Callable[[str, int], None] | None = None,
) -> Run:
    """Make every artifact that is not current and hand each to the sink, lowest priority first.

    A sink that is not atomic (serve's live folder) gets a priority's artifacts only once all of
    them were made without failure, so a template error leaves the last good pages in place.
    `on_priority_done` hears when every artifact of a priority is in the sink.
    """
    check_paths(plan)
    order = sorted(range(len(plan)), key=lambda n: plan[n].priority)
    run = Run()
    todo: list[int] = []
    for number in order:
        made = state.current(plan[number])
        if made is None:
            todo.append(number)
        else:
            sink.keep(plan[number].path, made.digest)
            run.kept += 1
    if stage is not None:
        stage("rendering pages", len(todo))
    priorities = sorted({a.priority for a in plan})
    # A staging folder shows nothing before the swap: everything is made in one pass (the long
    # extras beside the pages). The live folder gets each priority whole, lowest first.
    groups = [(priorities, todo)] if sink.atomic else [([p], [n for n in todo if plan[n].priority == p]) for p in priorities]
    for done, batch in groups:
        held: list[tuple[int, bytes, Reads]] = []
        failures: list[tuple[int, Problem]] = []
        for number, data, reads in _make_all(plan, batch, state, workers, progress):
            if isinstance(data, Problem):
                failures.append((number, data))
            elif sink.atomic and not failures:
                _hand_over(plan[number], data, reads, state, sink, run)
            else:
                held.append((number, data, reads))
        if failures:  # the first in the plan's order, whichever worker finished first
            raise ContentError([min(failures, key=lambda f: order.index(f[0]))[1]])
        for number, data, reads in sorted(held, key=lambda item: item[0]):
            _hand_over(plan[number], data, reads, state, sink, run)
        for priority in done:
            if on_priority_done is not None:
                on_priority_done(priority)
    return run


def _hand_over(artifact: Artifact, data: bytes, reads: Reads, state: BuildState, sink: Sink, run: Run) -> None:
    digest = digest_of(data)
    state.record(artifact, reads, digest)
    sink.add(artifact.path, data, digest)
    run.made.append(artifact.path)


def make_one(artifact: Artifact, state: BuildState) -> tuple[bytes | Problem, Reads]:
    context = Context(state)
    try:
        data = artifact.make(context, *artifact.args)
    except Failure as failure:
        return failure.problem, ()
    return data, tuple(context.reads.items())


def _make_all(plan: list[Artifact], todo: list[int], state: BuildState, workers: int, progress: Callable[[int], None] | None) -> Iterable[_Result]:
    step = progress or (lambda count: None)
    if workers > 1 and len(todo) >= PARALLEL_MIN and can_fork():
        # What comes after the pages (priority above 0: the feeds, the data files, the longest to make)
        # are tasks of their own, queued first; the pages and the files they name are shared out
        # interleaved, so that every share holds pages of every kind.
        pages = [n for n in todo if plan[n].priority <= 0]
        shares = max(1, min(len(pages), workers * SHARES_PER_WORKER))
        chunks = [[n] for n in todo if plan[n].priority > 0] + [pages[start::shares] for start in range(shares)]
        chunks = [chunk for chunk in chunks if chunk]

        def work(numbers: list[int]) -> list[_Result]:
            done: list[_Result] = []
            for number in numbers:
                data, reads = make_one(plan[number], state)
                done.append((number, data, reads))
            return done

        for results in fork_map(work, chunks, workers):
            yield from results
            step(len(results))
        return
    for number in todo:
        data, reads = make_one(plan[number], state)
        yield number, data, reads
        step(1)


class MemorySink:
    """Artifacts kept in memory by path (a build that writes nothing, or that also reports on what it wrote)."""

    atomic = True

    def __init__(self, then: Sink | None = None) -> None:
        self.files: dict[str, bytes] = {}
        self.kept: list[str] = []
        self.then = then

    def add(self, path: str, data: bytes, digest: str) -> None:
        self.files[path] = data
        if self.then is not None:
            self.then.add(path, data, digest)

    def keep(self, path: str, digest: str) -> None:
        """A current artifact: its bytes are not at hand (a build that wants them all starts from an empty state)."""
        self.kept.append(path)
        if self.then is not None:
            self.then.keep(path, digest)
