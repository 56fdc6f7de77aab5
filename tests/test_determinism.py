"""Output depends on the content and templates only: not on hash seeds, time zones, locales or where the checkout is."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SITES, TEMPLATES, tree


def other_locale() -> str:
    """An installed locale that is not C.UTF-8 (POSIX, the ASCII one, is always there)."""
    try:
        names = subprocess.run(["locale", "-a"], capture_output=True, text=True, timeout=10).stdout.split()
    except (OSError, subprocess.SubprocessError):
        names = []
    for name in names:
        if name.lower().replace("-", "") not in ("c.utf8", "c", "posix"):
            return name  # a real language locale, if one is installed
    return "POSIX"


def build_in(checkout: Path, fixture: str, env: dict[str, str]) -> dict[str, bytes]:
    """Copy a fixture and the templates to a checkout folder and build there in a fresh process."""
    shutil.copytree(SITES / fixture / "content", checkout / "content")
    shutil.copytree(TEMPLATES, checkout / "templates")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "PYTHON", "TZ"))}
    environment.update(env)
    done = subprocess.run([sys.executable, str(REPO / "build.py")], cwd=checkout, env=environment, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    return tree(checkout / "site")


@pytest.mark.parametrize("fixture", ["basic", "full"])
def test_byte_identical_across_processes_zones_locales_and_paths(tmp_path: Path, fixture: str) -> None:
    one = build_in(tmp_path / "one", fixture, {"PYTHONHASHSEED": "1", "TZ": "UTC", "LC_ALL": "C.UTF-8"})
    two = build_in(
        tmp_path / "elsewhere" / "a much longer checkout path with spaces",
        fixture,
        # Kiritimati is UTC+14; with PYTHONUTF8=0 and no locale coercion, POSIX is plain ASCII.
        {"PYTHONHASHSEED": "4242", "TZ": "Pacific/Kiritimati", "LC_ALL": other_locale(), "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
    )
    assert sorted(one) == sorted(two)
    assert [name for name in one if one[name] != two[name]] == []
