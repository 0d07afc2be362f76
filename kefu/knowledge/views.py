"""Staff pages of the knowledge base: list, article, edit, review, versions, leaderboard,
and the fragments the ticket page includes (suggestions and the article picker)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kefu.accounts.policy import can, staff_required
from kefu.knowledge import selectors, services
from kefu.knowledge.choices import (
    ArticleLanguageChoices,
    ArticleStatusChoices,
    ArticleVisibilityChoices,
)
from kefu.knowledge.forms import ArticleForm, ReviewForm, apply_errors
from kefu.knowledge.models import Article, ArticleAttachment, ArticleVersion
from kefu.knowledge.search import article_search
from kefu.knowledge.services import attachments

REVIEW = services.REVIEW_PERMISSION


@staff_required("knowledge.view_article")
def article_list(request):
    query = request.GET.get("q", "").strip()
    if query:
        articles = [a for a, _snippet in article_search(query=query, public_only=False, limit=50)]
        page = None
    else:
        articles_qs = selectors.article_list(
            status=request.GET.get("status", ""),
            visibility=request.GET.get("visibility", ""),
            language=request.GET.get("language", ""),
            due=request.GET.get("due") == "1",
        )
        page = Paginator(articles_qs, 50).get_page(request.GET.get("page"))
        articles = page.object_list
    context = {
        "articles": articles,
        "page": page,
        "query": query,
        "statuses": ArticleStatusChoices.choices,
        "visibilities": ArticleVisibilityChoices.choices,
        "languages": ArticleLanguageChoices.choices,
        "due_count": Article.objects.due_for_review().count(),
        "review_count": Article.objects.filter(status=ArticleStatusChoices.IN_REVIEW).count(),
    }
    return render(request, "knowledge/article_list.html", context)


@staff_required("knowledge.view_article")
def article_detail(request, pk):
    article = get_object_or_404(Article.objects.select_related("category", "author"), pk=pk)
    context = {
        "article": article,
        "variants": selectors.article_variants(article),
        "versions": article.versions.select_related("created_by")[:20],
        "reviews": article.reviews.select_related("reviewer")[:20],
        "review_form": ReviewForm(),
        "attachments": article.attachments.all(),
        "can_change": can(request.user, "knowledge.change_article"),
        "can_review": can(request.user, REVIEW),
        "missing_languages": [
            (code, label)
            for code, label in ArticleLanguageChoices.choices
            if code != article.language
            and not selectors.article_variants(article).filter(language=code).exists()
        ],
    }
    return render(request, "knowledge/article_detail.html", context)


@staff_required("knowledge.view_article")
def article_text(request, pk):
    """A live article's title and Markdown text, as plain text: what "Insert text" on the
    ticket page puts into a reply (drafts and archived articles are not offered)."""
    article = get_object_or_404(Article.objects.live(), pk=pk)
    return HttpResponse(f"{article.title}\n\n{article.body}", content_type="text/plain")


def serve_attachment(attachment) -> FileResponse:
    """Images inline (to show in the article), every other file as a download."""
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=not attachment.is_image,
        filename=attachment.filename,
        content_type=attachment.content_type or "application/octet-stream",
    )


@staff_required("knowledge.view_article")
def attachment_download(request, token):
    return serve_attachment(get_object_or_404(ArticleAttachment, token=token))


@require_POST
@staff_required("knowledge.change_article")
def attachment_add(request, pk):
    """Upload a file or image (``file``); a refused one is reported and nothing is stored."""
    article = get_object_or_404(Article, pk=pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file first."))
        return redirect(article.get_absolute_url())
    try:
        attachment = attachments.article_attachment_add(
            actor=request.user, article=article, upload=upload
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("“%(name)s” attached.") % {"name": attachment.filename})
    return redirect(article.get_absolute_url())


@require_POST
@staff_required("knowledge.change_article")
def attachment_remove(request, pk, token):
    attachment = get_object_or_404(ArticleAttachment, token=token, article_id=pk)
    attachments.article_attachment_remove(actor=request.user, attachment=attachment)
    messages.success(request, _("Attachment removed."))
    return redirect(reverse("knowledge:article_detail", args=[pk]))


def _form_page(request, form, *, title, cancel_url):
    context = {"form": form, "title": title, "cancel_url": cancel_url}
    return render(request, "knowledge/article_form.html", context)


@staff_required("knowledge.add_article")
def article_create(request):
    translation_of = None
    if request.GET.get("translation_of"):
        translation_of = get_object_or_404(Article, pk=request.GET["translation_of"])
    initial = {"language": request.GET.get("language", ArticleLanguageChoices.ZH_HANS)}
    if translation_of:
        initial.update(
            visibility=translation_of.visibility,
            category=translation_of.category_id,
            tags=translation_of.tags,
        )
    form = ArticleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            article = services.article_create(
                actor=request.user,
                language=form.cleaned_data["language"],
                translation_of=translation_of,
                **form.service_fields(),
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("Draft saved."))
            return redirect(article)
    return _form_page(
        request, form, title=_("New article"), cancel_url=reverse("knowledge:article_list")
    )


@staff_required("knowledge.change_article")
def article_edit(request, pk):
    article = get_object_or_404(Article, pk=pk)
    initial = {
        "title": article.title,
        "language": article.language,
        "visibility": article.visibility,
        "category": article.category_id,
        "tags": article.tags,
        "body": article.body,
        "publish_at": article.publish_at,
    }
    form = ArticleForm(request.POST or None, initial=initial)
    form.fields["language"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            article = services.article_update(
                actor=request.user, article=article, **form.service_fields()
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(article)
    return _form_page(
        request,
        form,
        title=_("Edit %(title)s") % {"title": article.title},
        cancel_url=article.get_absolute_url(),
    )


_TRANSITIONS = {
    "submit": (services.article_submit, _("Submitted for review.")),
    "archive": (services.article_archive, _("Article archived.")),
    "reopen": (services.article_reopen, _("Article reopened as a draft.")),
}


@require_POST
@staff_required("knowledge.view_article")
def article_transition(request, pk, action):
    article = get_object_or_404(Article, pk=pk)
    comment = request.POST.get("comment", "")
    try:
        if action == "approve":
            services.article_approve(actor=request.user, article=article, comment=comment)
            messages.success(request, _("Article published."))
        elif action == "send_back":
            services.article_send_back(actor=request.user, article=article, comment=comment)
            messages.success(request, _("Article sent back to its author."))
        elif action in _TRANSITIONS:
            service, message = _TRANSITIONS[action]
            service(actor=request.user, article=article)
            messages.success(request, message)
        else:
            raise Http404
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            for error in errors:
                messages.error(request, error)
    return redirect(article)


@staff_required("knowledge.view_article")
def version_detail(request, pk, number):
    version = get_object_or_404(
        ArticleVersion.objects.select_related("article", "created_by"), article_id=pk, number=number
    )
    context = {
        "version": version,
        "article": version.article,
        "diff": selectors.version_diff(version),
    }
    return render(request, "knowledge/version_detail.html", context)


@staff_required("knowledge.view_article")
def leaderboard(request):
    period = request.GET.get("period", "month")
    if period not in selectors.PERIODS:
        period = "month"
    periods = [
        ("week", _("Week")),
        ("month", _("Month")),
        ("quarter", _("Quarter")),
        ("year", _("Year")),
    ]
    context = {"rows": selectors.leaderboard(period=period), "period": period, "periods": periods}
    return render(request, "knowledge/leaderboard.html", context)


@require_POST
@staff_required("knowledge.add_article")
def article_from_ticket(request, ticket_id):
    """Create a draft from a ticket (the button on the ticket page posts here)."""
    try:
        article = services.article_create_from_ticket(
            actor=request.user,
            ticket_id=ticket_id,
            language=request.POST.get("language") or ArticleLanguageChoices.ZH_HANS,
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("Draft created from the ticket. Review and submit it."))
    return redirect(article)


@require_POST
@staff_required("knowledge.add_article")
def article_from_ticket_number(request):
    """The list page's "from ticket" form: a ticket number ("T-000123") becomes a draft."""
    from kefu.service import facade as service

    ticket_id = service.ticket_find_by_reference(number=request.POST.get("number", "")[:20])
    if ticket_id is None or not service.ticket_visible_to(request.user, ticket_id):
        messages.error(request, _("No ticket with this number."))
        return redirect("knowledge:article_list")
    return article_from_ticket(request, ticket_id)


@require_POST
@staff_required("knowledge.add_articleticketlink")
def article_link_ticket(request, pk, ticket_id):
    """Mark an article as used to solve a ticket (the picker's "used to solve" button)."""
    article = get_object_or_404(Article.objects.live(), pk=pk)
    try:
        services.article_ticket_link(actor=request.user, article=article, ticket_id=ticket_id)
    except PermissionDenied as exc:
        raise Http404 from exc
    if request.htmx:
        return render(request, "knowledge/_linked.html", {"article": article})
    messages.success(request, _("Linked to the ticket."))
    return redirect(request.POST.get("next") or article.get_absolute_url())


@staff_required("knowledge.view_article")
def ticket_suggestions(request):
    """The fragment for the ticket page: best matching live articles for ``q`` (the ticket's
    subject), each with its public link to paste into a reply and a "used to solve" button
    when ``ticket`` is given. Include with ``hx-get`` (see README)."""
    query = request.GET.get("q", "")[:300]
    ticket_id = request.GET.get("ticket", "")
    results = article_search(query=query, public_only=False, limit=8) if query.strip() else []
    rows = [
        {
            "article": article,
            "snippet": snippet,
            "public_url": request.build_absolute_uri(
                reverse("portal:kb_article", args=[article.slug])
            )
            if article.visibility == ArticleVisibilityChoices.PUBLIC
            else "",
        }
        for article, snippet in results
    ]
    context = {"rows": rows, "query": query, "ticket_id": ticket_id if ticket_id.isdigit() else ""}
    return render(request, "knowledge/_suggestions.html", context)


@staff_required("knowledge.view_portalsearch")
def deflection_report(request):
    """The deflection rate of portal searches and the searches that found nothing."""
    try:
        days = max(1, min(int(request.GET.get("days", 30)), 365))
    except ValueError:
        days = 30
    context = {"report": selectors.deflection_report(days=days), "days": days}
    return render(request, "knowledge/deflection.html", context)
