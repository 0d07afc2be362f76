"""Service-desk API: tickets, their conversation, assignment, lifecycle, relations and calls.

Handlers are thin: check the permission (``policy.require``, object rules included), read
through ``selectors`` (scoped by ``policy.scope``: a ticket the caller may not see is a 404),
write through ``services`` in an API audit context. Errors become problem+json.
"""

import contextlib

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from kefu.accounts.policy import require, scope
from kefu.apikit.pagination import PageNumberPagination
from kefu.apikit.problems import LIST_ERRORS, READ_ERRORS, WRITE_ERRORS
from kefu.core.audit import AuditSource, audit_context
from kefu.service import selectors, services
from kefu.service.models import CallRecord, Ticket
from kefu.service.schemas import (
    AssignIn,
    AttachmentOut,
    CallIn,
    CallOut,
    EntryIn,
    EntryOut,
    EscalateIn,
    LinkIn,
    LinkOut,
    LookupOut,
    MergeIn,
    NoteIn,
    SavedViewIn,
    SavedViewOut,
    TicketDetailOut,
    TicketIn,
    TicketOut,
    TicketPatch,
    TransitionIn,
)
from kefu.service.services.saved_views import FILTER_KEYS

router = Router(tags=["tickets"])
CHANGE = "service.change_ticket"


@contextlib.contextmanager
def _writing(request):
    with audit_context(source=AuditSource.API, actor=request.auth):
        yield


def _ticket(request, ticket_id: int, perm: str | None = None) -> Ticket:
    """The ticket if the caller may see it (else 404) and holds ``perm`` on it (else 403).

    Callers without the ticket permission at all (portal customers) get 403 before any lookup.
    """
    require(request.auth, "service.view_ticket")
    ticket = selectors.ticket_get(user=request.auth, pk=ticket_id)
    if perm:
        require(request.auth, perm, ticket)
    return ticket


def _fresh(request, ticket_id: int) -> Ticket:
    return Ticket.objects.select_related("status").get(pk=ticket_id)


class TicketFilters(Schema):
    view: str = "all"
    queue: int | None = None
    status: str | None = None
    priority: int | None = None
    channel: str | None = None
    organization: int | None = None
    assignee: str | None = None
    q: str | None = None
    sort: str | None = None


@router.get(
    "/tickets",
    response={200: list[TicketOut], **LIST_ERRORS},
    summary="List tickets",
    description="`view`: mine, unassigned, queue, recent, all. Filters: `queue`, `status` "
    "(a category or `active`), `priority`, `channel`, `organization`, `assignee` (a user id, "
    "or `none`), `q`; `sort`.",
)
@paginate(PageNumberPagination)
def ticket_list(request, filters: Query[TicketFilters]):
    require(request.auth, "service.view_ticket")
    data = filters.model_dump()
    return selectors.ticket_list(user=request.auth, view=data.pop("view"), filters=data)


@router.get(
    "/tickets/{ticket_id}",
    response={200: TicketDetailOut, **READ_ERRORS},
    summary="Get a ticket",
    description="With its satisfaction survey (`survey`, null until the ticket is resolved).",
)
def ticket_get(request, ticket_id: int):
    require(request.auth, "service.view_ticket")
    return _ticket(request, ticket_id)


@router.post("/tickets", response={201: TicketOut, **WRITE_ERRORS}, summary="Create a ticket")
def ticket_create(request, payload: TicketIn):
    """Create a ticket with its first message; routing, assignment and timeline included.
    Send an ``Idempotency-Key`` header to make retries safe."""
    require(request.auth, "service.add_ticket")
    with _writing(request):
        ticket = services.ticket_create(actor=request.auth, **payload.model_dump())
    # The service keeps the instance in step with every column it and its receivers wrote
    # (number, assignee, contract, billable): answer from it without reading the row back.
    return Status(201, ticket)


@router.patch(
    "/tickets/{ticket_id}", response={200: TicketOut, **WRITE_ERRORS}, summary="Change a ticket"
)
def ticket_update(request, ticket_id: int, payload: TicketPatch):
    """Change properties. ``version`` must be the one you read: a stale one answers 409."""
    ticket = _ticket(request, ticket_id, CHANGE)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    with _writing(request):
        services.ticket_update(actor=request.auth, ticket=ticket, version=version, **data)
    return _fresh(request, ticket_id)


@router.get(
    "/tickets/{ticket_id}/entries",
    response={200: list[EntryOut], **READ_ERRORS},
    summary="The conversation (replies, notes and events)",
)
def entry_list(request, ticket_id: int):
    require(request.auth, "service.view_ticketentry")
    return selectors.ticket_conversation(_ticket(request, ticket_id))


@router.post(
    "/tickets/{ticket_id}/replies",
    response={201: EntryOut, **WRITE_ERRORS},
    summary="Add a public reply",
)
def reply_add(request, ticket_id: int, payload: EntryIn):
    ticket = _ticket(request, ticket_id, CHANGE)
    require(request.auth, "service.add_ticketentry")
    with _writing(request):
        entry = services.ticket_reply_add(actor=request.auth, ticket=ticket, **payload.model_dump())
    return Status(201, entry)


@router.post(
    "/tickets/{ticket_id}/notes",
    response={201: EntryOut, **WRITE_ERRORS},
    summary="Add an internal note (never shown to the customer)",
)
def note_add(request, ticket_id: int, payload: NoteIn):
    ticket = _ticket(request, ticket_id, CHANGE)
    require(request.auth, "service.add_ticketentry")
    with _writing(request):
        entry = services.ticket_note_add(actor=request.auth, ticket=ticket, **payload.model_dump())
    return Status(201, entry)


@router.get(
    "/tickets/{ticket_id}/attachments",
    response={200: list[AttachmentOut], **READ_ERRORS},
    summary="List a ticket's attachments",
)
def attachment_list(request, ticket_id: int):
    require(request.auth, "service.view_ticketattachment")
    return list(_ticket(request, ticket_id).attachments.order_by("created_at", "id"))


@router.post(
    "/tickets/{ticket_id}/attachments",
    response={201: AttachmentOut, **WRITE_ERRORS},
    summary="Upload an attachment (multipart: file, is_public)",
)
def attachment_add(request, ticket_id: int, file: File[UploadedFile], is_public: Form[bool] = True):
    ticket = _ticket(request, ticket_id, CHANGE)
    require(request.auth, "service.add_ticketattachment")
    with _writing(request):
        attachment = services.ticket_attachment_add(
            actor=request.auth, ticket=ticket, upload=file, is_public=is_public
        )
    return Status(201, attachment)


@router.post(
    "/tickets/{ticket_id}/assign", response={200: TicketOut, **WRITE_ERRORS}, summary="Assign"
)
def ticket_assign(request, ticket_id: int, payload: AssignIn):
    ticket = _ticket(request, ticket_id, CHANGE)
    with _writing(request):
        services.ticket_assign(actor=request.auth, ticket=ticket, **payload.model_dump())
    return _fresh(request, ticket_id)


@router.post(
    "/tickets/{ticket_id}/transition",
    response={200: TicketOut, **WRITE_ERRORS},
    summary="Change the status",
)
def ticket_transition(request, ticket_id: int, payload: TransitionIn):
    """Move to a status the lifecycle allows (409 otherwise); resolving needs a
    ``resolution_code``."""
    ticket = _ticket(request, ticket_id, CHANGE)
    with _writing(request):
        services.ticket_transition(
            actor=request.auth,
            ticket=ticket,
            status_key=payload.status,
            resolution_code=payload.resolution_code,
            version=payload.version,
        )
    return _fresh(request, ticket_id)


@router.post(
    "/tickets/{ticket_id}/escalate",
    response={200: TicketOut, **WRITE_ERRORS},
    summary="Escalate to the second-line (or another) queue",
)
def ticket_escalate(request, ticket_id: int, payload: EscalateIn):
    ticket = _ticket(request, ticket_id, CHANGE)
    with _writing(request):
        services.ticket_escalate(actor=request.auth, ticket=ticket, **payload.model_dump())
    return _fresh(request, ticket_id)


@router.post(
    "/tickets/{ticket_id}/merge",
    response={200: TicketOut, **WRITE_ERRORS},
    summary="Merge this ticket into another",
)
def ticket_merge(request, ticket_id: int, payload: MergeIn):
    """Move the conversation to ``target_id`` and close this ticket with a pointer. Merging a
    ticket into itself, or across organizations without permission, answers 409."""
    source = _ticket(request, ticket_id, CHANGE)
    target = _ticket(request, payload.target_id, CHANGE)
    with _writing(request):
        services.ticket_merge(actor=request.auth, source=source, target=target)
    return _fresh(request, target.pk)


@router.get(
    "/tickets/{ticket_id}/links", response={200: list[LinkOut], **READ_ERRORS}, summary="Links"
)
def link_list(request, ticket_id: int):
    require(request.auth, "service.view_ticketlink")
    ticket = _ticket(request, ticket_id)
    return list(ticket.links_out.all()) + list(ticket.links_in.all())


@router.post(
    "/tickets/{ticket_id}/links",
    response={201: LinkOut, **WRITE_ERRORS},
    summary="Link to another ticket",
)
def link_add(request, ticket_id: int, payload: LinkIn):
    ticket = _ticket(request, ticket_id, CHANGE)
    require(request.auth, "service.add_ticketlink")
    other = _ticket(request, payload.other_id)
    with _writing(request):
        link = services.ticket_link_add(
            actor=request.auth, ticket=ticket, other=other, kind=payload.kind
        )
    return Status(201, link)


@router.get(
    "/calls", response={200: list[CallOut], **LIST_ERRORS}, summary="List calls", tags=["calls"]
)
@paginate(PageNumberPagination)
def call_list(request):
    require(request.auth, "service.view_callrecord")
    return scope(request.auth, CallRecord.objects.all()).order_by("-started_at", "-id")


@router.post(
    "/calls", response={201: CallOut, **WRITE_ERRORS}, summary="Record a call", tags=["calls"]
)
def call_create(request, payload: CallIn):
    """Record a call; ``create_ticket`` opens a phone ticket, ``ticket_id`` adds to one."""
    require(request.auth, "service.add_callrecord")
    data = payload.model_dump()
    if data.get("ticket_id"):
        _ticket(request, data["ticket_id"], CHANGE)
    if data.get("create_ticket"):
        require(request.auth, "service.add_ticket")
    with _writing(request):
        call = services.call_record_create(actor=request.auth, **data)
    return Status(201, call)


@router.get(
    "/telephony/lookup",
    response={200: LookupOut, **LIST_ERRORS},
    summary="Screen-pop: who is calling and their open tickets",
    tags=["calls"],
)
def telephony_lookup(request, number: str):
    require(request.auth, "service.view_ticket")
    if not number.strip():
        raise ValidationError({"number": [_("Give a phone number.")]})
    return selectors.telephony_lookup(user=request.auth, number=number)


@router.get(
    "/saved-views",
    response={200: list[SavedViewOut], **LIST_ERRORS},
    summary="Your saved ticket lists and the shared ones",
    tags=["saved views"],
)
def saved_view_list(request):
    require(request.auth, "service.view_savedview")
    return list(selectors.saved_views_for(request.auth))


@router.post(
    "/saved-views",
    response={201: SavedViewOut, **WRITE_ERRORS},
    summary="Save a ticket list (view and filters)",
    description=f"Filter keys: {', '.join(FILTER_KEYS)}. Use them with `GET /tickets`.",
    tags=["saved views"],
)
def saved_view_create(request, payload: SavedViewIn):
    require(request.auth, "service.add_savedview")
    with _writing(request):
        saved = services.saved_view_create(actor=request.auth, **payload.model_dump())
    return Status(201, saved)


@router.delete(
    "/saved-views/{view_id}",
    response={204: None, **WRITE_ERRORS},
    summary="Delete one of your saved views",
    tags=["saved views"],
)
def saved_view_delete(request, view_id: int):
    require(request.auth, "service.delete_savedview")
    saved = selectors.saved_views_for(request.auth).get(pk=view_id)
    with _writing(request):
        services.saved_view_delete(actor=request.auth, saved_view=saved)
    return Status(204, None)
