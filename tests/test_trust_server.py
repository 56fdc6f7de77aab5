"""The preview server on a laptop on a shared network: it serves the output folder and nothing else,
answers only to loopback names while bound to loopback, stays up and correct under load while it
rebuilds, and its memory does not grow with the number of rebuilds.

Requests are written on raw sockets (or http.client, which sends the path as given), so that no
client normalises '..' or percent-escapes away before the server sees them. Binding and the
warning for --host are tested in tests/test_preview.py.
"""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import REPO, Served, copy_project, serve

SECRET = b"TOP-SECRET-NEXT-TO-THE-SITE"
CONTENT_SECRET = b"CONTENT-SECRET-NOT-PUBLISHED"

#: The load test: concurrent connections, how long, and each request's client timeout (seconds).
CONNECTIONS = 200
SECONDS = 10.0
CLIENT_TIMEOUT = 15.0
#: The memory test: rebuilds, and how much resident memory may grow across them (bytes).
REBUILDS = 500
GROWTH_LIMIT = 20 * 1024 * 1024


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("served"))
    (root / "secret.txt").write_bytes(SECRET)
    (root / "content" / "notes.txt").write_bytes(CONTENT_SECRET)  # a stray file in content/ is not published
    return root


@pytest.fixture(scope="module")
def server(project: Path) -> Iterator[Served]:
    with serve(project) as served:
        yield served


def raw_get(port: int, target: str, host: str = "127.0.0.1") -> tuple[int, bytes]:
    """Send one request with exactly this request target; return the status and the whole response."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.") else 0
    return status, data


TRAVERSALS = [
    "/../secret.txt",
    "/../../../../../../etc/passwd",
    "/%2e%2e/secret.txt",
    "/%2E%2E/%2E%2E/etc/passwd",
    "/%2e%2e%2fsecret.txt",
    "/..%2fsecret.txt",
    "/.%2e/secret.txt",
    "/assets/../../secret.txt",
    "/assets/%2e%2e/%2e%2e/secret.txt",
    "/%252e%252e/secret.txt",
    "/..\\secret.txt",
    "/%2e%2e%5csecret.txt",
    "/..%5c..%5csecret.txt",
    "//etc/passwd",
    "/%2fetc/passwd",
    "/etc/passwd",
    "/content/notes.txt",
    "/../content/notes.txt",
    "/%2e%2e/content/notes.txt",
    "http://127.0.0.1/../secret.txt",
    "/%00",
    "/index.html%00.txt",
    "/%c0%ae%c0%ae/secret.txt",
    "/C:/Windows/win.ini",
    "/....//secret.txt",
    "/events/..;/..;/secret.txt",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_no_request_serves_a_file_outside_the_output_folder(server: Served, project: Path, target: str) -> None:
    status, response = raw_get(server.port, target)
    assert SECRET not in response and CONTENT_SECRET not in response and b"root:x:0:0" not in response
    assert status in (400, 403, 404), response[:200]


def test_absolute_paths_to_real_files_are_refused(server: Served, project: Path) -> None:
    for target in ("/" + str(project / "secret.txt"), "/%2F" + str(project / "secret.txt").lstrip("/"), "/" + str(project / "content" / "notes.txt")):
        status, response = raw_get(server.port, target)
        assert SECRET not in response and CONTENT_SECRET not in response
        assert status in (403, 404), (target, response[:200])


def test_a_symbolic_link_in_the_output_folder_does_not_lead_out(server: Served, project: Path) -> None:
    link = project / "site" / "leak.txt"
    link.symlink_to(project / "secret.txt")
    try:
        status, response = raw_get(server.port, "/leak.txt")
    finally:
        link.unlink()
    assert SECRET not in response
    assert status in (403, 404)


def test_the_site_itself_is_served(server: Served) -> None:
    status, response = raw_get(server.port, "/")
    assert status == 200 and b"</html>" in response
    status, _ = raw_get(server.port, "/?../../secret.txt")
    assert status == 200  # a query is not a path


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example", "attacker.test:80"])
def test_other_host_names_are_refused_while_on_loopback(server: Served, host: str) -> None:
    """DNS rebinding: a web page that points its own name at 127.0.0.1 must not read the preview."""
    status, response = raw_get(server.port, "/", host=host)
    assert status == 403
    assert b"<html" not in response


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "LOCALHOST"])
def test_loopback_host_names_are_served(server: Served, host: str) -> None:
    assert raw_get(server.port, "/", host=host)[0] == 200


def test_the_server_survives_the_probes(server: Served) -> None:
    assert server.process.poll() is None
    assert raw_get(server.port, "/")[0] == 200
    assert not any("Traceback" in line for line in server.lines), "\n".join(server.lines)


# -- load while rebuilding ---------------------------------------------------------------------------------------------


def test_concurrent_requests_while_rebuilding_all_succeed(server: Served, project: Path) -> None:
    """200 connections for 10 s, each request with a timeout, while a content file changes every 0.2 s."""
    site = project / "site"
    css = next((site / "assets").glob("style.*.css")).name
    paths = ["/", "/events/treaty-signed/", "/events/un-panel-veto/", f"/assets/{css}", "/feed.xml", "/data/timeline.json", "/people/", "/missing-page/"]
    paths = [p for p in paths if p == "/missing-page/" or (site / p.strip("/")).exists() or (site / p.strip("/") / "index.html").exists()]
    timeline = project / "content" / "timeline.yaml"
    original = timeline.read_text("utf-8")
    versions = [original, original.replace("title: Putin and Kim sign the treaty", "title: The treaty is signed, at last, in Pyongyang")]
    assert versions[0] != versions[1]
    builds_before = server.count("built:")
    failures: list[str] = []
    done = [0] * CONNECTIONS
    stop = threading.Event()
    deadline = time.monotonic() + SECONDS

    def edit() -> None:
        number = 0
        while not stop.wait(0.2):
            number += 1
            timeline.write_text(versions[number % 2], "utf-8")

    def client(slot: int) -> None:
        connection: http.client.HTTPConnection | None = None
        number = slot
        while time.monotonic() < deadline:
            path = paths[number % len(paths)]
            number += 1
            try:
                if connection is None:
                    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=CLIENT_TIMEOUT)
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
                expected = 404 if path == "/missing-page/" else 200
                if response.status != expected:
                    failures.append(f"{path}: status {response.status}")
                elif path.endswith("/") and not body.rstrip().endswith(b"</html>"):
                    failures.append(f"{path}: an incomplete page of {len(body)} bytes")
                done[slot] += 1
            except (OSError, http.client.HTTPException) as exc:
                failures.append(f"{path}: {type(exc).__name__}: {exc}")
                if connection is not None:
                    connection.close()
                connection = None
        if connection is not None:
            connection.close()

    editor = threading.Thread(target=edit, daemon=True)
    clients = [threading.Thread(target=client, args=(slot,), daemon=True) for slot in range(CONNECTIONS)]
    editor.start()
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join(SECONDS + 2 * CLIENT_TIMEOUT)
    stop.set()
    editor.join()
    timeline.write_text(original, "utf-8")
    assert not any(thread.is_alive() for thread in clients), "a client hung past its timeout"
    said = "\n".join(server.lines[-30:])
    assert failures == [], f"{len(failures)} of {sum(done) + len(failures)} requests failed, first: {failures[:10]}; the server said:\n{said}"
    assert sum(done) >= CONNECTIONS, f"only {sum(done)} requests in {SECONDS} s"
    assert all(done), "some connections never got an answer"
    assert server.process.poll() is None, "the server died"
    server.wait_for("built:", count=builds_before + 10, timeout=20)  # it rebuilt all along
    assert raw_get(server.port, "/")[0] == 200
    assert not any("Traceback" in line for line in server.lines), "\n".join(server.lines[-40:])


# -- memory across rebuilds --------------------------------------------------------------------------------------------

#: Run in a child process, so that its resident memory is the preview's alone: a small site, and a
#: page whose 40 kB body changes on every rebuild (so each build converts new Markdown).
MEMORY_CHILD = textwrap.dedent(
    """
    import sys, textwrap, time
    from pathlib import Path
    sys.path[:0] = [{repo!r}, {tests!r}]
    from conftest import MINIMAL
    from explainer.builder import Options
    from explainer.preview import Preview

    root = Path({root!r})
    for name, text in MINIMAL.items():
        (root / "content" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "content" / name).write_text(textwrap.dedent(text), "utf-8")
    (root / "content" / "pages").mkdir()
    body = "\\n".join(f"    line {{n}} " + "code words " * 8 for n in range(400))

    def rss():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024

    preview = Preview(Options(root / "content", Path({templates!r}), root / "site", workers=1), quiet=True)
    started = time.perf_counter()
    baseline = 0
    for number in range({rebuilds}):
        page = f"---\\ntitle: About\\norder: 1\\n---\\n{{body}}\\n\\nEdit {{number}}.\\n"
        (root / "content" / "pages" / "about.md").write_text(page, "utf-8")
        if not preview.build():
            print("FAILED", number, flush=True)
            sys.exit(1)
        if number == 19:
            baseline = rss()
    print("RESULT", baseline, rss(), time.perf_counter() - started, flush=True)
    """
)


@pytest.fixture(scope="module", autouse=True)
def memory_child(tmp_path_factory: pytest.TempPathFactory) -> Iterator[subprocess.Popen[str]]:
    """Start the rebuild loop at once: it runs beside the other tests of this module and is checked last."""
    root = tmp_path_factory.mktemp("memory")
    script = MEMORY_CHILD.format(repo=str(REPO), tests=str(REPO / "tests"), root=str(root), templates=str(REPO / "templates"), rebuilds=REBUILDS)
    child = subprocess.Popen([sys.executable, "-c", script], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    yield child
    if child.poll() is None:
        child.kill()
        child.wait()


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmRSS from /proc")
def test_memory_does_not_grow_across_500_rebuilds(memory_child: subprocess.Popen[str]) -> None:
    output, _ = memory_child.communicate(timeout=180)
    assert memory_child.returncode == 0, output
    line = next(line for line in output.splitlines() if line.startswith("RESULT"))
    _, baseline, final, seconds = line.split()
    growth = int(final) - int(baseline)
    assert growth < GROWTH_LIMIT, f"resident memory grew by {growth / 2**20:.1f} MB across {REBUILDS} rebuilds ({float(seconds):.1f} s)"


def test_preview_keeps_the_last_good_site_when_the_disk_is_full(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write failure during serve is shown like a build error (not as an internal error), and serving goes on."""
    from explainer.builder import Options
    from explainer.preview import Preview

    root = copy_project(tmp_path)
    monkeypatch.chdir(root)
    preview = Preview(Options(Path("content"), Path("templates"), Path("site"), workers=1), quiet=True)
    assert preview.build()
    before = {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    timeline = root / "content" / "timeline.yaml"
    timeline.write_text(timeline.read_text("utf-8").replace("Putin and Kim sign the treaty", "The treaty is signed"), "utf-8")
    real = Path.write_bytes

    def full(self: Path, data: bytes) -> int:
        raise OSError(28, "No space left on device", str(self))

    monkeypatch.setattr(Path, "write_bytes", full)
    assert not preview.build()
    [problem] = preview.state.problems
    assert problem.message.startswith("cannot write the site: No space left on device")
    assert "internal error" not in problem.message
    assert {p: p.read_bytes() for p in (root / "site").rglob("*") if p.is_file() and not p.name.endswith(".tmp")} == before
    monkeypatch.setattr(Path, "write_bytes", real)
    assert preview.build() and preview.state.problems == []
    assert b"The treaty is signed" in (root / "site" / "events" / "treaty-signed" / "index.html").read_bytes()
