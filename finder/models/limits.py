"""Counters of failed admin logins, kept in the database that every worker and instance shares."""

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class LoginAttempt(db.Model):
    """One client's login attempts in its current window (see finder/admin/login_limit.py)."""

    __tablename__ = "login_attempts"

    # SHA-256 of the client's address: the limit needs to tell clients apart, not to know them.
    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    # When the window ends, in whole seconds since the Unix epoch (plain integers compare the
    # same way on both databases, in SQL and in Python).
    window_ends: Mapped[int] = mapped_column(Integer, index=True)
    attempts: Mapped[int] = mapped_column(Integer)
