"""The workbench's accounts (issue #22): users of one region or of the province, server-side sessions that
expire, a CSRF token per session, and login throttling.

Kept in SQLite by default (``<lake>/workbench/accounts.db``; ``fundwatch serve --db PATH`` puts it elsewhere,
e.g. on a disk the web host backs up). Passwords are stored as salted scrypt hashes (``werkzeug.security``);
session tokens and CSRF tokens come from ``secrets``. Nothing here reads the lake.
"""

from __future__ import annotations

import hmac
import re
import secrets
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from jobs.lake.tables import PROVINCE

SESSION_SECONDS = 8 * 3600  # a working day; then log in again
MAX_FAILURES = 5  # failed logins of one user name within FAILURE_WINDOW lock it for FAILURE_WINDOW
FAILURE_WINDOW = 15 * 60
REGION = re.compile(r"[0-9]{6}")

SCHEMA = """
create table if not exists users (name text primary key, region text not null, password text not null,
                                  created real not null);
create table if not exists sessions (token text primary key, name text not null, csrf text not null,
                                     expires real not null);
create table if not exists failures (name text not null, at real not null);
"""


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
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(SCHEMA)

    def _db(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("pragma journal_mode=wal")
        return db

    def add_user(self, name: str, region: str, password: str | None = None) -> str:
        """Create (or reset) the account ``name`` of ``region`` (six digits, or 省级 / province); return its
        password (a new random one when none is given)."""
        region = PROVINCE if region in (PROVINCE, "province") else region
        if region != PROVINCE and not REGION.fullmatch(region):
            raise ValueError(f"region {region!r}: a six-digit admdvs code, or 'province'")
        if not name or len(name) > 64:
            raise ValueError("a user name of 1 to 64 characters")
        password = password or secrets.token_urlsafe(12)
        with self._db() as db:
            db.execute(
                "insert or replace into users values (?, ?, ?, ?)",
                (name, region, generate_password_hash(password), time.time()),
            )
        return password

    def users(self) -> list[tuple[str, str]]:
        with self._db() as db:
            return db.execute("select name, region from users order by region, name").fetchall()

    def login(self, name: str, password: str, now: float | None = None) -> Session | None:
        """A new session for the right password; None for a wrong one. Raises Throttled after
        ``MAX_FAILURES`` failures within ``FAILURE_WINDOW`` (the right password included)."""
        now = time.time() if now is None else now
        with self._db() as db:
            db.execute("delete from failures where at < ?", (now - FAILURE_WINDOW,))
            (failed,) = db.execute("select count(*) from failures where name = ?", (name,)).fetchone()
            if failed >= MAX_FAILURES:
                raise Throttled(name)
            row = db.execute("select region, password from users where name = ?", (name,)).fetchone()
            if row is None or not check_password_hash(row[1], password):
                db.execute("insert into failures values (?, ?)", (name, now))
                return None
            db.execute("delete from failures where name = ?", (name,))
            db.execute("delete from sessions where expires < ?", (now,))
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            db.execute("insert into sessions values (?, ?, ?, ?)", (token, name, csrf, now + SESSION_SECONDS))
            return Session(token, name, row[0], csrf)

    def session(self, token: str | None, now: float | None = None) -> Session | None:
        """The live session of ``token``; None when unknown or expired."""
        if not token:
            return None
        now = time.time() if now is None else now
        with self._db() as db:
            row = db.execute(
                "select s.name, u.region, s.csrf, s.expires from sessions s join users u on u.name = s.name "
                "where s.token = ?",
                (token,),
            ).fetchone()
            if row is None:
                return None
            if row[3] < now:
                db.execute("delete from sessions where token = ?", (token,))
                return None
            return Session(token, row[0], row[1], row[2])

    def logout(self, token: str) -> None:
        with self._db() as db:
            db.execute("delete from sessions where token = ?", (token,))
