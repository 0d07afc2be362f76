"""Mail channel API: accept a raw RFC 5322 message; list, download and reprocess the quarantine."""

from datetime import datetime

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from kefu.accounts.policy import require
from kefu.apikit.pagination import PageNumberPagination
from kefu.apikit.problems import LIST_ERRORS, READ_ERRORS, WRITE_ERRORS, ProblemOut, problem
from kefu.channels import selectors, services
from kefu.channels.choices import InboundSourceChoices
from kefu.channels.constants import MAIL_MAX_BYTES
from kefu.channels.models import InboundMessage, Mailbox

router = Router(tags=["mail"])


class InboundOut(Schema):
    id: int
    mailbox_id: int | None
    source: str
    message_id: str
    sha256: str
    size: int
    state: str
    kind: str
    from_address: str
    subject: str
    ticket_id: int | None
    entry_id: int | None
    error: str
    copies_seen: int
    received_at: datetime
    processed_at: datetime | None


class InboundFilters(Schema):
    state: str = Field("", description="received, processed or quarantined")


RAW_BODY = {
    "requestBody": {
        "required": True,
        "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.post(
    "/mail/inbound",
    response={201: InboundOut, 200: InboundOut, 413: ProblemOut, **WRITE_ERRORS},
    openapi_extra=RAW_BODY,
    summary="Accept one raw mail (RFC 5322) as if it arrived in a mailbox",
)
def mail_inbound_create(request, mailbox_id: int | None = None):
    """Store the message raw, then process it: a ticket, a reply, a bounce or quarantine.

    Sending the same message again answers 200 with the first result (nothing new is made).
    """
    require(request.auth, "channels.add_inboundmessage")
    mailbox = get_object_or_404(Mailbox, pk=mailbox_id) if mailbox_id else None
    raw = request.body
    if not raw:
        return problem(request, 422, "Empty message", "Send the raw message as the body.")
    if len(raw) > MAIL_MAX_BYTES:
        return problem(request, 413, "Message too large", f"At most {MAIL_MAX_BYTES} bytes.")
    row, created = services.inbound_receive(
        raw=raw, mailbox=mailbox, source=InboundSourceChoices.API
    )
    if created:
        row = services.inbound_process(inbound_id=row.pk, raw=raw)
    return Status(201 if created else 200, InboundMessage.objects.defer("raw").get(pk=row.pk))


@router.get("/mail/inbound", response={200: list[InboundOut], **LIST_ERRORS})
@paginate(PageNumberPagination)
def mail_inbound_list(request, filters: Query[InboundFilters]):
    """Inbound messages, newest first; ``state=quarantined`` is the quarantine."""
    require(request.auth, "channels.view_inboundmessage")
    return selectors.inbound_list(state=filters.state)


@router.get("/mail/inbound/{inbound_id}", response={200: InboundOut, **READ_ERRORS})
def mail_inbound_get(request, inbound_id: int):
    require(request.auth, "channels.view_inboundmessage")
    return get_object_or_404(InboundMessage.objects.defer("raw"), pk=inbound_id)


@router.get(
    "/mail/inbound/{inbound_id}/raw",
    response={200: None, **READ_ERRORS},
    summary="Download the message exactly as received",
)
def mail_inbound_raw(request, inbound_id: int):
    require(request.auth, "channels.view_inboundmessage")
    row = get_object_or_404(InboundMessage, pk=inbound_id)
    response = HttpResponse(bytes(row.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="inbound-{row.pk}.eml"'
    return response


@router.post("/mail/inbound/{inbound_id}/reprocess", response={200: InboundOut, **WRITE_ERRORS})
def mail_inbound_reprocess(request, inbound_id: int):
    """Process a quarantined message again (after a fix); it may end in quarantine again."""
    require(request.auth, "channels.change_inboundmessage")
    row = get_object_or_404(InboundMessage.objects.defer("raw"), pk=inbound_id)
    row = services.inbound_reprocess(actor=request.auth, inbound=row)
    return InboundMessage.objects.defer("raw").get(pk=row.pk)
