"""What the generic preflight (core/preflight.py) needs to know about the database in use.

ops is the layer that may ask which database it runs on; it hands these checks to
core.preflight in OpsConfig.ready, so every app's commands get them without reading the vendor.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection

from paperfeed.core.preflight import DatabaseChecks


def describe_database() -> str:
    """The configured database, for messages: which file, or which database on which host."""
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"the SQLite database {db['NAME']}"
    vendor = "PostgreSQL" if connection.vendor == "postgresql" else connection.vendor
    return f"the {vendor} database {db.get('NAME', '')} on {db.get('HOST') or 'localhost'}"


def verify_database() -> None:
    """SQLite's quick integrity check (a damaged file otherwise fails later, mid-command)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA quick_check")
        verdict = cursor.fetchone()[0]
    if verdict != "ok":
        raise DatabaseError(f"integrity check failed: {verdict}")


def advice_when_unreadable() -> str:
    if connection.vendor == "sqlite":
        return "If the file is corrupt, restore it from a backup (docs/operations.md) or move it away to start afresh."
    return "Check DATABASE_URL and the role's rights on the database."


def database_missing() -> bool:
    """SQLite makes its file on first use, but not the folder: without it nothing was set up."""
    return connection.vendor == "sqlite" and not Path(settings.DATABASES["default"]["NAME"]).parent.is_dir()


CHECKS = DatabaseChecks(
    describe=describe_database, verify=verify_database, advice=advice_when_unreadable, missing=database_missing
)
