"""Scratch projects written from strings, and the command line run in-process.

A test asks for `project`: a minimal valid explainer in tmp_path/content (the current
folder is tmp_path, so messages name files as content/...). It overrides one file with
`project.write("timeline.yaml", "...")` and runs `project.run("check")`, which calls
build.main() in this process and captures what the user would see.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import shutil
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import jinja2
import pytest

from explainer import render

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = REPO / "templates"
SITES = REPO / "tests" / "sites"


def load_cli() -> ModuleType:
    """Import the top-level build.py under its own name (a bare `import build` may find PyPA's build)."""
    module = sys.modules.get("explainer_cli")
    if module is None:
        spec = importlib.util.spec_from_file_location("explainer_cli", REPO / "build.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["explainer_cli"] = module
        spec.loader.exec_module(module)
    return module


#: The smallest explainer that builds without a warning: every id is referenced once.
MINIMAL: dict[str, str] = {
    "site.yaml": """\
        title: Scratch explainer
        dek: A site written by a test.
        description: A scratch explainer.
        language: en
        base_url: https://example.org/scratch/
        authors: [Test desk]
        """,
    "phases.yaml": """\
        - id: one
          title: Part one
        """,
    "people.yaml": """\
        - id: ann
          name: Ann Example
          role: Minister
          kind: person
        """,
    "sources.yaml": """\
        - id: s1
          publisher: Wire
          title: A report
          url: https://example.com/report
        """,
    "timeline.yaml": """\
        - id: first
          date: 2024-06-19
          title: Something happens
          summary: It happened.
          phase: one
          sources: [s1]
        """,
    "quotes.yaml": """\
        - id: q1
          text: We did it.
          speaker: ann
          setting: Press conference
          source: s1
        """,
    "updates.yaml": """\
        - date: "2024-12-16T09:00:00+00:00"
          kind: publication
          text: First published.
        """,
}


@dataclass(frozen=True)
class Run:
    """What the user sees from one command: exit status, standard output, standard error."""

    code: int
    out: str
    err: str

    @property
    def errors(self) -> list[str]:
        return self.err.splitlines()


@dataclass
class Project:
    """A scratch explainer in a temporary folder that is also the current folder."""

    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def site(self) -> Path:
        return self.root / "site"

    def write(self, name: str, text: str | bytes) -> Path:
        """Write content/<name>; text is dedented, so tests can indent their YAML."""
        path = self.content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), "utf-8")
        return path

    def remove(self, name: str) -> None:
        path = self.content / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()

    def run(self, *args: str, templates: Path | None = TEMPLATES) -> Run:
        """Run build.py with these arguments in this process, capturing its output."""
        argv = list(args)
        if templates is not None and "--templates" not in argv:
            argv += ["--templates", str(templates)]
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = load_cli().main(argv)
            except SystemExit as exc:  # argparse: --help and usage errors
                code = exc.code if isinstance(exc.code, int) else 1
        return Run(code, out.getvalue(), err.getvalue())


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept for the whole test session, by template and source checksum.

    Compiling the theme is most of a small build's time; Jinja checks each template's source
    against the checksum, so an edited or different template is compiled afresh.
    """

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


@pytest.fixture
def compiled_templates(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let in-process builds reuse compiled templates (output is unchanged; builds are several times faster)."""
    make = render.make_environment

    def make_environment(templates: Path) -> jinja2.Environment:
        env = make(templates)
        env.bytecode_cache = _COMPILED
        return env

    monkeypatch.setattr(render, "make_environment", make_environment)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, compiled_templates: None) -> Iterator[Project]:
    monkeypatch.chdir(tmp_path)
    scratch = Project(tmp_path)
    for name, text in MINIMAL.items():
        scratch.write(name, text)
    yield scratch


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under a folder by its relative POSIX path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- the real explainer, built once per module, for the reader-quality tests ------------------------------------------
# (test modules that need another site define their own `site`, which takes precedence)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> object:
    """The default explainer built into a temporary folder (quality_support.Built)."""
    from quality_support import built_site

    return built_site(tmp_path_factory)


@pytest.fixture(scope="module")
def base_url(site: object) -> Iterator[str]:
    """That site served on a loopback port for the module's tests; stopped afterwards."""
    from quality_support import static_server

    with static_server(site) as url:  # type: ignore[arg-type]
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One headless Debian Chromium for the module's tests."""
    from quality_support import chromium

    with chromium() as launched:
        yield launched
