"""The admin area's forms (every one CSRF-protected)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import InputRequired, Length


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
