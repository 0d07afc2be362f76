from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kefu.knowledge import services
from kefu.knowledge.choices import ArticleStatusChoices
from kefu.knowledge.models import (
    Article,
    ArticleReview,
    ArticleTicketLink,
    ArticleVersion,
    ArticleVote,
    RewardPoint,
)
from kefu.knowledge.selectors import leaderboard, version_diff

pytestmark = pytest.mark.django_db


def test_lifecycle_draft_review_publish_archive(agent, supervisor):
    article = services.article_create(actor=agent, title="如何重置密码", body="点击**忘记密码**。")
    assert article.status == ArticleStatusChoices.DRAFT
    assert "<strong>忘记密码</strong>" in article.body_html
    services.article_submit(actor=agent, article=article)
    article = services.article_approve(actor=supervisor, article=article, comment="好")
    assert article.status == ArticleStatusChoices.PUBLISHED
    assert article.version == 1
    assert article.review_due > timezone.now() + timedelta(days=170)
    assert ArticleVersion.objects.filter(article=article, number=1).exists()
    assert ArticleReview.objects.get(article=article).decision == "approved"
    services.article_archive(actor=supervisor, article=article)
    assert Article.objects.get(pk=article.pk).status == ArticleStatusChoices.ARCHIVED


def test_agent_cannot_approve_and_nothing_changes(agent):
    article = services.article_create(actor=agent, title="T", body="b")
    services.article_submit(actor=agent, article=article)
    with pytest.raises(PermissionDenied):
        services.article_approve(actor=agent, article=article)
    assert Article.objects.get(pk=article.pk).status == ArticleStatusChoices.IN_REVIEW
    assert not ArticleVersion.objects.exists()


def test_send_back_requires_comment_and_returns_to_draft(agent, supervisor):
    article = services.article_create(actor=agent, title="T", body="b")
    services.article_submit(actor=agent, article=article)
    with pytest.raises(ValidationError):
        services.article_send_back(actor=supervisor, article=article, comment=" ")
    services.article_send_back(actor=supervisor, article=article, comment="补充截图")
    assert Article.objects.get(pk=article.pk).status == ArticleStatusChoices.DRAFT
    assert ArticleReview.objects.get(article=article).comment == "补充截图"


def test_reviewer_edit_of_published_article_is_a_new_version_with_diff(make_article, supervisor):
    article = make_article(body="第一行\n第二行")
    article = services.article_update(actor=supervisor, article=article, body="第一行\n新的第二行")
    assert article.version == 2
    diff = version_diff(ArticleVersion.objects.get(article=article, number=2))
    assert ("del", "-第二行") in diff
    assert ("add", "+新的第二行") in diff


def test_author_edit_of_published_article_goes_back_to_review(make_article, agent):
    article = make_article()
    article = services.article_update(actor=agent, article=article, body="changed")
    assert article.status == ArticleStatusChoices.IN_REVIEW
    assert article.version == 1


def test_unsafe_markdown_is_neutralised(agent):
    body = '<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n<img src=x onerror="a()">'
    article = services.article_create(actor=agent, title="XSS", body=body)
    assert "<script" not in article.body_html
    assert 'href="javascript' not in article.body_html
    assert "<img" not in article.body_html


def test_one_variant_per_language(agent):
    zh = services.article_create(actor=agent, title="退款流程", language="zh-hans")
    en = services.article_create(actor=agent, title="Refunds", language="en", translation_of=zh)
    assert en.translation_group == zh.translation_group
    with pytest.raises(ValidationError):
        services.article_create(actor=agent, title="Again", language="en", translation_of=zh)


def test_votes_one_per_person_and_changeable(make_article, agent, make_user):
    article = make_article()
    services.article_vote(article=article, is_helpful=True, user=agent)
    services.article_vote(article=article, is_helpful=True, user=agent)
    assert ArticleVote.objects.filter(article=article).count() == 1
    services.article_vote(article=article, is_helpful=False, user=agent)
    article.refresh_from_db()
    assert (article.helpful_count, article.unhelpful_count) == (0, 1)
    services.article_vote(article=article, is_helpful=True, user=make_user("agent"))
    article.refresh_from_db()
    assert (article.helpful_count, article.unhelpful_count) == (1, 1)


def test_draft_cannot_be_voted(make_article, agent):
    article = make_article(publish=False)
    with pytest.raises(ValidationError):
        services.article_vote(article=article, is_helpful=True, user=agent)
    assert not ArticleVote.objects.exists()


def test_create_from_ticket_uses_public_replies_only(make_ticket, admin_user, agent):
    from kefu.service import facade
    from kefu.service.models import Ticket
    from kefu.service.services import ticket_note_add

    ticket_id = make_ticket()
    facade.ticket_agent_reply(actor=admin_user, ticket_id=ticket_id, body="请重启路由器。")
    ticket_note_add(actor=admin_user, ticket=Ticket.objects.get(pk=ticket_id), body="内部备注机密")
    article = services.article_create_from_ticket(actor=admin_user, ticket_id=ticket_id)
    assert article.status == ArticleStatusChoices.DRAFT
    assert article.source_ticket_id == ticket_id
    assert "请重启路由器" in article.body
    assert "内部备注机密" not in article.body
    assert ArticleTicketLink.objects.filter(article=article, ticket_id=ticket_id).exists()


def test_reuse_and_helpful_votes_reward_the_author(make_article, make_ticket, agent, admin_user):
    article = make_article()
    ticket_id = make_ticket()
    services.article_ticket_link(actor=admin_user, article=article, ticket_id=ticket_id)
    services.article_ticket_link(actor=admin_user, article=article, ticket_id=ticket_id)
    services.article_vote(article=article, is_helpful=True, user=admin_user)
    article.refresh_from_db()
    assert article.reuse_count == 1
    assert article.quality > 0
    assert RewardPoint.objects.filter(user=agent).count() == 3
    board = leaderboard(period="week")
    assert board[0]["user_id"] == agent.pk
    assert board[0]["points"] == 10 + 3 + 1


def test_scheduled_article_is_not_live_until_publish_at(agent, supervisor):
    later = timezone.now() + timedelta(days=1)
    article = services.article_create(actor=agent, title="T", body="b", publish_at=later)
    services.article_submit(actor=agent, article=article)
    services.article_approve(actor=supervisor, article=article)
    assert not Article.objects.live().filter(pk=article.pk).exists()
    assert Article.objects.live(at=later + timedelta(minutes=1)).filter(pk=article.pk).exists()
