"""The workbench's accounts (issue #22): users of one region or of the province, server-side sessions that
expire, a CSRF token per session, and login throttling.

Kept in SQLite by default (``<lake>/workbench/accounts.db``; ``fundwatch serve --db PATH`` puts it elsewhere,
e.g. on a disk the web host backs up), or in a server database: ``--db postgresql+psycopg://…`` (SQLAlchemy
Core; install the dialect's driver), which several workbench processes behind a load balancer can share. Passwords are stored as salted scrypt hashes (``werkzeug.security``);
session tokens and CSRF tokens come from ``secrets``. Nothing here reads the lake.
"""

from __future__ import annotations

import hmac
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from jobs.lake.tables import PROVINCE

SESSION_SECONDS = 8 * 3600  # a working day; then log in again
MAX_FAILURES = 5  # failed logins of one user name within FAILURE_WINDOW lock it for FAILURE_WINDOW
FAILURE_WINDOW = 15 * 60
REGION = re.compile(r"[0-9]{6}")

METADATA = sa.MetaData()
USERS = sa.Table(
    "users", METADATA,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("region", sa.String(16), nullable=False),
    sa.Column("password", sa.String(255), nullable=False),
    sa.Column("created", sa.Float, nullable=False),
)  # fmt: skip
SESSIONS = sa.Table(
    "sessions", METADATA,
    sa.Column("token", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("expires", sa.Float, nullable=False),
)  # fmt: skip
FAILURES = sa.Table(
    "failures", METADATA,
    sa.Column("name", sa.String(64), nullable=False, index=True),
    sa.Column("at", sa.Float, nullable=False),
)  # fmt: skip


def engine_for(target: Path | str) -> sa.Engine:
    """A database URL (``postgresql+psycopg://user@host/fundwatch``, ``mysql+pymysql://…``: any SQLAlchemy
    dialect whose driver is installed) or a file path (SQLite, write-ahead log, the default)."""
    text = str(target)
    if "://" in text:
        return sa.create_engine(text, pool_pre_ping=True)
    path = Path(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(f"sqlite:///{path.resolve()}", connect_args={"timeout": 30})

    @sa.event.listens_for(engine, "connect")
    def _wal(dbapi_connection, _record):
        dbapi_connection.execute("pragma journal_mode=wal")

    return engine


class Throttled(Exception):
    """Too many failed logins for the user name: try again later."""


@dataclass(frozen=True)
class Session:
    token: str
    name: str
    region: str  # a six-digit admdvs, or PROVINCE
    csrf: str

    @property
    def province(self) -> bool:
        return self.region == PROVINCE

    def csrf_ok(self, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(self.csrf, token)


class Accounts:
    """Users, sessions and failed logins in one database (``engine_for``): SQLite beside the lake by default,
    or a server database by URL; the tables are created when missing."""

    def __init__(self, target: Path | str):
        self.engine = engine_for(target)
        METADATA.create_all(self.engine)

    def add_user(self, name: str, region: str, password: str | None = None) -> str:
        """Create (or reset) the account ``name`` of ``region`` (six digits, or 省级 / province); return its
        password (a new random one when none is given)."""
        region = PROVINCE if region in (PROVINCE, "province") else region
        if region != PROVINCE and not REGION.fullmatch(region):
            raise ValueError(f"region {region!r}: a six-digit admdvs code, or 'province'")
        if not name or len(name) > 64:
            raise ValueError("a user name of 1 to 64 characters")
        password = password or secrets.token_urlsafe(12)
        with self.engine.begin() as db:
            db.execute(USERS.delete().where(USERS.c.name == name))
            db.execute(
                USERS.insert().values(
                    name=name, region=region, password=generate_password_hash(password), created=time.time()
                )
            )
        return password

    def users(self) -> list[tuple[str, str]]:
        with self.engine.connect() as db:
            rows = db.execute(sa.select(USERS.c.name, USERS.c.region).order_by(USERS.c.region, USERS.c.name))
            return [tuple(r) for r in rows]

    def login(self, name: str, password: str, now: float | None = None) -> Session | None:
        """A new session for the right password; None for a wrong one. Raises Throttled after
        ``MAX_FAILURES`` failures within ``FAILURE_WINDOW`` (the right password included)."""
        now = time.time() if now is None else now
        with self.engine.begin() as db:
            db.execute(FAILURES.delete().where(FAILURES.c.at < now - FAILURE_WINDOW))
            failed = db.execute(
                sa.select(sa.func.count()).select_from(FAILURES).where(FAILURES.c.name == name)
            ).scalar_one()
            if failed >= MAX_FAILURES:
                raise Throttled(name)
            row = db.execute(sa.select(USERS.c.region, USERS.c.password).where(USERS.c.name == name)).first()
            if row is None or not check_password_hash(row.password, password):
                db.execute(FAILURES.insert().values(name=name, at=now))
                return None
            db.execute(FAILURES.delete().where(FAILURES.c.name == name))
            db.execute(SESSIONS.delete().where(SESSIONS.c.expires < now))
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            db.execute(
                SESSIONS.insert().values(token=token, name=name, csrf=csrf, expires=now + SESSION_SECONDS)
            )
            return Session(token, name, row.region, csrf)

    def session(self, token: str | None, now: float | None = None) -> Session | None:
        """The live session of ``token``; None when unknown or expired."""
        if not token:
            return None
        now = time.time() if now is None else now
        with self.engine.begin() as db:
            row = db.execute(
                sa.select(SESSIONS.c.name, USERS.c.region, SESSIONS.c.csrf, SESSIONS.c.expires)
                .join(USERS, USERS.c.name == SESSIONS.c.name)
                .where(SESSIONS.c.token == token)
            ).first()
            if row is None:
                return None
            if row.expires < now:
                db.execute(SESSIONS.delete().where(SESSIONS.c.token == token))
                return None
            return Session(token, row.name, row.region, row.csrf)

    def logout(self, token: str) -> None:
        with self.engine.begin() as db:
            db.execute(SESSIONS.delete().where(SESSIONS.c.token == token))
