def test_programs_page_lists_the_demo_programs(demo_app, client):
    page = client.get("/programs")
    assert page.status_code == 200
    assert b"sample data" in page.data.lower()


def test_unknown_program_is_404(client):
    assert client.get("/programs/NOPE").status_code == 404


def test_health_check_answers_ok(client):
    response = client.get("/healthz")
    assert (response.status_code, response.data) == (200, b"ok")


def test_readiness_check_answers_ok_when_the_database_answers(client):
    response = client.get("/readyz")
    assert (response.status_code, response.data) == (200, b"ok")


def test_readiness_check_answers_503_when_the_database_is_gone(app_config, tmp_path, caplog):
    from finder import create_app

    # A folder stands where the SQLite file should be, so no connection can open it.
    (tmp_path / "missing").mkdir()
    app = create_app(dict(app_config, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'missing'}"))
    response = app.test_client().get("/readyz")
    assert (response.status_code, response.data) == (503, b"database unavailable")
    assert "does not answer" in caplog.text
