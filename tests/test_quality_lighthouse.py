"""Lighthouse (mobile preset) on the explainer and one event page: accessibility, best practices and SEO score 1.0.

The performance score depends on the machine, so it does not gate: it is printed and kept with the full
reports (HTML and JSON) in tests/artifacts/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from quality_support import LIGHTHOUSE, Built, artifact, chromium_available, npm_tool, page_kinds, static_server

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not chromium_available(), reason="Debian chromium is not installed (scripts/test.sh installs it)")]

GATED = ("accessibility", "best-practices", "seo")
PAGES = ("explainer", "event")
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --disable-background-networking --disable-component-update"


@pytest.fixture(scope="module")
def reports(site: Built) -> Iterator[dict[str, dict[str, Any]]]:
    """Both pages audited at once (two Lighthouse processes), reports kept in tests/artifacts/."""
    cli = npm_tool(LIGHTHOUSE)
    node = shutil.which("node")
    assert node, "Node.js is needed for Lighthouse"
    env = {**os.environ, "CHROME_PATH": "/usr/bin/chromium"}
    kinds = page_kinds(site.folder)
    with static_server(site) as base_url:
        running = {}
        for name in PAGES:
            out = artifact(f"lighthouse-{name}")
            command = [
                node,
                str(cli),
                base_url + kinds[name],
                "--output=json",
                "--output=html",
                f"--output-path={out}",
                f"--chrome-flags={CHROME_FLAGS}",
                "--quiet",
                "--disable-full-page-screenshot",
            ]
            running[name] = (subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True), out)
        results = {}
        for name, (process, out) in running.items():
            log, _ = process.communicate(timeout=180)
            assert process.returncode == 0, f"Lighthouse failed on the {name} page:\n{log}"
            results[name] = json.loads(out.with_name(out.name + ".report.json").read_text("utf-8"))
    yield results


def failing_audits(report: dict[str, Any], category: str) -> list[str]:
    audits = report["audits"]
    return [
        f"{ref['id']}: {audits[ref['id']]['title']} ({audits[ref['id']].get('displayValue', '')})"
        for ref in report["categories"][category]["auditRefs"]
        if ref["weight"] and audits[ref["id"]]["score"] is not None and audits[ref["id"]]["score"] < 1
    ]


@pytest.mark.parametrize("name", PAGES)
def test_lighthouse_scores(reports: dict[str, dict[str, Any]], name: str) -> None:
    report = reports[name]
    scores = {key: category["score"] for key, category in report["categories"].items()}
    print(f"Lighthouse {report['lighthouseVersion']} on the {name} page: {scores} (reports in tests/artifacts/lighthouse-{name}.report.*)")
    assert report["configSettings"]["formFactor"] == "mobile"
    problems = {key: failing_audits(report, key) for key in GATED if scores[key] != 1}
    assert not problems, f"Lighthouse scores below 1.0 on the {name} page: {scores}\n" + json.dumps(problems, indent=1)
