"""Extension objects, created once and bound to the app in `create_app`.

Flask-Migrate is not among them: `finder.migrating` sets it up when a `flask db` command runs."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy.orm import DeclarativeBase

from .catalog.tables import metadata


class Base(DeclarativeBase):
    metadata = metadata


db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
htmx = Htmx()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
