"""``kefu sla_sync_holidays``: refresh the China mainland calendar from ``chinesecalendar``."""

from django.core.management.base import BaseCommand

from kefu.service.services.sla import calendar_sync_china_holidays
from kefu.service.sla.holidays import library_years


class Command(BaseCommand):
    help = "Refresh Chinese public holidays and make-up workdays in the China mainland calendar."

    def handle(self, *args, **options):
        first, last = library_years()
        count = calendar_sync_china_holidays()
        self.stdout.write(f"{count} exceptions from chinesecalendar ({first}-{last}).")
