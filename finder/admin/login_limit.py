"""The failed-login limit, counted in the database. Plain SQLAlchemy, no Flask.

Every login attempt is counted *before* its password is checked, in one atomic statement
(an upsert: `INSERT ... ON CONFLICT DO UPDATE ... RETURNING`), so attempts that arrive at
the same time, in any worker of any instance, each get a different count; only the first
`limit` of a window go on to the password check. A successful login gives its attempt back.
The database is the one store every worker and instance shares whatever
RATELIMIT_STORAGE_URI says (memory:// is per process), so the limit never depends on it.

A client's window opens at its first attempt and lasts `window` seconds; once `limit`
attempts are used, every attempt gets "try again in N seconds" until the window ends.
"""

import hashlib
from dataclasses import dataclass

from limits import parse
from sqlalchemy import case, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..models.limits import LoginAttempt

_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@dataclass(frozen=True)
class Limit:
    attempts: int
    window: int  # seconds

    @classmethod
    def parse(cls, text: str) -> "Limit":
        """A limit written as Flask-Limiter writes them: `5 per minute`, `10/hour`."""
        item = parse(text)
        return cls(item.amount, item.get_expiry())


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the window ends


def client_key(address: str | None) -> str:
    return hashlib.sha256((address or "").encode()).hexdigest()


def count_attempt(session: Session, address: str | None, limit: Limit, now: int) -> Verdict:
    """Count one attempt of this client now; allowed when it is within the limit. Commits."""
    table = LoginAttempt.__table__
    c = table.c
    expired = c.window_ends <= now
    statement = (
        _INSERT[session.get_bind().dialect.name](table)
        .values(client=client_key(address), window_ends=now + limit.window, attempts=1)
        .on_conflict_do_update(
            index_elements=[c.client],
            set_={
                "attempts": case((expired, 1), else_=c.attempts + 1),
                "window_ends": case((expired, now + limit.window), else_=c.window_ends),
            },
        )
        .returning(c.attempts, c.window_ends)
    )
    attempts, window_ends = session.execute(statement).one()
    # Windows that ended a while ago count for nobody.
    session.execute(delete(table).where(c.window_ends < now - limit.window))
    session.commit()
    return Verdict(attempts <= limit.attempts, max(1, window_ends - now))


def give_back_attempt(session: Session, address: str | None) -> None:
    """A successful login does not count against the limit. Commits."""
    c = LoginAttempt.__table__.c
    session.execute(
        update(LoginAttempt.__table__).where(c.client == client_key(address), c.attempts > 0)
        .values(attempts=c.attempts - 1)
    )
    session.commit()
