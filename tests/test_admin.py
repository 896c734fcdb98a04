"""The admin area: access, login and its limit, CSV import with preview and confirm, history."""

import io

import pytest
from sqlalchemy import func, select

from finder.admin import accounts
from finder.catalog.display import column_label
from finder.extensions import db
from finder.models import Feature, Program
from finder.models.admin import AdminImport, AdminUser

from .conftest import ADMIN_EMAIL, ADMIN_PASSWORD, SEED, csrf_token, load, sign_in

FEATURES = SEED / "features.csv"
PROGRAMS = SEED / "programs.csv"


def upload(client, data: bytes, name="programs.csv", prune=False, token=None):
    form = {"file": (io.BytesIO(data), name), "csrf_token": token or csrf_token(client)}
    if prune:
        form["prune"] = "y"
    return client.post("/admin/import", data=form, content_type="multipart/form-data")


def confirm(client, record_token):
    return client.post(f"/admin/import/{record_token}/confirm", data={"csrf_token": csrf_token(client)})


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def last_import(app) -> AdminImport:
    with app.app_context():
        record = db.session.scalar(select(AdminImport).order_by(AdminImport.id.desc()))
        db.session.expunge(record)
        return record


# -- access ---------------------------------------------------------------------


def admin_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin")]


def test_every_admin_route_is_closed_to_anonymous_visitors(app, admin_user):
    client = app.test_client()
    rules = admin_rules(app)
    assert len(rules) >= 5
    for rule in rules:
        path = rule.rule.replace("<token>", "x" * 20).replace("<code>", "P1").replace("<int:import_id>", "1")
        path = path.replace("<int:edit_id>", "1")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            token = csrf_token(client)
            response = client.open(path, method=method, data={"csrf_token": token})
            if rule.endpoint == "admin.login":
                assert response.status_code in (200, 400), (method, path)
                assert b"Admin sign in" in response.data
                continue
            assert response.status_code in (302, 303, 401, 403), (method, path, response.status_code)
            assert "/admin/login" in response.headers.get("Location", "/admin/login")
    assert count(app, AdminImport) == 0


def test_signed_in_admin_sees_the_dashboard_and_after_logout_no_longer(admin_client):
    page = admin_client.get("/admin/")
    assert page.status_code == 200 and b"Admin dashboard" in page.data
    out = admin_client.post("/admin/logout", data={"csrf_token": csrf_token(admin_client)})
    assert out.status_code == 303
    assert admin_client.get("/admin/").status_code == 302


def test_logout_ends_a_copied_session_too(app, admin_client):
    with admin_client.session_transaction() as saved:
        stolen = dict(saved)
    admin_client.post("/admin/logout", data={"csrf_token": csrf_token(admin_client)})
    other = app.test_client()
    with other.session_transaction() as session:
        session.update(stolen)
    assert other.get("/admin/").status_code == 302


def test_logout_is_a_post_only(admin_client):
    assert admin_client.get("/admin/logout").status_code == 405


def test_wrong_password_and_unknown_email_get_the_same_generic_message(app, admin_user):
    client = app.test_client()
    wrong = sign_in(client, password="wrong password!!")
    unknown = sign_in(client, email="nobody@example.org")
    assert wrong.status_code == unknown.status_code == 401
    assert b"do not match an admin account" in wrong.data and b"do not match an admin account" in unknown.data


def test_an_unknown_email_is_checked_against_a_hash_of_a_real_hashs_cost(app, admin_user):
    # The written-out dummy hash has the method and parameters of a hash made now, so checking
    # an unknown email costs what checking a known one does.
    with_parameters = accounts.generate_password_hash("x", method="scrypt").split("$")[0]
    assert accounts._DUMMY_HASH.split("$")[0] == with_parameters
    assert accounts.check_password_hash(accounts._DUMMY_HASH, "not-a-real-password-at-all")
    with app.app_context():
        assert accounts.authenticate(db.session, "nobody@example.org", ADMIN_PASSWORD) is None


def test_login_clears_the_session_before_storing_the_admin(app, admin_user):
    client = app.test_client()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    assert sign_in(client).status_code == 303
    with client.session_transaction() as session:
        assert "planted" not in session and session["admin_id"] == admin_user


def test_login_redirects_only_to_admin_pages(app, admin_user):
    client = app.test_client()
    response = client.post("/admin/login?next=//evil.example/admin/",
                           data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "csrf_token": csrf_token(client)})
    assert response.headers["Location"] == "/admin/"


def test_sixth_failed_login_in_a_minute_gets_429(app, admin_user):
    client = app.test_client()
    for _ in range(5):
        assert sign_in(client, password="wrong password!!").status_code == 401
    blocked = sign_in(client)
    assert blocked.status_code == 429
    assert b"Too many attempts" in blocked.data


def test_successful_logins_do_not_count_towards_the_limit(app, admin_user):
    client = app.test_client()
    for _ in range(7):
        assert sign_in(client).status_code == 303


def test_post_without_csrf_token_is_refused_when_csrf_is_on(app, admin_client):
    assert app.config.get("WTF_CSRF_ENABLED", True)
    response = admin_client.post("/admin/import", data={"file": (io.BytesIO(b"a,b\n"), "x.csv")},
                                 content_type="multipart/form-data")
    assert response.status_code == 400
    assert count(app, AdminImport) == 0
    login = app.test_client().post("/admin/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    assert login.status_code == 400


def test_admin_layout_shows_a_flashed_message_once(admin_client):
    admin_client.post("/admin/logout", data={"csrf_token": csrf_token(admin_client)})
    page = admin_client.get("/admin/login").get_data(as_text=True)
    assert page.count("You are signed out.") == 1


# -- import -----------------------------------------------------------------------


def test_upload_previews_and_writes_nothing_until_confirmed(app, admin_client):
    response = upload(admin_client, FEATURES.read_bytes(), name="features.csv")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Added</dt><dd>" in page and "Apply these changes" in page
    assert count(app, Feature) == 0
    record = last_import(app)
    assert record.status == "previewed" and not record.applied and record.added > 0
    done = confirm(admin_client, record.token)
    assert done.status_code == 303 and done.headers["Location"] == f"/admin/imports/{record.id}"
    assert count(app, Feature) == record.added
    assert last_import(app).applied


def test_preview_of_an_update_lists_each_changed_field(demo_app, admin_client):
    text = PROGRAMS.read_text()
    header, first, *rest = text.splitlines()
    cells = first.split(",")
    changed = first.replace(cells[1], cells[1] + " Renamed", 1)
    response = upload(admin_client, "\n".join([header, changed, *rest]).encode())
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert change_row(cells[0], "Name", cells[1], cells[1] + " Renamed") in page.replace("&#39;", "'")


def change_row(key, label, old, new) -> str:
    return (f'<td data-label="Row">{key}</td><td data-label="Field">{label}</td>'
            f'<td data-label="Before">{old}</td><td data-label="After">{new}</td>')


def test_preview_shows_lists_labels_and_blanks_as_people_read_them_never_a_repr(demo_app, admin_client):
    header = "program_code,name,institution,city,state,program_type,length_years,research_features,esir_available,positions_per_year\n"
    with demo_app.app_context():
        labels = dict(db.session.execute(select(Feature.slug, Feature.label).where(Feature.kind == "research")).all())
    response = upload(admin_client, (header + "IRF-0001,Larkspur University Diagnostic Radiology Residency,"
                                     "Larkspur University Medical Center,Boston,MA,diagnostic_radiology,5,"
                                     "research_track,no,\n").encode())
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert response.status_code == 200
    assert "frozenset" not in page and "{'" not in page and "None" not in page
    assert f'<td data-label="Field">{column_label("research_features")}</td><td data-label="Before">' in page
    assert f'<td data-label="After">{labels["research_track"]}</td>' in page
    assert change_row("IRF-0001", column_label("esir_available"), "yes", "no") in page
    assert change_row("IRF-0001", column_label("positions_per_year"), "14", "(blank)") in page


def test_bad_upload_lists_every_problem_and_changes_nothing(demo_app, admin_client):
    before = count(demo_app, Program)
    bad = b"program_code,name,institution,city,state,program_type,length_years\nX1,A,B,C,ZZ,integrated_ir,9\n"
    response = upload(admin_client, bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "line 2: state:" in page and "line 2: length_years:" in page
    assert "Apply these changes" not in page
    assert count(demo_app, Program) == before
    record = last_import(demo_app)
    assert record.status == "rejected"
    assert confirm(admin_client, record.token).status_code == 409
    assert count(demo_app, Program) == before


def test_binary_upload_gets_a_clear_message(app, admin_client):
    response = upload(admin_client, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", name="photo.png")
    assert response.status_code == 422
    assert b"line 1: file: this is a binary file, not CSV text" in response.data


def test_upload_over_5_mb_gets_the_friendly_413_page(app, admin_client):
    assert app.config["MAX_CONTENT_LENGTH"] == 5 * 1024 * 1024
    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n\r\n".encode()
            + b"a" * (5 * 1024 * 1024) + f"\r\n--{boundary}--\r\n".encode())
    response = admin_client.post("/admin/import", data=body,
                                 content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert b"The limit is 5 MB" in response.data
    assert count(app, AdminImport) == 0


def test_confirm_of_a_stale_preview_is_refused(app, admin_client):
    upload(admin_client, FEATURES.read_bytes(), name="features.csv")
    record = last_import(app)
    load(app, ("features.csv", "kind,slug,label\nresearch,other_thing,Other thing\n"))
    response = confirm(admin_client, record.token)
    assert response.status_code == 409
    assert b"Upload the file again" in response.data
    assert count(app, Feature) == 1
    assert last_import(app).status == "stale"


def test_confirm_twice_applies_once(app, admin_client):
    upload(admin_client, FEATURES.read_bytes(), name="features.csv")
    record = last_import(app)
    assert confirm(admin_client, record.token).status_code == 303
    assert confirm(admin_client, record.token).status_code == 409


def test_history_shows_who_when_file_hash_counts_and_applied(app, admin_client):
    upload(admin_client, FEATURES.read_bytes(), name="../../etc/features.csv")
    record = last_import(app)
    assert record.filename == "features.csv"
    confirm(admin_client, record.token)
    page = admin_client.get("/admin/history").get_data(as_text=True)
    assert ADMIN_EMAIL in page and "features.csv" in page and "applied: added" in page
    detail = admin_client.get(f"/admin/imports/{record.id}").get_data(as_text=True)
    assert record.sha256 in detail and ADMIN_EMAIL in detail


def test_export_is_the_same_file_as_seed_export(demo_app, admin_client, runner, tmp_path):
    target = tmp_path / "out.csv"
    assert runner.invoke(args=["seed", "export", str(target)]).exit_code == 0
    response = admin_client.get("/admin/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.data.replace(b"\r\n", b"\n") == target.read_bytes().replace(b"\r\n", b"\n")


# -- create-user ---------------------------------------------------------------------


def test_create_user_with_password_on_stdin(app, runner):
    result = runner.invoke(args=["admin", "create-user", "Boss@Example.org", "--password-stdin"],
                           input="a long enough password\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(AdminUser.email)) == "boss@example.org"


def test_create_user_asks_twice(app, runner):
    result = runner.invoke(args=["admin", "create-user", "a@example.org"],
                           input="a long enough password\na long enough password\n")
    assert result.exit_code == 0, result.output
    assert "Repeat for confirmation" in result.output


@pytest.mark.parametrize(("email", "password", "message"), [
    ("a@example.org", "short", "at least 12 characters"),
    ("not-an-email", "a long enough password", "is not an email address"),
    ("ADMIN@example.org", "a long enough password", "exists already"),
])
def test_create_user_refuses_bad_input_with_a_clear_message(app, runner, admin_user, email, password, message):
    result = runner.invoke(args=["admin", "create-user", email, "--password-stdin"], input=password + "\n")
    assert result.exit_code == 1
    assert message in result.output


@pytest.mark.parametrize(("password", "why"), [
    ("aaaaaaaaaaaa", "repeated characters"),
    (" " * 12, "repeated characters"),
    ("password1234", "a commonly used password"),
    ("P@ssw0rd1234", "a commonly used password"),
    ("abcdefghijkl", "a sequence"),
    ("qwertyuiop[]", "a keyboard pattern"),
    ("boss@example.org!", "the email address or words of this site"),
    ("irprogramfinder", "the email address or words of this site"),
])
def test_create_user_refuses_a_guessable_password_saying_why_and_what_to_do(app, runner, password, why):
    result = runner.invoke(args=["admin", "create-user", "boss@example.org", "--password-stdin"], input=password + "\n")
    assert result.exit_code == 1, result.output
    assert "too easy to guess" in result.output and why in result.output
    assert "passphrase of four or more unrelated words" in result.output
    assert "Traceback" not in result.output and "zxcvbn" not in result.output
    with app.app_context():
        assert db.session.scalar(select(AdminUser.email)) is None


def test_a_passphrase_of_unrelated_words_is_accepted(app, runner):
    result = runner.invoke(args=["admin", "create-user", "boss@example.org", "--password-stdin"],
                           input="lantern orbit pickle meadow\n")
    assert result.exit_code == 0, result.output


def test_passwords_are_stored_as_scrypt_hashes(app, admin_user):
    with app.app_context():
        assert db.session.get(AdminUser, admin_user).password_hash.startswith("scrypt:")
        assert accounts.authenticate(db.session, ADMIN_EMAIL.upper(), ADMIN_PASSWORD) is not None


# -- keep the data true ----------------------------------------------------------------


def test_dashboard_counts_types_regions_blanks_and_stale(demo_app, admin_client):
    page = admin_client.get("/admin/").get_data(as_text=True)
    with demo_app.app_context():
        total = db.session.scalar(select(func.count()).select_from(Program))
        never = db.session.scalar(select(func.count()).select_from(Program).where(Program.data_verified_on.is_(None)))
    assert f"{total} programs in the catalog" in page
    assert "Integrated IR residency" in page and "Northeast" in page
    assert f"{never} of {total}" in page and "/admin/programs?blank=data_verified_on" in page
    assert "/admin/programs?stale=1" in page


def test_blank_list_shows_exactly_the_programs_leaving_the_column_blank(demo_app, admin_client):
    page = admin_client.get("/admin/programs?blank=data_verified_on").get_data(as_text=True)
    with demo_app.app_context():
        blank = set(db.session.scalars(select(Program.program_code).where(Program.data_verified_on.is_(None))))
        filled = set(db.session.scalars(select(Program.program_code).where(Program.data_verified_on.is_not(None))))
    assert blank and all(f"Edit {code}<" in page for code in blank)
    assert not any(f"Edit {code}<" in page for code in filled)


def test_stale_list_holds_old_and_never_verified_programs(demo_app, admin_client):
    page = admin_client.get("/admin/programs?stale=1").get_data(as_text=True)
    assert "Edit IRF-0001<" in page  # verified 2024-02-25
    assert "Edit IRF-0002<" in page  # never verified


def test_unknown_blank_column_gets_400_naming_it(demo_app, admin_client):
    response = admin_client.get("/admin/programs?blank=nonsense")
    assert response.status_code == 400 and b"nonsense" in response.data


def test_edit_form_saves_a_valid_change(demo_app, admin_client):
    form = admin_client.get("/admin/programs/IRF-0001/edit")
    assert form.status_code == 200 and b"Larkspur University Medical Center" in form.data
    data = {**program_form(demo_app, "IRF-0001", admin_client), "city": "Cambridge", "csrf_token": csrf_token(admin_client)}
    response = admin_client.post("/admin/programs/IRF-0001/edit", data=data)
    assert response.status_code == 303
    with demo_app.app_context():
        assert db.session.scalar(select(Program.city).where(Program.program_code == "IRF-0001")) == "Cambridge"


def program_form(app, code, client=None):
    """The edit form's fields as a browser would send them (with the values it was opened with)."""
    from finder.admin.catalog_admin import program_cells

    with app.app_context():
        program = db.session.scalar(select(Program).where(Program.program_code == code))
        cells = program_cells(program.to_record())
    cells.pop("program_code")
    if client is not None:
        cells["opened_with"] = opened_with(client, f"/admin/programs/{code}/edit")
    return cells


def opened_with(client, path: str) -> str:
    import re

    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="opened_with" type="hidden" value="([^"]+)"', page).group(1)


def test_edit_form_uses_the_csv_rules_and_changes_nothing_on_error(demo_app, admin_client):
    data = {**program_form(demo_app, "IRF-0001", admin_client), "state": "ZZ", "length_years": "nine",
            "website": "ftp://x", "csrf_token": csrf_token(admin_client)}
    response = admin_client.post("/admin/programs/IRF-0001/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert page.count('class="field-error"') == 3
    with demo_app.app_context():
        assert db.session.scalar(select(Program.state).where(Program.program_code == "IRF-0001")) == "MA"


def test_delete_asks_first_then_removes_the_program(demo_app, admin_client):
    before = count(demo_app, Program)
    ask = admin_client.get("/admin/programs/IRF-0001/delete")
    assert ask.status_code == 200 and b"Delete IRF-0001?" in ask.data
    assert count(demo_app, Program) == before
    done = admin_client.post("/admin/programs/IRF-0001/delete", data={
        "csrf_token": csrf_token(admin_client), "opened_with": opened_with(admin_client, "/admin/programs/IRF-0001/delete")})
    assert done.status_code == 303
    assert count(demo_app, Program) == before - 1
    assert admin_client.get("/admin/programs/IRF-0001/edit").status_code == 404


def test_every_admin_post_without_a_csrf_token_is_refused(app_config, demo_app, admin_client):
    demo_app.config["WTF_CSRF_ENABLED"] = True
    for rule in admin_rules(demo_app):
        if "POST" not in rule.methods:
            continue
        path = rule.rule.replace("<token>", "x" * 20).replace("<code>", "IRF-0001").replace("<int:import_id>", "1")
        response = admin_client.post(path, data={})
        assert response.status_code == 400, (path, response.status_code)
    assert count(demo_app, Program) > 0 and count(demo_app, AdminImport) == 0


@pytest.fixture
def tight_upload_limit(app_config):
    app_config["ADMIN_UPLOAD_LIMIT"] = "2 per minute"


def test_uploads_are_rate_limited(tight_upload_limit, app, admin_client):
    for _ in range(2):
        assert upload(admin_client, FEATURES.read_bytes()).status_code == 200
    assert upload(admin_client, FEATURES.read_bytes()).status_code == 429


def test_admin_pages_are_never_cached(admin_client, client):
    assert admin_client.get("/admin/").headers["Cache-Control"] == "no-store"
    assert client.get("/admin/login").headers["Cache-Control"] == "no-store"
