"""The name-and-brand vector for the listing's first-pass score (filled here on PostgreSQL)."""

import django.contrib.postgres.search
from django.db import migrations

FILL = (
    "UPDATE search_searchdocument SET name_vector = "
    "to_tsvector('simple', name_text) || to_tsvector('simple', brand_text)"
)


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FILL)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0005_facet_keys"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchdocument",
            name="name_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
