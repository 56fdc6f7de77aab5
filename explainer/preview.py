"""The live preview: build, serve on loopback, rebuild and reload the browser on every save.

livereload provides the HTTP server, the script injection and the browser connection. We
design around its traps (see docs/maintainers.md):

- its polling watcher (0.8 s) is replaced by an event-driven one built on watchfiles, whose
  batches coalesce a burst of changes (a git checkout, an editor's two-step save) into one build;
- its 3 s "ignore changes after a reload" window is bypassed: we call reload_waiters ourselves
  once a build has finished, so a second save right after a reload still reloads;
- only content/ and templates/ are watched, never the output folder, and editor temp files
  are ignored; a WSGI app (and its debug=True restarts) is not used: our static file handler
  serves the output folder, or the error page while the last build failed;
- livereload's only answer to a change is a full page reload: we add a plugin (preview.js) to the
  pages we serve that fetches the rebuilt page and changes in place only what differs, and falls
  back to the full reload whenever that is the only correct thing to do.
"""

from __future__ import annotations

import errno
import importlib.resources
import ipaddress
import os
import signal
import sys
import threading
import time
import webbrowser
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import watchfiles
from livereload import Server
from livereload.handlers import LiveReloadHandler, StaticFileHandler
from livereload.watcher import Watcher
from tornado import ioloop
from tornado.web import HTTPError

from .builder import Options, Session
from .errors import ContentError, ExplainerError, OutputError, Problem
from .problem_report import error_page, format_problems
from .sources import is_editor_temp

#: How long the watcher waits for more changes before it hands over a batch (ms).
QUIET_MS = 15
#: The longest a steady stream of changes is held back before a build (ms).
MAX_BATCH_MS = 1000
#: What the browsers are sent after a build: "*" lets the plugin show the change in place, anything
#: else makes livereload reload the page (a media file or an asset that keeps its name changed).
SWAP, FULL_RELOAD = "*", "page"
#: After a reload, how long a build waits for the browsers to fetch the page before it makes the feeds and data files (s).
SERVE_FIRST = 0.15
#: What the browsers are told after a failed build (see Preview.rebuild).
FAILED = 1
#: How many of the pages browsers asked for lately are made before the others after a save.
OPEN_PAGES = 16
#: Theme assets that the pages name with a content hash (see render.asset_files): a change shows in the HTML.
HASHED_ASSETS = (".css", ".js")


class State:
    """What the server shows: the site on disk, or the problems of the last build."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.builds = 0
        self.page_served = threading.Event()  # set whenever a page has been sent (see Preview.rebuild)
        self.lock = threading.Lock()
        self.plugin = plugin_tag()  # read once: served in every page
        self.open_pages: dict[str, None] = {}  # output paths of the pages browsers asked for lately, oldest first

    def opened(self, path: str) -> None:
        """A browser has this page open: the next builds make it first (as Hugo's fast render mode does)."""
        with self.lock:
            self.open_pages.pop(path, None)
            self.open_pages[path] = None
            while len(self.open_pages) > OPEN_PAGES:
                del self.open_pages[next(iter(self.open_pages))]


def source_filter(change: watchfiles.Change, path: str) -> bool:
    """Watch real source files only: no editor swap, backup or lock files."""
    name = Path(path).name
    return not is_editor_temp(name) and watchfiles.DefaultFilter()(change, path)


class SourceWatcher(Watcher):  # type: ignore[misc]
    """An event-driven watcher for livereload: watchfiles in a thread instead of polling."""

    def __init__(self, paths: Iterable[Path], on_change: Callable[[set[str]], None]) -> None:
        super().__init__()
        self.paths = [str(p) for p in paths]
        self.on_change = on_change
        self.stop_event = threading.Event()
        self.thread: threading.Thread | None = None
        self.ready = threading.Event()

    def start(self, callback: Callable[[], None]) -> bool:
        """Start watching; True tells livereload not to poll."""
        del callback  # we reload the browsers ourselves once a build has finished
        self.thread = threading.Thread(target=self._run, name="explainer-watcher", daemon=True)
        self.thread.start()
        self.ready.wait(5)
        return True

    def _run(self) -> None:
        self.ready.set()
        for changes in watchfiles.watch(
            *self.paths,
            watch_filter=source_filter,
            step=QUIET_MS,
            debounce=MAX_BATCH_MS,
            stop_event=self.stop_event,
            rust_timeout=200,
            yield_on_timeout=False,
            raise_interrupt=False,
        ):
            self.on_change({path for _change, path in changes})

    def stop(self) -> None:
        self.stop_event.set()
        if self.thread is not None:
            self.thread.join(timeout=2)

    def examine(self) -> tuple[None, None]:
        return None, None


class PreviewHandler(StaticFileHandler):  # type: ignore[misc]
    """Serve the output folder, or the error page for every page while the last build failed.

    Tornado keeps every request inside the folder (it refuses '..', absolute paths and
    symbolic links that lead out). We also refuse paths that no output can have (a NUL byte,
    a backslash), and, while bound to loopback, requests whose Host is not a loopback name: a
    web page that rebinds its own domain name to 127.0.0.1 (DNS rebinding) cannot read the preview.
    """

    state: State
    hosts: frozenset[str] | None
    snapshot: bytes | None = None

    def initialize(self, path: str, default_filename: str | None = None, state: State | None = None, hosts: frozenset[str] | None = None) -> None:
        super().initialize(path, default_filename)
        assert state is not None
        self.state = state
        self.hosts = hosts

    def prepare(self) -> None:
        if self.hosts is not None and host_name(self.request.host) not in self.hosts:
            raise HTTPError(403, "unknown host")
        if "\0" in self.request.path or "\\" in self.request.path or "%00" in self.request.path or "%5c" in self.request.path.lower():
            raise HTTPError(400, "no file has this name")

    def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
        """Also read the file now, through one open file: the size sent and the bytes sent are then of the same version.

        A rebuild replaces files while they are being served (a new file, then a rename), and
        Tornado would take the size from one version and the bytes from the next.
        """
        path: str | None = super().validate_absolute_path(root, absolute_path)
        self.snapshot = None
        if path is not None:
            try:
                with open(path, "rb") as file:
                    info = os.fstat(file.fileno())
                    if info.st_size <= SNAPSHOT_BYTES:
                        self.snapshot = file.read()
                        self._stat_result = info  # Tornado's size and modification time come from here
            except OSError as exc:
                raise HTTPError(404) from exc
            if self.snapshot is not None and path.endswith((".html", ".htm")):
                self.snapshot = with_plugin(self.snapshot, self.state.plugin)  # served only: the file on disk is what a build writes
        return path

    def get_content_size(self) -> int:
        return len(self.snapshot) if self.snapshot is not None else int(super().get_content_size())

    def get_content(self, abspath: str, start: int | None = None, end: int | None = None) -> Any:
        # Tornado's classmethod, made per request: the bytes read when the request started.
        if self.snapshot is not None:
            return self.snapshot[start:end]
        return super().get_content(abspath, start, end)

    def compute_etag(self) -> str | None:
        return None  # nothing is cached (Cache-Control: no-store), and livereload's etag reads every file once more

    def set_extra_headers(self, path: str) -> None:
        self.set_header("Cache-Control", "no-store")

    async def get(self, path: str, include_body: bool = True) -> None:
        problems = self.state.problems
        if problems and _is_page(path):
            self.set_status(500)
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.finish(error_page(problems))
            return
        await super().get(path, include_body)

    def on_finish(self) -> None:
        if _is_page(self.request.path):
            self.state.page_served.set()
            if self.get_status() == 200 and not self.state.problems:
                path = self.request.path.lstrip("/")
                self.state.opened(path + "index.html" if not path or path.endswith("/") else path)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        page = Path(self.root) / "404.html"
        if status_code == 404 and page.is_file():
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.finish(page.read_bytes())
            return
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code} {self._reason}\n")


#: Files up to this size are served from one read (see PreviewHandler.validate_absolute_path); larger ones are streamed.
SNAPSHOT_BYTES = 8 * 1024 * 1024

#: The names a browser on this machine uses for a loopback address.
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def host_name(host: str) -> str:
    """The name in a Host header, without its port and brackets: 'localhost:8000' -> 'localhost', '[::1]:8000' -> '::1'."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def plugin_tag() -> bytes:
    """The in-place reload plugin (preview.js) as an inline script; see docs/maintainers.md."""
    code = importlib.resources.files(__package__).joinpath("preview.js").read_bytes()
    assert b"</script" not in code.lower()
    return b'<script id="explainer-preview">' + code + b"</script>"


def with_plugin(page: bytes, tag: bytes) -> bytes:
    """A page with the plugin before its `</head>`, where livereload then puts its own script."""
    at = page.find(b"</head>")
    return page if at < 0 else page[:at] + tag + page[at:]


def _is_page(path: str) -> bool:
    last = path.rsplit("/", 1)[-1]
    return last == "" or last.endswith((".html", ".htm")) or "." not in last


class PreviewServer(Server):  # type: ignore[misc]
    """livereload's Server with our static handler and no WSGI app (so no debug restarts)."""

    def __init__(self, watcher: SourceWatcher, state: State, hosts: frozenset[str] | None = None) -> None:
        super().__init__(watcher=watcher)
        self.state = state
        self.hosts = hosts

    def get_web_handlers(self, script: bytes) -> list[Any]:
        del script  # injected by livereload's output transform into every HTML response
        settings = {"path": self.root, "default_filename": "index.html", "state": self.state, "hosts": self.hosts}
        return [(r"/(.*)", PreviewHandler, settings)]


class Preview:
    """A build session, the watcher that drives it, and the livereload server that shows it."""

    def __init__(self, options: Options, quiet: bool = False) -> None:
        self.options = options
        self.quiet = quiet
        # One process: forking beside the watcher and server threads is not safe, and
        # rebuilds render only the pages that changed anyway.
        self.session = Session(replace(options, workers=1))
        self.state = State()
        self.loop: ioloop.IOLoop | None = None
        self.watcher = SourceWatcher(self.watched(), self.rebuild)

    def watched(self) -> list[Path]:
        return [p for p in (self.options.content, self.options.templates) if p.exists()]

    def reload_kind(self, paths: set[str]) -> str:
        """SWAP when every change shows in the pages' HTML; FULL_RELOAD when a file that keeps its name changed.

        Media files and unhashed theme assets (favicon, fonts, images) are served under the same
        name after a change: only a full reload makes the browser fetch them again.
        """
        media = (self.options.content / "media").resolve()
        assets = (self.options.templates / "assets").resolve()
        for name in paths:
            path = Path(name).resolve()
            if path.is_relative_to(media) or (path.is_relative_to(assets) and path.suffix not in HASHED_ASSETS):
                return FULL_RELOAD
        return SWAP

    def say(self, text: str) -> None:
        if not self.quiet:
            print(text, flush=True)

    def build(self, pages_ready: Callable[[int], None] | None = None) -> bool:
        """Build into the output folder with the session's builder; on failure keep the last good site and record why.

        The pages browsers have open are made first, then the other pages, then the feeds and
        data files, which a reader's browser does not wait for; `pages_ready` hears each time
        pages are written (-1: the open ones, 0: all). When this returns, the folder is
        exactly what a clean build writes.
        """
        started = time.perf_counter()

        def on_pages(priority: int) -> None:
            with self.state.lock:
                if priority < 0 and self.state.problems:
                    return  # the error page stays until every page is made: the open ones alone may not be all the fix
                self.state.problems = []
            if pages_ready is not None:
                pages_ready(priority)

        with self.state.lock:
            first = frozenset(self.state.open_pages)
        try:
            try:
                result = self.session.build(on_pages=on_pages, first=first)
            except OSError as exc:  # a full disk, a read-only folder: the files already replaced are whole, the others are the last build's
                what = f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
                raise OutputError(f"cannot write the site: {what}; the files not yet replaced are the last build's, the next save writes them") from exc
        except ContentError as exc:
            with self.state.lock:
                self.state.problems = exc.problems
            print(format_problems(exc.problems), file=sys.stderr, flush=True)
            print(f"build failed: {len(exc.problems)} problem(s); the browser shows them until they are fixed", file=sys.stderr, flush=True)
            return False
        except ExplainerError as exc:
            problem = Problem(str(self.options.out), 0, 0, str(exc))
            with self.state.lock:
                self.state.problems = [problem]
            print(f"error: {exc}", file=sys.stderr, flush=True)
            return False
        changed = result.stats.written if result.stats else 0
        with self.state.lock:
            self.state.problems = []
            self.state.builds += 1
        for warning in result.warnings:
            print(warning, file=sys.stderr, flush=True)
        seconds = time.perf_counter() - started
        self.say(f"built: {result.summary().rsplit(' in ', 1)[0]}, {changed} file(s) changed, in {seconds * 1000:.0f} ms")
        return True

    def rebuild(self, paths: set[str]) -> None:
        """Called by the watcher thread with one batch of changed paths."""
        shown = ", ".join(sorted(_short(p) for p in paths)[:3]) + (" …" if len(paths) > 3 else "")
        self.say(f"changed: {shown}")
        reloaded: set[int] = set()
        kind = self.reload_kind(paths)

        def reload(priority: int = 0) -> None:
            # A change shown in place may be shown twice (the open pages, then all); a full reload only once, when all pages are there.
            if self.loop is None or priority in reloaded or (kind == FULL_RELOAD and priority < 0):
                return
            reloaded.add(priority)
            self.state.page_served.clear()
            self.loop.add_callback(LiveReloadHandler.reload_waiters, kind)
            if LiveReloadHandler.waiters:
                # Let the browsers have the page first: the pages, feeds and data files made next in
                # this thread would hold the interpreter lock while the server thread sends it.
                self.state.page_served.wait(SERVE_FIRST)

        built = False
        try:
            built = self.build(pages_ready=reload)
        except Exception as exc:  # keep serving: an internal error is reported, not fatal
            problem = Problem("(generator)", 0, 0, f"internal error: {type(exc).__name__}: {exc}", "this is a bug in the generator; please report it")
            with self.state.lock:
                self.state.problems = [problem]
            print(problem, file=sys.stderr, flush=True)
        if not built:
            reload(FAILED)  # the browsers show the error page (the open pages may have been told of a change first)

    def stop(self) -> None:
        if self.loop is not None:
            self.loop.add_callback_from_signal(self.loop.stop)


def _short(path: str) -> str:
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(options: Options, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False, quiet: bool = False) -> int:
    """Run the preview until Ctrl-C or SIGTERM; return the exit status."""
    from .output import check_target

    check_target(options.out, (options.content, options.templates))
    for folder in (options.content, options.templates):
        if not folder.is_dir():
            raise ContentError([Problem(str(folder), 0, 0, "folder not found", "pass --content or --templates")])
    preview = Preview(options, quiet)
    if not preview.build():
        print("serving the error page until the problems are fixed", file=sys.stderr, flush=True)
    options.out.mkdir(parents=True, exist_ok=True)

    loop = ioloop.IOLoop.current()
    preview.loop = loop
    # On loopback, answer only to loopback names (no DNS rebinding); elsewhere, to whatever name the network uses.
    server = PreviewServer(preview.watcher, preview.state, LOOPBACK_NAMES | {host_name(host)} if is_loopback(host) else None)
    server.root = str(options.out.resolve())
    import logging

    logging.getLogger("tornado.access").setLevel(logging.CRITICAL)
    try:
        server.application(port, host, liveport=None, debug=False, live_css=False)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            print(f"error: port {port} on {host} is already in use (another preview?); try --port {port + 1}", file=sys.stderr)
        else:
            print(f"error: cannot listen on {host}:{port}: {exc.strerror}", file=sys.stderr)
        return 1
    url = f"http://{host if ':' not in host else f'[{host}]'}:{port}/"
    if not is_loopback(host):
        print(f"warning: serving on {host}: other machines on the network can read the preview", file=sys.stderr, flush=True)
    # Our own handlers: a preview started as a background job inherits SIGINT ignored, and Ctrl-C must still stop it.
    previous = {number: signal.signal(number, lambda *_: preview.stop()) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        LiveReloadHandler.watcher = preview.watcher
        LiveReloadHandler._last_reload_time = time.time()
        preview.watcher.start(lambda: None)
        if open_browser:
            threading.Timer(0.3, webbrowser.open, (url,)).start()
        # Printed last: a test or a script that waits for this line may stop the server at once.
        print(f"serving {options.out}/ at {url} (Ctrl-C to stop)", flush=True)
        loop.start()
    except KeyboardInterrupt:
        pass
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        preview.watcher.stop()
        for waiter in list(LiveReloadHandler.waiters):
            waiter.close()
        loop.close(all_fds=True)
    print("stopped", flush=True)
    return 0
