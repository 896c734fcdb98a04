"""Admin accounts: create, check a password, end sessions. Plain SQLAlchemy, no Flask."""

import re

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..models.admin import AdminUser

MIN_PASSWORD = 12
MAX_PASSWORD = 1024
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
# Guessable passwords (ASVS 5.0 6.2.4, 6.2.11) are found by zxcvbn, a maintained estimator with
# lists of common passwords, words and names, given these words of this site as well.
CONTEXT_WORDS = (
    "ir program finder", "program finder", "finder", "interventional radiology", "interventional",
    "radiology", "residency", "fellowship", "admin", "administrator",
)
MIN_STRENGTH = 3  # of zxcvbn's 0-4: at least about 10^8 guesses
_CHECKED_LENGTH = 72  # zxcvbn's own limit; a longer password is judged by its first 72 characters
_WHY = {
    "passwords": "a commonly used password",
    "user_inputs": "the email address or words of this site",
    "repeat": "repeated characters",
    "sequence": "a sequence such as abc or 1234",
    "spatial": "a keyboard pattern such as qwerty",
    "date": "a date",
    "regex": "a year",
}
# Checked against when the email is unknown, so both paths take the same time: a hash of
# "not-a-real-password-at-all" made with the parameters `generate_password_hash(method="scrypt")`
# uses (tests/test_admin.py keeps them equal). Written out rather than made at import,
# which cost every process start (a `flask seed load` too) about 80 ms.
_DUMMY_HASH = (
    "scrypt:32768:8:1$oEsXHBoyEYikMMhi$aed1a1df687c519917dbaddee14c514899e12cec5dc21b6b327fb80188d0a374"
    "1824346e9a273c9980cf9bb131373b055c04500debca39a82bbf7a2a7ce60de2"
)


class AccountError(ValueError):
    """Why an account cannot be created; the message says what to fix."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_new_account(email: str, password: str) -> str:
    """The normalized email, or AccountError naming the problem."""
    email = normalize_email(email)
    if len(email) > 254 or not _EMAIL.match(email):
        raise AccountError(f"'{email}' is not an email address (expected name@example.org)")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password must have at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"the password must have at most {MAX_PASSWORD} characters")
    if problem := guessable(password, email):
        raise AccountError(problem)
    return email


def guessable(password: str, email: str) -> str | None:
    """Why the password is easy to guess (common, a pattern, or words of this account), else None."""
    hints = [*CONTEXT_WORDS, *(word.replace(" ", "") for word in CONTEXT_WORDS), email, *re.split(r"[@.+_-]+", email)]
    from zxcvbn import zxcvbn  # imported when first needed: its word lists cost every process start 0.1 s

    result = zxcvbn(password[:_CHECKED_LENGTH], user_inputs=[hint for hint in hints if hint])
    if result["score"] >= MIN_STRENGTH:
        return None
    matches = [m for m in result["sequence"] if m["pattern"] != "bruteforce"]
    longest = max(matches, key=lambda m: len(m["token"]), default=None)
    if longest is None:
        why = "too short and simple"
    elif longest["pattern"] == "dictionary":
        why = "mostly " + _WHY.get(longest["dictionary_name"], "common words or names")
    else:
        why = "mostly " + _WHY.get(longest["pattern"], "a common pattern")
    return (f"the password is too easy to guess (it is {why}); choose a passphrase of four or more "
            "unrelated words, or let a password manager make one")


def create_user(session: Session, email: str, password: str) -> AdminUser:
    email = check_new_account(email, password)
    if session.scalar(select(AdminUser.id).where(func.lower(AdminUser.email) == email)):
        raise AccountError(f"an admin with the email {email} exists already")
    user = AdminUser(email=email, password_hash=generate_password_hash(password, method="scrypt"), session_version=1)
    session.add(user)
    session.commit()
    return user


def authenticate(session: Session, email: str, password: str) -> AdminUser | None:
    """The user whose email and password these are, else None (never says which was wrong)."""
    user = session.scalar(select(AdminUser).where(AdminUser.email == normalize_email(email)))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def end_sessions(session: Session, user_id: int) -> None:
    """Make every session of this user invalid (at logout)."""
    session.execute(
        update(AdminUser).where(AdminUser.id == user_id).values(session_version=AdminUser.session_version + 1)
    )
    session.commit()
