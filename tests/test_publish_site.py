"""Sitemap and robots.txt, redirects for renamed events, the link check, content schemas and `build.py new`."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import REPO, SITES, TEMPLATES, Project
from publish_support import Head, build_site, copy_fixture, edit

from explainer import content_schemas, schema, skeleton
from explainer.links import check_links

BASE = "https://example.org/fixture/"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    tmp = tmp_path_factory.mktemp("site")
    content = copy_fixture(tmp)
    edit(content / "timeline.yaml", "  tags: [un, sanctions]\n", "  tags: [un, sanctions]\n  aliases: [veto, panel-veto]\n")
    return build_site(content, tmp / "site")[1]


# -- sitemap.xml and robots.txt ---------------------------------------------------------------------


def test_sitemap_lists_every_page_and_no_redirect(site: dict[str, bytes]) -> None:
    root = ET.fromstring(site["sitemap.xml"])
    assert root.tag == f"{SITEMAP}urlset"
    urls = [u.findtext(f"{SITEMAP}loc") for u in root.findall(f"{SITEMAP}url")]
    pages = sorted(
        n for n in site if n.endswith(".html") and n not in ("404.html", "embed/index.html", "events/veto/index.html", "events/panel-veto/index.html")
    )
    assert sorted(urls) == sorted(BASE + n.removesuffix("index.html") for n in pages)
    assert urls == sorted(urls) and urls[0] == BASE
    assert BASE + "events/veto/" not in urls and BASE + "embed/" not in urls
    lastmod = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in root.findall(f"{SITEMAP}url")}
    assert lastmod[BASE] == "2024-12-17T10:30:00Z"
    assert lastmod[BASE + "events/treaty-month/"] == "2024-12-17T10:30:00Z"  # corrected
    assert lastmod[BASE + "events/treaty-signed/"] == "2024-12-16T09:00:00Z"  # published, never changed


def test_robots_txt_points_to_the_sitemap(site: dict[str, bytes]) -> None:
    assert site["robots.txt"] == f"User-agent: *\nAllow: /\n\nSitemap: {BASE}sitemap.xml\n".encode()


def test_canonical_and_favicon_on_every_page(site: dict[str, bytes]) -> None:
    for name in (n for n in site if n.endswith(".html")):
        head = Head(site[name].decode())
        canonical = [link["href"] for link in head.links if link.get("rel") == "canonical"]
        assert len(canonical) == 1 and canonical[0].startswith(BASE), name
        if "events/veto/" not in name and "events/panel-veto/" not in name and name != "embed/index.html":
            assert any(link.get("rel") == "icon" and link.get("type") == "image/svg+xml" for link in head.links), name


# -- renamed events -------------------------------------------------------------------------------


@pytest.mark.parametrize("alias", ["veto", "panel-veto"])
def test_an_old_event_address_redirects(site: dict[str, bytes], alias: str) -> None:
    head = Head(site[f"events/{alias}/index.html"].decode())
    assert head.one("refresh") == "0; url=../un-panel-veto/"
    assert [link["href"] for link in head.links if link.get("rel") == "canonical"] == [BASE + "events/un-panel-veto/"]
    assert head.one("robots") == "noindex"
    assert '<a href="../un-panel-veto/">Russia vetoes the UN sanctions panel</a>' in site[f"events/{alias}/index.html"].decode()


# -- the link check -------------------------------------------------------------------------------


def test_every_internal_link_of_the_fixture_resolves(site: dict[str, bytes]) -> None:
    report = check_links(site, BASE)
    assert report.problems == []
    assert report.checked > 300
    assert "https://www.tag24.com/world/russia/russia-and-north-korea-sign-major-new-deal-as-putin-and-kim-exchange-gushing-praise-3221890" in report.external


def test_broken_links_and_anchors_are_reported_where_they_are(site: dict[str, bytes]) -> None:
    files = dict(site)
    files["index.html"] = files["index.html"].replace(b'href="quotes/"', b'href="quote/"', 1)
    files["events/treaty-month/index.html"] = (
        b'<p>\n  <a href="../treaty-signed/#nowhere">x</a> <a href="../../../up/">y</a> <a href="../treaty-signed">z</a></p>'
    )
    files["404.html"] = b'<a href="/elsewhere/">a</a> <a href="/fixture/sources/#s04">b</a>'
    messages = [str(p) for p in check_links(files, BASE).problems]
    assert any(m.startswith("site/index.html:") and "link 'quote/' points to quote/index.html, which the site does not have" in m for m in messages)
    assert (
        "site/events/treaty-month/index.html:2:3: link '../treaty-signed/#nowhere' points to #nowhere, which events/treaty-signed/index.html does not have"
        in " ".join(m.split(" (")[0] for m in messages)
    )
    assert any("'../../../up/' leads outside the site's folder" in m for m in messages)
    assert any("'../treaty-signed' names the folder events/treaty-signed without a final '/'" in m for m in messages)
    assert any(m.startswith("site/404.html:1:1: link '/elsewhere/' leads outside") for m in messages)
    assert not any("#s04" in m for m in messages)  # the sources page has that id


def test_check_links_command(project: Project) -> None:
    run = project.run("check", "--links")
    assert run.code == 0, run.err
    assert "every internal link and #anchor resolves" in run.out
    assert "external links, listed and not fetched (1):\n  https://example.com/report  (" in run.out
    project.write("pages/about.md", "---\ntitle: About\norder: 1\n---\n\nSee [the people](../peoples/) and [a section](../#nowhere).\n")
    run = project.run("check", "--links")
    assert run.code == 1
    assert "site/about/index.html:" in run.err and "link '../peoples/' points to peoples/index.html" in run.err
    assert "link '../#nowhere' points to #nowhere, which index.html does not have" in run.err
    assert "Traceback" not in run.err
    assert project.run("build", "--links").code == 2


# -- content schemas ------------------------------------------------------------------------------


def test_committed_schemas_are_up_to_date() -> None:
    committed = {p.name: p.read_bytes() for p in sorted((REPO / "schemas").glob("*.json"))}
    assert committed == content_schemas.all_schemas(), "schemas/ is stale: run `python build.py schema` and commit schemas/"


class _NoDates(yaml.SafeLoader):
    """YAML as editors read it for the schema check: dates stay text, as our reader keeps them."""


_NoDates.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@pytest.mark.parametrize("folder", [REPO / "content", SITES / "basic" / "content"], ids=["content", "basic"])
def test_each_content_file_names_its_schema_and_is_valid(folder: Path) -> None:
    for name in content_schemas.FILES:
        path = folder / f"{name}.yaml"
        first = path.read_text("utf-8").splitlines()[0]
        assert first == content_schemas.comment_line(path, REPO / "schemas"), path
        target = (path.parent / first.removeprefix(content_schemas.COMMENT)).resolve()
        assert target == (REPO / "schemas" / f"{name}.schema.json").resolve()
        document = yaml.load(path.read_text("utf-8"), Loader=_NoDates)
        jsonschema.Draft7Validator(json.loads(target.read_text("utf-8"))).validate(document)


def test_the_schemas_come_from_the_field_tables() -> None:
    timeline = json.loads(content_schemas.all_schemas()["timeline.schema.json"])
    event = timeline["items"]
    assert list(event["properties"]) == [f.name for f in schema.EVENT.fields]
    assert event["required"] == [f.name for f in schema.EVENT.fields if f.required]
    assert event["additionalProperties"] is False
    claim = event["properties"]["claims"]["items"]
    assert claim["properties"]["status"]["enum"] == list(schema.STATUSES)
    site = json.loads(content_schemas.all_schemas()["site.schema.json"])
    assert site["type"] == "object" and site["properties"]["title"]["description"] == schema.SITE.field("title").doc
    validator = jsonschema.Draft7Validator(timeline)
    bad = [{"id": "Bad Id", "date": "2024-13", "title": "", "summary": "x", "phase": "p", "sources": [], "colour": "red"}]
    assert len(list(validator.iter_errors(bad))) >= 5


def test_schema_command_writes_the_schemas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, project: Project) -> None:
    monkeypatch.setattr(skeleton, "SCHEMAS", tmp_path / "schemas")
    run = project.run("schema")
    assert run.code == 0 and run.out == "schemas/: 9 files updated\n"
    assert {p.name for p in (tmp_path / "schemas").iterdir()} == set(content_schemas.all_schemas())
    assert project.run("schema").out == "schemas/: up to date\n"


# -- build.py new ---------------------------------------------------------------------------------


def test_new_writes_a_skeleton_that_builds_strictly_and_uses_every_field(project: Project) -> None:
    run = project.run("new", "fresh")
    assert run.code == 0, run.err
    assert "build it with: python build.py --content fresh" in run.out
    built = project.run("--content", "fresh", "--out", "fresh-site", "--strict")
    assert (built.code, built.err) == (0, "")
    assert (project.root / "fresh-site/events/agreement/index.html").is_file()  # the alias redirects
    assert project.run("check", "--links", "--content", "fresh").code == 0
    fresh = project.root / "fresh"
    for name, kind in content_schemas.FILES.items():
        path = fresh / f"{name}.yaml"
        assert path.read_text("utf-8").splitlines()[0] == content_schemas.comment_line(path.resolve(), REPO / "schemas")
        document = yaml.load(path.read_text("utf-8"), Loader=_NoDates)
        records = [document] if isinstance(document, dict) else document
        unused = _unused_fields(kind, records)
        assert not unused, f"{name}.yaml leaves out {unused}"
    pages = [yaml.safe_load(p.read_text("utf-8").split("---")[1]) for p in sorted((fresh / "pages").glob("*.md"))]
    assert not _unused_fields(schema.PAGE, pages)
    assert {"publication", "update", "correction", "clarification"} == {u["kind"] for u in yaml.safe_load((fresh / "updates.yaml").read_text())}


def _unused_fields(kind: schema.Kind, records: list[dict[str, object]]) -> set[str]:
    unused = {f.name for f in kind.fields} - {key for record in records for key in record}
    for spec in kind.fields:
        if spec.of is not None:
            nested = [item for r in records for item in (r.get(spec.name) if spec.many else [r.get(spec.name)]) or [] if isinstance(item, dict)]  # type: ignore[union-attr]
            unused |= {f"{spec.name}.{n}" for n in _unused_fields(spec.of, nested)} if nested else {spec.name}
    return unused


def test_new_refuses_a_folder_that_is_not_empty(project: Project) -> None:
    (project.root / "taken").mkdir()
    (project.root / "taken" / "notes.txt").write_text("mine")
    run = project.run("new", "taken")
    assert run.code == 2
    assert "taken exists and is not empty: nothing was written" in run.err
    assert [p.name for p in (project.root / "taken").iterdir()] == ["notes.txt"]
    assert project.run("new").code == 2
    (project.root / "empty").mkdir()
    assert project.run("new", "empty").code == 0


def test_new_with_other_templates(project: Project, tmp_path: Path) -> None:
    run = project.run("new", "other", "--templates", str(TEMPLATES))
    assert f"--templates {TEMPLATES}" in run.out
