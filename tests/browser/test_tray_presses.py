"""A fast second press on "Add to compare" (issue 14.5): a real user double-pressing.

The buttons submit the shared form #compare-add with their own name and value. htmx learns which
button submitted a form from its own click/focus listeners, which a swapped-in button only gets
when htmx has settled it; and a press made while the first request runs is queued and replayed
after the button it came from was replaced. Either way the value could be lost (the 400 of the
flaky keyboard test). Each test presses at one of those moments, then checks that no request
failed and that the button, the tray and the header agree with each other.
"""

import pytest

from .checks import htmx_count, htmx_done, htmx_statuses

CODE = "IRF-0002"

# Press the button again (in a task of its own, as a key press is) right after the given htmx
# moment: `afterSwap` is when the answer has replaced the button but htmx has not yet settled
# (processed) the new one; `beforeSend` is while the first request is on its way. It records
# whether the press landed in that window, so the test cannot pass by pressing too late.
PRESS_AGAIN_AT = """([moment, ids]) => {
  document.addEventListener('htmx:' + moment, () => setTimeout(() => {
    window.__pressedAgain = {
      inFlight: document.getElementById('compare-add').classList.contains('htmx-request'),
      unsettled: !!document.querySelector('.htmx-added, .htmx-settling'),
    };
    ids.forEach(id => { const button = document.getElementById(id); button.focus(); button.click(); });
  }, 0), {once: true});
}"""


def tray_state(page) -> dict:
    return page.evaluate(
        """(id) => ({
          button: document.getElementById(id).textContent.replace(/ Larkspur.*$/, ''),
          header: document.querySelector('#nav-compare').textContent,
          tray: [...document.querySelectorAll('#tray-body .tray__list a')].map(a => a.textContent)})""",
        f"ca-{CODE}",
    )


def assert_consistent(page) -> None:
    state = tray_state(page)
    in_tray = len(state["tray"])
    assert state["header"] == f"Compare ({in_tray})", state
    assert state["button"] == ("Remove from compare" if in_tray else "Add to compare"), state


@pytest.mark.parametrize("moment", ["afterSwap", "beforeSend"])
def test_a_second_press_is_never_sent_without_the_buttons_value(pages, moment):
    page = pages.open(f"/programs/{CODE}", 1280)
    page.evaluate(PRESS_AGAIN_AT, [moment, [f"ca-{CODE}"]])
    with htmx_done(page, "htmx:afterRequest", times=2):
        page.locator(f"#ca-{CODE}").press("Enter")
    pressed = page.evaluate("window.__pressedAgain")
    assert pressed == {"inFlight": moment == "beforeSend", "unsettled": moment == "afterSwap"}
    assert htmx_statuses(page) == [200, 200]
    assert htmx_count(page, "htmx:responseError") == 0
    assert page.locator("#request-error").is_hidden()
    assert_consistent(page)


def test_pressing_three_different_buttons_quickly_adds_all_three(pages):
    page = pages.open("/programs?q=larkspur", 1280)
    first, second, third = page.locator("#finder-results button[name=code]").all()[:3]
    page.evaluate(PRESS_AGAIN_AT, ["beforeSend", [second.get_attribute("id"), third.get_attribute("id")]])
    with htmx_done(page, "htmx:afterRequest", times=3):
        first.click()
    assert page.evaluate("window.__pressedAgain.inFlight")
    assert htmx_statuses(page) == [200, 200, 200]
    assert page.locator("#nav-compare").inner_text() == "Compare (3)"
    assert page.locator("#finder-results button[name=remove]").count() == 3
