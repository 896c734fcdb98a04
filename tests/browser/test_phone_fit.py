"""Nothing scrolls sideways on a 390 px phone (issue 14.4): every demo program's page, not a sample.

(Every other page type is checked at 390 px by test_pages.py.)
"""

import json
import urllib.request


def all_program_codes(base_url: str) -> list[str]:
    codes, page = [], 1
    while True:
        with urllib.request.urlopen(f"{base_url}/api/programs?per_page=100&page={page}") as response:
            answer = json.load(response)
        codes += [program["program_code"] for program in answer["results"]]
        if len(codes) >= answer["count"] or not answer["results"]:
            return codes
        page += 1


WIDEST = """() => {
  const root = document.scrollingElement;
  if (root.scrollWidth <= root.clientWidth) return null;
  const wide = [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > root.clientWidth + 0.5);
  return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth,
          culprit: wide.length ? wide[wide.length - 1].outerHTML.slice(0, 160) : null};
}"""


def test_no_demo_program_page_scrolls_sideways_at_390_px(pages, live_server):
    codes = all_program_codes(live_server)
    assert len(codes) > 100  # the whole demo catalog, not a sample
    page = pages.new_page(pages.context(390))
    wide = {}
    for code in codes:
        page.goto(f"/programs/{code}")
        found = page.evaluate(WIDEST)
        if found:
            wide[code] = found
    assert not wide, f"{len(wide)} of {len(codes)} program pages scroll sideways at 390 px: {dict(list(wide.items())[:5])}"
