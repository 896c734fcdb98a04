"""Admin accounts, the history of imports (with the uploaded bytes) and of edits and deletes."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ..catalog.tables import utcnow
from ..extensions import db


class AdminUser(db.Model):
    """An admin account; `email` is stored lower-case, so it is unique whatever the case."""

    __tablename__ = "admin_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # Bumped at logout: a session remembers the version it was issued for.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AdminImport(db.Model):
    """One uploaded file (CSV or workbook): previewed, then perhaps applied.

    The bytes live here, not on disk; those of a preview never applied are deleted
    after the retention period (`data` is then None and `data_deleted_at` says when).
    """

    __tablename__ = "admin_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("admin_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    applied_at: Mapped[datetime | None] = mapped_column(DateTime)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str | None] = mapped_column(String(16))
    prune: Mapped[bool] = mapped_column(Boolean, default=False)
    added: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)
    problem_count: Mapped[int] = mapped_column(Integer, default=0)
    # The catalog version the preview was made against.
    preview_version: Mapped[int] = mapped_column(Integer, default=0)
    applied: Mapped[bool] = mapped_column(Boolean, default=False)
    # previewed, rejected, applied, stale
    status: Mapped[str] = mapped_column(String(16))
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    data_deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    # "csv" or "xlsx": how the loader read the bytes.
    format: Mapped[str | None] = mapped_column(String(8))
    # Every problem as a gzip-compressed CSV `line,column,message`, and how many per column:
    # [[column, count], ...], most first.
    problems_csv: Mapped[bytes | None] = mapped_column(LargeBinary)
    problem_columns: Mapped[list | None] = mapped_column(JSON)
    # The changed fields, as people read them: [{"key", "column", "old", "new"}, ...] (the first 2,000).
    changes: Mapped[list | None] = mapped_column(JSON)


class AdminEdit(db.Model):
    """One program saved from the edit form, or deleted, by an admin: the fields that changed."""

    __tablename__ = "admin_edits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("admin_users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # "edit" or "delete"
    action: Mapped[str] = mapped_column(String(8))
    program_code: Mapped[str] = mapped_column(String(32))
    program_name: Mapped[str] = mapped_column(String(200))
    # [{"column", "old", "new"}, ...] as people read them (for a delete: every value it had).
    changes: Mapped[list] = mapped_column(JSON)
