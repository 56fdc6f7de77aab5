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
            "  check   check everything, write nothing; with --links, also every internal link and #anchor\n"
            "  serve   build, serve on http://127.0.0.1:8000/ and reload the browser on every save\n"
            "  schema  write the content files' JSON Schemas into schemas/, for editors\n"
            "  new DIR write a new explainer's content into DIR, which must be new or empty\n"
            "  publish build with --strict, check links, push the site to a git branch:\n"
            "          publish --remote URL [--branch gh-pages] [--cname HOST] [--dry-run]\n\n"
            "exit status: 0 ok, 1 content or template error, 2 usage error, 3 internal error\n"
            "docs: docs/content.md (writers), docs/publishing.md (publishing), docs/maintainers.md"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = ["build", "check", "serve", "schema", "new", "publish"]
    parser.add_argument("command", nargs="?", default="build", choices=commands, help="what to do (default: build)")
    parser.add_argument("folder", nargs="?", type=Path, metavar="DIR", help="new: the folder for the new explainer's content")
    parser.add_argument("--content", type=Path, default=Path("content"), metavar="DIR", help="content folder (default: content)")
    parser.add_argument("--templates", type=Path, default=Path("templates"), metavar="DIR", help="templates folder (default: templates)")
    parser.add_argument("--out", type=Path, default=Path("site"), metavar="DIR", help="output folder (default: site)")
    parser.add_argument("--base-url", default="", metavar="URL", help="override base_url from site.yaml (for canonical links)")
    parser.add_argument("--force", action="store_true", help="build even if nothing changed since the last build")
    parser.add_argument("--drafts", action="store_true", help="include events marked draft: true")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--jobs", "-j", type=int, default=0, metavar="N", help="processes that render pages (default: one per core, at most 4)")
    parser.add_argument("--verbose", "-v", action="store_true", help="show tracebacks for internal errors")
    parser.add_argument("--quiet", "-q", action="store_true", help="print only errors and warnings")
    parser.add_argument("--host", default="127.0.0.1", help="serve: address to bind (default: 127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=8000, help="serve: port (default: 8000)")
    parser.add_argument("--open", action="store_true", help="serve: open the site in a web browser")
    parser.add_argument("--links", action="store_true", help="check: also check every internal link and #anchor of the built site")
    parser.add_argument("--remote", default="", metavar="URL", help="publish: the git remote to push to (a URL or a path)")
    parser.add_argument("--branch", default="gh-pages", help="publish: the branch to push to (default: gh-pages)")
    parser.add_argument("--cname", default="", metavar="HOST", help="publish: also write a CNAME file naming this host (GitHub Pages)")
    parser.add_argument("--dry-run", action="store_true", help="publish: show what would change on the branch, push nothing")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from explainer.builder import Options, build, build_if_changed
    from explainer.errors import ContentError, ExplainerError, UsageError

    if args.base_url:
        from explainer.schema import url_problem

        if not args.base_url.startswith(("http://", "https://")) or url_problem(args.base_url):
            print(f"build.py: error: --base-url '{args.base_url}' must be a full http(s) address", file=sys.stderr)
            return EXIT_USAGE
    if args.jobs < 0:
        print("build.py: error: --jobs must be 0 (one per core) or more", file=sys.stderr)
        return EXIT_USAGE
    options = Options(args.content, args.templates, args.out, args.base_url, args.drafts, args.strict, args.jobs)
    try:
        if args.command == "serve":
            from explainer.preview import serve

            return serve(options, host=args.host, port=args.port, open_browser=args.open, quiet=args.quiet)
        if (args.folder is not None and args.command != "new") or (args.links and args.command != "check"):
            raise UsageError("a folder goes only with 'new', and --links only with 'check'")
        if args.command == "schema":
            from explainer.content_schemas import write_schemas
            from explainer.skeleton import SCHEMAS

            changed = write_schemas(SCHEMAS)
            if not args.quiet:
                print(f"schemas/: {len(changed)} file{'s' if len(changed) != 1 else ''} updated" if changed else "schemas/: up to date")
            return EXIT_OK
        if args.command == "new":
            from explainer.skeleton import new_site

            if args.folder is None:
                raise UsageError("new needs a folder: python build.py new DIR")
            written = new_site(args.folder)
            templates = f" --templates {args.templates}" if args.templates != Path("templates") else ""
            if not args.quiet:
                print(f"wrote {len(written)} files into {args.folder}/; build it with: python build.py --content {args.folder}{templates} --strict")
            return EXIT_OK
        if args.command == "publish":
            from explainer.publish import publish_site

            remote = args.remote
            if not remote:
                from explainer.builder import Session

                remote = Session(options).load()[0].site.publish_remote
            if not remote:
                raise UsageError("publish needs a git remote: pass --remote URL or set publish_remote in site.yaml")
            say = (lambda text: None) if args.quiet else print
            say(publish_site(options, remote, args.branch, cname=args.cname, dry_run=args.dry_run, say=say).summary())
            return EXIT_OK
        from explainer.progress import Progress, TerminalProgress

        progress = Progress() if args.quiet else TerminalProgress()
        if args.command == "build":
            summary, warnings = build_if_changed(options, force=args.force, progress=progress)
        else:
            result = build(options, write=False, progress=progress)
            summary, warnings = result.summary(), result.warnings
            if args.links:
                from explainer.links import verify_links

                verify_links(result.files, result.explainer.site.base_url, args.out.as_posix(), (lambda text: None) if args.quiet else print)
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        errors = sum(1 for p in exc.problems if not p.warning or args.strict)
        warnings = len(exc.problems) - errors
        also = f" (and {warnings} warning{'s' if warnings != 1 else ''})" if warnings else ""
        print(f"{errors} problem{'s' if errors != 1 else ''} found{also}; nothing was written", file=sys.stderr)
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
            import traceback

            traceback.print_exc()
        print(f"internal error: {type(exc).__name__}: {exc}\n{REPORT}", file=sys.stderr)
        return EXIT_INTERNAL
    for warning in warnings:
        print(warning, file=sys.stderr)
    if not args.quiet:
        verb = "checked" if args.command == "check" else f"built {args.out}/:"
        print(f"{verb} {summary}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
