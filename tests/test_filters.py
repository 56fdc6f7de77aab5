"""Filtering the timeline is a progressive enhancement: with JavaScript the reader narrows it by actor, part,
topic and claim status, hears how many events match, and can share the view by its address; without
JavaScript every event shows and no control is left that does nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from quality_support import chromium_available

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not chromium_available(), reason="Debian chromium is not installed (scripts/test.sh installs it)")]

#: Every event with its filterable data, and whether it is shown.
EVENTS = """() => [...document.querySelectorAll('li.event')].map(li => ({
  id: li.id, shown: li.checkVisibility(), phase: li.dataset.phase,
  actors: li.dataset.actors.split(' '), tags: li.dataset.tags.split(' '), status: li.dataset.status.split(' ')}))"""


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1024, "height": 800})
    yield context.new_page()
    context.close()


def shown(page: Any) -> list[dict[str, Any]]:
    return [e for e in page.evaluate(EVENTS) if e["shown"]]


def count_text(page: Any) -> str:
    return str(page.locator(".filters [role=status]").inner_text())


def test_without_javascript_every_event_shows_and_no_filter_control(browser: Any, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(base_url + "?actor=kim-jong-un&status=disputed")  # a shared filtered link, opened without JavaScript
        events = page.evaluate(EVENTS)
        assert len(events) > 40 and all(e["shown"] for e in events), "every event is shown"
        assert page.locator("form.filters").count() == 1
        assert not page.locator("form.filters").is_visible(), "the filter form stays hidden without JavaScript"
        assert not page.locator("select, button").first.is_visible()
        assert page.locator(".phase").evaluate_all("els => els.every(el => el.checkVisibility())")
    finally:
        context.close()


def test_filter_by_each_kind_counts_and_keeps_state_in_the_address(page: Any, base_url: str) -> None:
    page.goto(base_url)
    form = page.locator("form.filters")
    form.wait_for(state="visible")
    every = page.evaluate(EVENTS)
    total = len(every)
    assert count_text(page) == f"All {total} events"
    live = page.locator(".filters [role=status]")
    assert live.get_attribute("role") == "status"  # a polite live region: screen readers announce the new count
    for name, key in (("actor", "actors"), ("phase", "phase"), ("tag", "tags"), ("status", "status")):
        select = page.locator(f"select[name={name}]")
        values = [v for v in select.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
        assert values, f"the {name} filter has choices"
        value = values[len(values) // 2]
        select.select_option(value)
        expected = [e["id"] for e in every if value in (e[key] if isinstance(e[key], list) else [e[key]])]
        got = [e["id"] for e in shown(page)]
        assert got == expected, f"{name}={value}"
        assert count_text(page) == f"{len(expected)} of {total} events match"
        assert parse_qs(urlsplit(page.url).query) == {name: [value]}
        label = select.locator(f"option[value='{value}']").inner_text()
        assert label.endswith(f"({len(expected)})"), f"the option {label!r} tells how many events it keeps"
        hidden_phases = page.locator(".phase").evaluate_all("els => els.filter(el => !el.checkVisibility()).map(el => el.id)")
        kept_phases = {"phase-" + e["phase"] for e in every if e["id"] in expected}
        assert all(p not in kept_phases for p in hidden_phases), "a part with a matching event stays"
        select.select_option("")
    assert count_text(page) == f"All {total} events"
    assert urlsplit(page.url).query == ""


def test_shared_filtered_address_restores_the_view(page: Any, base_url: str) -> None:
    page.goto(base_url + "?tag=military&status=claimed")
    page.locator("form.filters").wait_for(state="visible")
    assert page.locator("select[name=tag]").input_value() == "military"
    assert page.locator("select[name=status]").input_value() == "claimed"
    events = shown(page)
    assert events and all("military" in e["tags"] and "claimed" in e["status"] for e in events)
    assert count_text(page).startswith(f"{len(events)} of ")
    # an address with an unknown value shows everything instead of nothing
    page.goto(base_url + "?actor=nobody-at-all")
    page.locator("form.filters").wait_for(state="visible")
    assert count_text(page).startswith("All ")
    assert page.locator("select[name=actor]").input_value() == ""


def test_no_match_says_so_and_reset_shows_all(page: Any, base_url: str) -> None:
    page.goto(base_url)
    page.locator("form.filters").wait_for(state="visible")
    every = page.evaluate(EVENTS)
    phase = every[0]["phase"]
    actor = next(a for e in every for a in e["actors"] if a and not any(a in f["actors"] for f in every if f["phase"] == phase))
    page.locator("select[name=phase]").select_option(phase)
    page.locator("select[name=actor]").select_option(actor)
    assert shown(page) == []
    assert count_text(page).startswith("No events match")
    assert page.locator(".phase").evaluate_all("els => els.every(el => !el.checkVisibility())"), "empty parts are hidden too"
    page.get_by_role("button", name="Show all events").click()
    assert len(shown(page)) == len(every)
    assert count_text(page) == f"All {len(every)} events"
    assert urlsplit(page.url).query == ""


def test_filters_work_from_the_keyboard(page: Any, base_url: str) -> None:
    page.goto(base_url)
    page.locator("form.filters").wait_for(state="visible")
    page.locator("select[name=status]").focus()
    assert page.evaluate("document.activeElement.name") == "status"
    assert page.get_by_label("Claim status").count() == 1, "each control has a label"
    page.keyboard.press("ArrowDown")  # a closed <select> changes with the arrow keys
    value = page.locator("select[name=status]").input_value()
    assert value
    assert all(value in e["status"] for e in shown(page))
    assert "status=" + value in page.url
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Show all events"
    page.keyboard.press("Enter")
    assert page.locator("select[name=status]").input_value() == ""
    assert count_text(page).startswith("All ")
