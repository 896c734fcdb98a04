"""The admin dashboard counts the programs without a location and lists them (issue 17.1)."""

from .conftest import load

HEADER = "program_code,name,institution,city,state,program_type,length_years,zip_code\n"
ROWS = [
    "L1,Listed by ZIP,Harbor,Atlantis,FL,fellowship,1,02108",  # a ZIP code: located, whatever the city
    "L2,Listed by city,Harbor,Boston,MA,fellowship,1,",  # Boston, MA is in the ZIP data
    "U1,Nowhere one,Harbor,Atlantis,FL,fellowship,1,",  # no ZIP code, a city the data does not list
    "U2,Nowhere two,Harbor,Springfield,HI,fellowship,1,",
]


def test_the_dashboard_counts_and_lists_the_programs_without_a_location(app, admin_client):
    result = load(app, ("programs.csv", HEADER + "\n".join(ROWS) + "\n"))
    assert result.ok, result.problems
    page = admin_client.get("/admin/").get_data(as_text=True)
    assert "2 programs have no location" in page
    listed = page.split('id="places"')[1]
    assert "Edit U1<" in listed and "Edit U2<" in listed
    assert "Edit L1<" not in listed and "Edit L2<" not in listed


def test_with_every_program_placed_the_dashboard_says_none_and_offers_no_list(app, admin_client):
    result = load(app, ("programs.csv", HEADER + ROWS[1] + "\n"))
    assert result.ok, result.problems
    page = admin_client.get("/admin/").get_data(as_text=True)
    assert "0 programs have no location" in page and "Edit L2<" not in page.split('id="places"')[1]
