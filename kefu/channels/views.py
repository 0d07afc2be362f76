"""Administration pages: mailboxes, the inbound log with its quarantine, and mail templates."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.policy import require, staff_required
from kefu.channels import selectors, services
from kefu.channels.choices import MailTemplateKeyChoices
from kefu.channels.email.templates import PLACEHOLDERS, default_for
from kefu.channels.forms import (
    InboundFilterForm,
    MailboxForm,
    MailTemplateForm,
    SmsGatewayForm,
)
from kefu.channels.models import InboundMessage, Mailbox, MailTemplate, SmsGateway, SmsMessage
from kefu.service import facade as service

PAGE_SIZE = 50


@staff_required("channels.view_mailbox")
def mailbox_list(request):
    return render(request, "channels/mailbox_list.html", {"mailboxes": selectors.mailbox_list()})


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@staff_required("channels.change_mailbox")
def mailbox_edit(request, pk=None):
    mailbox = get_object_or_404(Mailbox, pk=pk) if pk else None
    if mailbox is None:
        require(request.user, "channels.add_mailbox")
    initial = {"imap_port": 993, "imap_folder": "INBOX", "send_acknowledgement": True}
    if mailbox is not None:
        initial = {name: getattr(mailbox, name) for name in services.mailboxes.MAILBOX_FIELDS}
    form = MailboxForm(
        request.POST or None,
        initial=initial,
        queues=service.queue_choices(),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        password = data.pop("password") or None
        try:
            services.mailbox_save(actor=request.user, mailbox=mailbox, password=password, **data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Mailbox saved."))
            return redirect("channels:mailbox_list")
    title = (
        _("New mailbox") if mailbox is None else _("Edit mailbox %(name)s") % {"name": mailbox.name}
    )
    context = {
        "title": title,
        "form": form,
        "mailbox": mailbox,
        "cancel_url": reverse("channels:mailbox_list"),
        "submit_label": _("Save"),
    }
    return render(request, "channels/form.html", context)


@staff_required("channels.view_inboundmessage")
def inbound_list(request):
    form = InboundFilterForm(request.GET or None)
    state = form.cleaned_data["state"] if form.is_valid() else ""
    page_text = request.GET.get("page", "1")
    page = max(int(page_text), 1) if page_text.isdigit() else 1
    rows = list(selectors.inbound_list(state=state)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    context = {
        "form": form,
        "rows": rows[:PAGE_SIZE],
        "page": page,
        "has_next": len(rows) > PAGE_SIZE,
        "state": state,
    }
    return render(request, "channels/inbound_list.html", context)


@staff_required("channels.view_inboundmessage")
def inbound_detail(request, pk):
    row = get_object_or_404(InboundMessage.objects.defer("raw"), pk=pk)
    return render(request, "channels/inbound_detail.html", {"row": row})


@staff_required("channels.view_inboundmessage")
def inbound_raw(request, pk):
    row = get_object_or_404(InboundMessage, pk=pk)
    response = HttpResponse(bytes(row.raw), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="inbound-{row.pk}.eml"'
    return response


@staff_required("channels.view_inboundmessage")
def inbound_html(request, pk):
    """The sanitized HTML body, for a sandboxed frame: no scripts, no same origin."""
    row = get_object_or_404(InboundMessage.objects.only("html_body"), pk=pk)
    if not row.html_body:
        raise Http404
    response = HttpResponse(row.html_body, content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; style-src 'unsafe-inline'"
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


@require_POST
@staff_required("channels.change_inboundmessage")
def inbound_reprocess(request, pk):
    row = get_object_or_404(InboundMessage.objects.defer("raw"), pk=pk)
    try:
        row = services.inbound_reprocess(actor=request.user, inbound=row)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if row.state == "quarantined":
            messages.error(
                request, _("The message is still quarantined: %(error)s") % {"error": row.error}
            )
        else:
            messages.success(request, _("The message was processed."))
    return redirect("channels:inbound_detail", pk=row.pk)


@staff_required("channels.change_mailtemplate")
def template_list(request):
    context = {"rows": selectors.mail_template_rows(), "placeholders": PLACEHOLDERS}
    return render(request, "channels/template_list.html", context)


@staff_required("channels.change_mailtemplate")
def template_edit(request, key, language):
    if key not in MailTemplateKeyChoices.values or language not in ("en", "zh-hans"):
        raise Http404
    row = MailTemplate.objects.filter(key=key, language=language).first()
    subject, body = (row.subject, row.body) if row else default_for(key, language)
    form = MailTemplateForm(
        request.POST or None,
        initial={"subject": subject, "body": body},
        is_sms=key == MailTemplateKeyChoices.SMS,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.mail_template_save(
                actor=request.user,
                key=key,
                language=language,
                subject=form.cleaned_data.get("subject", ""),
                body=form.cleaned_data["body"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Template saved."))
            return redirect("channels:template_list")
    context = {
        "title": _("Edit mail template: %(name)s (%(language)s)")
        % {"name": MailTemplateKeyChoices(key).label, "language": language},
        "form": form,
        "cancel_url": reverse("channels:template_list"),
        "submit_label": _("Save"),
        "placeholders": PLACEHOLDERS,
    }
    return render(request, "channels/form.html", context)


@staff_required("channels.change_smsgateway")
def sms_gateway_list(request):
    context = {
        "gateways": SmsGateway.objects.order_by("name"),
        "messages_sent": SmsMessage.objects.order_by("-created_at")[:50],
    }
    return render(request, "channels/sms_gateway_list.html", context)


@staff_required("channels.change_smsgateway")
def sms_gateway_edit(request, pk=None):
    gateway = get_object_or_404(SmsGateway, pk=pk) if pk else None
    initial = {"payload_template": SmsGateway._meta.get_field("payload_template").default}
    if gateway is not None:
        initial = {
            name: getattr(gateway, name)
            for name in ("name", "kind", "url", "payload_template", "is_default", "is_active")
        }
    form = SmsGatewayForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["auth_header"] = data.pop("auth_header") or None
        try:
            services.sms_gateway_save(actor=request.user, gateway=gateway, **data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Gateway saved."))
            return redirect("channels:sms_gateway_list")
    context = {
        "title": _("New SMS gateway")
        if gateway is None
        else _("Edit SMS gateway %(name)s") % {"name": gateway.name},
        "form": form,
        "cancel_url": reverse("channels:sms_gateway_list"),
        "submit_label": _("Save"),
    }
    return render(request, "channels/form.html", context)
