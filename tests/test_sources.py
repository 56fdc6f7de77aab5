"""Reading content files: every value located, YAML read the way writers expect, what PyYAML would accept silently refused."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from explainer.errors import Problem
from explainer.sources import Node, is_editor_temp, parse_yaml, read_content, read_markdown, read_text, read_yaml, relative_name


def parse(text: str, first_line: int = 1) -> tuple[Node | None, list[str]]:
    problems: list[Problem] = []
    root = parse_yaml(text, "f.yaml", problems, first_line)
    return root, [str(p) for p in problems]


def plain(node: Node | None) -> object:
    """A Node tree as plain Python values."""
    assert node is not None
    if isinstance(node.value, dict):
        return {k: plain(v) for k, v in node.value.items()}
    if isinstance(node.value, list):
        return [plain(v) for v in node.value]
    return node.value


def test_every_value_keeps_its_line_and_column() -> None:
    root, problems = parse("- id: first\n  sources: [s1, s22]\n  claims:\n    - by: ann\n")
    assert problems == []
    assert root is not None
    event = root.value[0]
    assert (event.line, event.col) == (1, 3)
    assert (event.value["id"].line, event.value["id"].col) == (1, 7)
    assert [(s.value, s.line, s.col) for s in event.value["sources"].value] == [("s1", 2, 13), ("s22", 2, 17)]
    by = event.value["claims"].value[0].value["by"]
    assert (by.value, by.line, by.col, by.file) == ("ann", 4, 11, "f.yaml")
    assert event.keys is not None and (event.keys["claims"].line, event.keys["claims"].col) == (3, 3)


def test_lines_count_from_the_first_line_of_front_matter() -> None:
    root, _ = parse("title: About\norder: x\n", first_line=2)
    assert root is not None and root.value["order"].line == 3


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("NO", "NO"),
        ("yes", "yes"),
        ("off", "off"),
        ("12:30", "12:30"),
        ("2024-06-19", "2024-06-19"),
        ("0x1F", "0x1F"),
        ("true", True),
        ("False", False),
        ("~", None),
        ("", None),
        ("42", 42),
        ("-3", -3),
        ("39.02", 39.02),
        ("1e3", 1000.0),
        ("'NO'", "NO"),
        ('"42"', "42"),
    ],
)
def test_plain_scalars_follow_yaml_12_not_yaml_11(text: str, value: object) -> None:
    root, problems = parse(f"v: {text}\n")
    assert problems == []
    assert plain(root) == {"v": value}


@pytest.mark.parametrize(
    ("text", "reading"),
    [("NO", "a boolean"), ("on", "a boolean"), ("y", "a boolean"), ("12:30", "a number"), ("1_000", "a number"), ("2024-06-19", "a date"), ("42", "a number")],
)
def test_yaml11_reading_of_unquoted_text(text: str, reading: str) -> None:
    root, _ = parse(f"v: {text}\n")
    assert root is not None and root.value["v"].yaml11_reading() == reading


@pytest.mark.parametrize("text", ["Pyongyang", "'NO'", '"12:30"', "June 19"])
def test_text_that_yaml11_reads_as_text(text: str) -> None:
    root, _ = parse(f"v: {text}\n")
    assert root is not None and root.value["v"].yaml11_reading() is None


def test_key_given_twice_keeps_the_first_and_says_where() -> None:
    root, problems = parse("a: 1\nb: 2\na: 3\n")
    assert problems == ["f.yaml:3:1: key 'a' is given twice in one mapping (first on line 1) (keep one of them; YAML would silently keep the last)"]
    assert plain(root) == {"a": 1, "b": 2}


def test_same_key_in_two_mappings_is_fine() -> None:
    _, problems = parse("- id: a\n- id: b\n")
    assert problems == []


def test_billion_laughs_is_not_expanded() -> None:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"{chr(97 + n)}: &{chr(97 + n)} [{', '.join(['*' + chr(96 + n)] * 9)}]" for n in range(1, 9)]
    started = time.perf_counter()
    root, problems = parse("\n".join(lines) + "\n")
    assert time.perf_counter() - started < 1.0
    assert len(problems) == 9 + 8 * 9
    assert problems[0] == "f.yaml:1:4: YAML anchors ('&a') are not allowed in content (write the value out in full)"
    # Each alias stands for nothing, once: the tree has 9 keys with 9 items each, not 9**9 strings.
    tree = plain(root)
    assert isinstance(tree, dict) and sum(len(v) for v in tree.values()) == 81


def test_alias_placeholder_is_marked_refused() -> None:
    root, _ = parse("a: &x 1\nb: *x\n")
    assert root is not None and root.value["b"].refused and root.value["b"].value is None


@pytest.mark.parametrize(
    "text",
    ["a:\n\t- b\n", "a: [\n\t1]\n", "a: 1\n\t\nb: 2\n", "a:\n  b: 1\n  \tc: 2\n"],
    ids=["block", "flow (libyaml accepts it)", "blank line", "after spaces"],
)
def test_tab_in_indentation_is_refused_wherever_it_is(text: str) -> None:
    root, problems = parse(text)
    assert root is None
    assert problems and all("a tab is used for indentation" in p for p in problems)


@pytest.mark.parametrize("style", ["|", ">", "|-", ">+"])
def test_tab_inside_block_text_is_kept(style: str) -> None:
    root, problems = parse(f"body: {style}\n  first\n  \tindented with a tab\nnext: 1\n")
    assert problems == []
    body = plain(root)["body"]  # type: ignore[index]
    assert body.startswith("first\n\tindented with a tab")


def test_tab_after_a_value_is_not_indentation() -> None:
    root, problems = parse("a:\tb\nc: d\t# comment\n")
    assert problems == []
    assert plain(root) == {"a": "b", "c": "d"}


def test_unclosed_bracket_is_a_syntax_error_with_a_location() -> None:
    _, problems = parse("a: [1, 2\nb: 3\n")
    assert len(problems) == 1 and problems[0].startswith("f.yaml:2:")
    assert "YAML syntax error: while parsing a flow sequence" in problems[0]


def test_read_text_handles_bom_and_windows_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"\xef\xbb\xbftitle: A\r\ndek: B\r\n")
    problems: list[Problem] = []
    assert read_text(path, "a.yaml", problems) == "title: A\ndek: B\n"
    assert problems == []


def test_not_utf8_is_located_in_characters(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes("name: Ким \n".encode() + b"role: \xff\n")
    problems: list[Problem] = []
    assert read_text(path, "a.yaml", problems) is None
    assert [str(p) for p in problems] == ["a.yaml:2:7: file is not UTF-8 text (byte 0xff) (save the file as UTF-8)"]
    path.write_bytes("name: Ким \xff\n".encode("utf-8", "surrogateescape").replace(b"\xc3\xbf", b"\xff"))
    problems.clear()
    read_text(path, "a.yaml", problems)
    assert [(p.line, p.col) for p in problems] == [(1, 11)]  # after 'name: Ким ' (10 characters, 13 bytes)


def test_utf16_file_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("title: A\n", "utf-16")
    doc = read_yaml(path, "a.yaml")
    assert [str(p) for p in doc.problems] == ["a.yaml:1:1: file is not UTF-8 text (byte 0xff) (save the file as UTF-8)"]


def test_markdown_front_matter_and_body(tmp_path: Path) -> None:
    path = tmp_path / "about.md"
    path.write_text("---\ntitle: About\norder: 2\n---\nFirst line of the body.\n")
    doc = read_markdown(path, "pages/about.md")
    assert doc.problems == []
    assert plain(doc.root) == {"title": "About", "order": 2}
    assert doc.root is not None and doc.root.value["order"].line == 3
    assert (doc.body, doc.body_line) == ("First line of the body.\n", 5)


def test_markdown_with_empty_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "about.md"
    path.write_text("---\n---\nText.\n")
    assert [str(p) for p in read_markdown(path, "about.md").problems] == ["about.md:1:1: front matter is empty (add 'title:' and 'order:')"]


def test_read_content_reads_a_folder_of_files_in_name_order(tmp_path: Path) -> None:
    (tmp_path / "timeline").mkdir()
    for name in ("b.yaml", "a.yaml", "c.yml", ".hidden.yaml", "._a.yaml"):
        (tmp_path / "timeline" / name).write_text("- id: x\n")
    (tmp_path / "site.yaml").write_text("title: T\n")
    content = read_content(tmp_path, ("timeline",))
    assert [Path(d.path).name for d in content.lists["timeline"]] == ["a.yaml", "b.yaml"]


def test_read_content_warns_about_unknown_files_but_not_editor_files(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("title: T\n")
    for name in ("sources.yml", "notes.txt", "site.yaml~", ".site.yaml.swp", "#site.yaml#", ".DS_Store", "4913"):
        (tmp_path / name).write_text("x")
    problems = read_content(tmp_path, ("sources",)).problems
    assert [(Path(p.file).name, p.message, p.hint, p.warning) for p in problems] == [
        ("notes.txt", "file is not part of the content format and is ignored", "the generator reads: media, pages, site.yaml, sources, sources.yaml", True),
        ("sources.yml", "file is not part of the content format and is ignored", "did you mean 'sources.yaml'?", True),
    ]


@pytest.mark.parametrize("name", ["a.yaml~", ".a.yaml.swp", ".a.swx", "#a.yaml#", ".#a.yaml", "a.tmp", "4913", "~$a.md"])
def test_editor_temp_files(name: str) -> None:
    assert is_editor_temp(name)


@pytest.mark.parametrize("name", ["timeline.yaml", "notes.md", "swap.yaml"])
def test_real_files_are_not_editor_temp_files(name: str) -> None:
    assert not is_editor_temp(name)


def test_names_are_relative_to_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = tmp_path / "project" / "content"
    content.mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "project")
    assert relative_name(content / "timeline.yaml", content) == "content/timeline.yaml"
    monkeypatch.chdir(tmp_path.parent)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    monkeypatch.chdir(outside)
    assert relative_name(content / "timeline" / "a.yaml", content) == "content/timeline/a.yaml"
