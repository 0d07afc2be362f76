# PostgreSQL only: the newest documents of a kind in one facet (a ticket's queue), so a search
# limited to an agent's queues reads its candidate window from those queues alone instead of
# every queue's newest documents. SQLite matches facets inside its FTS5 table (the meta column).

from django.db import migrations

POSTGRES_FORWARD = (
    "CREATE INDEX IF NOT EXISTS core_searchdoc_facet "
    "ON core_searchdocument (kind, facet, object_id DESC)"
)
POSTGRES_REVERSE = "DROP INDEX IF EXISTS core_searchdoc_facet"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0005_config_stamp"),
    ]

    operations = [migrations.RunPython(forward, reverse, elidable=False)]
