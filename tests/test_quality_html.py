"""Every page of the built explainer is valid HTML by the current W3C Nu HTML Checker (vnu.jar), in one run."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from quality_support import VNU, built_site, npm_tool


def test_nu_html_checker_finds_no_error(tmp_path_factory: pytest.TempPathFactory) -> None:
    site = built_site(tmp_path_factory)
    vnu = npm_tool(VNU)
    java = shutil.which("java")
    assert java, "Java is needed for the Nu HTML Checker (Debian: openjdk-17-jre-headless)"
    pages = sum(1 for _ in site.folder.rglob("*.html"))
    run = subprocess.run([java, "-jar", str(vnu), "--errors-only", "--skip-non-html", str(site.folder)], capture_output=True, text=True, timeout=120)
    report = (run.stdout + run.stderr).replace(f"file:{site.folder}/", "")
    assert run.returncode == 0 and not report.strip(), f"the Nu HTML Checker found errors in the {pages} pages:\n{report}"
