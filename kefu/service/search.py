"""Ticket full-text search through the shared backend (``kefu.core.search``), kind
``service.ticket``.

Indexed per ticket: the number and subject as the title (weighted above the body), the
description and the conversation (public replies and internal notes, never system events) as
the body, the organization, and the queue as the facet (``q<id>``) so an agent's search is
narrowed to the queues they work inside the index. Only staff search tickets; customers never
reach this index (the portal reads their requests through the facade).

Kept current: saving a ticket or any of its entries schedules the ticket, re-indexed once when
the transaction commits (a reply is searchable as soon as it is saved). Bulk loaders write
without signals: index after them with :func:`bulk_index` (``kefu seed_tickets`` does not, run
``kefu search_rebuild --kind service.ticket`` after it, which rebuilds with a progress bar).
"""

from django.db.models.signals import post_delete, post_save

from kefu.core.search import Document, get_backend, register_indexer, schedule
from kefu.service.choices import EntryKindChoices
from kefu.service.models import Ticket, TicketEntry

TICKET = "service.ticket"
# A ticket's conversation can be long (hundreds of entries): index its first part, where the
# question and its answer are, and keep the excerpt short.
_BODY_CHARS = 20_000
_EXCERPT_CHARS = 1000


def queue_facet(queue_id: int) -> str:
    return f"q{int(queue_id)}"


def ticket_documents(ids: list[int]) -> list[Document]:
    """Return the search documents of the tickets among ``ids`` (two queries)."""
    tickets = list(
        Ticket.objects.filter(pk__in=ids)
        .order_by()
        .values_list("pk", "number", "subject", "description", "organization_id", "queue_id")
    )
    bodies: dict[int, list[str]] = {}
    sizes: dict[int, int] = {}
    entries = (
        TicketEntry.objects.filter(
            ticket_id__in=[t[0] for t in tickets],
            kind__in=[EntryKindChoices.REPLY, EntryKindChoices.NOTE],
        )
        .order_by("ticket_id", "id")
        .values_list("ticket_id", "body")
    )
    for ticket_id, body in entries.iterator(chunk_size=5000):
        if body and sizes.get(ticket_id, 0) < _BODY_CHARS:
            bodies.setdefault(ticket_id, []).append(body)
            sizes[ticket_id] = sizes.get(ticket_id, 0) + len(body)
    return [
        ticket_document(
            pk, number, subject, description, organization_id, queue_id, bodies.get(pk, [])
        )
        for pk, number, subject, description, organization_id, queue_id in tickets
    ]


def ticket_document(
    pk: int | None,
    number: str | None,
    subject: str,
    description: str,
    organization_id: int | None,
    queue_id: int | None,
    bodies: list[str],
) -> Document:
    """The search document of one ticket; ``bodies``: its replies and notes, oldest first.

    :func:`ticket_documents` builds it from the database; ``ticket_create`` from what it is
    writing, so a new ticket is indexed in its own transaction without being read back.
    """
    conversation = "\n".join([description, *bodies])[:_BODY_CHARS]
    return Document(
        kind=TICKET,
        object_id=pk,
        title=f"{number or ''} {subject}",
        body=conversation,
        organization_id=organization_id,
        facet=queue_facet(queue_id) if queue_id else "",
        excerpt=f"{subject}\n{conversation[:_EXCERPT_CHARS]}",
    )


register_indexer(TICKET, build=ticket_documents, all_ids=lambda: Ticket.objects.all())


def _ticket_changed(sender, instance, using, **kwargs):
    schedule(TICKET, [instance.pk], using=using)


def _entry_changed(sender, instance, using, **kwargs):
    schedule(TICKET, [instance.ticket_id], using=using)


post_save.connect(_ticket_changed, sender=Ticket, dispatch_uid="search_ticket_saved")
post_delete.connect(_ticket_changed, sender=Ticket, dispatch_uid="search_ticket_deleted")
post_save.connect(_entry_changed, sender=TicketEntry, dispatch_uid="search_entry_saved")
post_delete.connect(_entry_changed, sender=TicketEntry, dispatch_uid="search_entry_deleted")


def ticket_hits(query: str, *, queue_ids: list[int] | None, limit: int) -> list:
    """Return backend hits for ``query`` (``queue_ids``: only these queues; None: every queue)."""
    filters = {}
    if queue_ids is not None:
        if not queue_ids:
            return []
        filters["facet"] = [queue_facet(q) for q in queue_ids]
    return get_backend().search(TICKET, query, limit=limit, filters=filters)


def bulk_index(*, stdout=None) -> int:
    """Index the tickets added by bulk inserts since the last indexing (with a progress bar
    when ``stdout`` is given)."""
    import sys

    from tqdm import tqdm

    from kefu.core.search.indexing import catch_up, pending_count

    with tqdm(
        total=pending_count(TICKET) if stdout else None,
        desc=f"search {TICKET}",
        unit="rec",
        disable=stdout is None,
        file=sys.stderr,
    ) as bar:
        written = catch_up(TICKET, progress=bar.update)
    if stdout is not None:
        stdout.write(f"search: {TICKET}: {written} indexed")
    return written
