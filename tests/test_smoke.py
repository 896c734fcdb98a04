def test_programs_page_lists_the_demo_programs(demo_app, client):
    page = client.get("/programs")
    assert page.status_code == 200
    assert b"sample data" in page.data.lower()


def test_unknown_program_is_404(client):
    assert client.get("/programs/NOPE").status_code == 404


def test_health_check_answers_ok(client):
    response = client.get("/healthz")
    assert (response.status_code, response.data) == (200, b"ok")
