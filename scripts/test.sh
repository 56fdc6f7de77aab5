#!/usr/bin/env bash
# Set up everything the tests need on a fresh Debian machine, then run them all.
# Idempotent: a second run only checks what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian packages: headless Chromium for the browser tests, poppler for PDF text.
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
command -v pdftotext >/dev/null || need+=(poppler-utils)
# Korean and Chinese glyphs, so the printed PDF holds the Korean quotations as text.
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
if [ ${#need[@]} -gt 0 ]; then
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Python packages, in a virtual environment the repository ignores.
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'

# npm packages for the quality checks (axe-core, vnu-jar, lighthouse, TimelineJS), in a folder the repository ignores.
if [ -f tests/npm/package.json ]; then
  (cd tests/npm && npm install --no-audit --no-fund --silent >/dev/null)
fi

.venv/bin/ruff check explainer build.py tests bench
.venv/bin/ruff format --check explainer build.py tests bench
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
