"""The map of the results in a real browser: keyboard only, at 390 and 1280 px, with no axe
violations, no style the CSP blocks, updated by htmx with the results (issue 17, point 5).
Run with `pytest -m browser`."""

import re

import pytest

from .checks import assert_no_axe_violations, assert_no_sideways_scroll, htmx_done, settled_at
from .test_finder_near_fit import open_filters_if_folded

ACTIVE = """(() => { const e = document.activeElement;
  return e ? {tag: e.tagName, label: e.getAttribute('aria-label') || '', inMap: !!e.closest('.result-map__svg')} : {}; })()"""
DOTS = "#finder-results .result-map__svg a"


def tab_to_first_dot(page, limit: int = 400) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        active = page.evaluate(ACTIVE)
        if active.get("inMap"):
            return active
    raise AssertionError(f"Tab never reached a dot of the map on {page.url}")


@pytest.mark.parametrize("width", [1280, 390])
def test_a_dot_of_the_map_is_reached_and_followed_from_the_keyboard(pages, width):
    page = pages.open("/programs?near=02108&within=250", width)
    assert page.locator(DOTS).count() > 0
    assert page.locator(".result-map__within").count() == 1
    # The background is drawn, and no dot is outside the visible part of the map.
    assert page.evaluate("document.querySelector('.result-map__svg image').getBoundingClientRect().width") > 300
    dot = tab_to_first_dot(page)
    match = re.fullmatch(r"(\d+) programs? around (.+), ([A-Z]{2})", dot["label"])
    assert match, dot
    focus = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focus != "none"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"near=\d{5}&within=\d+&sort=distance"))
    assert int(re.search(r"(\d[\d,]*) programs? match", page.locator("#finder-status").inner_text()).group(1)) >= int(match[1])
    assert page.locator("#f-near").input_value() != "02108"
    assert_no_sideways_scroll(page)
    assert_no_axe_violations(page)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_map_follows_the_filters_through_htmx_and_has_a_table(pages, width):
    page = pages.open("/programs", width)
    before = page.locator(DOTS).count()
    summary = page.locator(".result-map .field-hint").inner_text()
    assert before > 10, "the demo data covers many places"
    open_filters_if_folded(page)
    box = page.locator("[name=type][value=fellowship]")
    box.focus()
    with htmx_done(page):
        page.keyboard.press("Space")
    settled_at(page, re.compile(r"type=fellowship"))
    assert page.locator(".result-map .field-hint").inner_text() != summary
    labels = page.locator(DOTS).evaluate_all("links => links.map(a => a.getAttribute('aria-label'))")
    shown = sum(int(label.split()[0].replace(",", "")) for label in labels)
    count = int(re.search(r"(\d[\d,]*) programs? match", page.locator("#finder-status").inner_text()).group(1))
    assert 0 < shown <= count
    table = page.locator(".map-table")
    table.locator("summary").focus()
    page.keyboard.press("Enter")
    rows = table.locator("tbody tr")
    assert rows.count() == len(labels)
    assert page.evaluate("[...document.querySelectorAll('.result-map [style]')].length") == 0
    assert_no_sideways_scroll(page)
    assert_no_axe_violations(page)


def test_the_map_works_without_javascript(pages):
    page = pages.open("/programs?state=AK&state=HI&state=PR", javascript=False)
    labels = page.locator(DOTS).evaluate_all("links => links.map(a => a.getAttribute('aria-label'))")
    assert labels and all(re.search(r", (AK|HI|PR)$", label) for label in labels), labels
    page.locator(DOTS).first.click()
    page.wait_for_url(re.compile(r"near=\d{5}"))
    assert page.locator("#finder-results ol.results > li").count() >= 1
