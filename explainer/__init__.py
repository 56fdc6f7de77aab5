"""A static-site generator for news explainers: YAML and Markdown in, a static site out."""

from __future__ import annotations

__version__ = "0.1.0"
