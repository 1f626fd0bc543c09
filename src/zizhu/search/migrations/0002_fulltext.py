"""The full-text structures each database needs, created only on that database.

* SQLite: the FTS5 table ``search_fts`` (rowid = product id) with the four weighted fields.
* PostgreSQL: a GIN index on ``search_entry.search_vector``.
"""

from django.db import migrations

FTS5_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5("
    "name, brand, category, body, tokenize = 'unicode61 remove_diacritics 0')"
)
GIN_CREATE = "CREATE INDEX IF NOT EXISTS search_entry_vector_gin ON search_searchentry USING gin (search_vector)"


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(FTS5_CREATE)
    elif vendor == "postgresql":
        schema_editor.execute(GIN_CREATE)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS search_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_entry_vector_gin")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
