# Organizations are few beside contacts: on PostgreSQL they get a GIN index of their own, so the
# global search box finds them without collecting every contact the words match.

from django.db import migrations

from kefu.core.search.schema import kind_index


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_search_facet_window_index"),
        ("customers", "0003_asset_org_serial_index"),
    ]

    operations = [kind_index("customers.organization")]
