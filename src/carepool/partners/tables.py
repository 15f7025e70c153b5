"""Storage of organisations, localities, populations, users, API tokens, web sessions and recent sign-in attempts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from carepool.db.base import Base, UtcDateTime


class OrganisationRow(Base):
    __tablename__ = "organisations"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30), index=True)
    sme: Mapped[bool] = mapped_column(Boolean, default=False)


class LocalityRow(Base):
    __tablename__ = "localities"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    council_code: Mapped[str] = mapped_column(ForeignKey("organisations.code"), index=True)
    nhs_code: Mapped[str] = mapped_column(ForeignKey("organisations.code"), index=True)


class PopulationRow(Base):
    __tablename__ = "populations"
    __table_args__ = (UniqueConstraint("locality_code", "age_band", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    locality_code: Mapped[str] = mapped_column(ForeignKey("localities.code"), index=True)
    age_band: Mapped[str] = mapped_column(String(10))
    year: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer)


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_code: Mapped[str] = mapped_column(ForeignKey("organisations.code"), index=True)
    roles: Mapped[str] = mapped_column(String(200))  # comma-separated Role values, sorted
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class WebSessionRow(Base):
    """A signed-in browser: the cookie holds a random key, kept here only as its hash, so the cookie names no
    user and signing out ends the session on the server too (``web_sessions``)."""

    __tablename__ = "web_sessions"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class SignInAttemptRow(Base):
    """A failed sign-in or a registration attempt, kept for the throttle's window (``throttle``) and then deleted;
    ``email`` holds a keyed hash of the email typed, never the text."""

    __tablename__ = "sign_in_attempts"
    __table_args__ = (Index("ix_sign_in_attempts_email_at", "email", "at"),
                      Index("ix_sign_in_attempts_client_at", "client", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    action: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(254))
    client: Mapped[str] = mapped_column(String(64))
