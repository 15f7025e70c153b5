"""Storage: engine, unit of work, declarative base, money column type, migrations."""

from carepool.db.base import Base, MoneyType
from carepool.db.engine import Database, make_engine, normalise_url
from carepool.db.uow import UnitOfWork

__all__ = ["Base", "Database", "MoneyType", "UnitOfWork", "make_engine", "normalise_url"]
