"""Write the site atomically: build beside the target, then swap; never outside it.

The new site is assembled in a staging folder next to the output folder. Files whose
bytes did not change are hard-linked from the current site, so they keep their inode and
mtime. Then two renames swap the staging folder in. If a run is interrupted between the
two renames, the next run puts the old site back before doing anything else.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import OutputError

MARKER = ".explainer-site"


@dataclass(frozen=True)
class WriteStats:
    written: int
    unchanged: int
    removed: int


def staging_paths(out: Path) -> tuple[Path, Path]:
    """The staging folder (new site) and the parking folder (old site during the swap)."""
    return out.parent / f".{out.name}.new", out.parent / f".{out.name}.old"


def check_target(out: Path, sources: Iterable[Path]) -> None:
    """Refuse an output folder that overlaps the sources or that we did not create."""
    target = out.resolve()
    for source in sources:
        src = source.resolve()
        if target == src or target.is_relative_to(src) or src.is_relative_to(target):
            raise OutputError(f"output folder {out} overlaps the source folder {source}: choose another --out")
    if target == Path(target.anchor):
        raise OutputError(f"output folder {out} is the root of the file system: choose another --out")
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise OutputError(f"output path {out} exists and is not a folder: remove it or choose another --out")
    if out.is_dir() and not (out / MARKER).is_file() and any(out.iterdir()):
        raise OutputError(
            f"output folder {out} exists, is not empty and was not made by this generator (no {MARKER} file): "
            "it will not be replaced; move it away or choose another --out"
        )


def recover(out: Path) -> None:
    """Finish or undo a swap that an earlier run did not complete.

    Only folders this generator made are touched: real folders (not symbolic links) that hold
    its marker, or are empty (a removal interrupted after the marker, the last file, went). Anything
    else is left for write_site to refuse.
    """
    new, old = staging_paths(out)
    if _ours(old):
        if not out.exists() and not out.is_symlink():
            os.rename(old, out)  # interrupted between the two renames: put the old site back
        else:
            remove_ours(old)
    elif _empty(old):
        old.rmdir()
    if _ours(new):
        remove_ours(new)
    elif _empty(new):
        new.rmdir()


def _ours(folder: Path) -> bool:
    return folder.is_dir() and not folder.is_symlink() and (folder / MARKER).is_file()


def _empty(folder: Path) -> bool:
    return folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir())


def remove_ours(folder: Path) -> None:
    """Delete a folder this generator made, its marker last: if this is interrupted, what is left is still known to be ours."""
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.name == MARKER:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
    (folder / MARKER).unlink(missing_ok=True)
    folder.rmdir()


def safe_relative(path: str) -> PurePosixPath:
    """A page path that stays inside the output folder, or an OutputError."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or not pure.parts or any(p in ("", ".", "..") for p in pure.parts) or "\\" in path:
        raise OutputError(f"refusing to write '{path}': outside the output folder")
    return pure


def read_manifest(out: Path) -> dict[str, str]:
    try:
        data = json.loads((out / MARKER).read_text("utf-8"))
        files = data.get("files", {})
        return files if isinstance(files, dict) else {}
    except (OSError, ValueError, AttributeError):
        return {}


def write_site(out: Path, files: dict[str, bytes], sources: Iterable[Path] = ()) -> WriteStats:
    """Replace the output folder with exactly these files, atomically.

    If writing fails (a full disk, a permission), the previous site is left as it was and
    the failure is reported as an OutputError.
    """
    for name in files:
        safe_relative(name)  # refuse a bad path before anything is written
    with Staging(out, sources) as stage:
        for name in sorted(files):
            stage.add(name, files[name])
    return stage.stats


class Staging:
    """A new site assembled file by file beside the output folder, then swapped in whole.

    A build can hand over each page as soon as it is rendered (and let go of it), so that the
    whole site is never in memory at once; the staging folder stays invisible until the swap,
    so nothing is written to the site unless every file was made. Leaving the `with` block by
    an exception removes the staging folder; an OSError becomes an OutputError that says what
    state the site is in.
    """

    def __init__(self, out: Path, sources: Iterable[Path] = ()) -> None:
        recover(out)
        check_target(out, sources)
        self.out = out
        self.new, self.old = staging_paths(out)
        for path in (self.new, self.old):
            if path.exists():
                raise OutputError(f"{path} exists and was not made by this generator: remove it")
        self.had_site = out.is_dir()
        self.manifest = read_manifest(out) if self.had_site else {}
        self.hashes: dict[str, str] = {}
        self.written = self.unchanged = 0
        self.made: set[PurePosixPath] = set()
        self.real: set[str] = set()  # folders of the current site found to be real (see _through_link)
        self.stats = WriteStats(0, 0, 0)

    def __enter__(self) -> Staging:
        try:
            self.new.mkdir(parents=True)
            # The marker goes in first, so that an interrupted staging folder is known to be ours.
            (self.new / MARKER).write_text('{"files": {}}', "utf-8")
        except BaseException as exc:
            self._failed()
            if isinstance(exc, OSError):
                raise self._output_error(exc) from exc
            raise
        return self

    atomic = True  # nothing is visible before the swap: artifacts may stream in as they are made

    def add(self, name: str, data: bytes, digest: str = "") -> None:
        """Put one file into the new site: hard-linked from the current site if its bytes are unchanged."""
        rel = safe_relative(name)
        digest = digest or hashlib.blake2b(data, digest_size=16).hexdigest()
        self.hashes[name] = digest
        target = self.new.joinpath(*rel.parts)
        if rel.parent not in self.made:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.made.add(rel.parent)
        current = self.out.joinpath(*rel.parts)
        if self.manifest.get(name) == digest and not _through_link(str(self.out), name.rpartition("/")[0], self.real) and _same_bytes(current, data):
            try:
                os.link(current, target)
                self.unchanged += 1
                return
            except OSError:
                pass
        target.write_bytes(data)
        self.written += 1

    def keep(self, name: str, digest: str) -> None:
        raise AssertionError("a staging folder is filled from an empty build state")

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, traceback: object) -> None:
        if exc is None:
            try:
                self.stats = self._swap()
                return
            except BaseException as failure:
                exc = failure
        self._failed()
        if isinstance(exc, OSError):
            raise self._output_error(exc) from exc
        if kind is None:  # the swap failed with something other than an OSError
            raise exc

    def _failed(self) -> None:
        with contextlib.suppress(OSError):  # the next run's recover() removes what is left: the marker went in first and goes out last
            remove_ours(self.new)

    def _output_error(self, exc: OSError) -> OutputError:
        what = f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
        if not self.had_site:
            state = "nothing was written"
        elif self.out.is_dir():
            state = "the previous site is unchanged"
        else:
            state = "the next build restores the previous site"
        return OutputError(f"cannot write the site to {self.out}: {what}; {state}")

    def _swap(self) -> WriteStats:
        out, new, old = self.out, self.new, self.old
        (new / MARKER).write_text(json.dumps({"generator": "explainer", "files": self.hashes}, sort_keys=True, indent=0), "utf-8")
        if out.exists():
            os.rename(out, old)
            try:
                os.rename(new, out)
            except BaseException:
                os.rename(old, out)  # put the old site back at once; if even this fails, recover() will
                raise
            with contextlib.suppress(OSError):  # what is left (still marked as ours) is removed by the next run's recover()
                remove_ours(old)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            os.rename(new, out)
        removed = len(set(self.manifest) - set(self.hashes))
        return WriteStats(self.written, self.unchanged, removed)


def _replace(target: str, data: bytes) -> None:
    """Replace one file whole (a temporary file, then a rename): a reader never sees half of it."""
    head, tail = os.path.split(target)
    os.makedirs(head, exist_ok=True)
    temporary = os.path.join(head, f".{tail}.tmp")
    Path(temporary).write_bytes(data)
    os.replace(temporary, target)


def _through_link(out: str, folder: str, real: set[str]) -> bool:
    """Whether `folder` (relative, '' for out itself) or a folder on the way to it inside out is a
    symbolic link or not a folder: writing or deleting there would leave the output folder.

    `real` remembers the folders already found to be real, so that a whole site costs one lstat per folder.
    """
    parts = folder.split("/") if folder else []
    for end in range(1, len(parts) + 1):
        step = "/".join(parts[:end])
        if step in real:
            continue
        try:
            mode = os.lstat(os.path.join(out, step)).st_mode
        except FileNotFoundError:
            return False  # it will be made, as a real folder
        if stat.S_ISLNK(mode) or not stat.S_ISDIR(mode):
            return True
        real.add(step)
    return False


def _same_bytes(path: Path, data: bytes) -> bool:
    """Whether a file of the current site still holds exactly these bytes (it may have been edited by hand)."""
    try:
        return path.is_file() and not path.is_symlink() and path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


class LinkInside(Exception):  # noqa: N818 - a condition, handled by the builder
    """A symbolic link (or a file) stands where a folder of the site should be: writing there would leave the folder."""


class LiveFolder:
    """serve's output: a site we made, brought up to date in place, file by file.

    Each changed file is replaced atomically (a temporary file, then os.replace), so a request
    served during the update never sees half a file and the folder never disappears; a file
    whose bytes are unchanged is not touched (same bytes, same mtime); files no longer built are
    removed and the manifest is replaced last, by finish(). Writing or deleting through a
    symbolic link found inside the folder raises LinkInside: the builder then builds a fresh
    folder and swaps it in (Staging).
    """

    atomic = False  # each file is visible at once: give it only what is known to be good

    def __init__(self, out: Path, sources: Iterable[Path] = (), guarded: Collection[str] = ()) -> None:
        check_target(out, sources)
        self.out = out
        self.root = str(out)
        self.manifest = read_manifest(out)
        self.hashes: dict[str, str] = {}
        self.written = 0
        self.real: set[str] = set()  # folders found to be real (see _through_link)
        self.guarded = guarded  # written before the build is known to succeed: rollback() puts them back
        self.previous: dict[str, bytes | None] = {}

    @staticmethod
    def usable(out: Path) -> bool:
        """Whether there is a site of ours to update in place."""
        return (out / MARKER).is_file()

    def add(self, name: str, data: bytes, digest: str) -> None:
        safe_relative(name)
        self.hashes[name] = digest
        target = os.path.join(self.root, name)
        if self.manifest.get(name) == digest and os.path.isfile(target):
            return
        if _through_link(self.root, name.rpartition("/")[0], self.real):
            raise LinkInside(name)
        if name in self.guarded:
            try:
                self.previous[name] = Path(target).read_bytes()
            except FileNotFoundError:
                self.previous[name] = None
        _replace(target, data)
        self.written += 1

    def rollback(self) -> None:
        """The build failed after writing guarded files: put back what they held."""
        for name, data in self.previous.items():
            target = os.path.join(self.root, name)
            if data is None:
                Path(target).unlink(missing_ok=True)
            else:
                _replace(target, data)
        self.previous = {}

    def keep(self, name: str, digest: str) -> None:
        self.hashes[name] = digest

    def finish(self) -> WriteStats:
        """Remove what is no longer built, then write the manifest."""
        stale = sorted(set(self.manifest) - set(self.hashes), reverse=True)
        if any(_through_link(self.root, folder, self.real) for folder in {name.rpartition("/")[0] for name in stale}):
            raise LinkInside(stale[0])
        for name in stale:
            rel = safe_relative(name)
            target_path = self.out.joinpath(*rel.parts)
            target_path.unlink(missing_ok=True)
            for parent in target_path.parents:
                if parent == self.out or any(parent.iterdir()):
                    break
                parent.rmdir()
        if self.hashes != self.manifest or stale:
            temporary = os.path.join(self.root, f"{MARKER}.tmp")
            Path(temporary).write_text(json.dumps({"generator": "explainer", "files": self.hashes}, sort_keys=True, indent=0), "utf-8")
            os.replace(temporary, self.out / MARKER)
        return WriteStats(self.written, len(self.hashes) - self.written, len(stale))
