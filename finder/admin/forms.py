"""The admin area's forms (every one CSRF-protected)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, PasswordField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from ..catalog.columns import PROGRAM_COLUMNS, ProgramColumn


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=1024)])


class UploadForm(FlaskForm):
    file = FileField("CSV file (features.csv or programs.csv, at most 5 MB)",
                     validators=[FileRequired("Choose a CSV file to upload.")])
    prune = BooleanField("Remove programs (or features) of this kind that the file does not list")


class ConfirmForm(FlaskForm):
    """Only the CSRF token: the import to apply is in the address."""


class LogoutForm(FlaskForm):
    pass


class ProgramForm(FlaskForm):
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


class DeleteForm(FlaskForm):
    """Only the CSRF token: the program is in the address."""
