"""What the ticket page gets from the knowledge base, and articles expiring for re-review."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from kefu.knowledge import services
from kefu.knowledge.choices import ArticleStatusChoices
from kefu.knowledge.models import Article
from kefu.knowledge.search import article_search

pytestmark = pytest.mark.django_db(transaction=True)


def test_ticket_panel_loads_suggestions_and_offers_create(agent, make_user, make_ticket):
    from django.contrib.auth.context_processors import auth

    from kefu.service.models import Ticket

    ticket = Ticket.objects.get(pk=make_ticket(subject="收银机 蓝屏"))
    request = RequestFactory().get("/")
    request.user = agent
    html = render_to_string(
        "knowledge/_ticket_panel.html", {"ticket": ticket, **auth(request)}, request=request
    )
    assert 'id="knowledge-panel"' in html
    assert reverse("knowledge:ticket_suggestions") in html
    assert f"ticket={ticket.pk}" in html
    assert reverse("knowledge:article_from_ticket", args=[ticket.pk]) in html
    request.user = make_user("technician")  # reads articles, writes none
    html = render_to_string(
        "knowledge/_ticket_panel.html", {"ticket": ticket, **auth(request)}, request=request
    )
    assert 'id="knowledge-panel"' in html
    assert reverse("knowledge:article_from_ticket", args=[ticket.pk]) not in html


def test_suggestions_offer_insert_link_and_text(client, agent, make_article, make_ticket):
    public = make_article(title="打印机离线怎么办", body="重启打印机。", visibility="public")
    internal = make_article(title="打印机内部排查", body="检查驱动。", visibility="internal")
    client.force_login(agent)
    page = client.get(reverse("knowledge:ticket_suggestions"), {"q": "打印机"}).content.decode()
    public_url = reverse("portal:kb_article", args=[public.slug])
    assert f'data-kb-insert-link="http://testserver{public_url}"' in page
    assert reverse("knowledge:article_text", args=[public.pk]) in page
    assert reverse("knowledge:article_text", args=[internal.pk]) in page
    text = client.get(reverse("knowledge:article_text", args=[public.pk]))
    assert text["Content-Type"].startswith("text/plain")
    assert text.content.decode() == "打印机离线怎么办\n\n重启打印机。"


def test_article_text_is_staff_only_and_live_only(client, agent, make_user, make_article):
    draft = make_article(title="草稿", body="未发布", publish=False)
    client.force_login(agent)
    assert client.get(reverse("knowledge:article_text", args=[draft.pk])).status_code == 404
    published = make_article()
    client.force_login(make_user(None))  # a portal customer
    response = client.get(reverse("knowledge:article_text", args=[published.pk]))
    assert response.status_code in (302, 403)


def test_expired_articles_go_back_to_review_and_leave_search(make_article, supervisor):
    article = make_article(title="发票重开流程", body="步骤如下。", visibility="public")
    fresh = make_article(title="发票抬头修改", body="步骤。", visibility="public")
    Article.objects.filter(pk=article.pk).update(review_due=timezone.now() - timedelta(days=1))
    assert services.articles_expire_for_review() == 1
    assert services.articles_expire_for_review() == 0
    article.refresh_from_db()
    assert article.status == ArticleStatusChoices.IN_REVIEW
    assert [a.pk for a, _s in article_search(query="发票", public_only=True)] == [fresh.pk]
    services.article_approve(actor=supervisor, article=article)
    article.refresh_from_db()
    assert article.status == ArticleStatusChoices.PUBLISHED
    assert article.review_due > timezone.now() + timedelta(days=100)
    assert {a.pk for a, _s in article_search(query="发票", public_only=True)} == {
        article.pk,
        fresh.pk,
    }


def test_review_due_job_runs_the_sweep(make_article):
    from kefu.knowledge.tasks import articles_review_due

    article = make_article()
    Article.objects.filter(pk=article.pk).update(review_due=timezone.now() - timedelta(hours=1))
    articles_review_due.call_local()
    assert Article.objects.get(pk=article.pk).status == ArticleStatusChoices.IN_REVIEW


def test_ticket_page_shows_the_knowledge_panel(client, admin_user, make_ticket, make_article):
    ticket_id = make_ticket(subject="打印机离线")
    make_article(title="打印机离线怎么办", visibility="public")
    client.force_login(admin_user)
    page = client.get(reverse("service:ticket_detail", args=[ticket_id])).content.decode()
    assert 'id="knowledge-panel"' in page
    assert reverse("knowledge:article_from_ticket", args=[ticket_id]) in page
    suggestions = client.get(
        reverse("knowledge:ticket_suggestions"), {"q": "打印机离线", "ticket": ticket_id}
    ).content.decode()
    assert "打印机离线怎么办" in suggestions
    assert "data-kb-insert-text" in suggestions
