"""The admin area's forms (every one CSRF-protected)."""

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, PasswordField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from ..forms import Form


class LoginForm(Form):
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=1024)])


class UploadForm(Form):
    file = FileField("CSV file (features.csv or programs.csv, at most 5 MB)",
                     validators=[FileRequired("Choose a CSV file to upload.")])
    prune = BooleanField("Remove programs (or features) of this kind that the file does not list")


class ConfirmForm(Form):
    """Only the CSRF token: the import to apply is in the address."""


class LogoutForm(Form):
    pass


class ProgramForm(Form):
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
        return {field.name: field.data or "" for field in self if field.name != "csrf_token"}


class DeleteForm(Form):
    """Only the CSRF token: the program is in the address."""
