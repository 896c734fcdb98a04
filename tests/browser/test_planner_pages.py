"""The application planner in a real browser: status and signal with the keyboard only, with and
without JavaScript, at 390 px; axe on the planner page; the rank order list by keyboard, by drag,
and printed on one page."""

import re

import pytest

from playwright.sync_api import expect

from .checks import assert_no_axe_violations, assert_no_sideways_scroll, htmx_done

CODES = "IRF-0001,IRF-0002,IRF-0003,IRF-0005,IRF-0006,IRF-0009"
DR = "Larkspur University Diagnostic Radiology Residency"


def saved_list(page) -> str:
    page.goto(f"/compare?codes={CODES}")
    page.get_by_label("Shortlist name", exact=True).fill("Season plan")
    page.get_by_role("button", name="Save shortlist").click()
    page.wait_for_url(re.compile(r"/shortlists/[A-Za-z0-9_-]{43}$"))
    return page.url


def plan_by_keyboard(page, code: str) -> None:
    """Status one step on (Applying), signal one step on (Gold), a date typed, Enter on Save: keys only."""
    page.locator(f"#status-{code}").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == f"signal-{code}"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == f"interview-{code}"
    page.keyboard.type("11142026")  # a date input takes the digits in the locale's order (en-US)
    page.keyboard.press("Tab")  # past the date's own parts to the Save button
    while page.evaluate("document.activeElement.tagName") != "BUTTON":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")


def shared_plan(page, edit_url: str, code: str):
    share = page.locator("#share-link").input_value()
    body = page.request.get(share + ".json").json()
    entry = next(e for e in body["entries"] if e["program_code"] == code)
    return entry["status"], entry["signal"], entry["interview_on"]


@pytest.mark.parametrize("width", [390, 1280])
def test_status_and_signal_with_the_keyboard_only_update_in_place(pages, width):
    page = pages.open("/", width)
    edit_url = saved_list(page)
    page.evaluate("window.notReloaded = true")
    with htmx_done(page):
        plan_by_keyboard(page, "IRF-0001")
    expect(page.locator("#list-status")).to_contain_text(f"Saved the plan for {DR}: applying, gold signal, interview on 2026-11-14.")
    assert page.evaluate("window.notReloaded") is True
    expect(page.locator("#plan-summary")).to_contain_text("Gold 1 of 6 · Silver 0 of 6")
    expect(page.locator("#plan-summary")).to_contain_text("5 considering, 1 applying")
    assert shared_plan(page, edit_url, "IRF-0001") == ("applying", "gold", "2026-11-14")
    assert_no_sideways_scroll(page)


def test_status_and_signal_with_the_keyboard_and_without_javascript(pages):
    page = pages.open("/", 390, javascript=False)
    page.goto(f"/compare?codes={CODES}")
    page.get_by_label("Shortlist name", exact=True).fill("No script")
    page.get_by_role("button", name="Save shortlist").click()
    page.wait_for_url(re.compile(r"/shortlists/[A-Za-z0-9_-]{43}$"))
    edit_url = page.url
    plan_by_keyboard(page, "IRF-0001")
    page.wait_for_url(re.compile(r"#entry-IRF-0001$"))
    expect(page.locator(".page-messages")).to_contain_text(f"Saved the plan for {DR}: applying, gold signal")
    assert page.locator("#status-IRF-0001").input_value() == "applying"
    assert shared_plan(page, edit_url, "IRF-0001") == ("applying", "gold", "2026-11-14")
    assert_no_sideways_scroll(page)


def test_the_last_gold_signal_is_refused_in_place_with_the_limit_named(pages):
    page = pages.open("/", 390)
    saved_list(page)
    pages.allow("status of 409")
    for code in CODES.split(","):
        page.locator(f"#signal-{code}").select_option("gold")
        with htmx_done(page):
            page.get_by_role("button", name=re.compile(f"Save plan for .*")).nth(CODES.split(",").index(code)).click()
    expect(page.locator("#plan-summary")).to_contain_text("Gold 6 of 6")
    page.goto(page.url.split("#")[0] + "?status=considering")
    expect(page.locator(".entry")).to_have_count(6)


@pytest.mark.parametrize("width", [390, 1280])
def test_the_planner_page_has_no_axe_violations(pages, width):
    page = pages.open("/", width)
    saved_list(page)
    pages.allow("status of 409")
    page.locator("#status-IRF-0002").select_option("applying")
    page.locator("#signal-IRF-0002").select_option("gold")  # signals_accepted unknown: a warning
    with htmx_done(page):
        page.get_by_role("button", name="Save plan for Larkspur University Integrated IR Residency").click()
    page.locator("#interview-IRF-0003").fill("2026-12-01")
    with htmx_done(page):
        page.get_by_role("button", name="Save plan for Larkspur University Independent IR Residency").click()
    page.reload()
    page.locator(".season__list summary").click()
    assert_no_axe_violations(page)
    assert_no_sideways_scroll(page)
    page.goto(page.url.split("#")[0] + "?group=status")
    assert_no_axe_violations(page)


def test_the_rank_order_list_by_keyboard_by_drag_and_on_one_printed_page(pages):
    page = pages.open("/", 1280)
    edit_url = saved_list(page)
    for code in ("IRF-0001", "IRF-0005", "IRF-0009"):
        page.locator(f"#status-{code}").select_option("interviewed")
        with htmx_done(page):
            page.locator(f"#plan-{code} button[type=submit]").first.click()
    page.goto(edit_url + "/rank-order")
    order = lambda: page.locator(".ranking__item").evaluate_all("items => items.map(i => i.dataset.code)")
    assert order() == ["IRF-0001", "IRF-0005", "IRF-0009"]
    page.locator("#place-rank-IRF-0009").fill("1")
    with htmx_done(page):
        page.locator("#place-rank-IRF-0009").press("Enter")
    expect(page.locator("#ranking-status")).to_have_text(
        re.compile(r"Moved .+ to place 1 of 3 on the rank order list\."))
    assert order() == ["IRF-0009", "IRF-0001", "IRF-0005"]
    with htmx_done(page):
        page.locator("#rank-IRF-0005").drag_to(page.locator("#rank-IRF-0009"))
    assert order() == ["IRF-0005", "IRF-0009", "IRF-0001"]
    assert_no_axe_violations(page)
    pdf = page.pdf()
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
