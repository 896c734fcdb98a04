"""Checks every browser test can apply to a page: axe, console and CSP errors, layout, focus, targets.

`PageChecker` opens pages in fresh browser contexts with the real Content-Security-Policy in force
(no bypass) and records console errors, uncaught page errors and CSP violations; the `pages`
fixture fails the test at its end if any were seen.
"""

import os
import re
from contextlib import contextmanager
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}}
ARTIFACTS = Path(os.environ.get("BROWSER_ARTIFACTS") or Path(__file__).parent / "screenshots")

# Recorded in the page before any of its own scripts run; evaluated over CDP, so CSP does not apply.
# It also counts htmx's own events, so tests wait for htmx to finish instead of for time.
RECORD_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber);
});
window.__htmx = {};
window.__htmxStatuses = [];
document.addEventListener('htmx:afterRequest', e => { window.__htmxStatuses.push(e.detail.xhr ? e.detail.xhr.status : 0); });
['htmx:afterSettle', 'htmx:historyRestore', 'htmx:afterRequest', 'htmx:responseError'].forEach(name => {
  document.addEventListener(name, () => { window.__htmx[name] = (window.__htmx[name] || 0) + 1; });
});
"""

# htmx has nothing left to do: no request in flight, nothing being swapped or settled.
HTMX_IDLE = "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"


class PageChecker:
    def __init__(self, browser, base_url: str, test_name: str):
        self.browser = browser
        self.base_url = base_url
        self.test_name = re.sub(r"[^A-Za-z0-9_.-]+", "-", test_name).strip("-")
        self.contexts = []
        self.problems: list[str] = []
        self.allowed: list[str] = []

    def context(self, width: int = 1280, javascript: bool = True, height: int = 900):
        context = self.browser.new_context(
            viewport={"width": width, "height": height}, java_script_enabled=javascript, base_url=self.base_url
        )
        context.add_init_script(RECORD_CSP)
        self.contexts.append(context)
        return context

    def new_page(self, context):
        page = context.new_page()
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.problems.append(f"page error on {page.url}: {error}"))
        return page

    def open(self, path: str, width: int = 1280, javascript: bool = True, status: int = 200, context=None):
        """A new page at `path`; the response must have `status` (a 4xx page allows its own console line)."""
        page = self.new_page(context or self.context(width, javascript))
        if status >= 400:
            self.allow(f"status of {status}")
        response = page.goto(path)
        assert response is not None and response.status == status, f"{path} answered {response and response.status}, not {status}"
        return page

    def allow(self, fragment: str) -> None:
        """Accept console errors containing `fragment` (e.g. the 'Failed to load resource' of a tested 4xx)."""
        self.allowed.append(fragment)

    def _console(self, page, message) -> None:
        if message.type == "error" and not any(fragment in message.text for fragment in self.allowed):
            self.problems.append(f"console error on {page.url}: {message.text}")

    def close(self) -> None:
        for context in self.contexts:
            for page in context.pages:
                try:
                    violations = page.evaluate("window.__cspViolations || []")
                except Exception:  # JavaScript off, or the page is gone
                    violations = []
                self.problems.extend(f"CSP violation on {page.url}: {text}" for text in violations)
            context.close()
        assert not self.problems, "\n".join(self.problems)


def htmx_count(page, event: str) -> int:
    return page.evaluate("name => (window.__htmx || {})[name] || 0", event)


@contextmanager
def htmx_done(page, event: str = "htmx:afterSettle", times: int = 1):
    """Run the block, then wait until htmx has fired `event` (`times` more times) and is idle.

    For actions that start an htmx request: a click, a key, a change, Back (`htmx:historyRestore`).
    """
    before = htmx_count(page, event)
    yield
    page.wait_for_function(
        f"([name, count]) => ((window.__htmx || {{}})[name] || 0) >= count && {HTMX_IDLE}", arg=[event, before + times]
    )


def htmx_statuses(page) -> list[int]:
    """The HTTP status of every htmx request the page has made so far."""
    return page.evaluate("window.__htmxStatuses || []")


def wait_htmx_idle(page) -> None:
    """Wait until no htmx request is in flight and nothing is being swapped or settled."""
    page.wait_for_function(f"() => {HTMX_IDLE}")


def settled_at(page, url) -> None:
    """Wait until htmx has pushed an address matching `url` and settled what it swapped.

    For typing into a debounced field, where how many requests the keys start depends on timing.
    """
    page.wait_for_url(url)
    wait_htmx_idle(page)


def assert_no_axe_violations(page) -> None:
    results = Axe().run(page, options=AXE_OPTIONS)
    if results.violations_count:
        lines = [f"{results.violations_count} axe violation(s) on {page.url}:"]
        for violation in results.response["violations"]:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
            for node in violation["nodes"][:8]:
                lines.append(f"    {node['target']}: {node['html'][:200]}")
        raise AssertionError("\n".join(lines))


def assert_no_sideways_scroll(page) -> None:
    sizes = page.evaluate(
        "({scroll: document.scrollingElement.scrollWidth, client: document.scrollingElement.clientWidth})"
    )
    assert sizes["scroll"] <= sizes["client"], f"{page.url} scrolls sideways: {sizes}"


def assert_targets_at_least_24px(page) -> None:
    """Buttons, selects and text boxes are at least 24×24 CSS px (WCAG 2.5.8; inline links are exempt)."""
    small = page.evaluate(
        """[...document.querySelectorAll('button, select, input:not([type=checkbox]):not([type=radio]):not([type=hidden])')]
          .filter(e => e.offsetParent !== null)
          .map(e => ({html: e.outerHTML.slice(0, 120), r: e.getBoundingClientRect()}))
          .filter(x => x.r.width < 24 || x.r.height < 24)
          .map(x => x.html + ' ' + Math.round(x.r.width) + 'x' + Math.round(x.r.height))"""
    )
    assert not small, f"targets smaller than 24 px on {page.url}: {small}"


def assert_no_dead_controls(page) -> None:
    """Without JavaScript every visible control does something: a button submits a form (or resets
    it), a link goes somewhere (an in-page link to an element that exists)."""
    dead = page.evaluate(
        """(() => {
          const shown = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
          const buttons = [...document.querySelectorAll('button, input[type=button], [role=button]')]
            .filter(shown).filter(e => !(e.form && ['submit', 'reset'].includes(e.type)));
          const links = [...document.querySelectorAll('a')].filter(shown).filter(a => {
            const href = a.getAttribute('href');
            if (href === null || href === '' || href === '#' || /^javascript:/i.test(href)) return true;
            return href.startsWith('#') && !document.getElementById(decodeURIComponent(href.slice(1)));
          });
          return [...buttons, ...links].map(e => e.outerHTML.slice(0, 160));
        })()"""
    )
    assert not dead, f"controls that do nothing without JavaScript on {page.url}: {dead}"


FOCUS_STYLE = """(() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  return {tag: e.tagName, id: e.id, text: (e.innerText || e.value || '').slice(0, 40),
          outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
          shadow: s.boxShadow !== 'none'};
})()"""


def tab_through(page, limit: int = 80) -> list[dict]:
    """Press Tab until focus leaves the page or cycles; every stop must show a visible focus indicator."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_STYLE)
        if focused is None or (stops and focused == stops[0]):
            break
        assert focused["outline"] or focused["shadow"], f"no visible focus indicator on {focused} at {page.url}"
        stops.append(focused)
    return stops


def screenshot(page, name: str, width: int) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_-]+', '-', name)}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def check_page(page, name: str, width: int, javascript: bool = True) -> None:
    """The standard checks of one page at one width: layout, targets, axe (JS on), screenshot."""
    screenshot(page, name, width)
    assert_no_sideways_scroll(page)
    assert_targets_at_least_24px(page)
    if javascript:
        assert_no_axe_violations(page)
    else:
        assert_no_dead_controls(page)
