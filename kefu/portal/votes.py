"""Signed vote links: "Was this article helpful? Yes / No" for e-mails, no login needed.

``vote_url(article_id=, contact_id=, helpful=)`` returns a link whose token signs the article
and the contact (salted, valid for ``MAX_AGE``); the page it opens asks to confirm with one
button (a POST, so mail scanners that follow links record nothing) and records the vote as
that contact's (one per contact; voting again changes it). A token that was altered, expired,
names another article or a contact that is gone answers 404 like a page that does not exist,
and says nothing of what exists.
"""

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from kefu.customers import facade as customers
from kefu.knowledge.models import Article
from kefu.knowledge.services import article_vote

SALT = "kefu.portal.article-vote"
MAX_AGE = 60 * 60 * 24 * 30
CHOICES = {"yes": True, "no": False}


def vote_token(*, article_id: int, contact_id: int) -> str:
    return signing.dumps({"a": int(article_id), "c": int(contact_id)}, salt=SALT, compress=True)


def vote_url(*, article_id: int, contact_id: int, helpful: bool) -> str:
    """The path of a signed vote link (prefix the site's address for an e-mail)."""
    token = vote_token(article_id=article_id, contact_id=contact_id)
    return reverse("portal:kb_vote_link", args=[token, "yes" if helpful else "no"])


def _resolve(token: str, choice: str) -> tuple[Article, int, bool]:
    if choice not in CHOICES:
        raise Http404
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        raise Http404 from None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), int) for k in "ac"):
        raise Http404
    article = Article.objects.live().public().filter(pk=data["a"]).first()
    if article is None or customers.contact_get_summary(data["c"]) is None:
        raise Http404
    return article, data["c"], CHOICES[choice]


@never_cache
def vote_link(request, token: str, choice: str):
    article, contact_id, helpful = _resolve(token, choice)
    if request.method == "POST":
        try:
            article_vote(article=article, is_helpful=helpful, contact_id=contact_id)
        except ValidationError as exc:
            raise Http404 from exc
        messages.success(request, _("Thank you for your feedback."))
        return redirect("portal:kb_article", slug=article.slug)
    return render(request, "portal/vote_confirm.html", {"article": article, "helpful": helpful})
