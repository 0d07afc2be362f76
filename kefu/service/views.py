"""The agent workspace (htmx): ticket lists, the ticket page and its actions, call logging.

Views parse input, call one service or selector, and render; permissions come from the policy.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from kefu.accounts.policy import can, require, scope, staff_required
from kefu.accounts.roster import staff_choices
from kefu.core.errors import ServiceError
from kefu.service import selectors, services, workspace
from kefu.service.choices import (
    EntryKindChoices,
    PriorityChoices,
    ResolutionCodeChoices,
    StatusCategoryChoices,
    TicketChannelChoices,
)
from kefu.service.forms import (
    AssignForm,
    BulkForm,
    CallForm,
    EntryForm,
    EscalateForm,
    MergeForm,
    PropertiesForm,
    TicketCreateForm,
    TransitionForm,
    agent_choices,
    options_html,
)
from kefu.service.models import Ticket, TicketAttachment
from kefu.service.policy import sees_all_tickets
from kefu.service.presence import ticket_viewers_touch
from kefu.service.services.saved_views import FILTER_KEYS

PAGE_SIZES = (25, 50, 100)
# The columns a list row shows (``_ticket_rows.html``): a row builds no more than it displays.
# Queues and statuses come from the configuration snapshot, not joins: on PostgreSQL, planning
# the seven-table join took 10 ms of a list whose query ran in 1.
LIST_ROW_FIELDS = (
    "number",
    "subject",
    "priority",
    "updated_at",
    "status_category",
    "queue_id",
    "status_id",
    "organization__name",
    "requester__name",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__username",
)
LIST_ROW_JOINS = ("organization", "requester", "assignee")


class _Page:
    """One page of a list without an exact COUNT: it reads one row more to know if more exist.

    Counting a queue of a million tickets on every page view is the classic help-desk
    slowdown; "next" only needs to know that one more row exists.
    """

    def __init__(self, queryset, *, number, size: int):
        try:
            self.number = max(1, int(number or 1))
        except (TypeError, ValueError):
            self.number = 1
        offset = (self.number - 1) * size
        rows = list(queryset[offset : offset + size + 1])
        self.object_list = rows[:size]
        self.has_next = len(rows) > size
        self.has_previous = self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


CHANGE = "service.change_ticket"


def _agent_choices(user) -> list[tuple[int, str]]:
    """The agents of the list's assignee pickers (bulk assign, the assignee filter).

    Who sees every ticket picks from every active staff user, as on the ticket page (the staff
    roster snapshot, no query); an agent from the colleagues of their queues.
    """
    if sees_all_tickets(user):
        return staff_choices()
    return agent_choices(selectors.agents_visible_to(user))


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            name = field.removesuffix("_id")
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _error_message(request, exc) -> None:
    if isinstance(exc, ValidationError):
        for text in exc.messages:
            messages.error(request, text)
    else:
        messages.error(request, exc.detail)


@staff_required("service.view_ticket")
def ticket_list(request):
    """The workspace lists: mine, unassigned in my queues, one queue, recently updated."""
    saved_views = list(selectors.saved_views_for(request.user))
    current = next((v for v in saved_views if str(v.pk) == request.GET.get("saved")), None)
    params = {"view": current.view, **current.filters} if current else request.GET
    view = params.get("view") or "mine"
    if view not in selectors.LIST_VIEWS:
        view = "mine"
    filters = {
        k: params.get(k, "")
        for k in ("queue", "status", "priority", "channel", "q", "sort", "organization", "assignee")
    }
    tickets = (
        selectors.ticket_list(user=request.user, view=view, filters=filters)
        .select_related(None)
        .select_related(*LIST_ROW_JOINS)
        .only(*LIST_ROW_FIELDS)
    )
    try:
        page_size = int(request.GET.get("page_size") or 25)
    except ValueError:
        page_size = 25
    page_size = page_size if page_size in PAGE_SIZES else 25
    page = _Page(tickets, number=request.GET.get("page"), size=page_size)
    selectors.attach_configuration(page.object_list)
    agents = _agent_choices(request.user)
    context = {
        "view": view,
        "filters": filters,
        "page": page,
        "page_size": page_size,
        "page_sizes": PAGE_SIZES,
        "queues": selectors.queues_visible_to(request.user),
        "status_choices": StatusCategoryChoices.choices,
        "priority_choices": PriorityChoices.choices,
        "channel_choices": TicketChannelChoices.choices,
        "resolution_choices": ResolutionCodeChoices.choices,
        "views": [
            ("mine", _("My open tickets")),
            ("unassigned", _("Unassigned in my queues")),
            ("queue", _("By queue")),
            ("recent", _("Recently updated")),
        ],
        "can_change": can(request.user, CHANGE),
        # Both assignee pickers from one read, written in one pass each (hundreds of agents).
        "agent_options": options_html(agents),
        "assignee_filter_options": options_html(agents, {filters["assignee"]}),
        "bulk_statuses": selectors.standard_status_choices(),
        "saved_views": saved_views,
        "current_saved": current,
    }
    template = "service/_ticket_rows.html" if request.htmx else "service/ticket_list.html"
    return render(request, template, context)


@require_POST
@staff_required("service.add_savedview")
def saved_view_save(request):
    """Save the list being looked at (its view and filters) under a name."""
    filters = {k: request.POST.get(k, "") for k in FILTER_KEYS}
    try:
        saved = services.saved_view_create(
            actor=request.user,
            name=request.POST.get("name", ""),
            view=request.POST.get("view", "all"),
            filters=filters,
            is_shared=request.POST.get("is_shared") == "on",
        )
    except ValidationError as exc:
        _error_message(request, exc)
        return redirect("service:ticket_list")
    messages.success(request, _("View saved."))
    return redirect(f"{reverse('service:ticket_list')}?saved={saved.pk}")


@require_POST
@staff_required("service.delete_savedview")
def saved_view_delete(request, pk: int):
    saved = get_object_or_404(selectors.saved_views_for(request.user), pk=pk)
    services.saved_view_delete(actor=request.user, saved_view=saved)
    messages.success(request, _("View deleted."))
    return redirect("service:ticket_list")


@staff_required("service.add_ticket")
def ticket_new(request):
    form = TicketCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_create(
                actor=request.user,
                subject=data["subject"],
                description=data["description"],
                requester_email=data["requester_email"] or None,
                requester_phone=data["requester_phone"] or None,
                requester_name=data["requester_name"],
                channel=data["channel"],
                ticket_type=data["ticket_type"],
                category_id=data["category"].pk if data["category"] else None,
                impact=data["impact"],
                urgency=data["urgency"],
                queue_id=data["queue"].pk if data["queue"] else None,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Ticket %(number)s created.") % {"number": ticket.number})
            return redirect(ticket)
    return render(request, "service/ticket_form.html", {"form": form})


def _detail_context(request, ticket: Ticket, **forms) -> dict:
    if request.GET.get("entries") == "all":
        entries = selectors.ticket_conversation(ticket)
    else:
        entries = selectors.ticket_conversation_window(ticket)
    return {
        "ticket": ticket,
        "entries": entries,
        "statuses": selectors.ticket_statuses(ticket),
        "context": selectors.customer_context(ticket, user=request.user),
        "entry_form": forms.get("entry_form") or EntryForm(),
        "properties_form": forms.get("properties_form")
        or PropertiesForm(
            initial={
                "version": ticket.version,
                "subject": ticket.subject,
                "ticket_type": ticket.ticket_type,
                "category": ticket.category_id,
                "impact": ticket.impact,
                "urgency": ticket.urgency,
                "priority": ticket.priority,
            }
        ),
        "assign_form": AssignForm(
            initial={"version": ticket.version, "assignee": ticket.assignee_id}
        ),
        "escalate_form": forms.get("escalate_form") or EscalateForm(),
        "merge_form": forms.get("merge_form") or MergeForm(),
        "resolution_choices": ResolutionCodeChoices.choices,
        "can_change": can(request.user, CHANGE, ticket),
        "entry_kinds": EntryKindChoices,
        "side_panels": workspace.side_panels(),
    }


@staff_required("service.view_ticket")
def ticket_detail(request, pk: int):
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    context = _detail_context(request, ticket)
    context["viewers"] = ticket_viewers_touch(ticket_id=ticket.pk, user=request.user)
    return render(request, "service/ticket_detail.html", context)


@staff_required("service.view_ticket")
def ticket_entries_between(request, pk: int):
    """The collapsed middle of a long conversation (``?after=<entry>&before=<entry>``)."""
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    try:
        after, before = int(request.GET["after"]), int(request.GET["before"])
    except (KeyError, ValueError):
        return HttpResponse(status=400)
    entries = selectors.ticket_conversation_between(ticket, after_id=after, before_id=before)
    return render(request, "service/_entries.html", {"entries": entries})


@staff_required("service.view_ticket")
def ticket_viewers(request, pk: int):
    """The "also looking at / replying to this ticket" notice, polled by the ticket page."""
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    editing = request.GET.get("editing") == "1"
    viewers = ticket_viewers_touch(ticket_id=ticket.pk, user=request.user, editing=editing)
    return render(
        request,
        "service/_viewers.html",
        {"ticket": ticket, "viewers": viewers, "editing": editing},
    )


@staff_required("service.view_ticket")
def ticket_changes(request):
    """Whether a ticket the user may see changed since ``since``: the lists poll this.

    One indexed read (the latest ``updated_at`` the user may see). Unchanged: 204, and htmx
    leaves the page alone. Changed: the poller with the new mark, and an ``HX-Trigger`` that
    makes the list fetch its rows again.
    """
    mark = workspace.tickets_changed_mark(request.user)
    if request.GET.get("since") == mark:
        return HttpResponse(status=204)
    response = render(request, "service/_ticket_changes.html", {"changes_mark": mark})
    if request.GET.get("since"):
        response["HX-Trigger"] = "tickets-changed"
    return response


def _ticket_for_change(request, pk: int) -> Ticket:
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    require(request.user, CHANGE, ticket)
    return ticket


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version"))
    except (TypeError, ValueError):
        return None


def _answer(request, ticket: Ticket, *, status: int = 200, **forms) -> HttpResponse:
    """After an action on the ticket page: the redirect, or for htmx the fresh workspace.

    htmx swaps ``#ticket-workspace`` (conversation, properties, panels, messages) in place; a
    refused action answers with its status (409 stale or not allowed, 422 invalid input) and the
    same fragment, showing why. Without JavaScript the page reloads as before.
    """
    if not request.htmx:
        return redirect(ticket)
    fresh = selectors.ticket_get(user=request.user, pk=ticket.pk)
    context = _detail_context(request, fresh, **forms)
    context["viewers"] = ticket_viewers_touch(ticket_id=fresh.pk, user=request.user)
    context["partial"] = True
    return render(request, "service/_ticket_workspace.html", context, status=status)


def _refused(request, exc) -> int:
    _error_message(request, exc)
    return getattr(exc, "status_code", 422) if isinstance(exc, ServiceError) else 422


def _leave(request, to) -> HttpResponse:
    """Go to another page: a redirect, or for htmx a client-side redirect."""
    url = to.get_absolute_url() if hasattr(to, "get_absolute_url") else reverse(to)
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_POST
@staff_required("service.add_ticketentry")
def ticket_entry_add(request, pk: int):
    ticket = _ticket_for_change(request, pk)
    form = EntryForm(request.POST, request.FILES)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        files = [data["attachment"]] if data["attachment"] else []
        add = services.ticket_note_add if data["kind"] == "note" else services.ticket_reply_add
        try:
            add(
                actor=request.user,
                ticket=ticket,
                body=data["body"],
                time_spent_minutes=data["time_spent_minutes"] or 0,
                attachments=files,
            )
        except (ValidationError, ServiceError) as exc:
            status = _refused(request, exc)
        else:
            messages.success(request, _("Saved."))
            form = None
    else:
        status = 422
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
    return _answer(request, ticket, status=status, entry_form=form)


@require_POST
@staff_required(CHANGE)
def ticket_properties(request, pk: int):
    """Save the properties form; a stale version is refused with a clear message."""
    ticket = _ticket_for_change(request, pk)
    form = PropertiesForm(request.POST)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.ticket_update(
                actor=request.user,
                ticket=ticket,
                version=data["version"],
                subject=data["subject"],
                ticket_type=data["ticket_type"],
                category_id=data["category"].pk if data["category"] else None,
                impact=data["impact"],
                urgency=data["urgency"],
                priority=data["priority"],
            )
        except (ValidationError, ServiceError) as exc:
            status = _refused(request, exc)
        else:
            messages.success(request, _("Saved."))
    else:
        status = 422
        messages.error(request, _("Check the properties and try again."))
        return _answer(request, ticket, status=status, properties_form=form)
    return _answer(request, ticket, status=status)


@require_POST
@staff_required(CHANGE)
def ticket_status(request, pk: int):
    ticket = _ticket_for_change(request, pk)
    form = TransitionForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            services.ticket_transition(
                actor=request.user,
                ticket=ticket,
                status_key=form.cleaned_data["status"],
                resolution_code=form.cleaned_data["resolution_code"],
                version=form.cleaned_data["version"],
            )
        except (ValidationError, ServiceError) as exc:
            status = _refused(request, exc)
        else:
            messages.success(request, _("Status changed."))
    else:
        status = 422
        messages.error(request, _("Choose a status."))
    return _answer(request, ticket, status=status)


@require_POST
@staff_required(CHANGE)
def ticket_assign(request, pk: int):
    ticket = _ticket_for_change(request, pk)
    form = AssignForm(request.POST)
    status = 200
    if form.is_valid():
        assignee = form.cleaned_data["assignee"]
        try:
            services.ticket_assign(
                actor=request.user,
                ticket=ticket,
                assignee_id=assignee.pk if assignee else None,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except (ValidationError, ServiceError) as exc:
            status = _refused(request, exc)
        else:
            messages.success(request, _("Assignment saved."))
    else:
        status = 422
        messages.error(request, _("Choose someone to assign the ticket to."))
    return _answer(request, ticket, status=status)


@require_POST
@staff_required(CHANGE)
def ticket_escalate(request, pk: int):
    ticket = _ticket_for_change(request, pk)
    form = EscalateForm(request.POST)
    status = 200
    if form.is_valid():
        queue = form.cleaned_data["queue"]
        try:
            services.ticket_escalate(
                actor=request.user,
                ticket=ticket,
                reason=form.cleaned_data["reason"],
                queue_id=queue.pk if queue else None,
            )
        except (ValidationError, ServiceError) as exc:
            status = _refused(request, exc)
        else:
            messages.success(request, _("Ticket escalated."))
            if not scope(request.user, Ticket.objects.filter(pk=ticket.pk)).exists():
                return _leave(request, "service:ticket_list")
    else:
        status = 422
        messages.error(request, _("Say why the ticket is escalated."))
        return _answer(request, ticket, status=status, escalate_form=form)
    return _answer(request, ticket, status=status)


@require_POST
@staff_required(CHANGE)
def ticket_merge(request, pk: int):
    ticket = _ticket_for_change(request, pk)
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the number of the ticket to merge into."))
        return _answer(request, ticket, status=422, merge_form=form)
    number = form.cleaned_data["target_number"].strip().upper()
    target = scope(request.user, Ticket.objects.all()).filter(number=number).first()
    if target is None or not can(request.user, CHANGE, target):
        messages.error(request, _("No ticket %(number)s that you may change.") % {"number": number})
        return _answer(request, ticket, status=422, merge_form=form)
    try:
        services.ticket_merge(actor=request.user, source=ticket, target=target)
    except (ValidationError, ServiceError) as exc:
        return _answer(request, ticket, status=_refused(request, exc), merge_form=form)
    messages.success(
        request,
        _("%(source)s merged into %(target)s.")
        % {"source": ticket.number, "target": target.number},
    )
    return _leave(request, target)


@require_POST
@staff_required(CHANGE)
def ticket_bulk(request):
    """Assign or change the status of several tickets in one transaction."""
    ids = [int(v) for v in request.POST.getlist("ticket_ids") if v.isdigit()]
    visible = list(
        scope(request.user, Ticket.objects.filter(pk__in=ids)).values_list("pk", flat=True)
    )
    form = BulkForm(request.POST, ticket_ids=visible)
    if not form.is_valid():
        messages.error(request, _("Choose tickets and an action."))
        return redirect(request.META.get("HTTP_REFERER") or "service:ticket_list")
    data = form.cleaned_data
    try:
        if data["action"] == "priority":
            count = services.tickets_bulk_set_priority(
                actor=request.user, ticket_ids=data["ticket_ids"], priority=data["priority"] or 3
            )
        elif data["action"] == "tag":
            count = services.tickets_bulk_tag(
                actor=request.user, ticket_ids=data["ticket_ids"], tag=data["tag"]
            )
        elif data["action"] == "merge":
            target = services.tickets_bulk_merge(actor=request.user, ticket_ids=data["ticket_ids"])
            messages.success(request, _("Merged into %(number)s.") % {"number": target.number})
            return redirect(target)
        elif data["action"] == "assign":
            assignee = data["assignee"]
            count = services.tickets_bulk_assign(
                actor=request.user,
                ticket_ids=data["ticket_ids"],
                assignee_id=assignee.pk if assignee else None,
            )
        else:
            count = services.tickets_bulk_transition(
                actor=request.user,
                ticket_ids=data["ticket_ids"],
                status_key=data["status"],
                resolution_code=data["resolution_code"],
            )
    except PermissionDenied:
        messages.error(request, _("You may not change some of these tickets; nothing was changed."))
    except (ValidationError, ServiceError) as exc:
        _error_message(request, exc)
        messages.error(request, _("Nothing was changed."))
    else:
        messages.success(request, _("%(count)d tickets changed.") % {"count": count})
    return redirect(request.META.get("HTTP_REFERER") or "service:ticket_list")


@staff_required("service.add_callrecord")
def call_new(request):
    """Log a phone call: look the number up, open a ticket or add to one."""
    form = CallForm(request.POST or None, initial={"number": request.GET.get("number", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ticket_id = None
        if data["ticket_number"]:
            target = (
                scope(request.user, Ticket.objects.all())
                .filter(number=data["ticket_number"].strip().upper())
                .first()
            )
            if target is None:
                form.add_error("ticket_number", _("No such ticket."))
            else:
                ticket_id = target.pk
        if form.is_valid():
            try:
                call = services.call_record_create(
                    actor=request.user,
                    direction=data["direction"],
                    number=data["number"],
                    outcome=data["outcome"],
                    wait_seconds=data["wait_seconds"],
                    talk_seconds=data["talk_seconds"],
                    ticket_id=ticket_id,
                    create_ticket=data["create_ticket"],
                    subject=data["subject"],
                    notes=data["notes"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Call logged."))
                return redirect(call.ticket) if call.ticket_id else redirect("service:ticket_list")
    lookup = None
    number = request.POST.get("number") or request.GET.get("number")
    if number:
        lookup = selectors.telephony_lookup(user=request.user, number=number)
    return render(request, "service/call_form.html", {"form": form, "lookup": lookup})


@staff_required("service.view_ticketattachment")
def attachment_download(request, token: str):
    """Serve an attachment as a download, if the user may see its ticket."""
    attachment = get_object_or_404(TicketAttachment.objects.select_related("ticket"), token=token)
    if not scope(request.user, Ticket.objects.filter(pk=attachment.ticket_id)).exists():
        raise Http404
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type or "application/octet-stream",
    )


@staff_required("service.view_all_tickets")
def dashboard(request):
    """The supervisor dashboard: volume, backlog by age, and sites far above the norm."""
    from kefu.service import reports

    user = request.user
    data = {
        "by_day": reports.volume_by_day(user=user, days=30),
        "by_category": reports.volume_by(user=user, field="category"),
        "by_channel": reports.volume_by(user=user, field="channel"),
        "by_organization": reports.volume_by(user=user, field="organization"),
        "by_site": reports.volume_by(user=user, field="site"),
        "backlog": reports.backlog_by_age(user=user),
    }
    context = {
        "data": data,
        "attention_30": reports.sites_needing_attention(user=user, days=30),
        "attention_90": reports.sites_needing_attention(user=user, days=90),
        "labels": {
            "tickets": _("Tickets"),
            "backlog": _("Open tickets by age (days)"),
            "volume": _("Tickets per day"),
        },
    }
    return render(request, "service/dashboard.html", context)
