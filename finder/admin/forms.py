"""The admin area's forms (every one CSRF-protected)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, EmailField, HiddenField, IntegerField, PasswordField, SearchField, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..catalog.display import column_label
from .catalog_admin import OPTIONAL_COLUMNS, SORTS


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=1024)])


class UploadForm(FlaskForm):
    file = FileField("File: CSV or Excel workbook (.xlsx) of features or programs, at most 5 MB",
                     validators=[FileRequired("Choose a CSV file or an Excel workbook to upload.")])
    prune = BooleanField("Remove programs (or features) of this kind that the file does not list")


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the import to apply is in the address."""


class LogoutForm(FlaskForm):
    pass


class OpenedWithForm(FlaskForm):
    """A form that carries the program's values as they were when it was opened (signed).

    Saving or deleting compares them with the stored program: a stale form is refused (409).
    """

    opened_with = HiddenField()


class ProgramForm(OpenedWithForm):
    """One program's cells as text; the catalog's column rules check them (see catalog_admin)."""

    name = StringField("Name (required)")
    institution = StringField("Institution (required)")
    city = StringField("City (required)")
    state = StringField("State: USPS code, e.g. MA (required)")
    program_type = StringField(
        "Program type: integrated_ir, independent_ir, diagnostic_radiology or fellowship (required)"
    )
    length_years = StringField("Length in years, 1–7 (required)")
    positions_per_year = StringField("Positions per year, 0–100")
    esir_available = StringField("ESIR available: yes or no (diagnostic radiology only)")
    fellowships = StringField("Fellowships: slugs separated by ;")
    research_features = StringField("Research features: slugs separated by ;")
    mentorship_features = StringField("Mentorship features: slugs separated by ;")
    research_months = StringField("Research months, 0–24")
    visa_sponsorship = StringField("Visa sponsorship: none, j1, h1b or j1_h1b (blank = unknown)")
    website = StringField("Website: http:// or https:// address")
    description = TextAreaField("Description (plain text, up to 2,000 characters)")
    data_verified_on = StringField("Data verified on: YYYY-MM-DD")

    def cells(self) -> dict[str, str]:
        return {field.name: field.data or "" for field in self if field.name not in ("csrf_token", "opened_with")}


class DeleteForm(OpenedWithForm):
    """The CSRF token and the values the confirmation page showed: the program is in the address."""


class ProgramsQueryForm(FlaskForm):
    """The admin programs list: search, filters, sort and page (a GET form)."""

    class Meta:
        csrf = False

    q = SearchField("Search by name or code", validators=[Optional(), Length(max=200)])
    blank = SelectField("Blank column", choices={"": "Any", **{c: column_label(c) for c in OPTIONAL_COLUMNS}},
                        validators=[Optional()])
    stale = BooleanField("Only stale programs (verified more than 12 months ago, or never)")
    sort = SelectField("Sort by", choices=dict(SORTS), default="code")
    page = IntegerField("Page", default=1, validators=[Optional(), NumberRange(1, 100000)])
