"""Reading content files: every value located, YAML read the way writers expect, what PyYAML would accept silently refused."""

from __future__ import annotations

import contextlib
import gc
import re
import time
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explainer import sources
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


# Two ways to one tree (see explainer/sources.py): libyaml's composer when the text allows it,
# PyYAML's events otherwise. Each input below is read both ways and must give equal Nodes
# (value, line, column, plain, raw, keys) and equal problems, in the same order.

TRICKY = {
    # flow collections
    "flow mapping": "a: {b: 1, c: [x, y], 'd': \"e\", f: {}}\nb: []\n",
    "flow at the top": "{a: 1, b: {c: d}}\n",
    "flow sequence of everything": "[a, {b: c}, [d, [e]], 'f', 2, ~, true]\n",
    "pairs in a flow sequence": "[a: b, c, ? d : e]\n",
    "flow over lines": "a: [1,\n  2, {b: c,\n  d: e}]\n",
    "json": '{"a": 1, "b": [true, false, null], "c": "x", "d":2}\n',
    "duplicate in flow": "a: {b: 1, b: 2}\n",
    # block scalars and multi-line text with the characters that start anchors, aliases and tags
    "block scalar with & * !": "body: |\n  R & D, *stars*, !bang & more\n  - & not a list\n  &anchor-like\n  !tag-like\n  *alias-like\nnext: 1\n",
    "folded": "a: >-\n  folded\n\n  text &x\nb: |+\n  kept\n\nc: >2\n   indented\n",
    "plain over lines": "a: first\n  second & third\n  !bang\nb: c\n  d\n",
    "ampersands inside words": "title: R&D at AT&T\nurl: https://example.org/?a=1&b=2\nnote: Stop! Wow\n",
    "ampersand after a space": "title: Marks & Spencer\n",
    "star in text": "a: '*not an alias*'\nb: 2*3\nc: x *y\n",
    # quoting, keys and empty values
    "quoted keys": "'quoted key': 1\n\"double\": 2\n'it''s': \"esc \\\" \\t \\u00e9 \\n\"\n",
    "quoted and plain key collide": "1: a\n'1': b\n",
    "keys that are not text": "1: a\n-2: b\n0.5: c\n1e3: d\nnull: e\ntrue: f\nFalse: g\n0x1F: i\n'': j\n",
    "null keys collide": "~: a\nnull: b\n'': c\n",
    "float keys collide": "1.0: a\n1.00: b\ntrue: c\nTrue: d\n",
    "empty values": "a:\nb: ~\nc: ''\nd: \"\"\ne: null\nf: []\n",
    "empty items": "- \n- ~\n-\n- ''\n",
    "explicit key": "? a\n: b\n? c\n",
    "empty key": ": v\n",
    "mapping as key": "? [a, b]\n: c\n{d: 1}: 2\n? - e\n: f\n",
    "duplicates at two depths": "a: 1\nb:\n  c: 1\n  c: 2\na: 3\n",
    "duplicate with a mapping value": "a: x\na:\n  b: 1\n  b: 2\n",
    # nesting
    "nested lists": "- - - a\n    - b\n  - c\n- [[1, 2], [3]]\n- - {a: [b, {c: d}]}\n",
    "list of mappings": "- id: a\n  n: 1\n- id: b\n  n: 2\n  more:\n    - x\n",
    "deep flow": "[" * 150 + "]" * 150 + "\n",
    "deeper than Python recurses": "[" * 999 + "]" * 999 + "\n",
    # comments
    "comments": "# head &x !t *y\na: 1 # trailing & ! *\n# &x\nb: 'x # not a comment'\nc: d#e\n",
    # documents
    "second document": "a: 1\n---\nb: 2\n",
    "second document with a problem": "a: 1\n---\nb: *x\n",
    "explicit start and end": "--- \na: 1\n...\n",
    "scalar after ---": "--- a\n",
    "two empty documents": "---\n---\n",
    "directive": "%YAML 1.1\n---\na: 1\n",
    "tag directive": "%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n",
    "only a comment": "# nothing\n",
    "empty": "",
    "only ---": "---\n",
    # anchors and aliases, wherever they may stand
    "anchor and alias": "a: &x 1\nb: *x\n",
    "alias with no anchor": "a: *x\n",
    "aliases in flow": "[*x, *y]\n",
    "alias in a flow mapping": "{a: *x}\n",
    "alias on its own line": "a:\n  *x\n",
    "alias as a key": "*x : 1\n",
    "anchor on a mapping": "a: &x\n  b: 1\n",
    "anchor on a key": "&x a: 1\n",
    "anchor in a list": "- &x a\n- b\n",
    "anchor in flow": "[&x a, b]\n{&y a: b}\n",
    "anchor after a json key": '{"a":&x 1}\n',
    "anchor alone": "&x\n",
    "anchor after a BOM": "\ufeff&x a: 1\n",
    "anchor after a tab": "a:\t&x b\n",
    "anchor on an explicit key": "? &x a\n: b\n",
    "anchor after ---": "--- &x\na: 1\n",
    # tags
    "tag": "a: !!str 42\n",
    "non-specific tag": "a: ! 42\nb: ! 'x'\n",
    "tag on a list": "a: !t [1]\n",
    "tag alone": "!t\n",
    "tag in a list": "- !t {a: b}\n",
    "tag on a flow key": "{!t a: b}\n",
    "verbatim tag": "a: !<tag:yaml.org,2002:str> x\n",
    "tag after a json key": '{"a":!t 1}\n',
    # tabs, odd characters, syntax errors
    "tab in indentation": "a:\n\t- b\n",
    "tab in block text": "a: |\n  x\n  \ty\nb: 1\n",
    "tab after a value": "a:\tb\nc: d\t# comment\n",
    "tab in flow": "a: [\n\t1]\n",
    "control character": "a: \x01\n",
    "windows line ends": "a: 1\r\nb: [x, y]\r\n",
    "bom": "\ufeffa: 1\n",
    "wide characters": "Ким: [a, b]\n東京: {c: 'd'}\n",
    "unclosed bracket": "a: [1, 2\nb: 3\n",
    "unclosed quote": "a: 'x\n",
    "mapping in a plain value": "a: b: c\n",
    "list then mapping": "- a\nb: c\n",
    "bad indentation": "a:\n  b: 1\n c: 2\n",
}


@contextlib.contextmanager
def fast_path_off() -> Iterator[None]:
    with mock.patch.object(sources, "_Composer", None):
        yield


def flat(root: Node | None) -> list[tuple[object, ...]]:
    """Every Node of a tree (keys too) with all its fields, in document order: compared without recursion, shown line by line."""
    rows: list[tuple[object, ...]] = []
    stack: list[tuple[str, Node | None]] = [("", root)]
    while stack:
        where, node = stack.pop()
        if node is None:
            rows.append((where, None))
            continue
        value = node.value
        children: list[tuple[str, Node | None]] = []
        if isinstance(value, dict):
            assert node.keys is not None and list(node.keys) == list(value)
            for name, item in value.items():
                children += [(f"{where}/key {name!r}", node.keys[name]), (f"{where}/{name!r}", item)]
            value = "{...}"
        elif isinstance(value, list):
            children = [(f"{where}/{n}", item) for n, item in enumerate(value)]
            value = "[...]"
        rows.append((where, type(node.value).__name__, repr(value), node.file, node.line, node.col, node.plain, node.refused, node.raw, node.keys is None))
        stack.extend(reversed(children))
    return rows


def read_both_ways(text: str, first_line: int = 1) -> tuple[tuple[list[tuple[object, ...]], list[Problem]], tuple[list[tuple[object, ...]], list[Problem]]]:
    """parse_yaml as it runs (the fast path when the text allows), and by the event path only."""
    fast_problems: list[Problem] = []
    fast = parse_yaml(text, "f.yaml", fast_problems, first_line)
    event_problems: list[Problem] = []
    with fast_path_off():
        events = parse_yaml(text, "f.yaml", event_problems, first_line)
    return (flat(fast), fast_problems), (flat(events), event_problems)


@pytest.mark.parametrize("first_line", [1, 2])
@pytest.mark.parametrize("text", TRICKY.values(), ids=TRICKY.keys())
def test_both_paths_give_the_same_tree_and_problems(text: str, first_line: int) -> None:
    fast, events = read_both_ways(text, first_line)
    assert fast == events


FAST = [
    "flow mapping",
    "flow sequence of everything",
    "pairs in a flow sequence",
    "json",
    "duplicate in flow",
    "ampersands inside words",
    "quoted keys",
    "quoted and plain key collide",
    "keys that are not text",
    "null keys collide",
    "float keys collide",
    "empty values",
    "mapping as key",
    "duplicates at two depths",
    "duplicate with a mapping value",
    "nested lists",
    "deep flow",
    "explicit start and end",
    "directive",
    "empty",
    "windows line ends",
    "wide characters",
]


@pytest.mark.parametrize("name", FAST)
def test_the_fast_path_reads_plain_content(name: str) -> None:
    """The comparison above is not idle: these inputs do take the fast path."""
    assert sources._parse_composed(TRICKY[name], "f.yaml", 0) is not None


@pytest.mark.parametrize("name", ["comments", "folded", "plain over lines", "ampersand after a space", "block scalar with & * !"])
def test_an_ampersand_or_bang_after_a_space_takes_the_event_path_even_in_text(name: str) -> None:
    """The look at the text is cautious: it cannot tell a comment or a string from a node's start."""
    assert sources._parse_composed(TRICKY[name], "f.yaml", 0) is None


@pytest.mark.parametrize("name", [n for n in TRICKY if n.startswith(("anchor", "alias", "tag", "non-specific", "verbatim", "second", "two empty"))])
def test_the_fast_path_leaves_anchors_aliases_tags_and_documents_to_the_event_path(name: str) -> None:
    assert sources._parse_composed(TRICKY[name], "f.yaml", 0) is None


REPO = Path(__file__).parent.parent


def content_files() -> list[Path]:
    """The default explainer's content and the test sites'."""
    paths = [*(REPO / "content").rglob("*"), *(REPO / "tests" / "sites").rglob("content/**/*")]
    return sorted(p for p in paths if p.suffix in (".yaml", ".md") and p.is_file())


@pytest.mark.parametrize("path", content_files(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_both_paths_read_every_content_file_the_same(path: Path) -> None:
    reader = read_markdown if path.suffix == ".md" else read_yaml
    fast = reader(path, path.name)
    with fast_path_off():
        events = reader(path, path.name)
    assert (fast.path, fast.problems, fast.body, fast.body_line) == (events.path, events.problems, events.body, events.body_line)
    assert flat(fast.root) == flat(events.root)
    assert fast.root is not None


#: Pieces of YAML lines, for documents that put anchors, aliases, tags, comments and quotes anywhere.
PREFIXES = ["", "- ", "a: ", "b: ", "? ", ": ", "- a: ", "--- ", "# ", "&x ", "!t ", "1: ", "'k': ", "x "]
VALUES = [
    "a", "R&D", "Stop!", "wow!!", "&x", "&x a", "*x", "!t", "! a", "!!str 1", "'q & !'", '"d *x"', "1", "-2", "0.5", "~", "null", "true",
    "", "x # c &y", "[a, &x b]", "[*x]", "{k: !t v}", "{a: 1, a: 2}", "{b: [c, d]}", "'it''s'", "|", "|\n  t & !u\n  *v", ">-", "a&b", "[", "}",
]  # fmt: skip


@settings(max_examples=300, derandomize=True, deadline=None, database=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(PREFIXES), st.sampled_from(VALUES)), max_size=8))
def test_both_paths_agree_on_generated_documents(lines: list[tuple[int, str, str]]) -> None:
    text = "".join(f"{'  ' * indent}{prefix}{value}\n" for indent, prefix, value in lines)
    fast, events = read_both_ways(text)
    assert fast == events


def old_resolve(raw: str) -> object:
    """_resolve as it was before it was made faster."""
    if raw in {"", "~", "null", "Null", "NULL"}:
        return None
    if raw in {"true", "True", "TRUE"}:
        return True
    if raw in {"false", "False", "FALSE"}:
        return False
    if re.fullmatch(r"[-+]?[0-9]+", raw):
        return int(raw)
    if re.fullmatch(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?", raw):
        return float(raw)
    return raw


@settings(max_examples=500, derandomize=True, deadline=None, database=None)
@given(st.text("0123456789+-.eExnulTruefalsNF~ ", max_size=8) | st.sampled_from(["null", "NULL", "True", "FALSE", "~", "", ".5", "1.", "+1e-3"]))
def test_resolve_reads_plain_scalars_as_before(raw: str) -> None:
    value = sources._resolve(raw)
    assert (type(value), value) == (type(old_resolve(raw)), old_resolve(raw))


def test_parsing_leaves_the_garbage_collector_as_it_found_it() -> None:
    assert gc.isenabled()
    parse_yaml("a: [1, 2]\n", "f.yaml", [])
    parse_yaml("a: &x 1\n", "f.yaml", [])
    assert gc.isenabled()
    gc.disable()
    try:
        parse_yaml("a: [1, 2]\n", "f.yaml", [])
        assert not gc.isenabled()
    finally:
        gc.enable()
