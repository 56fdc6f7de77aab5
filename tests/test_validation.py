"""Every content error a writer can make: the exact line printed, its file:line:col, exit status 1, nothing written.

Each test starts from the minimal valid explainer in tests/conftest.py and overrides one file.
"""

from __future__ import annotations

import os
import re

import pytest
import yaml
from conftest import REPO, Project, tree

from explainer import schema, sources
from explainer.errors import Problem
from explainer.sources import Node, parse_yaml

LIBYAML = sources._Loader is getattr(yaml, "CSafeLoader", None)
SYNTAX_HINT = "(check the indentation and quoting on this line and the one above)"
URL_HINT = "(use an http(s) or mailto address, or a relative link)"
SLUG_HINT = "(use lower-case letters, digits and single hyphens, like 'kim-jong-un')"
DATE_HINT = "(use YYYY, YYYY-MM or YYYY-MM-DD)"


def problems(project: Project, *args: str) -> list[str]:
    """Build, expect it to fail with a summary line and nothing written; return the problem lines."""
    run = project.run(*args)
    assert run.code == 1, run
    assert run.out == ""
    *lines, summary = run.errors
    warnings = 0 if "--strict" in args else sum(": warning: " in line for line in lines)
    errors = len(lines) - warnings
    also = f" (and {warnings} warning{'s' if warnings != 1 else ''})" if warnings else ""
    assert summary == f"{errors} problem{'s' if errors != 1 else ''} found{also}; nothing was written"
    assert "Traceback" not in run.err
    assert not project.site.exists()
    return lines


def event(extra: str = "", **fields: str | None) -> str:
    """A valid event 'first' as YAML (lines 1-6), with fields replaced, added (lines 7 on), removed (None), and extra lines at the end."""
    values: dict[str, str | None] = {
        "id": "first",
        "date": "2024-06-19",
        "title": "Something happens",
        "summary": "It happened.",
        "phase": "one",
        "sources": "[s1]",
    }
    values.update(fields)
    lines = [f"{key}: {value}" for key, value in values.items() if value is not None]
    return "- " + "\n  ".join(lines) + "\n" + extra


def test_minimal_project_builds_without_a_word(project: Project) -> None:
    run = project.run("check")
    assert (run.code, run.err) == (0, "")
    assert re.fullmatch(r"checked 1 events, 1 quotes, \d+ pages in \d+\.\d\d s\n", run.out)


# -- reading: YAML syntax, tabs, duplicate keys, anchors, encodings, empty and oversized files ------------------------


def test_yaml_syntax_error_points_at_the_line(project: Project) -> None:
    project.write(
        "timeline.yaml",
        """\
        - id: first
          date: 2024-06-19
           title: Something happens
        """,
    )
    problem = "mapping values are not allowed in this context" if LIBYAML else "mapping values are not allowed here"
    assert problems(project) == [f"content/timeline.yaml:3:9: YAML syntax error: {problem} {SYNTAX_HINT}"]


def test_unclosed_quote_points_where_it_opens_not_at_the_end_of_the_file(project: Project) -> None:
    project.write("site.yaml", 'title: "Scratch explainer\ndek: A site written by a test.\nlanguage: en\n')
    assert problems(project) == [f"content/site.yaml:1:8: YAML syntax error: while scanning a quoted scalar found unexpected end of stream {SYNTAX_HINT}"]


def test_tab_in_indentation(project: Project) -> None:
    project.write("timeline.yaml", event().replace("  title:", "\ttitle:"))
    assert problems(project) == ["content/timeline.yaml:3:1: a tab is used for indentation (YAML indents with spaces only; replace the tab with spaces)"]


def test_every_tab_is_reported_and_references_into_the_unreadable_file_are_not(project: Project) -> None:
    project.write("sources.yaml", "- id: s1\n  publisher: Wire\n \ttitle: A report\n\t\turl: https://example.com/report\n")
    # The timeline and the quote cite s1: while sources.yaml cannot be read, they are not told s1 is unknown.
    assert problems(project) == [
        "content/sources.yaml:3:2: a tab is used for indentation (YAML indents with spaces only; replace the tab with spaces)",
        "content/sources.yaml:4:1: a tab is used for indentation (YAML indents with spaces only; replace the tab with spaces)",
    ]


def test_tab_inside_block_text_is_text(project: Project) -> None:
    project.write("timeline.yaml", event(body="|\n    Before.\n    \tA tab-indented line.\n"))
    assert project.run("check").code == 0


def test_key_given_twice(project: Project) -> None:
    project.write(
        "sources.yaml",
        """\
        - id: s1
          publisher: Wire
          title: A report
          title: Another title
          url: https://example.com/report
        """,
    )
    assert problems(project) == [
        "content/sources.yaml:4:3: key 'title' is given twice in one mapping (first on line 3) (keep one of them; YAML would silently keep the last)"
    ]


def test_anchor_and_alias_are_refused_once_each(project: Project) -> None:
    project.write(
        "sources.yaml",
        """\
        - id: s1
          publisher: &wire Wire
          title: *wire
          url: https://example.com/report
        """,
    )
    assert problems(project) == [
        "content/sources.yaml:2:14: YAML anchors ('&wire') are not allowed in content (write the value out in full)",
        "content/sources.yaml:3:10: YAML aliases ('*wire') are not allowed in content (write the value out in full)",
    ]


def test_billion_laughs_is_refused_quickly(project: Project) -> None:
    levels = ['lol: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    levels += [f"l{n}: &{chr(97 + n)} [{', '.join(['*' + chr(96 + n)] * 9)}]" for n in range(1, 9)]
    project.write("site.yaml", "\n".join(levels) + "\n")
    lines = problems(project)
    # Nothing was expanded (that would be 9**9 strings): one message per anchor and per alias as written,
    # one per unknown field (lol, l1 ... l8) and one per missing site field.
    assert len([line for line in lines if "YAML aliases" in line]) == 8 * 9
    assert len([line for line in lines if "YAML anchors" in line]) == 9
    assert len([line for line in lines if "site: unknown field" in line]) == 9
    assert len([line for line in lines if "site: missing required field" in line]) == 6
    assert len(lines) == 72 + 9 + 9 + 6
    assert "content/site.yaml:9:9: YAML aliases ('*h') are not allowed in content (write the value out in full)" in lines


def test_yaml_tag_is_refused(project: Project) -> None:
    project.write("people.yaml", "- id: ann\n  name: !!str Ann Example\n  role: Minister\n  kind: person\n")
    assert problems(project) == [
        "content/people.yaml:2:9: YAML tags ('tag:yaml.org,2002:str') are not allowed in content (remove the tag; quote the value if it must be text)"
    ]


def test_second_yaml_document_is_refused(project: Project) -> None:
    project.write("phases.yaml", "- id: one\n  title: Part one\n---\n- id: two\n  title: Part two\n")
    assert problems(project) == [
        "content/phases.yaml:3:1: a file holds one YAML document; found a second one ('---') (remove the '---' line or split the file)"
    ]


def test_file_that_is_not_utf8(project: Project) -> None:
    project.write("people.yaml", "- id: ann\n  name: Ann Café\n  role: Minister\n  kind: person\n".encode("latin-1"))
    # The quote's speaker 'ann' is not called unknown while people.yaml cannot be read.
    assert problems(project) == ["content/people.yaml:2:16: file is not UTF-8 text (byte 0xe9) (save the file as UTF-8)"]


@pytest.mark.parametrize("text", ["", "\n  \n"], ids=["zero-bytes", "whitespace"])
def test_empty_file(project: Project, text: str) -> None:
    project.write("people.yaml", text)
    assert problems(project) == ["content/people.yaml:1:1: file is empty (add content or delete the file)"]


def test_file_with_only_comments(project: Project) -> None:
    project.write("people.yaml", "# nobody yet\n")
    assert problems(project) == ["content/people.yaml:1:1: file holds no YAML value (add content or delete the file)"]


def test_file_over_the_size_limit(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sources, "MAX_FILE_BYTES", 200)  # the other files of the minimal project are smaller
    size = len(project.write("timeline.yaml", event(body="|\n    " + "A long body. " * 10 + "\n")).read_bytes())
    assert problems(project) == [f"content/timeline.yaml: file is {size:,} bytes, over the limit of 200 (split it into a folder of smaller files)"]


def test_file_that_is_not_a_list(project: Project) -> None:
    project.write("phases.yaml", "id: one\ntitle: Part one\n")
    assert problems(project) == ["content/phases.yaml:1:1: phases file must be a list of phases, got a mapping (start each phase with '- id: ...')"]


# -- fields: required, unknown, types, YAML 1.1 readings ---------------------------------------------------------------


def test_missing_required_field(project: Project) -> None:
    project.write("people.yaml", "- id: ann\n  name: Ann Example\n  kind: person\n")
    assert problems(project) == ["content/people.yaml:1:3: person 'ann': missing required field 'role' (add 'role:' (role at the time))"]


def test_required_field_left_empty_is_reported_where_it_is(project: Project) -> None:
    project.write("people.yaml", "- id: ann\n  name: Ann Example\n  role:\n  kind: person\n")
    assert problems(project) == ["content/people.yaml:3:8: person 'ann': missing required field 'role' (add 'role:' (role at the time))"]


def test_unknown_field_with_did_you_mean(project: Project) -> None:
    project.write("sources.yaml", "- id: s1\n  publisher: Wire\n  title: A report\n  url: https://example.com/report\n  vai: Yahoo News\n")
    assert problems(project) == ["content/sources.yaml:5:3: source 's1': unknown field 'vai' (did you mean 'via'?)"]


def test_unknown_field_without_a_close_match_lists_the_allowed_ones(project: Project) -> None:
    project.write("sources.yaml", "- id: s1\n  publisher: Wire\n  title: A report\n  url: https://example.com/report\n  colour: red\n")
    assert problems(project) == ["content/sources.yaml:5:3: source 's1': unknown field 'colour' (allowed: id, publisher, title, date, url, via)"]


def test_record_that_is_not_a_mapping(project: Project) -> None:
    project.write("people.yaml", "- bob\n- id: ann\n  name: Ann Example\n  role: Minister\n  kind: person\n")
    assert problems(project) == ["content/people.yaml:1:3: person 1: expected a mapping of fields, got text (write 'id: ...' lines)"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "  title: [A, B]",
            "content/timeline.yaml:3:10: event 'first': field 'title' must be text, got a list (write it on one line after 'title:' (short headline))",
        ),
        (
            "  sources: s1",
            "content/timeline.yaml:6:12: event 'first': field 'sources' must be a list, got text"
            " (write it as [a, b] or as '- a' lines (source ids, at least one))",
        ),
        ("  sources: []", "content/timeline.yaml:6:12: event 'first': field 'sources' must not be empty (source ids, at least one)"),
        ("  draft: maybe", "content/timeline.yaml:7:10: event 'first': field 'draft' must be true or false, got 'maybe' (write true or false)"),
        ("  draft: yes", "content/timeline.yaml:7:10: event 'first': field 'draft' must be true or false, got 'yes' (write true or false)"),
    ],
    ids=["text-got-list", "list-got-text", "empty-list", "bool-got-text", "bool-got-yaml11-yes"],
)
def test_wrong_type(project: Project, line: str, expected: str) -> None:
    text = event().rstrip("\n").split("\n")
    name = line.split(":")[0].strip()
    replaced = [line if existing.strip().startswith(name + ":") else existing for existing in text]
    if replaced == text:
        replaced.append(line)
    project.write("timeline.yaml", "\n".join(replaced) + "\n")
    assert problems(project) == [expected]


def test_wrong_number_types(project: Project) -> None:
    project.write("places.yaml", "- id: oslo\n  name: Oslo\n  country: Norway\n  lat: north\n  lon: 200\n")
    project.write("timeline.yaml", event(places="[oslo]"))
    project.write("pages/about.md", "---\ntitle: About\norder: 1.5\n---\nText.\n")
    assert problems(project) == [
        "content/pages/about.md:3:8: page 'about': field 'order' must be a whole number, got a number (1.5) (write digits only, without quotes)",
        "content/places.yaml:4:8: place 'oslo': field 'lat' must be a number, got 'north' (write digits only, without quotes)",
        "content/places.yaml:5:8: place 'oslo': lon 200 is out of range (use degrees between -180 and 180)",
    ]


@pytest.mark.parametrize(
    ("field", "value", "reading"),
    [
        ("publisher", "NO", "a boolean"),
        ("publisher", "off", "a boolean"),
        ("title", "12:30", "a number"),
        ("title", "1.50", "a number"),
        ("title", "2024-06-19", "a date"),
        ("publisher", "true", "a boolean"),
        ("publisher", "0x1F", "a number"),
    ],
)
def test_yaml11_surprise_where_text_is_expected(project: Project, field: str, value: str, reading: str) -> None:
    lines = {"id": "s1", "publisher": "Wire", "title": "A report", "url": "https://example.com/report"}
    lines[field] = value
    project.write("sources.yaml", "- " + "\n  ".join(f"{k}: {v}" for k, v in lines.items()) + "\n")
    line, col = (2, 14) if field == "publisher" else (3, 10)
    assert problems(project) == [
        f"content/sources.yaml:{line}:{col}: source 's1': field '{field}' must be text, but '{value}' unquoted is read by YAML as {reading}"
        f' (put it in quotes: {field}: "{value}")'
    ]


def test_quoted_yaml11_words_are_text(project: Project) -> None:
    project.write("sources.yaml", '- id: s1\n  publisher: "NO"\n  title: "12:30"\n  url: https://example.com/report\n')
    assert project.run("check").code == 0


def test_id_that_yaml11_reads_as_a_number(project: Project) -> None:
    with (project.content / "people.yaml").open("a") as f:
        f.write("- id: 007\n  name: James Bond\n  role: Agent\n  kind: person\n")
    assert problems(project) == [
        """content/people.yaml:5:7: person 2: field 'id' must be text, but '007' unquoted is read by YAML as a number (put it in quotes: id: "007")"""
    ]


def test_choice_with_did_you_mean(project: Project) -> None:
    claim = "  claims:\n    - text: It was a success.\n      by: ann\n      date: 2024-06-19\n      status: confirmd\n      sources: [s1]\n"
    project.write("timeline.yaml", event(claim))
    assert problems(project) == [
        "content/timeline.yaml:11:15: event 'first': claims item 1: status 'confirmd' is not one of confirmed, claimed, disputed, denied"
        " (did you mean 'confirmed'? use one of those words)"
    ]


def test_claim_with_a_missing_field(project: Project) -> None:
    claim = "  claims:\n    - text: It was a success.\n      by: ann\n      status: claimed\n      sources: [s1]\n"
    project.write("timeline.yaml", event(claim))
    assert problems(project) == [
        "content/timeline.yaml:8:7: event 'first': claims item 1: missing required field 'date' (add 'date:' (when the claim was made))"
    ]


def test_quote_original_needs_its_language(project: Project) -> None:
    project.write(
        "quotes.yaml", "- id: q1\n  text: We did it.\n  speaker: ann\n  setting: Press conference\n  source: s1\n  original:\n    text: Мы сделали это.\n"
    )
    assert problems(project) == [
        "content/quotes.yaml:7:5: quote 'q1': missing required field 'lang' (add 'lang:' (language code of the original (BCP 47: ko, ru)))"
    ]


def test_language_code(project: Project) -> None:
    project.write("people.yaml", "- id: ann\n  name: Ann Example\n  native_name: Анна\n  native_lang: Russian\n  role: Minister\n  kind: person\n")
    assert problems(project) == [
        "content/people.yaml:4:16: person 'ann': native_lang 'Russian' is not a language code (use a BCP 47 code such as en, ko or ru)"
    ]


# -- dates ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["2024-10-32", "2023-02-29", "2024-13", "2024-6-1", "June 2024", "20240619", "0000"])
def test_invalid_or_impossible_date(project: Project, value: str) -> None:
    project.write("timeline.yaml", event(date=value))
    assert problems(project) == [f"content/timeline.yaml:2:9: event 'first': date '{value}' is not a valid date {DATE_HINT}"]


@pytest.mark.parametrize("value", ["2024", "2024-06", "2024-02-29", '"2024-06-19"'])
def test_valid_dates_at_every_precision(project: Project, value: str) -> None:
    project.write("timeline.yaml", event(date=value))
    assert project.run("check").code == 0


def test_end_before_start(project: Project) -> None:
    project.write("timeline.yaml", event(end="2024-06-18"))
    assert problems(project) == ["content/timeline.yaml:7:8: event 'first': end '2024-06-18' is before the date '2024-06-19' (swap them, or correct the end)"]


def test_reported_before_the_date(project: Project) -> None:
    project.write("timeline.yaml", event(reported="2024-05"))
    assert problems(project) == [
        "content/timeline.yaml:7:13: event 'first': reported '2024-05' is before the date '2024-06-19'"
        " (reported is when it became public, on or after the date)"
    ]


@pytest.mark.parametrize(("field", "value"), [("end", "2024-06"), ("reported", "2024-06"), ("end", "2024"), ("end", "2024-06-19")])
def test_a_coarser_date_that_may_be_the_same_day_is_not_before(project: Project, field: str, value: str) -> None:
    project.write("timeline.yaml", event(**{field: value}))
    assert project.run("check").code == 0


def test_time_needs_a_utc_offset(project: Project) -> None:
    project.write("timeline.yaml", event(time='"02:22"'))
    assert problems(project) == [
        """content/timeline.yaml:7:9: event 'first': time '02:22' is not a time with a UTC offset (use "HH:MM+HH:MM", like "02:22+09:00", in quotes)"""
    ]


def test_update_date_needs_time_and_offset(project: Project) -> None:
    project.write("updates.yaml", "- date: 2024-12-16\n  kind: publication\n  text: First published.\n")
    assert problems(project) == [
        "content/updates.yaml:1:9: update 1: date '2024-12-16' is not a date and time with a UTC offset (use ISO 8601, like \"2024-12-16T09:00:00+00:00\")"
    ]


def test_update_date_may_be_written_without_quotes(project: Project) -> None:
    project.write("updates.yaml", "- date: 2024-12-16T09:00:00+00:00\n  kind: publication\n  text: First published.\n")
    assert project.run("check").code == 0


# -- references and ids -----------------------------------------------------------------------------------------------


def test_unknown_references_in_an_event(project: Project) -> None:
    project.write("places.yaml", "- id: oslo\n  name: Oslo\n  country: Norway\n")
    claim = "  claims:\n    - text: It was a success.\n      by: bob\n      date: 2024-06-19\n      status: claimed\n      sources: [s1, s9]\n"
    project.write("timeline.yaml", event(claim, phase="two", actors="[ann, bob]", places="[osl]", sources="[s1, s2]"))
    assert problems(project) == [
        "content/timeline.yaml:5:10: event 'first': phase: unknown phase 'two' (add it to the phases file)",
        "content/timeline.yaml:6:17: event 'first': sources: unknown source 's2' (add it to the sources file)",
        "content/timeline.yaml:7:17: event 'first': actors: unknown person 'bob' (add it to the people file)",
        "content/timeline.yaml:8:12: event 'first': places: unknown place 'osl' (did you mean 'oslo'?)",
        "content/timeline.yaml:11:11: event 'first': claims item 1: by: unknown person 'bob' (add it to the people file)",
        "content/timeline.yaml:14:21: event 'first': claims item 1: sources: unknown source 's9' (add it to the sources file)",
    ]


def test_unknown_references_in_a_quote(project: Project) -> None:
    project.write("quotes.yaml", "- id: q1\n  text: We did it.\n  speaker: bob\n  setting: Press conference\n  source: s2\n  event: firts\n")
    assert problems(project) == [
        "content/quotes.yaml:3:12: quote 'q1': speaker: unknown person 'bob' (add it to the people file)",
        "content/quotes.yaml:5:11: quote 'q1': source: unknown source 's2' (add it to the sources file)",
        "content/quotes.yaml:6:10: quote 'q1': event: unknown event 'firts' (did you mean 'first'?)",
    ]


def test_unknown_event_in_an_update(project: Project) -> None:
    project.write("updates.yaml", '- date: "2024-12-16T09:00:00+00:00"\n  kind: publication\n  text: First published.\n  events: [first, second]\n')
    assert problems(project) == ["content/updates.yaml:4:19: update 1: events: unknown event 'second' (add it to the timeline file)"]


def test_duplicate_id(project: Project) -> None:
    project.write(
        "sources.yaml",
        """\
        - id: s1
          publisher: Wire
          title: A report
          url: https://example.com/report
        - id: s1
          publisher: Other wire
          title: Another report
          url: https://example.com/other
        """,
    )
    assert problems(project) == ["content/sources.yaml:5:7: duplicate source id 's1' (first used at content/sources.yaml:1) (give each one its own id)"]


def test_duplicate_id_across_a_folder_of_files(project: Project) -> None:
    project.remove("timeline.yaml")
    project.write("timeline/2024-06.yaml", event())
    project.write("timeline/2024-07.yaml", event(date="2024-07-01"))
    assert problems(project) == [
        "content/timeline/2024-07.yaml:1:7: duplicate event id 'first' (first used at content/timeline/2024-06.yaml:1) (give each one its own id)"
    ]


def test_folder_of_files_builds_like_one_file(project: Project) -> None:
    project.remove("timeline.yaml")
    project.write("timeline/a.yaml", event())
    project.write("timeline/b.yaml", event(id="second", date="2024-07-01"))
    project.write("timeline/notes.yaml~", "an editor's backup is ignored")
    run = project.run("check")
    assert (run.code, run.err) == (0, "")
    assert run.out.startswith("checked 2 events,")


def test_file_and_folder_of_one_kind(project: Project) -> None:
    project.write("timeline/more.yaml", event(id="second"))
    assert problems(project) == ["content/timeline.yaml: both timeline.yaml and the folder timeline/ exist (keep one of them)"]


def test_alias_already_used(project: Project) -> None:
    project.write("timeline.yaml", event() + event(id="second", aliases="[first]"))
    assert problems(project) == [
        "content/timeline.yaml:13:13: event 'second': alias 'first' is already used as an event id or alias (an alias is an old id no other event has)"
    ]


@pytest.mark.parametrize("value", ["Ann", "ann_example", "ann--example", "-ann", "a" * 81])
def test_id_that_is_not_a_slug(project: Project, value: str) -> None:
    with (project.content / "people.yaml").open("a") as f:
        f.write(f"- id: {value}\n  name: Bob Example\n  role: Adviser\n  kind: person\n")
    assert problems(project) == [f"content/people.yaml:5:7: person '{value}': id '{value}' is not an id slug {SLUG_HINT}"]


def test_reference_that_is_not_a_slug(project: Project) -> None:
    project.write("quotes.yaml", "- id: q1\n  text: We did it.\n  speaker: Ann Example\n  setting: Press conference\n  source: s1\n")
    assert problems(project) == [f"content/quotes.yaml:3:12: quote 'q1': speaker 'Ann Example' is not a reference to an id slug {SLUG_HINT}"]


# -- links and media --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("javascript:alert(1)", "uses the 'javascript:' scheme, which is not allowed"),
        ("ftp://example.com/file", "uses the 'ftp:' scheme, which is not allowed"),
        ("//example.com/report", "is a scheme-relative link"),
        ("https:example.com", "is not a full http(s) address"),
        ('"https://example.com/a report"', "is not a link (it is empty or has spaces)"),
    ],
)
def test_url_that_is_not_http_mailto_or_relative(project: Project, url: str, why: str) -> None:
    project.write("sources.yaml", f"- id: s1\n  publisher: Wire\n  title: A report\n  url: {url}\n")
    assert problems(project) == [f"content/sources.yaml:4:8: source 's1': url '{url.strip(chr(34))}' {why} {URL_HINT}"]


@pytest.mark.parametrize("url", ["https://example.com/report", "http://example.com/", "mailto:desk@example.org", "../documents/report.pdf", "/documents/a.pdf"])
def test_allowed_urls(project: Project, url: str) -> None:
    project.write("sources.yaml", f"- id: s1\n  publisher: Wire\n  title: A report\n  url: {url}\n")
    assert project.run("check").code == 0


def test_bad_link_inside_markdown(project: Project) -> None:
    project.write("timeline.yaml", event(summary="It happened, [says](javascript:alert(1)) the wire."))
    assert problems(project) == [
        f"content/timeline.yaml:4:12: event 'first': link 'javascript:alert(1)' in summary uses the 'javascript:' scheme, which is not allowed {URL_HINT}"
    ]


@pytest.mark.parametrize(
    ("url", "scheme"), [("javascript&#58;alert(1)", "javascript"), ("jav&#x61;script:alert(1)", "javascript"), ("JavaScript:alert(1)", "JavaScript")]
)
def test_disguised_script_link_inside_markdown(project: Project, url: str, scheme: str) -> None:
    project.write("pages/about.md", f"---\ntitle: About\norder: 1\n---\nWrite to [us]({url}).\n")
    assert problems(project) == [f"content/pages/about.md:5:15: link '{url}' uses the '{scheme}:' scheme, which is not allowed {URL_HINT}"]


def test_site_base_url_must_be_absolute(project: Project) -> None:
    project.write("site.yaml", (project.content / "site.yaml").read_text().replace("https://example.org/scratch/", "/scratch/"))
    assert problems(project) == ["content/site.yaml:5:11: site: base_url '/scratch/' must be a full http(s) address (like https://example.org/explainer/)"]


def test_media_file_that_does_not_exist(project: Project) -> None:
    project.write("timeline.yaml", event("  media:\n    file: signing.jpg\n    alt: The signing\n"))
    assert problems(project) == ["content/timeline.yaml:8:11: event 'first': media file 'signing.jpg' does not exist in content/media/ (check the file name)"]


@pytest.mark.parametrize("name", ["../site.yaml", "/etc/passwd", "sub/../../people.yaml"])
def test_media_file_outside_content(project: Project, name: str) -> None:
    project.write("media/sub/photo.jpg", b"\xff\xd8")
    project.write("timeline.yaml", event(f"  media:\n    file: {name}\n    alt: The signing\n"))
    assert problems(project) == [
        f"content/timeline.yaml:8:11: event 'first': media file '{name}' lies outside content/media/"
        " (put the file in content/media/ and give its name relative to it)"
    ]


def test_media_symlink_that_leads_outside_content(project: Project) -> None:
    (project.root / "secret.jpg").write_bytes(b"\xff\xd8")
    (project.content / "media").mkdir()
    os.symlink(project.root / "secret.jpg", project.content / "media" / "photo.jpg")
    project.write("timeline.yaml", event("  media:\n    file: photo.jpg\n    alt: The signing\n"))
    assert problems(project) == [
        "content/timeline.yaml:8:11: event 'first': media file 'photo.jpg' lies outside content/media/"
        " (put the file in content/media/ and give its name relative to it)"
    ]


def test_media_file_is_copied_with_its_size(project: Project) -> None:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(buffer, "JPEG")
    project.write("media/photos/signing.jpg", buffer.getvalue())
    project.write("timeline.yaml", event("  media:\n    file: photos/signing.jpg\n    alt: The signing\n"))
    assert project.run().code == 0
    assert (project.site / "media/photos/signing.jpg").read_bytes() == buffer.getvalue()
    page = (project.site / "events/first/index.html").read_text()
    assert '<img src="../../media/photos/signing.jpg" alt="The signing" width="40" height="30" loading="lazy"' in page


def test_media_file_that_is_not_an_image(project: Project) -> None:
    project.write("media/photos/signing.jpg", b"\xff\xd8\xff")
    project.write("timeline.yaml", event("  media:\n    file: photos/signing.jpg\n    alt: The signing\n"))
    assert problems(project) == [
        "content/timeline.yaml:8:11: event 'first': media file 'photos/signing.jpg' is not an image that can be read (use a JPEG, PNG, GIF or WebP file)"
    ]


# -- pages ------------------------------------------------------------------------------------------------------------


def test_page_without_front_matter(project: Project) -> None:
    project.write("pages/about.md", "# About\n")
    assert problems(project) == ["content/pages/about.md:1:1: page has no front matter (start the file with '---', 'title: ...', 'order: 1', '---')"]


def test_page_front_matter_and_body_problems_in_one_run(project: Project) -> None:
    project.write("pages/about.md", "---\ntitle: About\nordre: 1\n---\nWho we are.\n\nWrite to [us](javascript:alert(1)).\n")
    assert problems(project) == [
        "content/pages/about.md:2:1: page 'about': missing required field 'order' (add 'order:' (position in the page list))",
        "content/pages/about.md:3:1: page 'about': unknown field 'ordre' (did you mean 'order'?)",
        f"content/pages/about.md:7:15: link 'javascript:alert(1)' uses the 'javascript:' scheme, which is not allowed {URL_HINT}",
    ]


def test_page_that_would_take_an_address_of_the_explainer(project: Project) -> None:
    project.write("pages/sources.md", "---\ntitle: Our sources\norder: 1\n---\nText.\n")
    assert problems(project) == ["content/pages/sources.md:1:1: page 'sources' would claim the address /sources/, which the explainer uses (rename the file)"]


def test_page_file_name_that_is_not_a_slug(project: Project) -> None:
    project.write("pages/About Us.md", "---\ntitle: About\norder: 1\n---\nText.\n")
    assert problems(project) == [
        "content/pages/About Us.md:1:1: page file name 'About Us' is not a slug (rename the file with lower-case letters, digits and hyphens)"
    ]


# -- the run as a whole -----------------------------------------------------------------------------------------------


def test_every_problem_in_one_run_sorted_by_file_and_line(project: Project) -> None:
    project.write("timeline.yaml", event(date="2024-10-32", phase="two"))
    project.write("people.yaml", "- id: ann\n  name: Ann Example\n  role: Minister\n  kind: persn\n")
    project.write("sources.yaml", "- id: s1\n  publisher: Wire\n  title: A report\n  url: ftp://example.com\n  via: NO\n")
    assert problems(project) == [
        "content/people.yaml:4:9: person 'ann': kind 'persn' is not one of person, organisation, country, document"
        " (did you mean 'person'? use one of those words)",
        f"content/sources.yaml:4:8: source 's1': url 'ftp://example.com' uses the 'ftp:' scheme, which is not allowed {URL_HINT}",
        """content/sources.yaml:5:8: source 's1': field 'via' must be text, but 'NO' unquoted is read by YAML as a boolean (put it in quotes: via: "NO")""",
        f"content/timeline.yaml:2:9: event 'first': date '2024-10-32' is not a valid date {DATE_HINT}",
        "content/timeline.yaml:5:10: event 'first': phase: unknown phase 'two' (add it to the phases file)",
    ]


def test_failed_build_leaves_the_previous_site_untouched(project: Project) -> None:
    assert project.run().code == 0
    before = tree(project.site)
    project.write("timeline.yaml", event(date="2024-10-32"))
    run = project.run()
    assert run.code == 1
    assert run.errors[-1] == "1 problem found; nothing was written"
    assert tree(project.site) == before
    assert sorted(p.name for p in project.root.iterdir()) == ["content", "site"]


def test_content_folder_not_found(project: Project) -> None:
    run = project.run("check", "--content", "missing")
    assert (run.code, run.errors) == (1, ["missing: content folder not found (pass --content DIR)", "1 problem found; nothing was written"])


def test_site_settings_missing(project: Project) -> None:
    project.remove("site.yaml")
    assert problems(project) == ["content/site.yaml: site settings file is missing (create it with title, dek, description, language, base_url and authors)"]


# -- warnings ---------------------------------------------------------------------------------------------------------

WARNINGS = [
    "content/people.yaml:5:7: warning: person 'bob' is not referenced by any event, claim or quote (reference it or remove it)",
    "content/phases.yaml:3:7: warning: phase 'two' has no events (add events to it or remove it)",
    "content/sources.yaml:5:7: warning: source 's2' is not cited by any event, claim or quote (cite it or remove it)",
    "content/timelines.yaml: warning: file is not part of the content format and is ignored (did you mean 'timeline.yaml'?)",
]


@pytest.fixture
def unused(project: Project) -> Project:
    """The minimal project with a person, a phase and a source nothing uses, and a misnamed file."""
    with (project.content / "people.yaml").open("a") as f:
        f.write("- id: bob\n  name: Bob Example\n  role: Nobody\n  kind: person\n")
    with (project.content / "phases.yaml").open("a") as f:
        f.write("- id: two\n  title: Part two\n")
    with (project.content / "sources.yaml").open("a") as f:
        f.write("- id: s2\n  publisher: Wire\n  title: Unused\n  url: https://example.com/unused\n")
    project.write("timelines.yaml", event())
    return project


def test_warnings_are_printed_and_the_site_is_built(unused: Project) -> None:
    run = unused.run()
    assert run.code == 0
    assert run.errors == WARNINGS
    assert run.out.startswith("built site/: 1 events, 1 quotes, ")
    assert (unused.site / "people/bob/index.html").is_file()


def test_strict_makes_warnings_errors(unused: Project) -> None:
    assert problems(unused, "--strict") == WARNINGS


def test_a_place_nobody_references_is_a_warning(project: Project) -> None:
    project.write("places.yaml", "- id: oslo\n  name: Oslo\n  country: Norway\n")
    run = project.run("check")
    assert (run.code, run.errors) == (0, ["content/places.yaml:1:7: warning: place 'oslo' is not referenced by any event (reference it or remove it)"])


def test_raw_html_in_markdown_is_sanitised_with_a_warning(project: Project) -> None:
    project.write("timeline.yaml", event(summary='"It <b>happened</b>.<script>alert(1)</script>"'))
    run = project.run()
    assert run.code == 0
    assert run.errors == [
        "content/timeline.yaml:4:12: warning: event 'first': raw HTML in summary was sanitised"
        " (write Markdown instead of HTML; scripts, styles and event attributes are removed)"
    ]
    page = (project.site / "events/first/index.html").read_text()
    assert "<b>happened</b>" in page
    assert "<script>alert(1)" not in page


# -- the writer's documentation agrees with the schema ----------------------------------------------------------------

DOCS = REPO / "docs" / "content.md"
DOC_SECTIONS = {
    "site.yaml": schema.SITE,
    "phases.yaml": schema.PHASE,
    "timeline.yaml": schema.EVENT,
    "quotes.yaml": schema.QUOTE,
    "people.yaml": schema.PERSON,
    "places.yaml": schema.PLACE,
    "sources.yaml": schema.SOURCE,
    "updates.yaml": schema.UPDATE,
    "pages/*.md": schema.PAGE,
}


def doc_sections() -> dict[str, str]:
    """The text of each '## file' section of docs/content.md, by file name."""
    sections = {}
    for section in re.split(r"^## ", DOCS.read_text("utf-8"), flags=re.M)[1:]:
        heading, _, text = section.partition("\n")
        sections[heading.split(":")[0].strip()] = text
    return sections


def fields_used(node: Node, kind: schema.Kind, used: dict[str, set[str]]) -> None:
    """Record which fields of which kinds an example uses, nested records included."""
    assert isinstance(node.value, dict)
    used.setdefault(kind.name, set()).update(node.value)
    for spec in kind.fields:
        value = node.value.get(spec.name)
        if spec.of is not None and value is not None:
            for item in value.value if spec.many else [value]:
                fields_used(item, spec.of, used)


@pytest.mark.parametrize("file", sorted(DOC_SECTIONS))
def test_docs_describe_every_field_with_the_schema_words(file: str) -> None:
    text = doc_sections()[file]
    kind = DOC_SECTIONS[file]
    nested = [f.of for f in kind.fields if f.of is not None]
    for each in (kind, *nested):
        for spec in each.fields:
            # A nested record may share a field name with its parent (an event's date, a claim's date): find the row by its words.
            rows = [line for line in text.split("\n") if line.startswith(f"| `{spec.name}` |") and spec.doc in line]
            assert rows, f"{file}: no table row for {each.name} field '{spec.name}' saying {spec.doc!r}"
            assert ("| yes |" in rows[0]) == spec.required, f"{file}: {each.name} field '{spec.name}' has required={spec.required} in schema.py"


@pytest.mark.parametrize("file", sorted(DOC_SECTIONS))
def test_docs_examples_are_valid_and_use_every_field(file: str) -> None:
    text = doc_sections()[file]
    kind = DOC_SECTIONS[file]
    block = re.search(r"```(?:yaml|markdown)\n(.*?)```", text, re.S)
    assert block, f"{file}: no example"
    example = block.group(1)
    problems: list[Problem] = []
    front_matter = example.split("---\n")[1] if file.endswith(".md") else example
    root = parse_yaml(front_matter, file, problems)
    assert root is not None and problems == []
    records = [root] if file == "site.yaml" or file.endswith(".md") else root.value
    used: dict[str, set[str]] = {}
    for node in records:
        assert schema.check_record(node, kind, file, problems) is not None
        fields_used(node, kind, used)
    assert [str(p) for p in problems] == []
    for each in (kind, *(f.of for f in kind.fields if f.of is not None)):
        missing = [f.name for f in each.fields if f.name not in used.get(each.name, set())]
        assert missing == [], f"{file}: the example does not show the {each.name} fields {missing}"


def test_docs_define_every_claim_status_and_the_size_limit() -> None:
    text = DOCS.read_text("utf-8")
    for status, meaning in schema.STATUSES.items():
        assert f"| `{status}` | {meaning} |" in text
    assert f"{sources.MAX_FILE_BYTES:,} bytes" in text
    assert f"{sources.MAX_FILE_BYTES // 2**20} MiB" in text


def test_strict_does_not_call_things_unused_because_an_event_has_an_error(project: Project) -> None:
    project.write("places.yaml", "- id: oslo\n  name: Oslo\n  country: Norway\n")
    project.write("timeline.yaml", event(date="2024-06-31", places="[oslo]"))
    # The event's own error only: its phase, place and source are not unused.
    assert problems(project, "--strict") == [f"content/timeline.yaml:2:9: event 'first': date '2024-06-31' is not a valid date {DATE_HINT}"]


def test_strict_does_not_call_things_unused_while_the_timeline_cannot_be_read(project: Project) -> None:
    project.write("timeline.yaml", event().replace("  title:", "\ttitle:"))
    assert problems(project, "--strict") == [
        "content/timeline.yaml:3:1: a tab is used for indentation (YAML indents with spaces only; replace the tab with spaces)"
    ]


def test_a_phase_with_only_draft_events_has_no_events(project: Project) -> None:
    project.write("timeline.yaml", event() + event(id="later", phase="two", draft="true"))
    with (project.content / "phases.yaml").open("a") as f:
        f.write("- id: two\n  title: Part two\n")
    warning = "content/phases.yaml:3:7: warning: phase 'two' has no events (add events to it or remove it)"
    assert project.run("check").errors == [warning]
    assert project.run("check", "--drafts").errors == []
