"""The build record: a fingerprint of everything a build reads, kept in the output folder.

`python build.py` with nothing changed since the last build (same content and template
bytes, same options, same generator code) and the site still as that build left it does
no work. The record lives in the output folder (`.explainer-build.json`); deleting it is
always safe (the next build is a full one), and it is never trusted across versions of the
generator because the generator's own source is part of the fingerprint.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import __version__
from .errors import Problem
from .output import MARKER, read_manifest

_PACKAGE = Path(__file__).resolve().parent


RECORD = ".explainer-build.json"


def fingerprint(folders: Iterable[Path], settings: Iterable[object]) -> str:
    """A digest of the generator's code, the settings, and every file in the source folders."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(__version__.encode())
    for path in sorted(_PACKAGE.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(repr(tuple(settings)).encode())
    for folder in folders:
        digest.update(b"\0folder\0")
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(b"\0" + path.relative_to(folder).as_posix().encode() + b"\0")
                digest.update(hashlib.blake2b(path.read_bytes(), digest_size=20).digest())
    return digest.hexdigest()


def _marker_digest(out: Path) -> str:
    try:
        return hashlib.blake2b((out / MARKER).read_bytes(), digest_size=20).hexdigest()
    except OSError:
        return ""


def _files(out: Path) -> dict[str, int] | None:
    """Every file in the output folder but the marker and the record, with its inode change time; None if one is a link."""
    found: dict[str, int] = {}
    pending = [(out, "")]
    while pending:
        folder, prefix = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                name = prefix + entry.name
                if entry.is_symlink():
                    return None
                if entry.is_dir(follow_symlinks=False):
                    pending.append((Path(entry.path), name + "/"))
                elif name not in (RECORD, MARKER):
                    found[name] = entry.stat(follow_symlinks=False).st_ctime_ns
    return found


def up_to_date(out: Path, stamp: str) -> dict[str, Any] | None:
    """The last build's record if it had this fingerprint and the site is exactly as it left it.

    Exactly: the same files as the manifest lists, each with the bytes it lists (so a file
    edited, added or removed by hand in the output folder makes the next build a real one).
    A file whose inode last changed before the record was written is taken to be unchanged
    (any write, even one that sets the modification time back, moves the change time to now,
    and nobody can set it back); any other is read and compared with its digest.
    """
    try:
        written = (out / RECORD).stat().st_ctime_ns
        record = json.loads((out / RECORD).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("fingerprint") != stamp or record.get("marker") != _marker_digest(out):
        return None
    manifest = read_manifest(out)
    try:
        files = _files(out)
        if files is None or files.keys() != manifest.keys():
            return None
        for name, digest in manifest.items():
            if files[name] < written:
                continue
            if hashlib.blake2b((out / name).read_bytes(), digest_size=16).hexdigest() != digest:
                return None
    except OSError:
        return None
    return record


def save(out: Path, stamp: str, summary: str, warnings: list[Problem]) -> None:
    """Remember this build; a failure to write the record only costs the next build time."""
    record = {
        "fingerprint": stamp,
        "marker": _marker_digest(out),
        "summary": summary,
        "warnings": [[p.file, p.line, p.col, p.message, p.hint] for p in warnings],
    }
    try:
        temporary = out / f"{RECORD}.tmp"
        temporary.write_text(json.dumps(record, sort_keys=True), "utf-8")
        temporary.replace(out / RECORD)
    except OSError:
        pass


def warnings_of(record: dict[str, Any]) -> list[Problem]:
    return [Problem(f, line, col, message, hint, warning=True) for f, line, col, message, hint in record.get("warnings", [])]
