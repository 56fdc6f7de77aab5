"""`build.py publish`: the site's exact bytes on a branch of a local bare repository, with git alone and no network."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import Project, tree

from explainer.output import MARKER


@pytest.fixture(autouse=True)
def no_git_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine where git knows nobody: no global or system config, no identity in the environment."""
    empty = tmp_path / "empty.gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def remote_files(remote: Path, branch: str = "gh-pages") -> dict[str, bytes]:
    """Every file on a branch of a bare repository, with its bytes."""
    names = git("--git-dir", str(remote), "ls-tree", "-r", "-z", "--name-only", branch).split("\0")
    return {
        name: subprocess.run(["git", "--git-dir", str(remote), "cat-file", "blob", f"{branch}:{name}"], check=True, capture_output=True).stdout
        for name in names
        if name
    }


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    path = tmp_path / "remote.git"
    git("init", "--quiet", "--bare", str(path))
    return path


def test_publish_puts_the_site_bytes_on_the_branch(project: Project, remote: Path) -> None:
    run = project.run("publish", "--remote", str(remote), "--cname", "news.example.org")
    assert run.code == 0, run.err
    assert f"published to {remote} branch gh-pages: commit" in run.out
    site = tree(project.site)
    site.pop(MARKER)
    on_branch = remote_files(remote)
    assert on_branch.pop(".nojekyll") == b""
    assert on_branch.pop("CNAME") == b"news.example.org\n"
    assert on_branch == site  # the same bytes, CRLF in the CSV files included
    assert b"\r\n" in on_branch["data/events.csv"]
    modes = {line.split()[0] for line in git("--git-dir", str(remote), "ls-tree", "-r", "gh-pages").splitlines()}
    assert modes == {"100644"}
    author = git("--git-dir", str(remote), "log", "-1", "--format=%an <%ae>|%s", "gh-pages")
    assert author == "Explainer publisher <publisher@explainer.invalid>|Publish Scratch explainer (last update 2024-12-16T09:00:00Z)"


def test_publishing_again_adds_a_commit_only_for_a_change(project: Project, remote: Path) -> None:
    assert project.run("publish", "--remote", str(remote)).code == 0
    first = git("--git-dir", str(remote), "rev-parse", "gh-pages")
    run = project.run("publish", "--remote", str(remote))
    assert run.code == 0 and "nothing to publish" in run.out
    assert git("--git-dir", str(remote), "rev-parse", "gh-pages") == first

    project.write("timeline.yaml", (project.content / "timeline.yaml").read_text().replace("Something happens", "Something else happens"))
    dry = project.run("publish", "--remote", str(remote), "--dry-run")
    assert dry.code == 0, dry.err
    assert "  change events/first/index.html" in dry.out and "  change feed.xml" in dry.out
    assert "dry run: " in dry.out and "would get" in dry.out
    assert git("--git-dir", str(remote), "rev-parse", "gh-pages") == first  # nothing pushed

    assert project.run("publish", "--remote", str(remote)).code == 0
    assert git("--git-dir", str(remote), "rev-parse", "gh-pages^") == first  # on top, never forced
    assert b"Something else happens" in remote_files(remote)["events/first/index.html"]


def test_a_dry_run_on_a_new_branch_lists_every_file(project: Project, remote: Path) -> None:
    run = project.run("publish", "--remote", str(remote), "--branch", "site", "--dry-run")
    assert run.code == 0, run.err
    assert "  add    index.html" in run.out and "  add    .nojekyll" in run.out and "(a new branch)" in run.out
    assert git("--git-dir", str(remote), "branch", "--list") == ""


def test_publish_keeps_what_the_branch_had_as_history(project: Project, remote: Path, tmp_path: Path) -> None:
    work = tmp_path / "elsewhere"
    git("init", "--quiet", "-b", "gh-pages", str(work))
    (work / "old.html").write_text("old")
    git("add", "old.html", cwd=work)
    git("-c", "user.name=A", "-c", "user.email=a@example.org", "commit", "--quiet", "-m", "old site", cwd=work)
    git("push", "--quiet", str(remote), "gh-pages", cwd=work)
    old = git("--git-dir", str(remote), "rev-parse", "gh-pages")
    assert project.run("publish", "--remote", str(remote)).code == 0
    assert git("--git-dir", str(remote), "rev-parse", "gh-pages^") == old
    assert "old.html" not in remote_files(remote)  # the branch holds exactly the new site


def test_publish_never_touches_the_users_repository(project: Project, remote: Path) -> None:
    git("init", "--quiet", "-b", "main", str(project.root))
    git("add", "content", cwd=project.root)
    git("-c", "user.name=A", "-c", "user.email=a@example.org", "commit", "--quiet", "-m", "content", cwd=project.root)
    (project.root / "notes.txt").write_text("not committed")

    def state() -> tuple[str, set[str], str, str]:
        status = set(git("status", "--porcelain", "--untracked-files=all", cwd=project.root).splitlines())
        status = {line for line in status if not line.startswith(("?? site/", "?? remote.git/"))}  # the build, and the remote itself
        return git("rev-parse", "HEAD", cwd=project.root), status, git("branch", "-a", cwd=project.root), git("stash", "list", cwd=project.root)

    before = state()
    assert project.run("publish", "--remote", str(remote)).code == 0
    assert state() == before
    assert not (project.root / ".git" / "index.lock").exists()


def test_publish_refuses_a_build_with_warnings(project: Project, remote: Path) -> None:
    people = (project.content / "people.yaml").read_text()
    project.write("people.yaml", people + "- id: bob\n  name: Bob\n  role: Nobody\n  kind: person\n")
    assert project.run("build").code == 0  # a warning only, without --strict
    run = project.run("publish", "--remote", str(remote))
    assert run.code == 1
    assert "person 'bob' is not referenced" in run.err
    assert git("--git-dir", str(remote), "branch", "--list") == ""


def test_publish_refuses_broken_links(project: Project, remote: Path) -> None:
    project.write("pages/about.md", "---\ntitle: About\norder: 1\n---\n\nSee [nothing](../nothing/).\n")
    run = project.run("publish", "--remote", str(remote))
    assert run.code == 1
    assert "link '../nothing/' points to nothing/index.html" in run.err and "nothing was published" in run.err
    assert git("--git-dir", str(remote), "branch", "--list") == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "publish needs a git remote: pass --remote URL or set publish_remote in site.yaml"),
        (("--remote=-x",), "is not a git remote address"),
        (("--remote", "REMOTE", "--branch", "bad..name"), "is not a valid git branch name"),
        (("--remote", "REMOTE", "--cname", "not a host"), "is not a host name"),
        (("--remote", "REMOTE", "--drafts"), "--drafts cannot be published"),
    ],
)
def test_publish_usage_errors(project: Project, remote: Path, args: tuple[str, ...], message: str) -> None:
    run = project.run("publish", *(str(remote) if a == "REMOTE" else a for a in args))
    assert run.code == 2, run.err
    assert message in run.err
    assert not project.site.exists()


def test_an_unreachable_remote_is_an_error_without_traceback(project: Project, tmp_path: Path) -> None:
    run = project.run("publish", "--remote", str(tmp_path / "no-such-repo.git"))
    assert run.code == 1
    assert "error: git could not reach the remote" in run.err
    assert "Traceback" not in run.err


def test_publish_takes_the_remote_from_site_yaml(project: Project, remote: Path) -> None:
    site = project.root / "content/site.yaml"
    site.write_text(site.read_text("utf-8") + f"publish_remote: {remote}\n", "utf-8")
    run = project.run("publish")
    assert run.code == 0, run.err
    listing = subprocess.run(["git", "--git-dir", str(remote), "ls-tree", "-r", "--name-only", "gh-pages"], capture_output=True, text=True, check=True).stdout
    assert "index.html" in listing.split()
