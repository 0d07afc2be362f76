from django.db import migrations

# Prefix indexes of one and two characters: a query of one Chinese character (a surname) or two
# Latin letters is a prefix query, and without them FTS5 merges the doclists of every indexed
# token with that prefix (tens of thousands of unique e-mail and phone tokens at a million
# contacts). The table is recreated and rebuilt from core_searchdocument, which holds the tokens.
COLUMNS = """title, body, meta, content='core_searchdocument', content_rowid='id',
    tokenize="unicode61 remove_diacritics 0 tokenchars '@.+-_'\""""


def _recreate(schema_editor, options: str) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute("DROP TABLE IF EXISTS core_searchdocument_fts")
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE core_searchdocument_fts USING fts5({COLUMNS}{options})"
    )
    schema_editor.execute(
        "INSERT INTO core_searchdocument_fts(core_searchdocument_fts) VALUES ('rebuild')"
    )


def add_prefix_index(apps, schema_editor):
    _recreate(schema_editor, ", prefix='1 2'")


def drop_prefix_index(apps, schema_editor):
    _recreate(schema_editor, "")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_search_fts_set_based_writes"),
    ]

    operations = [
        migrations.RunPython(add_prefix_index, drop_prefix_index),
    ]
