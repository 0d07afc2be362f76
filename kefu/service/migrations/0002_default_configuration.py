from django.db import migrations


def forwards(apps, schema_editor):
    from kefu.service.defaults import install_defaults

    install_defaults(
        apps.get_model("service", "Lifecycle"),
        apps.get_model("service", "Status"),
        apps.get_model("service", "StatusTransition"),
        apps.get_model("service", "Queue"),
        apps.get_model("service", "PriorityMatrixEntry"),
    )


class Migration(migrations.Migration):
    dependencies = [("service", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
