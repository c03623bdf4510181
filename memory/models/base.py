"""The declarative base every table shares, and the column helpers they use."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from sqlalchemy import BigInteger, Integer, Table
from sqlalchemy.orm import DeclarativeBase

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def utcnow() -> datetime:
    """Now, timezone-aware in UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of every table."""

    # Every class here declares a __tablename__, so its __table__ is a Table (SQLAlchemy
    # types it as any FromClause); the memory layer writes through these Core tables.
    __table__: ClassVar[Table]
