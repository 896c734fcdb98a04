"""The admin history: imports, edits and deletes, newest first, each with a page of its own.

Plain SQLAlchemy, no Flask. Values are stored as people read them (labels, yes/no, lists),
so a history page never needs the catalog as it was.
"""

import csv
import gzip
import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog.schema import PROGRAM_COLUMN_NAMES
from ..catalog.text import plural
from ..models.admin import AdminEdit, AdminImport, AdminUser
from .catalog_admin import cell_readable, feature_labels
from .imports import SHOWN_PROBLEMS, readable_changes


@dataclass
class Entry:
    """One line of the history table."""

    when: datetime
    who: str
    what: str  # "Import", "Edit", "Delete"
    subject: str  # the file name, or the program code and name
    outcome: str  # as people read it: "applied: added 3, …", "rejected: 8 problems", "2 fields changed"
    endpoint: str
    id: int


def record_edit(session: Session, user_id: int, code: str, name: str, changes) -> AdminEdit:
    """Remember an edit: the loader's changed fields, as people read them."""
    edit = AdminEdit(user_id=user_id, action="edit", program_code=code, program_name=name,
                     changes=[{"column": c["column"], "old": c["old"], "new": c["new"]}
                              for c in readable_changes(session.connection(), changes)])
    session.add(edit)
    session.commit()
    return edit


def record_delete(session: Session, user_id: int, code: str, cells: dict[str, str]) -> AdminEdit:
    """Remember a delete: every value the program had."""
    labels = feature_labels(session.connection())
    changes = [{"column": name, "old": cell_readable(name, cells.get(name, ""), labels), "new": "(deleted)"}
               for name in PROGRAM_COLUMN_NAMES if cells.get(name)]
    edit = AdminEdit(user_id=user_id, action="delete", program_code=code, program_name=cells.get("name", ""),
                     changes=changes)
    session.add(edit)
    session.commit()
    return edit


def email_of(session: Session, user_id: int | None) -> str:
    email = session.scalar(select(AdminUser.email).where(AdminUser.id == user_id)) if user_id else None
    return email or "(a removed account)"


def import_outcome(record: AdminImport) -> str:
    if record.status == "rejected":
        return f"rejected: {plural(record.problem_count, 'problem')}"
    counts = (f"added {record.added:,}, updated {record.updated:,}, unchanged {record.unchanged:,}, "
              f"removed {record.removed:,}")
    if record.status == "applied":
        return f"applied: {counts}"
    if record.status == "stale":
        return "not applied: the catalog changed after the preview"
    return f"previewed, not applied: {counts}"


def entries(session: Session, limit: int = 100) -> list[Entry]:
    """The latest imports, edits and deletes together, newest first."""
    emails = dict(session.execute(select(AdminUser.id, AdminUser.email)).all())
    who = lambda user_id: emails.get(user_id, "(a removed account)")  # noqa: E731
    rows = [
        Entry(r.created_at, who(r.user_id), "Import", r.filename, import_outcome(r), "admin.import_detail", r.id)
        for r in session.scalars(select(AdminImport).order_by(AdminImport.id.desc()).limit(limit))
    ]
    for e in session.scalars(select(AdminEdit).order_by(AdminEdit.id.desc()).limit(limit)):
        outcome = (f"{plural(len(e.changes), 'field')} changed" if e.action == "edit" else "deleted")
        rows.append(Entry(e.created_at, who(e.user_id), e.action.capitalize(), f"{e.program_code} {e.program_name}",
                          outcome, "admin.edit_detail", e.id))
    rows.sort(key=lambda entry: entry.when, reverse=True)
    return rows[:limit]


def first_problems(record: AdminImport, limit: int = SHOWN_PROBLEMS) -> list[tuple[str, str, str]]:
    """The first (line, column, message) of an import's problems, read back from its stored CSV."""
    if not record.problems_csv:
        return []
    text = io.TextIOWrapper(gzip.GzipFile(fileobj=io.BytesIO(record.problems_csv)), encoding="utf-8", newline="")
    rows = csv.reader(text)
    next(rows, None)  # the header
    return [tuple(row) for _, row in zip(range(limit), rows)]
