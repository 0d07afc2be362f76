"""Signed vote links (``kefu.portal.votes``): one vote per contact, tampering tells nothing."""

import pytest
from django.core import signing
from django.urls import reverse

from kefu.knowledge.models import Article, ArticleVote
from kefu.portal.votes import SALT, vote_token, vote_url

pytestmark = pytest.mark.django_db


def test_link_asks_to_confirm_then_records_one_vote(client, world):
    contact = world.contacts["b"]
    url = vote_url(article_id=world.public_article.pk, contact_id=contact.pk, helpful=True)
    page = client.get(url)
    assert page.status_code == 200
    assert b'id="vote-confirm"' in page.content
    assert not ArticleVote.objects.exists()  # following the link records nothing
    assert client.post(url).status_code == 302
    client.post(url)
    vote = ArticleVote.objects.get()
    assert (vote.contact_id, vote.is_helpful) == (contact.pk, True)
    assert Article.objects.get(pk=world.public_article.pk).helpful_count == 1
    no = vote_url(article_id=world.public_article.pk, contact_id=contact.pk, helpful=False)
    client.post(no)
    assert ArticleVote.objects.get().is_helpful is False
    article = Article.objects.get(pk=world.public_article.pk)
    assert (article.helpful_count, article.unhelpful_count) == (0, 1)


def test_tampered_links_answer_like_missing_pages_and_change_nothing(client, world):
    contact = world.contacts["a"]
    good = vote_token(article_id=world.public_article.pk, contact_id=contact.pk)
    forged = signing.dumps({"a": world.public_article.pk, "c": contact.pk}, salt="other")
    internal = vote_token(article_id=world.internal_article.pk, contact_id=contact.pk)
    unknown_contact = vote_token(article_id=world.public_article.pk, contact_id=999999)
    unknown_article = vote_token(article_id=999999, contact_id=contact.pk)
    missing = client.get("/portal/kb/no-such-article-here/")
    cases = [
        (good[:-2] + ("AA" if not good.endswith("AA") else "BB"), "yes"),
        (forged, "yes"),
        (internal, "yes"),
        (unknown_contact, "yes"),
        (unknown_article, "yes"),
        (good, "maybe"),
        ("not-a-token", "yes"),
    ]
    for token, choice in cases:
        url = reverse("portal:kb_vote_link", args=[token, choice])
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 404
            assert response.templates[0].name == missing.templates[0].name
            assert world.public_article.title.encode() not in response.content
            assert world.internal_article.title.encode() not in response.content
    assert not ArticleVote.objects.exists()
    assert signing.loads(good, salt=SALT)["a"] == world.public_article.pk
