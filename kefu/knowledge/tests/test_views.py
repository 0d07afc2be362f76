import pytest
from django.urls import reverse

from kefu.knowledge.choices import ArticleStatusChoices
from kefu.knowledge.models import Article, ArticleTicketLink

pytestmark = pytest.mark.django_db


def test_portal_customer_never_reaches_staff_pages(client, make_user, make_article):
    article = make_article()
    client.force_login(make_user(None))
    for url in (
        reverse("knowledge:article_list"),
        reverse("knowledge:article_detail", args=[article.pk]),
        reverse("knowledge:ticket_suggestions") + "?q=x",
        reverse("knowledge:deflection_report"),
    ):
        assert client.get(url).status_code in (302, 403)
    response = client.post(reverse("knowledge:article_transition", args=[article.pk, "archive"]))
    assert response.status_code in (302, 403)
    assert Article.objects.get(pk=article.pk).status == ArticleStatusChoices.PUBLISHED


def test_agent_writes_a_draft_and_submits_it(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("knowledge:article_create"),
        {"title": "退款流程", "language": "zh-hans", "visibility": "public", "body": "**步骤**"},
    )
    article = Article.objects.get(title="退款流程")
    assert response.status_code == 302
    assert article.author == agent
    client.post(reverse("knowledge:article_transition", args=[article.pk, "submit"]))
    assert Article.objects.get(pk=article.pk).status == ArticleStatusChoices.IN_REVIEW
    page = client.get(article.get_absolute_url())
    assert page.status_code == 200
    assert "<strong>步骤</strong>".encode() in page.content


def test_agent_approval_is_refused_and_nothing_changes(client, agent, make_article):
    article = make_article(publish=False)
    Article.objects.filter(pk=article.pk).update(status=ArticleStatusChoices.IN_REVIEW)
    client.force_login(agent)
    response = client.post(reverse("knowledge:article_transition", args=[article.pk, "approve"]))
    assert response.status_code == 403
    assert Article.objects.get(pk=article.pk).status == ArticleStatusChoices.IN_REVIEW


def test_supervisor_sends_back_then_approves_and_sees_the_diff(client, supervisor, make_article):
    article = make_article(publish=False, body="旧内容")
    Article.objects.filter(pk=article.pk).update(status=ArticleStatusChoices.IN_REVIEW)
    client.force_login(supervisor)
    url = reverse("knowledge:article_transition", args=[article.pk, "send_back"])
    client.post(url, {"comment": "请补充"})
    assert Article.objects.get(pk=article.pk).status == ArticleStatusChoices.DRAFT
    Article.objects.filter(pk=article.pk).update(status=ArticleStatusChoices.IN_REVIEW)
    client.post(reverse("knowledge:article_transition", args=[article.pk, "approve"]))
    client.post(
        reverse("knowledge:article_edit", args=[article.pk]),
        {"title": article.title, "visibility": "internal", "body": "新内容 <script>x</script>"},
    )
    assert Article.objects.get(pk=article.pk).version == 2
    page = client.get(reverse("knowledge:version_detail", args=[article.pk, 2]))
    assert "+新内容 &lt;script&gt;".encode() in page.content
    assert b"<script>x" not in page.content


def test_agent_turns_a_ticket_into_a_draft(client, admin_user, make_ticket):
    ticket_id = make_ticket()
    client.force_login(admin_user)
    response = client.post(reverse("knowledge:article_from_ticket", args=[ticket_id]))
    article = Article.objects.get(source_ticket_id=ticket_id)
    assert response.status_code == 302
    assert article.status == ArticleStatusChoices.DRAFT
    assert ArticleTicketLink.objects.filter(ticket_id=ticket_id).exists()


def test_from_unknown_ticket_is_404_and_writes_nothing(client, admin_user, desk):
    client.force_login(admin_user)
    response = client.post(reverse("knowledge:article_from_ticket", args=[999999]))
    assert response.status_code == 404
    assert not Article.objects.exists()


def test_ticket_suggestions_fragment_links_and_marks_used(
    client, agent, admin_user, make_article, make_ticket, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(title="打印机离线怎么办", visibility="public")
    ticket_id = make_ticket()
    client.force_login(admin_user)
    response = client.get(
        reverse("knowledge:ticket_suggestions"), {"q": "打印机", "ticket": ticket_id}
    )
    assert response.status_code == 200
    assert reverse("portal:kb_article", args=[article.slug]).encode() in response.content
    link = reverse("knowledge:article_link_ticket", args=[article.pk, ticket_id])
    assert client.post(link, HTTP_HX_REQUEST="true").status_code == 200
    assert Article.objects.get(pk=article.pk).reuse_count == 1


def test_leaderboard_and_deflection_pages(client, supervisor, make_article):
    make_article()
    client.force_login(supervisor)
    assert client.get(reverse("knowledge:leaderboard"), {"period": "week"}).status_code == 200
    assert client.get(reverse("knowledge:deflection_report")).status_code == 200
    assert client.get(reverse("knowledge:article_list"), {"q": "打印机"}).status_code == 200
