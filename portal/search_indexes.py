"""Trigram indexes (PostgreSQL's pg_trgm) for the admin's searches, made by each app's migrations.

The admin searches a phrase anywhere in a column (`icontains`: UPPER(column::text) LIKE UPPER('%phrase%')),
which no btree index can answer: over a million outbox messages or a hundred thousand customers that is a
scan of the table on every search. A GIN trigram index on the same expression answers it from the index.
SQLite (the embedded default) has no such index and needs none at its size: the operation does nothing there.
"""

from django.db import migrations


def _name(table, column):
    return f"{table}_{column}_trgm"[:63]


def trigram_indexes(table, *columns):
    """A migration operation: a trigram index on UPPER(column) for each column of `table`, on PostgreSQL only."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in columns:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{_name(table, column)}" ON "{table}" '
                f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for column in columns:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{_name(table, column)}"')

    return migrations.RunPython(forwards, backwards)
