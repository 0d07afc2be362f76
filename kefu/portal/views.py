"""The customer portal: the public knowledge base, login, and the customer's requests.

Knowledge pages need no login and show live public articles only. Request pages need a
customer login (``access.require_customer``); anything the customer may not see answers 404,
the same as something that does not exist.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.knowledge.choices import ArticleLanguageChoices
from kefu.knowledge.models import Article, Category, PortalSearch
from kefu.knowledge.search import article_search
from kefu.knowledge.services import article_view_record, article_vote
from kefu.knowledge.services.deflection import portal_request_submitted, portal_search_record
from kefu.portal import magic
from kefu.portal.access import portal_customer, require_customer
from kefu.portal.forms import MagicLinkForm, ReplyForm, RequestForm
from kefu.service import facade as service

MAGIC_LINK_RATE = "10/h"


def _language() -> str:
    return (
        ArticleLanguageChoices.ZH_HANS
        if (get_language() or "").startswith("zh")
        else ArticleLanguageChoices.EN
    )


def _public_articles():
    return Article.objects.live().public().select_related("category")


def _session_key(request) -> str:
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key or ""


# --- knowledge base ---------------------------------------------------------------------------


def home(request):
    language = _language()
    context = {
        "categories": Category.objects.filter(parent__isnull=True),
        "popular": _public_articles().filter(language=language).order_by("-quality")[:10],
        "customer": portal_customer(request.user),
        "language": language,
    }
    return render(request, "portal/home.html", context)


def kb_index(request):
    query = request.GET.get("q", "").strip()[:300]
    results = []
    if query:
        results = article_search(query=query, public_only=True, limit=20)
        portal_search_record(
            session_key=_session_key(request),
            kind=PortalSearch.Kind.SEARCH,
            query=query,
            result_count=len(results),
        )
    articles = [] if query else _public_articles().filter(language=_language())[:50]
    context = {"query": query, "results": results, "articles": articles}
    return render(request, "portal/kb_index.html", context)


def kb_category(request, slug):
    category = get_object_or_404(Category, slug=slug)
    context = {
        "category": category,
        "label": category.label(_language()),
        "articles": _public_articles().filter(category=category).order_by("language", "title"),
    }
    return render(request, "portal/kb_category.html", context)


def kb_article(request, slug):
    article = get_object_or_404(_public_articles(), slug=slug)
    article_view_record(article=article)
    if request.GET.get("from") == "suggestion":
        portal_search_record(
            session_key=_session_key(request),
            kind=PortalSearch.Kind.CLICK,
            query=request.GET.get("q", ""),
            article_id=article.pk,
        )
    customer = portal_customer(request.user)
    context = {
        "article": article,
        "variants": _public_articles()
        .filter(translation_group=article.translation_group)
        .exclude(pk=article.pk),
        "can_vote": customer is not None,
    }
    return render(request, "portal/kb_article.html", context)


@require_POST
def kb_vote(request, slug):
    customer = require_customer(request)
    article = get_object_or_404(_public_articles(), slug=slug)
    article_vote(
        article=article,
        is_helpful=request.POST.get("helpful") == "1",
        contact_id=customer.contact_id,
    )
    messages.success(request, _("Thank you for your feedback."))
    return redirect("portal:kb_article", slug=article.slug)


def kb_file(request, token):
    """A file or image of a live public article (anything else answers 404)."""
    from kefu.knowledge.models import ArticleAttachment
    from kefu.knowledge.views import serve_attachment

    attachment = get_object_or_404(
        ArticleAttachment.objects.filter(article__in=_public_articles()), token=token
    )
    return serve_attachment(attachment)


def kb_suggest(request):
    """Best matching public articles for what the customer is typing (an htmx fragment)."""
    query = " ".join(
        part for part in (request.GET.get("subject", ""), request.GET.get("q", "")) if part
    )[:300]
    results = article_search(query=query, public_only=True, limit=5) if query.strip() else []
    if query.strip():
        portal_search_record(
            session_key=_session_key(request),
            kind=PortalSearch.Kind.SUGGESTION,
            query=query,
            result_count=len(results),
        )
    return render(request, "portal/_suggestions.html", {"results": results, "query": query})


# --- login ------------------------------------------------------------------------------------


def login_view(request):
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        login(request, user)
        target = request.POST.get("next", "")
        if user.is_staff or not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("portal:home" if not user.is_staff else "core:home")
        return redirect(target)
    return render(request, "portal/login.html", {"form": form, "magic_form": MagicLinkForm()})


@require_POST
def magic_link_request(request):
    from django_ratelimit.core import is_ratelimited

    from kefu.core.views import ratelimited

    limited = is_ratelimited(
        request, group="portal:magic_link", key="ip", rate=MAGIC_LINK_RATE, increment=True
    )
    if limited:
        return ratelimited(request)
    form = MagicLinkForm(request.POST)
    if form.is_valid():
        users = get_user_model().objects.filter(
            email__iexact=form.cleaned_data["email"], is_active=True, is_staff=False
        )
        for user in users[:1]:
            url = request.build_absolute_uri(
                reverse("portal:magic_login", args=[magic.make_token(user)])
            )
            send_mail(
                _("Your login link"),
                _("Open this link within 15 minutes to log in (it works once):\n\n%(url)s")
                % {"url": url},
                None,
                [user.email],
            )
    # The same answer whether the address is known or not.
    messages.success(request, _("If this address has an account, a login link is on its way."))
    return redirect("portal:login")


def magic_login(request, token):
    user = magic.user_for_token(token)
    if user is None:
        messages.error(request, _("This login link is not valid. Ask for a new one."))
        return redirect("portal:login")
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("portal:home")


# --- requests ---------------------------------------------------------------------------------


def _login_first(request):
    return redirect(f"{reverse('portal:login')}?next={request.path}")


def request_list(request):
    if not request.user.is_authenticated:
        return _login_first(request)
    customer = require_customer(request)
    tickets = service.portal_tickets(**customer.scope)
    context = {"tickets": tickets, "is_org_admin": bool(customer.admin_organization_ids)}
    return render(request, "portal/request_list.html", context)


def _upload_errors(form, files) -> bool:
    ok = True
    for upload in files:
        try:
            service.attachment_check(name=upload.name, size=upload.size)
        except ValidationError as exc:
            form.add_error("attachments", exc.messages)
            ok = False
    return ok


def request_create(request):
    if not request.user.is_authenticated:
        return _login_first(request)
    customer = require_customer(request)
    form = RequestForm(
        request.POST or None, request.FILES or None, categories=service.portal_categories()
    )
    if request.method == "POST" and form.is_valid():
        files = form.cleaned_data["attachments"]
        if _upload_errors(form, files):
            ticket_id = service.ticket_open(
                actor=None,
                subject=form.cleaned_data["subject"],
                description=form.cleaned_data["description"],
                requester_id=customer.contact_id,
                category_id=form.cleaned_data["category"] or None,
                channel="portal",
                attachments=files,  # on the first message, in the ticket's transaction
            )
            portal_request_submitted(session_key=_session_key(request))
            messages.success(request, _("Your request was received."))
            return redirect("portal:request_detail", pk=ticket_id)
    return render(request, "portal/request_form.html", {"form": form})


def request_detail(request, pk):
    if not request.user.is_authenticated:
        return _login_first(request)
    customer = require_customer(request)
    ticket = service.portal_ticket_detail(ticket_id=pk, **customer.scope)
    if ticket is None:
        raise Http404
    form = ReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        files = form.cleaned_data["attachments"]
        if _upload_errors(form, files):
            service.ticket_customer_reply(
                ticket_id=pk,
                contact_id=customer.contact_id,
                body=form.cleaned_data["body"],
                attachments=files,
            )
            messages.success(request, _("Reply sent."))
            return redirect("portal:request_detail", pk=pk)
    files_by_entry: dict = {}
    for attachment in ticket["attachments"]:
        files_by_entry.setdefault(attachment["entry_id"], []).append(attachment)
    entries = [
        {**entry, "files": files_by_entry.get(entry["id"], [])} for entry in ticket["entries"]
    ]
    context = {
        "ticket": ticket,
        "entries": entries,
        "form": form,
        "survey": service.portal_survey(ticket_id=pk, contact_id=customer.contact_id),
    }
    return render(request, "portal/request_detail.html", context)


@require_POST
def request_close(request, pk):
    customer = require_customer(request)
    if service.portal_ticket_detail(ticket_id=pk, **customer.scope) is None:
        raise Http404
    service.portal_ticket_close(ticket_id=pk, contact_id=customer.contact_id)
    messages.success(request, _("Request closed."))
    return redirect("portal:request_detail", pk=pk)


def attachment_download(request, token):
    customer = require_customer(request)
    found = service.portal_attachment(token=token, **customer.scope)
    if found is None:
        raise Http404
    return FileResponse(
        found["file"].open("rb"),
        as_attachment=True,
        filename=found["filename"],
        content_type=found["content_type"] or "application/octet-stream",
    )
