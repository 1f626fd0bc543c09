"""PostgreSQL: the GIN index on the text vectors, now in ``search_searchdocument``.

Entries indexed before 0003 lost their text: run ``manage.py rebuild_search_index`` after migrating.
"""

from django.db import migrations

GIN_CREATE = (
    "CREATE INDEX IF NOT EXISTS search_document_vector_gin ON search_searchdocument USING gin (search_vector)"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GIN_CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_document_vector_gin")


class Migration(migrations.Migration):
    dependencies = [("search", "0003_narrow_entry")]

    operations = [migrations.RunPython(create, drop)]
