"""Plain multi-row INSERTs for the store's hot path.

Django's bulk_create builds a model instance and prepares every value of every row through
the field machinery; for a snapshot of millions of papers (each with authors, versions and
categories) that costs more than parsing the input. Rows here are plain tuples sent with
`executemany`; only date and datetime values are adapted, by the backend's own functions, so
they are stored exactly as the ORM would store them on any database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone

from django.conf import settings
from django.db import connection, models


def _sqlite_datetime(value: datetime) -> str:
    """What Django's SQLite backend stores for an aware datetime, without its overhead:
    the UTC wall time as 'YYYY-MM-DD HH:MM:SS[.ffffff]'."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ")


# An aware datetime with microseconds and an offset: what the fast adapter must get right.
_PROBE = datetime(2001, 2, 3, 4, 5, 6, 789, tzinfo=timezone(timedelta(hours=5, minutes=30)))


def _adapts_like_sqlite_text() -> bool:
    """Whether the database stores an aware datetime as _sqlite_datetime's text (SQLite's
    backend does, with USE_TZ): then rows may skip its adapter, which costs more than the
    rest of a row. Asked of the adapter itself, once per batch, rather than of the
    database's name (the search engines are the one place that reads that)."""
    return connection.ops.adapt_datetimefield_value(_PROBE) == _sqlite_datetime(_PROBE)


def insert_rows(model: type[models.Model], field_names: Sequence[str], rows: Sequence[tuple]) -> None:
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in field_names]
    adapters = []
    for field in fields:
        if isinstance(field, models.DateTimeField):
            fast = settings.USE_TZ and _adapts_like_sqlite_text()
            adapters.append(_sqlite_datetime if fast else connection.ops.adapt_datetimefield_value)
        elif isinstance(field, models.DateField):
            adapters.append(connection.ops.adapt_datefield_value)
        elif isinstance(field, models.JSONField):
            adapters.append(lambda value, field=field: field.get_db_prep_save(value, connection))
        else:
            adapters.append(None)
    if any(adapters):
        # The same value recurs (every row of a batch has the same "created at"): adapt once.
        memo: dict = {}

        def adapted(adapt, value):
            if adapt is None or value is None:
                return value
            if isinstance(value, (list, dict)):  # JSON: unhashable; only the empty one recurs
                if value:
                    return adapt(value)
                key = (adapt, type(value))
                if key not in memo:
                    memo[key] = adapt(value)
                return memo[key]
            if not isinstance(value, (date, datetime)):
                return value
            result = memo.get(value)
            if result is None:
                result = memo[value] = adapt(value)
            return result

        rows = [tuple(adapted(adapt, value) for adapt, value in zip(adapters, row)) for row in rows]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def select_pairs(sql_template: str, values: Sequence, chunk: int = 900) -> list[tuple]:
    """Run `SELECT … WHERE x IN ({})` over `values` in chunks; the template's {} becomes the
    placeholders. Plain SQL: the ORM's lookup machinery costs more than the query here."""
    rows: list[tuple] = []
    with connection.cursor() as cursor:
        for i in range(0, len(values), chunk):
            part = values[i : i + chunk]
            cursor.execute(sql_template.format(", ".join(["%s"] * len(part))), list(part))
            rows += cursor.fetchall()
    return rows


def model_rows(model: type[models.Model], objects: Sequence[object], field_names: Sequence[str]) -> list[tuple]:
    """Attribute values of objects as tuples (foreign keys by their id attribute)."""
    attnames = [model._meta.get_field(name).attname for name in field_names]
    return [tuple(getattr(o, a) for a in attnames) for o in objects]


class NewRow:
    """A row to insert, with a model's attributes and defaults but none of its machinery.

    Building a model instance costs more than everything else the store does for a new
    paper; this plain object takes the same attribute reads and writes.
    """

    _defaults: dict[type, dict] = {}

    def __init__(self, model: type[models.Model], **values):
        defaults = self._defaults.get(model)
        if defaults is None:
            defaults = self._defaults[model] = {f.attname: f.get_default() for f in model._meta.concrete_fields}
        self.__dict__.update(defaults)
        self.__dict__.update(values)
