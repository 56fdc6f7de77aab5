#!/usr/bin/env python3
"""Build, check or preview a news explainer: the command line only."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
REPORT = "this is a bug in the generator: please report it with the command you ran and the output of --verbose"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="build.py",
        description=(
            "Build a news explainer from content/ (YAML timelines, quotes, people, places, sources; "
            "Markdown pages) through templates/ into a static site in site/."
        ),
        epilog=(
            "commands:\n"
            "  build   (default) check everything, then write the site atomically\n"
            "  check   check everything, write nothing\n"
            "  serve   build, serve on http://127.0.0.1:8000/ and reload the browser on every save\n\n"
            "exit status: 0 ok, 1 content or template error, 2 usage error, 3 internal error\n"
            "docs: docs/content.md (writers), docs/maintainers.md"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", nargs="?", default="build", choices=["build", "check", "serve"], help="what to do (default: build)")
    parser.add_argument("--content", type=Path, default=Path("content"), metavar="DIR", help="content folder (default: content)")
    parser.add_argument("--templates", type=Path, default=Path("templates"), metavar="DIR", help="templates folder (default: templates)")
    parser.add_argument("--out", type=Path, default=Path("site"), metavar="DIR", help="output folder (default: site)")
    parser.add_argument("--base-url", default="", metavar="URL", help="override base_url from site.yaml (for canonical links)")
    parser.add_argument("--drafts", action="store_true", help="include events marked draft: true")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--verbose", "-v", action="store_true", help="show tracebacks for internal errors")
    parser.add_argument("--quiet", "-q", action="store_true", help="print only errors")
    parser.add_argument("--host", default="127.0.0.1", help="serve: address to bind (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=8000, help="serve: port (default: 8000)")
    parser.add_argument("--open", action="store_true", help="serve: open the site in a web browser")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from explainer.builder import Options, build
    from explainer.errors import ContentError, ExplainerError, UsageError

    if args.base_url:
        from explainer.schema import url_problem

        if not args.base_url.startswith(("http://", "https://")) or url_problem(args.base_url):
            print(f"build.py: error: --base-url '{args.base_url}' must be a full http(s) address", file=sys.stderr)
            return EXIT_USAGE
    options = Options(args.content, args.templates, args.out, args.base_url, args.drafts, args.strict)
    try:
        if args.command == "serve":
            from explainer.preview import serve

            return serve(options, host=args.host, port=args.port, open_browser=args.open, quiet=args.quiet)
        result = build(options, write=args.command == "build")
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        errors = sum(1 for p in exc.problems if not p.warning or args.strict)
        print(f"{errors} problem{'s' if errors != 1 else ''} found; nothing was written", file=sys.stderr)
        return EXIT_CONTENT
    except UsageError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ExplainerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONTENT
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if args.verbose:
            raise
        print(f"internal error: {type(exc).__name__}: {exc}\n{REPORT}", file=sys.stderr)
        return EXIT_INTERNAL
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    if not args.quiet:
        verb = "checked" if args.command == "check" else f"built {args.out}/:"
        print(f"{verb} {result.summary()}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
