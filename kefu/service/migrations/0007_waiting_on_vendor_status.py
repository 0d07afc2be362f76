"""Add the "waiting on vendor" status to the standard lifecycle of existing installs.

Fresh installs get it from ``defaults.py`` in 0002 already; this is then a no-op. The moves
to and from it are added only where the lifecycle uses a transitions table.
"""

from django.db import migrations

KEY = "waiting_vendor"
INTO = ["new", "open", "waiting_customer", "waiting_third_party"]
OUT_OF = ["open", "waiting_customer", "waiting_third_party", "resolved", "closed"]


def forwards(apps, schema_editor):
    Lifecycle = apps.get_model("service", "Lifecycle")
    Status = apps.get_model("service", "Status")
    StatusTransition = apps.get_model("service", "StatusTransition")
    lifecycle = Lifecycle.objects.filter(key="standard").first()
    if lifecycle is None or Status.objects.filter(lifecycle=lifecycle, key=KEY).exists():
        return
    before = Status.objects.filter(lifecycle=lifecycle, key="waiting_third_party").first()
    status = Status.objects.create(
        lifecycle=lifecycle,
        key=KEY,
        name="Waiting on vendor",
        name_zh_hans="等待供应商",
        category="waiting",
        is_initial=False,
        order=(before.order + 5) if before else 45,
    )
    if not StatusTransition.objects.filter(lifecycle=lifecycle).exists():
        return
    others = {s.key: s for s in Status.objects.filter(lifecycle=lifecycle)}
    for key in INTO:
        if key in others:
            StatusTransition.objects.get_or_create(
                lifecycle=lifecycle, from_status=others[key], to_status=status
            )
    for key in OUT_OF:
        if key in others:
            StatusTransition.objects.get_or_create(
                lifecycle=lifecycle, from_status=status, to_status=others[key]
            )


def backwards(apps, schema_editor):
    Status = apps.get_model("service", "Status")
    Ticket = apps.get_model("service", "Ticket")
    for status in Status.objects.filter(lifecycle__key="standard", key=KEY):
        if not Ticket.objects.filter(status=status).exists():
            status.delete()


class Migration(migrations.Migration):
    dependencies = [("service", "0006_contracts_and_vendors")]

    operations = [migrations.RunPython(forwards, backwards)]
