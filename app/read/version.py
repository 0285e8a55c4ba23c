"""The data version: one row the write side bumps in the same transaction as
every change of public data (app.write.data_version). Reading it is one
primary-key lookup, whatever the number of fiches."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import DataVersion

ROW_ID = 1


def read_data_version(session: Session) -> tuple[int, dt.datetime | None]:
    """(the counter, when it last changed, UTC); (0, None) before any write."""
    row = session.execute(select(DataVersion.version, DataVersion.changed_at).where(DataVersion.id == ROW_ID)).first()
    if row is None:
        return 0, None
    return row[0], _as_utc(row[1])


def _as_utc(value) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite without type processing
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:  # stored as UTC
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)
