"""Chainable filters for tickets and their conversation."""

from django.db import models

from kefu.service.choices import ACTIVE_CATEGORIES, EntryKindChoices, StatusCategoryChoices


class TicketQuerySet(models.QuerySet):
    def active(self):
        """Tickets still needing work (new, open, waiting)."""
        return self.filter(status_category__in=ACTIVE_CATEGORIES)

    def resolved(self):
        return self.filter(status_category=StatusCategoryChoices.RESOLVED)

    def unassigned(self):
        return self.filter(assignee__isnull=True)

    def assigned_to(self, user):
        return self.filter(assignee=user)

    def in_queues(self, queue_ids):
        return self.filter(queue_id__in=queue_ids)

    def of_organization(self, organization_id: int):
        return self.filter(organization_id=organization_id)

    def resolved_before(self, *, at):
        return self.resolved().filter(resolved_at__lt=at)

    def search(self, text: str):
        """Match a ticket number or words of the subject (a plain filter; full text comes later)."""
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(models.Q(number__iexact=text) | models.Q(subject__icontains=text))


class TicketEntryQuerySet(models.QuerySet):
    def public(self):
        """What a customer may see: public replies only, never notes or system events."""
        return self.filter(kind=EntryKindChoices.REPLY)
