"""CSV imports from the browser: preview (a dry run), then apply exactly what was previewed.

The uploaded bytes are stored in the database under a random token, so any
app instance can apply what another one previewed. The checks and the
loading are the catalog loader's own (`finder.catalog.load_catalog`).
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ..catalog import LoadResult, Source, load_catalog
from ..catalog.csvfile import is_binary
from ..catalog.tables import utcnow
from ..models.admin import AdminImport

SOURCE_NAME = "uploaded file"  # the visitor's file name is only ever displayed
MAX_FILENAME = 255


@dataclass
class Preview:
    record: AdminImport
    result: LoadResult
    message: str | None = None  # why the file is not a CSV at all

    @property
    def ok(self) -> bool:
        return self.message is None and self.result.ok


def display_name(filename: str | None) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:MAX_FILENAME] or "(no name)"


def not_text(data: bytes) -> str | None:
    """A message when the bytes are plainly not a text CSV file."""
    if not data:
        return "The file is empty. Choose a features.csv or programs.csv file."
    if is_binary(data):
        return "This is not a text CSV file (it holds binary data). Save it as CSV (UTF-8) and upload that."
    return None


def preview(engine: Engine, session: Session, user_id: int, filename: str | None, data: bytes, *,
            prune: bool, today: date | None = None) -> Preview:
    """Check the file with a dry run and record the upload; nothing in the catalog changes."""
    record = AdminImport(
        token=secrets.token_urlsafe(32),
        user_id=user_id,
        filename=display_name(filename),
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        prune=prune,
        data=data,
        added=0, updated=0, unchanged=0, removed=0, problem_count=0, preview_version=0, applied=False,
    )
    message = not_text(data)
    if message:
        result = LoadResult([], [], applied=False, version=0)
        record.status = "rejected"
        record.problem_count = 1
    else:
        result = load_catalog(engine, [Source(SOURCE_NAME, data)], prune=prune, dry_run=True, today=today)
        _count(record, result)
        record.preview_version = result.version
        record.status = "previewed" if result.ok else "rejected"
    session.add(record)
    session.commit()
    return Preview(record, result, message)


def find(session: Session, token: str) -> AdminImport | None:
    return session.scalar(select(AdminImport).where(AdminImport.token == token))


def apply(engine: Engine, session: Session, record: AdminImport, today: date | None = None) -> LoadResult:
    """Load the stored bytes for real, unless the catalog changed since the preview."""
    result = load_catalog(
        engine, [Source(SOURCE_NAME, record.data)], prune=record.prune, today=today,
        expected_version=record.preview_version,
    )
    if result.applied:
        _count(record, result)
        record.applied = True
        record.applied_at = utcnow()
        record.status = "applied"
    elif result.stale:
        record.status = "stale"
    else:
        record.status = "rejected"
        record.problem_count = len(result.problems)
    session.commit()
    return result


def history(session: Session, limit: int = 100) -> list[AdminImport]:
    return list(session.scalars(select(AdminImport).order_by(AdminImport.id.desc()).limit(limit)))


def _count(record: AdminImport, result: LoadResult) -> None:
    record.problem_count = len(result.problems)
    if result.files:
        counts = result.files[0]
        record.kind = counts.kind
        record.added, record.updated = counts.added, counts.updated
        record.unchanged, record.removed = counts.unchanged, counts.removed
