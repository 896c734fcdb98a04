"""The admin journey at 390 and 1280 px (issue 18): every admin page without axe violations,
sideways scrolling or small targets; a workbook upload, a big bad file's preview, two admins
editing one program (the second gets the 409 page), the history and its pages."""

import io
import re

import pytest
import xlsxwriter
from playwright.sync_api import expect

from .checks import assert_no_axe_violations, check_page
from .conftest import ADMIN_EMAIL, ADMIN_PASSWORD

WIDTHS = [390, 1280]
HEADER = "program_code,name,institution,city,state,program_type,length_years"


def signed_in(pages, width: int):
    """A page of a new browser context (a new person) signed in as the admin, on the dashboard."""
    page = pages.open("/admin/login", width)
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/admin/?$"))
    return page


def upload(page, name: str, data: bytes, mime: str = "text/csv") -> None:
    page.goto("/admin/import")
    page.get_by_label(re.compile(r"^File")).set_input_files(files=[{"name": name, "mimeType": mime, "buffer": data}])
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()


def workbook(rows) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    book.close()
    return out.getvalue()


@pytest.mark.parametrize("width", WIDTHS)
def test_every_admin_page_is_accessible_and_fits(pages, live_server, width):
    assert live_server.has_admin
    page = signed_in(pages, width)
    nav = page.get_by_role("navigation", name="Admin")
    assert nav.get_by_role("link").all_inner_texts() == ["Dashboard", "Programs", "Import", "History", "Export"]
    assert page.locator("#compare-tray, #nav-compare").count() == 0
    check_page(page, "admin-dashboard", width)
    for name, path in [("admin-programs", "/admin/programs"), ("admin-programs-stale", "/admin/programs?stale=1&sort=verified"),
                       ("admin-programs-search", "/admin/programs?q=larkspur"), ("admin-import", "/admin/import"),
                       ("admin-history", "/admin/history"), ("admin-export", "/admin/export"),
                       ("admin-edit", "/admin/programs/IRF-0004/edit"), ("admin-delete", "/admin/programs/IRF-0004/delete")]:
        page.goto(path)
        check_page(page, name, width)
    pages.allow("status of 400")
    page.goto("/admin/programs?page=0")  # a bad value: the 400 page names it
    expect(page.get_by_role("alert")).to_contain_text("Page")
    check_page(page, "admin-programs-bad", width)


def test_sign_out_is_a_quiet_link_not_the_loudest_control(pages):
    page = signed_in(pages, 1280)
    sign_out = page.get_by_role("button", name="Sign out")
    weight = lambda locator: locator.evaluate("e => getComputedStyle(e).backgroundColor")  # noqa: E731
    assert weight(sign_out) in ("rgba(0, 0, 0, 0)", "transparent")
    sign_out.click()
    page.wait_for_url(re.compile(r"/admin/login"))
    assert page.locator("#compare-tray, #nav-compare").count() == 0
    check_page(page, "admin-login-signed-out", 1280)


@pytest.mark.parametrize("width", WIDTHS)
def test_workbook_upload_preview_apply_and_its_history_page(pages, width):
    page = signed_in(pages, width)
    code = f"ZZ-XLSX-{width}"
    data = workbook([HEADER.split(","), [code, f"Workbook IR {width}", "Workbook Hospital", "Austin", "TX", "integrated_ir", 6]])
    upload(page, "programs.xlsx", data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    counts = page.locator(".admin-counts")
    expect(counts.locator("dt", has_text="Added").locator("xpath=following-sibling::dd[1]")).to_have_text("1")
    check_page(page, "admin-preview-xlsx", width)
    page.get_by_role("button", name="Apply these changes").click()
    page.wait_for_url(re.compile(r"/admin/imports/\d+$"))
    expect(page.get_by_role("status").filter(has_text="Applied programs.xlsx: added 1")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Excel workbook")
    check_page(page, "admin-import-detail", width)
    page.goto("/admin/history")
    expect(page.locator("main table")).to_contain_text("programs.xlsx")
    check_page(page, "admin-history-filled", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_bad_file_preview_shows_the_first_100_problems_counts_and_the_download(pages, width):
    page = signed_in(pages, width)
    rows = "".join(f"BAD-{n},N,I,C,ZZ,residency,9\n" for n in range(400))
    pages.allow("status of 422")
    upload(page, "bad.csv", f"{HEADER}\n{rows}".encode())
    expect(page.get_by_role("alert")).to_contain_text("1,200 problems found")
    assert page.locator("[aria-labelledby=problem-list] li").count() == 100
    expect(page.locator("[aria-labelledby=problem-columns]")).to_contain_text("state: 400 rows")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download all 1,200 problems")).click()
    assert download.value.suggested_filename == "bad-problems.csv"
    check_page(page, "admin-preview-problems", width)


@pytest.mark.parametrize("width", WIDTHS)
def test_two_admins_edit_one_program_and_the_second_sees_what_changed(pages, width):
    first = signed_in(pages, width)
    code = f"ZZ-RACE-{width}"
    upload(first, "race.csv", f"{HEADER},website\n{code},Race IR,Race Hospital,Austin,TX,integrated_ir,6,\n".encode())
    first.get_by_role("button", name="Apply these changes").click()
    first.wait_for_url(re.compile(r"/admin/imports/\d+$"))
    second = signed_in(pages, width)
    first.goto(f"/admin/programs/{code}/edit")
    second.goto(f"/admin/programs/{code}/edit")
    second.get_by_label(re.compile("^Website")).fill("https://race.example.org/")
    second.get_by_role("button", name=f"Save {code}").click()
    expect(second.get_by_role("status").filter(has_text=f"Saved {code}")).to_be_visible()
    first.get_by_label(re.compile("^Positions per year")).fill("3")
    pages.allow("status of 409")
    first.get_by_role("button", name=f"Save {code}").click()
    expect(first.get_by_role("heading", level=1)).to_have_text(f"{code} changed after you opened it")
    changed = first.locator("table").first
    expect(changed).to_contain_text("https://race.example.org/")
    check_page(first, "admin-conflict", width)
    second.goto("/admin/history")
    second.get_by_role("link", name=re.compile(f"^{code} ")).first.click()
    expect(second.locator("main")).to_contain_text("https://race.example.org/")
    assert_no_axe_violations(second)
