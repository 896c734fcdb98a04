"""The finder on a phone, with the keyboard and while typing (issue 14.7, 14.8, 14.12), and the
sort and radius menus operated with the arrow keys (no aborted request, no console error)."""

import re

import pytest
from playwright.sync_api import expect

from .checks import assert_no_axe_violations, htmx_done, htmx_statuses, settled_at, wait_htmx_idle

PHONE = {"width": 390, "height": 844}


def first_result_top(page) -> float:
    return page.locator("#finder-results ol.results > li h3").first.bounding_box()["y"]


@pytest.mark.parametrize("javascript", [True, False])
def test_on_a_phone_the_first_result_is_on_the_first_screen_and_the_filters_fold_away(pages, javascript):
    context = pages.context(PHONE["width"], javascript, height=PHONE["height"])
    page = pages.open("/programs?type=integrated_ir&state=TX&state=CA", context=context)
    toggle = page.locator("summary.filters-toggle")
    expect(toggle).to_have_text(re.compile(r"^Filters\s*\(3 active\)$"))
    assert first_result_top(page) + 30 < PHONE["height"], "the first result is below the first screen"
    toggle.click()
    assert page.locator("#finder-filters").evaluate("d => d.open")
    if javascript:
        assert_no_axe_violations(page)  # the open panel, its sticky bar over the options
    # While the long panel is open, "Show N programs" stays on the screen.
    show = page.locator(".filters-show__button")
    expect(show).to_have_text(re.compile(r"^Show \d+ programs?$"))
    page.evaluate("window.scrollBy(0, 600)")
    assert page.evaluate("window.scrollY") > 0
    box = show.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    box_type = page.get_by_role("checkbox", name=re.compile(r"^Independent IR residency"))
    if javascript:
        with htmx_done(page):
            box_type.check()
        count = re.search(r"^([\d,]+) programs? match", page.locator("#finder-status").inner_text()).group(1)
        expect(show).to_have_text(re.compile(rf"^Show {count} programs?$"))
        expect(toggle).to_have_text(re.compile(r"\(4 active\)"))
        show.click()  # the results already show this search: the panel folds, focus goes to them
        assert page.evaluate("document.activeElement.id") == "results-title"
    else:
        box_type.check()
        show.click()
        page.wait_for_url(re.compile(r"type=independent_ir"))
    assert not page.locator("#finder-filters").evaluate("d => d.open")
    page.evaluate("window.scrollTo(0, 0)")
    assert first_result_top(page) + 30 < PHONE["height"]
    if javascript:
        assert_no_axe_violations(page)


@pytest.mark.parametrize("javascript", [True, False])
def test_on_a_laptop_the_filters_are_always_open_beside_the_results(pages, javascript):
    page = pages.open("/programs", 1280, javascript)
    assert page.locator("summary.filters-toggle").is_hidden()
    assert page.get_by_role("checkbox", name=re.compile(r"^Integrated IR residency")).is_visible()


def test_a_number_filter_updates_while_typing_without_leaving_the_box(pages):
    page = pages.open("/programs", 1280)
    if page.locator("#f-min_research_months").is_hidden():
        page.locator("summary", has_text="Training").click()
    box = page.locator("#f-min_research_months")
    box.click()
    box.press_sequentially("6")
    settled_at(page, re.compile(r"min_research_months=6"))
    assert page.evaluate("document.activeElement.id") == "f-min_research_months"
    assert box.input_value() == "6"
    assert page.locator("a.chip", has_text=re.compile("research", re.I)).count() == 1


@pytest.mark.parametrize("control", ["#f-sort", "#f-within"])
def test_arrow_keys_in_a_menu_never_abort_a_request_or_log_an_error(pages, control):
    page = pages.open("/programs?near=02108" if control == "#f-within" else "/programs", 1280)
    page.evaluate("""() => { window.__aborts = 0;
        document.addEventListener('htmx:sendAbort', () => { window.__aborts += 1; }); }""")
    page.focus(control)
    for _ in range(4):
        page.keyboard.press("ArrowDown")
    page.wait_for_function("() => (window.__htmx['htmx:afterRequest'] || 0) >= 1")
    wait_htmx_idle(page)
    page.wait_for_function("() => !document.querySelector('#finder.htmx-request')")
    wait_htmx_idle(page)
    assert page.evaluate("window.__aborts") == 0
    assert set(htmx_statuses(page)) == {200}
    chosen = page.locator(control).input_value()
    assert re.search(rf"[?&]{control[3:]}={re.escape(chosen)}(&|$)", page.url), (chosen, page.url)


FOCUSED = "(() => { const e = document.activeElement; return e ? (e.id || e.getAttribute('href') || e.textContent.trim().slice(0, 40)) : null; })()"


def tab_until(page, wanted, limit=200) -> list[str]:
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stops.append(page.evaluate(FOCUSED))
        if page.evaluate(wanted):
            return stops
    raise AssertionError(f"not reached in {limit} Tab presses: {stops[:60]}")


FIRST_RESULT = "document.activeElement === document.querySelector('#finder-results ol.results h3 a')"


@pytest.mark.parametrize("width", [1280, 390])
def test_the_state_map_is_one_tab_stop_and_a_skip_link_leads_past_the_filters(pages, width):
    page = pages.open("/programs", width)
    stops = tab_until(page, FIRST_RESULT)
    tiles = [stop for stop in stops if stop and stop.startswith("s-")]
    assert tiles == (["s-AK"] if width == 1280 else []), tiles  # the map: one stop (folded away at 390)
    # The skip link: visible when focused, at every width; Enter, then Tab reaches the first result.
    page.goto("/programs")
    before = tab_until(page, "document.activeElement.classList.contains('to-results')")
    link = page.locator("a.to-results")
    box = link.bounding_box()
    assert link.is_visible() and box["x"] >= 0 and box["width"] > 0, box
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate(FIRST_RESULT)
    assert len(before) + 1 <= 12, before  # the brand, the menu, the search bar, then the skip link


def test_arrow_keys_move_between_state_tiles_and_space_ticks_one(pages):
    page = pages.open("/programs", 1280)
    page.focus("#s-TX")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "s-OK"
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "s-LA"
    assert "state=" not in page.url  # moving ticks nothing
    with htmx_done(page):
        page.keyboard.press("Space")
    assert "state=LA" in page.url
    assert page.evaluate("document.activeElement.id") == "s-LA"
    stops = page.evaluate("[...document.querySelectorAll('#state-map .tiles input')].filter(t => t.tabIndex === 0).map(t => t.id)")
    assert stops == ["s-LA"]
    page.keyboard.press("Home")
    assert page.evaluate("document.activeElement.id") == "s-AK"
    page.keyboard.press("End")
    assert page.evaluate("document.activeElement.id") == "s-PR"
    # The table alternative stays.
    page.get_by_text("Programs by state, as a table").click()
    assert page.locator(".state-table table tbody tr").count() == 52


def test_a_chip_clicked_while_the_form_is_still_searching_is_not_lost(pages):
    page = pages.open("/programs?type=integrated_ir", 1280)
    held = []

    def hold_first_update(route):
        if route.request.headers.get("hx-request") and not held:
            held.append(route)
        else:
            route.continue_()

    page.route(re.compile(r"/programs\?"), hold_first_update)
    page.get_by_role("checkbox", name=re.compile(r"^Northeast")).check()
    page.wait_for_function("() => !!document.querySelector('#finder-busy.htmx-request')")
    page.get_by_role("link", name="Clear all filters").click()
    held[0].continue_()
    settled_at(page, re.compile(r"/programs\??$"))
    assert page.locator("a.chip").count() == 0
    assert not page.get_by_role("checkbox", name=re.compile(r"^Northeast")).is_checked()
