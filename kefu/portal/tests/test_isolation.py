"""The portal isolation matrix: who sees which request, file and article.

Denied cases answer 404 whether the thing exists or not, and change nothing.
"""

import pytest
from django.urls import reverse

from kefu.knowledge.models import ArticleVote
from kefu.service.models import Ticket, TicketEntry

pytestmark = pytest.mark.django_db

VIEWERS = ["anonymous", "a", "a_admin", "b", "agent"]


def _client(client, world, agent, who):
    if who == "agent":
        client.force_login(agent)
    elif who != "anonymous":
        client.force_login(world.users[who])
    return client


# Who may see the request of org A's customer, and of org B's customer.
SEES_A = {"a", "a_admin"}
SEES_B = {"b"}


@pytest.mark.parametrize("who", VIEWERS)
def test_request_detail_matrix(client, world, agent, who):
    c = _client(client, world, agent, who)
    for key, allowed in (("a", SEES_A), ("b", SEES_B)):
        response = c.get(reverse("portal:request_detail", args=[world.tickets[key]]))
        if who == "anonymous":
            assert response.status_code == 302
        elif who in allowed:
            assert response.status_code == 200
            assert f"Request of {key}".encode() in response.content
            assert b"SECRET" not in response.content
            assert b"secret.txt" not in response.content
        else:
            assert response.status_code == 404
    missing = c.get(reverse("portal:request_detail", args=[999999]))
    assert missing.status_code == (302 if who == "anonymous" else 404)


@pytest.mark.parametrize("who", VIEWERS)
def test_request_list_matrix(client, world, agent, who):
    response = _client(client, world, agent, who).get(reverse("portal:request_list"))
    if who == "anonymous":
        assert response.status_code == 302
        return
    if who == "agent":
        assert response.status_code == 404
        return
    assert response.status_code == 200
    assert (b"Request of a" in response.content) == (who in SEES_A)
    assert (b"Request of b" in response.content) == (who in SEES_B)


@pytest.mark.parametrize("who", VIEWERS)
def test_attachment_download_matrix(client, world, agent, who):
    c = _client(client, world, agent, who)
    public = c.get(reverse("portal:attachment_download", args=[world.public_file.token]))
    if who in SEES_A:
        assert public.status_code == 200
        assert b"".join(public.streaming_content) == b"public file"
    else:
        assert public.status_code == 404
    secret = c.get(reverse("portal:attachment_download", args=[world.secret_file.token]))
    assert secret.status_code == 404
    assert c.get(reverse("portal:attachment_download", args=["nope"])).status_code == 404


@pytest.mark.parametrize("who", VIEWERS)
def test_reply_matrix_denied_changes_nothing(client, world, agent, who):
    c = _client(client, world, agent, who)
    ticket_id = world.tickets["b"]
    before = TicketEntry.objects.filter(ticket_id=ticket_id).count()
    response = c.post(reverse("portal:request_detail", args=[ticket_id]), {"body": "hello"})
    after = TicketEntry.objects.filter(ticket_id=ticket_id).count()
    if who in SEES_B:
        assert response.status_code == 302
        assert after == before + 1
        entry = TicketEntry.objects.filter(ticket_id=ticket_id).latest("id")
        assert entry.author_contact_id == world.contacts["b"].pk
    else:
        assert response.status_code in (302, 404) if who == "anonymous" else 404
        assert after == before


@pytest.mark.parametrize("who", VIEWERS)
def test_close_matrix_denied_changes_nothing(client, world, agent, who):
    c = _client(client, world, agent, who)
    ticket_id = world.tickets["a"]
    before = Ticket.objects.get(pk=ticket_id).status_id
    response = c.post(reverse("portal:request_close", args=[ticket_id]))
    ticket = Ticket.objects.get(pk=ticket_id)
    if who in SEES_A:
        assert response.status_code == 302
        assert ticket.status_category in ("resolved", "closed")
    else:
        assert response.status_code == 404
        assert ticket.status_id == before


@pytest.mark.parametrize("who", VIEWERS)
def test_public_kb_matrix_never_shows_internal_articles(client, world, agent, who):
    c = _client(client, world, agent, who)
    public = c.get(reverse("portal:kb_article", args=[world.public_article.slug]))
    assert public.status_code == 200
    internal = c.get(reverse("portal:kb_article", args=[world.internal_article.slug]))
    assert internal.status_code == 404
    search = c.get(reverse("portal:kb_index"), {"q": "文章"})
    assert "公开文章".encode() in search.content
    assert "内部文章".encode() not in search.content
    suggest = c.get(reverse("portal:kb_suggest"), {"subject": "Article"})
    assert b"Public article" in suggest.content
    assert b"Internal article" not in suggest.content


@pytest.mark.parametrize("who", VIEWERS)
def test_vote_only_by_customers_one_per_contact(client, world, agent, who):
    c = _client(client, world, agent, who)
    url = reverse("portal:kb_vote", args=[world.public_article.slug])
    first = c.post(url, {"helpful": "1"})
    c.post(url, {"helpful": "1"})
    if who in ("a", "a_admin", "b"):
        assert first.status_code == 302
        assert ArticleVote.objects.filter(contact=world.contacts[who]).count() == 1
    else:
        assert first.status_code == 404
        assert not ArticleVote.objects.exists()
    internal = c.post(
        reverse("portal:kb_vote", args=[world.internal_article.slug]), {"helpful": "1"}
    )
    assert internal.status_code == 404
    assert not ArticleVote.objects.filter(article=world.internal_article).exists()


@pytest.mark.parametrize("who", ["anonymous", "agent"])
def test_new_request_refused_without_a_customer_login(client, world, agent, who):
    c = _client(client, world, agent, who)
    before = Ticket.objects.count()
    response = c.post(reverse("portal:request_create"), {"subject": "x", "description": "y"})
    assert response.status_code == (302 if who == "anonymous" else 404)
    assert Ticket.objects.count() == before


def test_customer_submits_request_with_file_and_deflection_is_counted(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kefu.knowledge.models import PortalSearch
    from kefu.knowledge.selectors import deflection_report

    client.force_login(world.users["b"])
    client.get(reverse("portal:kb_index"), {"q": "不存在的问题"})
    response = client.post(
        reverse("portal:request_create"),
        {
            "subject": "打印机坏了",
            "description": "无法打印",
            "attachments": [SimpleUploadedFile("photo.txt", b"data", "text/plain")],
        },
    )
    ticket = Ticket.objects.get(subject="打印机坏了")
    assert response.status_code == 302
    assert ticket.requester_id == world.contacts["b"].pk
    assert ticket.attachments.filter(filename="photo.txt", is_public=True).exists()
    assert PortalSearch.objects.get().ended_in_request
    report = deflection_report()
    assert (report["sessions"], report["deflected"]) == (1, 0)
    assert report["gaps"][0]["query"] == "不存在的问题"


def test_oversize_or_forbidden_upload_is_refused_with_a_message(client, world, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kefu.service.services import conversation

    monkeypatch.setattr(conversation, "ATTACHMENT_MAX_BYTES", 10)
    client.force_login(world.users["a"])
    before = Ticket.objects.count()
    response = client.post(
        reverse("portal:request_create"),
        {
            "subject": "Big file",
            "description": "see file",
            "attachments": [SimpleUploadedFile("big.txt", b"x" * 100, "text/plain")],
        },
    )
    assert response.status_code == 200
    assert b"big.txt" in response.content
    assert Ticket.objects.count() == before
    entries = TicketEntry.objects.filter(ticket_id=world.tickets["a"]).count()
    response = client.post(
        reverse("portal:request_detail", args=[world.tickets["a"]]),
        {"body": "here", "attachments": [SimpleUploadedFile("run.exe", b"MZ", "text/plain")]},
    )
    assert response.status_code == 200
    assert TicketEntry.objects.filter(ticket_id=world.tickets["a"]).count() == entries


def test_org_admin_sees_colleagues_requests_in_the_list(client, world):
    client.force_login(world.users["a_admin"])
    page = client.get(reverse("portal:request_list"))
    assert b"Request of a" in page.content
    assert b"Request of b" not in page.content


def test_portal_home_and_category_pages_are_public(client, world):
    from kefu.knowledge.models import Category

    category = Category.objects.create(name="Printers", name_zh_hans="打印机", slug="printers")
    world.public_article.category = category
    world.public_article.save(update_fields=["category"])
    assert client.get(reverse("portal:home")).status_code == 200
    page = client.get(reverse("portal:kb_category", args=["printers"]))
    assert b"Public article" in page.content
    assert b"Internal article" not in page.content
    assert client.get(reverse("portal:kb_category", args=["nope"])).status_code == 404
