import pytest
from django.urls import reverse

from kefu.knowledge import services
from kefu.knowledge.search import article_search

pytestmark = pytest.mark.django_db(transaction=True)


def _titles(query, **kwargs):
    kwargs.setdefault("public_only", False)
    return [a.title for a, _snippet in article_search(query=query, **kwargs)]


def test_two_character_chinese_word_is_found(make_article):
    make_article(title="打印机离线怎么办", body="请检查网络连接，然后重启设备。")
    assert _titles("网络") == ["打印机离线怎么办"]
    assert _titles("重启") == ["打印机离线怎么办"]


def test_mixed_chinese_english_query(make_article):
    make_article(title="VPN 连接失败", body="Reinstall the VPN client 然后 重启电脑。")
    make_article(title="VPN 账号申请", body="填写申请表。")
    assert _titles("VPN 失败") == ["VPN 连接失败"]


def test_english_stems(make_article):
    make_article(title="Printing invoices", body="Invoices are printed from the billing page.")
    assert _titles("printed invoice") == ["Printing invoices"]


def test_title_ranks_above_body(make_article):
    make_article(title="Other topic", body="mentions refund in passing")
    make_article(title="Refund policy", body="How we handle it.")
    assert _titles("refund")[0] == "Refund policy"


def test_edit_is_searchable_at_once_and_drafts_are_not(make_article, supervisor):
    article = make_article(title="旧标题", body="内容")
    make_article(title="草稿文章", body="草稿", publish=False)
    services.article_update(actor=supervisor, article=article, title="发票抬头修改")
    assert _titles("发票") == ["发票抬头修改"]
    assert _titles("旧标题") == []
    assert _titles("草稿") == []


def test_public_search_skips_internal_articles(make_article):
    make_article(title="Refund internal", visibility="internal")
    make_article(title="Refund public", visibility="public")
    assert _titles("refund", public_only=True) == ["Refund public"]
    assert sorted(_titles("refund")) == ["Refund internal", "Refund public"]


def test_snippets_are_highlighted_and_escaped(make_article):
    make_article(title="Reset <b>", body="To reset the router hold the button.")
    ((_article, snippet),) = article_search(query="router", public_only=False)
    assert "<mark>router</mark>" in snippet
    assert "<b>" not in snippet


def test_archived_article_leaves_the_index(make_article, supervisor):
    article = make_article(title="Archived thing")
    services.article_archive(actor=supervisor, article=article)
    assert _titles("archived") == []


def test_global_search_box_shows_articles_to_staff_only(
    client, make_article, admin_user, make_user
):
    make_article(title="Router reset guide")
    client.force_login(admin_user)
    response = client.get(reverse("core:search"), {"q": "router"})
    assert b"Router reset guide" in response.content
    client.force_login(make_user(None))
    assert b"Router reset guide" not in client.get(reverse("core:search"), {"q": "router"}).content


def test_search_rebuild_reindexes_articles(make_article):
    from django.core.management import call_command

    from kefu.core.models import SearchDocument

    article = make_article(title="Rebuilt article")
    SearchDocument.objects.filter(kind="knowledge.article").delete()
    call_command("search_rebuild", kinds=["knowledge.article"], no_progress=True)
    assert _titles("rebuilt") == ["Rebuilt article"]
    assert SearchDocument.objects.filter(object_id=article.pk, kind="knowledge.article").exists()


def test_due_for_review_filter(client, supervisor, make_article):
    from datetime import timedelta

    from django.utils import timezone

    from kefu.knowledge.models import Article

    article = make_article(title="Old article")
    Article.objects.filter(pk=article.pk).update(review_due=timezone.now() - timedelta(days=1))
    make_article(title="Fresh article")
    client.force_login(supervisor)
    page = client.get(reverse("knowledge:article_list"), {"due": "1"})
    assert b"Old article" in page.content
    assert b"Fresh article" not in page.content
