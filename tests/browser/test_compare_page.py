"""The compare page in a real browser: everything derived from the set of programs changes together
(issue 14.2), and the table fits the screen it is on (issue 14.6)."""

import re

from playwright.sync_api import expect

from .checks import htmx_done

FOUR = ["IRF-0001", "IRF-0002", "IRF-0003", "IRF-0004"]


def derived(page) -> dict:
    """What the page says about its set of programs, wherever it says it."""
    return page.evaluate(
        """() => ({
          heading: document.querySelector('main h1').textContent.trim(),
          title: document.title,
          caption: document.querySelector('#compare-caption').textContent.trim(),
          columns: [...document.querySelectorAll('#comparison thead th[scope=col] a[href^="/programs/"]')]
                     .map(a => a.getAttribute('href').split('/').pop()),
          saved: document.querySelector('.compare-save input[name=codes]').value,
          address: new URLSearchParams(location.search).get('codes'),
        })"""
    )


def assert_agree(page, codes: list[str]) -> None:
    n = len(codes)
    words = f"{n} program{'' if n == 1 else 's'}"
    state = derived(page)
    assert state["heading"] == f"Compare {words}", state
    assert state["title"].startswith(f"Compare {words} ·"), state
    assert words in state["caption"], state
    assert state["columns"] == codes, state
    assert state["saved"] == ",".join(codes), state
    assert state["address"] == ",".join(codes), state


def test_removing_a_column_updates_heading_title_and_the_codes_the_save_form_sends(pages):
    page = pages.open("/compare?codes=" + ",".join(FOUR), 1280)
    assert_agree(page, FOUR)
    page.get_by_label("Shortlist name", exact=True).fill("Three of four")
    with htmx_done(page):
        page.get_by_role("link", name=re.compile(r"^Remove .* from the comparison$")).nth(1).click()
    left = [FOUR[0], *FOUR[2:]]
    assert_agree(page, left)
    assert page.get_by_label("Shortlist name", exact=True).input_value() == "Three of four"  # typing is kept
    with htmx_done(page):
        page.get_by_role("link", name="Show only differences").click()
    assert_agree(page, left)
    page.get_by_role("button", name="Save shortlist").click()
    page.wait_for_url(re.compile(r"/shortlists/[A-Za-z0-9_-]{20,}$"))
    expect(page.locator("#entries .entry")).to_have_count(3)
    assert page.locator("#entry-" + FOUR[1]).count() == 0


def test_back_after_a_removal_shows_the_earlier_set_everywhere(pages):
    page = pages.open("/compare?codes=" + ",".join(FOUR), 1280)
    with htmx_done(page):
        page.get_by_role("link", name=re.compile(r"^Remove .* from the comparison$")).first.click()
    assert_agree(page, FOUR[1:])
    with htmx_done(page, "htmx:historyRestore"):
        page.go_back()
    assert_agree(page, FOUR)
