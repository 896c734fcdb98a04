"""The admin area's forms (every one CSRF-protected)."""

from flask_wtf.file import FileField, FileRequired
from wtforms import (BooleanField, EmailField, HiddenField, IntegerField, PasswordField, SearchField, SelectField,
                     StringField, TextAreaField)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..catalog.columns import PROGRAM_COLUMNS, ProgramColumn
from ..catalog.display import column_label
from ..forms import Form
from .catalog_admin import OPTIONAL_COLUMNS, SORTS


class LoginForm(Form):
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=1024)])


class UploadForm(Form):
    file = FileField("File: CSV or Excel workbook (.xlsx) of features or programs, at most 5 MB",
                     validators=[FileRequired("Choose a CSV file or an Excel workbook to upload.")])
    prune = BooleanField("Remove programs (or features) of this kind that the file does not list")


class ConfirmForm(Form):
    """Only the CSRF token: the import to apply is in the address."""


class LogoutForm(Form):
    pass


class OpenedWithForm(Form):
    """A form that carries the program's values as they were when it was opened (signed).

    Saving or deleting compares them with the stored program: a stale form is refused (409).
    """

    opened_with = HiddenField()


class ProgramForm(OpenedWithForm):
    """One program's cells as text, a field per registry column; the catalog's rules check them.

    The program code is the page's address, not a field. A column the request does not send
    is left unchanged (never blanked), except a required one, which the rules then report.
    """

    def cells(self) -> dict[str, str]:
        """The cells to save: every field the request sent, and every required one."""
        return {
            column.name: self[column.name].data or ""
            for column in EDITABLE_COLUMNS
            if column.required or self[column.name].raw_data
        }


EDITABLE_COLUMNS = [column for column in PROGRAM_COLUMNS if column.name != "program_code"]


def _column_field(column: ProgramColumn):
    label = f"{column.label} (required)" if column.required else column.label
    long_text = column.rule == "text" and column.max_length > 300
    limit = {"maxlength": column.longest} if column.rule in ("text", "url", "email", "zip") else {}
    return (TextAreaField if long_text else StringField)(label, description=column.help, render_kw=limit)


for _column in EDITABLE_COLUMNS:
    setattr(ProgramForm, _column.name, _column_field(_column))


class DeleteForm(OpenedWithForm):
    """The CSRF token and the values the confirmation page showed: the program is in the address."""


class ProgramsQueryForm(Form):
    """The admin programs list: search, filters, sort and page (a GET form)."""

    class Meta:
        csrf = False

    q = SearchField("Search by name or code", validators=[Optional(), Length(max=200)])
    blank = SelectField("Blank column", choices={"": "Any", **{c: column_label(c) for c in OPTIONAL_COLUMNS}},
                        validators=[Optional()])
    stale = BooleanField("Only stale programs (verified more than 12 months ago, or never)")
    sort = SelectField("Sort by", choices=dict(SORTS), default="code")
    page = IntegerField("Page", default=1, validators=[Optional(), NumberRange(1, 100000)])
