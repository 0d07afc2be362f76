"""The China mainland calendar (holidays from chinesecalendar) and the Standard SLA policy."""

from django.db import migrations


def install(apps, schema_editor):
    from kefu.service.sla import holidays

    calendar = holidays.ensure_china_calendar(
        apps.get_model("service", "BusinessCalendar"),
        apps.get_model("service", "BusinessCalendarInterval"),
        apps.get_model("service", "BusinessCalendarException"),
    )
    holidays.ensure_default_policy(
        apps.get_model("service", "SlaPolicy"),
        apps.get_model("service", "SlaTarget"),
        apps.get_model("service", "SlaEscalationLevel"),
        calendar,
    )


class Migration(migrations.Migration):
    dependencies = [("service", "0007_waiting_on_vendor_status")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
