# Articles are few beside tickets and contacts: on PostgreSQL they get a GIN index of their own,
# so the portal and the agents' search find them without collecting every ticket the words match.

from django.db import migrations

from kefu.core.search.schema import kind_index


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_search_facet_window_index"),
        ("knowledge", "0003_article_attachments"),
    ]

    operations = [kind_index("knowledge.article")]
