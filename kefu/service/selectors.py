"""Reads of the service desk that join several models or are reused by views and the API."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from kefu.accounts.policy import scope
from kefu.customers import facade as customers
from kefu.service.choices import PriorityChoices, StatusCategoryChoices, TicketChannelChoices
from kefu.service.constants import TICKET_NUMBER_PREFIX
from kefu.service.models import (
    Category,
    Queue,
    QueueMembership,
    SavedView,
    Status,
    Ticket,
    TicketAttachment,
    TicketEntry,
)

LIST_VIEWS = ("mine", "unassigned", "queue", "recent", "all")
SORTS = {
    "updated": "-updated_at",
    "-updated": "updated_at",
    "created": "-created_at",
    "-created": "created_at",
    "priority": "priority",
    "-priority": "-priority",
    "number": "-id",
    "-number": "id",
}
DEFAULT_SORT = "updated"


def queue_ids_for(user) -> list[int]:
    """Return the ids of the queues ``user`` is a member of."""
    return list(QueueMembership.objects.filter(user=user).values_list("queue_id", flat=True))


def queues_visible_to(user) -> QuerySet:
    """Queues a user may pick in filters: all for supervisors, their own for agents."""
    queues = Queue.objects.filter(is_active=True).order_by("name")
    if user.is_superuser or user.has_perm("service.view_all_tickets"):
        return queues
    return queues.filter(memberships__user=user)


def ticket_base_queryset() -> QuerySet:
    return Ticket.objects.select_related(
        "queue", "status", "assignee", "requester", "organization", "category"
    )


def ticket_list(*, user, view: str = "mine", filters: dict[str, Any] | None = None) -> QuerySet:
    """Return the tickets of one workspace view, scoped to what ``user`` may see.

    Views: ``mine`` (my active tickets), ``unassigned`` (active, nobody's, in my queues),
    ``queue`` (my queues, or one with ``filters["queue"]``), ``recent`` and ``all`` (everything
    the user may see; ``recent`` is the same, meant with the default sort by last update).
    Filters: ``queue``, ``status`` (a category), ``priority``, ``channel``, ``organization``,
    ``assignee`` (a user id, or ``none``), ``q`` (number or subject), ``sort`` (one of ``SORTS``). Unknown values are ignored, so a stale
    link never fails. One query with the joins a list row shows.
    """
    filters = filters or {}
    tickets = scope(user, ticket_base_queryset())
    if view == "mine":
        tickets = tickets.assigned_to(user).active()
    elif view == "unassigned":
        tickets = tickets.unassigned().active().in_queues(queue_ids_for(user))
    elif view == "queue":
        tickets = tickets.in_queues(queue_ids_for(user))
    queue_id = _int(filters.get("queue"))
    if queue_id:
        tickets = tickets.filter(queue_id=queue_id)
    status = filters.get("status")
    if status in StatusCategoryChoices.values:
        tickets = tickets.filter(status_category=status)
    elif status == "active":
        tickets = tickets.active()
    priority = _int(filters.get("priority"))
    if priority in PriorityChoices.values:
        tickets = tickets.filter(priority=priority)
    if filters.get("channel") in TicketChannelChoices.values:
        tickets = tickets.filter(channel=filters["channel"])
    organization = _int(filters.get("organization"))
    if organization:
        tickets = tickets.filter(organization_id=organization)
    assignee = filters.get("assignee")
    if assignee == "none":
        tickets = tickets.unassigned()
    elif _int(assignee):
        tickets = tickets.filter(assignee_id=_int(assignee))
    if filters.get("q"):
        tickets = tickets.search(filters["q"])
    sort = SORTS.get(filters.get("sort") or DEFAULT_SORT, SORTS[DEFAULT_SORT])
    return tickets.order_by(sort, "-id")


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def attach_configuration(tickets: list[Ticket]) -> list[Ticket]:
    """Set each ticket's ``queue``, ``status`` and ``category`` from the configuration snapshot
    (shared objects: read them only), reading only those it does not hold (an inactive queue
    or category).

    Joining them instead costs little to run but much to plan: PostgreSQL took 10 ms to plan
    a list's seven-table join that ran in 1, and 3 ms for one ticket's.
    """
    from kefu.service.configuration import desk_config

    config = desk_config()
    queues = dict(config.queues)
    statuses = {s.pk: s for rows in config.statuses.values() for s in rows}
    categories = {c.pk: c for c in config.active_categories}
    missing = {t.queue_id for t in tickets if t.queue_id not in queues}
    if missing:
        queues.update(Queue.objects.in_bulk(missing))
    missing = {t.status_id for t in tickets if t.status_id not in statuses}
    if missing:
        statuses.update(Status.objects.in_bulk(missing))
    # A list reads no category (``only()``): do not load it row by row.
    with_category = [t for t in tickets if "category_id" in t.__dict__]
    missing = {t.category_id for t in with_category if t.category_id} - set(categories)
    if missing:
        categories.update(Category.objects.in_bulk(missing))
    for ticket in tickets:
        ticket.queue = queues[ticket.queue_id]
        ticket.status = statuses[ticket.status_id]
    for ticket in with_category:
        ticket.category = categories.get(ticket.category_id) if ticket.category_id else None
    return tickets


def _tickets_with_people() -> QuerySet:
    """Tickets with their people joined; queue, status and category come from
    :func:`attach_configuration` once the rows are read."""
    return Ticket.objects.select_related("assignee", "requester", "organization")


def ticket_get(*, user, pk: int) -> Ticket:
    """Return ticket ``pk`` if ``user`` may see it, else raise ``Http404`` (no existence leak)."""
    ticket = get_object_or_404(scope(user, _tickets_with_people()), pk=pk)
    attach_configuration([ticket])
    return ticket


# What the conversation shows of an author: the entry's own columns and the names.
_AUTHOR_COLUMNS = (
    "author__id",
    "author__first_name",
    "author__last_name",
    "author__username",
    "author_contact__id",
    "author_contact__name",
)


def _entries(queryset):
    """``queryset`` of entries reading only their own columns and their authors' names."""
    entry_columns = [f.attname for f in TicketEntry._meta.concrete_fields]
    return queryset.select_related("author", "author_contact").only(
        *entry_columns, *_AUTHOR_COLUMNS
    )


def _with_attachments(entries: list, *, public_only: bool = False) -> list[TicketEntry]:
    """Set ``entry.attachment_list`` (oldest first) on each of ``entries``: one query.

    A plain query grouped here instead of ``prefetch_related``, which builds a queryset per
    entry (half the conversation's time on a 50-entry page).
    """
    if not entries:
        return entries
    attachments = TicketAttachment.objects.filter(entry_id__in=[e.pk for e in entries])
    if public_only:
        attachments = attachments.filter(is_public=True)
    by_entry: dict[int, list[TicketAttachment]] = {}
    for attachment in attachments.order_by("created_at", "id"):
        by_entry.setdefault(attachment.entry_id, []).append(attachment)
    for entry in entries:
        entry.attachment_list = by_entry.get(entry.pk, [])
    return entries


def ticket_conversation(ticket: Ticket, *, include_internal: bool = True) -> list[TicketEntry]:
    """Return the ticket's entries, oldest first, with authors and attachments (2 queries).

    Without ``include_internal`` (what a customer may see) only public replies and their
    public attachments are returned.
    """
    entries = TicketEntry.objects.filter(ticket=ticket)
    if not include_internal:
        entries = entries.public()
    return _with_attachments(
        list(_entries(entries.order_by("created_at", "id"))), public_only=not include_internal
    )


# A long conversation opens on its first message and its latest ones; the middle loads on demand.
CONVERSATION_HEAD = 1
CONVERSATION_TAIL = 50


@dataclass(frozen=True)
class ConversationGap:
    """The entries not shown between the first message and the latest ones."""

    count: int
    after: TicketEntry
    before: TicketEntry


def ticket_conversation_window(
    ticket: Ticket, *, head: int = CONVERSATION_HEAD, tail: int = CONVERSATION_TAIL
) -> list:
    """The staff conversation as the ticket page shows it: every entry when there are few,
    else the first ``head`` and the last ``tail`` with a :class:`ConversationGap` between
    them (one COUNT, then bounded reads: the page's cost does not grow with the thread)."""
    base = TicketEntry.objects.filter(ticket=ticket)
    total = base.count()
    if total <= head + tail + 10:
        return ticket_conversation(ticket)
    first = list(_entries(base.order_by("created_at", "id"))[:head])
    last = list(_entries(base.order_by("-created_at", "-id"))[:tail])
    last.reverse()
    _with_attachments([*first, *last])
    gap = ConversationGap(count=total - len(first) - len(last), after=first[-1], before=last[0])
    return [*first, gap, *last]


def ticket_conversation_between(ticket: Ticket, *, after_id: int, before_id: int) -> list:
    """The staff conversation strictly between two of its entries (the gap, when opened)."""
    bounds = dict(
        TicketEntry.objects.filter(ticket=ticket, pk__in=[after_id, before_id]).values_list(
            "pk", "created_at"
        )
    )
    if after_id not in bounds or before_id not in bounds:
        return []
    after = Q(created_at__gt=bounds[after_id]) | Q(created_at=bounds[after_id], pk__gt=after_id)
    before = Q(created_at__lt=bounds[before_id]) | Q(created_at=bounds[before_id], pk__lt=before_id)
    return _with_attachments(
        list(
            _entries(TicketEntry.objects.filter(after, before, ticket=ticket)).order_by(
                "created_at", "id"
            )
        )
    )


def ticket_statuses(ticket: Ticket) -> list[Status]:
    """The statuses of the ticket's lifecycle, in order (from the configuration snapshot:
    shared objects, read them only)."""
    from kefu.service.configuration import desk_config

    return list(desk_config().statuses.get(ticket.status.lifecycle_id, ()))


def customer_context(ticket: Ticket, *, user, limit: int = 5) -> dict[str, Any]:
    """Return what an agent needs to know about the customer next to the conversation.

    The organization (with its tier), the requester's identities, the latest other tickets of
    the same site and organization (as the user may see them), and the assets at the site.
    """
    context: dict[str, Any] = {
        "organization": None,
        "contact": None,
        "site": None,
        "site_tickets": [],
        "organization_tickets": [],
        "assets": [],
    }

    def latest(**where) -> list[Ticket]:
        return list(
            scope(user, Ticket.objects.select_related("status"))
            .filter(**where)
            .exclude(pk=ticket.pk)
            .only("id", "number", "subject", "status__name", "status__name_zh_hans")
            .order_by("-created_at")[:limit]
        )

    if ticket.requester_id:
        # The contact and the organization together (two queries when the organization is
        # the requester's primary one, as it usually is).
        context["contact"], context["organization"] = customers.contact_and_organization_summaries(
            ticket.requester_id, organization_id=ticket.organization_id
        )
        if not ticket.organization_id:
            context["organization"] = None
    elif ticket.organization_id:
        context["organization"] = customers.organization_get_summary(ticket.organization_id)
    if ticket.organization_id:
        context["organization_tickets"] = latest(organization_id=ticket.organization_id)
    if ticket.site_id:
        context["site"] = customers.site_get_summary(ticket.site_id)
        context["site_tickets"] = latest(site_id=ticket.site_id)
        context["assets"] = customers.site_assets(ticket.site_id, limit=20)
    return context


def telephony_lookup(*, user, number: str) -> dict[str, Any]:
    """Return who is calling and their open tickets, for a telephony screen-pop."""
    found = customers.phone_lookup(number)
    contact_ids = [c["id"] for c in found["contacts"]]
    org_ids = [o["id"] for o in found["organizations"]]
    tickets = []
    if contact_ids or org_ids:
        from django.db.models import Q

        tickets = list(
            scope(user, Ticket.objects.select_related("status", "queue"))
            .active()
            .filter(Q(requester_id__in=contact_ids) | Q(organization_id__in=org_ids))
            .order_by("-updated_at")[:20]
        )
    return {**found, "open_tickets": tickets}


def organization_tickets(*, user, organization_id: int, limit: int = 10) -> list[Ticket]:
    """The latest tickets of an organization the user may see (for the 360° panel)."""
    return attach_configuration(
        list(
            scope(user, _tickets_with_people())
            .filter(organization_id=organization_id)
            .order_by("-created_at")[:limit]
        )
    )


def contact_tickets(*, user, contact_id: int, limit: int = 10) -> list[Ticket]:
    return attach_configuration(
        list(
            scope(user, _tickets_with_people())
            .filter(requester_id=contact_id)
            .order_by("-created_at")[:limit]
        )
    )


def agents_visible_to(user) -> QuerySet:
    """Staff who work the queues ``user`` sees (the choices of an assignee picker).

    A membership is tested with EXISTS: joining the memberships and removing the duplicates
    (DISTINCT over 500 agents in six queues) took PostgreSQL 6 ms, the semi-join 2.5.
    """
    from django.contrib.auth import get_user_model

    works_there = QueueMembership.objects.filter(
        user=OuterRef("pk"), queue__in=queues_visible_to(user)
    )
    return (
        get_user_model()
        .objects.filter(Exists(works_there), is_active=True, is_staff=True)
        .order_by("first_name", "username")
    )


def standard_status_choices() -> list[tuple[str, str]]:
    """(key, label) of the statuses across lifecycles, for bulk status changes."""
    from kefu.service.configuration import desk_config

    seen: dict[str, str] = {}
    for _lifecycle, statuses in sorted(desk_config().statuses.items()):
        for status in statuses:
            seen.setdefault(status.key, status.label)
    return list(seen.items())


def ticket_search(*, user, text: str, limit: int = 10) -> list[Ticket]:
    """Tickets matching ``text`` as ``user`` may see them: an exact number first, then the
    full-text matches of subject and conversation (``kefu.service.search``), best first."""
    from kefu.service import search
    from kefu.service.policy import sees_all_tickets

    text = (text or "").strip()
    if not text:
        return []
    visible = scope(user, Ticket.objects.select_related("status", "queue"))
    # An exact, indexed lookup (number__iexact is a LIKE that scans every ticket on SQLite),
    # only for what can be a number ("T-000123"): not a query for every name searched.
    number = text.upper()
    is_number = len(number) <= 20 and number.startswith(TICKET_NUMBER_PREFIX)
    found = list(visible.filter(number=number)[:1]) if is_number else []
    queue_ids = None
    if not sees_all_tickets(user):
        queue_ids = list(
            QueueMembership.objects.filter(user=user).values_list("queue_id", flat=True)
        )
    hits = search.ticket_hits(text, queue_ids=queue_ids, limit=limit * 2)
    if (
        queue_ids is not None
        and Ticket.objects.filter(assignee=user).exclude(queue_id__in=queue_ids).exists()
    ):  # tickets assigned to the user in queues they do not work
        hits += search.ticket_hits(text, queue_ids=None, limit=limit * 2)
    by_id = visible.in_bulk([h.object_id for h in hits])
    seen = {t.pk for t in found}
    for hit in hits:
        ticket = by_id.get(hit.object_id)
        if ticket is not None and ticket.pk not in seen:
            seen.add(ticket.pk)
            found.append(ticket)
    return found[:limit]


def saved_views_for(user) -> QuerySet:
    """The user's own saved views and those others shared, by name."""
    from django.db.models import Q

    return SavedView.objects.filter(Q(owner=user) | Q(is_shared=True)).order_by("name", "id")
