"""Raw SQL migration steps that exist only on PostgreSQL (its full-text column and index).

The mirror of _sqlite_only.py: SQLite has its FTS5 index in migrations 0001-0002; there
these steps do nothing.
"""


def run_on_postgres(statements: list[str]):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    return apply
