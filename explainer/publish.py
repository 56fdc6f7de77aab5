"""`build.py publish`: put the built site on a branch of a git remote (GitHub Pages' gh-pages, say).

Only git itself is used, in a temporary repository of its own: the user's repository, index,
work tree and branches are never touched. The branch gets exactly the files of the output
folder (not the generator's manifest), plus `.nojekyll` (so GitHub Pages serves files as they
are) and, if asked, `CNAME`. A new commit is added on top of the branch as it is on the remote;
the push is never forced.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from .builder import Options, build
from .errors import ExplainerError, UsageError
from .links import check_links
from .output import MARKER
from .timestamps import rfc3339

#: What a publish adds beside the site's own files.
NOJEKYLL = ".nojekyll"
CNAME = "CNAME"

#: Used for the commit when git has no identity configured (a fresh machine, CI).
FALLBACK_NAME = "Explainer publisher"
FALLBACK_EMAIL = "publisher@explainer.invalid"

_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")
_STATUS = {"A": "add", "M": "change", "D": "delete", "T": "change"}
#: Variables that would point git at another repository than ours.
_GIT_LOCATIONS = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_COMMON_DIR")


class PublishError(ExplainerError):
    """git refused, or the remote could not be reached; nothing was pushed."""


@dataclass
class Outcome:
    """What a publish did, or would do with --dry-run."""

    remote: str
    branch: str
    changes: list[tuple[str, str]] = field(default_factory=list)  # (add|change|delete, path)
    commit: str = ""
    pushed: bool = False
    new_branch: bool = False

    def summary(self) -> str:
        where = f"{self.remote} branch {self.branch}"
        if not self.changes:
            return f"nothing to publish: {where} already has this site"
        counts = {verb: sum(1 for v, _ in self.changes if v == verb) for verb in ("add", "change", "delete")}
        numbers = ", ".join(f"{n} to {verb}" for verb, n in counts.items() if n)
        if self.pushed:
            return f"published to {where}: commit {self.commit[:12]} ({numbers})"
        return f"dry run: {where} would get {numbers}" + (" (a new branch)" if self.new_branch else "")


def check_arguments(remote: str, branch: str, cname: str) -> None:
    """Refuse a remote, branch or CNAME that git or a host would misread."""
    if not remote or remote.startswith("-") or any(c.isspace() or ord(c) < 32 for c in remote):
        raise UsageError(f"--remote '{remote}' is not a git remote address (a URL or a path, not starting with '-')")
    if not branch or branch.startswith("-") or subprocess.run(["git", "check-ref-format", "--branch", branch], capture_output=True, check=False).returncode:
        raise UsageError(f"--branch '{branch}' is not a valid git branch name")
    if cname and not _HOST.fullmatch(cname):
        raise UsageError(f"--cname '{cname}' is not a host name (like news.example.org)")


def publish(
    site: Path,
    remote: str,
    branch: str = "gh-pages",
    *,
    cname: str = "",
    message: str = "Publish the explainer",
    dry_run: bool = False,
    say: Callable[[str], None] = print,
) -> Outcome:
    """Commit the files of `site` on top of `branch` of `remote` and push, or with dry_run only say what would change."""
    if shutil.which("git") is None:
        raise PublishError("git is not installed: install it to publish")
    check_arguments(remote, branch, cname)
    if Path(remote).exists():  # a local path: git runs in the site folder, so make it absolute
        remote = str(Path(remote).resolve())
    if not (site / MARKER).is_file():
        raise PublishError(f"{site} is not a site built by this generator: build it first")
    outcome = Outcome(remote, branch)
    with tempfile.TemporaryDirectory(prefix="explainer-publish-") as scratch:
        git = _Git(Path(scratch), site)
        git.run("init", "--quiet", "--bare", str(Path(scratch) / "repo.git"), env_dir=False)
        parent = git.fetch_branch(remote, branch)
        outcome.new_branch = parent is None
        tree = git.stage(site, {NOJEKYLL: b"", **({CNAME: f"{cname}\n".encode()} if cname else {})})
        outcome.changes = git.changes(parent, tree)
        if dry_run:
            for verb, path in outcome.changes:
                say(f"  {verb:<6} {path}")
        if not outcome.changes or dry_run:
            return outcome
        outcome.commit = git.commit(tree, parent, message)
        git.run("push", "--quiet", remote, f"{outcome.commit}:refs/heads/{branch}", what=f"push to {remote}")
        outcome.pushed = True
    return outcome


class _Git:
    """git commands on a temporary bare repository and index, with the site folder as work tree."""

    def __init__(self, scratch: Path, site: Path) -> None:
        self.repo = scratch / "repo.git"
        self.site = site.resolve()
        env = {k: v for k, v in os.environ.items() if k not in _GIT_LOCATIONS}
        env.update(GIT_DIR=str(self.repo), GIT_INDEX_FILE=str(scratch / "index"), GIT_WORK_TREE=str(self.site))
        self.env = env

    def run(self, *args: str, env_dir: bool = True, input: bytes = b"", what: str = "", extra: dict[str, str] | None = None) -> str:
        # Bytes are stored as they are: no line-ending conversion, whatever the user's git config says.
        command = ["git", "-c", "core.autocrlf=false", "-c", "core.safecrlf=false", "-c", "core.fileMode=true", *args]
        env = {**self.env, **(extra or {})} if env_dir else {k: v for k, v in self.env.items() if k not in _GIT_LOCATIONS}
        done = subprocess.run(command, input=input, capture_output=True, env=env, cwd=self.site, check=False)
        if done.returncode:
            detail = done.stderr.decode("utf-8", "replace").strip() or done.stdout.decode("utf-8", "replace").strip()
            raise PublishError(f"git could not {what or args[0]}: {detail}")
        return done.stdout.decode("utf-8", "replace").strip()

    def fetch_branch(self, remote: str, branch: str) -> str | None:
        """The commit the remote branch points to (fetched), or None when the branch does not exist yet."""
        ref = f"refs/heads/{branch}"
        listed = self.run("ls-remote", remote, ref, what=f"reach the remote {remote}")
        if not any(line.split("\t")[-1] == ref for line in listed.splitlines()):
            return None
        self.run("fetch", "--quiet", "--no-tags", "--depth=1", remote, f"{ref}:refs/remotes/site/{branch}", what=f"fetch {branch} from {remote}")
        return self.run("rev-parse", "--verify", f"refs/remotes/site/{branch}^{{commit}}")

    def stage(self, site: Path, extra: dict[str, bytes]) -> str:
        """Index every file of the site (not the manifest) and the extra files; return the tree."""
        self.run("add", "--all", "--force", "--", ".", what=f"read the site in {site}")
        self.run("rm", "--cached", "--quiet", "--ignore-unmatch", "--", MARKER)
        for name, data in extra.items():
            blob = self.run("hash-object", "-w", "--stdin", input=data)
            self.run("update-index", "--add", "--cacheinfo", f"100644,{blob},{name}")
        return self.run("write-tree")

    def changes(self, parent: str | None, tree: str) -> list[tuple[str, str]]:
        """What the new tree changes on the branch: (add|change|delete, path), by path."""
        if parent is None:
            return [("add", path) for path in self.run("ls-tree", "-r", "--name-only", "-z", tree).split("\0") if path]
        listed = self.run("diff-tree", "-r", "--no-renames", "--name-status", "-z", f"{parent}^{{tree}}", tree).split("\0")
        pairs = [(_STATUS.get(listed[i][:1], "change"), listed[i + 1]) for i in range(0, len(listed) - 1, 2) if listed[i]]
        return sorted(pairs, key=lambda p: p[1])

    def commit(self, tree: str, parent: str | None, message: str) -> str:
        """A commit of the tree on top of parent, with the user's git identity or a stand-in."""
        identity: dict[str, str] = {}
        for role in ("AUTHOR", "COMMITTER"):
            for part, key, fallback in (("NAME", "user.name", FALLBACK_NAME), ("EMAIL", "user.email", FALLBACK_EMAIL)):
                variable = f"GIT_{role}_{part}"
                if not os.environ.get(variable):
                    identity[variable] = self._config(key) or fallback
        arguments = ["commit-tree", tree, "-m", message]
        if parent:
            arguments += ["-p", parent]
        return self.run(*arguments, extra=identity, what="make the commit")

    def _config(self, key: str) -> str:
        try:
            return self.run("config", "--get", key)
        except PublishError:
            return ""


def publish_site(
    options: Options, remote: str, branch: str = "gh-pages", *, cname: str = "", dry_run: bool = False, say: Callable[[str], None] = print
) -> Outcome:
    """Build strictly (warnings are errors, drafts refused), check every internal link, then publish the output folder."""
    if options.drafts:
        raise UsageError("--drafts cannot be published: draft events are for previews")
    check_arguments(remote, branch, cname)
    result = build(replace(options, strict=True), write=True)
    report = check_links(result.files, result.explainer.site.base_url, options.out.as_posix())
    if report.problems:
        lines = "\n".join(str(p) for p in report.problems)
        raise PublishError(f"{lines}\n{len(report.problems)} broken link{'s' if len(report.problems) != 1 else ''}: nothing was published")
    say(f"built {options.out}/: {result.summary()}")
    site = result.explainer.site
    stamp = f" (last update {rfc3339(result.explainer.modified)})" if result.explainer.modified else ""
    message = f"Publish {site.title}{stamp}\n\nBuilt by build.py publish from the explainer's content; the files are those of {options.out.name}/."
    return publish(options.out, remote, branch, cname=cname, message=message, dry_run=dry_run, say=say)
