"""Small key/value facts about the installation (session secret, demo marker)."""

from __future__ import annotations

import secrets

from sqlalchemy import String, Text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from carepool.db.base import Base
from carepool.db.uow import UnitOfWork


class AppMetaRow(Base):
    __tablename__ = "app_meta"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


def get(uow: UnitOfWork, key: str) -> str | None:
    row = uow.session.get(AppMetaRow, key)
    return None if row is None else row.value


def put(uow: UnitOfWork, key: str, value: str) -> None:
    row = uow.session.get(AppMetaRow, key)
    if row is None:
        uow.session.add(AppMetaRow(key=key, value=value))
    else:
        row.value = value


def session_secret(uow: UnitOfWork) -> str:
    """The cookie-signing secret, made once per installation and kept in the database. Two processes making it at
    the same moment (web workers starting on a fresh database) agree on the one stored first."""
    secret = get(uow, "session_secret")
    if secret is None:
        try:
            with uow.session.begin_nested():
                uow.session.add(AppMetaRow(key="session_secret", value=secrets.token_urlsafe(48)))
            uow.commit()
        except IntegrityError:
            uow.rollback()
        secret = get(uow, "session_secret")
        assert secret is not None
    return secret
