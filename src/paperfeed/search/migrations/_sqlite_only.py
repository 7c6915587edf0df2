"""Raw SQL migration steps that exist only on SQLite (the FTS5 index and its triggers).

Other databases get their own index in their own migrations; there these steps do nothing.
"""


def run_on_sqlite(statements: list[str]):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        with schema_editor.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    return apply
