"""Report a failed build's problems: the error page the preview serves, and the text the terminal prints."""

from __future__ import annotations

import html
from pathlib import Path

from .errors import Problem


def error_page(problems: list[Problem]) -> bytes:
    """The page shown instead of the site while the content or a template has errors.

    It does not use the theme: a broken template must not break the page that reports it.
    """
    items = []
    for problem in problems:
        where = f"{problem.file}:{problem.line}:{problem.col}" if problem.line else problem.file
        excerpt = source_excerpt(problem)
        items.append(
            "<li><p><code class=where>"
            + html.escape(where)
            + "</code> "
            + html.escape(problem.message)
            + "</p>"
            + (f"<pre>{html.escape(excerpt)}</pre>" if excerpt else "")
            + (f"<p class=hint>Hint: {html.escape(problem.hint)}</p>" if problem.hint else "")
            + "</li>"
        )
    count = len(problems)
    body = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Build failed: {count} problem{"s" if count != 1 else ""}</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem; color: #1a1a1a; background: #fff; }}
h1 {{ color: #8b1d2c; font-size: 1.5rem; }}
ol {{ padding-left: 1.25rem; }} li {{ margin-bottom: 1.25rem; }}
.where {{ font-weight: 700; }}
pre {{ background: #f4f4f4; padding: 0.5rem; overflow-x: auto; font-size: 0.875rem; }}
.hint {{ color: #444; }}
@media (prefers-color-scheme: dark) {{
  body {{ background: #151515; color: #ececec; }} pre {{ background: #222; }} .hint {{ color: #bbb; }} h1 {{ color: #f7a1ad; }}
}}
</style>
</head>
<body>
<main>
<h1>The site could not be built</h1>
<p>Fix the {"problems" if count != 1 else "problem"} below and save: this page reloads by itself. The last good build is kept on disk.</p>
<ol>
{"".join(items)}
</ol>
</main>
</body>
</html>
"""
    return body.encode("utf-8")


def source_excerpt(problem: Problem, around: int = 2) -> str:
    """The offending source lines with a caret under the column, as compilers show them."""
    if not problem.line:
        return ""
    try:
        lines = Path(problem.file).read_text("utf-8", errors="replace").split("\n")
    except OSError:
        return ""
    first = max(1, problem.line - around)
    last = min(len(lines), problem.line + around)
    width = len(str(last))
    out = []
    for number in range(first, last + 1):
        out.append(f"{number:>{width}} | {lines[number - 1]}")
        if number == problem.line and problem.col:
            out.append(" " * width + " | " + " " * (problem.col - 1) + "^")
    return "\n".join(out)


def format_problems(problems: list[Problem]) -> str:
    """What the terminal prints for a failed build: each message with its source lines."""
    blocks = []
    for problem in problems:
        excerpt = source_excerpt(problem)
        blocks.append(str(problem) + ("\n" + excerpt if excerpt else ""))
    return "\n".join(blocks)
